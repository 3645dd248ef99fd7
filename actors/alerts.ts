/**
 * Messages the daemon sends on its own, outside a trading step (issue 8 item 5, item 1 alerts):
 * the daily summary at a configured local hour, and system and stale-series alerts. Both only
 * add outbox rows (`StateStore.enqueueOutbox`, insert-or-ignore by key) and wake the notifier,
 * so delivery keeps the outbox's exactly-once guarantee:
 * - the summary's key is `daily:<date>`: checking every minute and once at every start enqueues
 *   each day once, across restarts, and a restart after the hour still sends it;
 * - an alert's key is `alert:<kind>:<series>:<bucket>` with the time bucket of `now`, so the same
 *   alert repeated within a bucket (default 1 h), or replayed after a restart, is sent once.
 *
 * The day's PnL and equity are realized: the initial balance plus the net PnL (fees and funding
 * included) of the trades closed before the day, then of those closed in it. The stored equity
 * points are per UTC day and marked to market, so they cannot bound a day of another time zone.
 *
 * @module
 */
import type { Clock } from "../core/clock.ts";
import {
  dailySummaryInput,
  dueSummaryDay,
  type SummaryDay,
} from "../core/daily_summary.ts";
import type {
  OpenPositionLine,
  StaleAlertInput,
  SystemAlertInput,
} from "../core/telegram_format.ts";
import { movePct } from "../core/ladder.ts";
import type { PositionRow } from "../core/state_types.ts";
import { timeframeMs } from "../core/types.ts";
import type { StateStore } from "../data/state_store.ts";

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/** One structured log line. */
export interface AlertsLogLine {
  readonly level: "debug" | "info" | "warn" | "error";
  readonly msg: string;
  readonly [field: string]: unknown;
}

/** Options of {@link DailySummaryScheduler}. */
export interface DailySummarySchedulerOptions {
  readonly store: Pick<
    StateStore,
    "signals" | "trades" | "openPositions" | "candles" | "enqueueOutbox"
  >;
  /** The daemon's clock (the minute timer of {@link DailySummaryScheduler.run}). */
  readonly clock: Clock;
  /** Local hour of the summary, 0..23 (0: the midnight ending the day). */
  readonly hour: number;
  /** IANA time zone of the summary's days. */
  readonly timeZone: string;
  /** The portfolio's initial balance, quote currency. */
  readonly initialEquity: number;
  /** Called after a new row was enqueued (the notifier's `wake`). */
  readonly wake?: () => void;
  readonly log?: (line: AlertsLogLine) => void;
}

/** Enqueues the daily summary once per local day. */
export class DailySummaryScheduler {
  readonly #o: DailySummarySchedulerOptions;
  /** The last date whose row is known to be stored (skips rebuilding it every minute). */
  #stored: string | undefined;

  /**
   * @param options Store, clock, hour, time zone, initial equity and the notifier's wake.
   * @throws {RangeError} When the hour or the time zone is invalid.
   */
  constructor(options: DailySummarySchedulerOptions) {
    dueSummaryDay(0, options); // fail fast on a bad hour or time zone
    this.#o = options;
  }

  /**
   * Enqueues the summary of the day due at `now` unless its row is already stored.
   *
   * @param now Epoch ms.
   * @returns The summary's date when a new row was enqueued, else undefined.
   */
  check(now: number): string | undefined {
    const day = dueSummaryDay(now, this.#o);
    if (day === undefined || day.date === this.#stored) return undefined;
    const payload = this.#input(day);
    const added = this.#o.store.enqueueOutbox([{
      key: `daily:${day.date}`,
      kind: "daily",
      payload,
      createdAt: now,
    }]);
    this.#stored = day.date;
    if (added === 0) return undefined;
    this.#o.log?.({ level: "info", msg: "daily summary", date: day.date });
    this.#o.wake?.();
    return day.date;
  }

  /**
   * Checks now and then every minute of the clock until `signal` aborts; a failed check is
   * logged and retried at the next minute.
   *
   * @param signal Stops the loop.
   */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        this.check(this.#o.clock.now());
      } catch (error) {
        this.#o.log?.({
          level: "error",
          msg: "daily summary failed",
          error: error instanceof Error ? error.message : String(error),
        });
      }
      try {
        await this.#o.clock.sleep(MINUTE_MS, signal);
      } catch {
        return;
      }
    }
  }

  #input(day: SummaryDay) {
    const { store, initialEquity } = this.#o;
    let before = 0;
    const trades = [];
    for (const t of store.trades()) {
      if (t.exitTime < day.dayStart) before += t.pnlQuote;
      else if (t.exitTime < day.dayEnd) trades.push(t);
    }
    const equityStart = initialEquity + before;
    return dailySummaryInput({
      ...day,
      signals: store.signals({ sinceTime: day.dayStart }),
      trades,
      equityStart,
      equityEnd: equityStart + trades.reduce((s, t) => s + t.pnlQuote, 0),
      openPositions: store.openPositions().map((p) => this.#line(p)),
    });
  }

  #line(p: PositionRow): OpenPositionLine {
    // The stored state is the portfolio's open trade: `{ id, position: { entryPrice, ... } }`.
    const trade = p.state as { position?: Record<string, unknown> } | null;
    const state = trade?.position ?? {};
    const entry = [state["entryPrice"], state["referencePrice"]].find((
      v,
    ): v is number => typeof v === "number" && Number.isFinite(v) && v > 0);
    const line = {
      symbol: p.symbol,
      side: p.side,
      timeframe: p.timeframe,
      entryPrice: entry ?? NaN,
    };
    const last = this.#o.store.candles(p.symbol, p.timeframe, { limit: 1 })[0];
    if (entry === undefined || last === undefined) return line;
    return { ...line, unrealizedPct: movePct(p.side, last.close, entry) };
  }
}

/** An alert to send. */
export type AlertEvent =
  | {
    /** A series actor gave up after its restarts. */
    readonly kind: "degraded";
    /** `SYMBOL:tf`. */
    readonly series: string;
    readonly message: string;
  }
  | {
    /** No closed candle for the stale interval count, or candles again. */
    readonly kind: "stale" | "recovered";
    /** `SYMBOL:tf`. */
    readonly series: string;
    /** Open time of the last delivered candle (non-finite when none). */
    readonly lastOpenTime: number;
  };

/** Options of {@link Alerts}. */
export interface AlertsOptions {
  readonly store: Pick<StateStore, "enqueueOutbox">;
  /** Called after a new row was enqueued (the notifier's `wake`). */
  readonly wake?: () => void;
  /** Repeats of one alert within a bucket of this length collapse (default 1 h). */
  readonly bucketMs?: number;
}

/**
 * Enqueues system and stale-series alerts: one per series and outage (stale, recovered) or per
 * series and time bucket (degraded, and stale series that never had a candle).
 */
export class Alerts {
  readonly #o: AlertsOptions;
  readonly #bucketMs: number;

  /**
   * @param options Store, the notifier's wake and the bucket length.
   * @throws {RangeError} When `bucketMs` is not a positive integer.
   */
  constructor(options: AlertsOptions) {
    const bucketMs = options.bucketMs ?? HOUR_MS;
    if (!(Number.isSafeInteger(bucketMs) && bucketMs > 0)) {
      throw new RangeError(
        `Cannot create the alerts as 'bucketMs' must be a positive integer: current value is ${bucketMs}`,
      );
    }
    this.#o = options;
    this.#bucketMs = bucketMs;
  }

  /**
   * Enqueues an alert: `degraded` as a system alert (row kind `alert`), `stale` and
   * `recovered` as a stale-series message (row kind `stale`).
   *
   * @param event The alert.
   * @param now Epoch ms.
   * @returns True when a new row was enqueued, false when it collapsed into a stored one.
   */
  alert(event: AlertEvent, now: number): boolean {
    const key = `alert:${event.kind}:${event.series}:${this.#slot(event, now)}`;
    const item = event.kind === "degraded"
      ? {
        key,
        kind: "alert",
        payload: {
          level: "error",
          message: `${event.series} degraded: ${event.message}`,
        } satisfies SystemAlertInput,
        createdAt: now,
      }
      : { key, kind: "stale", payload: staleOf(event, now), createdAt: now };
    const added = this.#o.store.enqueueOutbox([item]) > 0;
    if (added) this.#o.wake?.();
    return added;
  }

  /**
   * The key part that makes repeats collapse: a stale or recovered series by its outage (the
   * last candle before it, so a restart during the same outage or a late watchdog tick adds
   * nothing), anything else by time bucket.
   */
  #slot(event: AlertEvent, now: number): string {
    if (event.kind !== "degraded" && Number.isFinite(event.lastOpenTime)) {
      return `c${event.lastOpenTime}`;
    }
    return `${Math.floor(now / this.#bucketMs)}`;
  }
}

function staleOf(
  event: Extract<AlertEvent, { kind: "stale" | "recovered" }>,
  now: number,
): StaleAlertInput {
  const cut = event.series.lastIndexOf(":");
  const symbol = event.series.slice(0, cut);
  const timeframe = event.series.slice(cut + 1);
  const tf = timeframeMs(timeframe);
  const lastCloseTime = Number.isFinite(event.lastOpenTime)
    ? event.lastOpenTime + tf
    : null;
  return {
    symbol,
    timeframe,
    intervals: lastCloseTime === null
      ? 0
      : Math.max(0, Math.floor((now - lastCloseTime) / tf)),
    lastCloseTime,
    ...(event.kind === "recovered" ? { resumed: true } : {}),
  };
}
