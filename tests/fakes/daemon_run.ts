/**
 * Runs the live daemon in-process over the bundled candles (BTCUSDT, ETHUSDT 1h/2h, SOLUSDT 1h)
 * against the replay exchange at `max` speed, as `live --replay tests/fixtures/binance` does, and
 * returns what it left behind: a snapshot of the `:memory:` store, the keys the notifier
 * received, the log lines and the counters of the exchange and the kline stream. Hooks let a test
 * inject exchange faults before any replay-clock move and make a series actor throw once.
 *
 * @module
 */
import type { ActorState } from "../../actors/supervisor.ts";
import { Daemon, type LogLine } from "../../actors/daemon.ts";
import type { Clock } from "../../core/clock.ts";
import { DEFAULT_CONFIG } from "../../core/config.ts";
import type { Config } from "../../core/config.ts";
import type {
  EquityPoint,
  FillRecord,
  TradeRecord,
} from "../../core/backtest/records.ts";
import type { PositionRow } from "../../core/state_types.ts";
import { timeframeMs } from "../../core/types.ts";
import { resolvePresets } from "../../data/backtest_inputs.ts";
import { BinanceRestClient } from "../../data/binance_rest.ts";
import type { KlineStreamStats } from "../../data/binance_ws.ts";
import { loadCandles } from "../../data/candle_loader.ts";
import { driveReplay, replayClock } from "../../data/replay_driver.ts";
import {
  type ReplayExchange,
  type ReplaySeries,
  type ReplayStats,
  startReplayExchange,
} from "../../data/replay_exchange.ts";
import { type SignalWithDecision, StateStore } from "../../data/state_store.ts";
import { FIXTURES } from "../shared_data.ts";
import { RecordingNotifier } from "./recording_notifier.ts";

const SERIES = [
  ["BTCUSDT", "1h"],
  ["BTCUSDT", "2h"],
  ["ETHUSDT", "1h"],
  ["ETHUSDT", "2h"],
  ["SOLUSDT", "1h"],
] as const;

/** The config of the runs: the bundled pairs and timeframes, defaults otherwise. */
export const RUN_CONFIG: Config = {
  ...DEFAULT_CONFIG,
  pairs: ["BTCUSDT", "ETHUSDT", "SOLUSDT"],
  timeframes: ["1h", "2h"],
};

/** The bundled series and the replay span, by the rule of `live --replay`. */
export interface FixtureReplay {
  readonly series: readonly ReplaySeries[];
  /** Max over series of the open time after the warm-up bars, rounded up to the largest timeframe. */
  readonly start: number;
  /** Close time of the last candle of any series. */
  readonly end: number;
  /** Close time of each series' last candle. */
  readonly ends: ReadonlyMap<string, number>;
  /** The shortest timeframe (the driver's step). */
  readonly step: number;
}

let fixtures: FixtureReplay | undefined;

/**
 * Loads the bundled candles once and derives the replay span as `data/live_command.ts` does.
 *
 * @returns The series, start, end, per-series ends and step.
 */
export function fixtureReplay(): FixtureReplay {
  if (fixtures !== undefined) return fixtures;
  const series: ReplaySeries[] = SERIES.map(([symbol, timeframe]) => ({
    symbol,
    timeframe,
    candles: loadCandles(`${FIXTURES}${symbol}-${timeframe}.csv.gz`),
  }));
  const warm = RUN_CONFIG.data.warmup_bars;
  let start = -Infinity, end = -Infinity, step = Infinity, largest = 0;
  const ends = new Map<string, number>();
  for (const s of series) {
    const tf = timeframeMs(s.timeframe);
    const times = s.candles.openTime;
    start = Math.max(start, times[Math.min(warm, times.length - 1)]!);
    const last = times[times.length - 1]! + tf;
    ends.set(`${s.symbol}:${s.timeframe}`, last);
    end = Math.max(end, last);
    step = Math.min(step, tf);
    largest = Math.max(largest, tf);
  }
  start = Math.ceil(start / largest) * largest;
  fixtures = { series, start, end, ends, step };
  return fixtures;
}

/** Everything a run left in its store that the parity of two runs is judged on. */
export interface StoreSnapshot {
  readonly candles: Record<string, number[]>;
  readonly progress: Record<string, number>;
  readonly signals: SignalWithDecision[];
  readonly trades: TradeRecord[];
  readonly fills: Record<string, FillRecord[]>;
  readonly equity: EquityPoint[];
  readonly positions: PositionRow[];
  readonly portfolio: unknown;
  readonly outboxKeys: string[];
  readonly unsent: number;
}

function snapshotOf(store: StateStore, daemon: Daemon): StoreSnapshot {
  const trades = store.trades({ limit: 1_000_000 });
  return {
    candles: Object.fromEntries(
      daemon.series.map((s) => [
        s.key,
        store.candles(s.symbol, s.timeframe).map((c) => c.openTime),
      ]),
    ),
    progress: Object.fromEntries(store.progress()),
    signals: store.signals({ limit: 1_000_000 }),
    trades,
    fills: Object.fromEntries(trades.map((t) => [t.id, store.fills(t.id)])),
    equity: store.equity(),
    positions: store.openPositions(),
    portfolio: store.portfolioState(),
    outboxKeys: store.outbox({ limit: 1_000_000 }).map((r) => r.key).sort(),
    unsent: store.unsentOutbox(1_000_000).length,
  };
}

/** Options of {@link runDaemonReplay}. */
export interface DaemonRunOptions {
  /** Series actor faults, `SYMBOL:tf` → open time of the bar it throws on. */
  readonly failOnce?: ReadonlyMap<string, number>;
  /**
   * Called before every move of the replay clock (driver steps and stall nudges) with the
   * target time, to inject faults through `exchange.faults` or change settings in the store.
   */
  readonly beforeAdvance?: (
    time: number,
    exchange: ReplayExchange,
    store: StateStore,
  ) => void;
  /** Wall-time limit of one REST attempt (default the client's, 10 s). */
  readonly restTimeoutMs?: number;
  /** In-progress updates the exchange sends per candle (default 0: closed candles only). */
  readonly updatesPerCandle?: number;
  /** Called at the end of the replay (notifier idle) before the daemon stops. */
  readonly beforeStop?: (run: RunningDaemon) => Promise<void>;
}

/** The running daemon and what it was built from, for {@link DaemonRunOptions.beforeStop}. */
export interface RunningDaemon {
  readonly daemon: Daemon;
  readonly store: StateStore;
  readonly clock: Clock;
  readonly config: Config;
  readonly presets: Awaited<ReturnType<typeof resolvePresets>>;
}

/** What a run left behind. */
export interface DaemonRun {
  readonly snapshot: StoreSnapshot;
  /** Keys the notifier received, in order (repeats included). */
  readonly delivered: string[];
  readonly logs: LogLine[];
  /** Lifecycle state of every series actor just before the daemon stopped. */
  readonly finalStates: Map<string, ActorState>;
  readonly exchangeStats: ReplayStats;
  readonly streamStats: KlineStreamStats;
  readonly wallMs: number;
}

/**
 * Runs the daemon over the whole bundled replay and stops it once the notifier is idle.
 *
 * @param options Faults to inject.
 * @returns The store snapshot, delivered keys, logs, states and counters.
 */
export async function runDaemonReplay(
  options: DaemonRunOptions = {},
): Promise<DaemonRun> {
  const began = performance.now();
  const { series, start, end, ends, step } = fixtureReplay();
  const exchange = await startReplayExchange({
    series,
    startTime: start,
    updatesPerCandle: options.updatesPerCandle ?? 0,
  });
  const clock = replayClock(exchange, 1000);
  const store = StateStore.open(":memory:");
  const notifier = new RecordingNotifier();
  const logs: LogLine[] = [];
  let running: Daemon | undefined;
  try {
    const presets = await resolvePresets(
      series.map(({ symbol, timeframe }) => ({ symbol, timeframe })),
      { source: { kind: "defaults" }, config: RUN_CONFIG, generatedAt: "" },
    );
    const daemon = new Daemon({
      config: RUN_CONFIG,
      presets,
      store,
      clock,
      rest: new BinanceRestClient({
        baseUrl: exchange.restUrl,
        clock,
        ...(options.restTimeoutMs === undefined
          ? {}
          : { timeoutMs: options.restTimeoutMs }),
      }),
      wsUrl: exchange.wsUrl,
      notifier,
      log: (line) => logs.push(line),
      workers: 2,
      ...(options.failOnce === undefined ? {} : { failOnce: options.failOnce }),
    });
    running = daemon;
    await daemon.start();
    const hook = options.beforeAdvance;
    await driveReplay({
      exchange: {
        now: () => exchange.now(),
        advanceTo: (time) => {
          hook?.(time, exchange, store);
          return exchange.advanceTo(time);
        },
      },
      end,
      step,
      speed: "max",
      signal: new AbortController().signal,
      // As `live --replay`: a series whose file ended is no longer waited for.
      caughtUp: (time) => daemon.caughtUp(time, ends),
    });
    await daemon.notifier?.whenIdle();
    await options.beforeStop?.({
      daemon,
      store,
      clock,
      config: RUN_CONFIG,
      presets,
    });
    const finalStates = daemon.actorStates();
    const streamStats = { ...daemon.stream!.stats };
    running = undefined;
    await daemon.stop();
    return {
      snapshot: snapshotOf(store, daemon),
      delivered: notifier.keys,
      logs,
      finalStates,
      exchangeStats: { ...exchange.stats },
      streamStats,
      wallMs: performance.now() - began,
    };
  } finally {
    await running?.stop();
    store.close();
    await exchange.close();
  }
}
