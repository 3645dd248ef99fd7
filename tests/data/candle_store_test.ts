/**
 * Tests of the Parquet candle store: CSV round trip, append with dedupe, gaps and missing
 * ranges, corrupt files, conflicts, temporary files and a kill -9 during appends.
 *
 * @module
 */
import { strict as assert } from "node:assert";
import pl from "nodejs-polars";
import type { CandleColumns } from "../../core/types.ts";
import { loadCandles } from "../../data/candle_loader.ts";
import { saveCandlesParquet } from "../../data/candle_writer.ts";
import {
  CandleConflictError,
  CandleDataError,
  CandleStore,
  type StoredCandles,
} from "../../data/candle_store.ts";
import { importCsv } from "../../data/freqtrade_import.ts";
import {
  FIXTURES,
  NEEDS_SHARED,
  SHARED_DATA,
  sharedFile,
} from "../shared_data.ts";

const H = 3_600_000;
const OHLCV = ["openTime", "open", "high", "low", "close", "volume"] as const;

function withStore(run: (store: CandleStore, root: string) => void): void {
  const root = Deno.makeTempDirSync({ prefix: "velas_store_" });
  try {
    run(new CandleStore(`${root}/candles`), `${root}/candles`);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
}

/** A flat candle series at the given hours (each candle open=high=low=close=price). */
function candlesAt(hours: readonly number[], price = 100): CandleColumns {
  const n = hours.length;
  const value = (k: number) => Float64Array.from(hours, (h) => price + h + k);
  return {
    openTime: Float64Array.from(hours, (h) => h * H),
    open: value(0),
    high: value(0.5),
    low: value(-0.5),
    close: value(0),
    volume: new Float64Array(n).fill(3),
  };
}

function slice(columns: CandleColumns, start: number, end: number) {
  return Object.fromEntries(
    OHLCV.map((key) => [key, columns[key].slice(start, end)]),
  ) as unknown as CandleColumns;
}

function assertSameCandles(actual: CandleColumns, expected: CandleColumns) {
  for (const key of OHLCV) {
    assert.deepEqual(Array.from(actual[key]), Array.from(expected[key]), key);
  }
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}

Deno.test("store round trip: CSV.gz imported into the store reads back equal to the source", () => {
  withStore((store) => {
    const source = loadCandles(`${FIXTURES}BTCUSDT-1h.csv.gz`);
    const report = importCsv(store, `${FIXTURES}BTCUSDT-1h.csv.gz`);
    assert.equal(report.added, 3000);
    assert.deepEqual(report.gaps, { count: 0, missing: 0, largest: 0 });
    const stored = store.read("BTCUSDT", "1h");
    assertSameCandles(stored, source);
    assert.ok(stored.trades.every(Number.isNaN));
    assert.ok(stored.quoteVolume.every(Number.isNaN));
    assertSameCandles(store.readCandles("BTCUSDT", "1h"), source);
  });
});

Deno.test("store writes open_time as Int64 and every other column as Float64", () => {
  withStore((store) => {
    store.append("BTCUSDT", "1h", candlesAt([0, 1]));
    const frame = pl.readParquet(store.path("BTCUSDT", "1h"));
    assert.deepEqual(frame.columns, [
      "open_time",
      "open",
      "high",
      "low",
      "close",
      "volume",
      "quote_volume",
      "trades",
      "taker_buy_volume",
      "taker_buy_quote_volume",
    ]);
    assert.deepEqual(
      frame.dtypes.map(String),
      ["Int64", ...new Array(9).fill("Float64")].map((t) => `DataType(${t})`),
    );
  });
});

Deno.test("store append with overlap dedupes and keeps the candles in order", () => {
  withStore((store) => {
    const source = loadCandles(`${FIXTURES}ETHUSDT-1h.csv.gz`);
    store.append("ETHUSDT", "1h", slice(source, 1000, 2000));
    const result = store.append("ETHUSDT", "1h", slice(source, 500, 3000));
    assert.deepEqual(result, {
      added: 1500,
      replaced: 0,
      unchanged: 1000,
      gaps: { count: 0, missing: 0, largest: 0 },
    });
    assertSameCandles(store.read("ETHUSDT", "1h"), slice(source, 500, 3000));
    const again = store.append("ETHUSDT", "1h", slice(source, 0, 3000));
    assert.deepEqual([again.added, again.unchanged], [500, 2500]);
    assertSameCandles(store.read("ETHUSDT", "1h"), source);
  });
});

Deno.test("store keeps the extra columns and fills unknown ones from a later append", () => {
  withStore((store) => {
    store.append("BTCUSDT", "1h", candlesAt([0, 1]));
    const withExtras = {
      ...candlesAt([1, 2]),
      quoteVolume: Float64Array.of(300.5, 310.25),
      trades: Float64Array.of(12, 14),
      takerBuyVolume: Float64Array.of(1, 2),
      takerBuyQuoteVolume: Float64Array.of(100, 200),
    };
    const result = store.append("BTCUSDT", "1h", withExtras);
    assert.deepEqual([result.added, result.replaced], [1, 1]);
    const stored: StoredCandles = store.read("BTCUSDT", "1h");
    assert.deepEqual(Array.from(stored.trades), [Number.NaN, 12, 14]);
    assert.deepEqual(Array.from(stored.quoteVolume), [
      Number.NaN,
      300.5,
      310.25,
    ]);
  });
});

Deno.test("store detects gaps exactly and lists the ranges to fetch", () => {
  withStore((store) => {
    const result = store.append(
      "SOLUSDT",
      "1h",
      candlesAt([...range(10, 20), ...range(23, 30), ...range(35, 40)]),
    );
    assert.deepEqual(result.gaps, { count: 2, missing: 8, largest: 5 });
    assert.deepEqual(store.gaps("SOLUSDT", "1h"), [
      { fromOpenTime: 20 * H, toOpenTime: 22 * H, missing: 3 },
      { fromOpenTime: 30 * H, toOpenTime: 34 * H, missing: 5 },
    ]);
    assert.deepEqual(
      store.missingRanges("SOLUSDT", "1h", { from: 8 * H, to: 42 * H }),
      [
        { fromOpenTime: 8 * H, toOpenTime: 9 * H, missing: 2 },
        { fromOpenTime: 20 * H, toOpenTime: 22 * H, missing: 3 },
        { fromOpenTime: 30 * H, toOpenTime: 34 * H, missing: 5 },
        { fromOpenTime: 40 * H, toOpenTime: 41 * H, missing: 2 },
      ],
    );
    assert.deepEqual(store.range("SOLUSDT", "1h"), {
      first: 10 * H,
      last: 39 * H,
      rows: 22,
    });
    assert.deepEqual(
      store.missingRanges("XRPUSDT", "1h", { from: 0, to: 3 * H }),
      [{ fromOpenTime: 0, toOpenTime: 2 * H, missing: 3 }],
    );
    assert.deepEqual(store.gaps("XRPUSDT", "1h"), []);
    assert.equal(store.range("XRPUSDT", "1h"), undefined);
  });
});

Deno.test("store read returns the window from 'from' (inclusive) to 'to' (exclusive)", () => {
  withStore((store) => {
    store.append("BTCUSDT", "2h", candlesAt(range(0, 10).map((h) => 2 * h)));
    const window = store.read("BTCUSDT", "2h", { from: 3 * H, to: 8 * H });
    assert.deepEqual(Array.from(window.openTime), [4 * H, 6 * H]);
    assert.equal(window.trades.length, 2);
  });
});

Deno.test("store list() summarises every series and skips other files", () => {
  withStore((store, root) => {
    assert.deepEqual(store.list(), []);
    store.append("ETHUSDT", "2h", candlesAt([0, 2, 8]));
    store.append("BTCUSDT", "2h", candlesAt([0, 2]));
    store.append("BTCUSDT", "30m", candlesAt([0, 0.5, 1]));
    Deno.writeTextFileSync(`${root}/BTCUSDT/notes.txt`, "x");
    Deno.mkdirSync(`${root}/lower`);
    assert.deepEqual(store.list(), [
      {
        status: "ok",
        symbol: "BTCUSDT",
        timeframe: "30m",
        rows: 3,
        first: 0,
        last: H,
        gaps: { count: 0, missing: 0, largest: 0 },
      },
      {
        status: "ok",
        symbol: "BTCUSDT",
        timeframe: "2h",
        rows: 2,
        first: 0,
        last: 2 * H,
        gaps: { count: 0, missing: 0, largest: 0 },
      },
      {
        status: "ok",
        symbol: "ETHUSDT",
        timeframe: "2h",
        rows: 3,
        first: 0,
        last: 8 * H,
        gaps: { count: 1, missing: 2, largest: 2 },
      },
    ]);
  });
});

Deno.test("store reports a corrupt Parquet file by name and never overwrites it", () => {
  withStore((store) => {
    store.append("BTCUSDT", "1h", candlesAt([0, 1, 2]));
    const file = store.path("BTCUSDT", "1h");
    const whole = Deno.readFileSync(file);
    const corrupt = whole.slice(0, whole.length >> 1);
    Deno.writeFileSync(file, corrupt);
    const prefix =
      `Cannot load candles from '${file}' as it is not readable Parquet: `;
    const isCorrupt = (error: unknown) => {
      assert.ok(error instanceof CandleDataError);
      assert.equal(error.file, file);
      assert.ok(error.message.startsWith(prefix), error.message);
      return true;
    };
    assert.throws(() => store.read("BTCUSDT", "1h"), isCorrupt);
    assert.throws(
      () => store.append("BTCUSDT", "1h", candlesAt([3])),
      isCorrupt,
    );
    assert.throws(() => store.gaps("BTCUSDT", "1h"), isCorrupt);
    assert.deepEqual(Deno.readFileSync(file), corrupt);
    const [entry] = store.list();
    assert.equal(entry?.status, "error");
    assert.ok(entry?.status === "error" && entry.message.startsWith(prefix));
  });
});

Deno.test("store reads a file with only the OHLCV columns and names a missing required column", () => {
  withStore((store) => {
    const file = store.path("BTCUSDT", "1h");
    Deno.mkdirSync(file.slice(0, file.lastIndexOf("/")), { recursive: true });
    saveCandlesParquet(file, candlesAt([0, 1]));
    const stored = store.read("BTCUSDT", "1h");
    assertSameCandles(stored, candlesAt([0, 1]));
    assert.ok(stored.takerBuyQuoteVolume.every(Number.isNaN));
    pl.readParquet(file).drop("close").writeParquet(file);
    assert.throws(() => store.read("BTCUSDT", "1h"), {
      name: "CandleDataError",
      message:
        `Cannot load candles from '${file}' as column 'close' is missing: found 'open_time', 'open', 'high', 'low', 'volume'`,
    });
  });
});

Deno.test("store refuses incoming candles that differ from stored ones and writes nothing", () => {
  withStore((store) => {
    store.append("BTCUSDT", "1h", candlesAt([0, 1, 2]));
    const file = store.path("BTCUSDT", "1h");
    const before = Deno.readFileSync(file);
    const other = candlesAt([2, 3], 200);
    assert.throws(() => store.append("BTCUSDT", "1h", other), (error) => {
      assert.ok(error instanceof CandleConflictError);
      assert.equal(
        error.message,
        `Cannot append candles to '${file}' as incoming candles must equal the stored ones at the same open time: 1 differ, first at 1970-01-01T02:00:00.000Z (7200000) where 'open' is 102 stored and 202 incoming`,
      );
      assert.deepEqual([error.file, error.openTime, error.count], [
        file,
        2 * H,
        1,
      ]);
      return true;
    });
    assert.deepEqual(Deno.readFileSync(file), before);
    const replaced = store.append("BTCUSDT", "1h", other, {
      onConflict: "replace",
    });
    assert.deepEqual([replaced.added, replaced.replaced], [1, 1]);
    assert.deepEqual(Array.from(store.read("BTCUSDT", "1h").close), [
      100,
      101,
      202,
      203,
    ]);
  });
});

Deno.test("store refuses invalid candles, symbols and timeframes before writing", () => {
  withStore((store) => {
    const bad = { ...candlesAt([0, 1]), high: Float64Array.of(100.5, 50) };
    const file = store.path("BTCUSDT", "1h");
    assert.throws(() => store.append("BTCUSDT", "1h", bad), {
      name: "CandleDataError",
      message:
        `Cannot append candles to '${file}' as incoming row 2 has high < low: high is 50 and low is 100.5`,
    });
    assert.throws(() => store.append("BTCUSDT", "1h", candlesAt([0.5])), {
      name: "CandleDataError",
      message:
        `Cannot append candles to '${file}' as incoming row 1 has open_time 1800000 (1970-01-01T00:30:00.000Z) that is not a multiple of the 1h timeframe (3600000 ms)`,
    });
    const trades = { ...candlesAt([0]), trades: Float64Array.of(-1) };
    assert.throws(() => store.append("BTCUSDT", "1h", trades), {
      name: "CandleDataError",
      message:
        `Cannot append candles to '${file}' as incoming row 1 has an invalid 'trades' value: -1`,
    });
    assert.equal(store.has("BTCUSDT", "1h"), false);
    assert.throws(() => store.read("btcusdt", "1h"), {
      name: "RangeError",
      message:
        "Cannot locate candles as 'symbol' must be upper-case letters and digits such as 'BTCUSDT': current value is 'btcusdt'",
    });
    assert.throws(() => store.read("../X", "1h"), RangeError);
    assert.throws(() => store.read("BTCUSDT", "1w"), {
      name: "RangeError",
      message:
        "Cannot read timeframe as it must look like '30m', '1h' or '1d': current value is '1w'",
    });
    assert.throws(() => store.read("BTCUSDT", "1h"), {
      name: "CandleDataError",
      message: `Cannot load candles from '${file}' as the file does not exist`,
    });
  });
});

Deno.test("store ignores a leftover temporary file and the next append removes it", () => {
  withStore((store, root) => {
    store.append("BTCUSDT", "1h", candlesAt([0, 1]));
    const leftover = `${root}/BTCUSDT/.1h.parquet.999999-1.tmp`;
    Deno.writeTextFileSync(leftover, "half a parquet file");
    assert.equal(store.read("BTCUSDT", "1h").openTime.length, 2);
    assert.equal(store.list().length, 1);
    store.append("BTCUSDT", "1h", candlesAt([2]));
    assert.deepEqual(
      [...Deno.readDirSync(`${root}/BTCUSDT`)].map((entry) => entry.name),
      ["1h.parquet"],
    );
  });
});

Deno.test("store survives kill -9 during appends: the file reads back whole", async () => {
  const root = Deno.makeTempDirSync({ prefix: "velas_store_kill_" });
  try {
    const store = new CandleStore(root);
    store.append("BTCUSDT", "1h", candlesAt(range(0, 20_000)));
    const module = new URL("../../data/candle_store.ts", import.meta.url).href;
    const code = `
      import { CandleStore } from "${module}";
      const store = new CandleStore(${JSON.stringify(root)});
      for (let h = 20000; ; h++) {
        const t = Float64Array.of(h * 3600000);
        const p = Float64Array.of(100 + h);
        store.append("BTCUSDT", "1h", {
          openTime: t, open: p, high: p, low: p, close: p, volume: Float64Array.of(3),
        });
      }`;
    const config = new URL("../../deno.json", import.meta.url).pathname;
    const child = new Deno.Command(Deno.execPath(), {
      args: ["eval", "--config", config, code],
      stdout: "null",
      stderr: "null",
    }).spawn();
    try {
      // Poll (bounded) until the child has appended a few candles; reads meanwhile must work.
      for (let i = 0; i < 400; i++) {
        const rows = store.range("BTCUSDT", "1h")?.rows ?? 0;
        if (rows >= 20_005) break;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    } finally {
      child.kill("SIGKILL");
      await child.status;
    }
    const stored = store.read("BTCUSDT", "1h");
    assert.ok(stored.openTime.length > 20_000, "the child appended nothing");
    assert.deepEqual(store.gaps("BTCUSDT", "1h"), []);
    assert.equal(store.list()[0]?.status, "ok");
    const next = stored.openTime.length;
    store.append("BTCUSDT", "1h", candlesAt([next]));
    assert.equal(store.read("BTCUSDT", "1h").openTime.length, next + 1);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test(`store round trip of a real futures file${NEEDS_SHARED}`, {
  ignore: SHARED_DATA === undefined,
}, () => {
  withStore((store) => {
    const path = sharedFile("BTCUSDT-30m.csv.gz");
    const report = importCsv(store, path);
    assert.equal(report.rows, 117243);
    assertSameCandles(store.read("BTCUSDT", "30m"), loadCandles(path));
  });
});
