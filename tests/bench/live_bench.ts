// deno-lint-ignore-file no-console
/**
 * `deno task bench live [--data DIR] [--days N]`: the live daemon (series actors in 2 workers,
 * portfolio actor, SQLite store on a file, notifier draining to a no-op log) replaying the futures
 * files of `../shared/data/binance` for the default config's pairs × timeframes through the replay
 * exchange on 127.0.0.1.
 *
 * The parent picks the common window (every series has `data.warmup_bars` bars before the replay
 * start and covers `--days` days after it; the window covering most series wins, series that
 * do not cover it are skipped and named), writes each series' slice to a temp dir as raw
 * Float64 columns, and runs each phase in a fresh child process, so a phase's peak RSS (VmHWM)
 * holds the daemon and the replay exchange but not the Polars loading of the full files:
 *
 * - A, `max` speed: the driver advances one 30m step and waits until the daemon has committed
 *   every candle closed by then, so the latency is the daemon's own processing; candles per
 *   second = candles received / wall time of the replay phase (after `daemon.start()`).
 * - B, paced at 6000x real time for 20 s and at 100x for 30 s (replay starting 10 min before a
 *   2h boundary, so the 100x run sees one bar of every series close at once): backlog = candles
 *   received minus committed, sampled every 100 ms, and the lag of the portfolio's
 *   `releasedUpTo` behind the replay clock when the run stops.
 *
 * @module
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Daemon, type LogLine } from "../../actors/daemon.ts";
import { type Config, DEFAULT_CONFIG } from "../../core/config.ts";
import {
  type CandleColumns,
  sliceCandles,
  timeframeMs,
} from "../../core/types.ts";
import { findSeriesFile, resolvePresets } from "../../data/backtest_inputs.ts";
import { BinanceRestClient } from "../../data/binance_rest.ts";
import { loadCandles } from "../../data/candle_loader.ts";
import { LogNotifier } from "../../data/log_notifier.ts";
import { driveReplay, replayClock } from "../../data/replay_driver.ts";
import {
  type ReplaySeries,
  startReplayExchange,
} from "../../data/replay_exchange.ts";
import { StateStore } from "../../data/state_store.ts";
import { SHARED_DATA } from "../shared_data.ts";
import { peakRssMiB } from "./peak_rss.ts";

const DAY = 86_400_000;
const MINUTE = 60_000;
/** Extra bars kept before the warm-up, as the parity test does. */
const SPARE_BARS = 100;
/** The paced runs start this long before a boundary of the largest timeframe. */
const PACED_LEAD = 10 * MINUTE;
const PACED: readonly { speed: number; seconds: number }[] = [
  { speed: 6000, seconds: 20 },
  { speed: 100, seconds: 30 },
];

interface ManifestSeries {
  readonly symbol: string;
  readonly timeframe: string;
  readonly rows: number;
  readonly file: string;
}

interface Manifest {
  readonly start: number;
  readonly end: number;
  readonly step: number;
  readonly largest: number;
  readonly series: readonly ManifestSeries[];
}

interface PhaseFigures {
  readonly speed: number | "max";
  readonly series: number;
  readonly seconds: number;
  readonly replayMs: number;
  readonly candles: number;
  readonly committed: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly backlogMax: number;
  readonly backlogEnd: number;
  /** Replay clock minus `releasedUpTo` when the run stopped. */
  readonly lagMs: number;
  /** Close time of the last bar due by then minus `releasedUpTo`. */
  readonly dueLagMs: number;
  readonly signals: number;
  readonly trades: number;
  readonly problems: readonly string[];
  readonly peakRssMiB: number;
}

const iso = (t: number) => new Date(t).toISOString().slice(0, 16);

/** Picks the window and writes the slices; returns the manifest directory. */
function prepare(dir: string, days: number, out: string): Manifest {
  const config = DEFAULT_CONFIG;
  const warm = config.data.warmup_bars;
  const largest = Math.max(...config.timeframes.map(timeframeMs));
  const absent: string[] = [];
  const loaded: {
    symbol: string;
    timeframe: string;
    tf: number;
    candles: CandleColumns;
    earliest: number;
    lastClose: number;
  }[] = [];
  for (const symbol of config.pairs) {
    for (const timeframe of config.timeframes) {
      const file = findSeriesFile(dir, { symbol, timeframe });
      if (file === undefined) {
        absent.push(`${symbol} ${timeframe}`);
        continue;
      }
      const candles = loadCandles(file);
      const times = candles.openTime;
      const tf = timeframeMs(timeframe);
      loaded.push({
        symbol,
        timeframe,
        tf,
        candles,
        earliest: times.length >= warm ? times[warm - 1]! + tf : Infinity,
        lastClose: times.length > 0 ? times[times.length - 1]! + tf : -Infinity,
      });
    }
  }
  const total = config.pairs.length * config.timeframes.length;
  console.log(
    `bench live: ${loaded.length} of ${total} series have a futures file in ${dir} (${config.pairs.length} pairs x ${
      config.timeframes.join(",")
    })`,
  );
  if (absent.length > 0) console.log(`  no file: ${absent.join(", ")}`);
  // The best end is some series' last close: try each, keep the one covering most series
  // (the latest on a tie).
  const span = days * DAY;
  let best = { end: NaN, start: NaN, count: -1 };
  for (const candidate of loaded) {
    const end = Math.floor(candidate.lastClose / largest) * largest;
    const start = Math.floor((end - span) / largest) * largest;
    const count = loaded.filter((s) =>
      s.earliest <= start && s.lastClose >= end
    ).length;
    if (count > best.count || (count === best.count && end > best.end)) {
      best = { end, start, count };
    }
  }
  const { start, end } = best;
  const series: ManifestSeries[] = [];
  const skipped: string[] = [];
  for (const s of loaded) {
    const times = s.candles.openTime;
    const name = `${s.symbol} ${s.timeframe}`;
    if (!(s.earliest <= start && s.lastClose >= end)) {
      skipped.push(
        `${name} (${iso(times[0] ?? NaN)}..${iso(s.lastClose)})`,
      );
      continue;
    }
    let a = 0;
    while (times[a]! < start - (warm + SPARE_BARS) * s.tf) a++;
    let b = a;
    while (b < times.length && times[b]! < end) b++;
    let gaps = 0;
    for (let i = a + 1; i < b; i++) {
      if (times[i]! - times[i - 1]! !== s.tf) gaps++;
    }
    if (gaps > 0) {
      skipped.push(`${name} (${gaps} gaps in the window)`);
      continue;
    }
    const slice = sliceCandles(s.candles, { start: a, end: b });
    const rows = b - a;
    const flat = new Float64Array(rows * 6);
    [
      slice.openTime,
      slice.open,
      slice.high,
      slice.low,
      slice.close,
      slice.volume,
    ].forEach((column, k) => flat.set(column, k * rows));
    const file = `${s.symbol}-${s.timeframe}.f64`;
    writeFileSync(join(out, file), new Uint8Array(flat.buffer));
    series.push({ symbol: s.symbol, timeframe: s.timeframe, rows, file });
  }
  console.log(
    `  window ${iso(start)} .. ${
      iso(end)
    } UTC (${days} days), ${series.length} series replayed, each with ${warm} warm-up bars before the start`,
  );
  if (skipped.length > 0) {
    console.log(`  skipped (no cover of the window): ${skipped.join(", ")}`);
  }
  const step = Math.min(...series.map((s) => timeframeMs(s.timeframe)));
  const manifest: Manifest = { start, end, step, largest, series };
  writeFileSync(join(out, "manifest.json"), JSON.stringify(manifest));
  return manifest;
}

function readSeries(dir: string, s: ManifestSeries): ReplaySeries {
  const bytes = Deno.readFileSync(join(dir, s.file));
  const flat = new Float64Array(bytes.buffer, bytes.byteOffset, s.rows * 6);
  const col = (k: number) => flat.slice(k * s.rows, (k + 1) * s.rows);
  return {
    symbol: s.symbol,
    timeframe: s.timeframe,
    candles: {
      openTime: col(0),
      open: col(1),
      high: col(2),
      low: col(3),
      close: col(4),
      volume: col(5),
    },
  };
}

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

/** One phase, in this (child) process. */
async function runPhase(
  dir: string,
  speed: number | "max",
  seconds: number,
): Promise<PhaseFigures> {
  const manifest = JSON.parse(
    readFileSync(join(dir, "manifest.json"), "utf8"),
  ) as Manifest;
  const series = manifest.series.map((s) => readSeries(dir, s));
  const startTime = speed === "max"
    ? manifest.start
    : manifest.start + manifest.largest - PACED_LEAD;
  const config: Config = {
    ...DEFAULT_CONFIG,
    pairs: [...new Set(series.map((s) => s.symbol))],
  };
  const only = new Set(series.map((s) => `${s.symbol}:${s.timeframe}`));
  const exchange = await startReplayExchange({
    series,
    startTime,
    updatesPerCandle: 0,
  });
  const clock = replayClock(exchange, speed === "max" ? 1000 : speed);
  const temp = mkdtempSync(join(tmpdir(), "velas-live-bench-db-"));
  const store = StateStore.open(join(temp, "state.db"));
  const problems: string[] = [];
  try {
    const presets = await resolvePresets(
      series.map(({ symbol, timeframe }) => ({ symbol, timeframe })),
      {
        source: { kind: "defaults" },
        config,
        generatedAt: new Date(startTime).toISOString(),
      },
    );
    const daemon = new Daemon({
      config,
      presets,
      store,
      clock,
      rest: new BinanceRestClient({ baseUrl: exchange.restUrl, clock }),
      wsUrl: exchange.wsUrl,
      notifier: new LogNotifier(() => {}),
      log: (line: LogLine) => {
        if (line.level === "warn" || line.level === "error") {
          problems.push(`${line.level}: ${line.msg}`);
        }
      },
      workers: 2,
      only,
      keepLatencySamples: true,
    });
    await daemon.start();
    const portfolio = daemon.portfolio!;
    const base = daemon.takeLatencies().candles;
    const samples: number[] = [];
    let backlogMax = 0;
    const collect = () => {
      const taken = daemon.takeLatencies();
      for (const v of taken.samples) samples.push(v);
      const backlog = taken.candles - base - samples.length;
      backlogMax = Math.max(backlogMax, backlog);
      return backlog;
    };
    const abort = new AbortController();
    const timer = speed === "max"
      ? undefined
      : setTimeout(() => abort.abort(), seconds * 1000);
    const sampler = setInterval(collect, 100);
    const started = performance.now();
    await driveReplay({
      exchange,
      end: manifest.end,
      step: manifest.step,
      speed,
      signal: abort.signal,
      caughtUp: (time) => {
        if (portfolio.waiting > 0) return false;
        const states = daemon.actorStates();
        return daemon.series.every((s) =>
          states.get(s.key) === "degraded" ||
          portfolio.lastCloseOf(s.key) >=
            Math.floor(time / s.timeframeMs) * s.timeframeMs
        );
      },
    });
    const wall = (performance.now() - started) / 1000;
    clearInterval(sampler);
    clearTimeout(timer);
    const now = exchange.now();
    const released = portfolio.releasedUpTo;
    const backlogEnd = collect();
    const candles = daemon.takeLatencies().candles - base;
    await daemon.notifier?.whenIdle();
    await daemon.stop();
    const sorted = Float64Array.from(samples).sort();
    const counts = store.counts();
    return {
      speed,
      series: series.length,
      seconds: wall,
      replayMs: now - startTime,
      candles,
      committed: samples.length,
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      max: sorted[sorted.length - 1] ?? NaN,
      backlogMax,
      backlogEnd,
      lagMs: now - released,
      dueLagMs: Math.floor(now / manifest.step) * manifest.step - released,
      signals: counts.signals,
      trades: counts.trades,
      problems: problems.slice(0, 5),
      peakRssMiB: peakRssMiB(),
    };
  } finally {
    store.close();
    await exchange.close();
    rmSync(temp, { recursive: true, force: true });
  }
}

async function child(
  dir: string,
  speed: number | "max",
  seconds: number,
): Promise<PhaseFigures> {
  const command = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      new URL("./main.ts", import.meta.url).pathname,
      "live",
      "--input",
      dir,
      "--phase",
      String(speed),
      "--seconds",
      String(seconds),
    ],
    stdout: "piped",
    stderr: "inherit",
  });
  const result = await command.output();
  const text = new TextDecoder().decode(result.stdout);
  const json = text.split("\n").find((l) => l.startsWith("{"));
  if (!result.success || json === undefined) {
    throw new Error(`benchmark child at speed ${speed} failed:\n${text}`);
  }
  return JSON.parse(json) as PhaseFigures;
}

const ms = (v: number) => v.toFixed(1);
const verdict = (ok: boolean) => ok ? "ok" : "MISSED";

function latencyLine(f: PhaseFigures, target: boolean): string {
  return `  latency arrival -> commit (outbox included): p50 ${
    ms(f.p50)
  } ms, p99 ${ms(f.p99)} ms, max ${ms(f.max)} ms over ${f.committed} candles${
    target ? ` (target p99 < 20 ms: ${verdict(f.p99 < 20)})` : ""
  }`;
}

function problemsLine(f: PhaseFigures): string[] {
  return f.problems.length === 0
    ? []
    : [`  daemon warnings/errors: ${f.problems.join("; ")}`];
}

/**
 * Runs the benchmark.
 *
 * @param args Options after `live`.
 * @returns The exit code.
 */
export async function benchLive(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      data: { type: "string" },
      days: { type: "string", default: "30" },
      input: { type: "string" },
      phase: { type: "string" },
      seconds: { type: "string", default: "0" },
    },
    strict: true,
  });
  if (values.input !== undefined && values.phase !== undefined) {
    const speed = values.phase === "max" ? "max" : Number(values.phase);
    console.log(
      JSON.stringify(
        await runPhase(values.input, speed, Number(values.seconds)),
      ),
    );
    return 0;
  }
  const dir = values.data ?? SHARED_DATA;
  if (dir === undefined) {
    console.error(
      "Cannot run the benchmark as ../shared/data/binance is absent: pass --data DIR",
    );
    return 2;
  }
  const days = Number(values.days);
  if (!(days > 0)) {
    console.error(
      `Cannot run the benchmark as '--days' must be a positive number: current value is ${values.days}`,
    );
    return 2;
  }
  const out = mkdtempSync(join(tmpdir(), "velas-live-bench-"));
  try {
    const manifest = prepare(dir, days, out);
    if (manifest.series.length === 0) {
      console.error(
        "Cannot run the benchmark as no series covers a common window",
      );
      return 2;
    }
    const a = await child(out, "max", 0);
    console.log(
      `A. max speed, ${a.series} series, ${days} days of replay, 2 workers, SQLite file (latency = the daemon's own processing: the driver waits for catch-up each step)`,
    );
    console.log(
      `  ${a.candles} candles received in ${a.seconds.toFixed(1)} s wall: ${
        (a.candles / a.seconds).toFixed(0)
      } candles/s (${a.signals} signals, ${a.trades} trades stored)`,
    );
    console.log(latencyLine(a, true));
    console.log(
      `  peak RSS ${
        a.peakRssMiB.toFixed(0)
      } MiB, whole process with the replay exchange (target < 300 MiB with 60 series: ${
        verdict(a.peakRssMiB < 300)
      })`,
    );
    for (const line of problemsLine(a)) console.log(line);
    console.log(
      `B. paced replay (starting ${
        PACED_LEAD / MINUTE
      } min before a 2h close, so every series' bar closes at once), target: no backlog`,
    );
    for (const { speed, seconds } of PACED) {
      const b = await child(out, speed, seconds);
      const caughtUp = b.backlogEnd === 0 && b.dueLagMs <= 0;
      console.log(
        `  ${speed}x for ${b.seconds.toFixed(0)} s wall = ${
          (b.replayMs / MINUTE).toFixed(0)
        } min of market: ${b.candles} candles received, ${b.committed} committed`,
      );
      console.log(
        `  ${speed}x backlog (received - committed, every 100 ms): max ${b.backlogMax}, at the end ${b.backlogEnd}; releasedUpTo ${
          (b.lagMs / MINUTE).toFixed(1)
        } min behind the replay clock, ${
          (b.dueLagMs / MINUTE).toFixed(1)
        } min behind the last due close (${ms(b.dueLagMs / speed)} ms wall): ${
          verdict(caughtUp)
        }`,
      );
      console.log(`  ${speed}x` + latencyLine(b, false).slice(1));
      console.log(`  ${speed}x peak RSS ${b.peakRssMiB.toFixed(0)} MiB`);
      for (const line of problemsLine(b)) console.log(line);
    }
    return 0;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
