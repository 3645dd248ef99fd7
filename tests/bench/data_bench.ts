// deno-lint-ignore-file no-console
/**
 * `deno task bench data`: the market-data figures of issue 5 over every futures file of
 * `../shared/data/binance` (or `--data DIR`):
 *
 * 1. import: candles per second from CSV.gz into a fresh Parquet store (`importCsv`: gunzip,
 *    parse, validate, atomic write);
 * 2. load: all those series from the store, OHLCV only (`readCandles`) and every column
 *    (`read`), against the same data from CSV.gz (`loadCandles`); best of `--rounds`, files in
 *    the page cache (they were just written or read);
 * 3. WebSocket: 60 kline streams of the replay exchange, run in a child process so the two do
 *    not share a core, pushed as fast as the socket drains (3 updates and 1 closed event per
 *    candle, `--days` of replay time) into a consumer here. `data/binance_ws.ts` (`KlineStream`)
 *    does not exist yet, so the consumer is Deno's built-in WebSocket parsing every frame with
 *    `parseKlineEvent`; it reports events per second end to end and the consumer's own parse
 *    time per event.
 *
 * @module
 */
import { readdirSync } from "node:fs";
import { parseArgs } from "node:util";
import { CandleStore } from "../../data/candle_store.ts";
import { loadCandles } from "../../data/candle_loader.ts";
import { importCsv } from "../../data/freqtrade_import.ts";
import { parseKlineEvent } from "../../data/binance_kline.ts";
import { SHARED_DATA } from "../shared_data.ts";

const FILE = /^([A-Z0-9]+)-(\d+[mhd])\.csv\.gz$/;
const LOAD_TARGET_MS = 1000;
const EVENTS_TARGET = 50_000;

function rate(count: number, ms: number): string {
  return `${Math.round(count / ms * 1000).toLocaleString("en-US")}/s`;
}

function best(rounds: number, run: () => void): number {
  let fastest = Infinity;
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    run();
    fastest = Math.min(fastest, performance.now() - start);
  }
  return fastest;
}

/** The child: a replay exchange with 60 streams, advanced as fast as its sockets drain. */
function exchangeScript(dir: string, days: number): string {
  const url = (path: string) => new URL(path, import.meta.url).href;
  return `
import { startReplayExchange } from "${url("../../data/replay_exchange.ts")}";
import { loadCandles } from "${url("../../data/candle_loader.ts")}";
const dir = ${JSON.stringify(dir)};
const files = Deno.readDirSync(dir);
const byTf = { "30m": [], "1h": [], "2h": [] };
for (const f of [...files].map((e) => e.name).sort()) {
  const m = /^([A-Z0-9]+)-(30m|1h|2h)\\.csv\\.gz$/.exec(f);
  if (m) byTf[m[2]].push({ base: m[1].replace(/USDT$/, ""), file: dir + "/" + f, tf: m[2] });
}
const series = [];
for (const [tf, list] of Object.entries(byTf)) {
  for (let k = 0; k < 20 && list.length > 0; k++) {
    const src = list[k % list.length];
    const symbol = src.base + (k < list.length ? "" : "X" + k) + "USDT";
    series.push({ symbol, timeframe: tf, candles: loadCandles(src.file, { timeframe: tf }) });
  }
}
const end = Math.min(...series.map((s) => s.candles.openTime.at(-1)));
const start = Math.floor((end - ${days} * 86400000) / 7200000) * 7200000;
for (const s of series) {
  const t = s.candles.openTime;
  let i = 0; while (i < t.length && t[i] < start) i++;
  let j = i; while (j < t.length && t[j] <= end) j++;
  s.candles = Object.fromEntries(Object.entries(s.candles).map(([k, v]) => [k, v.subarray(i, j)]));
}
const exchange = await startReplayExchange({ series, startTime: start });
const streams = series.map((s) => s.symbol.toLowerCase() + "@kline_" + s.timeframe);
console.log(JSON.stringify({ url: exchange.wsUrl + "/market/stream?streams=" + streams.join("/"), streams: streams.length }));
while (exchange.stats.wsOpen === 0) await new Promise((r) => setTimeout(r, 5));
const t0 = performance.now();
for (let t = start; t < end; t += 6 * 3600000) await exchange.advanceTo(Math.min(end, t + 6 * 3600000));
const ms = performance.now() - t0;
console.log(JSON.stringify({ sent: exchange.stats.eventsSent, ms }));
for (let i = 0; i < 1000 && exchange.stats.wsOpen > 0; i++) await new Promise((r) => setTimeout(r, 10));
await exchange.close();
`;
}

async function* lines(
  stream: ReadableStream<Uint8Array>,
): AsyncGenerator<string> {
  let rest = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    rest += chunk;
    for (let i = rest.indexOf("\n"); i >= 0; i = rest.indexOf("\n")) {
      yield rest.slice(0, i);
      rest = rest.slice(i + 1);
    }
  }
}

async function benchWebSocket(dir: string, days: number): Promise<number> {
  const config = new URL("../../deno.json", import.meta.url).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", "--config", config, exchangeScript(dir, days)],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const output = lines(child.stdout);
  const head = JSON.parse((await output.next()).value ?? "{}");
  let received = 0, closed = 0, parseMs = 0, first = 0, last = 0;
  const socket = new WebSocket(head.url);
  socket.onmessage = (message) => {
    const start = performance.now();
    if (received === 0) first = start;
    const event = parseKlineEvent(message.data as string);
    if (event.closed) closed++;
    received++;
    last = performance.now();
    parseMs += last - start;
  };
  const done = JSON.parse((await output.next()).value ?? "{}");
  const deadline = performance.now() + 10_000;
  while (received < done.sent && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  socket.close();
  for await (const _ of output) { /* drain until the child exits */ }
  await child.status;
  const wallMs = last - first;
  console.log(
    `(3) WebSocket: ${head.streams} streams, ${days} days of replay: ${received} of ${done.sent} events (${closed} closed) in ${
      wallMs.toFixed(0)
    } ms = ${rate(received, wallMs)} end to end (target >= ${
      EVENTS_TARGET.toLocaleString("en-US")
    }/s)`,
  );
  console.log(
    `    consumer: Deno WebSocket + parseKlineEvent (KlineStream not written yet), ${
      (parseMs / received * 1000).toFixed(2)
    } µs parse per event = ${
      rate(received, parseMs)
    } parse capacity; the exchange pushed for ${done.ms.toFixed(0)} ms`,
  );
  return received === done.sent ? 0 : 1;
}

/**
 * Runs the data benchmark.
 *
 * @param args `--data DIR`, `--rounds N` (load rounds, default 3), `--days N` (WebSocket replay
 *   span, default 42), `--skip-ws`.
 * @returns The exit code.
 */
export async function benchData(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      data: { type: "string" },
      rounds: { type: "string", default: "3" },
      days: { type: "string", default: "42" },
      "skip-ws": { type: "boolean", default: false },
    },
    strict: true,
  });
  const dir = (values.data ?? SHARED_DATA)?.replace(/\/+$/, "");
  if (dir === undefined) {
    console.error(
      "Cannot run the benchmark as ../shared/data/binance is absent: pass --data DIR",
    );
    return 2;
  }
  const rounds = Math.max(1, Number(values.rounds));
  const files = readdirSync(dir).filter((f) => FILE.test(f)).sort();
  const series = files.map((file) => {
    const [, symbol, timeframe] = FILE.exec(file)!;
    return { file: `${dir}/${file}`, symbol: symbol!, timeframe: timeframe! };
  });
  const root = Deno.makeTempDirSync({ prefix: "velas_bench_data_" });
  try {
    const store = new CandleStore(root);
    const start = performance.now();
    let candles = 0;
    for (const s of series) candles += importCsv(store, s.file).added;
    const importMs = performance.now() - start;
    console.log(
      `bench data: ${series.length} futures files in ${dir}, ${candles} candles`,
    );
    console.log(
      `(1) import CSV.gz -> Parquet store: ${importMs.toFixed(0)} ms = ${
        rate(candles, importMs)
      } candles`,
    );
    const parquetOhlcv = best(rounds, () => {
      for (const s of series) store.readCandles(s.symbol, s.timeframe);
    });
    const parquetAll = best(rounds, () => {
      for (const s of series) store.read(s.symbol, s.timeframe);
    });
    const csv = best(Math.min(rounds, 2), () => {
      for (const s of series) loadCandles(s.file, { timeframe: s.timeframe });
    });
    console.log(
      `(2) load all ${candles} candles, best of ${rounds}: Parquet OHLCV (readCandles) ${
        parquetOhlcv.toFixed(0)
      } ms (target < ${LOAD_TARGET_MS} ms: ${
        parquetOhlcv < LOAD_TARGET_MS ? "met" : "missed"
      }), Parquet all 10 columns (read) ${
        parquetAll.toFixed(0)
      } ms, CSV.gz (loadCandles) ${csv.toFixed(0)} ms = ${
        (csv / parquetOhlcv).toFixed(1)
      }x the Parquet OHLCV time`,
    );
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
  if (values["skip-ws"]) return 0;
  return await benchWebSocket(dir, Math.max(1, Number(values.days)));
}
