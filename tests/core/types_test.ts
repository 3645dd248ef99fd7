/** Tests of the shared types' helpers. */
import { strict as assert } from "node:assert";
import { candleAt, timeframeMs } from "../../core/types.ts";

Deno.test("timeframeMs reads minutes, hours and days and refuses anything else", () => {
  assert.equal(timeframeMs("30m"), 1_800_000);
  assert.equal(timeframeMs("1h"), 3_600_000);
  assert.equal(timeframeMs("2h"), 7_200_000);
  assert.equal(timeframeMs("1d"), 86_400_000);
  assert.throws(() => timeframeMs("1w"), {
    name: "RangeError",
    message:
      "Cannot read timeframe as it must look like '30m', '1h' or '1d': current value is '1w'",
  });
});

Deno.test("candleAt returns the row as a plain record and refuses an index outside the series", () => {
  const columns = {
    openTime: Float64Array.of(0, 60_000),
    open: Float64Array.of(1, 2),
    high: Float64Array.of(3, 4),
    low: Float64Array.of(0.5, 1.5),
    close: Float64Array.of(2, 3),
    volume: Float64Array.of(10, 20),
  };
  assert.deepEqual(candleAt(columns, 1), {
    openTime: 60_000,
    open: 2,
    high: 4,
    low: 1.5,
    close: 3,
    volume: 20,
  });
  assert.throws(() => candleAt(columns, 2), {
    name: "RangeError",
    message:
      "Cannot read candle as 'index' must be an integer from 0 to 1: current value is 2",
  });
});
