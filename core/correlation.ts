/**
 * Correlation of close-to-close returns (spec §9.3, DESIGN §2 "Portfolio"): two series are
 * aligned on equal open times inside a window of `days` ending at `endTime`, simple returns are
 * taken between consecutive aligned rows (a time missing from either series is dropped, so the
 * return spans the gap) and their Pearson coefficient is computed. Fewer than `minPoints` returns
 * give undefined, which the portfolio rule treats as "no data, allow".
 *
 * @module
 */

/** Options of the returns correlation. */
export interface CorrelationWindow {
  /** End of the window, inclusive, in epoch ms (normally the latest common open time). */
  readonly endTime: number;
  /** Length of the window in days; it starts after `endTime − days · 86 400 000`. Default 30. */
  readonly days?: number;
  /** Minimum number of returns for a coefficient. Default 20. */
  readonly minPoints?: number;
}

/** Inputs of `returnsCorrelation`: two close series with ascending open times. */
export interface ReturnsCorrelationInputs extends CorrelationWindow {
  readonly timesA: Float64Array;
  readonly closesA: Float64Array;
  readonly timesB: Float64Array;
  readonly closesB: Float64Array;
}

/** One series of `correlationMatrix`. */
export interface CorrelationSeries {
  readonly symbol: string;
  /** Open times, epoch ms, ascending. */
  readonly times: Float64Array;
  readonly closes: Float64Array;
}

/** A symmetric correlation matrix as plain data (it survives `postMessage`). */
export interface CorrelationMatrix {
  readonly symbols: readonly string[];
  /** Row-major n × n coefficients; NaN where there is no coefficient; 1 on the diagonal. */
  readonly values: Float64Array;
}

const DAY_MS = 86_400_000;
const DEFAULT_DAYS = 30;
const DEFAULT_MIN_POINTS = 20;

/**
 * Pearson correlation, two-pass (means first, then the centred sums).
 *
 * @param a First sample.
 * @param b Second sample, as long as `a`.
 * @returns The coefficient in [-1, 1], or NaN with fewer than 2 points or zero variance.
 * @throws {RangeError} When the lengths differ.
 */
export function pearson(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) {
    throw new RangeError(
      `Cannot compute correlation as 'b.length' must equal 'a.length' (${a.length}): current value is ${b.length}`,
    );
  }
  return pearsonOf(a, b, a.length);
}

function pearsonOf(a: Float64Array, b: Float64Array, n: number): number {
  if (n < 2) return NaN;
  let sumA = 0;
  let sumB = 0;
  for (let i = 0; i < n; i++) {
    sumA += a[i]!;
    sumB += b[i]!;
  }
  const meanA = sumA / n;
  const meanB = sumB / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - meanA;
    const db = b[i]! - meanB;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  if (saa === 0 || sbb === 0) return NaN;
  const rho = sab / Math.sqrt(saa * sbb);
  return Math.min(1, Math.max(-1, rho));
}

/** Index of the first time > `time` (times ascending). */
function firstAfter(times: Float64Array, time: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (times[mid]! > time) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function checkColumns(
  times: Float64Array,
  closes: Float64Array,
  field: string,
): void {
  if (times.length !== closes.length) {
    throw new RangeError(
      `Cannot compute correlation as '${field}.length' must equal the times length (${times.length}): current value is ${closes.length}`,
    );
  }
}

function resolveWindow(
  window: CorrelationWindow,
): { endTime: number; days: number; minPoints: number } {
  const days = window.days ?? DEFAULT_DAYS;
  const minPoints = window.minPoints ?? DEFAULT_MIN_POINTS;
  if (!Number.isFinite(window.endTime)) {
    throw new RangeError(
      `Cannot compute correlation as 'endTime' must be a finite number: current value is ${window.endTime}`,
    );
  }
  if (!(Number.isFinite(days) && days > 0)) {
    throw new RangeError(
      `Cannot compute correlation as 'days' must be a finite number > 0: current value is ${days}`,
    );
  }
  if (!(Number.isInteger(minPoints) && minPoints >= 2)) {
    throw new RangeError(
      `Cannot compute correlation as 'minPoints' must be an integer >= 2: current value is ${minPoints}`,
    );
  }
  return { endTime: window.endTime, days, minPoints };
}

/**
 * Pearson correlation of simple close-to-close returns of two series aligned on equal open
 * times within (endTime − days · 86 400 000, endTime]. Linear-time merge of the two sorted
 * time columns.
 *
 * @param inputs Times and closes of both series (ascending), `endTime`, `days` (30) and
 *   `minPoints` (20).
 * @returns The coefficient, or undefined with fewer than `minPoints` returns or zero variance.
 * @throws {RangeError} When a column length differs from its times, or the window is invalid.
 */
export function returnsCorrelation(
  inputs: ReturnsCorrelationInputs,
): number | undefined {
  const { timesA, closesA, timesB, closesB } = inputs;
  checkColumns(timesA, closesA, "closesA");
  checkColumns(timesB, closesB, "closesB");
  const { endTime, days, minPoints } = resolveWindow(inputs);
  const start = endTime - days * DAY_MS;
  let i = firstAfter(timesA, start);
  let j = firstAfter(timesB, start);
  const endA = firstAfter(timesA, endTime);
  const endB = firstAfter(timesB, endTime);
  const capacity = Math.max(0, Math.min(endA - i, endB - j) - 1);
  if (capacity < minPoints) return undefined;
  const returnsA = new Float64Array(capacity);
  const returnsB = new Float64Array(capacity);
  let count = 0;
  let previousA = NaN;
  let previousB = NaN;
  let aligned = 0;
  while (i < endA && j < endB) {
    const ta = timesA[i]!;
    const tb = timesB[j]!;
    if (ta < tb) i++;
    else if (tb < ta) j++;
    else {
      const closeA = closesA[i]!;
      const closeB = closesB[j]!;
      if (aligned > 0) {
        returnsA[count] = closeA / previousA - 1;
        returnsB[count] = closeB / previousB - 1;
        count++;
      }
      previousA = closeA;
      previousB = closeB;
      aligned++;
      i++;
      j++;
    }
  }
  if (count < minPoints) return undefined;
  const rho = pearsonOf(returnsA, returnsB, count);
  return Number.isNaN(rho) ? undefined : rho;
}

/**
 * Correlation matrix of several series over the same window (see `returnsCorrelation`).
 *
 * @param series The series, one per symbol.
 * @param window `endTime`, `days` (30) and `minPoints` (20).
 * @returns The symbols in input order and the n × n coefficients (NaN where undefined).
 * @throws {RangeError} When a symbol appears twice, or as `returnsCorrelation`.
 */
export function correlationMatrix(
  series: readonly CorrelationSeries[],
  window: CorrelationWindow,
): CorrelationMatrix {
  const n = series.length;
  const symbols = series.map((s) => s.symbol);
  const duplicate = symbols.find((s, k) => symbols.indexOf(s) !== k);
  if (duplicate !== undefined) {
    throw new RangeError(
      `Cannot compute correlation matrix as 'series' must have distinct symbols: current value is '${duplicate}' twice`,
    );
  }
  const values = new Float64Array(n * n).fill(NaN);
  for (let a = 0; a < n; a++) {
    values[a * n + a] = 1;
    const sa = series[a]!;
    for (let b = a + 1; b < n; b++) {
      const sb = series[b]!;
      const rho = returnsCorrelation({
        ...window,
        timesA: sa.times,
        closesA: sa.closes,
        timesB: sb.times,
        closesB: sb.closes,
      }) ?? NaN;
      values[a * n + b] = rho;
      values[b * n + a] = rho;
    }
  }
  return { symbols, values };
}

/**
 * Looks up a coefficient in a matrix.
 *
 * @param matrix The matrix.
 * @param a First symbol.
 * @param b Second symbol.
 * @returns 1 for a known symbol with itself, the coefficient, or undefined when a symbol is
 *   unknown or the pair has no coefficient.
 */
export function lookupCorrelation(
  matrix: CorrelationMatrix,
  a: string,
  b: string,
): number | undefined {
  const n = matrix.symbols.length;
  const ia = matrix.symbols.indexOf(a);
  const ib = matrix.symbols.indexOf(b);
  if (ia < 0 || ib < 0) return undefined;
  if (ia === ib) return 1;
  const value = matrix.values[ia * n + ib];
  return value === undefined || Number.isNaN(value) ? undefined : value;
}
