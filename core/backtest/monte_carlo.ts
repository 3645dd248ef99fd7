/**
 * The optimizer's Monte Carlo (DESIGN §2): how much of a result is luck, seen two ways.
 *
 * - Trade-order shuffle: the trade returns are permuted (Fisher–Yates) over the original booking
 *   days, and the daily path is rebuilt. The compounded total return does not depend on the order,
 *   so its percentiles equal the original; drawdown changes with the order, and Sharpe changes
 *   only when several trades share a day (with one trade per day the daily returns are a
 *   permutation of the original ones and Sharpe is the same in every run).
 * - Block bootstrap: the original path's daily returns are resampled in circular blocks of
 *   `blockDays` consecutive days, each block starting on a uniformly random day and wrapping
 *   around the end, to a series of the same length.
 *
 * A path's daily equity starts at 1 before day 0; each day it is multiplied by (1 + r) for every
 * trade booked that day. Sharpe is the backtester's {@linkcode sharpeRatio} of the daily returns,
 * the maximum drawdown is taken on the daily closes with the peak starting at 1, and the total
 * return is (last equity − 1) · 100. Each method runs `runs` times; the shuffle draws from
 * `createRandom(seed)` and the bootstrap from `createRandom(hashSeed(seed, "bootstrap"))`, so each
 * method is reproducible on its own. Buffers are allocated once per call, never per run.
 *
 * @module
 */
import { createRandom, hashSeed, randomInt } from "../random.ts";
import { sharpeRatio } from "./metrics_equity.ts";
import type { MonteCarloSettings } from "./optimizer_settings.ts";

/** The trades of one path, booked on days of a range. */
export interface MonteCarloInput {
  /** Net return of each trade as a fraction of equity (equity *= 1 + r), in exit order. */
  readonly tradeReturns: Float64Array;
  /** Day index (0-based from the first day of the range), ascending, on which each trade's return is booked. */
  readonly tradeDays: Int32Array;
  /** Days in the range; the daily equity curve has this many points. */
  readonly days: number;
}

/** The 5th, 50th and 95th percentiles of a statistic over the runs. */
export interface Percentiles {
  readonly p5: number;
  readonly p50: number;
  readonly p95: number;
}

/** Percentiles of each path statistic over the runs of one method. */
export interface MonteCarloStats {
  readonly totalReturnPct: Percentiles;
  readonly maxDrawdownPct: Percentiles;
  readonly sharpe: Percentiles;
}

/** The statistics of one daily path. */
export interface PathStats {
  /** (last equity − 1) · 100. */
  readonly totalReturnPct: number;
  /** Largest (peak − value) / peak · 100 of the daily closes, peak starting at 1; 0 without a decline. */
  readonly maxDrawdownPct: number;
  /** Annualised Sharpe of the daily returns ({@linkcode sharpeRatio}). */
  readonly sharpe: number;
}

/** The Monte Carlo of one set of trades. */
export interface MonteCarloResult {
  readonly runs: number;
  readonly blockDays: number;
  readonly seed: number;
  /** The path of the trades as they happened. */
  readonly original: PathStats;
  /** Trade-order shuffle. */
  readonly shuffle: MonteCarloStats;
  /** Block bootstrap of the daily returns. */
  readonly bootstrap: MonteCarloStats;
  /** Plain-English verdict lines, deterministic text. */
  readonly verdicts: readonly string[];
}

/** Key of the bootstrap generator's seed, derived from the run seed. */
const BOOTSTRAP_KEY = "bootstrap";

/**
 * Relative margin under which an original statistic counts as equal to a percentile: summing the
 * same daily returns in another order changes Sharpe in the last bits, which must not read as luck.
 */
const TIE = 1e-9;

/** Per-run results of one method, one slot per run. */
interface Sink {
  readonly totalReturnPct: Float64Array;
  readonly maxDrawdownPct: Float64Array;
  readonly sharpe: Float64Array;
}

function fail(field: string, rule: string, value: unknown): never {
  throw new RangeError(
    `Cannot run the Monte Carlo as '${field}' must be ${rule}: current value is ${value}`,
  );
}

function checkPositiveInteger(field: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    fail(field, "a positive integer", value);
  }
}

function checkInput(
  input: MonteCarloInput,
  settings: MonteCarloSettings,
  seed: number,
): void {
  const { tradeReturns, tradeDays, days } = input;
  if (!Number.isInteger(seed)) fail("seed", "a finite integer", seed);
  checkPositiveInteger("runs", settings.runs);
  checkPositiveInteger("blockDays", settings.blockDays);
  checkPositiveInteger("days", days);
  if (tradeDays.length !== tradeReturns.length) {
    fail(
      "tradeDays.length",
      `equal to 'tradeReturns.length' (${tradeReturns.length})`,
      tradeDays.length,
    );
  }
  let previous = 0;
  for (let i = 0; i < tradeDays.length; i++) {
    const day = tradeDays[i]!;
    if (day < previous || day >= days) {
      fail(
        `tradeDays[${i}]`,
        `ascending and from ${previous} to ${days - 1}`,
        day,
      );
    }
    previous = day;
    const r = tradeReturns[i]!;
    if (!Number.isFinite(r) || r <= -1) {
      fail(`tradeReturns[${i}]`, "a finite number above -1", r);
    }
  }
}

/**
 * The value at percentile p of sorted values, by linear interpolation between the closest ranks
 * (numpy's default, Hyndman–Fan type 7): position (n − 1) · p / 100.
 *
 * @param sorted Values in ascending order, at least one.
 * @param p The percentile, from 0 to 100.
 * @returns The interpolated value.
 * @throws {RangeError} When there are no values or p is outside [0, 100].
 */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) {
    throw new RangeError(
      "Cannot compute a percentile as 'sorted' must not be empty: current value is an empty array",
    );
  }
  if (!(p >= 0 && p <= 100)) {
    throw new RangeError(
      `Cannot compute a percentile as 'p' must be a number from 0 to 100: current value is ${p}`,
    );
  }
  const position = (sorted.length - 1) * p / 100;
  const low = Math.floor(position);
  const high = Math.min(low + 1, sorted.length - 1);
  const lowValue = sorted[low]!;
  return lowValue + (position - low) * (sorted[high]! - lowValue);
}

/**
 * Writes the daily returns of trades booked on `tradeDays` into `daily` (one slot per day): each
 * day's return is the product of (1 + r) over its trades, minus 1.
 */
function bookTrades(
  returns: Float64Array,
  tradeDays: Int32Array,
  daily: Float64Array,
): void {
  daily.fill(1);
  for (let i = 0; i < returns.length; i++) {
    daily[tradeDays[i]!]! *= 1 + returns[i]!;
  }
  for (let d = 0; d < daily.length; d++) daily[d]! -= 1;
}

/** Total return, max drawdown and Sharpe of a path given by its daily returns, into slot k. */
function measure(daily: Float64Array, sink: Sink, k: number): void {
  let equity = 1;
  let peak = 1;
  let depth = 0;
  for (let d = 0; d < daily.length; d++) {
    equity *= 1 + daily[d]!;
    if (equity > peak) peak = equity;
    else depth = Math.max(depth, (peak - equity) / peak);
  }
  sink.totalReturnPct[k] = (equity - 1) * 100;
  sink.maxDrawdownPct[k] = depth * 100;
  sink.sharpe[k] = sharpeRatio(daily);
}

/** Fisher–Yates: a uniform permutation of `values` in place (any starting order). */
function shuffleInPlace(values: Float64Array, random: () => number): void {
  for (let i = values.length - 1; i > 0; i--) {
    const j = randomInt(random, i + 1);
    const held = values[i]!;
    values[i] = values[j]!;
    values[j] = held;
  }
}

/** Fills `out` with circular blocks of `blockDays` days of `daily`, each from a random start. */
function resampleBlocks(
  daily: Float64Array,
  blockDays: number,
  out: Float64Array,
  random: () => number,
): void {
  const days = daily.length;
  let filled = 0;
  while (filled < days) {
    let day = randomInt(random, days);
    const end = Math.min(filled + blockDays, days);
    while (filled < end) {
      out[filled++] = daily[day]!;
      day = day + 1 === days ? 0 : day + 1;
    }
  }
}

function newSink(runs: number): Sink {
  return {
    totalReturnPct: new Float64Array(runs),
    maxDrawdownPct: new Float64Array(runs),
    sharpe: new Float64Array(runs),
  };
}

function percentilesOf(values: Float64Array): Percentiles {
  values.sort();
  return {
    p5: percentile(values, 5),
    p50: percentile(values, 50),
    p95: percentile(values, 95),
  };
}

function statsOf(sink: Sink): MonteCarloStats {
  return {
    totalReturnPct: percentilesOf(sink.totalReturnPct),
    maxDrawdownPct: percentilesOf(sink.maxDrawdownPct),
    sharpe: percentilesOf(sink.sharpe),
  };
}

function pathOf(sink: Sink): PathStats {
  return {
    totalReturnPct: sink.totalReturnPct[0]!,
    maxDrawdownPct: sink.maxDrawdownPct[0]!,
    sharpe: sink.sharpe[0]!,
  };
}

function zeroStats(): MonteCarloStats {
  const zero: Percentiles = { p5: 0, p50: 0, p95: 0 };
  return { totalReturnPct: zero, maxDrawdownPct: zero, sharpe: zero };
}

/** `value` with fixed decimals, without a minus sign on a rounded zero. */
function fixed(value: number, digits: number): string {
  const text = value.toFixed(digits);
  return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;
}

function above(value: number, limit: number): boolean {
  return value > limit + TIE * Math.max(1, Math.abs(limit));
}

function below(value: number, limit: number): boolean {
  return value < limit - TIE * Math.max(1, Math.abs(limit));
}

function sharpeVerdict(original: number, shuffled: Percentiles): string {
  const value = fixed(original, 2);
  const [p5, p95] = [fixed(shuffled.p5, 2), fixed(shuffled.p95, 2)];
  if (above(original, shuffled.p95)) {
    return `Trade order: original Sharpe ${value} is above the 95th percentile of shuffled runs (${p95}): likely luck`;
  }
  if (below(original, shuffled.p5)) {
    return `Trade order: original Sharpe ${value} is below the 5th percentile of shuffled runs (${p5}): the order of trades was unlucky`;
  }
  return `Trade order: original Sharpe ${value} lies within the shuffled runs' 5th-95th percentiles (${p5}..${p95}): the order of trades explains little`;
}

function drawdownVerdict(original: number, shuffled: Percentiles): string {
  const value = fixed(original, 1);
  const p5 = fixed(shuffled.p5, 1);
  const expect = `expect up to ${fixed(shuffled.p95, 1)} % (95th percentile)`;
  if (below(original, shuffled.p5)) {
    return `Trade order: original max drawdown ${value} % is below the 5th percentile of shuffled runs (${p5} %): the drawdown was lucky; ${expect}`;
  }
  return `Trade order: original max drawdown ${value} % is not below the 5th percentile of shuffled runs (${p5} %): ${expect}`;
}

function bootstrapVerdicts(stats: MonteCarloStats): string[] {
  const line = (label: string, p: Percentiles): string =>
    `Bootstrap: 5th/50th/95th percentile ${label} ${fixed(p.p5, 1)} % / ${
      fixed(p.p50, 1)
    } % / ${fixed(p.p95, 1)} %`;
  const lines = [
    line("return", stats.totalReturnPct),
    line("max drawdown", stats.maxDrawdownPct),
  ];
  if (stats.totalReturnPct.p5 < 0) {
    lines.push("Bootstrap: at least 5 % of resampled paths lose money");
  }
  return lines;
}

/**
 * Runs the trade-order shuffle and the block bootstrap of a set of trades.
 *
 * Verdict lines: the original Sharpe against the shuffled runs' 5th/95th percentiles ("likely
 * luck" above the 95th), the original max drawdown against the shuffled 5th percentile ("lucky"
 * below it) with the 95th as the drawdown to expect, and the bootstrap's return and drawdown
 * percentiles, plus a warning when the 5th percentile return is negative. An original within
 * 1e-9 (relative) of a percentile counts as equal to it. Without trades every statistic is 0 and
 * the only verdict is "No trades: nothing to resample".
 *
 * @param input The trades in exit order with their booking days, and the days of the range.
 * @param settings Runs per method and the bootstrap block length in days.
 * @param seed Seed of the random draws, any finite integer.
 * @returns The original path's statistics, the percentiles of both methods and the verdicts.
 * @throws {RangeError} When a setting or the seed is not a positive (finite) integer, the lengths
 *   differ, a booking day is out of range or descending, or a return is not finite or ≤ −1.
 */
export function monteCarlo(
  input: MonteCarloInput,
  settings: MonteCarloSettings,
  seed: number,
): MonteCarloResult {
  checkInput(input, settings, seed);
  const { tradeReturns, tradeDays, days } = input;
  const { runs, blockDays } = settings;
  const head = { runs, blockDays, seed };
  if (tradeReturns.length === 0) {
    return {
      ...head,
      original: { totalReturnPct: 0, maxDrawdownPct: 0, sharpe: 0 },
      shuffle: zeroStats(),
      bootstrap: zeroStats(),
      verdicts: ["No trades: nothing to resample"],
    };
  }
  const daily = new Float64Array(days);
  bookTrades(tradeReturns, tradeDays, daily);
  const single = newSink(1);
  measure(daily, single, 0);
  const original = pathOf(single);

  const sink = newSink(runs);
  const permuted = tradeReturns.slice();
  const path = new Float64Array(days);
  const shuffleRandom = createRandom(seed);
  for (let k = 0; k < runs; k++) {
    shuffleInPlace(permuted, shuffleRandom);
    bookTrades(permuted, tradeDays, path);
    measure(path, sink, k);
  }
  const shuffle = statsOf(sink);

  const bootstrapRandom = createRandom(hashSeed(seed, BOOTSTRAP_KEY));
  for (let k = 0; k < runs; k++) {
    resampleBlocks(daily, blockDays, path, bootstrapRandom);
    measure(path, sink, k);
  }
  const bootstrap = statsOf(sink);

  return {
    ...head,
    original,
    shuffle,
    bootstrap,
    verdicts: [
      sharpeVerdict(original.sharpe, shuffle.sharpe),
      drawdownVerdict(original.maxDrawdownPct, shuffle.maxDrawdownPct),
      ...bootstrapVerdicts(bootstrap),
    ],
  };
}
