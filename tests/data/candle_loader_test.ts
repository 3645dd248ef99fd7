/**
 * Tests of the candle loader: CSV, gzip CSV and Parquet give the same columns, real files load,
 * every kind of bad input throws a `CandleDataError` with an exact message, and file names parse.
 *
 * @module
 */
import { strict as assert } from "node:assert";
import { gunzipSync, gzipSync } from "node:zlib";
import pl from "nodejs-polars";
import {
  CandleDataError,
  loadCandles,
  symbolFromFileName,
  timeframeFromFileName,
} from "../../data/candle_loader.ts";
import {
  saveCandlesCsv,
  saveCandlesParquet,
} from "../../data/candle_writer.ts";
import { validateCandleColumns } from "../../data/candle_validation.ts";
import type { CandleColumns } from "../../core/types.ts";
import {
  FIXTURES,
  NEEDS_SHARED,
  SHARED_DATA,
  sharedFile,
} from "../shared_data.ts";

const HEADER = "open_time,open,high,low,close,volume";
const H1 = 3_600_000;
const T0 = 1567969200000; // 2019-09-08T19:00:00.000Z

function withTempDir(run: (dir: string) => void): void {
  const dir = Deno.makeTempDirSync({ prefix: "velas_candles_" });
  try {
    run(dir);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

/** Writes `text` to `dir/name` (gzip when the name ends with `.gz`) and returns the path. */
function writeFile(dir: string, name: string, text: string): string {
  const path = `${dir}/${name}`;
  const bytes = new TextEncoder().encode(text);
  Deno.writeFileSync(path, name.endsWith(".gz") ? gzipSync(bytes) : bytes);
  return path;
}

interface Expected {
  readonly message: string;
  readonly row?: number;
  readonly line?: number;
  readonly column?: string;
}

function assertCandleError(run: () => unknown, expected: Expected): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof CandleDataError);
    assert.equal(error.name, "CandleDataError");
    assert.equal(error.message, expected.message);
    assert.equal(error.row, expected.row);
    assert.equal(error.line, expected.line);
    assert.equal(error.column, expected.column);
    return true;
  });
}

/** Loads a one-off CSV body (header added) from a temp file and expects a row error. */
function assertCsvRowError(
  rows: readonly string[],
  expected: {
    problem: string;
    row: number;
    column?: string;
    timeframe?: string;
  },
): void {
  withTempDir((dir) => {
    const path = writeFile(dir, "bad.csv", [HEADER, ...rows].join("\n") + "\n");
    const options = expected.timeframe === undefined
      ? {}
      : { timeframe: expected.timeframe };
    assertCandleError(() => loadCandles(path, options), {
      message:
        `Cannot load candles from '${path}' as row ${expected.row} (line ${
          expected.row + 1
        }) ${expected.problem}`,
      row: expected.row,
      line: expected.row + 1,
      ...(expected.column === undefined ? {} : { column: expected.column }),
    });
  });
}

function row(time: number, o = 2, h = 3, l = 1, c = 2, v = 5): string {
  return `${time},${o},${h},${l},${c},${v}`;
}

function assertSameColumns(
  actual: CandleColumns,
  expected: CandleColumns,
): void {
  assert.deepEqual(actual.openTime, expected.openTime);
  assert.deepEqual(actual.open, expected.open);
  assert.deepEqual(actual.high, expected.high);
  assert.deepEqual(actual.low, expected.low);
  assert.deepEqual(actual.close, expected.close);
  assert.deepEqual(actual.volume, expected.volume);
}

Deno.test("loader gives identical columns from CSV, gzip CSV and Parquet", () => {
  const fromGz = loadCandles(`${FIXTURES}BTCUSDT-1h.csv.gz`);
  withTempDir((dir) => {
    saveCandlesCsv(`${dir}/BTCUSDT-1h.csv`, fromGz);
    saveCandlesCsv(`${dir}/again.csv.gz`, fromGz);
    saveCandlesParquet(`${dir}/BTCUSDT-1h.parquet`, fromGz);
    assertSameColumns(loadCandles(`${dir}/BTCUSDT-1h.csv`), fromGz);
    assertSameColumns(loadCandles(`${dir}/again.csv.gz`), fromGz);
    assertSameColumns(loadCandles(`${dir}/BTCUSDT-1h.parquet`), fromGz);
  });
});

Deno.test("loader parses every number exactly as JavaScript reads the file text", () => {
  const path = `${FIXTURES}ETHUSDT-30m.csv.gz`;
  const lines = new TextDecoder().decode(gunzipSync(Deno.readFileSync(path)))
    .trimEnd().split("\n");
  const columns = loadCandles(path);
  const arrays = [
    columns.openTime,
    columns.open,
    columns.high,
    columns.low,
    columns.close,
    columns.volume,
  ];
  assert.equal(columns.openTime.length, lines.length - 1);
  for (let i = 1; i < lines.length; i++) {
    const fields = lines[i]!.split(",");
    arrays.forEach((array, k) => assert.equal(array[i - 1], Number(fields[k])));
  }
});

Deno.test("saveCandlesCsv writes the shared file format byte for byte", () => {
  const path = `${FIXTURES}SOLUSDT-1h.csv.gz`;
  withTempDir((dir) => {
    saveCandlesCsv(`${dir}/copy.csv.gz`, loadCandles(path));
    assert.deepEqual(
      gunzipSync(Deno.readFileSync(`${dir}/copy.csv.gz`)),
      gunzipSync(Deno.readFileSync(path)),
    );
  });
});

Deno.test("loader reads a real shared file with its timeframe" + NEEDS_SHARED, {
  ignore: SHARED_DATA === undefined,
}, () => {
  const columns = loadCandles(sharedFile("BTCUSDT-1h.csv.gz"), {
    timeframe: "1h",
  });
  assert.equal(columns.openTime.length, 58_621);
  assert.equal(columns.openTime[0], 1567969200000);
  assert.equal(columns.close[0], 10340.12);
});

Deno.test("loader reads every bundled fixture with the row count of its README", () => {
  const expected: Record<string, number> = {
    "BTCUSDT-1h.csv.gz": 3000,
    "ETHUSDT-1h.csv.gz": 3000,
    "SOLUSDT-1h.csv.gz": 3000,
    "BTCUSDT-30m.csv.gz": 3000,
    "BTCUSDT-2h.csv.gz": 3000,
    "ETHUSDT-30m.csv.gz": 1500,
    "ETHUSDT-2h.csv.gz": 1500,
  };
  for (const [name, rows] of Object.entries(expected)) {
    const timeframe = timeframeFromFileName(name);
    assert.ok(timeframe !== undefined);
    const columns = loadCandles(FIXTURES + name, { timeframe });
    assert.equal(columns.openTime.length, rows, name);
  }
  const btc = loadCandles(`${FIXTURES}BTCUSDT-1h.csv.gz`);
  assert.equal(btc.openTime[0], 1768204800000);
  assert.equal(btc.openTime[2999], 1779001200000);
});

Deno.test("loader gunzips a csv.gz instead of reading zero rows", () => {
  withTempDir((dir) => {
    const path = writeFile(dir, "tiny.csv.gz", `${HEADER}\n${row(T0)}\n`);
    const columns = loadCandles(path);
    assert.equal(columns.openTime.length, 1);
    assert.equal(columns.volume[0], 5);
  });
});

Deno.test("loader ignores extra columns, column order and trailing blank lines", () => {
  withTempDir((dir) => {
    const path = writeFile(
      dir,
      "shuffled.csv",
      "volume,note,close,low,high,open,open_time\r\n" +
        `7,a,2.5,1.25,3,2,${T0}\r\n8,b,2,1,3,2.5,${T0 + H1}\r\n\r\n\n`,
    );
    const columns = loadCandles(path, { timeframe: "1h" });
    assert.deepEqual(columns.openTime, new Float64Array([T0, T0 + H1]));
    assert.deepEqual(columns.open, new Float64Array([2, 2.5]));
    assert.deepEqual(columns.high, new Float64Array([3, 3]));
    assert.deepEqual(columns.low, new Float64Array([1.25, 1]));
    assert.deepEqual(columns.close, new Float64Array([2.5, 2]));
    assert.deepEqual(columns.volume, new Float64Array([7, 8]));
  });
});

Deno.test("loader names every missing column", () => {
  withTempDir((dir) => {
    const path = writeFile(
      dir,
      "x.csv",
      `open_time,open,low,close\n${T0},2,1,2\n`,
    );
    assertCandleError(() => loadCandles(path), {
      message:
        `Cannot load candles from '${path}' as columns 'high', 'volume' are missing: found 'open_time', 'open', 'low', 'close'`,
    });
  });
});

Deno.test("loader names a single missing column of a Parquet file", () => {
  withTempDir((dir) => {
    const path = `${dir}/x.parquet`;
    pl.DataFrame({
      open_time: [T0],
      open: [2],
      high: [3],
      low: [1],
      close: [2],
    }).writeParquet(path);
    assertCandleError(() => loadCandles(path), {
      message:
        `Cannot load candles from '${path}' as column 'volume' is missing: found 'open_time', 'open', 'high', 'low', 'close'`,
    });
  });
});

Deno.test("loader reads numeric text columns of a Parquet file and names a bad token", () => {
  withTempDir((dir) => {
    const path = `${dir}/x.parquet`;
    const frame = (close: string[]) =>
      pl.DataFrame({
        open_time: [T0, T0 + H1],
        open: [2, 2],
        high: [3, 3],
        low: [1, 1],
        close,
        volume: [5, 5],
      });
    frame(["2", "2.5"]).writeParquet(path);
    assert.deepEqual(loadCandles(path).close, new Float64Array([2, 2.5]));
    frame(["2", "n/a"]).writeParquet(path);
    assertCandleError(() => loadCandles(path), {
      message:
        `Cannot load candles from '${path}' as row 2 has a non-numeric 'close' value: 'n/a'`,
      row: 2,
      column: "close",
    });
  });
});

Deno.test("loader rejects a file with a header and no rows", () => {
  withTempDir((dir) => {
    const path = writeFile(dir, "x.csv.gz", `${HEADER}\n`);
    assertCandleError(() => loadCandles(path), {
      message: `Cannot load candles from '${path}' as it has no data rows`,
    });
  });
});

Deno.test("loader rejects an empty file", () => {
  withTempDir((dir) => {
    const path = writeFile(dir, "x.csv", "");
    assertCandleError(() => loadCandles(path), {
      message: `Cannot load candles from '${path}' as it is empty`,
    });
  });
});

Deno.test("loader rejects a csv.gz that is not gzip", () => {
  withTempDir((dir) => {
    const path = writeFile(dir, "x.csv.gz.txt", `${HEADER}\n${row(T0)}\n`);
    const renamed = path.replace(/\.txt$/, "");
    Deno.renameSync(path, renamed);
    assert.throws(() => loadCandles(renamed), (error: unknown) => {
      assert.ok(error instanceof CandleDataError);
      assert.match(
        error.message,
        new RegExp(
          `^Cannot load candles from '${renamed}' as it is not valid gzip: `,
        ),
      );
      return true;
    });
  });
});

Deno.test("loader names the row, column and token of a non-numeric value", () => {
  assertCsvRowError([row(T0), row(T0 + H1), `${T0 + 2 * H1},2,3,1,x1,5`], {
    problem: "has a non-numeric 'close' value: 'x1'",
    row: 3,
    column: "close",
  });
});

Deno.test("loader reports NaN and Infinity as non-finite values", () => {
  assertCsvRowError([row(T0), `${T0 + H1},NaN,3,1,2,5`], {
    problem: "has a non-finite 'open' value: NaN",
    row: 2,
    column: "open",
  });
  assertCsvRowError([row(T0), `${T0 + H1},2,inf,1,2,5`], {
    problem: "has a non-finite 'high' value: Infinity",
    row: 2,
    column: "high",
  });
});

Deno.test("loader reports an empty field, a short line and a blank line as missing values", () => {
  assertCsvRowError([row(T0), `${T0 + H1},2,3,,2,5`], {
    problem: "has no 'low' value",
    row: 2,
    column: "low",
  });
  assertCsvRowError([row(T0), `${T0 + H1},2,3,1,2`], {
    problem: "has no 'volume' value",
    row: 2,
    column: "volume",
  });
  assertCsvRowError([row(T0), "", row(T0 + H1)], {
    problem: "has no 'open_time' value",
    row: 2,
    column: "open_time",
  });
});

Deno.test("loader rejects a line with more fields than the header", () => {
  assertCsvRowError([row(T0), row(T0 + H1), `${row(T0 + 2 * H1)},9`], {
    problem: "has more than the 6 fields of the header",
    row: 3,
  });
});

Deno.test("loader rejects an open_time that is not an integer", () => {
  assertCsvRowError([row(T0), row(T0 + 0.5)], {
    problem: `has an 'open_time' that is not an integer: ${T0 + 0.5}`,
    row: 2,
    column: "open_time",
  });
});

Deno.test("loader tells an unsorted time from a duplicate time", () => {
  assertCsvRowError([row(T0), row(T0 + H1), row(T0)], {
    problem:
      `is unsorted: open_time 2019-09-08T19:00:00.000Z (${T0}) is before 2019-09-08T20:00:00.000Z (${
        T0 + H1
      }) of the row before`,
    row: 3,
    column: "open_time",
  });
  assertCsvRowError([row(T0), row(T0 + H1), row(T0 + H1)], {
    problem: `has duplicate time 2019-09-08T20:00:00.000Z (${
      T0 + H1
    }) of the row before`,
    row: 3,
    column: "open_time",
  });
});

Deno.test("loader rejects high below low", () => {
  assertCsvRowError([row(T0), row(T0 + H1), row(T0 + 2 * H1, 10, 10, 11, 10)], {
    problem: "has high < low: high is 10 and low is 11",
    row: 3,
    column: "high",
  });
});

Deno.test("loader rejects open or close outside the low-high range", () => {
  assertCsvRowError([row(T0), row(T0 + H1, 3.5)], {
    problem:
      "has open outside [low, high]: open is 3.5, low is 1 and high is 3",
    row: 2,
    column: "open",
  });
  assertCsvRowError([row(T0), row(T0 + H1, 2, 3, 1, 0.5)], {
    problem:
      "has close outside [low, high]: close is 0.5, low is 1 and high is 3",
    row: 2,
    column: "close",
  });
});

Deno.test("loader rejects a negative volume", () => {
  assertCsvRowError([row(T0), row(T0 + H1, 2, 3, 1, 2, -0.001)], {
    problem: "has negative volume: volume is -0.001",
    row: 2,
    column: "volume",
  });
});

Deno.test("loader rejects an open_time off the timeframe grid only when a timeframe is given", () => {
  const rows = [row(T0), row(T0 + H1), row(T0 + H1 + 60_000)];
  assertCsvRowError(rows, {
    problem: `has open_time ${
      T0 + H1 + 60_000
    } (2019-09-08T20:01:00.000Z) that is not a multiple of the 1h timeframe (3600000 ms)`,
    row: 3,
    column: "open_time",
    timeframe: "1h",
  });
  withTempDir((dir) => {
    const path = writeFile(dir, "x.csv", [HEADER, ...rows].join("\n"));
    assert.equal(loadCandles(path, { timeframe: "1m" }).openTime.length, 3);
  });
});

Deno.test("loader reports the first bad row in file order across checks", () => {
  assertCsvRowError(
    [
      row(T0),
      row(T0 + H1, 10, 10, 11, 10),
      row(T0),
      row(T0 + 3 * H1, 2, 3, 1, 2, -1),
    ],
    {
      problem: "has high < low: high is 10 and low is 11",
      row: 2,
      column: "high",
    },
  );
});

Deno.test("loader gives Parquet row errors without a line number", () => {
  withTempDir((dir) => {
    const path = `${dir}/x.parquet`;
    const bad: CandleColumns = {
      openTime: new Float64Array([T0, T0 + H1]),
      open: new Float64Array([2, 2]),
      high: new Float64Array([3, 3]),
      low: new Float64Array([1, 1]),
      close: new Float64Array([2, 2]),
      volume: new Float64Array([5, -5]),
    };
    saveCandlesParquet(path, bad);
    assertCandleError(() => loadCandles(path), {
      message:
        `Cannot load candles from '${path}' as row 2 has negative volume: volume is -5`,
      row: 2,
      column: "volume",
    });
  });
});

Deno.test("loader rejects a Parquet file that is not Parquet", () => {
  withTempDir((dir) => {
    const path = writeFile(dir, "x.parquet", "not parquet at all");
    assert.throws(() => loadCandles(path), (error: unknown) => {
      assert.ok(error instanceof CandleDataError);
      assert.match(
        error.message,
        new RegExp(
          `^Cannot load candles from '${path}' as it is not readable Parquet: `,
        ),
      );
      return true;
    });
  });
});

Deno.test("loader rejects an unsupported extension, a bad timeframe and a missing file", () => {
  assert.throws(() => loadCandles("data/BTCUSDT-1h.json"), {
    name: "TypeError",
    message:
      "Cannot load candles from 'data/BTCUSDT-1h.json' as its extension must be '.csv', '.csv.gz' or '.parquet': current value is 'BTCUSDT-1h.json'",
  });
  assert.throws(
    () => loadCandles(`${FIXTURES}BTCUSDT-1h.csv.gz`, { timeframe: "1x" }),
    {
      name: "RangeError",
      message:
        "Cannot read timeframe as it must look like '30m', '1h' or '1d': current value is '1x'",
    },
  );
  withTempDir((dir) => {
    assert.throws(() => loadCandles(`${dir}/absent.csv`), {
      name: "CandleDataError",
      message:
        `Cannot load candles from '${dir}/absent.csv' as the file does not exist`,
    });
  });
});

Deno.test("save functions reject a wrong extension, unequal columns and fractional times", () => {
  const good = loadCandles(`${FIXTURES}ETHUSDT-2h.csv.gz`);
  withTempDir((dir) => {
    assert.throws(() => saveCandlesCsv(`${dir}/x.parquet`, good), {
      name: "TypeError",
      message:
        `Cannot save candles to '${dir}/x.parquet' as its extension must be '.csv' or '.csv.gz': current value is 'x.parquet'`,
    });
    assert.throws(() => saveCandlesParquet(`${dir}/x.csv`, good), {
      name: "TypeError",
      message:
        `Cannot save candles to '${dir}/x.csv' as its extension must be '.parquet': current value is 'x.csv'`,
    });
    assert.throws(
      () =>
        saveCandlesCsv(`${dir}/x.csv`, {
          ...good,
          close: good.close.subarray(1),
        }),
      {
        name: "RangeError",
        message:
          "Cannot save candles as column 'close' must have the length of 'open_time' (1500): current value is 1499",
      },
    );
    const times = good.openTime.slice();
    times[2] = 0.5;
    assert.throws(
      () =>
        saveCandlesParquet(`${dir}/x.parquet`, { ...good, openTime: times }),
      {
        name: "RangeError",
        message:
          "Cannot save candles as 'open_time' must hold safe integers: current value is 0.5 at row 3",
      },
    );
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  });
});

Deno.test("validateCandleColumns rejects columns of unequal length", () => {
  assertCandleError(
    () =>
      validateCandleColumns({
        openTime: new Float64Array([T0, T0 + H1]),
        open: new Float64Array([2, 2]),
        high: new Float64Array([3]),
        low: new Float64Array([1, 1]),
        close: new Float64Array([2, 2]),
        volume: new Float64Array([5, 5]),
      }, { file: "memory" }),
    {
      message:
        "Cannot load candles from 'memory' as column 'high' has 1 values but 'open_time' has 2",
    },
  );
});

Deno.test("file names give the symbol and timeframe of SYMBOL-TF files", () => {
  assert.equal(timeframeFromFileName("BTCUSDT-1h.csv.gz"), "1h");
  assert.equal(symbolFromFileName("BTCUSDT-1h.csv.gz"), "BTCUSDT");
  assert.equal(timeframeFromFileName("/data/spot/ETHUSDT-30m.parquet"), "30m");
  assert.equal(
    symbolFromFileName("C:\\data\\1000PEPEUSDT-15m.csv"),
    "1000PEPEUSDT",
  );
  assert.equal(timeframeFromFileName("BTCUSDT-1h.json"), undefined);
  assert.equal(symbolFromFileName("BTCUSDT.csv"), undefined);
  assert.equal(timeframeFromFileName("BTCUSDT-0h.csv"), undefined);
  assert.equal(timeframeFromFileName("BTC-USDT-1h.csv"), undefined);
});
