/** Tests of the status analytics: monthly returns, drawdown, per-pair table and correlation. */
import { strict as assert } from "node:assert";
import type { EquityPoint, TradeRecord } from "../../core/backtest/records.ts";
import {
  type Analytics,
  analyticsView,
  type EquityCurve,
  equityView,
  monthlyReturns,
  perPairTable,
  returnsCorrelation,
  type SymbolCloses,
} from "../../core/status_analytics.ts";
import type { AnalyticsView, EquityView } from "../../web/status_types.ts";

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Compile-time checks: core's result types are the contract's. */
export const SAME_TYPES: [
  Same<Analytics, AnalyticsView>,
  Same<EquityCurve, EquityView>,
] = [true, true];

const DAY = 86_400_000;
const HOUR = 3_600_000;
const D0 = Date.UTC(2024, 0, 1);

function day(y: number, m: number, d: number): number {
  return Date.UTC(y, m - 1, d);
}

function assertNear(actual: number | null | undefined, expected: number): void {
  assert.ok(
    typeof actual === "number" && Math.abs(actual - expected) <= 1e-9,
    `expected ${expected}, got ${actual}`,
  );
}

function trade(symbol: string, pnlQuote: number): TradeRecord {
  return {
    id: `${symbol}-1h-0-L`,
    seriesKey: `${symbol}:1h`,
    symbol,
    timeframe: "1h",
    side: "LONG",
    entryTime: D0,
    entryPrice: 100,
    exitTime: D0 + HOUR,
    exitPrice: 100,
    exitReason: "tp",
    tpHits: 1,
    pnlQuote,
    pnlPct: pnlQuote,
    feesQuote: 0,
    fundingQuote: 0,
    notional: 100,
    barsHeld: 1,
    sameBarDecided: 0,
    regime: "normal",
    presetHash: "h",
  };
}

/** Daily candles (open at 00:00 UTC) from `start` with the given closes. */
function daily(
  symbol: string,
  closes: readonly number[],
  start = D0,
): SymbolCloses {
  return {
    symbol,
    candles: closes.map((close, i) => ({ openTime: start + i * DAY, close })),
  };
}

/** 25 closes whose returns vary: 100 · Π(1 + r_k). */
function wave(sign: 1 | -1, count = 25): number[] {
  const closes = [100];
  for (let k = 1; k < count; k++) {
    const r = 0.01 * Math.sin(k * 1.7) + 0.003 * (k % 3);
    closes.push(closes[k - 1]! * (1 + sign * r));
  }
  return closes;
}

Deno.test("monthlyReturns compounds each month from the previous month's last equity and skips a gap month", () => {
  const points: EquityPoint[] = [
    { time: day(2024, 1, 30), equity: 1050 },
    { time: day(2024, 1, 31), equity: 1100 },
    { time: day(2024, 2, 1), equity: 1080 },
    { time: day(2024, 2, 29), equity: 1210 },
    // No point in March.
    { time: day(2024, 4, 1), equity: 1150 },
    { time: day(2024, 4, 30), equity: 1089 },
  ];
  const months = monthlyReturns(points, 1000);
  assert.deepEqual(months.map((m) => m.month), [
    "2024-01",
    "2024-02",
    "2024-04",
  ]);
  assertNear(months[0]!.returnPct, 10); // 1100 / 1000
  assertNear(months[1]!.returnPct, 10); // 1210 / 1100
  assertNear(months[2]!.returnPct, -10); // 1089 / 1210, across March
});

Deno.test("monthlyReturns uses UTC months and sorts the points", () => {
  const points: EquityPoint[] = [
    { time: day(2024, 2, 1), equity: 99 },
    { time: day(2024, 1, 31), equity: 90 },
  ];
  const months = monthlyReturns(points, 100);
  assert.deepEqual(months.map((m) => m.month), ["2024-01", "2024-02"]);
  assertNear(months[0]!.returnPct, -10);
  assertNear(months[1]!.returnPct, 10);
});

Deno.test("monthlyReturns rejects a non-positive initial equity", () => {
  assert.throws(() => monthlyReturns([], 0), {
    name: "RangeError",
    message:
      "Cannot compute equity figures as 'initialEquity' must be a positive finite number: current value is 0",
  });
});

Deno.test("equityView gives the drawdown below the running peak that starts at the initial equity", () => {
  const view = equityView([
    { time: D0, equity: 90 },
    { time: D0 + DAY, equity: 110 },
    { time: D0 + 2 * DAY, equity: 99 },
    { time: D0 + 3 * DAY, equity: 121 },
    { time: D0 + 4 * DAY, equity: 60.5 },
  ], 100);
  assert.equal(view.initialEquity, 100);
  assert.deepEqual(
    view.points.map((p) => p.time),
    [0, 1, 2, 3, 4].map((k) => D0 + k * DAY),
  );
  const expected = [10, 0, 10, 0, 50];
  view.points.forEach((p, k) => assertNear(p.drawdownPct, expected[k]!));
  assert.equal(view.points[3]!.equity, 121);
});

Deno.test("perPairTable sums per symbol, sorts by symbol and gives a null profit factor without a loss", () => {
  const rows = perPairTable([
    trade("ETHUSDT", 3),
    trade("BTCUSDT", 10),
    trade("ETHUSDT", 0),
    trade("BTCUSDT", -5),
    trade("BTCUSDT", 20),
  ]);
  assert.deepEqual(rows.map((r) => r.symbol), ["BTCUSDT", "ETHUSDT"]);
  const [btc, eth] = rows as [typeof rows[0], typeof rows[0]];
  assert.equal(btc.trades, 3);
  assertNear(btc.winRatePct, 200 / 3);
  assertNear(btc.pnlQuote, 25);
  assertNear(btc.profitFactor, 6); // 30 / 5
  assert.equal(eth.trades, 2);
  assertNear(eth.winRatePct, 50); // a PnL of 0 is not a win
  assertNear(eth.pnlQuote, 3);
  assert.equal(eth.profitFactor, null);
});

Deno.test("returnsCorrelation gives 1 and -1 for perfectly correlated and anti-correlated series", () => {
  const table = returnsCorrelation([
    daily("CCC", wave(-1)),
    daily("AAA", wave(1)),
    daily("BBB", wave(1).map((c) => 3 * c)),
  ]);
  assert.deepEqual(table.symbols, ["AAA", "BBB", "CCC"]);
  assert.equal(table.days, 24);
  const m = table.matrix;
  assert.deepEqual(m.map((row) => row.length), [3, 3, 3]);
  for (let i = 0; i < 3; i++) assert.equal(m[i]![i], 1);
  assertNear(m[0]![1], 1);
  assertNear(m[1]![0], 1);
  assertNear(m[0]![2], -1);
  assertNear(m[2]![1], -1);
});

Deno.test("returnsCorrelation uses only the days common to all symbols", () => {
  const a = wave(1, 30);
  const b = wave(1, 30);
  // BBB starts two days later and misses day 10: common days are 2..29 without 10.
  const late = daily("BBB", b.slice(2), D0 + 2 * DAY);
  const table = returnsCorrelation([
    daily("AAA", a),
    {
      symbol: "BBB",
      candles: late.candles.filter((c) => c.openTime !== D0 + 10 * DAY),
    },
  ]);
  assert.equal(table.days, 26);
  assertNear(table.matrix[0]![1], 1);
});

Deno.test("returnsCorrelation gives null off the diagonal with fewer than minDays return days", () => {
  const closes = [daily("AAA", wave(1, 20)), daily("BBB", wave(-1, 20))];
  const table = returnsCorrelation(closes);
  assert.equal(table.days, 19);
  assert.deepEqual(table.matrix, [[1, null], [null, 1]]);
  const relaxed = returnsCorrelation(closes, { minDays: 19 });
  assertNear(relaxed.matrix[0]![1], -1);
});

Deno.test("returnsCorrelation collapses intraday candles to the last close of each UTC day", () => {
  const target = wave(1);
  // 4h candles: the day's last candle (20:00) closes at the daily value, the others are noise.
  const intraday: SymbolCloses = {
    symbol: "AAA",
    candles: target.flatMap((close, d) =>
      [0, 1, 2, 3, 4, 5].map((k) => ({
        openTime: D0 + d * DAY + k * 4 * HOUR,
        close: k === 5 ? close : 50 + ((d * 7 + k * 13) % 17),
      }))
    ),
  };
  const table = returnsCorrelation([intraday, daily("BBB", target)]);
  assert.equal(table.days, 24);
  assertNear(table.matrix[0]![1], 1);
});

Deno.test("returnsCorrelation rejects a symbol given twice", () => {
  assert.throws(
    () => returnsCorrelation([daily("AAA", [1, 2]), daily("AAA", [1, 2])]),
    {
      name: "RangeError",
      message:
        "Cannot compute correlation as 'closes' must have distinct symbols: current value has 'AAA' twice",
    },
  );
});

Deno.test("analyticsView composes monthly returns, the per-pair table and the correlation", () => {
  const view = analyticsView({
    points: [{ time: day(2024, 1, 31), equity: 1100 }],
    initialEquity: 1000,
    trades: [trade("BTCUSDT", -5)],
    closes: [daily("AAA", wave(1)), daily("BBB", wave(-1))],
  });
  assert.equal(view.monthly.length, 1);
  assertNear(view.monthly[0]!.returnPct, 10);
  assert.equal(view.perPair[0]!.profitFactor, 0);
  assertNear(view.correlation.matrix[1]![0], -1);
  assert.equal(view.correlation.days, 24);
});
