/** Tests of `computeMetrics`: trade and equity metrics of one run in one record. */
import { strict as assert } from "node:assert";
import {
  acceptance,
  compositeScore,
  computeMetrics,
  type EquityPoint,
  isAccepted,
  type RunFacts,
  type TradeRecord,
} from "../../../core/backtest/metrics.ts";

const DAY = 86_400_000;
const JAN_1 = Date.UTC(2024, 0, 1);

function record(
  id: string,
  fields: Pick<TradeRecord, "side" | "pnlQuote" | "tpHits" | "exitReason">,
  exitDay: number,
): TradeRecord {
  return {
    id,
    seriesKey: "BTCUSDT:1h",
    symbol: "BTCUSDT",
    timeframe: "1h",
    entryTime: JAN_1 + (exitDay - 1) * DAY,
    entryPrice: 100,
    exitTime: JAN_1 + exitDay * DAY,
    exitPrice: 100 + fields.pnlQuote / 10,
    pnlPct: fields.pnlQuote / 10, // notional 1000
    feesQuote: 1,
    fundingQuote: 0.1,
    notional: 1000,
    barsHeld: 24,
    sameBarDecided: fields.exitReason === "breakeven" ? 1 : 0,
    regime: "normal",
    presetHash: "abc",
    ...fields,
  };
}

// Three trades on a 1000 account: +30 (day 1), −20 (day 2), +10 (day 3, TP1 then breakeven).
const TRADES: TradeRecord[] = [
  record("a", { side: "LONG", pnlQuote: 30, tpHits: 3, exitReason: "tp" }, 1),
  record(
    "b",
    { side: "SHORT", pnlQuote: -20, tpHits: 0, exitReason: "stop" },
    2,
  ),
  record("c", {
    side: "LONG",
    pnlQuote: 10,
    tpHits: 1,
    exitReason: "breakeven",
  }, 3),
];
const EQUITY: EquityPoint[] = [
  { time: JAN_1, equity: 1030 },
  { time: JAN_1 + DAY, equity: 1010 },
  { time: JAN_1 + 2 * DAY, equity: 1020 },
];
const FACTS: RunFacts = {
  initialEquity: 1000,
  startTime: JAN_1 + 3_600_000,
  endTime: JAN_1 + 3 * DAY,
  bars: 72,
  barsInPosition: 72,
  sameBarDecided: 1,
};

Deno.test("computeMetrics merges the trade and the equity metrics of a run", () => {
  const m = computeMetrics(TRADES, { equity: EQUITY, facts: FACTS });
  assert.equal(m.totalTrades, 3);
  assert.equal(m.netProfitQuote, 20);
  assert.equal(m.profitFactor, 2); // 40 / 20
  assert.deepEqual(m.winRateTp, [200 / 3, 100 / 3, 100 / 3, 0, 0, 0]);
  assert.deepEqual(m.exitReasons, { tp: 1, stop: 1, breakeven: 1 });
  assert.equal(m.sameBarDecidedBars, 1);
  assert.equal(m.finalEquity, 1020);
  assert.ok(Math.abs(m.totalReturnPct - 2) < 1e-12); // 1020 / 1000 − 1
  // 1030 → 1010 is the deepest fall: 20 / 1030 = 1.94 %, not recovered by 1020.
  assert.ok(Math.abs(m.maxDrawdownPct - (20 / 1030) * 100) < 1e-12);
  assert.equal(m.maxDrawdown?.recoveryTime, undefined);
  assert.equal(m.maxDrawdown?.durationMs, 2 * DAY);
  assert.equal(m.exposurePct, 100);
  assert.deepEqual(m.monthlyReturns.map((r) => r.month), ["2024-01"]);
});

Deno.test("computeMetrics output feeds the score and the acceptance rules", () => {
  const m = computeMetrics(TRADES, { equity: EQUITY, facts: FACTS });
  const score = compositeScore(m);
  assert.equal(score.profitFactor, 50); // (2 − 1) / 2 · 100
  assert.ok(Math.abs(score.winRateTp1 - 41.6666666666667) < 1e-9); // (66.67 − 50) / 40 · 100
  const checks = acceptance(m);
  assert.equal(checks.find((c) => c.rule === "min-trades")?.passed, false);
  assert.equal(isAccepted(checks), false);
});

Deno.test("computeMetrics of an empty run is all zeros", () => {
  const m = computeMetrics([], {
    equity: [],
    facts: { initialEquity: 1000, bars: 0, barsInPosition: 0 },
  });
  assert.equal(m.totalTrades, 0);
  assert.equal(m.profitFactor, 0);
  assert.equal(m.totalReturnPct, 0);
  assert.equal(m.sharpe, 0);
  assert.equal(m.maxDrawdownPct, 0);
  assert.equal(m.cagrPct, undefined);
  assert.equal(compositeScore(m).drawdown, 100);
});
