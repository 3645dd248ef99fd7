/**
 * The `download` command: fetches Binance USDT-M futures candles into the Parquet store. It
 * reads the server time and the exchange info first (unknown and delisted symbols get a line
 * each, the others go on), plans per series the open times the store lacks
 * (`download_plan.ts`), then fetches the series in parallel (`--concurrency`, default 3) through
 * one REST client, which keeps the weight budget and honours 429/418. Pages are 1500 candles;
 * received candles are appended to the store (atomic rewrite, dedupe) whenever the buffer
 * reaches a quarter of the stored rows (at least one page) and at the end of each series, so an
 * interrupted download keeps what it wrote and a rerun continues from there. A progress bar
 * shows on a terminal; a table per series ends the run. Exit 0 only when every series succeeded.
 *
 * @module
 */
import type { Clock } from "../core/clock.ts";
import { timeframeMs } from "../core/types.ts";
import { findGaps } from "../core/gaps.ts";
import { renderTable } from "../web/terminal_table.ts";
import { type Kline, klineColumns } from "./binance_kline.ts";
import {
  BinanceRequestError,
  BinanceRestClient,
  type ExchangeInfo,
} from "./binance_rest.ts";
import { KLINES_MAX_LIMIT } from "./binance_weight.ts";
import { messageOf } from "./candle_gaps.ts";
import { CandleStore, type CandlesToStore } from "./candle_store.ts";
import { DOWNLOAD_USAGE, parseDownloadArgs } from "./download_args.ts";
import {
  checkSymbols,
  type DownloadWindow,
  downloadWindow,
  holesFilled,
  planSeries,
  type SeriesPlan,
} from "./download_plan.ts";
import { formatDuration, groupDigits, ProgressBar } from "./progress_bar.ts";
import { systemClock } from "./system_clock.ts";

/** The command's side channels. */
export interface DownloadCommandIo {
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  /** Wall clock (for the ETA and the run time), epoch ms. */
  readonly now: () => number;
  readonly cwd: string;
  /** Rewrites a status line (a terminal only); `""` clears it. */
  readonly progress?: (text: string) => void;
  /** Clock of the REST client's waits (default: the system clock). */
  readonly clock?: Clock;
  readonly fetch?: typeof fetch;
  /** REST base URL instead of the config's `binance.rest_url`. */
  readonly baseUrl?: string;
}

/** How one series ended. */
interface SeriesOutcome {
  readonly symbol: string;
  readonly timeframe: string;
  /** Short status for the table. */
  readonly status: string;
  readonly ok: boolean;
  /** Why it failed, in one line. */
  readonly error?: string;
  readonly rows?: number;
  readonly first?: number;
  readonly last?: number;
  readonly added?: number;
  readonly repaired?: number;
  readonly holes?: number;
}

type FetchPlan = Extract<SeriesPlan, { kind: "fetch" }>;

interface FetchContext {
  readonly client: BinanceRestClient;
  readonly store: CandleStore;
  readonly onCandles: (slots: number) => void;
}

function day(time: number | undefined): string {
  return time === undefined
    ? "-"
    : new Date(time).toISOString().slice(0, 16).replace("T", " ");
}

function toStore(klines: readonly Kline[]): CandlesToStore {
  const c = klineColumns(klines);
  return {
    openTime: c.openTime,
    open: c.open,
    high: c.high,
    low: c.low,
    close: c.close,
    volume: c.volume,
    quoteVolume: c.quoteVolume,
    trades: c.trades,
    takerBuyVolume: c.takerBuyBase,
    takerBuyQuoteVolume: c.takerBuyQuote,
  };
}

/** Fetches the planned ranges of one series page by page and appends them in chunks. */
async function fetchSeries(
  plan: FetchPlan,
  context: FetchContext,
): Promise<SeriesOutcome> {
  const { symbol, timeframe } = plan;
  const { client, store } = context;
  const step = timeframeMs(timeframe);
  let rows = plan.rows;
  let added = 0;
  let buffer: Kline[] = [];
  const flush = () => {
    if (buffer.length === 0) return;
    const result = store.append(symbol, timeframe, toStore(buffer));
    buffer = [];
    added += result.added;
    rows += result.added;
  };
  let failure: string | undefined;
  try {
    for (const range of plan.ranges) {
      for (let cursor = range.fromOpenTime; cursor <= range.toOpenTime;) {
        const limit = Math.min(
          KLINES_MAX_LIMIT,
          (range.toOpenTime - cursor) / step + 1,
        );
        const page = await client.klines({
          symbol,
          interval: timeframe,
          startTime: cursor,
          endTime: range.toOpenTime,
          limit,
        });
        let last = cursor - step;
        for (const kline of page) {
          if (kline.openTime > last && kline.openTime <= range.toOpenTime) {
            buffer.push(kline);
            last = kline.openTime;
          }
        }
        // A short page means the exchange has no more candles in the range.
        const next = page.length < limit
          ? range.toOpenTime + step
          : Math.max(last, cursor) + step;
        context.onCandles((next - cursor) / step);
        cursor = next;
        if (buffer.length >= Math.max(KLINES_MAX_LIMIT, rows / 4)) flush();
      }
    }
    flush();
  } catch (error) {
    failure = messageOf(error);
    try {
      flush();
    } catch {
      // The append itself failed; its error is the one reported.
    }
  }
  let times: Float64Array | undefined;
  try {
    times = store.openTimes(symbol, timeframe);
  } catch (error) {
    failure ??= messageOf(error);
  }
  return {
    symbol,
    timeframe,
    ok: failure === undefined,
    status: failure === undefined ? "ok" : "failed",
    ...(failure === undefined ? {} : { error: failure }),
    rows: times?.length ?? rows,
    ...(times?.length
      ? { first: times[0]!, last: times[times.length - 1]! }
      : {}),
    added,
    repaired: times ? holesFilled(plan.holes, times) : 0,
    holes: times ? findGaps(times, step).length : 0,
  };
}

/** Runs `work` over the items with at most `limit` at once; results keep the item order. */
async function pool<T, R>(
  items: readonly T[],
  options: { readonly limit: number; readonly work: (item: T) => Promise<R> },
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) {
      results[i] = await options.work(items[i]!);
    }
  };
  const workers = Math.max(1, Math.min(options.limit, items.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return results;
}

function outcomeRow(o: SeriesOutcome): string[] {
  const count = (n: number | undefined) =>
    n === undefined ? "-" : groupDigits(n);
  return [
    `${o.symbol} ${o.timeframe}`,
    count(o.rows),
    day(o.first),
    day(o.last),
    count(o.added),
    count(o.repaired),
    count(o.holes),
    o.status,
  ];
}

/**
 * Runs the `download` command.
 *
 * @param args Arguments after the command name.
 * @param io Output channels, wall clock, working directory; clock, fetch and base URL for tests.
 * @returns The exit code: 0 when every series succeeded, 1 otherwise.
 * @throws {TypeError|RangeError|ConfigError} For bad arguments, before anything is fetched or
 *   written (exit 2 in main).
 */
export async function runDownloadCommand(
  args: readonly string[],
  io: DownloadCommandIo,
): Promise<number> {
  const request = parseDownloadArgs(args, { cwd: io.cwd });
  if (request === "help") {
    io.stdout(DOWNLOAD_USAGE);
    return 0;
  }
  const store = new CandleStore(request.storeDir);
  const baseUrl = io.baseUrl ?? request.restUrl;
  const client = new BinanceRestClient({
    baseUrl,
    clock: io.clock ?? systemClock,
    ...(io.fetch === undefined ? {} : { fetch: io.fetch }),
  });
  const started = io.now();
  let window: DownloadWindow;
  let info: ExchangeInfo;
  try {
    window = downloadWindow(request, await client.serverTime());
    info = await client.exchangeInfo();
  } catch (error) {
    if (!(error instanceof BinanceRequestError)) throw error;
    io.stderr(
      `error: Cannot download as the exchange at ${baseUrl} did not answer: ${error.message}`,
    );
    return 1;
  }
  const { timeframes } = request;
  const { accepted, refused } = checkSymbols(request.symbols, info);
  for (const r of refused) io.stderr(`error: ${r.message}`);
  const plans = accepted.flatMap((symbol) =>
    timeframes.map((timeframe) =>
      planSeries(store, { symbol, timeframe, window })
    )
  );
  const fetchPlans: FetchPlan[] = [];
  for (const plan of plans) {
    if (plan.kind === "fetch") fetchPlans.push(plan);
    else io.stderr(`error: ${plan.symbol} ${plan.timeframe}: ${plan.message}`);
  }
  const total = fetchPlans.reduce((sum, p) => sum + p.missing, 0);
  const bar = io.progress === undefined ? undefined : new ProgressBar({
    total,
    unit: "candles",
    now: io.now,
    render: io.progress,
  });
  let finished = 0;
  const tail = () => `series ${finished}/${fetchPlans.length}`;
  const fetched = await pool(fetchPlans, {
    limit: request.concurrency,
    work: async (plan) => {
      const outcome = await fetchSeries(plan, {
        client,
        store,
        onCandles: (slots) => bar?.advance(slots, tail()),
      });
      finished++;
      bar?.advance(0, tail());
      if (!outcome.ok) {
        io.stderr(`error: ${plan.symbol} ${plan.timeframe}: ${outcome.error}`);
      }
      return outcome;
    },
  });
  bar?.finish();
  const byKey = new Map(fetched.map((o) => [`${o.symbol} ${o.timeframe}`, o]));
  const outcomes: SeriesOutcome[] = [
    ...plans.map((plan): SeriesOutcome =>
      plan.kind === "fetch"
        ? byKey.get(`${plan.symbol} ${plan.timeframe}`)!
        : { ...plan, ok: false, status: "unreadable store file" }
    ),
    ...refused.flatMap((r) =>
      timeframes.map((timeframe) => ({
        symbol: r.symbol,
        timeframe,
        ok: false,
        status: r.status,
      }))
    ),
  ];
  const table = renderTable(outcomes.map(outcomeRow), {
    header: [
      "series",
      "rows",
      "first",
      "last",
      "added",
      "repaired",
      "holes",
      "status",
    ],
    align: ["left", "right", "left", "left", "right", "right", "right"],
  });
  for (const line of table.trimEnd().split("\n")) io.stdout(line);
  const ok = outcomes.filter((o) => o.ok).length;
  const added = outcomes.reduce((sum, o) => sum + (o.added ?? 0), 0);
  io.stdout(
    `${ok} of ${outcomes.length} series ok, ${
      groupDigits(added)
    } candles added in ${
      formatDuration(io.now() - started)
    } into ${store.root}`,
  );
  return ok === outcomes.length ? 0 : 1;
}
