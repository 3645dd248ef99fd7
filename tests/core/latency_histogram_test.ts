import { strict as assert } from "node:assert";
import { LatencyHistogram } from "../../core/latency_histogram.ts";

Deno.test("latency histogram counts samples cumulatively per bound, with sum and count in seconds", () => {
  const h = new LatencyHistogram([0.001, 0.01, 0.1]);
  for (const ms of [0.5, 1, 5, 50, 500, -1, NaN]) h.add(ms);
  const snap = h.snapshot();
  assert.deepEqual(snap.buckets, [0.001, 0.01, 0.1]);
  // ≤ 1 ms: 0.5 and 1; ≤ 10 ms: + 5; ≤ 100 ms: + 50; 500 ms only in +Inf (count).
  assert.deepEqual(snap.counts, [2, 3, 4]);
  assert.equal(snap.count, 5, "negative and NaN samples are ignored");
  assert.ok(Math.abs(snap.sum - 0.5565) < 1e-12);
});

Deno.test("latency histogram percentiles are nearest-rank over the most recent samples only", () => {
  const h = new LatencyHistogram(undefined, 4);
  assert.equal(h.percentile(99), null);
  for (const ms of [100, 1, 2, 3, 4]) h.add(ms);
  assert.equal(h.recentCount, 4, "the ring keeps the last 4");
  assert.equal(h.percentile(50), 2);
  assert.equal(h.percentile(99), 4);
  assert.equal(h.percentile(0), 1);
  assert.equal(h.snapshot().count, 5, "the histogram keeps every sample");
});

Deno.test("latency histogram refuses bounds that are not ascending and a recent size below 1", () => {
  assert.throws(
    () => new LatencyHistogram([0.01, 0.001]),
    /'bounds' must be ascending positive numbers: current value is \[0\.01, 0\.001\]/,
  );
  assert.throws(
    () => new LatencyHistogram(undefined, 0),
    /'recent' must be an integer/,
  );
});
