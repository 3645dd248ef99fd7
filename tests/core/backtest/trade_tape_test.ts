/** Tests of trade tapes and the optimizer's metrics of a selection of trades. */
import { strict as assert } from "node:assert";
import { sharpeRatio } from "../../../core/backtest/metrics_equity.ts";
import {
  compositeScore,
  DEFAULT_SCORE_WEIGHTS,
} from "../../../core/backtest/metrics_score.ts";
import {
  mergeTapes,
  selectedIndices,
  selectionMetrics,
  TapeScratch,
  type TradeTape,
} from "../../../core/backtest/trade_tape.ts";

const DAY = 86_400_000;
const D0 = Date.UTC(2024, 0, 1);

function tape(
  rows: readonly { day: number; ret: number; tp: number; regime?: number }[],
): TradeTape {
  return {
    count: rows.length,
    signalTime: Float64Array.from(rows, (r) => D0 + r.day * DAY),
    exitTime: Float64Array.from(rows, (r) => D0 + r.day * DAY + 3_600_000),
    ret: Float64Array.from(rows, (r) => r.ret),
    tpHits: Uint8Array.from(rows, (r) => r.tp),
    regime: Uint8Array.from(rows, (r) => r.regime ?? 1),
  };
}

const THREE = tape([
  { day: 0, ret: 0.1, tp: 3 },
  { day: 1, ret: -0.2, tp: 0, regime: 2 },
  { day: 2, ret: 0.05, tp: 1 },
]);

Deno.test("a selection compounds its trades on their exit days: return, drawdown, currency profit factor, TP1 rate", () => {
  const m = selectionMetrics(
    THREE,
    { from: D0, to: D0 + 5 * DAY, regime: -1 },
    DEFAULT_SCORE_WEIGHTS,
    new TapeScratch(),
  );
  // Equity 1 → 1.1 → 0.88 → 0.924; gains 0.1 + 0.044, losses 0.22.
  assert.equal(m.totalTrades, 3);
  assert.ok(Math.abs(m.totalReturnPct - -7.6) < 1e-12);
  assert.ok(Math.abs(m.maxDrawdownPct - 20) < 1e-12);
  assert.ok(Math.abs(m.profitFactor - 0.144 / 0.22) < 1e-12);
  assert.ok(Math.abs(m.winRateTp[0] - 200 / 3) < 1e-12);
  // Sharpe over the 5 days of the range, flat days included.
  const daily = Float64Array.from([0.1, -0.2, 0.05, 0, 0]);
  assert.ok(Math.abs(m.sharpe - sharpeRatio(daily)) < 1e-12);
  assert.equal(m.score, compositeScore(m).score);
});

Deno.test("a selection keeps only its signal range and regime", () => {
  const scratch = new TapeScratch();
  const weights = DEFAULT_SCORE_WEIGHTS;
  const normal = selectionMetrics(
    THREE,
    { from: D0, to: D0 + 5 * DAY, regime: 1 },
    weights,
    scratch,
  );
  assert.equal(normal.totalTrades, 2);
  assert.ok(Math.abs(normal.totalReturnPct - (1.1 * 1.05 - 1) * 100) < 1e-9);
  const late = selectionMetrics(
    THREE,
    { from: D0 + DAY, to: D0 + 2 * DAY, regime: -1 },
    weights,
    scratch,
  );
  assert.equal(late.totalTrades, 1);
  assert.ok(Math.abs(late.totalReturnPct - -20) < 1e-9);
  assert.deepEqual(
    selectedIndices(THREE, { from: D0, to: D0 + 9 * DAY, regime: 2 }),
    [1],
  );
  const none = selectionMetrics(
    THREE,
    { from: D0 + 3 * DAY, to: D0 + 9 * DAY, regime: -1 },
    weights,
    scratch,
  );
  assert.equal(none.totalTrades, 0);
  assert.equal(none.score, 0);
});

Deno.test("merged tapes are in signal order and score like the trades they hold", () => {
  const a = tape([{ day: 0, ret: 0.1, tp: 1 }, { day: 4, ret: 0.02, tp: 1 }]);
  const b = tape([{ day: 2, ret: -0.05, tp: 0 }]);
  const merged = mergeTapes([
    { tape: a, indices: [0, 1] },
    { tape: b, indices: [0] },
  ]);
  assert.deepEqual(Array.from(merged.ret), [0.1, -0.05, 0.02]);
  const m = selectionMetrics(
    merged,
    { from: D0, to: D0 + 5 * DAY, regime: -1 },
    DEFAULT_SCORE_WEIGHTS,
    new TapeScratch(),
  );
  assert.ok(Math.abs(m.totalReturnPct - (1.1 * 0.95 * 1.02 - 1) * 100) < 1e-9);
});
