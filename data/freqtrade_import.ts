/**
 * Imports candle files into the store: Binance-style `SYMBOL-TF.csv`, `.csv.gz` or `.parquet`
 * (through the candle loader) and freqtrade's data files, so freqtrade users bring their history.
 *
 * freqtrade names its files `BTC_USDT-1h.feather` (spot) and `BTC_USDT_USDT-1h-futures.feather`
 * (USDT-M futures), both mapped to symbol `BTCUSDT`, timeframe `1h`; `.json` and `.json.gz` work
 * the same. A feather file has the columns `date` (timestamp in any unit, UTC), `open`, `high`,
 * `low`, `close`, `volume`; a JSON file is an array of `[date_ms, open, high, low, close,
 * volume]` rows. Mark, index and funding-rate files are not candles and are not recognised.
 * Imported candles carry OHLCV only: the store's extra columns stay unknown (NaN).
 *
 * Every file is loaded and validated completely before anything is written, and the store
 * rejects candles that differ from stored ones unless `onConflict` says otherwise.
 *
 * @module
 */
import pl from "nodejs-polars";
import { Buffer } from "node:buffer";
import { gunzipSync } from "node:zlib";
import { type CandleColumns, timeframeMs } from "../core/types.ts";
import type { ConflictPolicy } from "../core/gaps.ts";
import {
  baseName,
  loadCandles,
  symbolFromFileName,
  timeframeFromFileName,
} from "./candle_loader.ts";
import {
  checkReadable,
  entryNames,
  messageOf,
  numericColumn,
  toCandleColumns,
} from "./candle_gaps.ts";
import type { AppendResult, CandleStore } from "./candle_store.ts";
import {
  fileError,
  rowError,
  validateCandleColumns,
} from "./candle_validation.ts";

/** The columns of a freqtrade candle file, in order. */
export const FREQTRADE_COLUMNS = [
  "date",
  "open",
  "high",
  "low",
  "close",
  "volume",
] as const;

const FREQTRADE_NAME =
  /^([A-Z0-9]+)_([A-Z0-9]+)(?:_([A-Z0-9]+))?-([1-9][0-9]*[mhd])(-futures)?\.(feather|json|json\.gz)$/;
const EXPECTED = FREQTRADE_COLUMNS.map((name) => `'${name}'`).join(", ");

/** What a freqtrade file name says. */
export interface FreqtradeFileName {
  /** Binance symbol, e.g. `BTCUSDT`. */
  readonly symbol: string;
  /** Timeframe, e.g. `1h`. */
  readonly timeframe: string;
  /** `futures` for `*_USDT-tf-futures.*` names, else `spot`. */
  readonly market: "spot" | "futures";
}

/** Options of the import functions. */
export interface ImportOptions {
  /** Symbol to store under; read from the file name when omitted. */
  readonly symbol?: string;
  /** Timeframe; read from the file name when omitted. */
  readonly timeframe?: string;
  /** Candles that differ from stored ones: `reject` (default), `keep` or `replace`. */
  readonly onConflict?: ConflictPolicy;
}

/** What one import did: the store's append result for the file's candles. */
export interface ImportReport extends AppendResult {
  /** The imported file. */
  readonly file: string;
  readonly symbol: string;
  readonly timeframe: string;
  /** Candles in the file. */
  readonly rows: number;
}

/** Per-file outcome of `importDirectory`. */
export type DirectoryImportEntry =
  | ({ readonly status: "ok" } & ImportReport)
  | {
    readonly status: "error";
    readonly file: string;
    readonly message: string;
  };

/** Result of `importDirectory`. */
export interface DirectoryImport {
  /** One entry per recognised file, in import order. */
  readonly entries: DirectoryImportEntry[];
  /** Files whose names were not recognised. */
  readonly skipped: string[];
}

/**
 * Reads symbol, timeframe and market from a freqtrade file name or path such as
 * `data/BTC_USDT_USDT-1h-futures.feather`; undefined when it is not a freqtrade candle file.
 */
export function parseFreqtradeFileName(
  path: string,
): FreqtradeFileName | undefined {
  const match = FREQTRADE_NAME.exec(baseName(path));
  if (match === null) return undefined;
  const [, base, quote, settle, timeframe, futures] = match;
  if ((settle === undefined) !== (futures === undefined)) return undefined;
  return {
    symbol: `${base}${quote}`,
    timeframe: timeframe!,
    market: futures === undefined ? "spot" : "futures",
  };
}

function loadFeather(path: string): CandleColumns {
  checkReadable(path);
  const bytes = Deno.readFileSync(path);
  let frame: pl.DataFrame;
  try {
    // A string is taken as a path only when it ends with `.ipc`, so pass the bytes.
    frame = pl.readIPC(
      Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    );
  } catch (error) {
    throw fileError(path, `it is not readable Feather: ${messageOf(error)}`);
  }
  const missing = FREQTRADE_COLUMNS.filter((name) =>
    !frame.columns.includes(name)
  );
  if (missing.length > 0) {
    const found = frame.columns.map((name) => `'${name}'`).join(", ");
    throw fileError(
      path,
      `column '${
        missing[0]
      }' is missing: expected ${EXPECTED} and found ${found}`,
    );
  }
  if (frame.height === 0) throw fileError(path, "it has no data rows");
  let date = frame.getColumn("date");
  if (date.dtype.variant === "Datetime") {
    date = date.cast(pl.Datetime("ms")).cast(pl.Int64);
  } else if (!date.isNumeric()) {
    throw fileError(
      path,
      `column 'date' must hold timestamps: current type is ${date.dtype}`,
    );
  }
  const openTime = numericColumn(pl.DataFrame([date]), "date", path);
  return toCandleColumns([
    openTime,
    ...FREQTRADE_COLUMNS.slice(1).map((name) =>
      numericColumn(frame, name, path)
    ),
  ]);
}

function loadJson(path: string): CandleColumns {
  checkReadable(path);
  let bytes: Uint8Array = Deno.readFileSync(path);
  if (path.toLowerCase().endsWith(".gz")) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      throw fileError(path, `it is not valid gzip: ${messageOf(error)}`);
    }
  }
  let rows: unknown;
  try {
    rows = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw fileError(path, `it is not valid JSON: ${messageOf(error)}`);
  }
  if (!Array.isArray(rows)) {
    throw fileError(
      path,
      `it must be an array of [${FREQTRADE_COLUMNS.join(", ")}] rows`,
    );
  }
  if (rows.length === 0) throw fileError(path, "it has no data rows");
  const columns = FREQTRADE_COLUMNS.map(() => new Float64Array(rows.length));
  rows.forEach((row: unknown, i) => {
    if (!Array.isArray(row) || row.length !== FREQTRADE_COLUMNS.length) {
      const found = Array.isArray(row) ? `${row.length} values` : typeof row;
      throw rowError(
        i,
        `has ${found}: expected the ${FREQTRADE_COLUMNS.length} columns ${EXPECTED}`,
        { file: path },
      );
    }
    row.forEach((value: unknown, k) => {
      if (typeof value !== "number") {
        const column = FREQTRADE_COLUMNS[k]!;
        const problem = value === null
          ? `has no '${column}' value`
          : `has a non-numeric '${column}' value: ${JSON.stringify(value)}`;
        throw rowError(i, problem, { file: path, column });
      }
      columns[k]![i] = value;
    });
  });
  return toCandleColumns(columns);
}

/**
 * Loads a freqtrade candle file (`.feather`, `.json`, `.json.gz`) into validated columns, with
 * open times on the grid of `options.timeframe` when given. An unknown extension is a
 * `TypeError`; an unreadable file, wrong columns or bad candles a `CandleDataError`.
 */
export function loadFreqtradeCandles(
  path: string,
  options: { readonly timeframe?: string } = {},
): CandleColumns {
  const lower = path.toLowerCase();
  const feather = lower.endsWith(".feather");
  if (!feather && !lower.endsWith(".json") && !lower.endsWith(".json.gz")) {
    throw new TypeError(
      `Cannot load candles from '${path}' as its extension must be '.feather', '.json' or '.json.gz': current value is '${
        baseName(path)
      }'`,
    );
  }
  const candles = feather ? loadFeather(path) : loadJson(path);
  validateCandleColumns(candles, {
    file: path,
    ...(options.timeframe === undefined ? {} : {
      timeframe: options.timeframe,
      timeframeMs: timeframeMs(options.timeframe),
    }),
  });
  return candles;
}

/** How `importFile` finds a file's series and loads it. */
interface Source {
  readonly symbol: string | undefined;
  readonly timeframe: string | undefined;
  /** A file name of the expected form, for the error message. */
  readonly example: string;
  readonly load: (path: string, timeframe: string) => CandleColumns;
}

function importFile(
  target: CandleStore,
  path: string,
  options: ImportOptions & { readonly source: Source },
): ImportReport {
  const { source, onConflict } = options;
  const symbol = options.symbol ?? source.symbol;
  const timeframe = options.timeframe ?? source.timeframe;
  if (symbol === undefined || timeframe === undefined) {
    throw new TypeError(
      `Cannot import candles from '${path}' as 'symbol' and 'timeframe' must be given or the file name must look like '${source.example}': current value is '${
        baseName(path)
      }'`,
    );
  }
  const candles = source.load(path, timeframe);
  const rows = candles.openTime.length;
  const result = target.append(
    symbol,
    timeframe,
    candles,
    onConflict === undefined ? {} : { onConflict },
  );
  return { file: path, symbol, timeframe, rows, ...result };
}

/**
 * Imports a `SYMBOL-TF.csv`, `.csv.gz` or `.parquet` candle file into the store; symbol and
 * timeframe come from `options` or else the file name (a `TypeError` when neither has them).
 * An invalid file throws a `CandleDataError` and candles that differ from stored ones a
 * `CandleConflictError` (unless `onConflict` says otherwise); either way nothing is written.
 *
 * @returns What the import did.
 */
export function importCsv(
  target: CandleStore,
  path: string,
  options: ImportOptions = {},
): ImportReport {
  return importFile(target, path, {
    ...options,
    source: {
      symbol: symbolFromFileName(path)?.toUpperCase(),
      timeframe: timeframeFromFileName(path),
      example: "BTCUSDT-1h.csv.gz",
      load: (file, timeframe) => loadCandles(file, { timeframe }),
    },
  });
}

/**
 * Imports a freqtrade feather or JSON candle file into the store, like `importCsv`; the name
 * follows freqtrade (`BTC_USDT-1h.json`, `BTC_USDT_USDT-1h-futures.feather`). A file with the
 * wrong columns throws a `CandleDataError` naming the columns expected and found.
 *
 * @returns What the import did.
 */
export function importFreqtrade(
  target: CandleStore,
  path: string,
  options: ImportOptions = {},
): ImportReport {
  const name = parseFreqtradeFileName(path);
  return importFile(target, path, {
    ...options,
    source: {
      symbol: name?.symbol,
      timeframe: name?.timeframe,
      example: "BTC_USDT_USDT-1h-futures.feather",
      load: (file, timeframe) => loadFreqtradeCandles(file, { timeframe }),
    },
  });
}

function listFiles(dir: string): string[] {
  const files = entryNames(dir, false).map((name) => `${dir}/${name}`);
  for (const sub of entryNames(dir, true)) {
    if (!sub.startsWith(".")) files.push(...listFiles(`${dir}/${sub}`));
  }
  return files;
}

/**
 * Imports every recognised candle file under a directory (recursively, with `onConflict` for
 * each) and reports each one, going on after a failure. freqtrade futures files go first, then
 * `SYMBOL-TF` candle files, then freqtrade spot files, each group by path; so where spot and
 * futures candles of a symbol overlap and differ, the futures candles stay and the spot file
 * is reported as an error.
 *
 * @returns Per-file outcomes and the files that were skipped.
 */
export function importDirectory(
  target: CandleStore,
  dir: string,
  options: Pick<ImportOptions, "onConflict"> = {},
): DirectoryImport {
  const root = dir.replace(/\/+$/, "") || "/";
  const queue: { path: string; rank: number }[] = [];
  const skipped: string[] = [];
  for (const path of listFiles(root)) {
    const freqtrade = parseFreqtradeFileName(path);
    if (freqtrade !== undefined) {
      queue.push({ path, rank: freqtrade.market === "futures" ? 0 : 2 });
    } else if (symbolFromFileName(path) !== undefined) {
      queue.push({ path, rank: 1 });
    } else skipped.push(path);
  }
  queue.sort((a, b) => a.rank - b.rank || (a.path < b.path ? -1 : 1));
  const entries = queue.map(({ path, rank }): DirectoryImportEntry => {
    try {
      const report = rank === 1
        ? importCsv(target, path, options)
        : importFreqtrade(target, path, options);
      return { status: "ok", ...report };
    } catch (error) {
      return { status: "error", file: path, message: messageOf(error) };
    }
  });
  return { entries, skipped };
}
