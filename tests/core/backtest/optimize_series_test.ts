/** Tests of one series' optimization: out-of-sample robustness, regimes, fallback and gates. */
import { strict as assert } from "node:assert";
import {
  optimizeSeries,
  outOfSampleRobustness,
} from "../../../core/backtest/optimize_series.ts";
import { DEFAULT_OPTIMIZER_SETTINGS } from "../../../core/backtest/optimizer_settings.ts";
import {
  TapeScratch,
  type TradeTape,
} from "../../../core/backtest/trade_tape.ts";
import { loadCandles } from "../../../data/candle_loader.ts";
import { seriesJob } from "../../fakes/series_job.ts";
import { NEEDS_SHARED, SHARED_DATA, sharedFile } from "../../shared_data.ts";

const DAY = 86_400_000;
const D0 = Date.UTC(2024, 0, 1);

/** A tape of daily trades on days [from, to), each returning `ret` and hitting TP1. */
function tape(
  from: number,
  to: number,
  ret: (day: number) => number,
): TradeTape {
  const days = Array.from({ length: to - from }, (_, i) => from + i);
  return {
    count: days.length,
    signalTime: Float64Array.from(days, (d) => D0 + d * DAY),
    exitTime: Float64Array.from(days, (d) => D0 + d * DAY + 3_600_000),
    ret: Float64Array.from(days, (d) => ret(d)),
    tpHits: new Uint8Array(days.length).fill(1),
    regime: new Uint8Array(days.length).fill(1),
  };
}

Deno.test("robustness scores neighbours only on out-of-sample bars: in-sample trades change nothing", () => {
  const oos = { from: D0 + 100 * DAY, to: D0 + 200 * DAY, regime: -1 };
  const options = {
    selection: oos,
    settings: DEFAULT_OPTIMIZER_SETTINGS,
    scratch: new TapeScratch(),
  };
  const base = tape(100, 200, (d) => (d % 3 === 0 ? -0.004 : 0.006));
  const outOfSampleOnly = Array.from(
    { length: 242 },
    (_, k) => tape(100, 200, (d) => (d % 3 === 0 ? -0.004 : 0.006 - k * 1e-5)),
  );
  // The same neighbours with wildly different trades before and after the range.
  const withInSample = Array.from(
    { length: 242 },
    (_, k) =>
      tape(
        0,
        260,
        (d) =>
          d >= 100 && d < 200
            ? (d % 3 === 0 ? -0.004 : 0.006 - k * 1e-5)
            : (k % 2 === 0 ? -0.05 : 0.08),
      ),
  );
  const a = outOfSampleRobustness(base, outOfSampleOnly, options);
  const b = outOfSampleRobustness(base, withInSample, options);
  assert.deepEqual(b, a);
  assert.equal(a.neighbours, 242);
  assert.equal(a.valid, 242);
  assert.ok(a.score > 80, String(a.score));
  // Degrading the out-of-sample trades does change it.
  const worse = outOfSampleOnly.map((t, k) =>
    k < 121 ? tape(100, 200, () => -0.002) : t
  );
  assert.ok(outOfSampleRobustness(base, worse, options).score < a.score);
});

Deno.test({
  name:
    "a real series gets a walk-forward per regime, out-of-sample pooled trades, robustness, Monte Carlo and gates" +
    NEEDS_SHARED,
  ignore: SHARED_DATA === undefined,
  fn() {
    const candles = loadCandles(sharedFile("BTCUSDT-2h.csv.gz"));
    const result = optimizeSeries(candles, seriesJob("BTCUSDT", "2h"));
    assert.ok(result.windows.length >= 4);
    const [all, ...regimes] = result.scopes;
    assert.equal(all.scope, "all");
    assert.deepEqual(regimes.map((r) => r.scope), ["low", "normal", "high"]);
    assert.ok(all.chosen >= 0 && all.chosen < 60);
    // Pooled trades are out of sample: signal bars inside the test months only.
    const { from, to } = all.walkForward.oos;
    assert.equal(from, result.windows[0]!.testStart);
    for (const t of all.trades) {
      const signal = t.entryTime - 2 * 3_600_000;
      assert.ok(signal >= from && signal < to, t.id);
    }
    assert.equal(all.trades.length, all.metrics.totalTrades);
    // A regime scope uses only its regime's trades, or falls back and says so.
    for (const r of regimes) {
      if (r.fallback === "") {
        assert.ok(r.trades.every((t) => t.regime === r.scope));
        assert.ok(
          r.metrics.totalTrades >= DEFAULT_OPTIMIZER_SETTINGS.regimeMinTrades,
        );
        assert.ok(r.robustness !== undefined);
      } else {
        assert.match(r.fallback, /uses the series' overall choice/);
        assert.equal(r.chosen, all.chosen);
        assert.deepEqual(r.metrics, all.metrics);
      }
    }
    assert.ok(all.robustness !== undefined);
    assert.equal(all.robustness.neighbours, 242);
    assert.ok(all.monteCarlo !== undefined);
    assert.equal(all.monteCarlo.runs, 1000);
    assert.equal(
      all.active,
      all.gates.every((g) => g.passed || g.severity === "warning"),
    );
    // Deterministic: the same job gives the same result.
    assert.deepEqual(
      optimizeSeries(candles, seriesJob("BTCUSDT", "2h")),
      result,
    );
  },
});
