// deno-lint-ignore-file no-console
/**
 * `deno task bench web [--data DIR] [--clients 50] [--seconds 15] [--speed 20000] [--every MS]
 * [--telegram]`: the status page under load while a replay runs (`--telegram`: with the outbox
 * sent through grammY to a fake Bot API on 127.0.0.1, to compare the candle latency with
 * Telegram on and off). A child process runs `live --replay DIR --speed N` (the
 * futures files of `../shared/data/binance`, else the bundled candles) with its status page on a
 * free loopback port; after a warm-up, three phases of `--seconds` each:
 *
 * - idle: no HTTP load; the replay's candle latency (arrival to commit, from the daemon's own
 *   histogram on `/metrics`: mean and the p99 bucket of the phase's samples);
 * - `/api/status`: `--clients` concurrent clients, each sending its next request when the last
 *   answered (closed loop); requests per second and p50/p99 request latency, and the candle
 *   latency meanwhile;
 * - `/metrics`: the same for the Prometheus endpoint.
 *
 * Target (issue "status page"): `/api/status` p99 under 10 ms; candle latency unchanged within
 * noise. Nothing is asserted.
 *
 * @module
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startFakeTelegram } from "../fakes/fake_telegram.ts";
import { parsePrometheusText } from "../fakes/prometheus_parser.ts";
import { FIXTURES, SHARED_DATA } from "../shared_data.ts";

const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));
/** The bot token of the `--telegram` run (the fake accepts only it). */
const BENCH_TOKEN = "123456:BENCH-TOKEN";

interface Histogram {
  readonly bounds: number[];
  readonly cumulative: number[];
  readonly sum: number;
  readonly count: number;
}

async function candleHistogram(base: string): Promise<Histogram> {
  const text = await (await fetch(`${base}metrics`)).text();
  const family = parsePrometheusText(text).get("velas_candle_latency_seconds");
  if (family === undefined) throw new Error("no candle latency histogram");
  const buckets = family.samples.filter((s) => s.name.endsWith("_bucket"))
    .map((s) => ({ le: Number(s.labels["le"]), n: s.value }))
    .sort((a, b) => a.le - b.le);
  const one = (suffix: string) =>
    family.samples.find((s) => s.name.endsWith(suffix))?.value ?? 0;
  return {
    bounds: buckets.map((b) => b.le),
    cumulative: buckets.map((b) => b.n),
    sum: one("_sum"),
    count: one("_count"),
  };
}

/** Mean and p99 bucket bound (ms) of the samples between two histogram readings. */
function between(a: Histogram, b: Histogram): {
  n: number;
  meanMs: number;
  p99Ms: number;
} {
  const n = b.count - a.count;
  const meanMs = n > 0 ? (b.sum - a.sum) / n * 1000 : NaN;
  let p99Ms = NaN;
  for (let i = 0; i < b.bounds.length; i++) {
    if (b.cumulative[i]! - a.cumulative[i]! >= 0.99 * n) {
      p99Ms = b.bounds[i]! * 1000;
      break;
    }
  }
  return { n, meanMs, p99Ms };
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

async function load(
  url: string,
  clients: number,
  seconds: number,
  everyMs: number,
): Promise<{ requests: number; errors: number; latencies: number[] }> {
  const latencies: number[] = [];
  let errors = 0;
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async (_, i) => {
      // Paced clients start spread over one interval and keep their own schedule.
      let next = performance.now() + everyMs * i / clients;
      while (performance.now() < until) {
        if (everyMs > 0) {
          const wait = next - performance.now();
          if (wait > 0) await sleep(wait);
          next += everyMs;
        }
        const t0 = performance.now();
        try {
          const response = await fetch(url);
          await response.arrayBuffer();
          if (!response.ok) errors++;
        } catch {
          errors++;
        }
        latencies.push(performance.now() - t0);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { requests: latencies.length, errors, latencies };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function fixed(x: number, digits = 2): string {
  return Number.isFinite(x) ? x.toFixed(digits) : "n/a";
}

/**
 * Runs the benchmark.
 *
 * @param args Command-line options.
 * @returns The exit code.
 */
export async function benchWeb(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      data: { type: "string" },
      clients: { type: "string", default: "50" },
      seconds: { type: "string", default: "15" },
      speed: { type: "string", default: "20000" },
      every: { type: "string", default: "100" },
      telegram: { type: "boolean", default: false },
    },
    strict: true,
  });
  const data = values.data ?? SHARED_DATA ?? FIXTURES;
  const clients = Number(values.clients);
  const seconds = Number(values.seconds);
  const every = Number(values.every);
  const dir = mkdtempSync(join(tmpdir(), "velas-bench-web-"));
  const telegram = values.telegram
    ? await startFakeTelegram({ token: BENCH_TOKEN })
    : undefined;
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      MAIN,
      "live",
      "--replay",
      data,
      "--speed",
      values.speed,
      "--after-end",
      "serve",
      "--port",
      "0",
      "--db",
      join(dir, "bench.db"),
      "--config",
      join(dir, "config.yaml"),
    ],
    cwd: dir,
    stdout: "piped",
    stderr: "inherit",
    env: telegram === undefined ? {} : {
      VELAS_TELEGRAM_TOKEN: BENCH_TOKEN,
      VELAS_TELEGRAM_API: telegram.apiRoot,
    },
  });
  writeFileSync(
    join(dir, "config.yaml"),
    "binance:\n  validate_pairs: false\n" +
      (telegram === undefined ? "" : 'telegram:\n  chat_id: "1001"\n'),
  );
  const process = child.spawn();
  try {
    const base = await new Promise<string>((resolve, reject) => {
      const decoder = new TextDecoder();
      let text = "";
      (async () => {
        for await (const chunk of process.stdout) {
          text += decoder.decode(chunk, { stream: true });
          const m = /"msg":"status page listening","url":"([^"]+)"/.exec(text);
          if (m !== null) {
            resolve(m[1]!);
            // keep draining the log so the child never blocks on a full pipe
            for await (const _ of process.stdout) { /* drain */ }
            return;
          }
        }
        reject(new Error("the daemon exited before serving its status page"));
      })().catch(reject);
    });
    console.log(
      `bench web: replay of ${data} at ${values.speed}x, status page ${base}, ${clients} clients, ${seconds} s per phase, Telegram ${
        telegram === undefined ? "off" : `on (fake Bot API ${telegram.apiRoot})`
      }`,
    );
    await sleep(3000);
    const status = await (await fetch(`${base}api/status`)).json() as {
      series: unknown[];
    };
    console.log(`series: ${status.series.length}`);

    const phases: {
      name: string;
      path: string | undefined;
      everyMs: number;
    }[] = [
      { name: "idle", path: undefined, everyMs: 0 },
      {
        name: `/api/status, each client every ${every} ms`,
        path: "api/status",
        everyMs: every,
      },
      {
        name: `/metrics, each client every ${every} ms`,
        path: "metrics",
        everyMs: every,
      },
      {
        name: "/api/status, closed loop (no pause)",
        path: "api/status",
        everyMs: 0,
      },
      { name: "/metrics, closed loop (no pause)", path: "metrics", everyMs: 0 },
    ];
    for (const phase of phases) {
      const before = await candleHistogram(base);
      const r = phase.path === undefined
        ? undefined
        : await load(`${base}${phase.path}`, clients, seconds, phase.everyMs);
      if (r === undefined) await sleep(seconds * 1000);
      const c = between(before, await candleHistogram(base));
      console.log(`${phase.name}:`);
      if (r !== undefined) {
        console.log(
          `  ${clients} clients ${fixed(r.requests / seconds, 0)} req/s  p50 ${
            fixed(percentile(r.latencies, 0.5))
          } ms  p99 ${
            fixed(percentile(r.latencies, 0.99))
          } ms  errors ${r.errors}${
            phase.path === "api/status" ? "  (target p99 < 10 ms)" : ""
          }`,
        );
      }
      console.log(
        `  candle latency: ${c.n} candles, mean ${fixed(c.meanMs)} ms, p99 ≤ ${
          fixed(c.p99Ms, 1)
        } ms (histogram bucket)`,
      );
    }
    if (telegram !== undefined) {
      console.log(
        `telegram: ${telegram.messages.length} messages accepted by the fake Bot API (paced at 20 a minute)`,
      );
    }
    return 0;
  } finally {
    try {
      process.kill("SIGTERM");
    } catch {
      // already gone
    }
    await process.status;
    await telegram?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
