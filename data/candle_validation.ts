/**
 * Validation of candle columns loaded from files: the `CandleDataError` that every loading
 * failure throws, its message helpers, and one pass over the typed columns that checks values,
 * time order, OHLC consistency, volume and timeframe alignment.
 *
 * @module
 */
import type { CandleColumns } from "../core/types.ts";

/** The columns every candle file must have, in the canonical order. */
export const CANDLE_COLUMNS = [
  "open_time",
  "open",
  "high",
  "low",
  "close",
  "volume",
] as const;

/** Name of one required candle column. */
export type CandleColumnName = typeof CANDLE_COLUMNS[number];

/** Where a `CandleDataError` happened inside its file. */
export interface CandleDataErrorOptions {
  /** The file that failed, as given to the loader. */
  readonly file: string;
  /** 1-based data row (the header is not counted). */
  readonly row?: number;
  /** 1-based line of a CSV file (`row + 1` when the file has one header line). */
  readonly line?: number;
  /** Column that holds the bad value. */
  readonly column?: string;
  /** The underlying error, if any. */
  readonly cause?: unknown;
}

/** A candle file that cannot be loaded: missing columns, bad values or inconsistent candles. */
export class CandleDataError extends Error {
  /** The file that failed, as given to the loader. */
  readonly file: string;
  /** 1-based data row (the header is not counted), when one row is at fault. */
  readonly row?: number;
  /** 1-based line of a CSV file, when one row is at fault. */
  readonly line?: number;
  /** Column that holds the bad value, when one column is at fault. */
  readonly column?: string;

  constructor(message: string, options: CandleDataErrorOptions) {
    super(
      message,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = "CandleDataError";
    this.file = options.file;
    if (options.row !== undefined) this.row = options.row;
    if (options.line !== undefined) this.line = options.line;
    if (options.column !== undefined) this.column = options.column;
  }
}

/** Options of `validateCandleColumns` and of the row error helpers. */
export interface CandleCheckOptions {
  /** File name used in messages. */
  readonly file: string;
  /** When true (CSV), messages and errors also give the line number: row + 1. */
  readonly lineNumbers?: boolean;
  /** Timeframe such as `1h`; every open time must then be a multiple of `timeframeMs`. */
  readonly timeframe?: string;
  /** `timeframeMs(timeframe)`, when a timeframe is given. */
  readonly timeframeMs?: number;
}

/**
 * Builds the error for a problem of one data row.
 *
 * @param index 0-based index of the bad row.
 * @param problem What is wrong, e.g. `has high < low: high is 10 and low is 11`.
 * @param options File, line numbering and the column at fault.
 * @returns The error, ready to throw.
 */
export function rowError(
  index: number,
  problem: string,
  options: CandleCheckOptions & { readonly column?: string },
): CandleDataError {
  const row = index + 1;
  const where = options.lineNumbers === true
    ? `row ${row} (line ${row + 1})`
    : `row ${row}`;
  return new CandleDataError(
    `Cannot load candles from '${options.file}' as ${where} ${problem}`,
    {
      file: options.file,
      row,
      ...(options.lineNumbers === true ? { line: row + 1 } : {}),
      ...(options.column === undefined ? {} : { column: options.column }),
    },
  );
}

/**
 * Builds the error for a problem of the whole file.
 *
 * @param file File name used in the message.
 * @param problem What is wrong, e.g. `it has no data rows`.
 * @param cause The underlying error, if any.
 * @returns The error, ready to throw.
 */
export function fileError(
  file: string,
  problem: string,
  cause?: unknown,
): CandleDataError {
  return new CandleDataError(
    `Cannot load candles from '${file}' as ${problem}`,
    cause === undefined ? { file } : { file, cause },
  );
}

/**
 * Formats an epoch-ms time as ISO 8601 UTC, or as the plain number when it has no date.
 *
 * @param time Epoch milliseconds.
 * @returns For example `2019-09-08T19:00:00.000Z`.
 */
export function isoTime(time: number): string {
  return Number.isFinite(time) && Math.abs(time) <= 8.64e15
    ? new Date(time).toISOString()
    : String(time);
}

/**
 * Checks loaded candle columns in one pass and throws for the first bad row in file order.
 * Per row the checks run in this order: finite values (column order), integer open time,
 * timeframe alignment, strictly ascending time (distinguishing duplicates), high >= low,
 * open and close within [low, high], volume >= 0.
 *
 * @param columns Candle columns of equal length, oldest first.
 * @param options File name for messages, CSV line numbering and an optional timeframe.
 * @returns Nothing; the columns are valid when it returns.
 * @throws {CandleDataError} For the first bad row.
 */
export function validateCandleColumns(
  columns: CandleColumns,
  options: CandleCheckOptions,
): void {
  const { openTime, open, high, low, close, volume } = columns;
  const byName: Readonly<Record<CandleColumnName, Float64Array>> = {
    open_time: openTime,
    open,
    high,
    low,
    close,
    volume,
  };
  const n = openTime.length;
  for (const name of CANDLE_COLUMNS) {
    if (byName[name].length !== n) {
      throw fileError(
        options.file,
        `column '${name}' has ${
          byName[name].length
        } values but 'open_time' has ${n}`,
      );
    }
  }
  const step = options.timeframeMs ?? 0;
  let previous = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const t = openTime[i]!;
    const o = open[i]!;
    const h = high[i]!;
    const l = low[i]!;
    const c = close[i]!;
    const v = volume[i]!;
    if (!Number.isFinite(t + o + h + l + c + v)) {
      for (const name of CANDLE_COLUMNS) {
        const value = byName[name][i]!;
        if (!Number.isFinite(value)) {
          throw rowError(i, `has a non-finite '${name}' value: ${value}`, {
            ...options,
            column: name,
          });
        }
      }
    }
    if (!Number.isInteger(t)) {
      throw rowError(i, `has an 'open_time' that is not an integer: ${t}`, {
        ...options,
        column: "open_time",
      });
    }
    if (step > 0 && t % step !== 0) {
      throw rowError(
        i,
        `has open_time ${t} (${
          isoTime(t)
        }) that is not a multiple of the ${options.timeframe} timeframe (${step} ms)`,
        { ...options, column: "open_time" },
      );
    }
    if (t === previous) {
      throw rowError(
        i,
        `has duplicate time ${isoTime(t)} (${t}) of the row before`,
        { ...options, column: "open_time" },
      );
    }
    if (t < previous) {
      throw rowError(
        i,
        `is unsorted: open_time ${isoTime(t)} (${t}) is before ${
          isoTime(previous)
        } (${previous}) of the row before`,
        { ...options, column: "open_time" },
      );
    }
    previous = t;
    if (h < l) {
      throw rowError(i, `has high < low: high is ${h} and low is ${l}`, {
        ...options,
        column: "high",
      });
    }
    if (o < l || o > h) {
      throw rowError(
        i,
        `has open outside [low, high]: open is ${o}, low is ${l} and high is ${h}`,
        { ...options, column: "open" },
      );
    }
    if (c < l || c > h) {
      throw rowError(
        i,
        `has close outside [low, high]: close is ${c}, low is ${l} and high is ${h}`,
        { ...options, column: "close" },
      );
    }
    if (v < 0) {
      throw rowError(i, `has negative volume: volume is ${v}`, {
        ...options,
        column: "volume",
      });
    }
  }
}
