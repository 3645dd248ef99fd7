/**
 * The live daemon, wired: state store, supervisor with the series actors in Web Workers, the
 * portfolio actor, the notifier actor and the kline stream. Start-up (DESIGN §1, issue "live
 * daemon"): open the store, restore the portfolio and progress, warm every series up from the
 * stored candles (fetching the last `data.warmup_bars` closed candles over REST when the store has
 * fewer), start the series actors on that history, then subscribe; the stream backfills every
 * candle missed since the last one stored before anything new is acted on.
 *
 * @module
 */
import type { Clock } from "../core/clock.ts";
import type { Config } from "../core/config.ts";
import { LatencyHistogram } from "../core/latency_histogram.ts";
import { filterSettingsOf, regimeSettingsOf } from "../core/config_views.ts";
import type { SeriesSpec } from "../core/messages.ts";
import type { Notifier } from "../core/notifier.ts";
import { sectorOf } from "../core/portfolio.ts";
import type { StepCommit } from "../core/state_types.ts";
import {
  ATR_PERIOD,
  type Candle,
  candleAt,
  timeframeMs,
} from "../core/types.ts";
import type { SeriesPresets } from "../data/backtest_inputs.ts";
import { engineOptionsOf } from "../data/backtest_run.ts";
import type { Kline } from "../data/binance_kline.ts";
import type { BinanceRestClient } from "../data/binance_rest.ts";
import {
  KlineStream,
  type KlineStreamEvent,
  type WebSocketConstructor,
} from "../data/binance_ws.ts";
import type { StateStore } from "../data/state_store.ts";
import { type AlertEvent, Alerts, DailySummaryScheduler } from "./alerts.ts";
import { HourlyCloseBook } from "./hourly_closes.ts";
import { NotifierActor } from "./notifier_actor.ts";
import { PortfolioActor, type PortfolioSeries } from "./portfolio_actor.ts";
import { type ActorState, Supervisor } from "./supervisor.ts";

/** One structured log line. */
export type LogLine = {
  readonly level: "debug" | "info" | "warn" | "error";
  readonly msg: string;
  readonly [field: string]: unknown;
};

/** What the daemon is built from (everything with side effects is injected). */
export interface DaemonOptions {
  readonly config: Config;
  /** Presets per series key `SYMBOL:tf`; series without an entry are not run. */
  readonly presets: ReadonlyMap<string, SeriesPresets>;
  /** Only these series (e.g. those a replay has files for); default: pairs × timeframes. */
  readonly only?: ReadonlySet<string>;
  readonly store: StateStore;
  readonly clock: Clock;
  readonly rest: Pick<BinanceRestClient, "klines" | "klinesRange" | "now">;
  readonly wsUrl: string;
  readonly notifier: Notifier;
  readonly log: (line: LogLine) => void;
  /** Series actor workers (default: 2). */
  readonly workers?: number;
  readonly WebSocket?: WebSocketConstructor;
  /** Test faults: a series actor throws once on the bar with this open time. */
  readonly failOnce?: ReadonlyMap<string, number>;
  /**
   * Stream idle timeout, ms of the daemon's clock (default the stream's 10 min); a replay
   * stepping an hour at a time passes more, or healthy connections are replaced as idle.
   */
  readonly idleTimeoutMs?: number;
  /** Restart backoff of the series actors. */
  readonly restartBackoff?: { readonly baseMs: number; readonly maxMs: number };
  /**
   * Keep every latency sample for {@link Daemon.takeLatencies} (benchmarks); default false: the
   * running daemon keeps only its histogram ({@link Daemon.latency}).
   */
  readonly keepLatencySamples?: boolean;
  /**
   * The daily summary's local hour and time zone (`telegram.daily_summary_hour`,
   * `display_timezone`); no summary when omitted.
   */
  readonly dailySummary?: { readonly hour: number; readonly timeZone: string };
  /**
   * The clock of the notifier actor's waits (retry-after, backoff); default `clock`. Telegram's
   * limits run in wall time, so a replay sending to Telegram passes the system clock.
   */
  readonly notifierClock?: Clock;
}

/** What a daemon observer is told (the status page's live updates). */
export type DaemonEvent =
  | { readonly type: "step"; readonly step: StepCommit }
  | { readonly type: "stream"; readonly event: KlineStreamEvent };

/** The last bar a series actor processed. */
export interface LastBar {
  readonly candle: Candle;
  /** 0 low, 1 normal, 2 high. */
  readonly regime: 0 | 1 | 2;
}

function candleOf(k: Kline): Candle {
  return {
    openTime: k.openTime,
    open: k.open,
    high: k.high,
    low: k.low,
    close: k.close,
    volume: k.volume,
  };
}

/** The running daemon. */
export class Daemon {
  readonly #o: DaemonOptions;
  readonly series: readonly PortfolioSeries[];
  #supervisor: Supervisor | undefined;
  #portfolio: PortfolioActor | undefined;
  #notifier: NotifierActor | undefined;
  #alerts: Alerts | undefined;
  #stream: KlineStream | undefined;
  #hourly = new HourlyCloseBook();
  #timer = new AbortController();
  #startedAt = NaN;
  /** Wall time (performance.now) each candle arrived, until its step is committed. */
  readonly #arrived = new Map<string, number>();
  /** Series whose replay data ended (no longer waited for). */
  readonly #ended = new Set<string>();
  #latencies: number[] = [];
  readonly #histogram = new LatencyHistogram();
  #candles = 0;
  readonly #lastBars = new Map<string, LastBar>();
  readonly #observers = new Set<(event: DaemonEvent) => void>();

  /** @param options Config, presets, store, clock, market data, notifier and log. */
  constructor(options: DaemonOptions) {
    this.#o = options;
    const { config } = options;
    const series: PortfolioSeries[] = [];
    for (const symbol of config.pairs) {
      for (const timeframe of config.timeframes) {
        const key = `${symbol}:${timeframe}`;
        const p = options.presets.get(key);
        if (p === undefined || options.only?.has(key) === false) continue;
        series.push({
          key,
          symbol,
          timeframe,
          timeframeMs: timeframeMs(timeframe),
          sector: sectorOf(symbol, config.sectors),
          ladders: p.ladders,
          presetHashes: p.hashes,
          active: p.active,
        });
      }
    }
    if (series.length === 0) {
      throw new RangeError(
        "Cannot start the daemon as no series is usable: no preset for any configured pair and timeframe",
      );
    }
    this.series = series;
  }

  /** The portfolio actor (after start). */
  get portfolio(): PortfolioActor | undefined {
    return this.#portfolio;
  }

  /** The supervisor (after start). */
  get supervisor(): Supervisor | undefined {
    return this.#supervisor;
  }

  /** The notifier actor (after start). */
  get notifier(): NotifierActor | undefined {
    return this.#notifier;
  }

  /** The kline stream (after start). */
  get stream(): KlineStream | undefined {
    return this.#stream;
  }

  /** Candle-to-commit latency of every candle of this run (histogram and recent samples). */
  get latency(): LatencyHistogram {
    return this.#histogram;
  }

  /** Closed candles received in this run. */
  get candlesReceived(): number {
    return this.#candles;
  }

  /**
   * The last bar a series actor processed, with its regime.
   *
   * @param key `SYMBOL:tf`.
   * @returns The bar, or undefined before the first.
   */
  lastBar(key: string): LastBar | undefined {
    return this.#lastBars.get(key);
  }

  /**
   * Calls `listener` after every committed step and every stream status event. A listener that
   * throws is logged and kept; it never fails the step.
   *
   * @param listener The observer.
   * @returns A function that removes it.
   */
  observe(listener: (event: DaemonEvent) => void): () => void {
    this.#observers.add(listener);
    return () => this.#observers.delete(listener);
  }

  #tell(event: DaemonEvent): void {
    for (const listener of this.#observers) {
      try {
        listener(event);
      } catch (error) {
        this.#o.log({
          level: "error",
          msg: "observer failed",
          event: event.type,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }

  /** When the daemon started, epoch ms of its clock. */
  get startedAt(): number {
    return this.#startedAt;
  }

  /**
   * Bars a series needs before it may act: the configured warm-up, and never less than its
   * longest channel plus the regime baseline and the ATR seed.
   */
  #warmupBars(key: string): number {
    const p = this.#o.presets.get(key)!;
    const longest = Math.max(...p.indicators.map((i) => Math.max(i.i1, i.i2)));
    return Math.max(
      this.#o.config.data.warmup_bars,
      longest + this.#o.config.regimes.baseline_bars + ATR_PERIOD,
    );
  }

  async #warmUp(): Promise<Map<string, number>> {
    const { store, log } = this.#o;
    const last = new Map<string, number>();
    for (const s of this.series) {
      const want = this.#warmupBars(s.key);
      let stored = store.candles(s.symbol, s.timeframe);
      if (stored.length < want) {
        const fetched = await this.#history(s, want);
        const before = stored[0]?.openTime ?? Infinity;
        const after = stored[stored.length - 1]?.openTime ?? -Infinity;
        const fresh = fetched.filter((k) =>
          k.openTime < before || k.openTime > after
        );
        store.appendCandles(
          fresh.map((candle) => ({
            symbol: s.symbol,
            timeframe: s.timeframe,
            candle,
          })),
        );
        stored = store.candles(s.symbol, s.timeframe);
        log({
          level: "info",
          msg: "warm-up fetched",
          series: s.key,
          candles: fresh.length,
        });
      }
      const lastStored = stored[stored.length - 1];
      if (lastStored !== undefined) last.set(s.key, lastStored.openTime);
      if (s.timeframe === "1h") this.#hourly.add(s.symbol, stored);
    }
    return last;
  }

  /** The last `bars` closed candles of a series over REST (paged past 1 500). */
  async #history(s: PortfolioSeries, bars: number): Promise<Candle[]> {
    const { rest } = this.#o;
    if (bars <= 1500) {
      return (await rest.klines({
        symbol: s.symbol,
        interval: s.timeframe,
        limit: bars,
      })).map(candleOf);
    }
    const now = rest.now();
    const from = Math.floor(now / s.timeframeMs) * s.timeframeMs -
      (bars + 1) * s.timeframeMs;
    const c = await rest.klinesRange({
      symbol: s.symbol,
      interval: s.timeframe,
      from,
    });
    const out: Candle[] = [];
    for (
      let i = Math.max(0, c.openTime.length - bars);
      i < c.openTime.length;
      i++
    ) {
      out.push(candleAt(c, i));
    }
    return out;
  }

  #specs(): SeriesSpec[] {
    const { config, presets, failOnce } = this.#o;
    return this.series.map((s) => {
      const p = presets.get(s.key)!;
      const fault = failOnce?.get(s.key);
      return {
        key: s.key,
        options: {
          symbol: s.symbol,
          timeframe: s.timeframe,
          semantics: config.indicator.semantics,
          presets: p.indicators,
          regime: regimeSettingsOf(config),
          filters: filterSettingsOf(config),
        },
        ...(fault === undefined ? {} : { failOnceAt: fault }),
      };
    });
  }

  /**
   * Latency samples in ms from a closed candle's arrival to the commit of its step (outbox rows
   * included), since the last call (only with `keepLatencySamples`); and the number of candles
   * received.
   *
   * @returns The samples (cleared) and the count.
   */
  takeLatencies(): { samples: number[]; candles: number } {
    const samples = this.#latencies;
    this.#latencies = [];
    return { samples, candles: this.#candles };
  }

  #committed(step: StepCommit): void {
    const now = performance.now();
    for (const c of step.candles) {
      const key = `${c.symbol}:${c.timeframe}:${c.candle.openTime}`;
      const at = this.#arrived.get(key);
      if (at !== undefined) {
        this.#arrived.delete(key);
        this.#histogram.add(now - at);
        if (this.#o.keepLatencySamples && this.#latencies.length < 1_000_000) {
          this.#latencies.push(now - at);
        }
      }
    }
    for (const { seriesKey, lastOpenTime } of step.progress) {
      this.#supervisor?.committed(seriesKey, lastOpenTime);
    }
    for (const s of step.signals) {
      const d = step.decisions.find((x) => x.signalId === s.id);
      this.#o.log({
        level: "info",
        msg: "signal",
        id: s.id,
        side: s.side,
        price: s.price,
        regime: s.regime,
        accepted: d?.accepted ?? false,
        rule: d?.rule ?? "",
      });
    }
    for (const t of step.trades) {
      this.#o.log({
        level: "info",
        msg: "trade closed",
        id: t.id,
        reason: t.exitReason,
        pnlQuote: t.pnlQuote,
      });
    }
    if (step.outbox.length > 0) this.#notifier?.wake();
    this.#tell({ type: "step", step });
  }

  /** Enqueues an alert; a failure is logged, never thrown into the caller's event handler. */
  #alert(event: AlertEvent): void {
    try {
      this.#alerts?.alert(event, this.#o.clock.now());
    } catch (error) {
      this.#o.log({
        level: "error",
        msg: "alert failed",
        kind: event.kind,
        series: event.series,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  /** Starts everything; resolves once the stream is subscribed. */
  async start(): Promise<void> {
    const { config, store, clock, log } = this.#o;
    this.#startedAt = clock.now();
    // Fail fast on a bad summary hour or time zone, before anything starts.
    const summary = this.#o.dailySummary === undefined
      ? undefined
      : new DailySummaryScheduler({
        store,
        clock,
        ...this.#o.dailySummary,
        initialEquity: config.portfolio.initial_balance,
        wake: () => this.#notifier?.wake(),
        log: (line) => log(line as LogLine),
      });
    this.#alerts = new Alerts({
      store,
      wake: () => this.#notifier?.wake(),
    });
    const lastStored = await this.#warmUp();
    const portfolio = new PortfolioActor({
      series: this.series,
      options: engineOptionsOf(config, {
        mode: "portfolio",
        costs: true,
        rule: config.ladder.same_bar_rule,
        entry: config.signals.entry,
      }, this.#hourly),
      store,
      clock,
      startAfter: lastStored,
      onCommitted: (step) => this.#committed(step),
      paused: () => store.setting("paused") === "true",
    });
    this.#portfolio = portfolio;
    const supervisor = new Supervisor({
      specs: this.#specs(),
      workers: this.#o.workers ?? 2,
      history: (key) => {
        const [symbol, timeframe] = key.split(":") as [string, string];
        return store.candles(symbol, timeframe);
      },
      onBar: (bar) => {
        // 1h closes feed the correlation limit as they arrive; the lookup only reads candles
        // closed by a signal's time, as the backtest does.
        if (bar.key.endsWith(":1h")) {
          this.#hourly.add(bar.key.slice(0, -3), [bar.candle]);
        }
        this.#lastBars.set(bar.key, { candle: bar.candle, regime: bar.regime });
        portfolio.onBar(bar);
      },
      onState: (key, from, to, reason) => {
        log({
          level: to === "degraded"
            ? "error"
            : to === "restarting"
            ? "warn"
            : "debug",
          msg: "series actor",
          series: key,
          from,
          to,
          reason,
        });
        if (to === "degraded") {
          portfolio.markDead(key);
          this.#alert({ kind: "degraded", series: key, message: reason });
        }
      },
      clock,
      ...(this.#o.restartBackoff === undefined
        ? {}
        : { backoff: this.#o.restartBackoff }),
    });
    this.#supervisor = supervisor;
    await supervisor.start();
    this.#notifier = new NotifierActor({
      store,
      notifier: this.#o.notifier,
      clock: this.#o.notifierClock ?? clock,
      log: (line) => log(line as LogLine),
    });
    this.#notifier.start();
    summary?.run(this.#timer.signal);
    const stream = new KlineStream({
      wsUrl: this.#o.wsUrl,
      series: this.series.map(({ symbol, timeframe }) => ({
        symbol,
        timeframe,
      })),
      rest: this.#o.rest,
      clock,
      lastClosed: new Map(
        this.series.map((s) => {
          const done = store.progress().get(s.key);
          const last = lastStored.get(s.key);
          return [s.key, Math.max(done ?? -Infinity, last ?? -Infinity)];
        }).filter(([, t]) => Number.isFinite(t)) as [string, number][],
      ),
      onUpdate: (key, kline) =>
        portfolio.onUpdate(key, candleOf(kline), clock.now()),
      onCandle: (key, kline) => {
        this.#candles++;
        this.#arrived.set(`${key}:${kline.openTime}`, performance.now());
        supervisor.candle(key, candleOf(kline));
      },
      onStatus: (event: KlineStreamEvent) => {
        if (event.type === "backfilled") return;
        log({ level: "info", msg: "stream", ...event });
        this.#tell({ type: "stream", event });
        if (event.type === "stale" || event.type === "recovered") {
          this.#alert({
            kind: event.type,
            series: event.series,
            lastOpenTime: event.lastOpenTime,
          });
        }
      },
      ...(this.#o.WebSocket === undefined
        ? {}
        : { WebSocket: this.#o.WebSocket }),
      ...(this.#o.idleTimeoutMs === undefined
        ? {}
        : { idleTimeoutMs: this.#o.idleTimeoutMs }),
    });
    this.#stream = stream;
    await stream.start();
    this.#releaseLoop();
    log({
      level: "info",
      msg: "daemon started",
      series: this.series.length,
      workers: this.#o.workers ?? 2,
    });
  }

  #releaseLoop(): void {
    const signal = this.#timer.signal;
    const loop = async () => {
      while (!signal.aborted) {
        try {
          await this.#o.clock.sleep(1000, signal);
        } catch {
          return;
        }
        this.#portfolio?.release();
      }
    };
    loop();
  }

  /**
   * Whether the daemon has taken every candle closed by `time` (for a replay driver): nothing
   * waits in the portfolio, and every series that is not degraded has delivered its last bar
   * due by then, or its last bar when its data ends earlier. A series whose data ended before
   * `time` is no longer waited for.
   *
   * @param time Replay time, epoch ms.
   * @param dataEnds Close time of each series' last candle, `SYMBOL:tf` → epoch ms.
   * @returns True when caught up.
   */
  caughtUp(
    time: number,
    dataEnds: ReadonlyMap<string, number> = new Map(),
  ): boolean {
    const portfolio = this.#portfolio;
    if (portfolio === undefined) return false;
    for (const [key, end] of dataEnds) {
      if (end < time && !this.#ended.has(key)) {
        this.#ended.add(key);
        portfolio.markDead(key);
      }
    }
    if (portfolio.waiting > 0) return false;
    const states = this.actorStates();
    return this.series.every((s) => {
      if (states.get(s.key) === "degraded") return true;
      const due = Math.floor(time / s.timeframeMs) * s.timeframeMs;
      return portfolio.lastCloseOf(s.key) >=
        Math.min(due, dataEnds.get(s.key) ?? Infinity);
    });
  }

  /** Lifecycle state of every series actor. */
  actorStates(): Map<string, ActorState> {
    return this.#supervisor?.states() ?? new Map();
  }

  /** Stops the stream, the actors and the notifier (the store stays open for the caller). */
  async stop(): Promise<void> {
    this.#timer.abort();
    await this.#stream?.stop();
    this.#supervisor?.stop();
    await this.#notifier?.stop();
    this.#o.log({ level: "info", msg: "daemon stopped" });
  }
}
