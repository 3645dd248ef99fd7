/**
 * A hand-written fake {@link StatusSource} with deterministic, realistic data (see
 * `fake_status_data.ts` and `fake_status_views.ts`): seven series of which XRPUSDT:1h is stale,
 * two open positions, 36 signals, 48 trades from July to November 2026, daily equity, 21
 * presets, pairs, analytics, two backtest reports, twelve alerts and system events.
 *
 * For tests it also records every call with its arguments (`calls`), lets a method throw
 * (`throwOn`), changes a series' freshness (`setFreshness`), and emits events to the
 * subscribers (`push`, which first applies the event to the data as the daemon would;
 * `subscriberCount` shows who still listens). The route tests of the status app and the
 * browser tests of the page use it.
 *
 * @module
 */
import type { FillRecord, TradeRecord } from "../../core/backtest/records.ts";
import type {
  AlertView,
  AnalyticsView,
  BacktestEntry,
  EquityView,
  MetricsSnapshot,
  Page,
  PairView,
  PositionView,
  PresetView,
  ReportFile,
  SeriesFreshness,
  SeriesHealth,
  SignalQuery,
  SignalView,
  StatusEvent,
  StatusSnapshot,
  StatusSource,
  SystemView,
  TradeQuery,
} from "../../web/status_types.ts";
import {
  FAKE_INITIAL_EQUITY,
  FAKE_NOW,
  FAKE_STARTED_AT,
  fakeEquity,
  fakePositions,
  fakeSeriesHealth,
  fakeSignals,
  fakeTradeFills,
  fakeTrades,
} from "./fake_status_data.ts";
import {
  fakeActors,
  fakeAlerts,
  fakeAnalytics,
  fakeBacktests,
  fakeConfig,
  fakeConnections,
  fakeMetrics,
  fakePairs,
  fakePresets,
  fakeReportFiles,
  fakeSystem,
} from "./fake_status_views.ts";

export {
  FAKE_INITIAL_EQUITY,
  FAKE_NOW,
  FAKE_STALE_KEY,
  FAKE_STARTED_AT,
} from "./fake_status_data.ts";

/** A method of the source that {@link FakeStatusSource.throwOn} can break. */
export type StatusSourceMethod = Exclude<keyof StatusSource, "subscribe">;

/** One recorded call. */
export interface StatusSourceCall {
  readonly method: keyof StatusSource;
  readonly args: readonly unknown[];
}

function page<T>(
  rows: readonly T[],
  query: { limit: number; offset: number },
): Page<T> {
  return {
    total: rows.length,
    offset: query.offset,
    limit: query.limit,
    rows: rows.slice(query.offset, query.offset + query.limit),
  };
}

/** Puts `row` first in `rows`, dropping a row with the same id. */
function newest<T>(rows: T[], row: T, id: (row: T) => unknown): void {
  const at = rows.findIndex((r) => id(r) === id(row));
  if (at >= 0) rows.splice(at, 1);
  rows.unshift(structuredClone(row));
}

/** The fake source; every view is built once in the constructor and copied on each call. */
export class FakeStatusSource implements StatusSource {
  /** Every call, in order (`subscribe` included, without its listener). */
  readonly calls: StatusSourceCall[] = [];
  /** The rows behind the views; tests may read them to compare with responses. */
  readonly data: {
    readonly series: SeriesHealth[];
    readonly positions: PositionView[];
    readonly signals: SignalView[];
    readonly trades: TradeRecord[];
    readonly equity: EquityView;
    readonly presets: readonly PresetView[];
    readonly alerts: AlertView[];
    readonly backtests: readonly BacktestEntry[];
  };
  readonly #reports: Map<string, string>;
  readonly #listeners = new Set<(event: StatusEvent) => void>();
  readonly #faults = new Map<StatusSourceMethod, Error>();

  constructor() {
    const trades = fakeTrades();
    const signals = fakeSignals();
    const equity = fakeEquity(trades);
    this.data = {
      series: fakeSeriesHealth(),
      positions: fakePositions(),
      signals,
      trades,
      equity,
      presets: fakePresets(),
      alerts: fakeAlerts(signals),
      backtests: fakeBacktests(),
    };
    this.#reports = fakeReportFiles(trades, equity);
  }

  /** Listeners subscribed and not yet unsubscribed. */
  get subscriberCount(): number {
    return this.#listeners.size;
  }

  /** Makes every later call of `method` throw `error` (until {@link clearFaults}). */
  throwOn(method: StatusSourceMethod, error: Error): void {
    this.#faults.set(method, error);
  }

  /** Removes every fault set by {@link throwOn}. */
  clearFaults(): void {
    this.#faults.clear();
  }

  /** Sets one series' freshness (`healthy` is true once every series is fresh). */
  setFreshness(key: string, freshness: SeriesFreshness): void {
    const i = this.data.series.findIndex((s) => s.key === key);
    if (i < 0) {
      throw new RangeError(
        `Cannot set the freshness as 'key' must be a series of the fake: current value is ${key}`,
      );
    }
    this.data.series[i] = { ...this.data.series[i]!, freshness };
  }

  /**
   * Applies an event to the fake's data as the daemon would (a `health` event replaces the
   * series' health; a `signal`, `trade` or `alert` becomes the newest row, replacing one with
   * the same id; a `fill` changes nothing), then sends it to every subscriber, synchronously.
   * So a page that re-reads a route after an event sees the same state the event carried.
   */
  push(event: StatusEvent): void {
    this.#apply(event);
    for (const listener of [...this.#listeners]) listener(event);
  }

  #apply(event: StatusEvent): void {
    const { data } = this;
    switch (event.type) {
      case "health":
        data.series.splice(
          0,
          data.series.length,
          ...structuredClone(event.series),
        );
        return;
      case "signal":
        return newest(data.signals, event.signal, (s) => s.id);
      case "trade":
        return newest(data.trades, event.trade, (t) => t.id);
      case "alert":
        return newest(data.alerts, event.alert, (a) => a.id);
      case "fill":
        return;
      case "status":
        return;
      case "positions":
        data.positions.splice(
          0,
          data.positions.length,
          ...structuredClone(event.positions),
        );
        return;
      default: {
        const never: never = event;
        throw new TypeError(
          `Cannot push the event as 'type' must be a StatusEvent type: current value is ${
            JSON.stringify(never)
          }`,
        );
      }
    }
  }

  #call(method: StatusSourceMethod, args: readonly unknown[] = []): void {
    this.calls.push({ method, args: structuredClone(args) });
    const fault = this.#faults.get(method);
    if (fault !== undefined) throw fault;
  }

  status(): StatusSnapshot {
    this.#call("status");
    const series = structuredClone(this.data.series);
    const last = this.data.equity.points.at(-1);
    return {
      now: FAKE_NOW,
      startedAt: FAKE_STARTED_AT,
      uptimeMs: FAKE_NOW - FAKE_STARTED_AT,
      mode: "demo",
      version: "dev",
      displayTimeZone: "Europe/Berlin",
      healthy: series.every((s) => s.freshness === "fresh"),
      series,
      actors: fakeActors(),
      telegram: {
        enabled: true,
        queued: 2,
        sent: 187,
        failed: 1,
        lastError: "Bad Request: chat not found",
        lastErrorAt: FAKE_NOW - 5 * 47 * 60_000,
      },
      stream: {
        connections: fakeConnections(),
        reconnects: 3,
        candles: 18_432,
      },
      portfolio: {
        equity: last?.equity ?? FAKE_INITIAL_EQUITY,
        initialEquity: FAKE_INITIAL_EQUITY,
        drawdownPct: last?.drawdownPct ?? 0,
        openPositions: this.data.positions.length,
        maxPositions: 5,
        heatPct: 2.75,
        maxHeatPct: 6,
        sectors: [
          { sector: "BTC", open: 1, max: 2 },
          { sector: "ETH", open: 1, max: 2 },
        ],
        paused: false,
      },
      counts: {
        signals: this.data.signals.length,
        trades: this.data.trades.length,
        openPositions: this.data.positions.length,
        unsent: 2,
        candles: 18_432,
      },
    };
  }

  positions(): PositionView[] {
    this.#call("positions");
    return structuredClone([...this.data.positions]);
  }

  signals(query: SignalQuery): Page<SignalView> {
    this.#call("signals", [query]);
    const rows = this.data.signals.filter((s) =>
      (query.symbol === undefined || s.symbol === query.symbol) &&
      (query.timeframe === undefined || s.timeframe === query.timeframe) &&
      (query.side === undefined || s.side === query.side) &&
      (query.accepted === undefined || s.decision?.accepted === query.accepted)
    );
    return structuredClone(page(rows, query));
  }

  #matchingTrades(query: Omit<TradeQuery, "limit" | "offset">): TradeRecord[] {
    return this.data.trades.filter((t) =>
      (query.symbol === undefined || t.symbol === query.symbol) &&
      (query.timeframe === undefined || t.timeframe === query.timeframe) &&
      (query.side === undefined || t.side === query.side) &&
      (query.reason === undefined || t.exitReason === query.reason) &&
      (query.from === undefined || t.exitTime >= query.from) &&
      (query.to === undefined || t.exitTime < query.to)
    );
  }

  trades(query: TradeQuery): Page<TradeRecord> {
    this.#call("trades", [query]);
    return structuredClone(page(this.#matchingTrades(query), query));
  }

  allTrades(query: Omit<TradeQuery, "limit" | "offset">): TradeRecord[] {
    this.#call("allTrades", [query]);
    return structuredClone(this.#matchingTrades(query));
  }

  fills(tradeId: string): FillRecord[] {
    this.#call("fills", [tradeId]);
    const open = this.data.positions.find((p) => p.tradeId === tradeId);
    if (open !== undefined) return structuredClone([...open.fills]);
    const trade = this.data.trades.find((t) => t.id === tradeId);
    return trade === undefined ? [] : fakeTradeFills(trade);
  }

  equity(): EquityView {
    this.#call("equity");
    return structuredClone(this.data.equity);
  }

  presets(): PresetView[] {
    this.#call("presets");
    return structuredClone([...this.data.presets]);
  }

  pairs(): PairView[] {
    this.#call("pairs");
    const pairs = fakePairs(this.data.presets);
    return pairs.map((p) => ({
      ...p,
      freshness: this.data.series.find((s) => s.key === p.key)?.freshness ??
        p.freshness,
    }));
  }

  analytics(): AnalyticsView {
    this.#call("analytics");
    return fakeAnalytics(this.data.trades, this.data.equity);
  }

  backtests(): BacktestEntry[] {
    this.#call("backtests");
    return structuredClone([...this.data.backtests]);
  }

  backtestFile(
    name: string,
    file: string,
  ): ReportFile | undefined {
    this.#call("backtestFile", [name, file]);
    const html = this.#reports.get(`${name}/${file}`);
    if (html === undefined) return undefined;
    return {
      body: new TextEncoder().encode(html),
      type: "text/html; charset=utf-8",
    };
  }

  config(): unknown {
    this.#call("config");
    return fakeConfig();
  }

  alerts(
    query: { readonly limit: number; readonly offset: number },
  ): Page<AlertView> {
    this.#call("alerts", [query]);
    return structuredClone(page(this.data.alerts, query));
  }

  system(): SystemView {
    this.#call("system");
    return fakeSystem();
  }

  metrics(): MetricsSnapshot {
    this.#call("metrics");
    return fakeMetrics(this.data.signals);
  }

  subscribe(listener: (event: StatusEvent) => void): () => void {
    this.calls.push({ method: "subscribe", args: [] });
    const own = (event: StatusEvent) => listener(event);
    this.#listeners.add(own);
    return () => {
      this.#listeners.delete(own);
    };
  }
}
