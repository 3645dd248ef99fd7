/**
 * The portfolio actor: the paper portfolio of the live daemon. It receives every processed bar
 * from the series actors, puts the bars of one close time together, and steps the same
 * {@link PortfolioBook} as the backtester in the backtester's order (close time, then series
 * order), so the daemon's decisions, fills, trades and equity equal a backtest over the same
 * candles. A close time is taken once every series has delivered its bar for it, or is not due,
 * or is stale (no bar for `staleIntervals` intervals past due): a slow series holds the others
 * back briefly instead of being processed out of order.
 *
 * Each close time becomes one {@link StepCommit}: the candles, progress, signals, decisions,
 * fills, finished trades, position states, finished equity days, the whole portfolio state and
 * the outbox rows, written by the store in one transaction. At start the actor resumes from the
 * stored portfolio state and progress.
 *
 * @module
 */
import { DailyEquity } from "../core/backtest/daily_equity.ts";
import type { Clock } from "../core/clock.ts";
import {
  type BookSeries,
  type BookState,
  type EngineOptions,
  PortfolioBook,
} from "../core/portfolio_book.ts";
import type {
  OutboxItem,
  PositionRow,
  SignalRecord,
  StepCommit,
} from "../core/state_types.ts";
import { ladderPrices } from "../core/ladder.ts";
import { signalId } from "../core/signals.ts";
import { type Candle, REGIMES } from "../core/types.ts";
import type { ProcessedBar } from "./supervisor.ts";

/** One series of the portfolio, in canonical order. */
export interface PortfolioSeries extends BookSeries {
  /** `SYMBOL:tf`. */
  readonly key: string;
}

/** What the actor persists (inside the store's portfolio state). */
interface SavedState {
  readonly book: BookState;
  readonly daily: { readonly day: number; readonly dayEnd: number };
}

/** The store as the actor uses it. */
export interface PortfolioStore {
  commitStep(step: StepCommit): void;
  portfolioState(): unknown | undefined;
  progress(): Map<string, number>;
}

/** Options of {@link PortfolioActor}. */
export interface PortfolioActorOptions {
  readonly series: readonly PortfolioSeries[];
  readonly options: EngineOptions;
  readonly store: PortfolioStore;
  readonly clock: Clock;
  /**
   * Last bar each series delivered before this run (its warm-up history or stored progress):
   * `SYMBOL:tf` → open time. Stored progress wins.
   */
  readonly startAfter: ReadonlyMap<string, number>;
  /** A missing bar is waived after this many intervals past its close (default 2). */
  readonly staleIntervals?: number;
  /** Called after each committed step. */
  readonly onCommitted?: (step: StepCommit) => void;
  /** When true, accepted signals are not opened (paused by the user); default false. */
  readonly paused?: () => boolean;
}

/** The live paper portfolio. */
export class PortfolioActor {
  readonly #o: PortfolioActorOptions;
  readonly #book: PortfolioBook;
  readonly #daily: DailyEquity;
  readonly #index = new Map<string, number>();
  /** Close time of the last bar received per series. */
  readonly #lastClose: Float64Array;
  readonly #dead: boolean[];
  readonly #pending = new Map<number, (ProcessedBar | undefined)[]>();
  #released = -Infinity;
  #steps = 0;

  /** @param options Series, engine options, store, clock and start points. */
  constructor(options: PortfolioActorOptions) {
    this.#o = options;
    const saved = options.store.portfolioState() as SavedState | undefined;
    this.#book = new PortfolioBook(
      options.series,
      options.options,
      saved?.book,
    );
    this.#daily = new DailyEquity(options.options.initialBalance, saved?.daily);
    const progress = options.store.progress();
    this.#lastClose = new Float64Array(options.series.length);
    this.#dead = options.series.map(() => false);
    options.series.forEach((s, i) => {
      this.#index.set(s.key, i);
      const last = progress.get(s.key) ?? options.startAfter.get(s.key);
      this.#lastClose[i] = last === undefined
        ? -Infinity
        : last + s.timeframeMs;
    });
  }

  /** Close time of the last step taken. */
  get releasedUpTo(): number {
    return this.#released;
  }

  /** Steps committed in this run. */
  get steps(): number {
    return this.#steps;
  }

  /** Bars waiting for their close time to be complete. */
  get waiting(): number {
    let n = 0;
    for (const bucket of this.#pending.values()) {
      n += bucket.filter((b) => b !== undefined).length;
    }
    return n;
  }

  /** The book (read only: equity, open trades). */
  get book(): PortfolioBook {
    return this.#book;
  }

  /**
   * Close time of the last bar received from a series.
   *
   * @param key `SYMBOL:tf`.
   * @returns Epoch ms, or -Infinity.
   */
  lastCloseOf(key: string): number {
    const i = this.#index.get(key);
    return i === undefined ? -Infinity : this.#lastClose[i]!;
  }

  /**
   * Stops waiting for a series (degraded or stopped).
   *
   * @param key `SYMBOL:tf`.
   */
  markDead(key: string): void {
    const i = this.#index.get(key);
    if (i !== undefined) this.#dead[i] = true;
    this.release();
  }

  /**
   * Takes one processed bar.
   *
   * @param bar The series actor's output for one closed candle.
   */
  onBar(bar: ProcessedBar): void {
    const s = this.#index.get(bar.key);
    if (s === undefined) return;
    const series = this.#o.series[s]!;
    const close = bar.candle.openTime + series.timeframeMs;
    if (close <= this.#lastClose[s]!) return;
    this.#lastClose[s] = close;
    let bucket = this.#pending.get(close);
    if (bucket === undefined) {
      bucket = new Array(this.#o.series.length).fill(undefined);
      this.#pending.set(close, bucket);
    }
    bucket[s] = bar;
    this.release();
  }

  /**
   * Takes an in-progress update of a series' forming bar: TPs and the stop its open position
   * reached so far fill now (committed at once when something filled). Ignored until every bar
   * before the forming one has been taken, so fills stay in time order.
   *
   * @param key `SYMBOL:tf`.
   * @param bar The forming bar so far.
   * @param time When the update arrived, epoch ms of the daemon's clock.
   */
  onUpdate(key: string, bar: Candle, time: number): void {
    const s = this.#index.get(key);
    if (s === undefined || this.#released < bar.openTime) return;
    for (const t of this.#pending.keys()) if (t <= bar.openTime) return;
    const series = this.#o.series[s]!;
    const at = Math.min(
      Math.max(time, bar.openTime),
      bar.openTime + series.timeframeMs - 1,
    );
    const filled = this.#book.onUpdate(s, {
      openTime: bar.openTime,
      time: at,
      open: bar.open,
      high: bar.high,
      low: bar.low,
      close: bar.close,
    });
    if (!filled) return;
    const { trades, fills, decisions } = this.#book.drain();
    const positions = this.#positionRows([s], trades, at);
    const step: StepCommit = {
      candles: [],
      progress: [],
      signals: [],
      decisions,
      fills,
      trades,
      positions,
      equity: [],
      portfolio: {
        book: this.#book.snapshot(),
        daily: this.#daily.state,
      } satisfies SavedState,
      outbox: outboxOf(
        { signals: [], decisions, fills, trades, time: at },
        this.#outboxContext(trades),
      ),
    };
    this.#o.store.commitStep(step);
    this.#steps++;
    this.#o.onCommitted?.(step);
  }

  #outboxContext(trades: StepCommit["trades"]): OutboxContext {
    const byId = new Map<string, unknown>();
    this.#book.open.forEach((trade, s) => {
      if (trade === undefined) return;
      const series = this.#o.series[s]!;
      byId.set(trade.id, {
        symbol: series.symbol,
        timeframe: series.timeframe,
        side: trade.position.side,
        entryPrice: trade.position.referencePrice,
        position: trade.position,
        closed: null,
      });
    });
    for (const t of trades) {
      byId.set(t.id, {
        symbol: t.symbol,
        timeframe: t.timeframe,
        side: t.side,
        entryPrice: t.entryPrice,
        position: null,
        closed: t,
      });
    }
    return {
      ladder: (signal) => {
        const s = this.#index.get(`${signal.symbol}:${signal.timeframe}`)!;
        const spec = this.#o.series[s]!
          .ladders[REGIMES.indexOf(signal.regime)]!;
        const levels = ladderPrices(signal.side, signal.price, spec);
        return {
          entry: signal.price,
          tps: levels.tp,
          stop: levels.stop,
          leverage: this.#o.options.sizing.leverage,
        };
      },
      trade: (id) => byId.get(id) ?? null,
    };
  }

  #positionRows(
    touched: readonly number[],
    trades: StepCommit["trades"],
    time: number,
  ): PositionRow[] {
    const positions: PositionRow[] = [];
    for (const s of touched) {
      const series = this.#o.series[s]!;
      const trade = this.#book.open[s];
      if (trade !== undefined) {
        positions.push({
          tradeId: trade.id,
          symbol: series.symbol,
          timeframe: series.timeframe,
          side: trade.position.side,
          status: "open",
          state: trade,
          updatedAt: time,
        });
      }
    }
    for (const t of trades) {
      positions.push({
        tradeId: t.id,
        symbol: t.symbol,
        timeframe: t.timeframe,
        side: t.side,
        status: "closed",
        state: t,
        updatedAt: time,
      });
    }
    return positions;
  }

  #blocks(s: number, time: number, now: number): boolean {
    if (this.#dead[s]) return false;
    const tf = this.#o.series[s]!.timeframeMs;
    const next = this.#lastClose[s]! + tf;
    if (this.#lastClose[s]! === -Infinity) return false;
    if (next > time) return false;
    const stale = now >= next + (this.#o.staleIntervals ?? 2) * tf;
    return !stale;
  }

  /** Takes every close time that is complete (call on a timer too, for stale series). */
  release(): void {
    const now = this.#o.clock.now();
    for (;;) {
      let time = Infinity;
      for (const t of this.#pending.keys()) if (t < time) time = t;
      if (time === Infinity) return;
      for (let s = 0; s < this.#o.series.length; s++) {
        if (this.#blocks(s, time, now)) return;
      }
      const bucket = this.#pending.get(time)!;
      this.#pending.delete(time);
      this.#step(time, bucket);
    }
  }

  #step(time: number, bucket: readonly (ProcessedBar | undefined)[]): void {
    const book = this.#book;
    const pointsBefore = this.#daily.points.length;
    const signals: SignalRecord[] = [];
    const touched: number[] = [];
    const paused = this.#o.paused?.() ?? false;
    bucket.forEach((bar, s) => {
      if (bar === undefined) return;
      const series = this.#o.series[s]!;
      this.#daily.advance(time, () => book.equity());
      const signal = paused ? 0 : bar.signal;
      book.onBar(s, { candle: bar.candle, signal, regime: bar.regime });
      touched.push(s);
      if (bar.signal !== 0) {
        const side = bar.signal > 0 ? "LONG" : "SHORT";
        signals.push({
          id: signalId(series.symbol, {
            timeframe: series.timeframe,
            openTime: bar.candle.openTime,
            side,
          }),
          symbol: series.symbol,
          timeframe: series.timeframe,
          side,
          barOpenTime: bar.candle.openTime,
          time,
          price: bar.candle.close,
          regime: REGIMES[bar.regime]!,
          presetHash: series.presetHashes[bar.regime]!,
        });
      }
    });
    const { trades, fills, decisions } = book.drain();
    const positions = this.#positionRows(touched, trades, time);
    const outbox = outboxOf(
      { signals, decisions, fills, trades, time },
      this.#outboxContext(trades),
    );
    const step: StepCommit = {
      candles: touched.map((s) => ({
        symbol: this.#o.series[s]!.symbol,
        timeframe: this.#o.series[s]!.timeframe,
        candle: bucket[s]!.candle,
      })),
      progress: touched.map((s) => ({
        seriesKey: this.#o.series[s]!.key,
        lastOpenTime: bucket[s]!.candle.openTime,
      })),
      signals,
      decisions,
      fills,
      trades,
      positions,
      equity: this.#daily.points.slice(pointsBefore),
      portfolio: {
        book: book.snapshot(),
        daily: this.#daily.state,
      } satisfies SavedState,
      outbox,
    };
    this.#o.store.commitStep(step);
    this.#released = time;
    this.#steps++;
    this.#o.onCommitted?.(step);
  }
}

/** What the outbox rows of a step are enriched with (the Telegram texts need it). */
export interface OutboxContext {
  /** The ladder a signal opened with: entry (signal price), TP prices, stop, leverage. */
  readonly ladder: (signal: SignalRecord) => {
    readonly entry: number;
    readonly tps: readonly number[];
    readonly stop: number;
    readonly leverage: number;
  };
  /** The trade a fill belongs to: series, side, entry and the position after the step. */
  readonly trade: (tradeId: string) => unknown;
}

/**
 * The outbox rows of one step: accepted signals (with their ladder), fills after the entry (with
 * their trade), closed trades.
 *
 * @param step The step's records.
 * @param context Ladder and trade lookups.
 * @returns Rows with deterministic unique keys.
 */
export function outboxOf(
  step: {
    readonly signals: readonly SignalRecord[];
    readonly decisions: StepCommit["decisions"];
    readonly fills: StepCommit["fills"];
    readonly trades: StepCommit["trades"];
    readonly time: number;
  },
  context: OutboxContext,
): OutboxItem[] {
  const out: OutboxItem[] = [];
  const accepted = new Set(
    step.decisions.filter((d) => d.accepted).map((d) => d.signalId),
  );
  for (const signal of step.signals) {
    if (!accepted.has(signal.id)) continue;
    out.push({
      key: `signal:${signal.id}`,
      kind: "signal",
      payload: { ...signal, ...context.ladder(signal) },
      createdAt: step.time,
    });
  }
  for (const fill of step.fills) {
    if (fill.kind === "entry") continue;
    out.push({
      key: `fill:${fill.tradeId}:${fill.time}:${fill.kind}:${
        fill.tpIndex ?? ""
      }`,
      kind: fill.kind,
      payload: { fill, trade: context.trade(fill.tradeId) },
      createdAt: step.time,
    });
  }
  for (const trade of step.trades) {
    out.push({
      key: `closed:${trade.id}`,
      kind: "closed",
      payload: trade,
      createdAt: step.time,
    });
  }
  return out;
}
