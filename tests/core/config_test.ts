/** Tests of the config schema, two-pass validation and defaults. */
import { strict as assert } from "node:assert";
import {
  type Config,
  ConfigError,
  DEFAULT_CONFIG,
  parseConfig,
  type ParseConfigOptions,
} from "../../core/config.ts";
import { sectorOf } from "../../core/portfolio.ts";

function problemsOf(
  input: unknown,
  options: ParseConfigOptions = {},
): readonly string[] {
  try {
    parseConfig(input, options);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `not a ConfigError: ${error}`);
    assert.equal(error.name, "ConfigError");
    return error.problems;
  }
  assert.fail("parseConfig accepted the input");
}

Deno.test("config defaults follow the design: 20 pairs with POLUSDT, 8 sectors, ladder, limits", () => {
  const c = DEFAULT_CONFIG;
  assert.equal(c.pairs.length, 20);
  assert.ok(c.pairs.includes("POLUSDT"));
  assert.ok(!c.pairs.includes("MATICUSDT"));
  assert.deepEqual(Object.keys(c.sectors), [
    "BTC",
    "ETH",
    "L1",
    "L2",
    "DEFI",
    "OLD",
    "MEME",
    "CEX",
  ]);
  assert.deepEqual(c.sectors["L2"], ["POLUSDT", "ARBUSDT", "OPUSDT"]);
  assert.deepEqual(c.timeframes, ["30m", "1h", "2h"]);
  assert.equal(c.display_timezone, "UTC");
  assert.deepEqual(c.indicator, { semantics: "pine", default_preset: 0 });
  assert.equal(c.signals.entry, "close");
  assert.deepEqual(c.signals.filters.session, {
    enabled: false,
    start: "09:00",
    end: "17:00",
  });
  assert.deepEqual(c.regimes.tp_multiplier, { low: 0.8, normal: 1, high: 1.3 });
  assert.deepEqual(c.regimes.sl_multiplier, { low: 0.8, normal: 1, high: 1.2 });
  assert.deepEqual(c.ladder, {
    tp_percents: [1, 2, 3, 4, 7.5, 14],
    sl_percent: 8.5,
    shares: [20, 20, 15, 15, 15, 15],
    stop_mode: "cascade",
    breakeven_after_tp: 1,
    same_bar_rule: "stop-first",
    gap_fills: true,
  });
  assert.equal(c.portfolio.max_heat_percent, 8);
  assert.equal(c.portfolio.leverage, 10);
  assert.equal(c.portfolio.margin_mode, "cross");
  assert.deepEqual(c.costs, {
    taker_fee_percent: 0.05,
    slippage_bps: 2,
    funding_percent_per_8h: 0.01,
  });
  assert.equal(c.data.warmup_bars, 500);
  assert.equal(c.binance.ws_url, "wss://fstream.binance.com");
  assert.equal(c.telegram.chat_id, "");
  assert.equal(c.web.port, 8080);
});

Deno.test("config is all defaults when the document is undefined, null or empty", () => {
  assert.deepEqual(parseConfig(undefined), DEFAULT_CONFIG);
  assert.deepEqual(parseConfig(null), DEFAULT_CONFIG);
  assert.deepEqual(parseConfig({}), DEFAULT_CONFIG);
  assert.deepEqual(parseConfig({ signals: null }), DEFAULT_CONFIG);
});

Deno.test("config merges a partial override into the defaults key by key", () => {
  const c = parseConfig({
    portfolio: { max_positions: 3 },
    ladder: { sl_percent: 7 },
    signals: { filters: { rsi: { enabled: true } } },
  });
  assert.equal(c.portfolio.max_positions, 3);
  assert.equal(c.portfolio.risk_percent, 2);
  assert.equal(c.ladder.sl_percent, 7);
  assert.deepEqual(c.ladder.tp_percents, [1, 2, 3, 4, 7.5, 14]);
  assert.deepEqual(c.signals.filters.rsi, {
    enabled: true,
    period: 14,
    long_level: 50,
    short_level: 50,
  });
  assert.equal(c.signals.filters.volume.enabled, false);
  assert.deepEqual(c.pairs, DEFAULT_CONFIG.pairs);
});

Deno.test("config names all three wrong keys in one ConfigError message", () => {
  assert.throws(
    () =>
      parseConfig({
        portfolio: { max_positon: 4 },
        ladder: { sl_percent: -1 },
        pairs: ["BTCUSDT", "ETHUSDT", "SOLUSDT", "btc"],
      }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(
        error.message,
        "Cannot load config as it has 3 problems:\n" +
          "- pairs[3]: must be a symbol like 'BTCUSDT': current value is 'btc'\n" +
          "- ladder.sl_percent: must be a number greater than 0: current value is -1\n" +
          "- portfolio.max_positon: unknown key (did you mean 'max_positions'?)",
      );
      assert.equal(error.problems.length, 3);
      return true;
    },
  );
});

Deno.test("config suggests the nearest key for an unknown key and none when nothing is near", () => {
  assert.deepEqual(problemsOf({ web: { prot: 1 } }), [
    "web.prot: unknown key (did you mean 'port'?)",
  ]);
  assert.deepEqual(problemsOf({ timeframe: ["1h"] }), [
    "timeframe: unknown key (did you mean 'timeframes'?)",
  ]);
  assert.deepEqual(problemsOf({ colour: "red" }), ["colour: unknown key"]);
});

Deno.test("config reports type errors with their key paths, list items with [i]", () => {
  assert.deepEqual(
    problemsOf({
      pairs: ["BTCUSDT", 5],
      timeframes: "1h",
      ladder: { tp_percents: [1, 2, "3"], shares: [20, 20, 15, 15, 15, -15] },
      portfolio: {
        max_positions: 2.5,
        leverage: 200,
        sizing: "martingale",
        one_position_per_symbol: "yes",
      },
      web: [],
      display_timezone: "Mars/Olympus",
      signals: { filters: { session: { start: "9:00" } } },
    }),
    [
      "pairs[1]: must be a symbol like 'BTCUSDT': current value is 5",
      "timeframes: must be a list: current value is '1h'",
      "display_timezone: must be an IANA time zone such as 'UTC' or 'Europe/Moscow': current value is 'Mars/Olympus'",
      "signals.filters.session.start: must be a time of day as 'HH:MM': current value is '9:00'",
      "ladder.tp_percents: must have exactly 6 items: current value has 3",
      "ladder.tp_percents[2]: must be a number greater than 0: current value is '3'",
      "ladder.shares[5]: must be a number greater than or equal to 0: current value is -15",
      "portfolio.max_positions: must be an integer greater than or equal to 1: current value is 2.5",
      "portfolio.one_position_per_symbol: must be true or false: current value is 'yes'",
      "portfolio.sizing: must be one of 'fixed-risk', 'volatility', 'kelly': current value is 'martingale'",
      "portfolio.leverage: must be an integer from 1 to 125: current value is 200",
      "web: must be a mapping: current value is []",
    ],
  );
});

Deno.test("config refuses a bot token in the file and points to the environment variable", () => {
  const message =
    "not allowed in the file: set the bot token in the environment variable VELAS_TELEGRAM_TOKEN";
  assert.deepEqual(
    problemsOf({ telegram: { token: "123:abc", bot_token: "123:abc" } }),
    [
      `telegram.token: ${message}`,
      `telegram.bot_token: ${message}`,
    ],
  );
});

Deno.test("config rejects TP percents that are not strictly ascending", () => {
  assert.deepEqual(
    problemsOf({ ladder: { tp_percents: [1, 2, 2, 4, 7.5, 14] } }),
    [
      "ladder.tp_percents: must be strictly ascending: current value is [1,2,2,4,7.5,14]",
    ],
  );
});

Deno.test("config rejects shares that sum to 0 and normalises the others to 100", () => {
  assert.deepEqual(problemsOf({ ladder: { shares: [0, 0, 0, 0, 0, 0] } }), [
    "ladder.shares: must have a sum greater than 0: current value is [0,0,0,0,0,0]",
  ]);
  const c = parseConfig({ ladder: { shares: [17, 17, 17, 17, 16, 16] } });
  assert.deepEqual(c.ladder.shares, [17, 17, 17, 17, 16, 16]);
  const halves = parseConfig({ ladder: { shares: [1, 1, 0, 0, 0, 0] } });
  assert.deepEqual(halves.ladder.shares, [50, 50, 0, 0, 0, 0]);
});

Deno.test("config rejects a sector member that is not a pair and a pair in two sectors", () => {
  assert.deepEqual(
    problemsOf({
      pairs: ["BTCUSDT", "ETHUSDT"],
      sectors: { BTC: ["BTCUSDT"], MAJOR: ["BTCUSDT", "ETHUSDT", "SOLUSDT"] },
    }),
    [
      "sectors.MAJOR[0]: must not also be in sector 'BTC': current value is 'BTCUSDT'",
      "sectors.MAJOR[2]: must be one of the pairs: current value is 'SOLUSDT'",
    ],
  );
});

Deno.test("config restricts the default sectors to the pairs when only pairs are given", () => {
  const c = parseConfig({
    pairs: ["BTCUSDT", "SOLUSDT", "AVAXUSDT", "PEPEUSDT"],
  });
  assert.deepEqual(c.sectors, {
    BTC: ["BTCUSDT"],
    L1: ["SOLUSDT", "AVAXUSDT"],
  });
  assert.equal(sectorOf("SOLUSDT", c.sectors), "L1");
  assert.equal(sectorOf("PEPEUSDT", c.sectors), "UNKNOWN");
});

Deno.test("config rejects max_per_sector above max_positions", () => {
  assert.deepEqual(
    problemsOf({ portfolio: { max_positions: 2, max_per_sector: 3 } }),
    [
      "portfolio.max_per_sector: must be at most portfolio.max_positions (2): current value is 3",
    ],
  );
});

Deno.test("config rejects a low regime threshold that is not below the high one", () => {
  assert.deepEqual(problemsOf({ regimes: { low_below: 1.3 } }), [
    "regimes.low_below: must be less than regimes.high_above (1.3): current value is 1.3",
  ]);
});

Deno.test("config rejects repeated pairs and repeated timeframes", () => {
  assert.deepEqual(
    problemsOf({
      pairs: ["BTCUSDT", "ETHUSDT", "BTCUSDT"],
      timeframes: ["1h", "1h"],
    }),
    [
      "pairs: must not list an item twice: 'BTCUSDT' is listed more than once",
      "timeframes: must not list an item twice: '1h' is listed more than once",
    ],
  );
});

Deno.test("config rejects a session that starts when it ends", () => {
  assert.deepEqual(
    problemsOf({
      signals: { filters: { session: { start: "08:00", end: "08:00" } } },
    }),
    ["signals.filters.session.end: must differ from signals.filters.session.start: current value is '08:00'"],
  );
});

Deno.test("config requires telegram.chat_id only in live mode with a token set", () => {
  const live: ParseConfigOptions = { mode: "live", telegramTokenSet: true };
  assert.deepEqual(problemsOf({}, live), [
    "telegram.chat_id: must be set in live mode when VELAS_TELEGRAM_TOKEN is set: current value is ''",
  ]);
  assert.equal(
    parseConfig({}, { mode: "live", telegramTokenSet: false }).telegram.chat_id,
    "",
  );
  assert.equal(
    parseConfig({}, { mode: "backtest", telegramTokenSet: true }).telegram
      .chat_id,
    "",
  );
  const c = parseConfig({
    telegram: {
      chat_id: -1001234567890,
      allowed_chat_ids: [42, "@velas_channel"],
    },
  }, live);
  assert.equal(c.telegram.chat_id, "-1001234567890");
  assert.deepEqual(c.telegram.allowed_chat_ids, ["42", "@velas_channel"]);
});

Deno.test("config does not check cross-field rules while shape problems remain", () => {
  assert.deepEqual(
    problemsOf({
      ladder: { tp_percents: [3, 2, 1, 4, 5, 6], sl_percent: "8" },
    }),
    ["ladder.sl_percent: must be a number greater than 0: current value is '8'"],
  );
});

Deno.test("config is deeply frozen", () => {
  const c = parseConfig({ portfolio: { max_positions: 4 } });
  assert.ok(Object.isFrozen(c));
  assert.ok(Object.isFrozen(c.portfolio));
  assert.ok(Object.isFrozen(c.pairs));
  assert.ok(Object.isFrozen(c.sectors["L1"]));
  assert.ok(Object.isFrozen(DEFAULT_CONFIG.signals.filters.adaptive));
  assert.throws(() => {
    (c.portfolio as { max_positions: number }).max_positions = 9;
  }, TypeError);
  assert.throws(() => (c.pairs as string[]).push("XRPUSDT"), TypeError);
});

Deno.test("config type is inferred from the schema with literal unions", () => {
  const semantics: "pine" | "velas-py" = DEFAULT_CONFIG.indicator.semantics;
  const rule: Config["ladder"]["same_bar_rule"] = "adaptive";
  // @ts-expect-error: not one of the same-bar rules
  const wrong: Config["ladder"]["same_bar_rule"] = "random";
  assert.equal(semantics, "pine");
  assert.equal(rule, "adaptive");
  assert.equal(wrong, "random");
});

Deno.test("ConfigError says 1 problem in the singular", () => {
  const error = new ConfigError([
    "web.port: must be an integer from 1 to 65535: current value is 0",
  ]);
  assert.equal(
    error.message,
    "Cannot load config as it has 1 problem:\n- web.port: must be an integer from 1 to 65535: current value is 0",
  );
  assert.deepEqual(problemsOf({ web: { port: 0 } }), [
    "web.port: must be an integer from 1 to 65535: current value is 0",
  ]);
});
