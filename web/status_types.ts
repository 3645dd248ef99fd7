/**
 * The contract between the running daemon and its status web app: the JSON shapes every
 * `/api/*` route returns, the Prometheus figures behind `/metrics`, the Server-Sent Events of
 * `/events`, and {@link StatusSource}, the read-only provider the routes call. The daemon
 * implements the source over its SQLite store and actors (`data/status_source.ts`); the status
 * thread's worker implements it over messages to the main thread
 * (`web/status_remote_source.ts`); route tests use a fake of the same interface
 * (`tests/fakes/fake_status_source.ts`). Every value is plain data that survives
 * `postMessage` (JSON-like, plus the `Uint8Array` of a report file): times are epoch ms UTC,
 * prices and money are numbers in quote currency (USDT), percentages are percent
 * (2.5 = 2.5 %).
 *
 * @module
 */
import type {
  DecisionRecord,
  FillRecord,
  TradeRecord,
} from "../core/backtest/records.ts";
import type { SignalRecord } from "../core/state_types.ts";
import type { Side } from "../core/types.ts";

/** Freshness of one series: its colour on the health strip. */
export type SeriesFreshness =
  /** The last closed candle is the latest one due (or the next is due less than a minute ago). */
  | "fresh"
  /** The next candle is overdue but the series is not yet stale. */
  | "late"
  /** No closed candle for the stale interval count (default 2 intervals). */
  | "stale"
  /** No candle yet since the start (connecting, backfilling). */
  | "waiting";

/** Health of one of the watched series (one cell of the health strip). */
export interface SeriesHealth {
  /** `SYMBOL:tf`, e.g. `BTCUSDT:1h`. */
  readonly key: string;
  readonly symbol: string;
  readonly timeframe: string;
  /** Close time of the last closed candle processed, null before the first. */
  readonly lastCloseTime: number | null;
  /**
   * `now` minus the close time of the first missing candle (the one after the last processed),
   * when it is more than a minute overdue; else 0.
   */
  readonly lagMs: number;
  readonly freshness: SeriesFreshness;
  /** State of the series' actor (worker): starting, running, restarting, degraded, stopped. */
  readonly actor: string;
  /** True while a REST backfill for the series runs. */
  readonly backfilling: boolean;
  /** Volatility regime of the last processed bar, null before one. */
  readonly regime: "low" | "normal" | "high" | null;
}

/** Use of one sector by open positions. */
export interface SectorUse {
  readonly sector: string;
  readonly open: number;
  readonly max: number;
}

/** `/api/status`. */
export interface StatusSnapshot {
  /** The daemon clock's time (replay time in a replay). */
  readonly now: number;
  readonly startedAt: number;
  readonly uptimeMs: number;
  /** `live` (Binance), `replay` (`--replay DIR`), `demo` (bundled candles). */
  readonly mode: "live" | "replay" | "demo";
  /** VELAS version (deno.json `version`, or `dev`). */
  readonly version: string;
  /** IANA zone in which the page shows times (config `display_timezone`). */
  readonly displayTimeZone: string;
  /** True when every series is `fresh`. */
  readonly healthy: boolean;
  readonly series: readonly SeriesHealth[];
  /** Every actor: the series actors, `portfolio`, `notifier`, `stream`. */
  readonly actors: readonly { readonly name: string; readonly state: string }[];
  readonly telegram: {
    readonly enabled: boolean;
    /** Outbox rows not yet sent. */
    readonly queued: number;
    /** Rows sent (stored `sent_at`), all time. */
    readonly sent: number;
    /** Rows given up (stored with an error and never sent), all time. */
    readonly failed: number;
    readonly lastError: string | null;
    readonly lastErrorAt: number | null;
  };
  readonly stream: {
    /** WebSocket connections with their state (`open`, `connecting`, `closed`, ...). */
    readonly connections: readonly {
      readonly id: number;
      readonly streams: number;
      readonly state: string;
      readonly openedAt: number | null;
    }[];
    readonly reconnects: number;
    /** Closed candles received since the start. */
    readonly candles: number;
  };
  readonly portfolio: {
    readonly equity: number;
    readonly initialEquity: number;
    /** Below the equity peak, percent (≥ 0). */
    readonly drawdownPct: number;
    readonly openPositions: number;
    readonly maxPositions: number;
    /** Total risk to the current stops, percent of equity. */
    readonly heatPct: number;
    readonly maxHeatPct: number;
    readonly sectors: readonly SectorUse[];
    /** True after `/pause` (no new positions). */
    readonly paused: boolean;
  };
  readonly counts: {
    readonly signals: number;
    readonly trades: number;
    readonly openPositions: number;
    readonly unsent: number;
    readonly candles: number;
  };
}

/** One move of a position's stop. */
export interface StopMove {
  readonly time: number;
  readonly stop: number;
  /** `entry` (initial stop), `breakeven`, `tp<k>` (moved to TP k), or `trailing`. */
  readonly reason: string;
}

/** `/api/positions`: an open position with its ladder and stop. */
export interface PositionView {
  /** The entry signal's id (`{SYMBOL}-{tf}-{openTimeMs}-{L|S}`). */
  readonly tradeId: string;
  readonly symbol: string;
  readonly timeframe: string;
  readonly side: Side;
  readonly sector: string;
  readonly regime: "low" | "normal" | "high";
  readonly entryTime: number;
  readonly entryPrice: number;
  /** Base quantity at entry. */
  readonly quantity: number;
  /** Entry notional, quote currency. */
  readonly notional: number;
  /** TP1…TP6 prices. */
  readonly tp: readonly number[];
  /** TPs filled, 0..6. */
  readonly tpFilled: number;
  readonly stop: number;
  readonly initialStop: number;
  /** Fraction of the quantity still open, 0..1. */
  readonly remaining: number;
  /** Last close (or in-progress price) of the series, null when unknown. */
  readonly lastPrice: number | null;
  /** Move from the entry to `lastPrice` in the position's favour, percent; null when unknown. */
  readonly unrealizedPct: number | null;
  /** Gross PnL of the exit fills so far, quote currency. */
  readonly realizedPnl: number;
  readonly stopHistory: readonly StopMove[];
  readonly fills: readonly FillRecord[];
}

/** A signal with the portfolio's decision on it (null while none is stored). */
export type SignalView = SignalRecord & {
  readonly decision: DecisionRecord | null;
};

/** A page of rows with the total matching the filters. */
export interface Page<T> {
  readonly total: number;
  readonly offset: number;
  readonly limit: number;
  readonly rows: readonly T[];
}

/** Filters of `/api/signals` (query parameters of the same names). */
export interface SignalQuery {
  /** 1..1000, default 50. */
  readonly limit: number;
  /** ≥ 0, default 0. */
  readonly offset: number;
  readonly symbol?: string;
  readonly timeframe?: string;
  readonly side?: Side;
  /** `accepted=true|false`. */
  readonly accepted?: boolean;
}

/** Filters of `/api/trades` (query parameters of the same names; `format=csv` exports). */
export interface TradeQuery {
  /** 1..1000, default 50 (CSV: every matching row, `limit`/`offset` ignored). */
  readonly limit: number;
  readonly offset: number;
  readonly symbol?: string;
  readonly timeframe?: string;
  readonly side?: Side;
  /** Exit reason, e.g. `tp6`, `stop`, `breakeven`. */
  readonly reason?: string;
  /** Exit time ≥ `from` (epoch ms or ISO date in the query). */
  readonly from?: number;
  /** Exit time < `to`. */
  readonly to?: number;
}

/** `/api/equity`. */
export interface EquityView {
  readonly initialEquity: number;
  /** One point per UTC day (the day's start), with the drawdown below the running peak. */
  readonly points: readonly {
    readonly time: number;
    readonly equity: number;
    readonly drawdownPct: number;
  }[];
}

/** `/api/presets`: one preset file (a series in one regime). */
export interface PresetView {
  readonly symbol: string;
  readonly timeframe: string;
  readonly regime: "low" | "normal" | "high";
  /** False when the optimizer's gates failed (the series trades its fallback). */
  readonly active: boolean;
  /** Index in the 60-preset grid, null for a user grid point. */
  readonly presetIndex: number | null;
  /** Indicator parameters (i1…i5 and the rest) as in the file. */
  readonly params: Readonly<Record<string, number | string | boolean>>;
  readonly hash: string;
  /** `optimization` section of the file (walk-forward, robustness, Monte Carlo), null when none. */
  readonly evidence: unknown;
  readonly notes: readonly string[];
}

/** `/api/pairs`: one series with its regime, preset in force and last candle. */
export interface PairView {
  readonly key: string;
  readonly symbol: string;
  readonly timeframe: string;
  readonly sector: string;
  readonly regime: "low" | "normal" | "high" | null;
  /** Hash of the preset the series trades now, null before the first bar. */
  readonly presetHash: string | null;
  /** The preset file in force for the current regime, null when none. */
  readonly preset: PresetView | null;
  readonly lastCandle: {
    readonly openTime: number;
    readonly open: number;
    readonly high: number;
    readonly low: number;
    readonly close: number;
    readonly volume: number;
  } | null;
  readonly freshness: SeriesFreshness;
}

/** `/api/analytics`: computed from the stored trades, equity and candles. */
export interface AnalyticsView {
  /** Compounded return per calendar month (UTC) of the daily equity, oldest first. */
  readonly monthly: readonly {
    /** `YYYY-MM`. */
    readonly month: string;
    readonly returnPct: number;
  }[];
  /** Closed trades per symbol, sorted by symbol. */
  readonly perPair: readonly {
    readonly symbol: string;
    readonly trades: number;
    /** Trades with PnL > 0, percent of trades. */
    readonly winRatePct: number;
    readonly pnlQuote: number;
    /** Gross profit / gross loss in quote currency; null when there is no loss. */
    readonly profitFactor: number | null;
  }[];
  /** Pearson correlation of daily close-to-close returns between the watched symbols. */
  readonly correlation: {
    readonly symbols: readonly string[];
    /** `matrix[i][j]`, 1 on the diagonal; null when fewer than 20 common days. */
    readonly matrix: readonly (readonly (number | null)[])[];
    /** Days of returns used (the common days of all symbols' stored candles). */
    readonly days: number;
  };
}

/** `/api/backtests`: one report found in the data directory. */
export interface BacktestEntry {
  /** Relative path under the data directory, e.g. `backtests/20261124-101500`. */
  readonly name: string;
  readonly kind: "backtest" | "optimize";
  /** Modification time of the report file. */
  readonly time: number;
  /** URL path that serves `report.html` in place, e.g. `/reports/backtests/20261124-101500/report.html`. */
  readonly url: string;
}

/** `/api/alerts`: one row of the notification history (the outbox). */
export interface AlertView {
  readonly id: number;
  readonly key: string;
  /** `signal`, `tp`, `stop`, `breakeven`, `close`, `refused`, `summary`, `alert`, `stale`, ... */
  readonly kind: string;
  readonly createdAt: number;
  /** `sending`: an attempt is out (or its answer was lost and it is checked before a resend). */
  readonly state: "sent" | "queued" | "sending" | "failed";
  readonly sentAt: number | null;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly messageId: number | null;
  /** The message text as sent (or as it would be sent). */
  readonly text: string;
}

/** `/api/system`. */
export interface SystemView {
  readonly actors: StatusSnapshot["actors"];
  readonly connections: StatusSnapshot["stream"]["connections"];
  /** Most recent first. */
  readonly events: readonly {
    readonly id: number;
    readonly time: number;
    readonly level: "info" | "warn" | "error";
    readonly kind: string;
    readonly message: string;
  }[];
  readonly memory: {
    readonly rssBytes: number;
    readonly heapUsedBytes: number;
  };
  /** Candle-to-commit latency of the last candles, ms. */
  readonly latency: {
    readonly samples: number;
    readonly p50Ms: number | null;
    readonly p99Ms: number | null;
  };
  readonly database: { readonly path: string; readonly sizeBytes: number };
}

/** Figures behind `/metrics` (the app renders the Prometheus text). */
export interface MetricsSnapshot {
  readonly candlesProcessed: number;
  readonly signals: number;
  readonly signalsAccepted: number;
  /** Refusals per portfolio rule. */
  readonly refusalsByRule: Readonly<Record<string, number>>;
  readonly openPositions: number;
  readonly heatPct: number;
  readonly equity: number;
  readonly telegram: {
    readonly sent: number;
    readonly failed: number;
    readonly queued: number;
  };
  readonly wsReconnects: number;
  readonly staleSeries: number;
  readonly uptimeSeconds: number;
  /** Candle-to-commit latency histogram, seconds. */
  readonly latency: {
    /** Upper bounds, ascending, without +Inf. */
    readonly buckets: readonly number[];
    /** Cumulative counts per bucket (same length as `buckets`). */
    readonly counts: readonly number[];
    readonly sum: number;
    readonly count: number;
  };
}

/**
 * A push on `/events` (SSE `event:` name = `type`, `data:` = the JSON of the event). Before
 * any of these, each stream starts with one `hello` event whose data is the
 * {@link StatusSnapshot} at connection time (it is not a member of this union: the source
 * never emits it).
 */
export type StatusEvent =
  | { readonly type: "signal"; readonly signal: SignalView }
  | {
    readonly type: "fill";
    readonly fill: FillRecord;
    readonly symbol: string;
    readonly timeframe: string;
  }
  | { readonly type: "trade"; readonly trade: TradeRecord }
  | { readonly type: "health"; readonly series: readonly SeriesHealth[] }
  | { readonly type: "alert"; readonly alert: AlertView }
  | {
    /**
     * The open positions after steps that moved them (a new mark, a fill, a stop moved, an
     * open or a close); at most one every half second, the last one always sent.
     */
    readonly type: "positions";
    readonly positions: readonly PositionView[];
  }
  | {
    /** The status after steps (equity, heat, counts, health); at most one a second, the last one always sent. */
    readonly type: "status";
    readonly status: StatusSnapshot;
  };

/** A value, or a promise of it: what a {@link StatusSource} method may return. */
export type Awaitable<T> = T | Promise<T>;

/** A file of a backtest or optimizer report, as {@link StatusSource.backtestFile} returns it. */
export interface ReportFile {
  readonly body: Uint8Array<ArrayBuffer>;
  /** The `Content-Type`, e.g. `text/html; charset=utf-8`. */
  readonly type: string;
}

/**
 * The read-only provider behind every route. Each call returns a fresh snapshot, either
 * directly or as a promise (the routes await every call): the daemon's source answers
 * synchronously on the main thread, the status thread's worker asks the main thread and waits.
 * A rejected promise is handled like a throw (a generic 500).
 *
 * A method may return the very same object again only while its content is unchanged: the app
 * caches the serialised `/api/status`, `/health` and `/metrics` bodies by object identity.
 */
export interface StatusSource {
  status(): Awaitable<StatusSnapshot>;
  positions(): Awaitable<PositionView[]>;
  signals(query: SignalQuery): Awaitable<Page<SignalView>>;
  trades(query: TradeQuery): Awaitable<Page<TradeRecord>>;
  /** Every trade matching the filters (for the CSV export), newest first. */
  allTrades(
    query: Omit<TradeQuery, "limit" | "offset">,
  ): Awaitable<TradeRecord[]>;
  fills(tradeId: string): Awaitable<FillRecord[]>;
  equity(): Awaitable<EquityView>;
  presets(): Awaitable<PresetView[]>;
  pairs(): Awaitable<PairView[]>;
  analytics(): Awaitable<AnalyticsView>;
  backtests(): Awaitable<BacktestEntry[]>;
  /**
   * A file of a listed report (`name` from {@link BacktestEntry}, `file` such as `report.html`),
   * undefined when there is none; never a path outside the report's directory.
   */
  backtestFile(
    name: string,
    file: string,
  ): Awaitable<ReportFile | undefined>;
  /** The resolved configuration with every secret masked. */
  config(): Awaitable<unknown>;
  alerts(
    query: { readonly limit: number; readonly offset: number },
  ): Awaitable<Page<AlertView>>;
  system(): Awaitable<SystemView>;
  metrics(): Awaitable<MetricsSnapshot>;
  /**
   * Calls `listener` with every new event until the returned function is called. Synchronous,
   * and the only method that is: a stream subscribes before it reads its `hello` snapshot so
   * it misses no event.
   */
  subscribe(listener: (event: StatusEvent) => void): () => void;
}
