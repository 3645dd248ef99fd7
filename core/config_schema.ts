/**
 * The VELAS configuration schema as data: every key with its type, default, range and a one-line
 * doc. `core/config.ts` walks it (through `core/schema_validate.ts` and `core/schema_render.ts`)
 * to validate, to fill defaults and to render `config.example.yaml`, so the three cannot drift.
 * The `Config` type is inferred from it.
 *
 * @module
 */
import {
  booleanNode,
  choiceNode,
  type GroupsNode,
  integerNode,
  listNode,
  numberNode,
  sectionNode,
  stringNode,
  type StringRule,
} from "./schema.ts";

const num = numberNode;
const int = integerNode;
const str = stringNode;
const bool = booleanNode;
const choice = choiceNode;
const list = listNode;
const section = sectionNode;

const SYMBOL: StringRule = { kind: "string", format: "symbol" };
const POSITIVE = { gt: 0 } as const;
const PERCENT_LEVEL = { min: 0, max: 100 } as const;

/** The 20 default pairs of spec §6.1, POLUSDT in place of the delisted MATICUSDT. */
const DEFAULT_PAIRS = [
  "BTCUSDT",
  "ETHUSDT",
  "BNBUSDT",
  "SOLUSDT",
  "XRPUSDT",
  "ADAUSDT",
  "AVAXUSDT",
  "DOGEUSDT",
  "DOTUSDT",
  "POLUSDT",
  "LINKUSDT",
  "UNIUSDT",
  "ATOMUSDT",
  "LTCUSDT",
  "ETCUSDT",
  "NEARUSDT",
  "APTUSDT",
  "ARBUSDT",
  "OPUSDT",
  "INJUSDT",
] as const;

/** The root of the configuration schema. */
export const CONFIG_SCHEMA = section("VELAS configuration", {
  pairs: list(SYMBOL, {
    default: DEFAULT_PAIRS,
    minLength: 1,
    doc:
      "Binance USDT-M perpetual symbols to trade, validated against exchange info at start",
  }),
  sectors: {
    kind: "groups",
    key: { kind: "string", format: "sector" },
    item: SYMBOL,
    default: {
      BTC: ["BTCUSDT"],
      ETH: ["ETHUSDT"],
      L1: ["SOLUSDT", "AVAXUSDT", "ATOMUSDT", "NEARUSDT", "APTUSDT"],
      L2: ["POLUSDT", "ARBUSDT", "OPUSDT"],
      DEFI: ["LINKUSDT", "UNIUSDT", "INJUSDT"],
      OLD: ["XRPUSDT", "ADAUSDT", "DOTUSDT", "LTCUSDT", "ETCUSDT"],
      MEME: ["DOGEUSDT"],
      CEX: ["BNBUSDT"],
    },
    doc:
      "Sector groups for the per-sector limit; when omitted, these defaults restricted to the pairs",
  } satisfies GroupsNode<StringRule>,
  timeframes: list({ kind: "string", format: "timeframe" }, {
    default: ["30m", "1h", "2h"],
    minLength: 1,
    doc: "Candle intervals to run for every pair",
  }),
  display_timezone: str("UTC", "IANA time zone for times shown to people", {
    format: "time-zone",
  }),
  indicator: section("Velas indicator", {
    semantics: choice(["pine", "velas-py"], {
      default: "pine",
      doc:
        "pine: TradingView stdev and ATR; velas-py: the original Python port",
    }),
    default_preset: int({
      default: 0,
      min: 0,
      max: 59,
      doc: "Indicator preset index used when a series has no preset file",
    }),
  }),
  signals: section("Signal generation", {
    entry: choice(["close", "next-open"], {
      default: "close",
      doc: "Entry price: the signal bar's close or the next bar's open",
    }),
    prepare: section("Early warning when price nears a trigger", {
      enabled: bool(false, "Send a prepare notice before a breakout"),
      offset_percent: num({
        default: 0.3,
        ...POSITIVE,
        doc:
          "Distance to the trigger, in percent of price, that counts as near",
      }),
    }),
    filters: section("Signal filters (all off by default)", {
      volume: section("Volume filter", {
        enabled: bool(false, "Require volume above its average"),
        multiplier: num({
          default: 1.2,
          ...POSITIVE,
          doc: "Volume must exceed this multiple of its moving average",
        }),
        period: int({ default: 20, min: 1, doc: "Bars in the volume average" }),
      }),
      rsi: section("RSI filter (Wilder)", {
        enabled: bool(false, "Require RSI on the signal's side"),
        period: int({ default: 14, min: 1, doc: "RSI period in bars" }),
        long_level: num({
          default: 50,
          ...PERCENT_LEVEL,
          doc: "A LONG needs RSI above this level",
        }),
        short_level: num({
          default: 50,
          ...PERCENT_LEVEL,
          doc: "A SHORT needs RSI below this level",
        }),
      }),
      adx: section("ADX trend-strength filter (Wilder)", {
        enabled: bool(false, "Require a trending market"),
        period: int({ default: 14, min: 1, doc: "ADX period in bars" }),
        level: num({
          default: 25,
          ...PERCENT_LEVEL,
          doc: "ADX must be above this level",
        }),
      }),
      session: section("Trading-session filter", {
        enabled: bool(false, "Only signal inside the session window"),
        start: str("09:00", "Session start, HH:MM UTC", { format: "hh-mm" }),
        end: str(
          "17:00",
          "Session end, HH:MM UTC (before start: wraps past midnight)",
          {
            format: "hh-mm",
          },
        ),
      }),
      adaptive: section(
        "Filter levels scaled by ATR/close (spec §2.1), replacing the fixed ones",
        {
          enabled: bool(
            false,
            "Use the ATR-scaled levels below instead of the fixed levels",
          ),
          volume_coeff: num({
            default: 0.5,
            min: 0,
            doc: "Volume multiplier = 1 + (ATR/close) x this",
          }),
          rsi_coeff: num({
            default: 10,
            min: 0,
            doc: "RSI levels = 50 +/- (ATR/close) x this",
          }),
          adx_coeff: num({
            default: 10,
            min: 0,
            doc: "ADX level = 25 + (ATR/close) x this",
          }),
        },
      ),
    }),
  }),
  regimes: section("Volatility regimes: ATR(14) / mean of recent ATR values", {
    baseline_bars: int({
      default: 100,
      min: 1,
      doc: "Number of ATR values in the baseline mean",
    }),
    low_below: num({
      default: 0.7,
      ...POSITIVE,
      doc: "ATR ratio below this is the low regime",
    }),
    high_above: num({
      default: 1.3,
      ...POSITIVE,
      doc: "ATR ratio above this is the high regime",
    }),
    tp_multiplier: section("Take-profit percent multiplier per regime", {
      low: num({ default: 0.8, ...POSITIVE, doc: "Low regime" }),
      normal: num({ default: 1.0, ...POSITIVE, doc: "Normal regime" }),
      high: num({ default: 1.3, ...POSITIVE, doc: "High regime" }),
    }),
    sl_multiplier: section("Stop-loss percent multiplier per regime", {
      low: num({ default: 0.8, ...POSITIVE, doc: "Low regime" }),
      normal: num({ default: 1.0, ...POSITIVE, doc: "Normal regime" }),
      high: num({ default: 1.2, ...POSITIVE, doc: "High regime" }),
    }),
  }),
  ladder: section(
    "Take-profit ladder and stop (normal regime, percent of entry)",
    {
      tp_percents: list({ kind: "number", gt: 0 }, {
        default: [1, 2, 3, 4, 7.5, 14],
        length: 6,
        doc: "TP1..TP6 distance from entry in percent, strictly ascending",
      }),
      sl_percent: num({
        default: 8.5,
        ...POSITIVE,
        doc: "Stop-loss distance from entry in percent",
      }),
      shares: list({ kind: "number", min: 0 }, {
        default: [20, 20, 15, 15, 15, 15],
        length: 6,
        doc:
          "Share of the position closed at TP1..TP6 in percent, normalised to sum 100",
      }),
      stop_mode: choice(["cascade", "breakeven", "none"], {
        default: "cascade",
        doc:
          "cascade: TP1 -> entry, TPn -> TP(n-1); breakeven: entry after N TPs; none",
      }),
      breakeven_after_tp: int({
        default: 1,
        min: 1,
        max: 6,
        doc: "TPs hit before the stop moves to entry in breakeven mode",
      }),
      same_bar_rule: choice(["stop-first", "tp-first", "adaptive"], {
        default: "stop-first",
        doc: "What fills first when one bar reaches both the stop and a TP",
      }),
      gap_fills: bool(true, "A level crossed by the open fills at the open"),
    },
  ),
  portfolio: section("Paper portfolio and risk limits", {
    initial_balance: num({
      default: 10000,
      ...POSITIVE,
      doc: "Starting balance in USDT",
    }),
    max_positions: int({ default: 5, min: 1, doc: "Maximum open positions" }),
    risk_percent: num({
      default: 2,
      gt: 0,
      max: 100,
      doc: "Equity risked per trade (entry to stop) in percent",
    }),
    max_notional_percent: num({
      default: 20,
      ...POSITIVE,
      doc: "Maximum notional of one position in percent of equity",
    }),
    min_notional: num({
      default: 10,
      min: 0,
      doc: "Minimum notional of a position in USDT",
    }),
    max_heat_percent: num({
      default: 8,
      ...POSITIVE,
      doc: "Maximum total risk to the current stops in percent of equity",
    }),
    max_per_sector: int({
      default: 2,
      min: 1,
      doc: "Maximum open positions in one sector",
    }),
    one_position_per_symbol: bool(
      true,
      "Refuse a signal for a symbol that already has an open position",
    ),
    correlation_limit: num({
      default: 0.7,
      min: 0,
      max: 1,
      doc:
        "Block a signal when |correlation| with an open position exceeds this",
    }),
    correlation_days: int({
      default: 30,
      min: 1,
      doc: "Days of 1h returns in the correlation",
    }),
    sizing: choice(["fixed-risk", "volatility", "kelly"], {
      default: "fixed-risk",
      doc: "Position sizing rule",
    }),
    leverage: int({
      default: 10,
      min: 1,
      max: 125,
      doc: "Leverage stated in the Cornix message",
    }),
    margin_mode: choice(["cross", "isolated"], {
      default: "cross",
      doc: "Margin mode stated in the Cornix message",
    }),
  }),
  costs: section("Trading costs", {
    taker_fee_percent: num({
      default: 0.05,
      min: 0,
      doc: "Fee per fill in percent of notional",
    }),
    slippage_bps: num({
      default: 2,
      min: 0,
      doc: "Slippage per market fill in basis points",
    }),
    funding_percent_per_8h: num({
      default: 0.01,
      min: 0,
      doc: "Funding paid per 8 hours in percent of open notional",
    }),
  }),
  optimizer: section(
    "Optimizer: walk-forward preset selection, robustness, Monte Carlo and acceptance gates",
    {
      seed: int({
        default: 1,
        min: 0,
        max: 4294967295,
        doc: "Seed of every random draw; the same seed gives the same results",
      }),
      min_window_trades: int({
        default: 10,
        min: 1,
        doc:
          "Trades a preset needs in a training window to be chosen in that window",
      }),
      regime_min_trades: int({
        default: 30,
        min: 1,
        doc:
          "A regime with fewer pooled out-of-sample trades uses the series' overall choice",
      }),
      walk_forward: section("Walk-forward windows in calendar months", {
        train_months: int({
          default: 6,
          min: 1,
          max: 60,
          doc: "Months in each training window",
        }),
        test_months: int({
          default: 2,
          min: 1,
          max: 24,
          doc: "Months in each out-of-sample test window",
        }),
        step_months: int({
          default: 2,
          min: 1,
          max: 24,
          doc: "Months the windows move forward each step",
        }),
        min_windows: int({
          default: 4,
          min: 1,
          doc: "Fewest walk-forward windows a series needs to be optimised",
        }),
      }),
      gates: section("Acceptance gates of a series' result", {
        min_trades: int({
          default: 30,
          min: 0,
          doc: "Minimum number of trades",
        }),
        min_win_rate_tp1: num({
          default: 65,
          ...PERCENT_LEVEL,
          doc: "Minimum share of trades that reach TP1, in percent",
        }),
        min_sharpe: num({ default: 1.2, doc: "Minimum Sharpe ratio" }),
        min_profit_factor: num({
          default: 1.4,
          min: 0,
          doc: "Minimum profit factor",
        }),
        max_drawdown: num({
          default: 15,
          ...PERCENT_LEVEL,
          doc: "Maximum drawdown in percent",
        }),
        overfit_sharpe: num({
          default: 2.5,
          doc:
            "A Sharpe above this is flagged as a likely overfit, not rejected",
        }),
        min_robustness: num({
          default: 80,
          ...PERCENT_LEVEL,
          doc: "Minimum robustness score",
        }),
        min_efficiency: num({
          default: 0.5,
          doc:
            "Minimum average walk-forward efficiency, failed windows counted as 0",
        }),
      }),
      score_weights: section("Weights of the composite score's terms", {
        sharpe: num({ default: 0.3, min: 0, doc: "Weight of the Sharpe term" }),
        profit_factor: num({
          default: 0.25,
          min: 0,
          doc: "Weight of the profit-factor term",
        }),
        win_rate_tp1: num({
          default: 0.25,
          min: 0,
          doc: "Weight of the WinRate TP1 term",
        }),
        drawdown: num({
          default: 0.2,
          min: 0,
          doc: "Weight of the drawdown term",
        }),
      }),
      robustness: section(
        "Robustness check: neighbour presets scored out of sample",
        {
          spread: num({
            default: 0.15,
            gt: 0,
            max: 0.9,
            doc:
              "Relative step of each neighbour parameter: 0.15 tries x0.85 and x1.15",
          }),
          min_neighbour_trades: int({
            default: 20,
            min: 1,
            doc: "A neighbour with fewer trades scores 0 and is not valid",
          }),
          min_valid_pct: num({
            default: 70,
            ...PERCENT_LEVEL,
            doc: "Minimum share of valid neighbours in percent",
          }),
          max_degradation_pct: num({
            default: 30,
            min: 0,
            doc: "Maximum score degradation of any neighbour in percent",
          }),
          max_mean_degradation_pct: num({
            default: 21,
            min: 0,
            doc: "Maximum mean score degradation of the neighbours in percent",
          }),
          max_score_stdev: num({
            default: 20,
            min: 0,
            doc: "Maximum population stdev of the valid neighbours' scores",
          }),
        },
      ),
      monte_carlo: section(
        "Monte Carlo: trade-order shuffle and block bootstrap of daily returns",
        {
          runs: int({ default: 1000, min: 500, doc: "Runs per method" }),
          block_days: int({
            default: 5,
            min: 1,
            doc: "Length of a bootstrap block in days",
          }),
        },
      ),
    },
  ),
  data: section("Local files", {
    dir: str("./data", "Data directory", { format: "non-empty" }),
    candles_dir: str("./data/candles", "Candle store directory", {
      format: "non-empty",
    }),
    presets_dir: str("./data/presets", "Preset files directory", {
      format: "non-empty",
    }),
    database: str("./data/velas.db", "SQLite state database", {
      format: "non-empty",
    }),
    warmup_bars: int({
      default: 500,
      min: 300,
      doc: "Closed bars loaded before a series goes live",
    }),
  }),
  binance: section("Binance USDT-M futures endpoints", {
    rest_url: str("https://fapi.binance.com", "REST base URL", {
      format: "http-url",
    }),
    ws_url: str("wss://fstream.binance.com", "WebSocket base URL", {
      format: "ws-url",
    }),
    validate_pairs: bool(
      true,
      "Check the pairs against exchange info at start",
    ),
  }),
  telegram: section(
    "Telegram; the bot token comes only from the environment variable VELAS_TELEGRAM_TOKEN",
    {
      chat_id: str(
        "",
        "Chat that receives signals (required in live mode with a token)",
        {
          format: "chat-id",
          allowEmpty: true,
          acceptInteger: true,
        },
      ),
      allowed_chat_ids: list(
        { kind: "string", format: "chat-id", acceptInteger: true },
        { default: [], doc: "Chats allowed to send bot commands" },
      ),
      language: choice(["en", "ru"], {
        default: "en",
        doc: "Message language",
      }),
      exchange_line: str(
        "Binance Futures",
        "Exchange named in the Cornix message",
        { format: "non-empty" },
      ),
      daily_summary_hour: int({
        default: 20,
        min: 0,
        max: 23,
        doc: "Hour of the daily summary in the display time zone",
      }),
      messages_per_minute: int({
        default: 20,
        min: 1,
        doc: "Maximum messages per minute per chat",
      }),
      signals_per_minute: int({
        default: 7,
        min: 1,
        doc: "Maximum signal messages per minute per chat, as Cornix allows",
      }),
      messages: section(
        "Per message type: on, silent (no sound) or off",
        {
          signal: choice(["on", "silent", "off"], {
            default: "on",
            doc: "New signals (the Cornix message)",
          }),
          tp: choice(["on", "silent", "off"], {
            default: "on",
            doc: "Take-profit hits",
          }),
          stop: choice(["on", "silent", "off"], {
            default: "on",
            doc: "Stop-loss and breakeven hits",
          }),
          close: choice(["on", "silent", "off"], {
            default: "on",
            doc: "Positions closed by an opposite signal",
          }),
          closed: choice(["on", "silent", "off"], {
            default: "on",
            doc: "Trade summaries",
          }),
          daily: choice(["on", "silent", "off"], {
            default: "on",
            doc: "The daily summary",
          }),
          alert: choice(["on", "silent", "off"], {
            default: "on",
            doc: "System alerts",
          }),
          stale: choice(["on", "silent", "off"], {
            default: "on",
            doc: "Stale-series alerts",
          }),
        },
      ),
    },
  ),
  web: section("Status web app", {
    enabled: bool(true, "Serve the status page and JSON API"),
    host: str("127.0.0.1", "Listen address", { format: "non-empty" }),
    port: int({ default: 8080, min: 1, max: 65535, doc: "Listen port" }),
  }),
});

/** Keys that are refused anywhere in the file, with the reason given to the user. */
export const FORBIDDEN_KEYS: { readonly [path: string]: string } = {
  "telegram.token":
    "not allowed in the file: set the bot token in the environment variable VELAS_TELEGRAM_TOKEN",
  "telegram.bot_token":
    "not allowed in the file: set the bot token in the environment variable VELAS_TELEGRAM_TOKEN",
};
