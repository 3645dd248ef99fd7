/**
 * Saves candle columns to CSV (`.csv`, `.csv.gz`) or Parquet, the formats `loadCandles` reads.
 * Each file is written to a temporary name and renamed, so readers never see half a file.
 *
 * @module
 */
import pl from "nodejs-polars";
import { gzipSync } from "node:zlib";
import type { CandleColumns } from "../core/types.ts";
import { baseName, candleFileFormat } from "./candle_loader.ts";
import { CANDLE_COLUMNS } from "./candle_validation.ts";

function temporaryPath(path: string): string {
  return `${path}.tmp-${Deno.pid}`;
}

function checkedColumns(columns: CandleColumns): readonly Float64Array[] {
  const arrays = [
    columns.openTime,
    columns.open,
    columns.high,
    columns.low,
    columns.close,
    columns.volume,
  ];
  const n = columns.openTime.length;
  arrays.forEach((array, k) => {
    if (array.length !== n) {
      throw new RangeError(
        `Cannot save candles as column '${
          CANDLE_COLUMNS[k]
        }' must have the length of 'open_time' (${n}): current value is ${array.length}`,
      );
    }
  });
  for (let i = 0; i < n; i++) {
    if (!Number.isSafeInteger(columns.openTime[i])) {
      throw new RangeError(
        `Cannot save candles as 'open_time' must hold safe integers: current value is ${
          columns.openTime[i]
        } at row ${i + 1}`,
      );
    }
  }
  return arrays;
}

/**
 * Writes candle columns as CSV (`.csv`, or gzip when the path ends with `.csv.gz`) with the
 * header `open_time,open,high,low,close,volume`. Numbers are written with `String(x)`, the
 * shortest text that reads back to the same double. The file is written to a temporary name
 * and renamed, so readers never see half a file.
 *
 * @param path Target file, ending with `.csv` or `.csv.gz`.
 * @param columns The candles to write.
 * @throws {TypeError} When the extension is not `.csv` or `.csv.gz`.
 * @throws {RangeError} When the columns differ in length or a time is not a safe integer.
 */
export function saveCandlesCsv(path: string, columns: CandleColumns): void {
  const format = candleFileFormat(path, "save candles to");
  if (format === "parquet") {
    throw new TypeError(
      `Cannot save candles to '${path}' as its extension must be '.csv' or '.csv.gz': current value is '${
        baseName(path)
      }'`,
    );
  }
  const [t, o, h, l, c, v] = checkedColumns(columns) as [
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
  ];
  const lines = new Array<string>(t.length + 1);
  lines[0] = CANDLE_COLUMNS.join(",");
  for (let i = 0; i < t.length; i++) {
    lines[i + 1] = `${t[i]},${o[i]},${h[i]},${l[i]},${c[i]},${v[i]}`;
  }
  const text = new TextEncoder().encode(lines.join("\n") + "\n");
  const tmp = temporaryPath(path);
  Deno.writeFileSync(tmp, format === "csv.gz" ? gzipSync(text) : text);
  Deno.renameSync(tmp, path);
}

/**
 * Writes candle columns as Parquet through Polars: `open_time` as Int64, the rest as Float64.
 * The file is written to a temporary name and renamed.
 *
 * @param path Target file, ending with `.parquet`.
 * @param columns The candles to write.
 * @throws {TypeError} When the extension is not `.parquet`.
 * @throws {RangeError} When the columns differ in length or a time is not a safe integer.
 */
export function saveCandlesParquet(path: string, columns: CandleColumns): void {
  if (candleFileFormat(path, "save candles to") !== "parquet") {
    throw new TypeError(
      `Cannot save candles to '${path}' as its extension must be '.parquet': current value is '${
        baseName(path)
      }'`,
    );
  }
  const arrays = checkedColumns(columns);
  const frame = pl.DataFrame(
    CANDLE_COLUMNS.map((name, k) => {
      const s = pl.Series(name, arrays[k]!);
      return k === 0 ? s.cast(pl.Int64) : s;
    }),
  );
  const tmp = temporaryPath(path);
  frame.writeParquet(tmp);
  Deno.renameSync(tmp, path);
}
