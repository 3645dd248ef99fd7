/**
 * Plain data types shared by every part of VELAS: candles, sides, timeframes, regimes and
 * indicator parameters. Everything here survives `postMessage` (numbers, strings, typed arrays).
 *
 * @module
 */

/** Candle columns of one series, oldest first. Times are candle open times, epoch ms UTC. */
export interface CandleColumns {
  readonly openTime: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

/** One closed candle as a plain record (the incremental, live form). */
export interface Candle {
  readonly openTime: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** Direction of a signal or position. */
export type Side = "LONG" | "SHORT";

/** Volatility regime of a bar (DESIGN §2 Presets and regimes). */
export type Regime = "low" | "normal" | "high";

/** The three regimes in their canonical order. */
export const REGIMES: readonly Regime[] = ["low", "normal", "high"];

/**
 * Indicator semantics: `pine` (population stdev, ATR seeded with the SMA of the first 14 true
 * ranges) or `velas-py` (sample stdev, ATR seeded with the first true range).
 */
export type Semantics = "pine" | "velas-py";

/** The five parameters of one Velas indicator preset (spec §1.1). */
export interface IndicatorParams {
  /** Channel period in bars (HC/LC window). */
  readonly i1: number;
  /** Standard-deviation period in bars. */
  readonly i2: number;
  /** Standard-deviation multiplier. */
  readonly i3: number;
  /** ATR multiplier. */
  readonly i4: number;
  /** Percentage offset of the mid-line. */
  readonly i5: number;
}

/** The ATR period, fixed at 14 by the original indicator. */
export const ATR_PERIOD = 14;

const TIMEFRAME_PATTERN = /^([1-9][0-9]*)(m|h|d)$/;
const UNIT_MS: Readonly<Record<string, number>> = {
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * Length of a Binance-style timeframe in milliseconds.
 *
 * @param timeframe A timeframe such as `30m`, `1h`, `2h` or `1d`.
 * @returns The candle length in ms.
 * @throws {RangeError} When the timeframe is not of the form `<n>m`, `<n>h` or `<n>d`.
 */
export function timeframeMs(timeframe: string): number {
  const match = TIMEFRAME_PATTERN.exec(timeframe);
  const unit = match?.[2];
  if (match === null || unit === undefined) {
    throw new RangeError(
      `Cannot read timeframe as it must look like '30m', '1h' or '1d': current value is '${timeframe}'`,
    );
  }
  return Number(match[1]) * (UNIT_MS[unit] ?? 0);
}

/**
 * The candle at one index of a series, as a plain record (for feeding incremental code).
 *
 * @param columns The series.
 * @param index Row index, 0-based.
 * @returns The candle.
 * @throws {RangeError} When the index is outside the series.
 */
export function candleAt(columns: CandleColumns, index: number): Candle {
  if (
    !(index >= 0 && index < columns.close.length && Number.isInteger(index))
  ) {
    throw new RangeError(
      `Cannot read candle as 'index' must be an integer from 0 to ${
        columns.close.length - 1
      }: current value is ${index}`,
    );
  }
  return {
    openTime: columns.openTime[index]!,
    open: columns.open[index]!,
    high: columns.high[index]!,
    low: columns.low[index]!,
    close: columns.close[index]!,
    volume: columns.volume[index]!,
  };
}

/**
 * Rows `[start, end)` of a series as views (no copy).
 *
 * @param columns The series.
 * @param range `start` (inclusive) and `end` (exclusive) row indices.
 * @returns The sliced columns, sharing memory with `columns`.
 */
export function sliceCandles(
  columns: CandleColumns,
  range: { readonly start: number; readonly end: number },
): CandleColumns {
  const { start, end } = range;
  return {
    openTime: columns.openTime.subarray(start, end),
    open: columns.open.subarray(start, end),
    high: columns.high.subarray(start, end),
    low: columns.low.subarray(start, end),
    close: columns.close.subarray(start, end),
    volume: columns.volume.subarray(start, end),
  };
}
