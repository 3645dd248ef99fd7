/**
 * Tests of series continuity: holes found exactly, missing ranges of a window, and the merge of
 * incoming candles (dedupe, order, conflicts and unknown values).
 *
 * @module
 */
import { strict as assert } from "node:assert";
import {
  findGaps,
  lowerBound,
  mergeCandles,
  missingRanges,
  summarizeGaps,
} from "../../core/gaps.ts";

const H = 3_600_000;

function hours(...values: number[]): Float64Array {
  return Float64Array.from(values, (h) => h * H);
}

interface Series {
  readonly openTime: Float64Array;
  readonly close: Float64Array;
  readonly trades: Float64Array;
}

function series(rows: readonly (readonly [number, number, number])[]): Series {
  return {
    openTime: Float64Array.from(rows, (row) => row[0] * H),
    close: Float64Array.from(rows, (row) => row[1]),
    trades: Float64Array.from(rows, (row) => row[2]),
  };
}

function rowsOf(s: Series): [number, number, number][] {
  return Array.from(s.openTime, (t, i) => [t / H, s.close[i]!, s.trades[i]!]);
}

Deno.test("findGaps lists each hole with its first and last missing open time", () => {
  const gaps = findGaps(hours(0, 1, 2, 5, 6, 10), H);
  assert.deepEqual(gaps, [
    { fromOpenTime: 3 * H, toOpenTime: 4 * H, missing: 2 },
    { fromOpenTime: 7 * H, toOpenTime: 9 * H, missing: 3 },
  ]);
  assert.deepEqual(summarizeGaps(gaps), { count: 2, missing: 5, largest: 3 });
});

Deno.test("findGaps finds nothing in a continuous, single-row or empty series", () => {
  assert.deepEqual(findGaps(hours(0, 1, 2, 3), H), []);
  assert.deepEqual(findGaps(hours(7), H), []);
  assert.deepEqual(findGaps(new Float64Array(0), H), []);
  assert.deepEqual(summarizeGaps([]), { count: 0, missing: 0, largest: 0 });
});

Deno.test("findGaps refuses times off the timeframe grid, unsorted times and a bad step", () => {
  assert.throws(() => findGaps(Float64Array.of(0, H, 2.5 * H), H), {
    name: "RangeError",
    message:
      "Cannot find gaps as 'openTime' must be strictly ascending multiples of the timeframe: current value is 9000000 after 3600000",
  });
  assert.throws(() => findGaps(hours(2, 1), H), {
    name: "RangeError",
    message:
      "Cannot find gaps as 'openTime' must be strictly ascending multiples of the timeframe: current value is 3600000 after 7200000",
  });
  assert.throws(() => findGaps(hours(1, 1), H), RangeError);
  assert.throws(() => findGaps(hours(1, 2), 0), {
    name: "RangeError",
    message:
      "Cannot find gaps as 'stepMs' must be a positive integer: current value is 0",
  });
});

Deno.test("missingRanges returns the ranges before, inside and after the stored candles", () => {
  const stored = hours(2, 3, 4, 7, 8);
  assert.deepEqual(missingRanges(stored, H, { from: 0, to: 11 * H }), [
    { fromOpenTime: 0, toOpenTime: H, missing: 2 },
    { fromOpenTime: 5 * H, toOpenTime: 6 * H, missing: 2 },
    { fromOpenTime: 9 * H, toOpenTime: 10 * H, missing: 2 },
  ]);
});

Deno.test("missingRanges rounds 'from' up to the grid and excludes 'to'", () => {
  const stored = hours(2, 3, 4, 7, 8);
  assert.deepEqual(missingRanges(stored, H, { from: 0.5 * H, to: 9 * H }), [
    { fromOpenTime: H, toOpenTime: H, missing: 1 },
    { fromOpenTime: 5 * H, toOpenTime: 6 * H, missing: 2 },
  ]);
  assert.deepEqual(
    missingRanges(stored, H, { from: 3 * H, to: 9 * H + 1 }),
    [
      { fromOpenTime: 5 * H, toOpenTime: 6 * H, missing: 2 },
      { fromOpenTime: 9 * H, toOpenTime: 9 * H, missing: 1 },
    ],
  );
  assert.deepEqual(missingRanges(stored, H, { from: 2 * H, to: 5 * H }), []);
  assert.deepEqual(missingRanges(stored, H, { from: 4 * H, to: 4 * H }), []);
});

Deno.test("missingRanges of an empty series is the whole window", () => {
  assert.deepEqual(
    missingRanges(new Float64Array(0), H, { from: 10 * H, to: 20 * H }),
    [{ fromOpenTime: 10 * H, toOpenTime: 19 * H, missing: 10 }],
  );
});

Deno.test("missingRanges refuses a window whose start is after its end or is not an integer", () => {
  assert.throws(() => missingRanges(hours(1), H, { from: 5 * H, to: H }), {
    name: "RangeError",
    message:
      "Cannot find missing candles as 'from' must not be after 'to' (3600000): current value is 18000000",
  });
  assert.throws(() => missingRanges(hours(1), H, { from: Number.NaN, to: H }), {
    name: "RangeError",
    message:
      "Cannot find missing candles as 'from' must be an integer time in ms: current value is NaN",
  });
});

Deno.test("lowerBound finds the first element not below the value", () => {
  const sorted = Float64Array.of(1, 3, 3, 5);
  assert.deepEqual([0, 1, 2, 3, 5, 6].map((v) => lowerBound(sorted, v)), [
    0,
    0,
    1,
    1,
    3,
    4,
  ]);
});

Deno.test("mergeCandles appends, fills holes and keeps open times ascending and unique", () => {
  const existing = series([[1, 10, 5], [2, 11, 6], [5, 12, 7]]);
  const incoming = series([[0, 9, 1], [2, 11, 6], [3, 13, 2], [6, 14, 3]]);
  const result = mergeCandles(existing, incoming);
  assert.equal(result.kind, "merged");
  if (result.kind !== "merged") return;
  assert.deepEqual(rowsOf(result.columns), [
    [0, 9, 1],
    [1, 10, 5],
    [2, 11, 6],
    [3, 13, 2],
    [5, 12, 7],
    [6, 14, 3],
  ]);
  assert.deepEqual(
    [result.added, result.replaced, result.unchanged],
    [3, 0, 1],
  );
  assert.deepEqual(rowsOf(existing), [[1, 10, 5], [2, 11, 6], [5, 12, 7]]);
  const reordered = {
    trades: incoming.trades,
    openTime: incoming.openTime,
    close: incoming.close,
  };
  const same = mergeCandles(existing, reordered);
  assert.ok(same.kind === "merged");
  assert.deepEqual(rowsOf(same.columns), rowsOf(result.columns));
});

Deno.test("mergeCandles rejects differing rows by default and reports the first one", () => {
  const existing = series([[1, 10, 5], [2, 11, 6], [3, 12, 7]]);
  const incoming = series([[2, 11.5, 6], [3, 12, 8], [4, 13, 1]]);
  assert.deepEqual(mergeCandles(existing, incoming), {
    kind: "conflict",
    count: 2,
    first: { openTime: 2 * H, column: "close", existing: 11, incoming: 11.5 },
  });
});

Deno.test("mergeCandles keeps the stored values or takes the incoming ones when told to", () => {
  const existing = series([[1, 10, 5], [2, 11, 6]]);
  const incoming = series([[2, 11.5, 6], [3, 12, 1]]);
  const kept = mergeCandles(existing, incoming, { onConflict: "keep" });
  assert.ok(kept.kind === "merged");
  assert.deepEqual(rowsOf(kept.columns), [[1, 10, 5], [2, 11, 6], [3, 12, 1]]);
  assert.deepEqual([kept.added, kept.replaced, kept.unchanged], [1, 0, 1]);
  const replaced = mergeCandles(existing, incoming, { onConflict: "replace" });
  assert.ok(replaced.kind === "merged");
  assert.deepEqual(rowsOf(replaced.columns), [
    [1, 10, 5],
    [2, 11.5, 6],
    [3, 12, 1],
  ]);
  assert.deepEqual(
    [replaced.added, replaced.replaced, replaced.unchanged],
    [1, 1, 0],
  );
});

Deno.test("mergeCandles treats NaN as unknown: it fills stored unknowns and never erases known values", () => {
  const existing = series([[1, 10, Number.NaN], [2, 11, 6]]);
  const incoming = series([[1, 10, 4], [2, 11, Number.NaN]]);
  const result = mergeCandles(existing, incoming, { onConflict: "replace" });
  assert.ok(result.kind === "merged");
  assert.deepEqual(rowsOf(result.columns), [[1, 10, 4], [2, 11, 6]]);
  assert.deepEqual([result.added, result.replaced, result.unchanged], [
    0,
    1,
    1,
  ]);
  assert.equal(mergeCandles(existing, incoming).kind, "merged");
});

Deno.test("mergeCandles returns the other side unchanged when one side is empty", () => {
  const empty = series([]);
  const some = series([[1, 10, 5]]);
  const intoEmpty = mergeCandles(empty, some);
  assert.ok(intoEmpty.kind === "merged");
  assert.equal(intoEmpty.columns, some);
  assert.equal(intoEmpty.added, 1);
  const nothing = mergeCandles(some, empty);
  assert.ok(nothing.kind === "merged");
  assert.equal(nothing.columns, some);
  assert.equal(nothing.added, 0);
});

Deno.test("mergeCandles refuses unsorted input and different column sets", () => {
  const existing = series([[1, 10, 5]]);
  assert.throws(() => mergeCandles(existing, series([[3, 1, 1], [2, 1, 1]])), {
    name: "RangeError",
    message:
      "Cannot merge candles as 'incoming.openTime' must be strictly ascending: current value is 7200000 after 10800000",
  });
  const other = {
    openTime: hours(2),
    close: Float64Array.of(1),
    volume: Float64Array.of(1),
  } as unknown as Series;
  assert.throws(() => mergeCandles(existing, other), {
    name: "TypeError",
    message:
      "Cannot merge candles as 'incoming' must have the columns openTime, close, trades: current value is openTime, close, volume",
  });
  const short = { ...existing, close: new Float64Array(0) };
  assert.throws(() => mergeCandles(short, existing), {
    name: "TypeError",
    message:
      "Cannot merge candles as 'existing.close' must be a Float64Array of 1 values: current value is 0 values",
  });
});
