/** Tests of the trade-list metrics on hand-made trades with hand-checked figures. */
import { strict as assert } from "node:assert";
import {
  type MetricsTrade,
  profitFactor,
  tradeMetrics,
} from "../../../core/backtest/metrics_trades.ts";

function trade(fields: Partial<MetricsTrade>): MetricsTrade {
  return {
    side: "LONG",
    exitTime: 0,
    exitReason: "stop",
    tpHits: 0,
    pnlQuote: 0,
    pnlPct: 0,
    feesQuote: 0,
    fundingQuote: 0,
    barsHeld: 1,
    sameBarDecided: 0,
    ...fields,
  };
}

function close(actual: number, expected: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)),
    `${what}: ${actual} is not ${expected}`,
  );
}

// Five trades, given out of exit order. In exit order the net PnLs are +100, +200, −50, 0, −150.
const T1 = trade({
  side: "LONG",
  exitTime: 1,
  exitReason: "trailing-stop",
  tpHits: 3,
  pnlQuote: 100,
  pnlPct: 5,
  feesQuote: 2,
  fundingQuote: 0.5,
  barsHeld: 10,
  sameBarDecided: 1,
});
const T2 = trade({
  side: "LONG",
  exitTime: 2,
  exitReason: "tp6",
  tpHits: 6,
  pnlQuote: 200,
  pnlPct: 10,
  feesQuote: 3,
  fundingQuote: 1,
  barsHeld: 20,
  sameBarDecided: 2,
});
const T3 = trade({
  side: "SHORT",
  exitTime: 3,
  exitReason: "stop",
  pnlQuote: -50,
  pnlPct: -2.5,
  feesQuote: 1,
  fundingQuote: 0.25,
  barsHeld: 4,
});
const T4 = trade({
  side: "LONG",
  exitTime: 4,
  exitReason: "end-of-data",
  pnlQuote: 0,
  pnlPct: 0,
  feesQuote: 0.5,
  barsHeld: 2,
});
const T5 = trade({
  side: "SHORT",
  exitTime: 5,
  exitReason: "stop",
  tpHits: 1,
  pnlQuote: -150,
  pnlPct: -7.5,
  feesQuote: 1.5,
  fundingQuote: 0.25,
  barsHeld: 4,
});
const FIVE = [T5, T3, T1, T4, T2];

Deno.test("trade metrics count wins, losses and breakevens by net PnL", () => {
  const m = tradeMetrics(FIVE);
  assert.equal(m.totalTrades, 5);
  assert.equal(m.wins, 2);
  assert.equal(m.losses, 2);
  assert.equal(m.breakevens, 1);
  assert.equal(m.winRate, 40); // 2 of 5
});

Deno.test("WinRate TPk counts trades reaching TPk over all trades of every exit type", () => {
  // tpHits 3, 6, 0, 0, 1: ≥1 → 3 trades, ≥2 → 2, ≥3 → 2, ≥4..6 → 1 (the tp6 trade).
  assert.deepEqual(tradeMetrics(FIVE).winRateTp, [60, 40, 40, 20, 20, 20]);
});

Deno.test("trade metrics sum profit and loss in currency and take the profit factor in currency", () => {
  const m = tradeMetrics(FIVE);
  assert.equal(m.netProfitQuote, 100); // 100 + 200 − 50 + 0 − 150
  assert.equal(m.grossProfitQuote, 300);
  assert.equal(m.grossLossQuote, 200);
  assert.equal(m.profitFactor, 1.5); // 300 / 200
  assert.equal(m.expectancyQuote, 20); // 100 / 5
  assert.equal(m.expectancyPct, 1); // (5 + 10 − 2.5 + 0 − 7.5) / 5
});

Deno.test("average and largest wins and losses ignore breakevens", () => {
  const m = tradeMetrics(FIVE);
  assert.equal(m.avgWinPct, 7.5); // (5 + 10) / 2
  assert.equal(m.avgLossPct, -5); // (−2.5 − 7.5) / 2
  assert.equal(m.largestWinQuote, 200);
  assert.equal(m.largestLossQuote, -150);
  assert.equal(m.largestWinPct, 10);
  assert.equal(m.largestLossPct, -7.5);
});

Deno.test("streaks follow exit time and a breakeven ends a losing run", () => {
  const m = tradeMetrics(FIVE);
  // Exit order: +100, +200, −50, 0, −150. Counting the 0 as a loss would give 3.
  assert.equal(m.maxConsecutiveWins, 2);
  assert.equal(m.maxConsecutiveLosses, 1);
  const losing = [
    trade({ exitTime: 3, pnlQuote: -1 }),
    trade({ exitTime: 1, pnlQuote: -1 }),
    trade({ exitTime: 2, pnlQuote: -1 }),
    trade({ exitTime: 4, pnlQuote: 5 }),
  ];
  assert.equal(tradeMetrics(losing).maxConsecutiveLosses, 3);
  assert.equal(tradeMetrics(losing).maxConsecutiveWins, 1);
});

Deno.test("trade metrics total costs, bars held, exit reasons and same-bar decisions", () => {
  const m = tradeMetrics(FIVE);
  close(m.feesQuote, 8, "fees"); // 2 + 3 + 1 + 0.5 + 1.5
  close(m.fundingQuote, 2, "funding"); // 0.5 + 1 + 0.25 + 0 + 0.25
  assert.equal(m.avgBarsHeld, 8); // (10 + 20 + 4 + 2 + 4) / 5
  assert.deepEqual(m.exitReasons, {
    "stop": 2,
    "trailing-stop": 1,
    "end-of-data": 1,
    "tp6": 1,
  });
  assert.equal(m.sameBarDecidedBars, 3);
});

Deno.test("trade metrics split longs and shorts", () => {
  const m = tradeMetrics(FIVE);
  assert.equal(m.long.trades, 3);
  close(m.long.winRate, 200 / 3, "long win rate"); // 2 of 3
  assert.equal(m.long.netProfitQuote, 300);
  assert.deepEqual(m.short, { trades: 2, winRate: 0, netProfitQuote: -200 });
});

Deno.test("trade metrics are all zero without trades", () => {
  const m = tradeMetrics([]);
  assert.equal(m.totalTrades, 0);
  assert.equal(m.winRate, 0);
  assert.deepEqual(m.winRateTp, [0, 0, 0, 0, 0, 0]);
  assert.equal(m.profitFactor, 0);
  assert.equal(m.expectancyQuote, 0);
  assert.equal(m.expectancyPct, 0);
  assert.equal(m.avgWinPct, 0);
  assert.equal(m.avgLossPct, 0);
  assert.equal(m.avgBarsHeld, 0);
  assert.equal(m.maxConsecutiveWins, 0);
  assert.deepEqual(m.exitReasons, {});
  assert.deepEqual(m.long, { trades: 0, winRate: 0, netProfitQuote: 0 });
});

Deno.test("profit factor is Infinity with profit and no loss, 0 with neither", () => {
  const winners = [
    trade({ pnlQuote: 10, pnlPct: 1 }),
    trade({ pnlQuote: 0 }),
  ];
  assert.equal(tradeMetrics(winners).profitFactor, Infinity);
  assert.equal(tradeMetrics([trade({ pnlQuote: 0 })]).profitFactor, 0);
  assert.equal(profitFactor(0, 0), 0);
  assert.equal(profitFactor(0, 10), 0);
  assert.equal(profitFactor(30, 10), 3);
});

Deno.test("trade metrics refuse tpHits outside 0..6 and a non-finite PnL", () => {
  assert.throws(
    () => tradeMetrics([T1, trade({ tpHits: 7 })]),
    {
      name: "RangeError",
      message:
        "Cannot compute metrics as 'trades[1].tpHits' must be an integer from 0 to 6: current value is 7",
    },
  );
  assert.throws(
    () => tradeMetrics([trade({ pnlQuote: NaN })]),
    {
      name: "RangeError",
      message:
        "Cannot compute metrics as 'trades[0].pnlQuote' must be a finite number: current value is NaN",
    },
  );
  assert.throws(
    () => tradeMetrics([trade({ pnlPct: Infinity })]),
    {
      name: "RangeError",
      message:
        "Cannot compute metrics as 'trades[0].pnlPct' must be a finite number: current value is Infinity",
    },
  );
});
