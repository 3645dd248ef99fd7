/**
 * Wilder's ADX (spec §2.1, TradingView `ta.dmi`), as an incremental state and as a batch function
 * over typed arrays. The batch function runs the incremental state, so both forms give
 * bit-identical numbers.
 *
 * From bar 1 on (bar 0 has no previous bar): up = high_t − high_{t−1}, down = low_{t−1} − low_t;
 * +DM = up when up > down and up > 0, else 0; −DM = down when down > up and down > 0, else 0;
 * TR = the true range. TR, +DM and −DM are smoothed with Wilder's RMA (α = 1/period, seeded with
 * the simple mean of the first `period` values), so +DI = 100·RMA(+DM)/RMA(TR) and
 * −DI = 100·RMA(−DM)/RMA(TR) are defined from bar `period` on;
 * DX = 100·|+DI − −DI| / (+DI + −DI); ADX = RMA of DX, defined from bar 2·period − 1 on.
 * A bar range of zero throughout (RMA(TR) = 0) gives +DI = −DI = 0, and +DI + −DI = 0 gives DX = 0
 * (no movement is no trend), as `ta.dmi` does for the latter. Undefined values are NaN.
 *
 * @module
 */
import { trueRange } from "./atr.ts";
import { checkPeriod, WilderAverage } from "./rsi.ts";

/** Incremental Wilder ADX; equals {@link adxSeries} bar by bar. */
export class AdxState {
  #tr: WilderAverage;
  #plusDm: WilderAverage;
  #minusDm: WilderAverage;
  #adx: WilderAverage;
  #previousHigh = NaN;
  #previousLow = NaN;
  #previousClose = NaN;
  #plusDi = NaN;
  #minusDi = NaN;
  #value = NaN;

  /**
   * @param period Smoothing period of TR, ±DM and DX in bars.
   * @throws {RangeError} When `period` is not an integer of at least 1.
   */
  constructor(period: number) {
    checkPeriod(period, "ADX");
    this.#tr = new WilderAverage(period);
    this.#plusDm = new WilderAverage(period);
    this.#minusDm = new WilderAverage(period);
    this.#adx = new WilderAverage(period);
  }

  /**
   * Adds one closed bar.
   *
   * @param high The bar's high.
   * @param low The bar's low.
   * @param close The bar's close.
   * @returns The ADX after this bar, or NaN during warm-up (bars 0 to 2·period − 2).
   */
  update(high: number, low: number, close: number): number {
    const previousHigh = this.#previousHigh;
    const previousLow = this.#previousLow;
    const previousClose = this.#previousClose;
    this.#previousHigh = high;
    this.#previousLow = low;
    this.#previousClose = close;
    if (previousClose !== previousClose) return this.#value;
    const up = high - previousHigh;
    const down = previousLow - low;
    const tr = this.#tr.update(trueRange(high, low, previousClose));
    const plus = this.#plusDm.update(up > down && up > 0 ? up : 0);
    const minus = this.#minusDm.update(down > up && down > 0 ? down : 0);
    if (tr !== tr) return this.#value;
    const plusDi = tr > 0 ? 100 * plus / tr : 0;
    const minusDi = tr > 0 ? 100 * minus / tr : 0;
    const sum = plusDi + minusDi;
    const dx = sum > 0 ? 100 * Math.abs(plusDi - minusDi) / sum : 0;
    this.#plusDi = plusDi;
    this.#minusDi = minusDi;
    this.#value = this.#adx.update(dx);
    return this.#value;
  }

  /** The current ADX, NaN during warm-up. */
  get value(): number {
    return this.#value;
  }

  /** The current +DI, NaN before bar `period`. */
  get plusDi(): number {
    return this.#plusDi;
  }

  /** The current −DI, NaN before bar `period`. */
  get minusDi(): number {
    return this.#minusDi;
  }

  /** True once the ADX is defined. */
  get ready(): boolean {
    return this.#adx.ready;
  }

  /** Forgets every bar. */
  reset(): void {
    this.#tr.reset();
    this.#plusDm.reset();
    this.#minusDm.reset();
    this.#adx.reset();
    this.#previousHigh = NaN;
    this.#previousLow = NaN;
    this.#previousClose = NaN;
    this.#plusDi = NaN;
    this.#minusDi = NaN;
    this.#value = NaN;
  }
}

/**
 * Wilder ADX over whole columns.
 *
 * @param columns High, low and close columns of equal length, oldest first.
 * @param period Smoothing period in bars.
 * @returns The ADX column; NaN on bars 0 to 2·period − 2.
 * @throws {RangeError} When `period` is not an integer of at least 1, or the columns differ in length.
 */
export function adxSeries(
  columns: {
    readonly high: Float64Array;
    readonly low: Float64Array;
    readonly close: Float64Array;
  },
  period: number,
): Float64Array {
  const { high, low, close } = columns;
  const n = high.length;
  if (low.length !== n || close.length !== n) {
    throw new RangeError(
      `Cannot compute ADX as 'low' and 'close' must have the length of 'high' (${n}): current value is ${low.length} and ${close.length}`,
    );
  }
  const state = new AdxState(period);
  const out = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    out[t] = state.update(high[t]!, low[t]!, close[t]!);
  }
  return out;
}
