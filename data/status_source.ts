/**
 * The running daemon as a {@link StatusSource}: every figure of the status page comes from the
 * daemon's actors (series freshness, actor states, stream connections, the portfolio's equity
 * and heat, latency) and its SQLite store (signals, decisions, trades, fills, equity, outbox,
 * events), read when a route asks. The status snapshot is kept for `cacheMs` of wall time or
 * until the next committed step, so fifty clients polling cost one read. Live events for `/events`
 * come from the daemon's observer: each committed step's signals, fills, trades and outbox rows;
 * after steps, the open positions (at most every 0.5 s) and the status (at most every second),
 * the last state always sent; and a `health` event when a series' freshness changes without a
 * step (checked at each stream event and every few seconds of the daemon's clock).
 *
 * @module
 */
import { statSync } from "node:fs";
import type { Daemon, DaemonEvent } from "../actors/daemon.ts";
import type { Clock } from "../core/clock.ts";
import type { Config } from "../core/config.ts";
import type { StepCommit } from "../core/state_types.ts";
import { portfolioHeatPercent } from "../core/portfolio.ts";
import { analyticsView, equityView } from "../core/status_analytics.ts";
import { REGIMES } from "../core/types.ts";
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
  SeriesHealth,
  SignalQuery,
  SignalView,
  StatusEvent,
  StatusSnapshot,
  StatusSource,
  SystemView,
  TradeQuery,
} from "../web/status_types.ts";
import type { SeriesPresets } from "./backtest_inputs.ts";
import type { KlineStreamStatus } from "./binance_ws.ts";
import type { StateStore } from "./state_store.ts";
import { redactSecrets } from "./redact.ts";
import { listReports, readReportFile } from "./status_reports.ts";
import {
  alertView,
  freshnessOf,
  maskSecrets,
  positionView,
  presetView,
  seriesOfId,
} from "./status_views.ts";
import type { DispatchOptions } from "./telegram_dispatch.ts";

/** Options of {@link LiveStatusSource}. */
export interface LiveStatusOptions {
  readonly daemon: Daemon;
  readonly store: StateStore;
  /** The resolved config the daemon runs with. */
  readonly config: Config;
  readonly clock: Clock;
  readonly mode: StatusSnapshot["mode"];
  readonly version: string;
  readonly telegramEnabled: boolean;
  readonly presets: ReadonlyMap<string, SeriesPresets>;
  /** The data directory (`data.dir`, absolute): backtest and optimizer reports live under it. */
  readonly dataDir: string;
  /** Secret values that must never appear in a response (the bot token, the web token). */
  readonly secrets: readonly string[];
  /** How outbox rows are formatted (the notifier's options). */
  readonly dispatch: DispatchOptions;
  /** Wall ms a status snapshot is reused for (default 250). */
  readonly cacheMs?: number;
  /** Daemon-clock ms between freshness checks without steps (default 5000). */
  readonly healthEveryMs?: number;
}

/** The daemon and its store as the status page's source (see the module doc). */
export class LiveStatusSource implements StatusSource {
  readonly #o: LiveStatusOptions;
  readonly #listeners = new Set<(event: StatusEvent) => void>();
  readonly #stop = new AbortController();
  readonly #unobserve: () => void;
  #cached: { at: number; value: StatusSnapshot } | undefined;
  #health = "";
  /** Throttled events (`positions`, `status`): when each was last sent, and pending timers. */
  readonly #sentAt = new Map<string, number>();
  readonly #timers = new Map<string, ReturnType<typeof setTimeout>>();

  /** @param options The daemon, its store and config, and what the page shows about them. */
  constructor(options: LiveStatusOptions) {
    this.#o = options;
    this.#unobserve = options.daemon.observe((event) => this.#observed(event));
    this.#healthLoop();
  }

  /** Stops the health checks and the daemon observer. */
  close(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.#stop.abort();
    this.#unobserve();
    this.#listeners.clear();
  }

  subscribe(listener: (event: StatusEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  status(): StatusSnapshot {
    const wall = performance.now();
    const c = this.#cached;
    if (c !== undefined && wall - c.at < (this.#o.cacheMs ?? 250)) {
      return c.value;
    }
    const value = this.#status();
    this.#cached = { at: wall, value };
    return value;
  }

  #status(): StatusSnapshot {
    const { daemon, store, config, clock } = this.#o;
    const now = clock.now();
    // Before the daemon has started (warm-up), the start is now.
    const started = Number.isFinite(daemon.startedAt) ? daemon.startedAt : now;
    const stream = daemon.stream;
    const streamStatus = stream?.status();
    const series = this.#series(now, streamStatus);
    const connections = (streamStatus?.connections ?? []).map((c) => ({
      id: c.id,
      streams: c.streams,
      state: c.state,
      openedAt: c.openedAt,
    }));
    const stats = stream?.stats;
    const totals = store.status.outboxTotals();
    const counts = store.counts();
    const book = daemon.portfolio?.book;
    const equity = book?.equity() ?? config.portfolio.initial_balance;
    const views = book?.openViews() ?? [];
    const peak = Math.max(
      config.portfolio.initial_balance,
      equity,
      ...store.equity().map((p) => p.equity).filter(Number.isFinite),
    );
    const sectors = new Map<string, number>();
    for (const v of views) {
      sectors.set(v.sector, (sectors.get(v.sector) ?? 0) + 1);
    }
    return {
      now,
      startedAt: started,
      uptimeMs: Math.max(0, now - started),
      mode: this.#o.mode,
      version: this.#o.version,
      displayTimeZone: config.display_timezone,
      healthy: series.every((s) => s.freshness === "fresh"),
      series,
      actors: this.#actors(streamStatus),
      telegram: {
        enabled: this.#o.telegramEnabled,
        queued: totals.queued,
        sent: totals.sent,
        failed: totals.failed,
        lastError: this.#mask(totals.lastError),
        lastErrorAt: totals.lastErrorAt,
      },
      stream: {
        connections,
        reconnects: Math.max(0, (stats?.connects ?? 0) - connections.length),
        candles: daemon.candlesReceived,
      },
      portfolio: {
        equity,
        initialEquity: config.portfolio.initial_balance,
        drawdownPct: peak > 0 ? Math.max(0, (peak - equity) / peak * 100) : 0,
        openPositions: views.length,
        maxPositions: config.portfolio.max_positions,
        heatPct: equity > 0 ? portfolioHeatPercent(views, equity) : 0,
        maxHeatPct: config.portfolio.max_heat_percent,
        sectors: [...sectors].sort(([a], [b]) => a.localeCompare(b)).map((
          [sector, open],
        ) => ({ sector, open, max: config.portfolio.max_per_sector })),
        paused: store.setting("paused") === "true",
      },
      counts,
    };
  }

  #series(
    now: number,
    streamStatus: KlineStreamStatus | undefined,
  ): SeriesHealth[] {
    const { daemon } = this.#o;
    const states = daemon.actorStates();
    const streamSeries = new Map(
      (streamStatus?.series ?? []).map((s) => [s.key, s]),
    );
    const portfolio = daemon.portfolio;
    return daemon.series.map((s) => {
      const last = portfolio?.lastCloseOf(s.key) ?? -Infinity;
      const { freshness, lagMs } = freshnessOf(last, s.timeframeMs, now);
      const bar = daemon.lastBar(s.key);
      const st = streamSeries.get(s.key);
      return {
        key: s.key,
        symbol: s.symbol,
        timeframe: s.timeframe,
        lastCloseTime: Number.isFinite(last) ? last : null,
        lagMs,
        freshness: st?.stale === true && freshness !== "waiting"
          ? "stale"
          : freshness,
        actor: states.get(s.key) ?? "starting",
        backfilling: st?.backfilling ?? false,
        regime: bar === undefined ? null : REGIMES[bar.regime]!,
      };
    });
  }

  #actors(
    streamStatus: KlineStreamStatus | undefined,
  ): { name: string; state: string }[] {
    const { daemon } = this.#o;
    const out: { name: string; state: string }[] = [
      ...daemon.actorStates(),
    ].map(([name, state]) => ({ name, state }));
    out.push({
      name: "portfolio",
      state: daemon.portfolio === undefined ? "starting" : "running",
    });
    out.push({ name: "notifier", state: daemon.notifier?.state ?? "created" });
    const connections = streamStatus?.connections ?? [];
    out.push({
      name: "stream",
      state: daemon.stream === undefined
        ? "starting"
        : connections.every((c) => c.state === "open")
        ? "running"
        : "reconnecting",
    });
    return out;
  }

  positions(): PositionView[] {
    const { store, daemon } = this.#o;
    const sectors = new Map(daemon.series.map((s) => [s.symbol, s.sector]));
    return store.openPositions().map((row) => {
      const last = store.candles(row.symbol, row.timeframe, { limit: 1 })[0];
      return positionView(row, {
        sector: sectors.get(row.symbol) ?? "UNKNOWN",
        fills: store.fills(row.tradeId),
        lastPrice: last?.close ?? null,
      });
    });
  }

  signals(query: SignalQuery): Page<SignalView> {
    const { limit, offset, ...filter } = query;
    const page = this.#o.store.status.signals(filter, limit, offset);
    return {
      total: page.total,
      limit,
      offset,
      rows: page.rows.map((s) => ({ ...s, decision: s.decision ?? null })),
    };
  }

  trades(query: TradeQuery): ReturnType<StatusSource["trades"]> {
    const { limit, offset, ...filter } = query;
    const page = this.#o.store.status.trades(filter, limit, offset);
    return { total: page.total, limit, offset, rows: page.rows };
  }

  allTrades(
    query: Omit<TradeQuery, "limit" | "offset">,
  ): ReturnType<StatusSource["allTrades"]> {
    return this.#o.store.status.trades(query, -1, 0).rows;
  }

  fills(tradeId: string): ReturnType<StatusSource["fills"]> {
    return this.#o.store.fills(tradeId);
  }

  equity(): EquityView {
    return equityView(
      this.#o.store.equity(),
      this.#o.config.portfolio.initial_balance,
    );
  }

  presets(): PresetView[] {
    const out: PresetView[] = [];
    for (const s of this.#o.daemon.series) {
      const p = this.#o.presets.get(s.key);
      if (p === undefined) continue;
      p.files.forEach((file, r) => out.push(presetView(file, p.hashes[r]!)));
    }
    return out;
  }

  pairs(): PairView[] {
    const { daemon, store } = this.#o;
    const health = new Map(this.status().series.map((h) => [h.key, h]));
    return daemon.series.map((s) => {
      const bar = daemon.lastBar(s.key);
      const p = this.#o.presets.get(s.key);
      const candle = bar?.candle ??
        store.candles(s.symbol, s.timeframe, { limit: 1 })[0];
      return {
        key: s.key,
        symbol: s.symbol,
        timeframe: s.timeframe,
        sector: s.sector,
        regime: bar === undefined ? null : REGIMES[bar.regime]!,
        presetHash: bar === undefined ? null : p?.hashes[bar.regime] ?? null,
        preset: bar === undefined || p === undefined
          ? null
          : presetView(p.files[bar.regime], p.hashes[bar.regime]),
        lastCandle: candle === undefined ? null : { ...candle },
        freshness: health.get(s.key)?.freshness ?? "waiting",
      };
    });
  }

  analytics(): AnalyticsView {
    const { store, daemon, config } = this.#o;
    const symbols = [...new Set(daemon.series.map((s) => s.symbol))];
    const closes = symbols.map((symbol) => {
      const tfs = daemon.series.filter((s) => s.symbol === symbol)
        .sort((a, b) => a.timeframeMs - b.timeframeMs);
      return {
        symbol,
        candles: store.status.closes(symbol, tfs[0]!.timeframe, 0),
      };
    });
    return analyticsView({
      points: store.equity(),
      initialEquity: config.portfolio.initial_balance,
      trades: store.status.trades({}, -1, 0).rows,
      closes,
    });
  }

  backtests(): BacktestEntry[] {
    return listReports(this.#o.dataDir);
  }

  backtestFile(
    name: string,
    file: string,
  ): ReturnType<StatusSource["backtestFile"]> {
    return readReportFile(this.#o.dataDir, name, file);
  }

  config(): unknown {
    return maskSecrets(this.#o.config, this.#o.secrets);
  }

  alerts(
    query: { readonly limit: number; readonly offset: number },
  ): Page<AlertView> {
    const page = this.#o.store.status.outbox(query.limit, query.offset);
    return {
      total: page.total,
      limit: query.limit,
      offset: query.offset,
      rows: page.rows.map((row) => this.#alert(row)),
    };
  }

  #alert(row: Parameters<typeof alertView>[0]): AlertView {
    const view = alertView(row, this.#o.dispatch);
    return {
      ...view,
      text: this.#mask(view.text)!,
      lastError: this.#mask(view.lastError),
    };
  }

  system(): SystemView {
    const { store, daemon } = this.#o;
    const status = this.status();
    const memory = Deno.memoryUsage();
    let sizeBytes = 0;
    for (const suffix of ["", "-wal"]) {
      try {
        sizeBytes += statSync(store.path + suffix).size;
      } catch {
        // no such file (in memory, or no WAL yet)
      }
    }
    return {
      actors: status.actors,
      connections: status.stream.connections,
      events: store.events(100).map((e) => ({
        ...e,
        message: this.#mask(e.message)!,
      })),
      memory: { rssBytes: memory.rss, heapUsedBytes: memory.heapUsed },
      latency: {
        samples: daemon.latency.recentCount,
        p50Ms: daemon.latency.percentile(50),
        p99Ms: daemon.latency.percentile(99),
      },
      database: { path: store.path, sizeBytes },
    };
  }

  metrics(): MetricsSnapshot {
    const { store, daemon } = this.#o;
    const status = this.status();
    const decisions = store.status.decisionTotals();
    return {
      candlesProcessed: daemon.candlesReceived,
      signals: status.counts.signals,
      signalsAccepted: decisions.accepted,
      refusalsByRule: decisions.refused,
      openPositions: status.portfolio.openPositions,
      heatPct: status.portfolio.heatPct,
      equity: status.portfolio.equity,
      telegram: {
        sent: status.telegram.sent,
        failed: status.telegram.failed,
        queued: status.telegram.queued,
      },
      wsReconnects: status.stream.reconnects,
      staleSeries: status.series.filter((s) => s.freshness === "stale").length,
      uptimeSeconds: status.uptimeMs / 1000,
      latency: daemon.latency.snapshot(),
    };
  }

  #mask(text: string | null): string | null {
    return text === null ? null : redactSecrets(text, this.#o.secrets, "***");
  }

  #emit(event: StatusEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // a broken client connection must not stop the others
      }
    }
  }

  #observed(event: DaemonEvent): void {
    this.#cached = undefined;
    if (event.type === "step" && this.#listeners.size > 0) {
      const { step } = event;
      for (const s of step.signals) {
        const decision = step.decisions.find((d) => d.signalId === s.id);
        this.#emit({
          type: "signal",
          signal: { ...s, decision: decision ?? null },
        });
      }
      for (const fill of step.fills) {
        const series = seriesOfId(fill.tradeId);
        if (series !== undefined) this.#emit({ type: "fill", fill, ...series });
      }
      for (const trade of step.trades) this.#emit({ type: "trade", trade });
      for (const item of step.outbox) {
        const row = this.#o.store.outboxRow(item.key);
        if (row !== undefined) {
          this.#emit({ type: "alert", alert: this.#alert(row) });
        }
      }
      if (this.#movesPositions(step)) {
        this.#soon("positions", 500, () => ({
          type: "positions",
          positions: this.positions(),
        }));
      }
      this.#soon(
        "status",
        1000,
        () => ({ type: "status", status: this.status() }),
      );
    }
    // After steps the throttled `status` event carries the series' freshness; stream events and
    // the timer catch the changes that come without a step.
    if (event.type === "stream") this.#checkHealth();
  }

  /**
   * Whether a step changed an open position: the step stores a row for every open position whose
   * series had a bar (a new mark) and for every close; fills cover opens.
   */
  #movesPositions(step: StepCommit): boolean {
    return step.positions.length > 0 || step.fills.length > 0;
  }

  /**
   * Emits an event built at send time, at most once per `everyMs` of wall time; a request while
   * one is pending is merged into it, so the last state is always sent.
   */
  #soon(kind: string, everyMs: number, make: () => StatusEvent): void {
    if (this.#timers.has(kind)) return;
    const last = this.#sentAt.get(kind) ?? -Infinity;
    const wait = Math.max(0, last + everyMs - performance.now());
    this.#timers.set(
      kind,
      setTimeout(() => {
        this.#timers.delete(kind);
        this.#sentAt.set(kind, performance.now());
        if (this.#listeners.size > 0) this.#emit(make());
      }, wait),
    );
  }

  #checkHealth(): void {
    if (this.#listeners.size === 0) return;
    const series = this.#series(
      this.#o.clock.now(),
      this.#o.daemon.stream?.status(),
    );
    const key = series.map((s) => `${s.key}=${s.freshness}`).join(",");
    if (key === this.#health) return;
    this.#health = key;
    this.#emit({ type: "health", series });
  }

  #healthLoop(): void {
    const signal = this.#stop.signal;
    const every = this.#o.healthEveryMs ?? 5000;
    const loop = async () => {
      while (!signal.aborted) {
        try {
          await this.#o.clock.sleep(every, signal);
        } catch {
          return;
        }
        this.#checkHealth();
      }
    };
    loop();
  }
}
