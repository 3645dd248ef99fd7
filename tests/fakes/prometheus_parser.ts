/**
 * A small strict parser of the Prometheus text exposition format 0.0.4, for tests that prove a
 * `/metrics` body is what a Prometheus server would accept, and a little stricter: every sample
 * is `name{labels} value [timestamp]` with valid metric and label names and escapes; each
 * family has one `# TYPE` before its samples and its samples are contiguous; sample names fit
 * the family's type (`_bucket`/`_sum`/`_count` for histograms); counters are not negative;
 * histogram buckets are ascending in `le`, cumulative, end with `le="+Inf"`, and `+Inf` equals
 * `_count`. Any violation throws a SyntaxError naming the line.
 *
 * @module
 */

/** The metric types of the format. */
export type MetricType =
  | "counter"
  | "gauge"
  | "histogram"
  | "summary"
  | "untyped";

/** One sample line. */
export interface PromSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** One metric family: its HELP, TYPE and samples. */
export interface PromFamily {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string | undefined;
  readonly samples: PromSample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

function fail(line: number, message: string): never {
  throw new SyntaxError(`Cannot parse the metrics as line ${line} ${message}`);
}

function parseValue(text: string, line: number): number {
  if (text === "NaN") return Number.NaN;
  if (text === "+Inf" || text === "Inf") return Infinity;
  if (text === "-Inf") return -Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) {
    fail(line, `must have a number as value: current value is '${text}'`);
  }
  return Number(text);
}

/** Parses `{a="x",b="y"}` from `text` at `start` (the `{`); returns labels and the end index. */
function parseLabels(
  text: string,
  start: number,
  line: number,
): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = start + 1;
  while (text[i] !== "}") {
    const eq = text.indexOf("=", i);
    if (eq < 0) fail(line, "must have label=value pairs");
    const name = text.slice(i, eq);
    if (!LABEL_NAME.test(name) || name.startsWith("__")) {
      fail(line, `must have valid label names: current value is '${name}'`);
    }
    if (name in labels) fail(line, `must not repeat label '${name}'`);
    if (text[eq + 1] !== '"') {
      fail(line, `must quote the value of label '${name}'`);
    }
    let value = "";
    let j = eq + 2;
    for (; j < text.length && text[j] !== '"'; j++) {
      if (text[j] === "\n") {
        fail(line, "must not hold a raw line feed in a label");
      }
      if (text[j] !== "\\") {
        value += text[j];
        continue;
      }
      const next = text[++j];
      if (next === "\\") value += "\\";
      else if (next === '"') value += '"';
      else if (next === "n") value += "\n";
      else fail(line, `must escape only \\\\, \\" and \\n in label '${name}'`);
    }
    if (j >= text.length) fail(line, `must close the value of label '${name}'`);
    labels[name] = value;
    i = j + 1;
    if (text[i] === ",") i++;
    else if (text[i] !== "}") fail(line, "must separate labels with commas");
  }
  return { labels, end: i + 1 };
}

function parseSample(text: string, line: number): PromSample {
  const nameEnd = text.search(/[{ ]/);
  if (nameEnd <= 0) fail(line, "must be a sample 'name{labels} value'");
  const name = text.slice(0, nameEnd);
  if (!METRIC_NAME.test(name)) {
    fail(line, `must have a valid metric name: current value is '${name}'`);
  }
  let rest = nameEnd;
  let labels: Record<string, string> = {};
  if (text[nameEnd] === "{") {
    ({ labels, end: rest } = parseLabels(text, nameEnd, line));
  }
  if (text[rest] !== " ") fail(line, "must have one space before the value");
  const fields = text.slice(rest + 1).split(" ");
  if (fields.length > 2 || fields.some((f) => f === "")) {
    fail(line, "must be 'name{labels} value [timestamp]'");
  }
  if (fields[1] !== undefined && !/^-?\d+$/.test(fields[1])) {
    fail(
      line,
      `must have an integer timestamp: current value is '${fields[1]}'`,
    );
  }
  return { name, labels, value: parseValue(fields[0] ?? "", line) };
}

function familyOf(
  sample: string,
  families: Map<string, PromFamily>,
): PromFamily | undefined {
  const direct = families.get(sample);
  if (direct !== undefined && direct.type !== "histogram") return direct;
  for (const suffix of ["_bucket", "_sum", "_count"]) {
    if (!sample.endsWith(suffix)) continue;
    const family = families.get(sample.slice(0, -suffix.length));
    if (
      family?.type === "histogram" ||
      (family?.type === "summary" && suffix !== "_bucket")
    ) {
      return family;
    }
  }
  return undefined;
}

function checkHistogram(family: PromFamily): void {
  const groups = new Map<string, PromSample[]>();
  const count = new Map<string, number>();
  for (const s of family.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    if (s.name.endsWith("_bucket")) {
      if (le === undefined) {
        throw new SyntaxError(
          `Cannot parse the metrics as ${s.name} must have an 'le' label`,
        );
      }
      groups.set(key, [...(groups.get(key) ?? []), s]);
    } else if (s.name.endsWith("_count")) count.set(key, s.value);
  }
  if (groups.size === 0) {
    throw new SyntaxError(
      `Cannot parse the metrics as histogram ${family.name} must have buckets`,
    );
  }
  for (const [key, buckets] of groups) {
    const bounds = buckets.map((b) => parseValue(b.labels.le ?? "", 0));
    for (let i = 1; i < buckets.length; i++) {
      if (!(bounds[i]! > bounds[i - 1]!)) {
        throw new SyntaxError(
          `Cannot parse the metrics as ${family.name} buckets must be ascending in le: current order is ${
            bounds.join(",")
          }`,
        );
      }
      if (buckets[i]!.value < buckets[i - 1]!.value) {
        throw new SyntaxError(
          `Cannot parse the metrics as ${family.name} buckets must be cumulative: le=${
            bounds[i]
          } holds ${buckets[i]!.value} after ${buckets[i - 1]!.value}`,
        );
      }
    }
    const last = buckets[buckets.length - 1]!;
    if (last.labels.le !== "+Inf") {
      throw new SyntaxError(
        `Cannot parse the metrics as ${family.name} buckets must end with le="+Inf": current last is le="${last.labels.le}"`,
      );
    }
    const total = count.get(key);
    const sum = family.samples.some((s) => s.name === `${family.name}_sum`);
    if (total === undefined || !sum) {
      throw new SyntaxError(
        `Cannot parse the metrics as ${family.name} must have _sum and _count`,
      );
    }
    if (total !== last.value) {
      throw new SyntaxError(
        `Cannot parse the metrics as ${family.name} le="+Inf" must equal _count (${total}): current value is ${last.value}`,
      );
    }
  }
}

/**
 * Parses a whole exposition.
 *
 * @param text The `/metrics` body.
 * @returns The families by name, in order of appearance.
 * @throws {SyntaxError} Naming the line (or family) and the rule broken.
 */
export function parsePrometheusText(text: string): Map<string, PromFamily> {
  const families = new Map<string, PromFamily>();
  const helps = new Map<string, string>();
  const closed = new Set<string>();
  let current: PromFamily | undefined;
  const lines = text.split("\n");
  if (text !== "" && lines.pop() !== "") {
    fail(lines.length + 1, "must end with a line feed");
  }
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === "") return;
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(raw);
    if (meta !== null) {
      const [, kind, name = "", rest = ""] = meta;
      if (!METRIC_NAME.test(name)) {
        fail(line, `must name a valid metric: current value is '${name}'`);
      }
      if (kind === "HELP") {
        if (helps.has(name)) fail(line, `must not repeat HELP for ${name}`);
        helps.set(name, rest.replace(/\\n/g, "\n").replace(/\\\\/g, "\\"));
        return;
      }
      if (!TYPES.has(rest)) {
        fail(line, `must have a known type: current value is '${rest}'`);
      }
      if (families.has(name)) fail(line, `must not repeat TYPE for ${name}`);
      if (current !== undefined) closed.add(current.name);
      current = {
        name,
        type: rest as MetricType,
        help: undefined,
        samples: [],
      };
      families.set(name, current);
      return;
    }
    if (raw.startsWith("#")) return;
    const sample = parseSample(raw, line);
    const family = familyOf(sample.name, families);
    if (family === undefined) {
      fail(
        line,
        `must follow a TYPE line of its family: ${sample.name} has none`,
      );
    }
    if (family !== current || closed.has(family.name)) {
      fail(line, `must keep the samples of ${family.name} together`);
    }
    if (family.type === "counter" && !(sample.value >= 0)) {
      fail(
        line,
        `must not be a negative counter: current value is ${sample.value}`,
      );
    }
    family.samples.push(sample);
  });
  const out = new Map<string, PromFamily>();
  for (const [name, family] of families) {
    if (family.type === "histogram") checkHistogram(family);
    out.set(name, { ...family, help: helps.get(name) });
  }
  return out;
}
