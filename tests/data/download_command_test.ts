/**
 * Tests of the `download` command against the replay exchange on 127.0.0.1 (fake clock driving
 * the exchange, no internet): 6 symbols x 3 timeframes end up in the store row for row, an
 * `--update` fetches exactly the missing candles, a kill -9 mid-download leaves readable files
 * and the rerun completes, and bad input is refused with a clear line. Also covers the helpers
 * of `download_plan.ts` and `progress_bar.ts` (no test files of their own).
 *
 * @module
 */
import assert from "node:assert/strict";
import { type CandleColumns, timeframeMs } from "../../core/types.ts";
import { lowerBound } from "../../core/gaps.ts";
import { loadCandles } from "../../data/candle_loader.ts";
import { CandleStore } from "../../data/candle_store.ts";
import {
  type DownloadCommandIo,
  runDownloadCommand,
} from "../../data/download_command.ts";
import { monthsBefore } from "../../data/download_plan.ts";
import {
  formatDuration,
  formatProgress,
  groupDigits,
} from "../../data/progress_bar.ts";
import {
  type ReplayExchange,
  type ReplaySeries,
  startReplayExchange,
} from "../../data/replay_exchange.ts";
import { FakeClock } from "../fakes/fake_clock.ts";
import {
  FIXTURES,
  NEEDS_SHARED,
  SHARED_DATA,
  sharedFile,
} from "../shared_data.ts";

const OHLCV = ["openTime", "open", "high", "low", "close", "volume"] as const;
const SYMBOLS = [
  "BTCUSDT",
  "ETHUSDT",
  "SOLUSDT",
  "BNBUSDT",
  "XRPUSDT",
  "DOGEUSDT",
];
const TIMEFRAMES = ["30m", "1h", "2h"];

function fixture(name: string): CandleColumns {
  return loadCandles(`${FIXTURES}${name}.csv.gz`, {
    timeframe: name.split("-")[1]!,
  });
}

/** Prices scaled by `factor` and rounded to `decimals`, so they stay exact decimal text. */
function scaled(
  candles: CandleColumns,
  factor: number,
  decimals: number,
): CandleColumns {
  const unit = 10 ** decimals;
  const scale = (v: Float64Array) =>
    v.map((x) => Math.round(x * factor * unit) / unit);
  return {
    openTime: candles.openTime,
    open: scale(candles.open),
    high: scale(candles.high),
    low: scale(candles.low),
    close: scale(candles.close),
    volume: candles.volume,
  };
}

function slice(candles: CandleColumns, start: number, end?: number) {
  return Object.fromEntries(
    OHLCV.map((key) => [key, candles[key].slice(start, end)]),
  ) as unknown as CandleColumns;
}

/** 6 symbols x 3 timeframes: the fixtures, the rest scaled from BTC and ETH series. */
function fixtureSeries(): ReplaySeries[] {
  const btc = TIMEFRAMES.map((tf) => fixture(`BTCUSDT-${tf}`));
  const eth = TIMEFRAMES.map((tf) => fixture(`ETHUSDT-${tf}`));
  const sol = [scaled(btc[0]!, 0.002, 6), fixture("SOLUSDT-1h"), eth[2]!];
  const make = (symbol: string, list: CandleColumns[]) =>
    list.map((candles, k) => ({ symbol, timeframe: TIMEFRAMES[k]!, candles }));
  return [
    ...make("BTCUSDT", btc),
    ...make("ETHUSDT", eth),
    ...make("SOLUSDT", sol),
    ...make("BNBUSDT", btc.map((c) => scaled(c, 0.01, 4))),
    ...make("XRPUSDT", eth.map((c) => scaled(c, 0.0003, 6))),
    ...make("DOGEUSDT", eth.map((c) => scaled(c, 0.00005, 7))),
  ];
}

/** Time when every candle of the series has closed. */
function afterAll(series: readonly ReplaySeries[]): number {
  return Math.max(
    ...series.map((s) =>
      s.candles.openTime[s.candles.openTime.length - 1]! +
      timeframeMs(s.timeframe)
    ),
  );
}

interface Run {
  readonly code: number;
  readonly out: string[];
  readonly err: string[];
  readonly progress: string[];
}

interface Setup {
  readonly exchange: ReplayExchange;
  readonly root: string;
  readonly store: CandleStore;
  /** Runs the command with `--store` set, on a fake clock starting at the exchange's time. */
  download(
    args: readonly string[],
    io?: Partial<DownloadCommandIo>,
  ): Promise<Run>;
}

async function withExchange(
  series: readonly ReplaySeries[],
  options: { readonly start: number },
  run: (setup: Setup) => Promise<void>,
): Promise<void> {
  const exchange = await startReplayExchange({
    series,
    startTime: options.start,
  });
  const root = Deno.makeTempDirSync({ prefix: "velas_download_" });
  const store = new CandleStore(`${root}/candles`);
  let wall = 0;
  const download = async (
    args: readonly string[],
    io: Partial<DownloadCommandIo> = {},
  ): Promise<Run> => {
    const out: string[] = [], err: string[] = [], progress: string[] = [];
    const clock = new FakeClock({
      start: exchange.now(),
      autoAdvance: true,
      onAdvance: (time) => exchange.advanceTo(time),
    });
    const code = await runDownloadCommand(
      [...args, "--store", store.root],
      {
        stdout: (line) => out.push(line),
        stderr: (line) => err.push(line),
        now: () => (wall += 1000),
        cwd: root,
        progress: (text) => progress.push(text),
        clock,
        baseUrl: exchange.restUrl,
        ...io,
      },
    );
    return { code, out, err, progress };
  };
  try {
    await run({ exchange, root, store, download });
  } finally {
    await exchange.close();
    Deno.removeSync(root, { recursive: true });
  }
}

function assertStored(
  store: CandleStore,
  series: ReplaySeries,
  expected: CandleColumns = series.candles,
): void {
  const stored = store.read(series.symbol, series.timeframe);
  const what = `${series.symbol} ${series.timeframe}`;
  assert.equal(stored.openTime.length, expected.openTime.length, what);
  for (const key of OHLCV) {
    assert.deepEqual(stored[key], expected[key], `${what} ${key}`);
  }
}

function tableRow(run: Run, series: string): string {
  const row = run.out.find((line) => line.startsWith(`${series} `));
  assert.ok(row, `no table row for ${series} in:\n${run.out.join("\n")}`);
  return row.replace(/\s+/g, " ");
}

Deno.test("download fetches 6 symbols x 3 timeframes into the store row for row", async () => {
  const series = fixtureSeries();
  await withExchange(series, { start: afterAll(series) }, async (setup) => {
    const run = await setup.download([
      "--symbols",
      SYMBOLS.join(","),
      "--timeframes",
      TIMEFRAMES.join(","),
    ]);
    assert.equal(run.code, 0, run.err.join("\n"));
    assert.deepEqual(run.err, []);
    for (const s of series) assertStored(setup.store, s);
    assert.equal(
      tableRow(run, "ETHUSDT 30m"),
      "ETHUSDT 30m 1 500 2026-04-16 02:30 2026-05-17 08:00 1 500 0 0 ok",
    );
    assert.match(run.out.at(-1)!, /^18 of 18 series ok, 43 500 candles added/);
    // One page per 1500 candles, one more where the range outlasts the data (SOL 1h), plus
    // the server time and the exchange info: no page is fetched twice.
    assert.equal(setup.exchange.stats.requests, 32);
    assert.equal(setup.exchange.stats.rateLimitViolations, 0);
    assert.equal(run.progress.at(-1), "");
    assert.match(
      run.progress.at(-2)!,
      /^\[#{20}\] ([\d ]+) \/ \1 candles {2}100 % {2}ETA 0s {2}series 18\/18$/,
    );
  });
});

Deno.test(
  `download fetches 6 real symbols x 3 timeframes of the last 12 months row for row${NEEDS_SHARED}`,
  { ignore: SHARED_DATA === undefined },
  async () => {
    const series = SYMBOLS.flatMap((symbol) =>
      TIMEFRAMES.map((timeframe) => ({
        symbol,
        timeframe,
        candles: loadCandles(sharedFile(`${symbol}-${timeframe}.csv.gz`), {
          timeframe,
        }),
      }))
    );
    const start = afterAll(series);
    await withExchange(series, { start }, async (setup) => {
      const run = await setup.download([
        "--symbols",
        SYMBOLS.join(","),
        "--timeframes",
        TIMEFRAMES.join(","),
        "--concurrency",
        "4",
      ]);
      assert.equal(run.code, 0, run.err.join("\n"));
      const from = monthsBefore(start, 12);
      for (const s of series) {
        const first = lowerBound(s.candles.openTime, from);
        assertStored(setup.store, s, slice(s.candles, first));
      }
      assert.equal(setup.exchange.stats.rateLimitViolations, 0);
    });
  },
);

Deno.test("download --update after a hole and a clock move fetches exactly the missing candles", async () => {
  const btc1h = fixture("BTCUSDT-1h");
  const btc30m = fixture("BTCUSDT-30m");
  const series = [
    { symbol: "BTCUSDT", timeframe: "30m", candles: btc30m },
    { symbol: "BTCUSDT", timeframe: "1h", candles: btc1h },
  ];
  const t1 = btc1h.openTime[2000]!;
  const t2 = btc1h.openTime[2500]!;
  const args = ["--symbols", "BTCUSDT", "--timeframes", "30m,1h"];
  await withExchange(series, { start: t1 }, async (setup) => {
    const { store, exchange } = setup;
    const first = await setup.download(args);
    assert.equal(first.code, 0, first.err.join("\n"));
    assertStored(store, series[1]!, slice(btc1h, 0, 2000));
    const in30m = lowerBound(btc30m.openTime, t1);
    assertStored(store, series[0]!, slice(btc30m, 0, in30m));
    // Cut candles 500..599 out of the stored 1h series.
    Deno.removeSync(store.path("BTCUSDT", "1h"));
    store.append("BTCUSDT", "1h", slice(btc1h, 0, 500));
    store.append("BTCUSDT", "1h", slice(btc1h, 600, 2000));
    assert.equal(store.gaps("BTCUSDT", "1h").length, 1);
    await exchange.advanceTo(t2);
    const before = { ...exchange.stats };
    const update = await setup.download([...args, "--update"]);
    assert.equal(update.code, 0, update.err.join("\n"));
    assertStored(store, series[1]!, slice(btc1h, 0, 2500));
    const in30mNow = lowerBound(btc30m.openTime, t2);
    assertStored(store, series[0]!, slice(btc30m, 0, in30mNow));
    assert.equal(in30mNow - in30m, 1000);
    assert.match(tableRow(update, "BTCUSDT 1h"), / 2 500 .* 600 1 0 ok$/);
    assert.match(tableRow(update, "BTCUSDT 30m"), / 1 000 0 0 ok$/);
    // server time, exchange info, the 100-candle hole, 500 new 1h and 1000 new 30m candles
    assert.equal(exchange.stats.requests - before.requests, 5);
    assert.equal(
      exchange.stats.weightUsed - before.weightUsed,
      1 + 1 + 2 + 5 + 5,
    );
    const again = await setup.download([...args, "--update"]);
    assert.equal(again.code, 0);
    assert.equal(exchange.stats.requests - before.requests, 7);
    assert.match(again.out.at(-1)!, /^2 of 2 series ok, 0 candles added/);
  });
});

Deno.test("download killed with kill -9 leaves readable store files and the rerun completes", async () => {
  const series = fixtureSeries().filter((s) =>
    s.symbol === "BTCUSDT" || s.symbol === "ETHUSDT"
  );
  const total = series.reduce((n, s) => n + s.candles.openTime.length, 0);
  await withExchange(series, { start: afterAll(series) }, async (setup) => {
    const { store, exchange } = setup;
    exchange.faults.delay({ ms: 100, requests: 1000 });
    const module = new URL("../../data/download_command.ts", import.meta.url);
    const code = `
      import { runDownloadCommand } from "${module.href}";
      await runDownloadCommand(${
      JSON.stringify([
        "--symbols",
        "BTCUSDT,ETHUSDT",
        "--timeframes",
        "30m,1h,2h",
        "--concurrency",
        "1",
        "--store",
        store.root,
      ])
    }, {
        stdout: () => {}, stderr: () => {}, now: () => Date.now(),
        cwd: ${JSON.stringify(setup.root)}, baseUrl: "${exchange.restUrl}",
      });`;
    const config = new URL("../../deno.json", import.meta.url).pathname;
    const child = new Deno.Command(Deno.execPath(), {
      args: ["eval", "--config", config, code],
      stdout: "null",
      stderr: "null",
    }).spawn();
    try {
      // Poll (bounded) until the child has written its first chunk.
      const deadline = performance.now() + 30_000;
      while (store.list().length === 0 && performance.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    } finally {
      child.kill("SIGKILL");
      await child.status;
    }
    const listed = store.list();
    assert.ok(listed.length > 0, "the child wrote nothing");
    let stored = 0;
    for (const entry of listed) {
      assert.equal(entry.status, "ok", JSON.stringify(entry));
      const s = series.find((x) =>
        x.symbol === entry.symbol && x.timeframe === entry.timeframe
      )!;
      const rows = store.read(s.symbol, s.timeframe).openTime.length;
      assertStored(store, s, slice(s.candles, 0, rows));
      stored += rows;
    }
    assert.ok(stored < total, "the child finished before the kill");
    exchange.faults.clear();
    const rerun = await setup.download([
      "--symbols",
      "BTCUSDT,ETHUSDT",
      "--timeframes",
      "30m,1h,2h",
    ]);
    assert.equal(rerun.code, 0, rerun.err.join("\n"));
    for (const s of series) assertStored(store, s);
    assert.match(
      rerun.out.at(-1)!,
      new RegExp(
        `^6 of 6 series ok, ${groupDigits(total - stored)} candles added`,
      ),
    );
  });
});

Deno.test("download reports a series whose requests keep failing, keeps its pages and the rerun completes", async () => {
  const series = ["BTCUSDT", "ETHUSDT"].map((symbol) => ({
    symbol,
    timeframe: "1h",
    candles: fixture(`${symbol}-1h`),
  }));
  const eth = series[1]!.candles;
  const secondPage = `startTime=${eth.openTime[1500]}`;
  await withExchange(series, { start: afterAll(series) }, async (setup) => {
    const failing: typeof fetch = (input, init) => {
      const url = String(input);
      if (url.includes("symbol=ETHUSDT") && url.includes(secondPage)) {
        return Promise.reject(new TypeError("connection reset"));
      }
      return fetch(input, init);
    };
    const args = ["--symbols", "BTCUSDT,ETHUSDT", "--timeframes", "1h"];
    const run = await setup.download(args, { fetch: failing });
    assert.equal(run.code, 1);
    assert.equal(run.err.length, 1);
    assert.match(
      run.err[0]!,
      /^error: ETHUSDT 1h: Cannot GET http:\/\/127\.0\.0\.1:\d+\/fapi\/v1\/klines\?.* as the request failed \(TypeError: connection reset\) after 6 attempts$/,
    );
    assert.match(tableRow(run, "ETHUSDT 1h"), / 1 500 .* 1 500 0 0 failed$/);
    assertStored(setup.store, series[0]!);
    assertStored(setup.store, series[1]!, slice(eth, 0, 1500));
    const rerun = await setup.download(args);
    assert.equal(rerun.code, 0, rerun.err.join("\n"));
    assertStored(setup.store, series[1]!);
    assert.match(tableRow(rerun, "ETHUSDT 1h"), / 3 000 .* 1 500 0 0 ok$/);
  });
});

Deno.test("download names unknown and delisted symbols, goes on with the others and exits 1", async () => {
  const series = [{
    symbol: "BTCUSDT",
    timeframe: "1h",
    candles: fixture("BTCUSDT-1h"),
  }];
  await withExchange(series, { start: afterAll(series) }, async (setup) => {
    const run = await setup.download([
      "--symbols",
      "FOOUSDT,BTCUSDT,maticusdt",
      "--timeframes",
      "1h",
    ]);
    assert.equal(run.code, 1);
    assert.deepEqual(run.err, [
      "error: Cannot download 'FOOUSDT' as it is not a Binance USDT-M futures symbol",
      "error: Cannot download 'MATICUSDT' as it is delisted from Binance USDT-M futures (status SETTLING): it continues as POLUSDT, download POLUSDT instead",
    ]);
    assertStored(setup.store, series[0]!);
    assert.match(tableRow(run, "FOOUSDT 1h"), / unknown symbol$/);
    assert.match(tableRow(run, "MATICUSDT 1h"), / delisted: use POLUSDT$/);
    assert.match(run.out.at(-1)!, /^1 of 3 series ok/);
  });
});

Deno.test("download refuses bad arguments before fetching or writing anything", async () => {
  const series = [{
    symbol: "BTCUSDT",
    timeframe: "1h",
    candles: fixture("BTCUSDT-1h"),
  }];
  await withExchange(series, { start: afterAll(series) }, async (setup) => {
    const cases: [
      string[],
      ErrorConstructor | RangeErrorConstructor,
      string,
    ][] = [
      [
        ["--timeframes", "1h,7m"],
        RangeError,
        "Cannot download as '--timeframes' must list Binance intervals (1m, 3m, 5m, 15m, 30m, 1h, 2h, 4h, 6h, 8h, 12h, 1d, 3d): current value is 7m",
      ],
      [
        ["--from", "2026-03-01", "--to", "2026-02-01"],
        RangeError,
        "Cannot download as '--from' must be before '--to' (2026-02-01): current value is 2026-03-01",
      ],
      [
        ["--from", "2026-02-30"],
        TypeError,
        "Cannot download as '--from' must be a date YYYY-MM-DD: current value is 2026-02-30",
      ],
      [
        ["--from", "2026-01-01", "--months", "3"],
        TypeError,
        "Cannot download as '--from' and '--months' exclude each other",
      ],
      [
        ["--concurrency", "0"],
        RangeError,
        "Cannot download as '--concurrency' must be an integer from 1 to 16: current value is 0",
      ],
      [
        ["--symbols", "BTC/USDT"],
        TypeError,
        "Cannot download as '--symbols' must list symbols of 2 to 32 letters or digits such as BTCUSDT,ETHUSDT: current value is BTC/USDT",
      ],
    ];
    for (const [args, kind, message] of cases) {
      await assert.rejects(
        setup.download(["--symbols", "BTCUSDT", ...args]),
        (error: Error) => {
          assert.equal(error.constructor, kind, message);
          assert.equal(error.message, message);
          return true;
        },
      );
    }
    await assert.rejects(
      setup.download(["--symbols", "BTCUSDT", "--from", "2099-01-01"]),
      new RangeError(
        "Cannot download as '--from' must be before now (2026-05-17 08:00 UTC): current value is 2099-01-01",
      ),
    );
    await assert.rejects(
      setup.download(["--symbols", "BTCUSDT", "--to", "2020-01-01"]),
      new RangeError(
        "Cannot download as '--to' must be after the window start (2025-05-17 08:00 UTC, 12 months before now): current value is 2020-01-01",
      ),
    );
    // Only the last two cases asked the server time.
    assert.equal(setup.exchange.stats.requests, 2);
    assert.deepEqual(setup.store.list(), []);
  });
});

Deno.test("download leaves a corrupt store file untouched, names it and downloads the rest", async () => {
  const series = ["BTCUSDT", "ETHUSDT"].map((symbol) => ({
    symbol,
    timeframe: "1h",
    candles: fixture(`${symbol}-1h`),
  }));
  await withExchange(series, { start: afterAll(series) }, async (setup) => {
    const path = setup.store.path("BTCUSDT", "1h");
    Deno.mkdirSync(`${setup.store.root}/BTCUSDT`, { recursive: true });
    const garbage = new TextEncoder().encode("PAR1 this is not parquet");
    Deno.writeFileSync(path, garbage);
    const run = await setup.download([
      "--symbols",
      "BTCUSDT,ETHUSDT",
      "--timeframes",
      "1h",
    ]);
    assert.equal(run.code, 1);
    assert.equal(run.err.length, 1);
    assert.ok(
      run.err[0]!.startsWith(
        `error: BTCUSDT 1h: Cannot load candles from '${path}' as it is not readable Parquet`,
      ),
      run.err[0],
    );
    assert.deepEqual(Deno.readFileSync(path), garbage);
    assertStored(setup.store, series[1]!);
    assert.match(tableRow(run, "BTCUSDT 1h"), / unreadable store file$/);
  });
});

Deno.test("download exits 1 with one line when the exchange does not answer", async () => {
  const series = [{
    symbol: "BTCUSDT",
    timeframe: "1h",
    candles: fixture("BTCUSDT-1h"),
  }];
  await withExchange(series, { start: afterAll(series) }, async (setup) => {
    const closed = await startReplayExchange({ series, startTime: 0 });
    await closed.close();
    const run = await setup.download(["--symbols", "BTCUSDT"], {
      baseUrl: closed.restUrl,
    });
    assert.equal(run.code, 1);
    assert.equal(run.err.length, 1);
    assert.ok(
      run.err[0]!.startsWith(
        `error: Cannot download as the exchange at ${closed.restUrl} did not answer: `,
      ),
      run.err[0],
    );
    assert.deepEqual(setup.store.list(), []);
  });
});

Deno.test("download --help prints the usage", async () => {
  await withExchange([], { start: 0 }, async (setup) => {
    const run = await setup.download(["--help"]);
    assert.equal(run.code, 0);
    assert.match(run.out[0]!, /^Usage: deno task download \[options\]\n/);
  });
});

Deno.test("monthsBefore keeps the time of day and clamps the day to the month", () => {
  assert.equal(
    monthsBefore(Date.UTC(2026, 2, 31, 8, 30), 1),
    Date.UTC(2026, 1, 28, 8, 30),
  );
  assert.equal(
    monthsBefore(Date.UTC(2026, 4, 17, 8, 30), 12),
    Date.UTC(2025, 4, 17, 8, 30),
  );
});

Deno.test("progress line shows the bar, counts, percent, ETA and tail", () => {
  assert.equal(
    formatProgress({
      done: 1500,
      total: 6000,
      elapsedMs: 2000,
      unit: "candles",
      tail: "series 1/4",
    }),
    "[#####...............] 1 500 / 6 000 candles  25 %  ETA 6s  series 1/4",
  );
  assert.equal(
    formatProgress({ done: 0, total: 10, elapsedMs: 0, unit: "candles" }),
    "[....................] 0 / 10 candles  0 %  ETA --",
  );
  assert.equal(formatDuration(185_000), "3m 05s");
  assert.equal(formatDuration(7_440_000), "2h 04m");
});
