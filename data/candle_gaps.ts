/**
 * The time index of the candle store, read-only: where series files are, their open times,
 * ranges and holes, the ranges a downloader must fetch, and the listing of a store root.
 * `CandleStore` extends `CandleSeriesIndex` and reads its candles through the same column
 * reader. A missing file, a file Polars cannot parse, and a column with the wrong type or a
 * missing value are `CandleDataError`s naming the file.
 *
 * @module
 */
import pl from "nodejs-polars";
import { type CandleColumns, timeframeMs } from "../core/types.ts";
import {
  type CandleGap,
  findGaps,
  type GapSummary,
  type MissingRangeOptions,
  missingRanges,
  summarizeGaps,
} from "../core/gaps.ts";
import { fileError, isoTime, rowError } from "./candle_validation.ts";

/** One series of the store, as `list()` reports it. */
export type SeriesSummary =
  | {
    readonly status: "ok";
    readonly symbol: string;
    readonly timeframe: string;
    readonly rows: number;
    /** Open time of the first candle, epoch ms. */
    readonly first: number;
    /** Open time of the last candle, epoch ms. */
    readonly last: number;
    /** Holes of the series (count, missing candles, largest hole). */
    readonly gaps: GapSummary;
  }
  | {
    readonly status: "error";
    readonly symbol: string;
    readonly timeframe: string;
    /** Why the file cannot be read. */
    readonly message: string;
  };

/** Symbols the store accepts as directory names. */
export const SYMBOL_PATTERN = /^[A-Z0-9][A-Z0-9_]*$/;
const SERIES_FILE = /^([1-9][0-9]*[mhd])\.parquet$/;

/** First line of an error's message. */
export function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0]!;
}

/** Throws a `CandleDataError` naming the file when it does not exist or cannot be read. */
export function checkReadable(file: string): void {
  try {
    Deno.statSync(file);
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound
      ? "the file does not exist"
      : `the file cannot be read: ${messageOf(error)}`;
    throw fileError(file, reason, error);
  }
}

/** Candle columns from six arrays: open time, open, high, low, close, volume. */
export function toCandleColumns(
  arrays: readonly Float64Array[],
): CandleColumns {
  const [openTime, open, high, low, close, volume] = arrays;
  return {
    openTime: openTime!,
    open: open!,
    high: high!,
    low: low!,
    close: close!,
    volume: volume!,
  };
}

/** Reads a Parquet file (`columns`, `nRows` as Polars takes them); errors name the file. */
export function readParquetFile(
  file: string,
  options: { readonly columns?: string[]; readonly nRows?: number } = {},
): pl.DataFrame {
  checkReadable(file);
  try {
    return pl.readParquet(file, options);
  } catch (error) {
    throw fileError(
      file,
      `it is not readable Parquet: ${messageOf(error)}`,
      error,
    );
  }
}

/** One numeric column of a frame as fresh Float64 values; a missing value is a row error. */
export function numericColumn(
  frame: pl.DataFrame,
  name: string,
  file: string,
): Float64Array {
  let series = frame.getColumn(name);
  if (!series.isNumeric()) {
    throw fileError(
      file,
      `column '${name}' must hold numbers: current type is ${series.dtype}`,
    );
  }
  if (!series.dtype.equals(pl.Float64)) series = series.cast(pl.Float64);
  if (series.nullCount() > 0) {
    const index = series.isNull().argMax() ?? 0;
    throw rowError(index, `has no '${name}' value`, { file, column: name });
  }
  return series.toTypedArray() as Float64Array;
}

/** Column names for `readColumns`. */
export interface ColumnNames {
  /** Columns the file must have. */
  readonly required: readonly string[];
  /** Columns read when present, else NaN. */
  readonly optional?: readonly string[];
}

/**
 * Reads numeric columns of a Parquet file: the required ones, then the optional ones (NaN when
 * absent), in the order given; other columns are not read. A missing required column or an
 * empty file is a `CandleDataError` naming the file.
 */
export function readColumns(file: string, names: ColumnNames): Float64Array[] {
  const wanted = [...names.required, ...(names.optional ?? [])];
  const found = readParquetFile(file, { nRows: 0 }).columns;
  const missing = names.required.filter((name) => !found.includes(name));
  if (missing.length > 0) {
    throw fileError(
      file,
      `column${missing.length === 1 ? "" : "s"} ${quoted(missing)} ${
        missing.length === 1 ? "is" : "are"
      } missing: found ${quoted(found)}`,
    );
  }
  const present = wanted.filter((name) => found.includes(name));
  const frame = readParquetFile(file, { columns: present });
  if (frame.height === 0) throw fileError(file, "it has no data rows");
  return wanted.map((name) =>
    found.includes(name)
      ? numericColumn(frame, name, file)
      : new Float64Array(frame.height).fill(Number.NaN)
  );
}

function quoted(names: readonly string[]): string {
  return names.map((name) => `'${name}'`).join(", ");
}

/** Open times of a series file, checked to be strictly ascending multiples of the timeframe. */
function readOpenTimes(file: string, timeframe: string): Float64Array {
  const step = timeframeMs(timeframe);
  const [times] = readColumns(file, { required: ["open_time"] }) as [
    Float64Array,
  ];
  for (let i = 0; i < times.length; i++) {
    const t = times[i]!;
    if (t % step !== 0 || (i > 0 && !(t > times[i - 1]!))) {
      throw rowError(
        i,
        `has open_time ${
          isoTime(t)
        } (${t}) that is unsorted, duplicate or off the ${timeframe} grid`,
        { file, column: "open_time" },
      );
    }
  }
  return times;
}

/** Sorted names of the subdirectories (or files) of a directory; empty when it is absent. */
export function entryNames(dir: string, directories: boolean): string[] {
  const names: string[] = [];
  try {
    for (const entry of Deno.readDirSync(dir)) {
      if (directories ? entry.isDirectory : entry.isFile) {
        names.push(entry.name);
      }
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  return names.sort();
}

/**
 * Read-only view of a store root: series paths, open times, ranges, holes and the listing.
 * Every method takes an upper-case symbol (`BTCUSDT`) and a timeframe (`1h`) and throws a
 * `RangeError` when either is malformed, and a `CandleDataError` naming the file when a series
 * file is corrupt.
 */
export class CandleSeriesIndex {
  readonly #root: string;

  /** @param root Directory of the store (`./data/candles` by default). */
  constructor(root = "./data/candles") {
    this.#root = root.replace(/\/+$/, "") || "/";
  }

  /** The store's directory. */
  get root(): string {
    return this.#root;
  }

  /** Path of one series file: `<root>/{SYMBOL}/{tf}.parquet`. */
  path(symbol: string, timeframe: string): string {
    if (!SYMBOL_PATTERN.test(symbol)) {
      throw new RangeError(
        `Cannot locate candles as 'symbol' must be upper-case letters and digits such as 'BTCUSDT': current value is '${symbol}'`,
      );
    }
    timeframeMs(timeframe);
    return `${this.#root}/${symbol}/${timeframe}.parquet`;
  }

  /** Whether a series file exists (it may still be corrupt). */
  has(symbol: string, timeframe: string): boolean {
    try {
      return Deno.statSync(this.path(symbol, timeframe)).isFile;
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return false;
      throw error;
    }
  }

  /** Open times of a series (checked), or undefined when it has no file. */
  openTimes(symbol: string, timeframe: string): Float64Array | undefined {
    if (!this.has(symbol, timeframe)) return undefined;
    return readOpenTimes(this.path(symbol, timeframe), timeframe);
  }

  /** First and last open time and row count of a series, or undefined when it has no file. */
  range(
    symbol: string,
    timeframe: string,
  ): { first: number; last: number; rows: number } | undefined {
    const times = this.openTimes(symbol, timeframe);
    if (times === undefined) return undefined;
    const rows = times.length;
    return { first: times[0]!, last: times[rows - 1]!, rows };
  }

  /** Holes of a series, oldest first; empty when it has no file. */
  gaps(symbol: string, timeframe: string): CandleGap[] {
    const times = this.openTimes(symbol, timeframe);
    return times === undefined ? [] : findGaps(times, timeframeMs(timeframe));
  }

  /**
   * The candles of a window that the store lacks, as ranges for a downloader to fetch: open
   * times from `from` (inclusive) to `to` (exclusive: pass the still-forming candle's open
   * time). The whole window when the series has no file; a `RangeError` for a bad window.
   */
  missingRanges(
    symbol: string,
    timeframe: string,
    options: MissingRangeOptions,
  ): CandleGap[] {
    const times = this.openTimes(symbol, timeframe) ?? new Float64Array(0);
    return missingRanges(times, timeframeMs(timeframe), options);
  }

  /**
   * Summarises every `{SYMBOL}/{tf}.parquet` file, sorted by symbol then timeframe length. A
   * file that cannot be read is listed with its error; temporary and other files are skipped.
   */
  list(): SeriesSummary[] {
    const entries: SeriesSummary[] = [];
    for (const symbol of entryNames(this.#root, true)) {
      if (!SYMBOL_PATTERN.test(symbol)) continue;
      const timeframes = entryNames(`${this.#root}/${symbol}`, false)
        .map((name) => SERIES_FILE.exec(name)?.[1])
        .filter((tf): tf is string => tf !== undefined)
        .sort((a, b) => timeframeMs(a) - timeframeMs(b));
      for (const timeframe of timeframes) {
        try {
          const times = readOpenTimes(this.path(symbol, timeframe), timeframe);
          const rows = times.length;
          const gaps = summarizeGaps(findGaps(times, timeframeMs(timeframe)));
          const [first, last] = [times[0]!, times[rows - 1]!];
          const ok = "ok" as const;
          entries.push({
            status: ok,
            symbol,
            timeframe,
            rows,
            first,
            last,
            gaps,
          });
        } catch (error) {
          const message = messageOf(error);
          entries.push({ status: "error", symbol, timeframe, message });
        }
      }
    }
    return entries;
  }
}
