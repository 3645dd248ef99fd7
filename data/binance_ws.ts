/**
 * The Binance USDT-M kline WebSocket client: one ordered stream of closed candles per series,
 * each delivered exactly once, across disconnects, faults and restarts (DESIGN §2 Live data).
 *
 * Series are spread over combined-stream connections (`{wsUrl}/market/stream?streams=a/b/...`,
 * at most `streamsPerConnection`, 200 by default); each connection is a `StreamSlot`
 * (`kline_stream.ts`: connect, backoff, idle and planned reconnects, frames) and each series a
 * `SeriesFeed` (`stream_backfill.ts`: dedupe, order, REST backfill, late and stale watchdog).
 * Only `k.x === true` events count. Every wait (backoff, connection age, idle, late, stale) runs
 * on the injected `Clock`; only the connect timeout and `stop()`'s wait for close handshakes
 * are wall time. Tests drive the clock with a fake one wired to the replay exchange; since a
 * stream always has a wait pending, such a clock must be stepped, not auto-advanced.
 *
 * Resume point: `lastClosed` gives per series the open time of the last candle the consumer has;
 * every later closed candle is backfilled over REST before live ones. Without it a series starts
 * after the candle that had closed when `start()` ran, by `rest.now()` (so call
 * `rest.serverTime()` first, then that is server time).
 *
 * Decisions:
 * - A malformed frame is reported (`malformed`) and skipped; the connection stays up and the
 *   frame's series checks REST at once, so a lost closed candle is not late.
 * - A failed backfill (after the REST client's own retries) is reported (`backfill_failed`) and
 *   retried with the backoff until it succeeds or the stream stops; live candles of the series
 *   wait meanwhile, in order.
 * - `onCandle` is called synchronously, in order, one candle at a time; a returned promise is
 *   not awaited. A throw or rejection is reported as `handler_error` and the candle still counts
 *   as delivered: it is not offered again, so one bad candle cannot stall its series.
 * - A throwing `onStatus` is ignored (counted in `stats.listenerErrors`).
 *
 * @module
 */
import type { Clock } from "../core/clock.ts";
import { timeframeMs } from "../core/types.ts";
import { type Kline, klineStreamName } from "./binance_kline.ts";
import type { Backoff } from "./binance_weight.ts";
import {
  type ConnectionEvent,
  type ConnectionState,
  StreamSlot,
  type WebSocketConstructor,
} from "./kline_stream.ts";
import {
  type KlineSource,
  type KlineStreamStats,
  type MutableStreamStats,
  Semaphore,
  type SeriesEvent,
  SeriesFeed,
} from "./stream_backfill.ts";

export type {
  ConnectionEvent,
  ConnectionState,
  DisconnectReason,
  WebSocketConstructor,
} from "./kline_stream.ts";
export type {
  KlineSource,
  KlineStreamStats,
  SeriesEvent,
} from "./stream_backfill.ts";

/** Status events (plain data). */
export type KlineStreamEvent = ConnectionEvent | SeriesEvent;

/** Status of one series. */
export interface SeriesStatus {
  readonly key: string;
  readonly symbol: string;
  readonly timeframe: string;
  /** Open time of the last delivered candle (the resume point before any; null before start). */
  readonly lastOpenTime: number | null;
  readonly stale: boolean;
  readonly backfilling: boolean;
  readonly connection: ConnectionState;
}

/** A status snapshot. */
export interface KlineStreamStatus {
  readonly series: readonly SeriesStatus[];
  readonly connections: readonly {
    readonly id: number;
    readonly streams: number;
    readonly state: ConnectionState;
    /** Clock time the open connection opened (null when none is open). */
    readonly openedAt: number | null;
  }[];
}

/** Options of `KlineStream`. */
export interface KlineStreamOptions {
  /** Such as `wss://fstream.binance.com` (the path `/market/stream` is added). */
  readonly wsUrl: string;
  readonly series: readonly {
    readonly symbol: string;
    readonly timeframe: string;
  }[];
  /** REST client for backfill (`BinanceRestClient`). */
  readonly rest: KlineSource;
  readonly clock: Clock;
  /** Each closed candle, once, in open-time order per series. */
  readonly onCandle: (seriesKey: string, kline: Kline) => void | Promise<void>;
  /**
   * In-progress updates of the forming candles (`"x":false`), as they come, for tracking open
   * positions between closes; not backfilled, not ordered against `onCandle`. Omitted: counted
   * only (the fast path).
   */
  readonly onUpdate?: (seriesKey: string, kline: Kline) => void;
  readonly onStatus?: (event: KlineStreamEvent) => void;
  /** Resume points: `SYMBOL:tf` → open time of the last candle the consumer has. */
  readonly lastClosed?: ReadonlyMap<string, number>;
  /** At most 200 (default 200). */
  readonly streamsPerConnection?: number;
  /** Reconnect and backfill-retry backoff (default 1 s doubling, capped at 60 s). */
  readonly backoff?: Backoff;
  /** Random source in [0, 1) for jitter (default `Math.random`). */
  readonly random?: () => number;
  /** Planned reconnect after this long (default 23.5 h). */
  readonly maxConnectionAgeMs?: number;
  /** Replace a connection that received nothing this long (default 10 min; Infinity: never). */
  readonly idleTimeoutMs?: number;
  /** Stale after this many intervals without a closed candle (default 2). */
  readonly staleAfterIntervals?: number;
  /** Ask REST for a candle this long after its close when it has not come (default 60 s). */
  readonly lateAfterMs?: number;
  /** REST backfill requests in flight at once, over all series (default 4). */
  readonly backfillConcurrency?: number;
  /** Wall time a connection may take to open (default 10 000 ms). */
  readonly connectTimeoutMs?: number;
  /** Wall time `stop()` waits for each close handshake (default 5000 ms). */
  readonly closeWaitMs?: number;
  /** WebSocket constructor (default the built-in one). */
  readonly WebSocket?: WebSocketConstructor;
}

const SYMBOL = /^[A-Z0-9]{2,32}$/;
const MAX_STREAMS = 200;

function invalid(field: string, rule: string, value: unknown): never {
  throw new RangeError(
    `Cannot create kline stream as '${field}' must be ${rule}: current value is ${value}`,
  );
}

const DEFAULTS = {
  maxConnectionAgeMs: 23.5 * 3_600_000,
  idleTimeoutMs: 600_000,
  connectTimeoutMs: 10_000,
  closeWaitMs: 5000,
  lateAfterMs: 60_000,
  staleAfterIntervals: 2,
  backfillConcurrency: 4,
} as const;

function numbers(
  options: KlineStreamOptions,
): Record<keyof typeof DEFAULTS, number> {
  const entries = Object.entries(DEFAULTS).map(([field, fallback]) => {
    const value = options[field as keyof typeof DEFAULTS] ?? fallback;
    if (!(value > 0)) invalid(field, "a positive number", value);
    return [field, value];
  });
  return Object.fromEntries(entries);
}

function checkUrl(wsUrl: string): string {
  let url: URL | undefined;
  try {
    url = new URL(wsUrl);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== "ws:" && url?.protocol !== "wss:") {
    throw new TypeError(
      `Cannot create kline stream as 'wsUrl' must be a ws:// or wss:// URL: current value is '${wsUrl}'`,
    );
  }
  return wsUrl.replace(/\/+$/, "");
}

function checkSeries(
  options: KlineStreamOptions,
): { symbol: string; timeframe: string; tfMs: number }[] {
  if (options.series.length === 0) invalid("series", "a non-empty list", "[]");
  const seen = new Set<string>();
  return options.series.map(({ symbol, timeframe }) => {
    if (!SYMBOL.test(symbol)) {
      throw new TypeError(
        `Cannot create kline stream as 'symbol' must be 2 to 32 upper-case letters or digits: current value is '${symbol}'`,
      );
    }
    const tfMs = timeframeMs(timeframe);
    const key = `${symbol}:${timeframe}`;
    if (seen.has(key)) invalid("series", "unique", `'${key}' twice`);
    seen.add(key);
    const resume = options.lastClosed?.get(key);
    if (resume !== undefined && !Number.isInteger(resume)) {
      invalid(`lastClosed.${key}`, "an integer open time", resume);
    }
    return { symbol, timeframe, tfMs };
  });
}

/** Closed candles of many series from Binance's kline streams, in order, exactly once. */
export class KlineStream {
  readonly #stats: MutableStreamStats = {
    frames: 0,
    updates: 0,
    closedEvents: 0,
    duplicates: 0,
    malformed: 0,
    delivered: 0,
    backfilled: 0,
    backfillRequests: 0,
    connects: 0,
    disconnects: 0,
    handlerErrors: 0,
    listenerErrors: 0,
  };
  readonly #options: KlineStreamOptions;
  readonly #controller = new AbortController();
  readonly #feeds: SeriesFeed[] = [];
  readonly #slots: StreamSlot[] = [];
  readonly #tasks: Promise<void>[] = [];
  readonly #closeWaitMs: number;
  #started = false;
  #stopping: Promise<void> | undefined;

  /**
   * @param options See `KlineStreamOptions`.
   * @throws {TypeError} When the URL or a symbol is malformed.
   * @throws {RangeError} When a number, a timeframe or a resume point is invalid, or a series
   *   appears twice.
   */
  constructor(options: KlineStreamOptions) {
    this.#options = options;
    const wsUrl = checkUrl(options.wsUrl);
    const perSlot = options.streamsPerConnection ?? MAX_STREAMS;
    if (
      !(Number.isInteger(perSlot) && perSlot >= 1 && perSlot <= MAX_STREAMS)
    ) {
      invalid("streamsPerConnection", "an integer from 1 to 200", perSlot);
    }
    const backoff = options.backoff ?? { baseMs: 1000, capMs: 60_000 };
    if (!(backoff.baseMs > 0)) {
      invalid("backoff.baseMs", "a positive number", backoff.baseMs);
    }
    if (!(backoff.capMs >= backoff.baseMs)) {
      invalid("backoff.capMs", "at least baseMs", backoff.capMs);
    }
    const n = numbers(options);
    this.#closeWaitMs = n.closeWaitMs;
    const common = {
      clock: options.clock,
      signal: this.#controller.signal,
      backoff: { ...backoff, random: options.random ?? Math.random },
      report: (event: KlineStreamEvent) => this.#report(event),
      stats: this.#stats,
    };
    const feed = {
      ...common,
      source: options.rest,
      permits: new Semaphore(n.backfillConcurrency),
      lateAfterMs: n.lateAfterMs,
      deliver: (key: string, kline: Kline) => this.#deliver(key, kline),
    };
    for (const { symbol, timeframe, tfMs } of checkSeries(options)) {
      const staleAfterMs = n.staleAfterIntervals * tfMs;
      this.#feeds.push(
        new SeriesFeed({ ...feed, symbol, timeframe, tfMs, staleAfterMs }),
      );
    }
    const slot = {
      ...common,
      WebSocket: options.WebSocket ?? WebSocket,
      maxConnectionAgeMs: n.maxConnectionAgeMs,
      idleTimeoutMs: n.idleTimeoutMs,
      connectTimeoutMs: n.connectTimeoutMs,
      ...(options.onUpdate === undefined ? {} : { onUpdate: options.onUpdate }),
    };
    for (let i = 0; i < this.#feeds.length; i += perSlot) {
      const feeds = this.#feeds.slice(i, i + perSlot);
      const streams = feeds.map((f) => klineStreamName(f.symbol, f.timeframe));
      const url = `${wsUrl}/market/stream?streams=${streams.join("/")}`;
      this.#slots.push(
        new StreamSlot(
          { ...slot, id: this.#slots.length, url, feeds },
          streams,
        ),
      );
    }
  }

  /** Counters since construction. */
  get stats(): KlineStreamStats {
    return this.#stats;
  }

  /**
   * Connects every slot and starts the watchdog; live candles and backfill follow in the
   * background.
   *
   * @returns A promise that resolves once every connection's first attempt has settled.
   * @throws {TypeError} When called twice.
   */
  async start(): Promise<void> {
    if (this.#started) {
      throw new TypeError(
        "Cannot start kline stream as it must be started only once: current value is started",
      );
    }
    this.#started = true;
    const { clock, rest, lastClosed } = this.#options;
    const now = clock.now(), serverNow = rest.now();
    for (const feed of this.#feeds) {
      const tf = feed.tfMs;
      feed.begin(
        lastClosed?.get(feed.key) ?? Math.floor(serverNow / tf) * tf - tf,
        now,
      );
    }
    const attempts = this.#slots.map((slot) =>
      new Promise<void>((resolve) => this.#tasks.push(slot.run(resolve)))
    );
    this.#tasks.push(this.#watchdog());
    await Promise.all(attempts);
  }

  /**
   * Stops: closes every connection, cancels waits and requests.
   *
   * @returns A promise that resolves when everything has ended (close handshakes waited for at
   *   most `closeWaitMs` of wall time).
   */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  /**
   * A snapshot of every series and connection.
   *
   * @returns The status.
   */
  status(): KlineStreamStatus {
    const lastClosed = this.#options.lastClosed;
    return {
      series: this.#slots.flatMap((slot) =>
        slot.feeds.map((feed) => ({
          key: feed.key,
          symbol: feed.symbol,
          timeframe: feed.timeframe,
          lastOpenTime: this.#started
            ? feed.lastOpenTime
            : lastClosed?.get(feed.key) ?? null,
          stale: feed.stale,
          backfilling: feed.backfilling,
          connection: slot.state,
        }))
      ),
      connections: this.#slots.map((slot) => ({
        id: slot.id,
        streams: slot.feeds.length,
        state: slot.state,
        openedAt: Number.isNaN(slot.openedAt) ? null : slot.openedAt,
      })),
    };
  }

  async #stop(): Promise<void> {
    this.#controller.abort(
      new DOMException("The kline stream stopped", "AbortError"),
    );
    await Promise.all(this.#tasks);
    await Promise.all(this.#feeds.map((feed) => feed.settled));
    const closing = this.#slots.flatMap((slot) => slot.closing);
    if (closing.length === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.all(closing),
      new Promise((
        resolve,
      ) => (timer = setTimeout(resolve, this.#closeWaitMs))),
    ]);
    clearTimeout(timer);
  }

  async #watchdog(): Promise<void> {
    const { clock } = this.#options;
    const { signal } = this.#controller;
    try {
      while (!signal.aborted) {
        const now = clock.now();
        let due = Number.POSITIVE_INFINITY;
        for (const feed of this.#feeds) due = Math.min(due, feed.tick(now));
        await clock.sleep(due - now, signal);
      }
    } catch (error) {
      if (!signal.aborted) throw error;
    }
  }

  #deliver(key: string, kline: Kline): void {
    try {
      const result = this.#options.onCandle(key, kline);
      if (result instanceof Promise) {
        result.catch((error) => this.#handlerError(key, kline, error));
      }
    } catch (error) {
      this.#handlerError(key, kline, error);
    }
  }

  #handlerError(key: string, kline: Kline, error: unknown): void {
    this.#stats.handlerErrors++;
    this.#report({
      type: "handler_error",
      series: key,
      openTime: kline.openTime,
      error: String(error),
      at: this.#options.clock.now(),
    });
  }

  #report(event: KlineStreamEvent): void {
    try {
      this.#options.onStatus?.(event);
    } catch {
      this.#stats.listenerErrors++;
    }
  }
}
