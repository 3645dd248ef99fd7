/**
 * Tests of `/metrics` and its renderer: the body parses with the strict exposition parser and
 * holds every family with the fake's values, label values are escaped, the latency histogram
 * is cumulative up to `+Inf`, and a malformed histogram is refused.
 *
 * @module
 */
import { strict as assert } from "node:assert";
import {
  escapeLabelValue,
  formatSampleValue,
  PROMETHEUS_CONTENT_TYPE,
  renderPrometheus,
} from "../../web/prometheus_text.ts";
import { createStatusApp } from "../../web/status_app.ts";
import type { MetricsSnapshot } from "../../web/status_types.ts";
import { FakeStatusSource } from "../fakes/fake_status_source.ts";
import {
  parsePrometheusText,
  type PromFamily,
} from "../fakes/prometheus_parser.ts";

function value(family: PromFamily | undefined, name?: string): number {
  assert.ok(family, "missing family");
  const sample = family.samples.find((s) => s.name === (name ?? family.name));
  assert.ok(sample, `missing sample ${name ?? family.name}`);
  return sample.value;
}

Deno.test("metrics route answers text format 0.0.4 that parses and holds the fake's figures", async () => {
  const source = new FakeStatusSource();
  const res = await createStatusApp({ source }).request("/metrics");
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), PROMETHEUS_CONTENT_TYPE);
  assert.equal(
    PROMETHEUS_CONTENT_TYPE,
    "text/plain; version=0.0.4; charset=utf-8",
  );
  const families = parsePrometheusText(await res.text());
  const m = new FakeStatusSource().metrics();

  const expected: [string, string, number][] = [
    ["velas_candles_processed_total", "counter", m.candlesProcessed],
    ["velas_signals_total", "counter", m.signals],
    ["velas_signals_accepted_total", "counter", m.signalsAccepted],
    ["velas_open_positions", "gauge", m.openPositions],
    ["velas_heat_percent", "gauge", m.heatPct],
    ["velas_equity", "gauge", m.equity],
    ["velas_telegram_sent_total", "counter", m.telegram.sent],
    ["velas_telegram_failed_total", "counter", m.telegram.failed],
    ["velas_telegram_queued", "gauge", m.telegram.queued],
    ["velas_ws_reconnects_total", "counter", m.wsReconnects],
    ["velas_stale_series", "gauge", m.staleSeries],
    ["velas_uptime_seconds", "gauge", m.uptimeSeconds],
  ];
  for (const [name, type, v] of expected) {
    const family = families.get(name);
    assert.equal(family?.type, type, name);
    assert.ok((family?.help ?? "").length > 0, `${name} has HELP`);
    assert.equal(value(family), v, name);
  }

  const refusals = families.get("velas_refusals_total");
  assert.equal(refusals?.type, "counter");
  const byRule = Object.fromEntries(
    refusals!.samples.map((s) => [s.labels.rule, s.value]),
  );
  assert.deepEqual(byRule, m.refusalsByRule);
  assert.ok(Object.keys(byRule).length >= 3);

  const latency = families.get("velas_candle_latency_seconds");
  assert.equal(latency?.type, "histogram");
  const buckets = latency!.samples.filter((s) => s.name.endsWith("_bucket"));
  assert.deepEqual(
    buckets.map((b) => [b.labels.le, b.value]),
    [
      ...m.latency.buckets.map((b, i) => [String(b), m.latency.counts[i]]),
      ["+Inf", m.latency.count],
    ],
  );
  assert.equal(
    value(latency, "velas_candle_latency_seconds_sum"),
    m.latency.sum,
  );
  assert.equal(
    value(latency, "velas_candle_latency_seconds_count"),
    m.latency.count,
  );
});

const BASE: MetricsSnapshot = new FakeStatusSource().metrics();

Deno.test("metrics escape label values so they parse back unchanged", () => {
  const rule = 'odd "rule" with \\ and\nnewline';
  const text = renderPrometheus({
    ...BASE,
    refusalsByRule: { [rule]: 2, heat: 1 },
  });
  assert.ok(text.includes('rule="odd \\"rule\\" with \\\\ and\\nnewline"'));
  const refusals = parsePrometheusText(text).get("velas_refusals_total")!;
  assert.deepEqual(
    refusals.samples.map((s) => [s.labels.rule, s.value]),
    [["heat", 1], [rule, 2]],
  );
  assert.equal(escapeLabelValue("a\\b"), "a\\\\b");
});

Deno.test("metrics keep the refusal family valid when nothing was refused", () => {
  const families = parsePrometheusText(
    renderPrometheus({ ...BASE, refusalsByRule: {} }),
  );
  assert.deepEqual(families.get("velas_refusals_total")?.samples, []);
});

Deno.test("metrics render an empty latency histogram as +Inf 0 with sum and count 0", () => {
  const families = parsePrometheusText(renderPrometheus({
    ...BASE,
    latency: { buckets: [], counts: [], sum: 0, count: 0 },
  }));
  assert.deepEqual(
    families.get("velas_candle_latency_seconds")?.samples.map((
      s,
    ) => [s.name, s.value]),
    [
      ["velas_candle_latency_seconds_bucket", 0],
      ["velas_candle_latency_seconds_sum", 0],
      ["velas_candle_latency_seconds_count", 0],
    ],
  );
});

Deno.test("metrics refuse a latency histogram whose counts do not match the buckets", () => {
  assert.throws(
    () =>
      renderPrometheus({
        ...BASE,
        latency: { buckets: [0.1, 1], counts: [3], sum: 1, count: 3 },
      }),
    new RangeError(
      "Cannot render the latency histogram as 'counts' must have one entry per bucket (2): current length is 1",
    ),
  );
  assert.throws(
    () =>
      renderPrometheus({
        ...BASE,
        latency: { buckets: [1, 0.1], counts: [1, 2], sum: 1, count: 2 },
      }),
    new RangeError(
      "Cannot render the latency histogram as 'buckets' must be ascending: current value is 1,0.1",
    ),
  );
});

Deno.test("metrics format special numbers as Prometheus reads them", () => {
  assert.equal(formatSampleValue(Number.NaN), "NaN");
  assert.equal(formatSampleValue(Infinity), "+Inf");
  assert.equal(formatSampleValue(-Infinity), "-Inf");
  assert.equal(formatSampleValue(1e21), "1e+21");
  assert.equal(formatSampleValue(0.25), "0.25");
  const families = parsePrometheusText(
    renderPrometheus({ ...BASE, heatPct: Number.NaN }),
  );
  assert.ok(Number.isNaN(value(families.get("velas_heat_percent"))));
});

Deno.test("metrics route answers a generic 500 when the histogram is malformed", async () => {
  class Broken extends FakeStatusSource {
    override metrics(): MetricsSnapshot {
      return { ...BASE, latency: { ...BASE.latency, counts: [1] } };
    }
  }
  const logs: unknown[] = [];
  const app = createStatusApp({
    source: new Broken(),
    log: (line) => logs.push(line),
  });
  const res = await app.request("/metrics");
  assert.equal(res.status, 500);
  assert.deepEqual(await res.json(), { error: "internal error" });
  assert.equal(logs.length, 1);
});
