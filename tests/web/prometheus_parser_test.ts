/**
 * Tests of the strict exposition parser the metrics tests rely on: it accepts a valid text and
 * refuses each rule broken, so a passing metrics test means something.
 *
 * @module
 */
import { strict as assert } from "node:assert";
import { parsePrometheusText } from "../fakes/prometheus_parser.ts";

const VALID = `# HELP jobs_total Jobs done.
# TYPE jobs_total counter
jobs_total{kind="a"} 3
jobs_total{kind="b\\"q\\""} 4 1700000000000
# TYPE temp gauge
temp -2.5e-3
# HELP lat_seconds Latency.
# TYPE lat_seconds histogram
lat_seconds_bucket{le="0.1"} 1
lat_seconds_bucket{le="1"} 3
lat_seconds_bucket{le="+Inf"} 4
lat_seconds_sum 2.5
lat_seconds_count 4
`;

Deno.test("prometheus parser reads families, labels, help and values of a valid text", () => {
  const families = parsePrometheusText(VALID);
  assert.deepEqual([...families.keys()], ["jobs_total", "temp", "lat_seconds"]);
  const jobs = families.get("jobs_total")!;
  assert.equal(jobs.help, "Jobs done.");
  assert.deepEqual(jobs.samples[1], {
    name: "jobs_total",
    labels: { kind: 'b"q"' },
    value: 4,
  });
  assert.equal(families.get("temp")!.samples[0]!.value, -0.0025);
  assert.equal(families.get("lat_seconds")!.samples.length, 5);
});

Deno.test("prometheus parser refuses each broken rule with a SyntaxError", () => {
  const broken: [string, string][] = [
    ["sample before its TYPE", "jobs_total 1\n"],
    ["bad metric name", "# TYPE 1jobs counter\n1jobs 1\n"],
    ["bad label name", '# TYPE j counter\nj{1a="x"} 1\n'],
    ["unquoted label", "# TYPE j counter\nj{a=x} 1\n"],
    ["bad escape", '# TYPE j counter\nj{a="\\t"} 1\n'],
    ["bad value", "# TYPE j gauge\nj one\n"],
    ["extra field", "# TYPE j gauge\nj 1 2 3\n"],
    ["negative counter", "# TYPE j_total counter\nj_total -1\n"],
    ["unknown type", "# TYPE j meter\nj 1\n"],
    ["repeated TYPE", "# TYPE j gauge\nj 1\n# TYPE j gauge\n"],
    [
      "interleaved families",
      "# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na 2\n",
    ],
    ["no final line feed", "# TYPE j gauge\nj 1"],
    [
      "histogram not cumulative",
      VALID.replace('le="1"} 3', 'le="1"} 0'),
    ],
    [
      "histogram without +Inf",
      VALID.replace('lat_seconds_bucket{le="+Inf"} 4\n', ""),
    ],
    [
      "+Inf not equal to _count",
      VALID.replace("lat_seconds_count 4", "lat_seconds_count 5"),
    ],
    ["histogram without _sum", VALID.replace("lat_seconds_sum 2.5\n", "")],
    [
      "buckets not ascending",
      VALID.replace('le="0.1"} 1', 'le="2"} 1'),
    ],
    ["histogram bare sample", VALID + "lat_seconds 1\n"],
  ];
  for (const [what, text] of broken) {
    assert.throws(() => parsePrometheusText(text), SyntaxError, what);
  }
});
