/**
 * Tests of the candle imports: freqtrade feather and JSON files (spot and futures naming, any
 * timestamp unit), wrong columns, CSV names, and whole-directory imports that go on after errors.
 *
 * @module
 */
import { strict as assert } from "node:assert";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import { CandleDataError, CandleStore } from "../../data/candle_store.ts";
import {
  importCsv,
  importDirectory,
  importFreqtrade,
  loadFreqtradeCandles,
  parseFreqtradeFileName,
} from "../../data/freqtrade_import.ts";
import {
  BAD_ROWS,
  freqtradeFrame,
  type FreqtradeRow,
  FUTURES_ROWS,
  SPOT_ROWS,
} from "../fixtures/freqtrade/generate.ts";
import { FIXTURES } from "../shared_data.ts";

const FREQTRADE = fileURLToPath(
  new URL("../fixtures/freqtrade/", import.meta.url),
);
const FUTURES_FILE = `${FREQTRADE}futures/BTC_USDT_USDT-1h-futures.feather`;
const SPOT_FILE = `${FREQTRADE}ETH_USDT-1h.json`;
const BAD_FILE = `${FREQTRADE}BAD_USDT-1h.feather`;
const NO_GAPS = { count: 0, missing: 0, largest: 0 };

function withStore(run: (store: CandleStore, dir: string) => void): void {
  const dir = Deno.makeTempDirSync({ prefix: "velas_import_" });
  try {
    run(new CandleStore(`${dir}/candles`), dir);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

function storedRows(
  store: CandleStore,
  symbol: string,
  timeframe: string,
): FreqtradeRow[] {
  const c = store.read(symbol, timeframe);
  return Array.from(c.openTime, (t, i) => [
    t,
    c.open[i]!,
    c.high[i]!,
    c.low[i]!,
    c.close[i]!,
    c.volume[i]!,
  ]);
}

Deno.test("parseFreqtradeFileName maps spot and futures names to the Binance symbol", () => {
  assert.deepEqual(parseFreqtradeFileName("a/BTC_USDT-1h.feather"), {
    symbol: "BTCUSDT",
    timeframe: "1h",
    market: "spot",
  });
  assert.deepEqual(
    parseFreqtradeFileName("futures/BTC_USDT_USDT-30m-futures.json.gz"),
    { symbol: "BTCUSDT", timeframe: "30m", market: "futures" },
  );
  assert.deepEqual(
    parseFreqtradeFileName("1000PEPE_USDT_USDT-2h-futures.json"),
    {
      symbol: "1000PEPEUSDT",
      timeframe: "2h",
      market: "futures",
    },
  );
  for (
    const name of [
      "BTC_USDT_USDT-1h-mark.feather",
      "BTC_USDT_USDT-8h-funding_rate.feather",
      "BTC_USDT_USDT-1h.feather",
      "BTC_USDT-1h-futures.feather",
      "BTC_USDT-1w.feather",
      "BTCUSDT-1h.csv.gz",
    ]
  ) {
    assert.equal(parseFreqtradeFileName(name), undefined, name);
  }
});

Deno.test("importFreqtrade stores a futures feather file (ns timestamps) under BTCUSDT 1h", () => {
  withStore((store) => {
    const report = importFreqtrade(store, FUTURES_FILE);
    assert.deepEqual(report, {
      file: FUTURES_FILE,
      symbol: "BTCUSDT",
      timeframe: "1h",
      rows: 5,
      added: 5,
      replaced: 0,
      unchanged: 0,
      gaps: NO_GAPS,
    });
    assert.deepEqual(storedRows(store, "BTCUSDT", "1h"), FUTURES_ROWS);
    assert.ok(store.read("BTCUSDT", "1h").trades.every(Number.isNaN));
  });
});

Deno.test("importFreqtrade stores a spot JSON file under ETHUSDT 1h", () => {
  withStore((store) => {
    const report = importFreqtrade(store, SPOT_FILE);
    assert.deepEqual([report.symbol, report.timeframe, report.added], [
      "ETHUSDT",
      "1h",
      4,
    ]);
    assert.deepEqual(storedRows(store, "ETHUSDT", "1h"), SPOT_ROWS);
  });
});

Deno.test("loadFreqtradeCandles reads feather dates in ms, us and ns and gzip JSON alike", () => {
  withStore((_, dir) => {
    for (const unit of ["ms", "us", "ns"] as const) {
      const path = `${dir}/SOL_USDT_USDT-1h-futures.feather`;
      freqtradeFrame(SPOT_ROWS, { unit }).writeIPC(path);
      const candles = loadFreqtradeCandles(path, { timeframe: "1h" });
      assert.deepEqual(
        Array.from(candles.openTime),
        SPOT_ROWS.map((r) => r[0]),
      );
      assert.deepEqual(Array.from(candles.volume), SPOT_ROWS.map((r) => r[5]));
    }
    const gz = `${dir}/ETH_USDT-1h.json.gz`;
    Deno.writeFileSync(gz, gzipSync(Deno.readFileSync(SPOT_FILE)));
    assert.deepEqual(
      Array.from(loadFreqtradeCandles(gz).close),
      SPOT_ROWS.map((r) => r[4]),
    );
  });
});

Deno.test("importFreqtrade refuses a feather file with wrong columns, naming expected and found, and writes nothing", () => {
  withStore((store) => {
    assert.throws(() => importFreqtrade(store, BAD_FILE), (error) => {
      assert.ok(error instanceof CandleDataError);
      assert.equal(error.file, BAD_FILE);
      assert.equal(
        error.message,
        `Cannot load candles from '${BAD_FILE}' as column 'volume' is missing: expected 'date', 'open', 'high', 'low', 'close', 'volume' and found 'date', 'open', 'high', 'low', 'close', 'vol'`,
      );
      return true;
    });
    assert.equal(BAD_ROWS.length, 2);
    assert.deepEqual(store.list(), []);
    assert.equal(store.has("BADUSDT", "1h"), false);
  });
});

Deno.test("importFreqtrade refuses JSON rows with wrong columns or values and writes nothing", () => {
  withStore((store, dir) => {
    const cases: [string, string][] = [
      [
        "[[1768204800000,1,2,0.5,1.5,10],[1768208400000,1,2,0.5,1.5]]",
        "row 2 has 5 values: expected the 6 columns 'date', 'open', 'high', 'low', 'close', 'volume'",
      ],
      [
        "[[1768204800000,1,2,0.5,1.5,null]]",
        "row 1 has no 'volume' value",
      ],
      [
        '[[1768204800000,"1",2,0.5,1.5,3]]',
        `row 1 has a non-numeric 'open' value: "1"`,
      ],
      [
        '{"date":[1768204800000]}',
        "it must be an array of [date, open, high, low, close, volume] rows",
      ],
      ["[[1768204800000,1,2", "it is not valid JSON: "],
      ["[[1768205000000,1,2,0.5,1.5,3]]", "row 1 has open_time 1768205000000"],
    ];
    const path = `${dir}/ADA_USDT-1h.json`;
    for (const [text, problem] of cases) {
      Deno.writeTextFileSync(path, text);
      assert.throws(() => importFreqtrade(store, path), (error) => {
        assert.ok(error instanceof CandleDataError);
        const prefix = `Cannot load candles from '${path}' as ${problem}`;
        assert.ok(error.message.startsWith(prefix), error.message);
        return true;
      });
    }
    assert.deepEqual(store.list(), []);
  });
});

Deno.test("importFreqtrade needs a freqtrade name or an explicit symbol and timeframe", () => {
  withStore((store, dir) => {
    const path = `${dir}/candles.json`;
    Deno.copyFileSync(SPOT_FILE, path);
    assert.throws(() => importFreqtrade(store, path), {
      name: "TypeError",
      message:
        `Cannot import candles from '${path}' as 'symbol' and 'timeframe' must be given or the file name must look like 'BTC_USDT_USDT-1h-futures.feather': current value is 'candles.json'`,
    });
    const report = importFreqtrade(store, path, {
      symbol: "ETHUSDT",
      timeframe: "1h",
    });
    assert.equal(report.added, 4);
    const csv = `${dir}/BTC_USDT-1h.csv`;
    const given = { symbol: "BTCUSDT", timeframe: "1h" };
    assert.throws(() => importFreqtrade(store, csv, given), {
      name: "TypeError",
      message:
        `Cannot load candles from '${dir}/BTC_USDT-1h.csv' as its extension must be '.feather', '.json' or '.json.gz': current value is 'BTC_USDT-1h.csv'`,
    });
  });
});

Deno.test("importCsv reads symbol and timeframe from a SYMBOL-TF name, or takes them from options", () => {
  withStore((store, dir) => {
    const report = importCsv(store, `${FIXTURES}ETHUSDT-2h.csv.gz`);
    assert.deepEqual([report.symbol, report.timeframe, report.rows], [
      "ETHUSDT",
      "2h",
      1500,
    ]);
    const path = `${dir}/eth.csv.gz`;
    Deno.copyFileSync(`${FIXTURES}ETHUSDT-2h.csv.gz`, path);
    assert.throws(() => importCsv(store, path), {
      name: "TypeError",
      message:
        `Cannot import candles from '${path}' as 'symbol' and 'timeframe' must be given or the file name must look like 'BTCUSDT-1h.csv.gz': current value is 'eth.csv.gz'`,
    });
    const again = importCsv(store, path, {
      symbol: "ETHUSDT",
      timeframe: "2h",
    });
    assert.deepEqual([again.added, again.unchanged], [0, 1500]);
  });
});

Deno.test("importDirectory imports every recognised file, reports each and goes on after an error", () => {
  withStore((store) => {
    const result = importDirectory(store, FREQTRADE);
    assert.deepEqual(
      result.entries.map((e) =>
        e.status === "ok"
          ? [e.status, e.file, e.symbol, e.timeframe, e.added]
          : [e.status, e.file, e.message]
      ),
      [
        ["ok", FUTURES_FILE, "BTCUSDT", "1h", 5],
        [
          "error",
          BAD_FILE,
          `Cannot load candles from '${BAD_FILE}' as column 'volume' is missing: expected 'date', 'open', 'high', 'low', 'close', 'volume' and found 'date', 'open', 'high', 'low', 'close', 'vol'`,
        ],
        ["ok", SPOT_FILE, "ETHUSDT", "1h", 4],
      ],
    );
    assert.deepEqual(result.skipped, [
      `${FREQTRADE}README.md`,
      `${FREQTRADE}generate.ts`,
    ]);
    assert.deepEqual(
      store.list().map((e) => e.status === "ok" ? [e.symbol, e.rows] : []),
      [["BTCUSDT", 5], ["ETHUSDT", 4]],
    );
  });
});

Deno.test("importDirectory imports futures before spot, so differing spot candles are refused", () => {
  withStore((store, dir) => {
    const data = `${dir}/user_data`;
    Deno.mkdirSync(`${data}/futures`, { recursive: true });
    Deno.copyFileSync(
      FUTURES_FILE,
      `${data}/futures/BTC_USDT_USDT-1h-futures.feather`,
    );
    const spot = FUTURES_ROWS.map((r) => [r[0], r[1], r[2], r[3], r[4], 1]);
    Deno.writeTextFileSync(`${data}/BTC_USDT-1h.json`, JSON.stringify(spot));
    const result = importDirectory(store, data);
    assert.deepEqual(result.entries.map((e) => e.status), ["ok", "error"]);
    const refused = result.entries[1]!;
    assert.ok(
      refused.status === "error" &&
        refused.message.startsWith(
          `Cannot append candles to '${
            store.path("BTCUSDT", "1h")
          }' as incoming candles must equal the stored ones`,
        ),
    );
    assert.deepEqual(storedRows(store, "BTCUSDT", "1h"), FUTURES_ROWS);
  });
});
