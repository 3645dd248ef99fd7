/**
 * Continuity of a candle series: holes in its open times, the ranges still to fetch for a
 * window, and the merge of new candles into stored ones (append, dedupe, keep ascending).
 *
 * A hole is described by the open times of its first and last missing candle (both inclusive)
 * and the number of candles missing, so a downloader can fetch exactly `[fromOpenTime,
 * toOpenTime]`. Open times must be strictly ascending multiples of the timeframe, as the candle
 * loader and the store guarantee.
 *
 * Merge rule for equal open times: a value of NaN means "unknown" (for example the trade count
 * of a candle imported from CSV). Two rows agree when every column is equal or unknown on one
 * side; the merged row keeps every known value, filling unknowns from the other side. Rows that
 * disagree on a known value are a conflict, resolved by `onConflict`: `reject` (the default:
 * nothing is merged and the first conflict is returned), `keep` (the stored value wins) or
 * `replace` (the incoming value wins).
 *
 * @module
 */

/** A run of missing candles: first and last missing open time (inclusive) and their count. */
export interface CandleGap {
  /** Open time of the first missing candle, epoch ms. */
  readonly fromOpenTime: number;
  /** Open time of the last missing candle, epoch ms (inclusive). */
  readonly toOpenTime: number;
  /** Number of missing candles. */
  readonly missing: number;
}

/** Totals over a list of gaps. */
export interface GapSummary {
  /** Number of holes. */
  readonly count: number;
  /** Missing candles over all holes. */
  readonly missing: number;
  /** Missing candles of the largest hole (0 without holes). */
  readonly largest: number;
}

/** Window of `missingRanges`: open times from `from` (inclusive) to `to` (exclusive). */
export interface MissingRangeOptions {
  /** Earliest open time wanted, epoch ms (inclusive; rounded up to the timeframe). */
  readonly from: number;
  /** End of the window, epoch ms (exclusive): the open time of the still-forming candle. */
  readonly to: number;
}

/** What to do when stored and incoming candles disagree at one open time. */
export type ConflictPolicy = "reject" | "keep" | "replace";

/** Options of `mergeCandles`. */
export interface MergeOptions {
  /** Resolution of disagreeing rows; `reject` by default. */
  readonly onConflict?: ConflictPolicy;
}

/** The first disagreement found by `mergeCandles`. */
export interface CandleConflict {
  /** Open time of the row, epoch ms. */
  readonly openTime: number;
  /** The first column that differs. */
  readonly column: string;
  /** The stored value. */
  readonly existing: number;
  /** The incoming value. */
  readonly incoming: number;
}

/** Outcome of `mergeCandles`. */
export type MergeResult<T> =
  | {
    readonly kind: "merged";
    /** The merged series, ascending, one row per open time. */
    readonly columns: T;
    /** Rows whose open time was not stored before. */
    readonly added: number;
    /** Stored rows that changed (a conflict resolved by `replace`, or unknowns filled). */
    readonly replaced: number;
    /** Stored rows that the incoming candles repeated without changing anything. */
    readonly unchanged: number;
  }
  | {
    readonly kind: "conflict";
    /** Number of open times whose rows disagree. */
    readonly count: number;
    /** The earliest disagreement. */
    readonly first: CandleConflict;
  };

/** Columns of a series: every own property is a Float64Array of the same length. */
export type ColumnSeries = { readonly openTime: Float64Array };

function checkStep(stepMs: number, action: string): void {
  if (!Number.isSafeInteger(stepMs) || stepMs <= 0) {
    throw new RangeError(
      `Cannot ${action} as 'stepMs' must be a positive integer: current value is ${stepMs}`,
    );
  }
}

function offGrid(action: string, previous: number, time: number): RangeError {
  return new RangeError(
    `Cannot ${action} as 'openTime' must be strictly ascending multiples of the timeframe: current value is ${time} after ${previous}`,
  );
}

/**
 * Lists the holes of a series.
 *
 * @param openTime Open times, strictly ascending multiples of `stepMs`.
 * @param stepMs The timeframe in ms.
 * @returns The holes, oldest first (empty when the series is continuous).
 * @throws {RangeError} When `stepMs` is not a positive integer or the times are off the grid.
 */
export function findGaps(openTime: Float64Array, stepMs: number): CandleGap[] {
  const action = "find gaps";
  checkStep(stepMs, action);
  const gaps: CandleGap[] = [];
  for (let i = 1; i < openTime.length; i++) {
    const previous = openTime[i - 1]!;
    const time = openTime[i]!;
    const delta = time - previous;
    if (delta === stepMs) continue;
    if (!(delta > 0) || delta % stepMs !== 0) {
      throw offGrid(action, previous, time);
    }
    gaps.push({
      fromOpenTime: previous + stepMs,
      toOpenTime: time - stepMs,
      missing: delta / stepMs - 1,
    });
  }
  return gaps;
}

/**
 * Totals a list of gaps.
 *
 * @param gaps Holes as returned by `findGaps` or `missingRanges`.
 * @returns Count, missing candles and the size of the largest hole.
 */
export function summarizeGaps(gaps: readonly CandleGap[]): GapSummary {
  let missing = 0;
  let largest = 0;
  for (const gap of gaps) {
    missing += gap.missing;
    if (gap.missing > largest) largest = gap.missing;
  }
  return { count: gaps.length, missing, largest };
}

/**
 * The candles of a window that a series lacks, as ranges to fetch: before its first candle,
 * inside its holes and after its last one. Candles are expected at every multiple of `stepMs`
 * from `from` (rounded up) up to but excluding `to`.
 *
 * @param openTime Stored open times, strictly ascending multiples of `stepMs` (may be empty).
 * @param stepMs The timeframe in ms.
 * @param options `from` (inclusive) and `to` (exclusive), epoch ms.
 * @returns The missing ranges, oldest first (empty when nothing is missing).
 * @throws {RangeError} When the step or window is invalid or the times are off the grid.
 */
export function missingRanges(
  openTime: Float64Array,
  stepMs: number,
  options: MissingRangeOptions,
): CandleGap[] {
  const action = "find missing candles";
  checkStep(stepMs, action);
  const { from, to } = options;
  for (const [name, value] of [["from", from], ["to", to]] as const) {
    if (!Number.isSafeInteger(value)) {
      throw new RangeError(
        `Cannot ${action} as '${name}' must be an integer time in ms: current value is ${value}`,
      );
    }
  }
  if (from > to) {
    throw new RangeError(
      `Cannot ${action} as 'from' must not be after 'to' (${to}): current value is ${from}`,
    );
  }
  const ranges: CandleGap[] = [];
  const push = (first: number, last: number): void => {
    if (last >= first) {
      ranges.push({
        fromOpenTime: first,
        toOpenTime: last,
        missing: (last - first) / stepMs + 1,
      });
    }
  };
  let cursor = Math.ceil(from / stepMs) * stepMs;
  let i = lowerBound(openTime, cursor);
  for (; i < openTime.length; i++) {
    const time = openTime[i]!;
    if (time >= to) break;
    if ((time - cursor) % stepMs !== 0) {
      throw offGrid(action, i > 0 ? openTime[i - 1]! : cursor, time);
    }
    push(cursor, time - stepMs);
    cursor = time + stepMs;
  }
  push(cursor, Math.floor((to - 1) / stepMs) * stepMs);
  return ranges;
}

/**
 * Index of the first element of an ascending array that is at least `value`.
 *
 * @param sorted Ascending values.
 * @param value The bound.
 * @returns An index from 0 to `sorted.length`.
 */
export function lowerBound(sorted: Float64Array, value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (sorted[mid]! < value) low = mid + 1;
    else high = mid;
  }
  return low;
}

function columnsOf<T extends ColumnSeries>(
  series: T,
  name: string,
): [string, Float64Array][] {
  const entries = Object.entries(series) as [string, unknown][];
  const n = series.openTime.length;
  for (const [key, value] of entries) {
    if (!(value instanceof Float64Array) || value.length !== n) {
      throw new TypeError(
        `Cannot merge candles as '${name}.${key}' must be a Float64Array of ${n} values: current value is ${
          value instanceof Float64Array
            ? `${value.length} values`
            : typeof value
        }`,
      );
    }
  }
  return entries as [string, Float64Array][];
}

function checkAscending(openTime: Float64Array, name: string): void {
  for (let i = 1; i < openTime.length; i++) {
    if (!(openTime[i]! > openTime[i - 1]!)) {
      throw new RangeError(
        `Cannot merge candles as '${name}.openTime' must be strictly ascending: current value is ${
          openTime[i]
        } after ${openTime[i - 1]}`,
      );
    }
  }
}

/**
 * Merges incoming candles into stored ones by open time (see the module doc for the rule).
 * Both inputs are left untouched; the result has fresh arrays unless one side is empty.
 *
 * @param existing The stored series, strictly ascending.
 * @param incoming The new candles with the same columns, strictly ascending.
 * @param options `onConflict`: `reject` (default), `keep` or `replace`.
 * @returns The merged series with counts, or the first conflict when rejected.
 * @throws {TypeError} When the column sets differ or a column is not a Float64Array.
 * @throws {RangeError} When an input is not strictly ascending.
 */
export function mergeCandles<T extends ColumnSeries>(
  existing: T,
  incoming: T,
  options: MergeOptions = {},
): MergeResult<T> {
  const policy = options.onConflict ?? "reject";
  const old = columnsOf(existing, "existing");
  const fresh = columnsOf(incoming, "incoming");
  const names = old.map(([key]) => key);
  const byName = new Map(fresh);
  if (fresh.length !== names.length || names.some((key) => !byName.has(key))) {
    throw new TypeError(
      `Cannot merge candles as 'incoming' must have the columns ${
        names.join(", ")
      }: current value is ${fresh.map(([key]) => key).join(", ")}`,
    );
  }
  const a = existing.openTime;
  const b = incoming.openTime;
  checkAscending(a, "existing");
  checkAscending(b, "incoming");
  const olds = old.map(([, values]) => values);
  const news = names.map((key) => byName.get(key)!);
  // Pass 1: count rows and check overlapping rows.
  let count = 0;
  let conflicts = 0;
  let first: CandleConflict | undefined;
  let replaced = 0;
  let unchanged = 0;
  for (let i = 0, j = 0; i < a.length || j < b.length;) {
    const ta = i < a.length ? a[i]! : Infinity;
    const tb = j < b.length ? b[j]! : Infinity;
    count++;
    if (ta < tb) i++;
    else if (tb < ta) j++;
    else {
      let differs = false;
      let fills = false;
      for (let k = 0; k < olds.length; k++) {
        const x = olds[k]![i]!;
        const y = news[k]![j]!;
        if (x === y || Number.isNaN(y)) continue;
        if (Number.isNaN(x)) {
          fills = true;
          continue;
        }
        if (first === undefined) {
          first = { openTime: ta, column: names[k]!, existing: x, incoming: y };
        }
        differs = true;
      }
      if (differs) conflicts++;
      if (fills || (differs && policy === "replace")) replaced++;
      else unchanged++;
      i++;
      j++;
    }
  }
  if (conflicts > 0 && policy === "reject") {
    return { kind: "conflict", count: conflicts, first: first! };
  }
  const added = count - a.length;
  if (a.length === 0 || b.length === 0) {
    return {
      kind: "merged",
      columns: b.length === 0 ? existing : incoming,
      added,
      replaced,
      unchanged,
    };
  }
  // Pass 2: fill fresh arrays.
  const out = olds.map(() => new Float64Array(count));
  for (let i = 0, j = 0, r = 0; r < count; r++) {
    const ta = i < a.length ? a[i]! : Infinity;
    const tb = j < b.length ? b[j]! : Infinity;
    if (ta < tb) {
      for (let k = 0; k < out.length; k++) out[k]![r] = olds[k]![i]!;
      i++;
    } else if (tb < ta) {
      for (let k = 0; k < out.length; k++) out[k]![r] = news[k]![j]!;
      j++;
    } else {
      for (let k = 0; k < out.length; k++) {
        const x = olds[k]![i]!;
        const y = news[k]![j]!;
        out[k]![r] =
          Number.isNaN(x) || (policy === "replace" && !Number.isNaN(y)) ? y : x;
      }
      i++;
      j++;
    }
  }
  const columns = Object.fromEntries(names.map((key, k) => [key, out[k]!]));
  return { kind: "merged", columns: columns as T, added, replaced, unchanged };
}
