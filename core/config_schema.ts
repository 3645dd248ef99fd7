/**
 * The VELAS configuration schema as data: every key with its type, default, range and a one-line
 * doc. `core/config.ts` walks it to validate, to fill defaults and to render
 * `config.example.yaml`, so the three cannot drift. The `Config` type is inferred from it.
 *
 * @module
 */

/** Named string formats; `core/config.ts` holds the check and the rule text of each. */
export type StringFormat =
  | "symbol"
  | "timeframe"
  | "time-zone"
  | "hh-mm"
  | "http-url"
  | "ws-url"
  | "chat-id"
  | "sector"
  | "non-empty";

/** A finite number, optionally an integer, with optional bounds. */
export interface NumberRule {
  readonly kind: "number";
  readonly integer?: boolean;
  /** Inclusive lower bound. */
  readonly min?: number;
  /** Exclusive lower bound. */
  readonly gt?: number;
  /** Inclusive upper bound. */
  readonly max?: number;
}

/** A string, optionally of a named format. */
export interface StringRule {
  readonly kind: "string";
  readonly format?: StringFormat;
  /** The empty string is accepted even when `format` would refuse it. */
  readonly allowEmpty?: boolean;
  /** An integer is accepted and turned into its decimal string (YAML reads `-100123` as a number). */
  readonly acceptInteger?: boolean;
}

/** One of a fixed set of strings. */
export interface ChoiceRule<V extends string = string> {
  readonly kind: "choice";
  readonly values: readonly V[];
}

/** `true` or `false`. */
export interface BooleanRule {
  readonly kind: "boolean";
}

/** The rule for one scalar value. */
export type LeafRule = NumberRule | StringRule | ChoiceRule | BooleanRule;

/** The TypeScript type of the values a rule accepts. */
export type ValueOf<R> = R extends NumberRule ? number
  : R extends StringRule ? string
  : R extends ChoiceRule<infer V> ? V
  : R extends BooleanRule ? boolean
  : never;

/** A scalar key. */
export interface LeafNode<R extends LeafRule = LeafRule> {
  readonly kind: "leaf";
  readonly rule: R;
  readonly default: ValueOf<R>;
  readonly doc: string;
  /** A missing key is a problem instead of taking the default. */
  readonly required?: boolean;
}

/** A list of scalars; a given list replaces the default list. */
export interface ListNode<R extends LeafRule = LeafRule> {
  readonly kind: "list";
  readonly item: R;
  readonly default: readonly ValueOf<R>[];
  /** Exact number of items. */
  readonly length?: number;
  /** Minimum number of items. */
  readonly minLength?: number;
  readonly doc: string;
}

/** A map of names to lists of scalars (sectors); a given map replaces the default map. */
export interface GroupsNode<R extends LeafRule = LeafRule> {
  readonly kind: "groups";
  readonly key: StringRule;
  readonly item: R;
  readonly default: { readonly [name: string]: readonly ValueOf<R>[] };
  readonly doc: string;
}

/** A mapping of fixed keys; a given mapping is merged key by key into the defaults. */
export interface SectionNode<
  F extends { readonly [key: string]: SchemaNode } = {
    readonly [key: string]: SchemaNode;
  },
> {
  readonly kind: "section";
  readonly fields: F;
  readonly doc: string;
  /** A missing mapping is a problem instead of taking the defaults. */
  readonly required?: boolean;
  /** `error` (default): unknown keys are problems; `drop`: they are ignored. */
  readonly unknownKeys?: "error" | "drop";
}

/** Any node of the schema. */
export type SchemaNode =
  | LeafNode
  | ListNode
  | GroupsNode
  | SectionNode;

/** The deeply readonly value type described by a schema node. */
export type Infer<N> = N extends SectionNode<infer F>
  ? { readonly [K in keyof F]: Infer<F[K]> }
  : N extends LeafNode<infer R> ? ValueOf<R>
  : N extends ListNode<infer R> ? readonly ValueOf<R>[]
  : N extends GroupsNode<infer R>
    ? { readonly [name: string]: readonly ValueOf<R>[] }
  : never;

/** Options of {@link numberNode} and {@link integerNode}. */
export type NumberOptions = Omit<NumberRule, "kind" | "integer"> & {
  readonly default: number;
  readonly doc: string;
  readonly required?: boolean;
};

/**
 * A number key.
 *
 * @param options Default, doc, bounds and whether the key is required.
 * @returns The node.
 */
export function numberNode(
  options: NumberOptions & { readonly integer?: boolean },
): LeafNode<NumberRule> {
  const { default: value, doc, required, ...rule } = options;
  return {
    kind: "leaf",
    rule: { kind: "number", ...rule },
    default: value,
    doc,
    ...(required === undefined ? {} : { required }),
  };
}

/**
 * An integer key.
 *
 * @param options Default, doc, bounds and whether the key is required.
 * @returns The node.
 */
export function integerNode(options: NumberOptions): LeafNode<NumberRule> {
  return numberNode({ ...options, integer: true });
}

/**
 * A string key.
 *
 * @param value The default.
 * @param doc One line of documentation.
 * @param options The format and whether the key is required.
 * @returns The node.
 */
export function stringNode(
  value: string,
  doc: string,
  options: Omit<StringRule, "kind"> & { readonly required?: boolean } = {},
): LeafNode<StringRule> {
  const { required, ...rule } = options;
  return {
    kind: "leaf",
    rule: { kind: "string", ...rule },
    default: value,
    doc,
    ...(required === undefined ? {} : { required }),
  };
}

/**
 * A boolean key.
 *
 * @param value The default.
 * @param doc One line of documentation.
 * @returns The node.
 */
export function booleanNode(
  value: boolean,
  doc: string,
): LeafNode<BooleanRule> {
  return { kind: "leaf", rule: { kind: "boolean" }, default: value, doc };
}

/**
 * A key that takes one of a fixed set of strings.
 *
 * @param values The accepted strings.
 * @param options Default, doc and whether the key is required.
 * @returns The node.
 */
export function choiceNode<const V extends string>(
  values: readonly V[],
  options: {
    readonly default: NoInfer<V>;
    readonly doc: string;
    readonly required?: boolean;
  },
): LeafNode<ChoiceRule<V>> {
  const { default: value, doc, required } = options;
  return {
    kind: "leaf",
    rule: { kind: "choice", values },
    default: value,
    doc,
    ...(required === undefined ? {} : { required }),
  };
}

/**
 * A list key.
 *
 * @param item The rule for every item.
 * @param options Default, doc and length limits.
 * @returns The node.
 */
export function listNode<R extends LeafRule>(
  item: R,
  options: Omit<ListNode<R>, "kind" | "item">,
): ListNode<R> {
  return { kind: "list", item, ...options };
}

/**
 * A mapping of fixed keys.
 *
 * @param doc One line of documentation.
 * @param fields The child nodes in file order.
 * @param options Whether it is required, and whether unknown keys are errors (default) or dropped.
 * @returns The node.
 */
export function sectionNode<
  const F extends { readonly [key: string]: SchemaNode },
>(
  doc: string,
  fields: F,
  options: Pick<SectionNode, "required" | "unknownKeys"> = {},
): SectionNode<F> {
  return { kind: "section", fields, doc, ...options };
}

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
      adaptive: section("Filter thresholds adapted to the volatility regime", {
        enabled: bool(false, "Shift filter thresholds by the ATR ratio"),
        volume_coeff: num({
          default: 0.5,
          min: 0,
          doc: "Volume multiplier change per unit of ATR-ratio deviation",
        }),
        rsi_coeff: num({
          default: 10,
          min: 0,
          doc: "RSI level change per unit of ATR-ratio deviation",
        }),
        adx_coeff: num({
          default: 10,
          min: 0,
          doc: "ADX level change per unit of ATR-ratio deviation",
        }),
      }),
    }),
  }),
  regimes: section("Volatility regimes: ATR / mean of recent ATR values", {
    atr_period: int({
      default: 14,
      min: 1,
      doc: "ATR period in bars, Wilder smoothing",
    }),
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
