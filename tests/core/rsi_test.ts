/** Tests of Wilder's average and Wilder's RSI: hand-checked numbers, edge rules, batch vs incremental. */
import { strict as assert } from "node:assert";
import {
  rsiFromAverages,
  rsiSeries,
  RsiState,
  WilderAverage,
} from "../../core/rsi.ts";

function assertClose(actual: number, expected: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= 1e-12 * Math.max(1, Math.abs(expected)),
    `${what}: ${actual} !== ${expected}`,
  );
}

Deno.test("Wilder average is NaN until period inputs, then seeds with their mean and smooths with 1/period", () => {
  const average = new WilderAverage(3);
  assert.ok(Number.isNaN(average.update(3)));
  assert.ok(Number.isNaN(average.update(6)));
  assert.equal(average.ready, false);
  assert.equal(average.update(9), 6);
  assert.equal(average.ready, true);
  // 6 + (12 − 6)/3 = 8
  assert.equal(average.update(12), 8);
  average.reset();
  assert.equal(average.ready, false);
  assert.ok(Number.isNaN(average.value));
  assert.ok(Number.isNaN(average.update(1)));
});

Deno.test("RSI matches hand values with period 2: seed mean, then Wilder smoothing", () => {
  // Changes +1, +2, −1, 0, −2.
  // Bar 2: avg gain (1+2)/2 = 1.5, avg loss 0 -> 100.
  // Bar 3: gain 0.5·0 + 0.5·1.5 = 0.75, loss 0.5·1 = 0.5 -> RS 1.5 -> 100 − 100/2.5 = 60.
  // Bar 4: gain 0.375, loss 0.25 -> RS 1.5 -> 60.
  // Bar 5: gain 0.1875, loss 0.5·2 + 0.125 = 1.125 -> RS 1/6 -> 100 − 600/7 = 100/7.
  const rsi = rsiSeries(Float64Array.from([1, 2, 4, 3, 3, 1]), 2);
  assert.ok(Number.isNaN(rsi[0]!));
  assert.ok(Number.isNaN(rsi[1]!));
  assert.equal(rsi[2], 100);
  assert.equal(rsi[3], 60);
  assert.equal(rsi[4], 60);
  assertClose(rsi[5]!, 100 / 7, "bar 5");
});

Deno.test("RSI is first defined on bar period and seeds with the simple mean of the first changes", () => {
  // Period 3: changes +1, +1, +1 -> bar 3 gain 1, loss 0 -> 100;
  // bar 4 (change −1): gain 2/3, loss 1/3 -> RS 2 -> 200/3.
  const rsi = rsiSeries(Float64Array.from([10, 11, 12, 13, 12]), 3);
  assert.deepEqual(Array.from(rsi.subarray(0, 3), Number.isNaN), [
    true,
    true,
    true,
  ]);
  assert.equal(rsi[3], 100);
  assertClose(rsi[4]!, 200 / 3, "bar 4");
});

Deno.test("RSI is 100 with only gains, 0 with only losses and 50 on a flat market", () => {
  const gains = rsiSeries(Float64Array.from([1, 2, 3, 4, 5, 6]), 3);
  const losses = rsiSeries(Float64Array.from([6, 5, 4, 3, 2, 1]), 3);
  const flat = rsiSeries(Float64Array.from([7, 7, 7, 7, 7, 7]), 3);
  assert.deepEqual(Array.from(gains.subarray(3)), [100, 100, 100]);
  assert.deepEqual(Array.from(losses.subarray(3)), [0, 0, 0]);
  assert.deepEqual(Array.from(flat.subarray(3)), [50, 50, 50]);
});

Deno.test("RSI from averages applies the zero-loss rules", () => {
  assert.equal(rsiFromAverages(2, 0), 100);
  assert.equal(rsiFromAverages(0, 0), 50);
  assert.equal(rsiFromAverages(0, 2), 0);
  assert.equal(rsiFromAverages(3, 1), 75);
  assert.ok(Number.isNaN(rsiFromAverages(NaN, NaN)));
});

Deno.test("RSI state equals the batch bar by bar and starts over after reset", () => {
  const close = Float64Array.from(
    { length: 300 },
    (_, i) => 100 + 10 * Math.sin(i / 7) + (i % 5),
  );
  const batch = rsiSeries(close, 14);
  const state = new RsiState(14);
  for (let pass = 0; pass < 2; pass++) {
    for (let t = 0; t < close.length; t++) {
      assert.ok(Object.is(state.update(close[t]!), batch[t]!), `bar ${t}`);
      assert.equal(state.ready, t >= 14);
    }
    state.reset();
    assert.ok(Number.isNaN(state.value));
  }
});

Deno.test("RSI rejects a period that is not a positive integer", () => {
  assert.throws(() => rsiSeries(new Float64Array(3), 0), {
    name: "RangeError",
    message:
      "Cannot compute RSI as 'period' must be an integer of at least 1: current value is 0",
  });
  assert.throws(() => new RsiState(2.5), {
    name: "RangeError",
    message:
      "Cannot compute RSI as 'period' must be an integer of at least 1: current value is 2.5",
  });
});
