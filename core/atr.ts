/**
 * True range and the 14-bar ATR (Wilder's RMA) in both indicator semantics, as a batch over
 * typed arrays and as an incremental state. Both forms run the same arithmetic in the same order,
 * so they give bit-identical numbers.
 *
 * - `pine`: TradingView `ta.atr(14)`: the RMA is seeded with the simple mean of the first 14 true
 *   ranges, then `ATR = α·TR + (1 − α)·ATR[1]` with α = 1/14.
 * - `velas-py`: the original Python port: an exponential average with α = 1/14 seeded with the
 *   first true range (pandas `ewm(adjust=False)`, which also leaves the average untouched when the
 *   new value equals it), reported from the 14th bar on.
 *
 * The first bar's true range is `high − low` (there is no previous close).
 *
 * @module
 */
import { ATR_PERIOD, type Semantics } from "./types.ts";

const ALPHA = 1 / ATR_PERIOD;
const ONE_MINUS_ALPHA = 1 - ALPHA;

/**
 * True range of one bar.
 *
 * @param high The bar's high.
 * @param low The bar's low.
 * @param previousClose The previous bar's close, or NaN on the first bar.
 * @returns max(high − low, |high − previousClose|, |low − previousClose|), or high − low on the first bar.
 */
export function trueRange(
  high: number,
  low: number,
  previousClose: number,
): number {
  const range = high - low;
  if (previousClose !== previousClose) return range;
  const up = Math.abs(high - previousClose);
  const down = Math.abs(low - previousClose);
  return range >= up
    ? (range >= down ? range : down)
    : (up >= down ? up : down);
}

/**
 * ATR(14) over whole columns. Values before the 14th bar are NaN.
 *
 * @param columns High, low and close columns of equal length.
 * @param options `semantics` selects the seed; `out` is an optional output buffer to reuse.
 * @returns The ATR column (the `out` buffer when given).
 */
export function atrSeries(
  columns: {
    readonly high: Float64Array;
    readonly low: Float64Array;
    readonly close: Float64Array;
  },
  options: { readonly semantics: Semantics; readonly out?: Float64Array },
): Float64Array {
  const { high, low, close } = columns;
  const n = high.length;
  const out = options.out ?? new Float64Array(n);
  const pine = options.semantics === "pine";
  let value = 0;
  let seedSum = 0;
  let previousClose = NaN;
  for (let t = 0; t < n; t++) {
    const tr = trueRange(high[t]!, low[t]!, previousClose);
    previousClose = close[t]!;
    if (pine) {
      if (t < ATR_PERIOD) {
        seedSum += tr;
        if (t === ATR_PERIOD - 1) value = seedSum / ATR_PERIOD;
      } else {
        value = ALPHA * tr + ONE_MINUS_ALPHA * value;
      }
    } else {
      value = t === 0 || value === tr
        ? tr
        : ONE_MINUS_ALPHA * value + ALPHA * tr;
    }
    out[t] = t < ATR_PERIOD - 1 ? NaN : value;
  }
  return out;
}

/** Incremental ATR(14): feed one closed bar at a time; equals {@link atrSeries} bar by bar. */
export class AtrState {
  #pine: boolean;
  #count = 0;
  #seedSum = 0;
  #value = 0;
  #previousClose = NaN;

  /** @param semantics Which seed to use. */
  constructor(semantics: Semantics) {
    this.#pine = semantics === "pine";
  }

  /**
   * Adds one closed bar.
   *
   * @param high The bar's high.
   * @param low The bar's low.
   * @param close The bar's close.
   * @returns The ATR after this bar, or NaN before the 14th bar.
   */
  update(high: number, low: number, close: number): number {
    const tr = trueRange(high, low, this.#previousClose);
    this.#previousClose = close;
    const t = this.#count++;
    if (this.#pine) {
      if (t < ATR_PERIOD) {
        this.#seedSum += tr;
        if (t === ATR_PERIOD - 1) this.#value = this.#seedSum / ATR_PERIOD;
      } else {
        this.#value = ALPHA * tr + ONE_MINUS_ALPHA * this.#value;
      }
    } else {
      this.#value = t === 0 || this.#value === tr
        ? tr
        : ONE_MINUS_ALPHA * this.#value + ALPHA * tr;
    }
    return this.value;
  }

  /** The current ATR, NaN until 14 bars have been seen. */
  get value(): number {
    return this.#count < ATR_PERIOD ? NaN : this.#value;
  }

  /** True once 14 bars have been seen. */
  get ready(): boolean {
    return this.#count >= ATR_PERIOD;
  }

  /** Number of bars seen. */
  get count(): number {
    return this.#count;
  }

  /** Forgets every bar. */
  reset(): void {
    this.#count = 0;
    this.#seedSum = 0;
    this.#value = 0;
    this.#previousClose = NaN;
  }
}
