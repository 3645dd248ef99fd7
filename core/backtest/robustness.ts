/**
 * The robustness check of spec §8.7: the neighbour set of a preset and the verdict over the
 * neighbours' out-of-sample outcomes (DESIGN §2 "Optimizer, walk-forward, robustness").
 *
 * Neighbours: each of i1…i5 takes the values low, base, high ({@link neighbourParams}); every
 * combination except the base itself is a neighbour (242 for a typical preset).
 *
 * Verdict ({@link robustnessOf}), with these DESIGN choices over the original:
 * - A neighbour is valid when it has at least `minNeighbourTrades` trades. An invalid neighbour's
 *   score counts as 0: whatever score the caller passes for it is ignored, and it enters no
 *   statistic except the valid share. Profitable = total return > 0, counted over all neighbours.
 * - Degradation (base − score) / base · 100 is taken over valid neighbours only; invalid ones are
 *   already counted by the valid-share rule (the original let one thin neighbour fail everything).
 * - The mean and the population standard deviation of scores are over valid neighbours.
 * - Robust unless: valid share < `minValidPct`; max degradation > `maxDegradationPct`; mean
 *   degradation > `maxMeanDegradationPct`; score stdev > `maxScoreStdev`; base score ≤ 0.
 * - Score 0-100 = 0.4 · valid % + 0.4 · clip(mean / base · 100, 0, 100)
 *   + 0.2 · (1 − min(1, stdev / 50)) · 100; the middle term is 0 when the base score is ≤ 0. With
 *   no valid neighbour the mean, stdev and degradations are 0 and the score is 0 (a spread of
 *   nothing earns no stability points); the valid-share rule fails.
 *
 * @module
 */
import type { IndicatorParams } from "../types.ts";
import type { RobustnessSettings } from "./optimizer_settings.ts";

/** Default relative step of a neighbour parameter (spec §8.7: base·0.85, base, base·1.15). */
export const DEFAULT_NEIGHBOUR_SPREAD = 0.15;

/** Schema bounds of the integer parameters (core/preset.ts INDICATOR_FIELDS). */
const I1_MIN = 1;
const I1_MAX = 1000;
const I2_MIN = 2;

const KEYS = ["i1", "i2", "i3", "i4", "i5"] as const;

/**
 * `x` rounded to 2 decimals exactly as Python's `round(x, 2)`: the binary value is rounded
 * correctly (0.3 · 1.15 is 0.34499… in binary, so 0.34), and an exact binary tie goes to the even
 * digit (2.5 · 0.85 = 2.125 exactly, so 2.12). `toFixed` rounds the exact binary value but sends
 * ties up; a tie at the third decimal happens exactly when 8x is an odd integer.
 */
function roundLikePython2(x: number): number {
  const eighths = x * 8;
  if (Number.isInteger(eighths) && eighths % 2 !== 0) {
    const down = Math.floor(x * 100);
    return (down % 2 === 0 ? down : down + 1) / 100;
  }
  return Number(x.toFixed(2));
}

function distinct(values: readonly number[]): number[] {
  return [...new Set(values)];
}

function integerValues(
  base: number,
  spread: number,
  bounds: { min: number; max: number },
): number[] {
  const low = Math.max(bounds.min, Math.floor(base * (1 - spread)));
  const high = Math.min(bounds.max, Math.floor(base * (1 + spread)) + 1);
  return distinct([low, base, high]);
}

function floatValues(base: number, spread: number): number[] {
  const low = roundLikePython2(base * (1 - spread));
  const high = roundLikePython2(base * (1 + spread));
  return distinct([low, base, high]);
}

function checkBase(base: IndicatorParams): void {
  const integerOk = (v: number, min: number, max: number) =>
    Number.isInteger(v) && v >= min && v <= max;
  const checks: [string, boolean, string][] = [
    ["i1", integerOk(base.i1, I1_MIN, I1_MAX), "an integer from 1 to 1000"],
    ["i2", integerOk(base.i2, I2_MIN, Infinity), "an integer of at least 2"],
    ["i3", Number.isFinite(base.i3) && base.i3 >= 0, "a finite number >= 0"],
    ["i4", Number.isFinite(base.i4) && base.i4 >= 0, "a finite number >= 0"],
    ["i5", Number.isFinite(base.i5) && base.i5 >= 0, "a finite number >= 0"],
  ];
  for (const [key, ok, rule] of checks) {
    if (!ok) {
      throw new RangeError(
        `Cannot build robustness neighbours as 'base.${key}' must be ${rule}: current value is ${
          base[key as keyof IndicatorParams]
        }`,
      );
    }
  }
}

function cartesian(axes: readonly (readonly number[])[]): number[][] {
  let rows: number[][] = [[]];
  for (const axis of axes) {
    rows = rows.flatMap((row) => axis.map((value) => [...row, value]));
  }
  return rows;
}

/**
 * The neighbours of a preset (spec §8.7). Each parameter takes three values, low, base, high:
 * - i1, i2 (integers): low = max(1, ⌊base·(1 − spread)⌋), high = ⌊base·(1 + spread)⌋ + 1
 *   (i1 40 → 34, 40, 47). The schema's bounds also apply: i2 low is at least 2 and i1 high at most
 *   1000 (no preset reaches either).
 * - i3, i4, i5: base·(1 ∓ spread) rounded to 2 decimals as Python's `round(x, 2)` does, since the
 *   original was Python (0.3 → 0.26, 0.3, 0.34; an exact tie like 2.125 goes to even, 2.12).
 *
 * A value equal to another of the same parameter (low clamped onto the base, as for i1 = 1, or
 * a float base of 0) is kept once, so no neighbour repeats and the base never appears: a
 * parameter with two distinct values gives 2 · 3⁴ − 1 = 161 neighbours instead of 242.
 *
 * @param base The preset's parameters (i1 integer 1..1000, i2 integer ≥ 2, i3..i5 ≥ 0).
 * @param spread Relative step in (0, 1); default 0.15.
 * @returns The neighbours, frozen, in cartesian order i1 outermost … i5 innermost, each axis
 *   low, base, high, with the base left out.
 * @throws {RangeError} When the spread is not in (0, 1) or the base is outside the schema.
 */
export function neighbourParams(
  base: IndicatorParams,
  spread: number = DEFAULT_NEIGHBOUR_SPREAD,
): IndicatorParams[] {
  if (!(spread > 0 && spread < 1)) {
    throw new RangeError(
      `Cannot build robustness neighbours as 'spread' must be a number in (0, 1): current value is ${spread}`,
    );
  }
  checkBase(base);
  const axes = [
    integerValues(base.i1, spread, { min: I1_MIN, max: I1_MAX }),
    integerValues(base.i2, spread, { min: I2_MIN, max: Infinity }),
    floatValues(base.i3, spread),
    floatValues(base.i4, spread),
    floatValues(base.i5, spread),
  ];
  const neighbours: IndicatorParams[] = [];
  for (const row of cartesian(axes)) {
    const [i1 = 0, i2 = 0, i3 = 0, i4 = 0, i5 = 0] = row;
    const isBase = KEYS.every((key, k) => row[k] === base[key]);
    if (!isBase) neighbours.push(Object.freeze({ i1, i2, i3, i4, i5 }));
  }
  return neighbours;
}

/** One neighbour's out-of-sample outcome. */
export interface NeighbourOutcome {
  /** Composite score (spec §8.5) of the neighbour. */
  readonly score: number;
  /** Number of closed trades. */
  readonly trades: number;
  /** Total return in percent; above 0 counts as profitable. */
  readonly totalReturnPct: number;
}

/** The robustness verdict of a preset over its neighbours. */
export interface RobustnessResult {
  /** 0-100. */
  readonly score: number;
  /** True when no rule failed. */
  readonly robust: boolean;
  /** The preset's own score, as given. */
  readonly baseScore: number;
  /** Number of neighbours evaluated. */
  readonly neighbours: number;
  /** Neighbours with at least `minNeighbourTrades` trades. */
  readonly valid: number;
  /** valid / neighbours · 100 (0 when there are no neighbours). */
  readonly validPct: number;
  /** Neighbours with a total return above 0. */
  readonly profitable: number;
  /** Mean score of valid neighbours. */
  readonly meanScore: number;
  /** Population standard deviation of valid neighbours' scores. */
  readonly scoreStdev: number;
  /** Largest degradation of a valid neighbour, percent (negative when all are better). */
  readonly maxDegradationPct: number;
  /** Mean degradation of valid neighbours, percent. */
  readonly meanDegradationPct: number;
  /** One readable line per failed rule; empty when robust. */
  readonly failures: readonly string[];
}

function checkOutcomes(
  baseScore: number,
  neighbours: readonly NeighbourOutcome[],
): void {
  if (!Number.isFinite(baseScore)) {
    throw new RangeError(
      `Cannot judge robustness as 'baseScore' must be a finite number: current value is ${baseScore}`,
    );
  }
  neighbours.forEach((n, k) => {
    const fields: [string, number, boolean][] = [
      ["score", n.score, Number.isFinite(n.score)],
      ["trades", n.trades, Number.isInteger(n.trades) && n.trades >= 0],
      ["totalReturnPct", n.totalReturnPct, Number.isFinite(n.totalReturnPct)],
    ];
    for (const [name, value, ok] of fields) {
      if (!ok) {
        const rule = name === "trades" ? "an integer >= 0" : "a finite number";
        throw new RangeError(
          `Cannot judge robustness as 'neighbours[${k}].${name}' must be ${rule}: current value is ${value}`,
        );
      }
    }
  });
}

function mean(values: readonly number[]): number {
  return values.length === 0
    ? 0
    : values.reduce((sum, v) => sum + v, 0) / values.length;
}

function populationStdev(values: readonly number[]): number {
  const m = mean(values);
  return Math.sqrt(mean(values.map((v) => (v - m) ** 2)));
}

function clip100(value: number): number {
  return Math.min(100, Math.max(0, value));
}

function failuresOf(
  r: Omit<RobustnessResult, "score" | "robust" | "failures">,
  s: RobustnessSettings,
): string[] {
  const pct = (v: number) => v.toFixed(1);
  const failures: string[] = [];
  if (r.baseScore <= 0) {
    failures.push(
      `base score is ${
        Number(r.baseScore.toFixed(1))
      }: nothing to compare with`,
    );
  }
  if (r.validPct < s.minValidPct) {
    failures.push(
      `valid neighbours ${pct(r.validPct)} % < ${s.minValidPct} %`,
    );
  }
  if (r.maxDegradationPct > s.maxDegradationPct) {
    failures.push(
      `max degradation ${
        pct(r.maxDegradationPct)
      } % > ${s.maxDegradationPct} %`,
    );
  }
  if (r.meanDegradationPct > s.maxMeanDegradationPct) {
    failures.push(
      `mean degradation ${
        pct(r.meanDegradationPct)
      } % > ${s.maxMeanDegradationPct} %`,
    );
  }
  if (r.scoreStdev > s.maxScoreStdev) {
    failures.push(`score stdev ${pct(r.scoreStdev)} > ${s.maxScoreStdev}`);
  }
  return failures;
}

/**
 * The robustness verdict and score of spec §8.7 with the DESIGN choices of the module doc.
 *
 * @param baseScore The preset's own composite score.
 * @param neighbours The outcomes of its neighbours ({@link neighbourParams}), any order.
 * @param settings Minimum trades of a valid neighbour and the four rule thresholds.
 * @returns The score 0-100, whether the preset is robust, the statistics and one line per failed
 *   rule, e.g. "valid neighbours 55.0 % < 70 %".
 * @throws {RangeError} When the base score or a neighbour's field is not a finite number, or
 *   trades is not an integer ≥ 0.
 */
export function robustnessOf(
  baseScore: number,
  neighbours: readonly NeighbourOutcome[],
  settings: RobustnessSettings,
): RobustnessResult {
  checkOutcomes(baseScore, neighbours);
  const validScores = neighbours
    .filter((n) => n.trades >= settings.minNeighbourTrades)
    .map((n) => n.score);
  const degradations = baseScore > 0
    ? validScores.map((s) => (baseScore - s) / baseScore * 100)
    : [];
  const stats = {
    baseScore,
    neighbours: neighbours.length,
    valid: validScores.length,
    validPct: neighbours.length === 0
      ? 0
      : validScores.length / neighbours.length * 100,
    profitable: neighbours.filter((n) => n.totalReturnPct > 0).length,
    meanScore: mean(validScores),
    scoreStdev: populationStdev(validScores),
    maxDegradationPct: degradations.length === 0
      ? 0
      : Math.max(...degradations),
    meanDegradationPct: mean(degradations),
  };
  const failures = failuresOf(stats, settings);
  const meanTerm = baseScore > 0
    ? clip100(stats.meanScore / baseScore * 100)
    : 0;
  const stabilityTerm = (1 - Math.min(1, stats.scoreStdev / 50)) * 100;
  const score = stats.valid === 0
    ? 0
    : 0.4 * stats.validPct + 0.4 * meanTerm + 0.2 * stabilityTerm;
  return Object.freeze({
    ...stats,
    score,
    robust: failures.length === 0,
    failures: Object.freeze(failures),
  });
}
