/** Tests of the volatility regime: thresholds, the baseline window, statistics, batch vs incremental. */
import { strict as assert } from "node:assert";
import { atrSeries, AtrState } from "../../core/atr.ts";
import {
  classifyRatio,
  DEFAULT_REGIME_SETTINGS,
  REGIME_CODES,
  regimeSeries,
  regimeStats,
  RegimeTracker,
} from "../../core/regime.ts";
import { REGIMES } from "../../core/types.ts";
import { loadCandles } from "../../data/candle_loader.ts";
import {
  FIXTURES,
  NEEDS_SHARED,
  SHARED_DATA,
  sharedFile,
} from "../shared_data.ts";

const SMALL = { baselineBars: 3, lowBelow: 0.7, highAbove: 1.3 };

Deno.test("regime thresholds are strict: 0.7 and 1.3 are normal, 0.69 low, 1.31 high", () => {
  assert.equal(classifyRatio(0.69), "low");
  assert.equal(classifyRatio(0.7), "normal");
  assert.equal(classifyRatio(1), "normal");
  assert.equal(classifyRatio(1.3), "normal");
  assert.equal(classifyRatio(1.31), "high");
  assert.equal(classifyRatio(NaN), "normal");
  assert.equal(classifyRatio(0.85, { lowBelow: 0.9, highAbove: 1.1 }), "low");
});

Deno.test("regime codes map to the shared regime names", () => {
  for (const regime of REGIMES) {
    assert.equal(REGIMES[REGIME_CODES[regime]], regime);
  }
  assert.deepEqual(DEFAULT_REGIME_SETTINGS, {
    baselineBars: 100,
    lowBelow: 0.7,
    highAbove: 1.3,
  });
});

Deno.test("regime ratio divides ATR by the mean of the window ending at the bar", () => {
  // Window 3. Bar 3: mean(1, 1, 1) = 1 -> 1. Bar 4: 2 / mean(1, 1, 2) = 1.5 -> high.
  // Bar 5: 0.5 / mean(1, 2, 0.5) = 3/7 -> low. Bar 6: 1.3 / mean(2, 0.5, 1.3) = 3.9/3.8 -> normal.
  const atr = Float64Array.from([NaN, 1, 1, 1, 2, 0.5, 1.3]);
  const { codes, ratio } = regimeSeries(atr, SMALL);
  assert.deepEqual(Array.from(ratio.subarray(0, 3), Number.isNaN), [
    true,
    true,
    true,
  ]);
  assert.equal(ratio[3], 1);
  assert.equal(ratio[4], 1.5);
  assert.ok(Math.abs(ratio[5]! - 3 / 7) < 1e-14);
  assert.ok(Math.abs(ratio[6]! - 3.9 / 3.8) < 1e-14);
  assert.deepEqual(Array.from(codes), [1, 1, 1, 1, 2, 0, 1]);
});

Deno.test("regime is normal until the window holds baselineBars defined ATR values, and a NaN restarts it", () => {
  const atr = Float64Array.from([1, 1, NaN, 3, 3, 0.1, 0.1]);
  const { codes, ratio } = regimeSeries(atr, SMALL);
  assert.deepEqual(Array.from(ratio, Number.isNaN), [
    true,
    true,
    true,
    true,
    true,
    false,
    false,
  ]);
  // Bar 5: 0.1 / mean(3, 3, 0.1) = 0.3/6.1 -> low.
  assert.deepEqual(Array.from(codes), [1, 1, 1, 1, 1, 0, 0]);
});

Deno.test("regime ratio is 1 when the baseline is 0", () => {
  const { codes, ratio } = regimeSeries(new Float64Array(5), SMALL);
  assert.deepEqual(Array.from(ratio.subarray(2)), [1, 1, 1]);
  assert.deepEqual(Array.from(codes), [1, 1, 1, 1, 1]);
});

Deno.test("regime statistics count shares, changes and the mean duration", () => {
  const stats = regimeStats(Uint8Array.from([1, 1, 0, 0, 0, 2, 1, 1, 1, 1]));
  assert.deepEqual(stats, {
    share: { low: 30, normal: 60, high: 10 },
    changes: 3,
    meanDurationBars: 2.5,
  });
  assert.deepEqual(regimeStats(new Uint8Array(0)), {
    share: { low: 0, normal: 0, high: 0 },
    changes: 0,
    meanDurationBars: 0,
  });
  assert.throws(() => regimeStats(Uint8Array.from([1, 3])), {
    name: "RangeError",
    message:
      "Cannot compute regime statistics as 'codes' must hold 0, 1 or 2: current value is 3 at bar 1",
  });
});

Deno.test("regime settings are checked", () => {
  assert.throws(
    () => regimeSeries(new Float64Array(3), { ...SMALL, baselineBars: 0 }),
    {
      name: "RangeError",
      message:
        "Cannot classify regimes as 'baselineBars' must be an integer of at least 1: current value is 0",
    },
  );
  assert.throws(() => new RegimeTracker({ ...SMALL, lowBelow: 1.5 }), {
    name: "RangeError",
    message:
      "Cannot classify regimes as 'lowBelow' must be at most 'highAbove' (1.3): current value is 1.5",
  });
  assert.throws(() => new RegimeTracker({ ...SMALL, highAbove: NaN }), {
    name: "RangeError",
    message:
      "Cannot classify regimes as 'lowBelow' and 'highAbove' must be finite numbers: current value is 0.7 and NaN",
  });
});

/** Tracker vs batch: identical ratios and regimes; returns the batch codes. */
function compareTracker(
  atr: Float64Array,
  settings = DEFAULT_REGIME_SETTINGS,
): Uint8Array {
  const { codes, ratio } = regimeSeries(atr, settings);
  const tracker = new RegimeTracker(settings);
  for (let t = 0; t < atr.length; t++) {
    const regime = tracker.update(atr[t]!);
    if (!Object.is(tracker.ratio, ratio[t]!)) {
      assert.fail(`ratio differs at bar ${t}: ${tracker.ratio} vs ${ratio[t]}`);
    }
    if (regime !== REGIMES[codes[t]!] || tracker.code !== codes[t]) {
      assert.fail(`regime differs at bar ${t}`);
    }
    if (tracker.ready === Number.isNaN(ratio[t]!)) {
      assert.fail(`readiness differs at bar ${t}`);
    }
  }
  return codes;
}

Deno.test("regime tracker equals the batch on a hand series and starts over after reset", () => {
  const atr = Float64Array.from([NaN, 1, 1, 1, 2, 0.5, 1.3, NaN, 2, 2, 2, 9]);
  compareTracker(atr, SMALL);
  const tracker = new RegimeTracker(SMALL);
  for (const value of atr) tracker.update(value);
  assert.equal(tracker.regime, "high");
  tracker.reset();
  assert.equal(tracker.ready, false);
  assert.equal(tracker.regime, "normal");
  assert.equal(tracker.update(1), "normal");
  assert.ok(Number.isNaN(tracker.ratio));
});

Deno.test("regime tracker equals the batch bar by bar on bundled BTCUSDT-1h candles", () => {
  const c = loadCandles(FIXTURES + "BTCUSDT-1h.csv.gz");
  const codes = compareTracker(atrSeries(c, { semantics: "pine" }));
  const { share } = regimeStats(codes);
  assert.ok(share.low > 0 && share.high > 0 && share.normal > 0);
});

Deno.test({
  name:
    `regime tracker fed by the incremental ATR equals the batch on BTCUSDT-1h${NEEDS_SHARED}`,
  ignore: SHARED_DATA === undefined,
  fn() {
    const c = loadCandles(sharedFile("BTCUSDT-1h.csv.gz"));
    const atrState = new AtrState("pine");
    const atr = c.close.map((_, t) =>
      atrState.update(c.high[t]!, c.low[t]!, c.close[t]!)
    );
    const codes = compareTracker(atr);
    assert.equal(codes.subarray(0, 112).every((code) => code === 1), true);
    const { share, changes, meanDurationBars } = regimeStats(codes);
    assert.ok(Math.abs(share.low + share.normal + share.high - 100) < 1e-9);
    assert.ok(share.low > 0 && share.high > 0);
    assert.equal(meanDurationBars, codes.length / (changes + 1));
  },
});
