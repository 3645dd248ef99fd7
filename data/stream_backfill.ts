/**
 * One series of the kline stream (`data/binance_ws.ts`): turns live closed-candle events and REST
 * backfill into one stream of closed candles, each delivered exactly once, in open-time order.
 *
 * - A live candle at or before the last delivered one is a duplicate and is dropped.
 * - The next candle (last + one interval) is delivered at once. A later one means a hole: it is
 *   held and a backfill round fetches the hole over REST, delivers it in order, then the held
 *   candles. Live candles that arrive while a round runs are held the same way.
 * - A round asks REST for every candle after the last delivered one that has closed by the
 *   source's time (`now`), in pages of at most 1500 (the request limit is the number of candles
 *   that can have closed, so a small gap costs weight 1), and skips the request when none can
 *   have closed. Afterwards every existing candle closed by that time has been delivered, so a
 *   candle missing from REST does not exist (an exchange outage): a held candle after such a hole
 *   is delivered, never waited for forever.
 * - A failed round (after the REST client's own retries) is reported and retried with capped
 *   jittered backoff on the clock until it succeeds or the stream stops.
 * - Watchdog (`tick`): when the next candle is `lateAfterMs` past its close and has not come, a
 *   round checks REST (again every interval while nothing comes); with no closed candle for
 *   `staleAfterMs` after the last one closed (or after the start), the series is reported stale,
 *   and recovered with its next candle.
 *
 * @module
 */
import type { Clock } from "../core/clock.ts";
import type { Kline } from "./binance_kline.ts";
import type { BinanceRestClient } from "./binance_rest.ts";
import {
  type Backoff,
  backoffDelay,
  KLINES_MAX_LIMIT,
} from "./binance_weight.ts";

/** What the stream needs from the REST client. */
export type KlineSource = Pick<BinanceRestClient, "now" | "klines">;

/** Events of a series (plain data; `series` is `SYMBOL:tf`, `at` the clock's time). */
export type SeriesEvent =
  | {
    /** Candles delivered from REST: count, open times of the first and last. */
    readonly type: "backfilled";
    readonly series: string;
    readonly candles: number;
    readonly from: number;
    readonly to: number;
    readonly at: number;
  }
  | {
    /** A round failed after the REST client's retries; retried after `retryInMs`. */
    readonly type: "backfill_failed";
    readonly series: string;
    readonly error: string;
    readonly retryInMs: number;
    readonly at: number;
  }
  | {
    readonly type: "stale" | "recovered";
    readonly series: string;
    readonly lastOpenTime: number;
    readonly at: number;
  }
  | {
    /** `onCandle` threw or rejected; the candle still counts as delivered. */
    readonly type: "handler_error";
    readonly series: string;
    readonly openTime: number;
    readonly error: string;
    readonly at: number;
  };

/** Counters of a kline stream. */
export interface KlineStreamStats {
  /** Frames received. */
  readonly frames: number;
  /** In-progress events (`k.x` false), ignored. */
  readonly updates: number;
  /** Closed-candle events received (duplicates included). */
  readonly closedEvents: number;
  /** Closed candles dropped as already delivered or already held. */
  readonly duplicates: number;
  readonly malformed: number;
  /** Candles handed to `onCandle` (live and backfilled). */
  readonly delivered: number;
  /** Of those, candles that came from REST. */
  readonly backfilled: number;
  readonly backfillRequests: number;
  readonly connects: number;
  readonly disconnects: number;
  readonly handlerErrors: number;
  readonly listenerErrors: number;
}

/** Mutable counters, shared by the parts of a stream. */
export type MutableStreamStats = {
  -readonly [K in keyof KlineStreamStats]: KlineStreamStats[K];
};

/** Limits the REST requests in flight across series; waits can be aborted. */
export class Semaphore {
  #free: number;
  readonly #queue: (() => void)[] = [];

  constructor(permits: number) {
    this.#free = permits;
  }

  /**
   * Takes a permit, waiting for one when none is free.
   *
   * @param signal Aborting it rejects the wait with its reason.
   */
  async acquire(signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    if (this.#free > 0) return void this.#free--;
    await new Promise<void>((resolve, reject) => {
      const grant = () => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      };
      const onAbort = () => {
        this.#queue.splice(this.#queue.indexOf(grant), 1);
        reject(signal.reason);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.#queue.push(grant);
    });
  }

  /** Gives a permit back, to the longest waiter if any. */
  release(): void {
    const next = this.#queue.shift();
    if (next === undefined) this.#free++;
    else next();
  }
}

/** Options of `SeriesFeed`. */
export interface SeriesFeedOptions {
  readonly symbol: string;
  readonly timeframe: string;
  readonly tfMs: number;
  readonly source: KlineSource;
  readonly clock: Clock;
  /** Aborted when the stream stops. */
  readonly signal: AbortSignal;
  /** Shared by every series of the stream. */
  readonly permits: Semaphore;
  readonly backoff: Backoff & { readonly random: () => number };
  readonly lateAfterMs: number;
  readonly staleAfterMs: number;
  /** Hands a candle to the consumer (must not throw). */
  readonly deliver: (key: string, kline: Kline) => void;
  readonly report: (event: SeriesEvent) => void;
  readonly stats: MutableStreamStats;
}

/** Ordering, dedupe, backfill and staleness of one series. */
export class SeriesFeed {
  /** `SYMBOL:tf` */
  readonly key: string;
  readonly symbol: string;
  readonly timeframe: string;
  readonly tfMs: number;
  readonly #o: SeriesFeedOptions;
  #lastOpen = Number.NEGATIVE_INFINITY;
  /** Held live candles, ascending, unique open times. */
  #held: Kline[] = [];
  /** Every existing candle closed by this time has been delivered. */
  #coveredUntil = Number.NEGATIVE_INFINITY;
  /** REST must reach this time before the held candles can follow a hole. */
  #holeEnd = Number.NEGATIVE_INFINITY;
  #running = false;
  #again = false;
  #task: Promise<void> = Promise.resolve();
  #stale = false;
  #staleBase = Number.NEGATIVE_INFINITY;
  #checkAt = Number.POSITIVE_INFINITY;

  constructor(options: SeriesFeedOptions) {
    this.#o = options;
    this.symbol = options.symbol;
    this.timeframe = options.timeframe;
    this.tfMs = options.tfMs;
    this.key = `${options.symbol}:${options.timeframe}`;
  }

  /** Open time of the last delivered candle (the resume point before any). */
  get lastOpenTime(): number {
    return this.#lastOpen;
  }

  /** True while no closed candle has come for the stale span. */
  get stale(): boolean {
    return this.#stale;
  }

  /** True while a backfill round runs or waits. */
  get backfilling(): boolean {
    return this.#running;
  }

  /** The running backfill, if any (resolves when it ends). */
  get settled(): Promise<void> {
    return this.#task;
  }

  /**
   * Sets the resume point and starts the watchdog spans.
   *
   * @param lastOpen Open time of the last candle the consumer already has.
   * @param now The clock's time at the start.
   */
  begin(lastOpen: number, now: number): void {
    this.#lastOpen = lastOpen;
    this.#staleBase = now;
    this.#checkAt = lastOpen + 2 * this.tfMs + this.#o.lateAfterMs;
  }

  /**
   * Takes a closed candle from the live stream.
   *
   * @param kline The candle (`k.x` was true).
   */
  live(kline: Kline): void {
    const open = kline.openTime;
    if (open <= this.#lastOpen) {
      this.#o.stats.duplicates++;
    } else if (this.#running) {
      this.#hold(kline);
    } else if (
      open === this.#lastOpen + this.tfMs || open <= this.#coveredUntil
    ) {
      this.#deliver(kline);
    } else {
      this.#hold(kline);
      this.requestBackfill();
    }
  }

  /** Runs a backfill round now, or once more after the running one. */
  requestBackfill(): void {
    if (this.#o.signal.aborted) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = true;
    this.#task = this.#backfill();
  }

  /**
   * Watchdog step: a REST check when the next candle is late, the stale report when due.
   *
   * @param now The clock's time.
   * @returns When this series next needs a tick.
   */
  tick(now: number): number {
    const tf = this.tfMs;
    if (now >= this.#checkAt) {
      this.requestBackfill();
      this.#checkAt += Math.floor((now - this.#checkAt) / tf + 1) * tf;
    }
    const staleAt = Math.max(this.#lastOpen + tf, this.#staleBase) +
      this.#o.staleAfterMs;
    if (!this.#stale && now >= staleAt) {
      this.#stale = true;
      this.#o.report({
        type: "stale",
        series: this.key,
        lastOpenTime: this.#lastOpen,
        at: now,
      });
    }
    return this.#stale ? this.#checkAt : Math.min(this.#checkAt, staleAt);
  }

  #hold(kline: Kline): void {
    const held = this.#held;
    let i = held.length;
    while (i > 0 && held[i - 1]!.openTime > kline.openTime) i--;
    if (i > 0 && held[i - 1]!.openTime === kline.openTime) {
      this.#o.stats.duplicates++;
      return;
    }
    held.splice(i, 0, kline);
  }

  #deliver(kline: Kline): void {
    this.#lastOpen = kline.openTime;
    this.#checkAt = kline.openTime + 2 * this.tfMs + this.#o.lateAfterMs;
    this.#o.stats.delivered++;
    if (this.#stale) {
      this.#stale = false;
      this.#o.report({
        type: "recovered",
        series: this.key,
        lastOpenTime: kline.openTime,
        at: this.#o.clock.now(),
      });
    }
    this.#o.deliver(this.key, kline);
  }

  async #backfill(): Promise<void> {
    const { clock, signal, source } = this.#o;
    let failures = 0;
    try {
      do {
        this.#again = false;
        const wait = this.#holeEnd - source.now();
        if (wait > 0) await clock.sleep(wait, signal);
        try {
          await this.#round();
          failures = 0;
        } catch (error) {
          if (signal.aborted) return;
          const retryInMs = backoffDelay(failures++, this.#o.backoff);
          this.#o.report({
            type: "backfill_failed",
            series: this.key,
            error: String(error),
            retryInMs,
            at: clock.now(),
          });
          await clock.sleep(retryInMs, signal);
          this.#again = true;
          continue;
        }
        this.#drain();
      } while (this.#again && !signal.aborted);
    } catch (error) {
      if (!signal.aborted) throw error;
    } finally {
      this.#running = false;
    }
  }

  async #round(): Promise<void> {
    const { source, signal, stats, permits } = this.#o;
    const tf = this.tfMs;
    const now = source.now();
    let from = Number.NaN, count = 0;
    for (let next = this.#lastOpen + tf; next + tf <= now;) {
      const limit = Math.min(KLINES_MAX_LIMIT, Math.floor((now - next) / tf));
      await permits.acquire(signal);
      let rows: Kline[];
      try {
        stats.backfillRequests++;
        rows = await source.klines({
          symbol: this.symbol,
          interval: this.timeframe,
          startTime: next,
          limit,
          signal,
        });
      } finally {
        permits.release();
      }
      for (const kline of rows) {
        if (kline.openTime <= this.#lastOpen) continue;
        if (count++ === 0) from = kline.openTime;
        stats.backfilled++;
        this.#deliver(kline);
      }
      if (rows.length < limit) break;
      next = this.#lastOpen + tf;
    }
    this.#coveredUntil = Math.max(this.#coveredUntil, now);
    if (count > 0) {
      this.#o.report({
        type: "backfilled",
        series: this.key,
        candles: count,
        from,
        to: this.#lastOpen,
        at: this.#o.clock.now(),
      });
    }
  }

  #drain(): void {
    const held = this.#held;
    this.#holeEnd = Number.NEGATIVE_INFINITY;
    let i = 0;
    for (; i < held.length; i++) {
      const kline = held[i]!;
      if (kline.openTime <= this.#lastOpen) {
        this.#o.stats.duplicates++;
        continue;
      }
      if (
        kline.openTime !== this.#lastOpen + this.tfMs &&
        kline.openTime > this.#coveredUntil
      ) {
        this.#holeEnd = kline.openTime;
        this.#again = true;
        break;
      }
      this.#deliver(kline);
    }
    held.splice(0, i);
  }
}
