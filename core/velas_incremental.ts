/**
 * The Velas indicator in incremental form: one closed candle at a time, for the live series
 * actors. It runs the same arithmetic in the same order as the batch form in `velas.ts`
 * (same ATR recursion, same per-window stdev, same trigger expressions), so both give identical
 * numbers bar by bar; a test holds them equal on real data.
 *
 * @module
 */
import { AtrState } from "./atr.ts";
import { windowStdev } from "./rolling.ts";
import {
  channelMid,
  checkIndicatorParams,
  longTriggerOf,
  shortTriggerOf,
} from "./velas.ts";
import type { Candle, IndicatorParams, Semantics } from "./types.ts";

/** Indicator values after one candle; NaN until the respective window is full. */
export interface VelasValues {
  readonly openTime: number;
  readonly hc: number;
  readonly lc: number;
  readonly mid: number;
  readonly atr: number;
  readonly sd: number;
  readonly longTrigger: number;
  readonly shortTrigger: number;
}

/**
 * Window of the last `size` values kept twice over, so the window is always one contiguous,
 * oldest-first slice of the buffer (what {@link windowStdev} reads).
 */
class MirroredWindow {
  #size: number;
  #buffer: Float64Array;
  #next = 0;
  #count = 0;

  constructor(size: number) {
    this.#size = size;
    this.#buffer = new Float64Array(2 * size);
  }

  push(value: number): void {
    this.#buffer[this.#next] = value;
    this.#buffer[this.#next + this.#size] = value;
    this.#next = (this.#next + 1) % this.#size;
    this.#count++;
  }

  get full(): boolean {
    return this.#count >= this.#size;
  }

  /** Index of the newest value in {@link buffer}, with the window ending there. */
  get end(): number {
    return this.#next + this.#size - 1;
  }

  get buffer(): Float64Array {
    return this.#buffer;
  }

  max(): number {
    const b = this.#buffer;
    let acc = -Infinity;
    for (let k = this.#next; k < this.#next + this.#size; k++) {
      if (b[k]! > acc) acc = b[k]!;
    }
    return acc;
  }

  min(): number {
    const b = this.#buffer;
    let acc = Infinity;
    for (let k = this.#next; k < this.#next + this.#size; k++) {
      if (b[k]! < acc) acc = b[k]!;
    }
    return acc;
  }

  reset(): void {
    this.#next = 0;
    this.#count = 0;
    this.#buffer.fill(0);
  }
}

/** Incremental Velas indicator for one preset. */
export class VelasIncremental {
  #params: IndicatorParams;
  #sample: boolean;
  #atr: AtrState;
  #highs: MirroredWindow;
  #lows: MirroredWindow;
  #closes: MirroredWindow;
  #last: VelasValues | undefined;

  /**
   * @param params The preset (i1…i5).
   * @param semantics `pine` (default elsewhere) or `velas-py`.
   * @throws {RangeError} When a parameter is out of range.
   */
  constructor(params: IndicatorParams, semantics: Semantics) {
    checkIndicatorParams(params, semantics);
    this.#params = params;
    this.#sample = semantics === "velas-py";
    this.#atr = new AtrState(semantics);
    this.#highs = new MirroredWindow(params.i1);
    this.#lows = new MirroredWindow(params.i1);
    this.#closes = new MirroredWindow(params.i2);
  }

  /**
   * Adds one closed candle.
   *
   * @param candle The candle; candles must arrive in time order without repeats.
   * @returns The indicator values after this candle.
   */
  update(candle: Candle): VelasValues {
    const atr = this.#atr.update(candle.high, candle.low, candle.close);
    this.#highs.push(candle.high);
    this.#lows.push(candle.low);
    this.#closes.push(candle.close);
    const hc = this.#highs.full ? this.#highs.max() : NaN;
    const lc = this.#lows.full ? this.#lows.min() : NaN;
    const sd = this.#closes.full
      ? windowStdev(this.#closes.buffer, {
        end: this.#closes.end,
        window: this.#params.i2,
        sample: this.#sample,
      })
      : NaN;
    const mid = channelMid(hc, lc);
    const parts = { atr, sd, params: this.#params };
    this.#last = {
      openTime: candle.openTime,
      hc,
      lc,
      mid,
      atr,
      sd,
      longTrigger: longTriggerOf(mid, parts),
      shortTrigger: shortTriggerOf(mid, parts),
    };
    return this.#last;
  }

  /** True once every window is full, so the triggers are defined. */
  get ready(): boolean {
    return this.#atr.ready && this.#highs.full && this.#closes.full;
  }

  /** Values after the last candle, or undefined before the first. */
  get last(): VelasValues | undefined {
    return this.#last;
  }

  /** The preset this instance computes. */
  get params(): IndicatorParams {
    return this.#params;
  }

  /** Forgets every candle. */
  reset(): void {
    this.#atr.reset();
    this.#highs.reset();
    this.#lows.reset();
    this.#closes.reset();
    this.#last = undefined;
  }
}
