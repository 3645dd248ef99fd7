/**
 * Wilder's moving average (RMA) and Wilder's RSI, as small incremental states and as batch
 * functions over typed arrays. The batch functions run the incremental states, so both forms give
 * bit-identical numbers.
 *
 * - RMA (TradingView `ta.rma`): α = 1/period; the first value is the simple mean of the first
 *   `period` inputs, then `RMA = α·x + (1 − α)·RMA[1]`. Undefined (NaN) before `period` inputs.
 * - RSI: change Δ = close_t − close_{t−1}; gain = max(Δ, 0), loss = max(−Δ, 0); both averaged
 *   with the RMA above, so the first RSI is on bar `period` (bar 0 has no change).
 *   RSI = 100 − 100 / (1 + avgGain / avgLoss). DESIGN fix over the original (which wrote 50):
 *   RSI is 100 when the average loss is 0 and the average gain is positive. When both averages
 *   are 0 (a perfectly flat market) RSI is 50: there is no direction, so neither side is favoured.
 *
 * @module
 */

/**
 * Throws when an indicator period is not a positive integer.
 *
 * @param period The period to check.
 * @param what The indicator's name for the message, e.g. `RSI`.
 * @returns Nothing.
 * @throws {RangeError} When `period` is not an integer of at least 1.
 */
export function checkPeriod(period: number, what: string): void {
  if (!Number.isInteger(period) || period < 1) {
    throw new RangeError(
      `Cannot compute ${what} as 'period' must be an integer of at least 1: current value is ${period}`,
    );
  }
}

/** Incremental Wilder average (RMA) seeded with the simple mean of its first `period` inputs. */
export class WilderAverage {
  #period: number;
  #alpha: number;
  #oneMinusAlpha: number;
  #count = 0;
  #seedSum = 0;
  #value = NaN;

  /**
   * @param period Number of inputs in the seed mean, and 1/α.
   * @throws {RangeError} When `period` is not an integer of at least 1.
   */
  constructor(period: number) {
    checkPeriod(period, "a Wilder average");
    this.#period = period;
    this.#alpha = 1 / period;
    this.#oneMinusAlpha = 1 - this.#alpha;
  }

  /**
   * Adds one input.
   *
   * @param x The new input.
   * @returns The average after this input, or NaN before `period` inputs.
   */
  update(x: number): number {
    const count = ++this.#count;
    if (count <= this.#period) {
      this.#seedSum += x;
      if (count === this.#period) this.#value = this.#seedSum / this.#period;
    } else {
      this.#value = this.#alpha * x + this.#oneMinusAlpha * this.#value;
    }
    return this.#value;
  }

  /** The current average, NaN before `period` inputs. */
  get value(): number {
    return this.#value;
  }

  /** True once `period` inputs have been seen. */
  get ready(): boolean {
    return this.#count >= this.#period;
  }

  /** Forgets every input. */
  reset(): void {
    this.#count = 0;
    this.#seedSum = 0;
    this.#value = NaN;
  }
}

/**
 * RSI from the two Wilder averages.
 *
 * @param avgGain Average gain (NaN during warm-up).
 * @param avgLoss Average loss (NaN during warm-up).
 * @returns The RSI in [0, 100]: 100 when only the loss is 0, 50 when both are 0, NaN when undefined.
 */
export function rsiFromAverages(avgGain: number, avgLoss: number): number {
  if (avgLoss === 0) return avgGain === 0 ? 50 : avgGain > 0 ? 100 : NaN;
  return 100 - 100 / (1 + avgGain / avgLoss);
}

/** Incremental Wilder RSI over closes; equals {@link rsiSeries} bar by bar. */
export class RsiState {
  #gain: WilderAverage;
  #loss: WilderAverage;
  #previousClose = NaN;
  #value = NaN;

  /**
   * @param period RSI period in bars.
   * @throws {RangeError} When `period` is not an integer of at least 1.
   */
  constructor(period: number) {
    checkPeriod(period, "RSI");
    this.#gain = new WilderAverage(period);
    this.#loss = new WilderAverage(period);
  }

  /**
   * Adds one closed bar.
   *
   * @param close The bar's close.
   * @returns The RSI after this bar, or NaN during warm-up (bars 0 to period − 1).
   */
  update(close: number): number {
    const previous = this.#previousClose;
    this.#previousClose = close;
    if (previous !== previous) return this.#value;
    const change = close - previous;
    const avgGain = this.#gain.update(change > 0 ? change : 0);
    const avgLoss = this.#loss.update(change < 0 ? -change : 0);
    this.#value = rsiFromAverages(avgGain, avgLoss);
    return this.#value;
  }

  /** The current RSI, NaN during warm-up. */
  get value(): number {
    return this.#value;
  }

  /** True once the RSI is defined. */
  get ready(): boolean {
    return this.#loss.ready;
  }

  /** Forgets every bar. */
  reset(): void {
    this.#gain.reset();
    this.#loss.reset();
    this.#previousClose = NaN;
    this.#value = NaN;
  }
}

/**
 * Wilder RSI over a whole close column.
 *
 * @param close Closes, oldest first.
 * @param period RSI period in bars.
 * @returns The RSI column; NaN on bars 0 to period − 1.
 * @throws {RangeError} When `period` is not an integer of at least 1.
 */
export function rsiSeries(close: Float64Array, period: number): Float64Array {
  const state = new RsiState(period);
  const n = close.length;
  const out = new Float64Array(n);
  for (let t = 0; t < n; t++) out[t] = state.update(close[t]!);
  return out;
}
