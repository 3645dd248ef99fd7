/**
 * The market behind the replay exchange: the served series, their candles as Binance would show
 * them at a replay time, and the schedule of kline events.
 *
 * Forming candle rule (REST and in-progress events): at fraction f = (now − open time) / timeframe
 * the price walks O → L → H → C when close ≥ open, else O → H → L → C, each leg a third of the
 * candle, linearly; the current price (rounded to the tick) is the close, the high and low are the
 * extremes visited so far, and volume, quote volume and taker volumes are f × the final values
 * (trades rounded down). At f = 1 this is the candle itself. With `updatesPerCandle` u (default
 * 3), each candle sends updates (`x: false`) at f = k / (u + 1), k = 1..u, and its closed event
 * (`x: true`) at open time + timeframe, which is also the event time `E`.
 *
 * Decimals: prices are written with the fewest decimals (at most 8) that reproduce every price of
 * the series exactly, volumes likewise, so clients read back the source numbers bit for bit.
 * Series without quote volume, trades and taker volumes serve 0 for them.
 *
 * @module
 */
import { type CandleColumns, timeframeMs } from "../core/types.ts";
import {
  type Kline,
  type KlineColumns,
  type KlineDecimals,
  klineStreamName,
} from "./binance_kline.ts";

/** One served series. `candles` may carry the extra `KlineColumns` fields. */
export interface ReplaySeries {
  readonly symbol: string;
  readonly timeframe: string;
  readonly candles: CandleColumns;
}

/** Symbols listed in the exchange info although delisted (no candles). */
export const DELISTED_SYMBOLS: readonly string[] = ["MATICUSDT"];

const MAX_DECIMALS = 8;

function decimalsOf(columns: readonly Float64Array[]): number {
  let decimals = 0;
  for (const column of columns) {
    for (const value of column) {
      while (
        decimals < MAX_DECIMALS && Number(value.toFixed(decimals)) !== value
      ) decimals++;
    }
  }
  return decimals;
}

function round(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** One served series with its lookups. */
export class MarketSeries {
  readonly symbol: string;
  readonly timeframe: string;
  readonly tfMs: number;
  readonly stream: string;
  readonly candles: CandleColumns;
  readonly decimals: KlineDecimals;
  /** Spacing of this series' events, ms. */
  readonly stepMs: number;
  readonly #extra: KlineColumns | undefined;

  constructor(series: ReplaySeries, updatesPerCandle: number) {
    const { symbol, timeframe, candles } = series;
    if (!/^[A-Z0-9]{2,32}$/.test(symbol)) {
      throw new TypeError(
        `Cannot serve series as 'symbol' must be 2 to 32 upper-case letters or digits: current value is '${symbol}'`,
      );
    }
    this.symbol = symbol;
    this.timeframe = timeframe;
    this.tfMs = timeframeMs(timeframe);
    this.stream = klineStreamName(symbol, timeframe);
    this.candles = candles;
    this.stepMs = this.tfMs / (updatesPerCandle + 1);
    if (!Number.isInteger(this.stepMs)) {
      throw new RangeError(
        `Cannot serve ${symbol} ${timeframe} as 'updatesPerCandle' + 1 must divide the timeframe in ms: current value is ${updatesPerCandle}`,
      );
    }
    const times = candles.openTime;
    for (let i = 0; i < times.length; i++) {
      if (
        !(times[i]! % this.tfMs === 0 && (i === 0 || times[i]! > times[i - 1]!))
      ) {
        throw new RangeError(
          `Cannot serve ${symbol} ${timeframe} as open times must ascend on the timeframe grid: current value is ${
            times[i]
          } at row ${i + 1}`,
        );
      }
    }
    const extra = candles as Partial<KlineColumns>;
    this.#extra = extra.quoteVolume && extra.trades && extra.takerBuyBase &&
        extra.takerBuyQuote
      ? candles as KlineColumns
      : undefined;
    const quantity = decimalsOf(
      [candles.volume, ...(this.#extra ? [this.#extra.takerBuyBase] : [])],
    );
    this.decimals = {
      price: decimalsOf([
        candles.open,
        candles.high,
        candles.low,
        candles.close,
      ]),
      quantity,
      quote: this.#extra
        ? decimalsOf([this.#extra.quoteVolume, this.#extra.takerBuyQuote])
        : 0,
    };
  }

  /** Number of candles. */
  get length(): number {
    return this.candles.openTime.length;
  }

  /**
   * Index of the first candle with open time ≥ `time` (the length when none).
   *
   * @param time Epoch ms.
   * @returns The index.
   */
  lowerBound(time: number): number {
    const times = this.candles.openTime;
    let lo = 0, hi = times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (times[mid]! < time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * The candle at `index` as seen at `now`: whole once closed, else built up to `now`.
   *
   * @param index Row index.
   * @param now Replay time.
   * @returns The kline.
   */
  klineAt(index: number, now: number): Kline {
    const c = this.candles;
    const openTime = c.openTime[index]!;
    const fraction = Math.min(1, (now - openTime) / this.tfMs);
    const x = this.#extra;
    const full = {
      open: c.open[index]!,
      high: c.high[index]!,
      low: c.low[index]!,
      close: c.close[index]!,
      volume: c.volume[index]!,
      quoteVolume: x ? x.quoteVolume[index]! : 0,
      trades: x ? x.trades[index]! : 0,
      takerBuyBase: x ? x.takerBuyBase[index]! : 0,
      takerBuyQuote: x ? x.takerBuyQuote[index]! : 0,
    };
    const closeTime = openTime + this.tfMs - 1;
    if (fraction >= 1) return { openTime, closeTime, ...full };
    const { open, high, low, close } = full;
    const path = close >= open
      ? [open, low, high, close]
      : [open, high, low, close];
    const leg = Math.min(2, Math.floor(fraction * 3));
    const from = path[leg]!, to = path[leg + 1]!;
    const price = round(
      from + (to - from) * (fraction * 3 - leg),
      this.decimals.price,
    );
    let visitedHigh = price, visitedLow = price;
    for (let i = 0; i <= leg; i++) {
      visitedHigh = Math.max(visitedHigh, path[i]!);
      visitedLow = Math.min(visitedLow, path[i]!);
    }
    const { quantity, quote } = this.decimals;
    return {
      openTime,
      closeTime,
      open,
      high: visitedHigh,
      low: visitedLow,
      close: price,
      volume: round(full.volume * fraction, quantity),
      quoteVolume: round(full.quoteVolume * fraction, quote),
      trades: Math.floor(full.trades * fraction),
      takerBuyBase: round(full.takerBuyBase * fraction, quantity),
      takerBuyQuote: round(full.takerBuyQuote * fraction, quote),
    };
  }
}

/** Visitor of scheduled events, in time order. */
export type EventVisitor = (
  series: MarketSeries,
  index: number,
  time: number,
  closed: boolean,
) => void;

/** All served series. */
export class ReplayMarket {
  readonly series: readonly MarketSeries[];
  readonly #byKey = new Map<string, MarketSeries>();
  readonly #symbols = new Set<string>();
  readonly #stepMs: number;
  readonly #first: number;
  readonly #last: number;

  constructor(series: readonly ReplaySeries[], updatesPerCandle: number) {
    this.series = series.map((s) => new MarketSeries(s, updatesPerCandle));
    for (const s of this.series) {
      const key = `${s.symbol} ${s.timeframe}`;
      if (this.#byKey.has(key)) {
        throw new RangeError(
          `Cannot serve series as each symbol and timeframe must appear once: current value is '${key}' twice`,
        );
      }
      this.#byKey.set(key, s);
      this.#symbols.add(s.symbol);
    }
    this.#stepMs = this.series.reduce((g, s) => gcd(s.stepMs, g), 0);
    const filled = this.series.filter((s) => s.length > 0);
    this.#first = Math.min(...filled.map((s) => s.candles.openTime[0]!));
    this.#last = Math.max(
      ...filled.map((s) => s.candles.openTime[s.length - 1]! + s.tfMs),
    );
  }

  /** Served symbols, in first-seen order. */
  get symbols(): readonly string[] {
    return [...this.#symbols];
  }

  /**
   * The series of one symbol and interval.
   *
   * @param symbol Upper-case symbol.
   * @param interval Interval such as `1h`.
   * @returns The series, or undefined.
   */
  find(symbol: string, interval: string): MarketSeries | undefined {
    return this.#byKey.get(`${symbol} ${interval}`);
  }

  /**
   * Whether the exchange knows the symbol (served or delisted).
   *
   * @param symbol Upper-case symbol.
   * @returns True when known.
   */
  knows(symbol: string): boolean {
    return this.#symbols.has(symbol) || DELISTED_SYMBOLS.includes(symbol);
  }

  /**
   * Visits every event with time in (from, to], in time order; series order breaks ties.
   *
   * @param from Exclusive start, epoch ms.
   * @param options Inclusive end and the visitor.
   */
  forEachEvent(
    from: number,
    options: { readonly to: number; readonly visit: EventVisitor },
  ): void {
    const step = this.#stepMs;
    if (step === 0) return;
    const start = Math.max(from, this.#first);
    const end = Math.min(options.to, this.#last);
    for (
      let tick = (Math.floor(start / step) + 1) * step;
      tick <= end;
      tick += step
    ) {
      for (const s of this.series) {
        if (tick % s.stepMs !== 0) continue;
        const offset = tick % s.tfMs;
        const openTime = tick - (offset === 0 ? s.tfMs : offset);
        const index = s.lowerBound(openTime);
        if (s.candles.openTime[index] !== openTime) continue;
        options.visit(s, index, tick, offset === 0);
      }
    }
  }
}
