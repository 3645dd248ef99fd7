/**
 * The Parquet candle store: one file per series at `<root>/{SYMBOL}/{tf}.parquet` (root
 * `./data/candles` by default), read and written through Polars.
 *
 * Columns: `open_time` Int64 (open time, epoch ms UTC), then Float64 `open`, `high`, `low`,
 * `close`, `volume` (base asset), `quote_volume`, `trades`, `taker_buy_volume`,
 * `taker_buy_quote_volume`; snappy-compressed, rows strictly ascending. `trades` is Float64
 * (exact below 2^53) so that NaN can mean "unknown": candles imported from CSV or freqtrade files
 * carry only OHLCV and their four extra columns are NaN. A file with only the OHLCV columns (as
 * `saveCandlesParquet` writes) reads with NaN extras.
 *
 * Writes are atomic: the new file goes to a hidden temporary file in the same directory
 * (`.{tf}.parquet.{pid}-{n}.tmp`), is flushed to disk and renamed over the old one, so a kill -9
 * at any moment leaves the old or the new file, never half of one. Temporary names never match
 * `{tf}.parquet`, so reads and `list()` ignore them; the next `append` to the series deletes any
 * left over. One process at a time may write a store (an append reads, merges and rewrites).
 * Paths, open times, ranges, holes and the listing come from `CandleSeriesIndex`
 * (`data/candle_gaps.ts`), which `CandleStore` extends.
 *
 * @module
 */
import pl from "nodejs-polars";
import { type CandleColumns, timeframeMs } from "../core/types.ts";
import {
  type ConflictPolicy,
  findGaps,
  type GapSummary,
  lowerBound,
  mergeCandles,
  type MissingRangeOptions,
  summarizeGaps,
} from "../core/gaps.ts";
import {
  CandleSeriesIndex,
  entryNames,
  readColumns,
  type SeriesSummary,
  toCandleColumns,
} from "./candle_gaps.ts";
import {
  CANDLE_COLUMNS,
  type CandleCheckOptions,
  CandleDataError,
  isoTime,
  rowError,
  validateCandleColumns,
} from "./candle_validation.ts";

export { CandleDataError };
export type { SeriesSummary };

/** Stored candles: OHLCV plus the four extra Binance kline columns (NaN when unknown). */
export interface StoredCandles extends CandleColumns {
  /** Quote asset volume. */
  readonly quoteVolume: Float64Array;
  /** Number of trades (integers, or NaN when unknown). */
  readonly trades: Float64Array;
  /** Taker buy base asset volume. */
  readonly takerBuyVolume: Float64Array;
  /** Taker buy quote asset volume. */
  readonly takerBuyQuoteVolume: Float64Array;
}

/** Candles to append: OHLCV, with any of the extra columns. */
export type CandlesToStore = CandleColumns & Partial<StoredCandles>;

/** Parquet column name of each `StoredCandles` field, in file order. */
export const STORED_COLUMNS: Readonly<Record<keyof StoredCandles, string>> = {
  openTime: "open_time",
  open: "open",
  high: "high",
  low: "low",
  close: "close",
  volume: "volume",
  quoteVolume: "quote_volume",
  trades: "trades",
  takerBuyVolume: "taker_buy_volume",
  takerBuyQuoteVolume: "taker_buy_quote_volume",
};

const FIELDS = Object.keys(STORED_COLUMNS) as (keyof StoredCandles)[];
const EXTRA_FIELDS = FIELDS.slice(CANDLE_COLUMNS.length);
const EXTRA_COLUMNS = EXTRA_FIELDS.map((field) => STORED_COLUMNS[field]);
let temporaryCount = 0;

/** Result of `append`. */
export interface AppendResult {
  /** Candles whose open time was new. */
  readonly added: number;
  /** Stored candles that changed (replaced on conflict, or unknown values filled). */
  readonly replaced: number;
  /** Stored candles that the input repeated unchanged. */
  readonly unchanged: number;
  /** Holes of the series after the append. */
  readonly gaps: GapSummary;
}

/** Options of `append`. */
export interface AppendOptions {
  /** Stored and incoming candles that differ: `reject` (default, throws), `keep` or `replace`. */
  readonly onConflict?: ConflictPolicy;
}

/** Incoming candles that differ from stored ones under the `reject` policy; nothing is written. */
export class CandleConflictError extends Error {
  /** The series file. */
  readonly file: string;
  /** Open time of the first differing candle, epoch ms. */
  readonly openTime: number;
  /** Number of differing candles. */
  readonly count: number;

  constructor(
    message: string,
    options: { file: string; openTime: number; count: number },
  ) {
    super(message);
    this.name = "CandleConflictError";
    this.file = options.file;
    this.openTime = options.openTime;
    this.count = options.count;
  }
}

/** Gives candles the four extra columns, NaN where missing (the given arrays are reused). */
export function toStoredCandles(candles: CandlesToStore): StoredCandles {
  const n = candles.openTime.length;
  const entries = FIELDS.map((field) => [
    field,
    candles[field] ?? new Float64Array(n).fill(Number.NaN),
  ]);
  return Object.fromEntries(entries) as StoredCandles;
}

function checkExtras(candles: StoredCandles, file: string): void {
  for (const field of EXTRA_FIELDS) {
    const values = candles[field];
    const column = STORED_COLUMNS[field];
    if (values.length !== candles.openTime.length) {
      throw new RangeError(
        `Cannot store candles as '${column}' must have the length of 'open_time' (${candles.openTime.length}): current value is ${values.length}`,
      );
    }
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if ((v >= 0 && v < Infinity) || Number.isNaN(v)) continue;
      throw rowError(i, `has an invalid '${column}' value: ${v}`, {
        file,
        column,
      });
    }
  }
}

/** The Parquet candle store (see the module doc); paths, ranges and holes come from the index. */
export class CandleStore extends CandleSeriesIndex {
  /**
   * Reads a series with all its columns, validated like any candle file, optionally only the
   * open times from `from` (inclusive) to `to` (exclusive) as subarray views. A missing or
   * corrupt file or invalid candles throw a `CandleDataError` naming the file.
   */
  read(
    symbol: string,
    timeframe: string,
    options: Partial<MissingRangeOptions> = {},
  ): StoredCandles {
    const file = this.path(symbol, timeframe);
    const arrays = readColumns(file, {
      required: CANDLE_COLUMNS,
      optional: EXTRA_COLUMNS,
    });
    const candles = Object.fromEntries(
      FIELDS.map((field, k) => [field, arrays[k]!]),
    ) as unknown as StoredCandles;
    const step = timeframeMs(timeframe);
    validateCandleColumns(candles, { file, timeframe, timeframeMs: step });
    checkExtras(candles, file);
    if (options.from === undefined && options.to === undefined) return candles;
    const start = lowerBound(candles.openTime, options.from ?? -Infinity);
    const end = Math.max(
      start,
      lowerBound(candles.openTime, options.to ?? Infinity),
    );
    return Object.fromEntries(
      FIELDS.map((field) => [field, candles[field].subarray(start, end)]),
    ) as unknown as StoredCandles;
  }

  /** Reads only OHLCV of a series, validated: the fastest load, for backtests. */
  readCandles(symbol: string, timeframe: string): CandleColumns {
    const file = this.path(symbol, timeframe);
    const candles = toCandleColumns(
      readColumns(file, { required: CANDLE_COLUMNS }),
    );
    const step = timeframeMs(timeframe);
    validateCandleColumns(candles, { file, timeframe, timeframeMs: step });
    return candles;
  }

  /**
   * Merges candles (strictly ascending; missing extra columns are unknown) into a series,
   * creating it when absent, and rewrites its file atomically. Nothing is written when the
   * input is invalid or the stored file corrupt (`CandleDataError`), when candles differ from
   * stored ones under `onConflict: "reject"`, the default (`CandleConflictError`), or when
   * nothing changes.
   *
   * @returns Counts of added, replaced and unchanged candles and the series' holes.
   */
  append(
    symbol: string,
    timeframe: string,
    candles: CandlesToStore,
    options: AppendOptions = {},
  ): AppendResult {
    const file = this.path(symbol, timeframe);
    const step = timeframeMs(timeframe);
    const incoming = toStoredCandles(candles);
    checkIncoming(incoming, { file, timeframe, timeframeMs: step });
    const existing = this.has(symbol, timeframe)
      ? this.read(symbol, timeframe)
      : toStoredCandles(
        toCandleColumns(new Array(6).fill(new Float64Array(0))),
      );
    const merged = mergeCandles(existing, incoming, options);
    if (merged.kind === "conflict") {
      const { openTime, column, existing: was, incoming: now } = merged.first;
      const name = STORED_COLUMNS[column as keyof StoredCandles];
      throw new CandleConflictError(
        `Cannot append candles to '${file}' as incoming candles must equal the stored ones at the same open time: ${merged.count} differ, first at ${
          isoTime(openTime)
        } (${openTime}) where '${name}' is ${was} stored and ${now} incoming`,
        { file, openTime, count: merged.count },
      );
    }
    if (merged.added > 0 || merged.replaced > 0) {
      writeAtomically(file, merged.columns);
    }
    const { added, replaced, unchanged } = merged;
    const gaps = summarizeGaps(findGaps(merged.columns.openTime, step));
    return { added, replaced, unchanged, gaps };
  }
}

/** Validates candles to append; errors name the series file and say "incoming row". */
function checkIncoming(
  candles: StoredCandles,
  check: CandleCheckOptions,
): void {
  const source = "incoming candles";
  try {
    validateCandleColumns(candles, { ...check, file: source });
    checkExtras(candles, source);
  } catch (error) {
    if (!(error instanceof CandleDataError)) throw error;
    const message = error.message.replace(
      `Cannot load candles from '${source}' as `,
      `Cannot append candles to '${check.file}' as incoming `,
    );
    throw new CandleDataError(message, {
      file: check.file,
      ...(error.row === undefined ? {} : { row: error.row }),
      ...(error.column === undefined ? {} : { column: error.column }),
    });
  }
}

function writeAtomically(file: string, candles: StoredCandles): void {
  const slash = file.lastIndexOf("/");
  const dir = file.slice(0, slash);
  const prefix = `.${file.slice(slash + 1)}.`;
  Deno.mkdirSync(dir, { recursive: true });
  for (const name of entryNames(dir, false)) {
    if (name.startsWith(prefix) && name.endsWith(".tmp")) {
      Deno.removeSync(`${dir}/${name}`);
    }
  }
  const temporary = `${dir}/${prefix}${Deno.pid}-${++temporaryCount}.tmp`;
  const frame = pl.DataFrame(FIELDS.map((field) => {
    const series = pl.Series(STORED_COLUMNS[field], candles[field]);
    return field === "openTime" ? series.cast(pl.Int64) : series;
  }));
  try {
    frame.writeParquet(temporary, { compression: "snappy" });
    const handle = Deno.openSync(temporary, { read: true, write: true });
    try {
      handle.syncSync();
    } finally {
      handle.close();
    }
    Deno.renameSync(temporary, file);
  } catch (error) {
    try {
      Deno.removeSync(temporary);
    } catch {
      // No temporary file was created; the first error is the one to report.
    }
    throw error;
  }
}
