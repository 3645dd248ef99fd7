/**
 * Rolling-window statistics over typed arrays: highest, lowest and standard deviation. Windows
 * count rows (bars), include the current bar, and are NaN until full.
 *
 * Highest/lowest use the van Herk/Gil-Werman block method (three comparisons per bar, whatever
 * the window). The standard deviation is computed per window as TradingView does: the window's
 * mean first, then the sum of squared deviations. Running sums of x and x² are never used: they
 * drift along a long series and such errors can flip signals.
 *
 * @module
 */

/** Reusable scratch buffers for {@link rollingMax} / {@link rollingMin}. */
export interface RollingScratch {
  /** Scratch of at least the series length. */
  prefix: Float64Array;
  /** Scratch of at least the series length. */
  suffix: Float64Array;
}

/**
 * Allocates scratch buffers for series of up to `length` bars.
 *
 * @param length The longest series the scratch will serve.
 * @returns Fresh scratch buffers.
 */
export function rollingScratch(length: number): RollingScratch {
  return { prefix: new Float64Array(length), suffix: new Float64Array(length) };
}

function checkWindow(window: number, name: string): void {
  if (!Number.isInteger(window) || window < 1) {
    throw new RangeError(
      `Cannot compute ${name} as 'window' must be an integer of at least 1: current value is ${window}`,
    );
  }
}

function blockExtreme(
  values: Float64Array,
  window: number,
  options: {
    out: Float64Array | undefined;
    scratch: RollingScratch | undefined;
    max: boolean;
  },
): Float64Array {
  const n = values.length;
  const out = options.out ?? new Float64Array(n);
  const scratch = options.scratch ?? rollingScratch(n);
  const g = scratch.prefix;
  const h = scratch.suffix;
  const max = options.max;
  for (let start = 0; start < n; start += window) {
    const end = Math.min(start + window, n) - 1;
    let acc = values[start]!;
    g[start] = acc;
    for (let i = start + 1; i <= end; i++) {
      const v = values[i]!;
      if (max ? v > acc : v < acc) acc = v;
      g[i] = acc;
    }
    acc = values[end]!;
    h[end] = acc;
    for (let i = end - 1; i >= start; i--) {
      const v = values[i]!;
      if (max ? v > acc : v < acc) acc = v;
      h[i] = acc;
    }
  }
  const first = Math.min(window - 1, n);
  for (let t = 0; t < first; t++) out[t] = NaN;
  for (let t = window - 1; t < n; t++) {
    const a = h[t - window + 1]!;
    const b = g[t]!;
    out[t] = max ? (a > b ? a : b) : (a < b ? a : b);
  }
  return out;
}

/**
 * Highest value over the last `window` bars (current included); NaN until the window is full.
 *
 * @param values The input column.
 * @param window Window length in bars (integer ≥ 1).
 * @param options Optional `out` buffer and `scratch` to reuse (avoids allocation per call).
 * @returns The rolling maximum column.
 */
export function rollingMax(
  values: Float64Array,
  window: number,
  options: { out?: Float64Array; scratch?: RollingScratch } = {},
): Float64Array {
  checkWindow(window, "rolling maximum");
  return blockExtreme(values, window, {
    out: options.out,
    scratch: options.scratch,
    max: true,
  });
}

/**
 * Lowest value over the last `window` bars (current included); NaN until the window is full.
 *
 * @param values The input column.
 * @param window Window length in bars (integer ≥ 1).
 * @param options Optional `out` buffer and `scratch` to reuse.
 * @returns The rolling minimum column.
 */
export function rollingMin(
  values: Float64Array,
  window: number,
  options: { out?: Float64Array; scratch?: RollingScratch } = {},
): Float64Array {
  checkWindow(window, "rolling minimum");
  return blockExtreme(values, window, {
    out: options.out,
    scratch: options.scratch,
    max: false,
  });
}

/**
 * Standard deviation of the `window` values ending at index `end` (inclusive): mean first, then
 * the squared deviations from it (never running sums of x and x²). Shared by the batch and
 * incremental forms so they agree to the last bit.
 *
 * @param values A column or a ring buffer laid out oldest-first from `end − window + 1`.
 * @param options `end` index, `window` length and `sample` (divide by n − 1 instead of n).
 * @returns The standard deviation.
 */
export function windowStdev(
  values: Float64Array,
  options: {
    readonly end: number;
    readonly window: number;
    readonly sample: boolean;
  },
): number {
  const { end, window } = options;
  const start = end - window + 1;
  // Two interleaved accumulators (even and odd offsets) halve the dependency chain of the sums;
  // the order is fixed, so every caller gets the same bits for the same window.
  let even = 0;
  let odd = 0;
  let k = start;
  for (; k < end; k += 2) {
    even += values[k]!;
    odd += values[k + 1]!;
  }
  if (k === end) even += values[k]!;
  const mean = (even + odd) / window;
  even = 0;
  odd = 0;
  for (k = start; k < end; k += 2) {
    const a = values[k]! - mean;
    const b = values[k + 1]! - mean;
    even += a * a;
    odd += b * b;
  }
  if (k === end) {
    const a = values[k]! - mean;
    even += a * a;
  }
  return Math.sqrt((even + odd) / (options.sample ? window - 1 : window));
}

/**
 * Rolling standard deviation; NaN until the window is full.
 *
 * @param values The input column (closes).
 * @param options `window` (integer ≥ 1, ≥ 2 for the sample estimator), `sample` estimator
 *   (n − 1, the pandas default) or population (n, TradingView's `ta.stdev`), optional `out` buffer.
 * @returns The rolling standard deviation column.
 */
export function rollingStdev(
  values: Float64Array,
  options: {
    readonly window: number;
    readonly sample: boolean;
    readonly out?: Float64Array;
  },
): Float64Array {
  const { window, sample } = options;
  checkWindow(window, "rolling standard deviation");
  if (sample && window < 2) {
    throw new RangeError(
      `Cannot compute sample standard deviation as 'window' must be at least 2: current value is ${window}`,
    );
  }
  const n = values.length;
  const out = options.out ?? new Float64Array(n);
  const first = Math.min(window - 1, n);
  for (let t = 0; t < first; t++) out[t] = NaN;
  const spec = { end: 0, window, sample };
  for (let t = window - 1; t < n; t++) {
    spec.end = t;
    out[t] = windowStdev(values, spec);
  }
  return out;
}
