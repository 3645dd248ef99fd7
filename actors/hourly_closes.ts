/**
 * 1h closes per symbol that grow as candles arrive, in the shape the correlation limit reads
 * (`HourlyCloses` of `data/backtest_run.ts`): the live portfolio's correlations then come from
 * exactly the candles a backtest over the same data would use.
 *
 * @module
 */
import type { Candle } from "../core/types.ts";

class Growing {
  #times = new Float64Array(1024);
  #closes = new Float64Array(1024);
  #n = 0;

  push(time: number, close: number): void {
    if (this.#n > 0 && time <= this.#times[this.#n - 1]!) return;
    if (this.#n === this.#times.length) {
      const times = new Float64Array(this.#n * 2);
      const closes = new Float64Array(this.#n * 2);
      times.set(this.#times);
      closes.set(this.#closes);
      this.#times = times;
      this.#closes = closes;
    }
    this.#times[this.#n] = time;
    this.#closes[this.#n] = close;
    this.#n++;
  }

  get times(): Float64Array {
    return this.#times.subarray(0, this.#n);
  }

  get closes(): Float64Array {
    return this.#closes.subarray(0, this.#n);
  }
}

/** Growing 1h open times and closes per symbol; a `ReadonlyMap` for the correlation lookup. */
export class HourlyCloseBook implements
  ReadonlyMap<
    string,
    { readonly times: Float64Array; readonly closes: Float64Array }
  > {
  readonly #bySymbol = new Map<string, Growing>();

  /**
   * Adds 1h candles of a symbol (older or repeated open times are ignored).
   *
   * @param symbol The symbol.
   * @param candles Candles in time order.
   */
  add(symbol: string, candles: readonly Candle[]): void {
    let g = this.#bySymbol.get(symbol);
    if (g === undefined) {
      g = new Growing();
      this.#bySymbol.set(symbol, g);
    }
    for (const c of candles) g.push(c.openTime, c.close);
  }

  get(symbol: string) {
    return this.#bySymbol.get(symbol);
  }

  has(symbol: string): boolean {
    return this.#bySymbol.has(symbol);
  }

  get size(): number {
    return this.#bySymbol.size;
  }

  forEach(
    fn: (
      value: { readonly times: Float64Array; readonly closes: Float64Array },
      key: string,
      map: ReadonlyMap<
        string,
        { readonly times: Float64Array; readonly closes: Float64Array }
      >,
    ) => void,
  ): void {
    this.#bySymbol.forEach((value, key) => fn(value, key, this));
  }

  entries() {
    return this.#bySymbol.entries();
  }

  keys() {
    return this.#bySymbol.keys();
  }

  values() {
    return this.#bySymbol.values();
  }

  [Symbol.iterator]() {
    return this.#bySymbol.entries();
  }
}
