/** Tests of Wilder's ADX: hand-checked numbers on a short series, edge rules, batch vs incremental. */
import { strict as assert } from "node:assert";
import { adxSeries, AdxState } from "../../core/adx.ts";

function assertClose(actual: number, expected: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= 1e-12 * Math.max(1, Math.abs(expected)),
    `${what}: ${actual} !== ${expected}`,
  );
}

/**
 * Six bars, period 2 (α = 1/2):
 *
 * | bar | H  | L  | C  | up | down | +DM | −DM | TR |
 * | 0   | 10 | 8  | 9  |    |      |     |     |    |
 * | 1   | 12 | 9  | 11 | 2  | −1   | 2   | 0   | 3  |
 * | 2   | 13 | 10 | 12 | 1  | −1   | 1   | 0   | 3  |
 * | 3   | 12 | 8  | 9  | −1 | 2    | 0   | 2   | 4  |
 * | 4   | 11 | 7  | 8  | −1 | 1    | 0   | 1   | 4  |
 * | 5   | 14 | 9  | 13 | 3  | −2   | 3   | 0   | 6  |
 *
 * Bar 2: RMA(TR) = 3, RMA(+DM) = 1.5, RMA(−DM) = 0 -> +DI 50, −DI 0, DX 100.
 * Bar 3: RMA(TR) = 3.5, RMA(+DM) = 0.75, RMA(−DM) = 1 -> +DI 150/7, −DI 200/7, DX 100/7;
 *        ADX = mean(100, 100/7) = 400/7.
 * Bar 4: RMA(TR) = 3.75, RMA(+DM) = 0.375, RMA(−DM) = 1 -> DX 500/11; ADX = 3950/77.
 * Bar 5: RMA(TR) = 4.875, RMA(+DM) = 1.6875, RMA(−DM) = 0.5 -> DX 380/7; ADX = 4065/77.
 */
const HAND = {
  high: Float64Array.from([10, 12, 13, 12, 11, 14]),
  low: Float64Array.from([8, 9, 10, 8, 7, 9]),
  close: Float64Array.from([9, 11, 12, 9, 8, 13]),
};

Deno.test("ADX matches hand-computed values on a six-bar series with period 2", () => {
  const adx = adxSeries(HAND, 2);
  assert.ok(Number.isNaN(adx[0]!));
  assert.ok(Number.isNaN(adx[1]!));
  assert.ok(Number.isNaN(adx[2]!));
  assertClose(adx[3]!, 400 / 7, "bar 3");
  assertClose(adx[4]!, 3950 / 77, "bar 4");
  assertClose(adx[5]!, 4065 / 77, "bar 5");
});

Deno.test("ADX state exposes the directional indicators once period bars have changes", () => {
  const state = new AdxState(2);
  state.update(10, 8, 9);
  state.update(12, 9, 11);
  assert.ok(Number.isNaN(state.plusDi));
  state.update(13, 10, 12);
  assert.equal(state.plusDi, 50);
  assert.equal(state.minusDi, 0);
  assert.equal(state.ready, false);
  state.update(12, 8, 9);
  assertClose(state.plusDi, 150 / 7, "+DI");
  assertClose(state.minusDi, 200 / 7, "−DI");
  assert.equal(state.ready, true);
});

Deno.test("ADX is 0, not NaN, when the bars never move", () => {
  const n = 8;
  const flat = new Float64Array(n).fill(5);
  const adx = adxSeries({ high: flat, low: flat, close: flat }, 3);
  assert.equal(adx.filter(Number.isNaN).length, 5);
  assert.deepEqual(Array.from(adx.subarray(5)), [0, 0, 0]);
});

Deno.test("ADX state equals the batch bar by bar and starts over after reset", () => {
  const n = 400;
  const close = Float64Array.from(
    { length: n },
    (_, i) => 100 + 8 * Math.sin(i / 11) + 3 * Math.cos(i / 3),
  );
  const high = close.map((c, i) => c + 1 + (i % 4) / 3);
  const low = close.map((c, i) => c - 1 - (i % 5) / 4);
  const batch = adxSeries({ high, low, close }, 14);
  const state = new AdxState(14);
  for (let pass = 0; pass < 2; pass++) {
    for (let t = 0; t < n; t++) {
      const value = state.update(high[t]!, low[t]!, close[t]!);
      assert.ok(Object.is(value, batch[t]!), `bar ${t}`);
      assert.equal(state.ready, t >= 27);
    }
    state.reset();
    assert.ok(Number.isNaN(state.value));
  }
});

Deno.test("ADX rejects a bad period and columns of different lengths", () => {
  assert.throws(() => adxSeries(HAND, 0), {
    name: "RangeError",
    message:
      "Cannot compute ADX as 'period' must be an integer of at least 1: current value is 0",
  });
  assert.throws(
    () => adxSeries({ ...HAND, close: new Float64Array(4) }, 2),
    {
      name: "RangeError",
      message:
        "Cannot compute ADX as 'low' and 'close' must have the length of 'high' (6): current value is 6 and 4",
    },
  );
});
