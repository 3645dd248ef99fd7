/**
 * Sparse tables of running maxima/minima: level k holds, at index t, the extreme of the 2^k
 * values ending at t. Any window w ending at t is then the extreme of two overlapping level-k
 * entries (k = ⌊log2 w⌋): one pass per level builds the table once per series, after which every
 * channel length (38 distinct i1 values in the 60 presets) costs two lookups per bar. Max and min
 * are exact, so the result equals any other method bit for bit.
 *
 * @module
 */
import type { Workspace } from "./workspace.ts";

/** Level arrays of one column (level 0 is the column itself). */
export interface SparseTable {
  readonly levels: readonly Float64Array[];
  readonly max: boolean;
}

/**
 * Builds the levels needed for windows up to `maxWindow`.
 *
 * @param values The column (e.g. highs).
 * @param options `maxWindow`, `max` (true: maxima, false: minima), and the `workspace` and key
 *   prefix to take the level buffers from.
 * @returns The table.
 */
export function buildSparseTable(
  values: Float64Array,
  options: {
    readonly maxWindow: number;
    readonly max: boolean;
    readonly workspace: Workspace;
    readonly key: string;
  },
): SparseTable {
  const n = values.length;
  const top = 31 - Math.clz32(Math.max(1, options.maxWindow));
  const levels: Float64Array[] = [values];
  for (let k = 1; k <= top; k++) {
    const previous = levels[k - 1]!;
    const current = options.workspace.floats(`${options.key}:${k}`, n);
    const half = 1 << (k - 1);
    const head = Math.min(half, n);
    for (let t = 0; t < head; t++) current[t] = previous[t]!;
    if (options.max) {
      for (let t = half; t < n; t++) {
        const a = previous[t]!;
        const b = previous[t - half]!;
        current[t] = a > b ? a : b;
      }
    } else {
      for (let t = half; t < n; t++) {
        const a = previous[t]!;
        const b = previous[t - half]!;
        current[t] = a < b ? a : b;
      }
    }
    levels.push(current);
  }
  return { levels, max: options.max };
}

/**
 * Fills `out` with the extreme over `window` bars ending at each bar (NaN until full).
 *
 * @param table A table built for windows of at least `window`.
 * @param options `window` length and the `out` column.
 * @returns `out`.
 */
export function windowExtremes(
  table: SparseTable,
  options: { readonly window: number; readonly out: Float64Array },
): Float64Array {
  const { window, out } = options;
  const k = 31 - Math.clz32(window);
  const level = table.levels[k];
  if (level === undefined) {
    throw new RangeError(
      `Cannot read window extremes as 'window' must be at most the table's range: current value is ${window}`,
    );
  }
  const offset = window - (1 << k);
  const n = out.length;
  const first = Math.min(window - 1, n);
  for (let t = 0; t < first; t++) out[t] = NaN;
  if (table.max) {
    for (let t = window - 1; t < n; t++) {
      const a = level[t]!;
      const b = level[t - offset]!;
      out[t] = a > b ? a : b;
    }
  } else {
    for (let t = window - 1; t < n; t++) {
      const a = level[t]!;
      const b = level[t - offset]!;
      out[t] = a < b ? a : b;
    }
  }
  return out;
}
