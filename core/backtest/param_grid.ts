/**
 * The user's extra optimizer grid (DESIGN §2 "any extra grid the user gives"), parsed from text
 * such as `i1=30:60:10,i2=10:14:2,i3=0.5:1.5:0.25,i4=1,i5=0.5:2:0.5`.
 *
 * Syntax: comma-separated `key=spec` entries, keys i1…i5 each at most once, whitespace around
 * tokens ignored. A spec is one number `v` or an inclusive range `start:end:step` giving
 * start + k·step for k = 0, 1, … while the value is ≤ end + 1e-9. Numbers and values are rounded
 * to 6 decimals, so 0.1 steps do not drift. A missing key takes the indicator default.
 *
 * @module
 */
import type { IndicatorParams } from "../types.ts";

/** Most combinations a grid may give. */
export const MAX_GRID_COMBINATIONS = 20_000;

type Key = keyof IndicatorParams;

interface KeyRule {
  readonly integer: boolean;
  readonly min: number;
  readonly max: number;
  /** The indicator default, copied from core/preset.ts INDICATOR_FIELDS. */
  readonly default: number;
}

/** Bounds and defaults per key; i1/i2 follow core/preset.ts, the 1000 and 100 caps are the grid's. */
const RULES: Readonly<Record<Key, KeyRule>> = {
  i1: { integer: true, min: 1, max: 1000, default: 40 },
  i2: { integer: true, min: 2, max: 1000, default: 10 },
  i3: { integer: false, min: 0, max: 100, default: 0.3 },
  i4: { integer: false, min: 0, max: 100, default: 1 },
  i5: { integer: false, min: 0, max: 100, default: 1 },
};

const KEYS: readonly Key[] = ["i1", "i2", "i3", "i4", "i5"];

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

interface Axis {
  readonly start: number;
  readonly step: number;
  readonly count: number;
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

function keyError(input: string, key: string, rule: string, value: string) {
  return new RangeError(
    `Cannot use grid '${input}' as '${key}' must be ${rule}: current value is ${value}`,
  );
}

function parseNumber(text: string): number | undefined {
  const trimmed = text.trim();
  const value = NUMBER.test(trimmed) ? round6(Number(trimmed)) : NaN;
  return Number.isFinite(value) ? value : undefined;
}

function parseAxis(input: string, key: Key, spec: string): Axis {
  const parts = spec.split(":").map(parseNumber);
  const [start, end, step] = parts;
  if (parts.length === 1 && start !== undefined) {
    return checkAxis(input, key, spec, { start, step: 1, count: 1 });
  }
  if (parts.length !== 3 || parts.includes(undefined)) {
    throw keyError(input, key, "a number or start:end:step", spec);
  }
  if (
    start === undefined || end === undefined || step === undefined ||
    !(step > 0) || start > end
  ) {
    throw keyError(
      input,
      key,
      "start:end:step with start <= end and step > 0",
      spec,
    );
  }
  const count = Math.floor((end + 1e-9 - start) / step) + 1;
  return checkAxis(input, key, spec, { start, step, count });
}

function checkAxis(input: string, key: Key, spec: string, axis: Axis): Axis {
  const rule = RULES[key];
  const last = round6(axis.start + (axis.count - 1) * axis.step);
  const integral = Number.isInteger(axis.start) &&
    (axis.count === 1 || Number.isInteger(axis.step));
  const inRange = axis.start >= rule.min && last <= rule.max;
  if (!inRange || (rule.integer && !integral)) {
    const kind = rule.integer ? "integers" : "numbers";
    throw keyError(
      input,
      key,
      `${kind} from ${rule.min} to ${rule.max}`,
      spec,
    );
  }
  return axis;
}

function splitEntry(input: string, entry: string): [string, string] {
  const at = entry.indexOf("=");
  if (at < 0) {
    throw new RangeError(
      `Cannot use grid '${input}' as every entry must be key=spec: current value is '${entry}'`,
    );
  }
  return [entry.slice(0, at).trim(), entry.slice(at + 1).trim()];
}

function parseAxes(text: string, input: string): Map<Key, Axis> {
  const axes = new Map<Key, Axis>();
  const specs = new Map<Key, string>();
  for (const raw of text.split(",")) {
    const entry = raw.trim();
    const [name, spec] = splitEntry(input, entry);
    const key = KEYS.find((k) => k === name);
    if (key === undefined) {
      throw keyError(input, name, "one of i1, i2, i3, i4, i5", entry);
    }
    const earlier = specs.get(key);
    if (earlier !== undefined) {
      throw keyError(
        input,
        key,
        "given at most once",
        `${key}=${earlier} and ${entry}`,
      );
    }
    specs.set(key, spec);
    axes.set(key, parseAxis(input, key, spec));
  }
  return axes;
}

function values(axis: Axis): number[] {
  return Array.from(
    { length: axis.count },
    (_, k) => round6(axis.start + k * axis.step),
  );
}

/**
 * Parses a user grid into its indicator parameter sets.
 *
 * @param text The grid, e.g. `i1=30:60:10,i2=10:14:2,i3=0.5:1.5:0.25,i4=1,i5=0.5:2:0.5`.
 * @param inputName Where the text came from (e.g. `--grid`), for messages.
 * @returns Every combination, frozen, in cartesian order i1 outermost … i5 innermost; missing
 *   keys take the defaults i1 40, i2 10, i3 0.3, i4 1, i5 1. No two are equal.
 * @throws {RangeError} When the text is empty, an entry is not `key=spec`, a key is unknown or
 *   repeated, a spec is not a number or a range with start ≤ end and step > 0, a value is out of
 *   bounds (i1 integer 1..1000, i2 integer 2..1000, i3..i5 0..100), or the grid gives more than
 *   {@link MAX_GRID_COMBINATIONS} combinations. Each message names the input and the key.
 */
export function parseParamGrid(
  text: string,
  inputName: string,
): IndicatorParams[] {
  if (text.trim() === "") {
    throw new RangeError(
      `Cannot use grid as '${inputName}' must be comma-separated key=spec entries with keys i1 to i5: current value is '${text}'`,
    );
  }
  const parsed = parseAxes(text, inputName);
  const axes = KEYS.map((key) =>
    parsed.get(key) ?? { start: RULES[key].default, step: 1, count: 1 }
  );
  const total = axes.reduce((product, axis) => product * axis.count, 1);
  if (total > MAX_GRID_COMBINATIONS) {
    throw new RangeError(
      `Cannot use grid as '${inputName}' must give at most ${MAX_GRID_COMBINATIONS} combinations: current value gives ${total}`,
    );
  }
  let rows: number[][] = [[]];
  for (const axis of axes) {
    const axisValues = values(axis);
    rows = rows.flatMap((row) => axisValues.map((v) => [...row, v]));
  }
  return rows.map(([i1 = 0, i2 = 0, i3 = 0, i4 = 0, i5 = 0]) =>
    Object.freeze({ i1, i2, i3, i4, i5 })
  );
}
