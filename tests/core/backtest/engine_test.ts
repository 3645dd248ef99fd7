/**
 * The engine on a hand-built 30-bar series with known signals: exact trades, fills and PnL for
 * each same-bar rule, with fees off and on (numbers worked out in the comments).
 */
import { strict as assert } from "node:assert";
import {
  type EngineOptions,
  type EngineSeries,
  runBacktest,
} from "../../../core/backtest/engine.ts";
import { ZERO_COSTS } from "../../../core/costs.ts";
import { DEFAULT_LADDER } from "../../../core/ladder.ts";
import { DEFAULT_PORTFOLIO_LIMITS } from "../../../core/portfolio.ts";

const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);
const FLAT = (p: number): number[] => [p, p + 0.2, p - 0.2, p];

/** [open, high, low, close] per bar; signals: 5 LONG, 15 SHORT, 20 LONG. */
const BARS: number[][] = [
  ...Array.from({ length: 6 }, () => FLAT(100)), // 0-5, LONG at the close of 5 (100)
  [100.3, 101.5, 100.2, 101.2], // 6: TP1 101
  [101.2, 102.4, 101.1, 102], // 7: TP2 102, stop -> 101
  [102.8, 103.2, 100.8, 101.5], // 8: touches stop 101 and TP3 103 (open nearer the high)
  ...Array.from({ length: 6 }, () => [101.5, 101.7, 101.3, 101.5]), // 9-14
  [101, 101.2, 99.9, 100], // 15: SHORT at 100 (TPs 99, 98, …; stop 108.5)
  [98.8, 99.5, 98.5, 99.2], // 16: opens through TP1 99: fills at the open 98.8
  ...Array.from({ length: 3 }, () => [99.2, 99.4, 99, 99.2]), // 17-19
  [99.2, 99.4, 98.9, 99], // 20: LONG at 99 closes the short at 99 and goes long
  ...Array.from({ length: 4 }, () => [99, 99.3, 98.8, 99]), // 21-24
  [99, 99.2, 90, 91], // 25: stop 99·0.915 = 90.585
  ...Array.from({ length: 4 }, () => [91, 91.2, 90.8, 91]), // 26-29
];

function series(): EngineSeries {
  const n = BARS.length;
  const column = (k: number) => Float64Array.from(BARS, (bar) => bar[k]!);
  const signal = new Int8Array(n);
  signal[5] = 1;
  signal[15] = -1;
  signal[20] = 1;
  return {
    symbol: "BTCUSDT",
    timeframe: "1h",
    timeframeMs: HOUR,
    sector: "BTC",
    candles: {
      openTime: Float64Array.from({ length: n }, (_, t) => T0 + t * HOUR),
      open: column(0),
      high: column(1),
      low: column(2),
      close: column(3),
      volume: new Float64Array(n).fill(1),
    },
    signal,
    regime: new Uint8Array(n).fill(1),
    ladders: [DEFAULT_LADDER, DEFAULT_LADDER, DEFAULT_LADDER],
    presetHashes: ["low", "normal", "high"],
  };
}

function options(patch: Partial<EngineOptions> = {}): EngineOptions {
  return {
    mode: "portfolio",
    initialBalance: 10_000,
    limits: DEFAULT_PORTFOLIO_LIMITS,
    sizing: {
      riskPercent: 2,
      maxNotionalPercent: 20,
      minNotional: 10,
      leverage: 10,
    },
    costs: ZERO_COSTS,
    rule: "stop-first",
    gapFills: true,
    entry: "close",
    ...patch,
  };
}

function close(actual: number, expected: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) < 1e-9,
    `${what}: expected ${expected}, got ${actual}`,
  );
}

/** Trades 2 and 3 given the equity after trade 1 (all sized at the 20 % notional cap). */
function laterTrades(equityAfterFirst: number) {
  const q2 = (0.2 * equityAfterFirst) / 100; // SHORT at 100
  const pnl2 = 0.2 * q2 * (100 - 98.8) + 0.8 * q2 * (100 - 99); // TP1 at the open, rest at 99
  const equity2 = equityAfterFirst + pnl2;
  const q3 = (0.2 * equity2) / 99; // LONG at 99, stop 90.585
  const pnl3 = q3 * (90.585 - 99);
  return { q2, pnl2, q3, pnl3, final: equity2 + pnl3 };
}

Deno.test("engine books TP1, TP2 then the full stop on the same-bar bar under stop-first", () => {
  const [result] = runBacktest([series()], options());
  const trades = result!.trades;
  assert.equal(trades.length, 3);
  const [t1, t2, t3] = trades;
  assert.deepEqual(
    [
      t1!.side,
      t1!.entryPrice,
      t1!.exitPrice,
      t1!.exitReason,
      t1!.tpHits,
      t1!.sameBarDecided,
    ],
    ["LONG", 100, 101, "trailing-stop", 2, 1],
  );
  close(
    t1!.pnlQuote,
    4 * 1 + 4 * 2 + 12 * 1,
    "trade 1: 4 units at +1, 4 at +2, 12 at +1",
  );
  close(t1!.pnlPct, 24 / 2000 * 100, "trade 1 percent");
  const fills1 = result!.fills.filter((f) => f.tradeId === t1!.id);
  assert.deepEqual(
    fills1.map((
      f,
    ) => [f.kind, f.tpIndex ?? 0, f.price, Math.round(f.quantity * 1e9) / 1e9]),
    [["entry", 0, 100, 20], ["tp", 1, 101, 4], ["tp", 2, 102, 4], [
      "stop",
      0,
      101,
      12,
    ]],
  );
  const later = laterTrades(10_024);
  assert.deepEqual([t2!.side, t2!.exitReason, t2!.tpHits, t2!.exitPrice], [
    "SHORT",
    "signal",
    1,
    99,
  ]);
  close(t2!.pnlQuote, later.pnl2, "trade 2");
  const fills2 = result!.fills.filter((f) => f.tradeId === t2!.id);
  assert.equal(
    fills2[1]!.price,
    98.8,
    "TP1 crossed by the open fills at the open",
  );
  assert.deepEqual([t3!.side, t3!.exitReason, t3!.exitPrice], [
    "LONG",
    "stop",
    90.585,
  ]);
  close(t3!.pnlQuote, later.pnl3, "trade 3");
  close(result!.finalEquity, later.final, "final equity");
  assert.equal(result!.facts.sameBarDecided, 1);
  assert.equal(result!.decisions.length, 3);
  assert.ok(result!.decisions.every((d) => d.accepted));
  assert.equal(t1!.id, `BTCUSDT-1h-${T0 + 5 * HOUR}-L`);
});

Deno.test("engine books TP3 then the moved stop on the same bar under tp-first", () => {
  const [result] = runBacktest([series()], options({ rule: "tp-first" }));
  const t1 = result!.trades[0]!;
  assert.deepEqual([t1.exitPrice, t1.exitReason, t1.tpHits], [
    102,
    "trailing-stop",
    3,
  ]);
  close(
    t1.pnlQuote,
    4 * 1 + 4 * 2 + 3 * 3 + 9 * 2,
    "TP1, TP2, TP3, then 9 units at TP2",
  );
  close(result!.finalEquity, laterTrades(10_039).final, "final equity");
});

Deno.test("engine walks O-H-L-C under adaptive when the open is nearer the high", () => {
  const [result] = runBacktest([series()], options({ rule: "adaptive" }));
  const t1 = result!.trades[0]!;
  assert.deepEqual([t1.exitPrice, t1.tpHits], [102, 3]);
  close(t1.pnlQuote, 39, "same as tp-first on this bar");
});

Deno.test("engine charges the taker fee on every fill and keeps the balance in step", () => {
  const costs = { takerFeeRate: 0.0005, slippageBps: 0, fundingRatePer8h: 0 };
  const [result] = runBacktest([series()], options({ costs }));
  const t1 = result!.trades[0]!;
  // fees: entry 100·20, TP1 101·4, TP2 102·4, stop 101·12, each × 0.0005
  const fees1 = 0.0005 * (100 * 20 + 101 * 4 + 102 * 4 + 101 * 12);
  close(t1.feesQuote, fees1, "trade 1 fees");
  close(t1.pnlQuote, 24 - fees1, "trade 1 net");
  const fees = result!.fills.reduce((sum, f) => sum + f.fee, 0);
  const gross = result!.fills.reduce((sum, f) => sum + f.pnl, 0);
  close(
    result!.finalEquity,
    10_000 + gross - fees,
    "equity = initial + gross − fees",
  );
  close(
    result!.trades.reduce((sum, t) => sum + t.pnlQuote, 0),
    result!.finalEquity - 10_000,
    "trade PnL adds up to the equity change",
  );
});

Deno.test("engine enters at the next open when asked", () => {
  const [result] = runBacktest([series()], options({ entry: "next-open" }));
  const t1 = result!.trades[0]!;
  assert.equal(t1.entryPrice, 100.3, "bar 6 opens at 100.3");
  assert.equal(t1.entryTime, T0 + 6 * HOUR);
});

Deno.test("engine samples equity once per UTC day", () => {
  const [result] = runBacktest([series()], options());
  assert.deepEqual(result!.equity.map((p) => p.time), [T0, T0 + 24 * HOUR]);
  close(
    result!.equity[0]!.equity,
    laterTrades(10_024).final - laterTrades(10_024).pnl3,
    "day 1 ends with trade 3 open at 99, flat",
  );
  close(result!.equity[1]!.equity, result!.finalEquity, "last day");
});

Deno.test("independent mode trades each series alone with all of its equity", () => {
  const results = runBacktest(
    [series(), series()],
    options({ mode: "independent" }),
  );
  assert.equal(results.length, 2);
  const t1 = results[0]!.trades[0]!;
  close(t1.notional, 10_000, "100 % of equity");
  assert.deepEqual(
    results[0]!.trades.map((t) => t.pnlQuote),
    results[1]!.trades.map((t) => t.pnlQuote),
  );
});

Deno.test("finer candles decide a bar that touches both the stop and a TP", () => {
  const t8 = T0 + 8 * HOUR;
  const q = 15 * 60_000;
  // Inside bar 8 the price falls to 100.8 first (stop 101), then rises to 103.2 (TP3 103).
  const fine = [
    [102.8, 102.9, 100.8, 101.0],
    [101.0, 102.0, 100.9, 101.9],
    [101.9, 103.2, 101.8, 102.0],
    [102.0, 102.1, 101.4, 101.5],
  ];
  const detail = {
    timeframeMs: q,
    candles: {
      openTime: Float64Array.from(fine, (_, k) => t8 + k * q),
      open: Float64Array.from(fine, (b) => b[0]!),
      high: Float64Array.from(fine, (b) => b[1]!),
      low: Float64Array.from(fine, (b) => b[2]!),
      close: Float64Array.from(fine, (b) => b[3]!),
      volume: new Float64Array(4).fill(1),
    },
  };
  const [result] = runBacktest(
    [{ ...series(), detail }],
    options({ rule: "tp-first" }),
  );
  const t1 = result!.trades[0]!;
  assert.deepEqual([t1.exitPrice, t1.tpHits, t1.exitReason], [
    101,
    2,
    "trailing-stop",
  ]);
  close(t1.pnlQuote, 24, "the stop came first, whatever the rule says");
  assert.equal(t1.barsHeld, 3, "bars 6, 7 and 8: the replayed bar counts once");
  assert.equal(result!.facts.detailResolved, 1);
  assert.equal(result!.facts.sameBarDecided, 0);
});

Deno.test("a signal in a regime whose preset is inactive is refused with preset-inactive and not traded", () => {
  const s = series();
  const regime = new Uint8Array(s.regime.length).fill(1);
  regime[15] = 2; // the SHORT at bar 15 falls in the high regime, whose preset is inactive
  const inactiveHigh: EngineSeries = {
    ...s,
    regime,
    active: [true, true, false],
  };
  const [result] = runBacktest([inactiveHigh], options());
  const refused = result!.decisions.filter((d) => !d.accepted);
  assert.deepEqual(refused.map((d) => [d.rule, d.side]), [[
    "preset-inactive",
    "SHORT",
  ]]);
  assert.match(refused[0]!.detail, /high preset of BTCUSDT 1h is inactive/);
  assert.ok(result!.trades.every((t) => t.side === "LONG"));
  const [all] = runBacktest([s], options());
  assert.ok(all!.trades.some((t) => t.side === "SHORT"));
});
