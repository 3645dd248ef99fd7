/**
 * The portfolio book: one paper portfolio stepped one closed bar at a time, the same code for the
 * backtest engine (which feeds every series' bars in close-time order) and the live daemon's
 * portfolio actor (which feeds the bars as they close, in the same order), so both produce the
 * same decisions, fills, trades and equity.
 *
 * At each bar close, for that series: (1) a pending next-open entry fills at the bar's open;
 * (2) an open position is updated with the bar (TPs, stop, same-bar rule, gaps, funding, finer
 * candles when given); (3) a signal closes an opposite position at the bar's close, then asks the
 * portfolio for an entry (a decision record either way). Partial TP profits go to the balance
 * when they fill. The whole state is plain data ({@link BookState}) for the daemon to persist.
 *
 * @module
 */
import type { CostModel } from "./costs.ts";
import {
  closePosition,
  type CloseReason,
  type Fill,
  ladderPrices,
  type LadderSpec,
  openPosition,
  type Position,
  type SameBarRule,
  unrealizedPnl,
  updatePosition,
} from "./ladder.ts";
import {
  evaluateEntry,
  type OpenPositionView,
  portfolioHeatPercent,
  type PortfolioLimits,
} from "./portfolio.ts";
import {
  type Candle,
  type CandleColumns,
  type Regime,
  REGIMES,
  type Side,
} from "./types.ts";
import { signalId } from "./signals.ts";
import { fixedRiskSize } from "./sizing.ts";
import { replayDetail } from "./backtest/detail_replay.ts";
import type {
  DecisionRecord,
  FillRecord,
  TradeRecord,
} from "./backtest/records.ts";
import { tradeRecordOf } from "./backtest/trade_record.ts";

/** One series as the portfolio book needs it (the bars come one at a time). */
export interface BookSeries {
  readonly symbol: string;
  readonly timeframe: string;
  /** Candle length in ms. */
  readonly timeframeMs: number;
  readonly sector: string;
  /** Ladder per regime (low, normal, high), already scaled for the regime. */
  readonly ladders: readonly [LadderSpec, LadderSpec, LadderSpec];
  /** Preset content hash per regime. */
  readonly presetHashes: readonly [string, string, string];
  /**
   * Whether each regime's preset trades (`is_active` of its file); a signal in an inactive
   * regime is refused with the rule `preset-inactive`. Omitted: all active.
   */
  readonly active?: readonly [boolean, boolean, boolean];
  /** Finer candles of the same symbol, replayed on bars the same-bar rule would decide. */
  readonly detail?: {
    readonly candles: CandleColumns;
    readonly timeframeMs: number;
  };
}

/** How the engine trades. */
export interface EngineOptions {
  /** `portfolio`: all series share one balance under the limits; `independent`: each alone. */
  readonly mode: "portfolio" | "independent";
  readonly initialBalance: number;
  readonly limits: PortfolioLimits;
  readonly sizing: {
    readonly riskPercent: number;
    readonly maxNotionalPercent: number;
    readonly minNotional: number;
    readonly leverage: number;
  };
  readonly costs: CostModel;
  readonly rule: SameBarRule;
  readonly gapFills: boolean;
  /** Entry at the signal bar's close, or at the next bar's open. */
  readonly entry: "close" | "next-open";
  /** |ρ| of 1h returns between two symbols up to a time, or undefined without data. */
  readonly correlation?: (
    a: string,
    b: string,
    time: number,
  ) => number | undefined;
}

/** One closed bar of a series, with what the signal pipeline made of it. */
export interface BarInput {
  readonly candle: Candle;
  /** Emitted signal: 1 LONG, −1 SHORT, 0 none. */
  readonly signal: number;
  /** Regime code at the bar (0 low, 1 normal, 2 high): chooses the ladder and preset. */
  readonly regime: number;
}

/** An open trade (plain data). */
export interface OpenTrade {
  readonly id: string;
  readonly regime: Regime;
  readonly spec: LadderSpec;
  readonly presetHash: string;
  readonly notional: number;
  position: Position;
  sameBar: number;
}

/** An accepted entry waiting for the next bar's open (plain data). */
export interface PendingEntry {
  readonly id: string;
  readonly side: Side;
  readonly regime: number;
  readonly quantity: number;
}

/**
 * The part of the forming bar that in-progress updates already applied to a position: the last
 * price seen, the extremes seen and when. The closed bar then applies only what came after: its
 * open is the last price, and its high (low) counts only beyond the extremes already seen (a more
 * extreme value must have come later). Plain data.
 */
export interface Intrabar {
  readonly openTime: number;
  readonly time: number;
  readonly last: number;
  readonly high: number;
  readonly low: number;
}

/** An in-progress update of the forming bar of a series. */
export interface BarUpdate {
  /** Open time of the forming bar. */
  readonly openTime: number;
  /** Time of the update (event time), epoch ms. */
  readonly time: number;
  readonly open: number;
  /** High and low of the bar so far. */
  readonly high: number;
  readonly low: number;
  /** Last price. */
  readonly close: number;
}

/** The stretch of a bar after what `seen` covered, as a bar for `updatePosition`. */
function remainder(
  seen: Intrabar,
  now: { readonly high: number; readonly low: number; readonly close: number },
  openTime: number,
): Candle {
  const hi = Math.max(seen.last, now.close);
  const lo = Math.min(seen.last, now.close);
  return {
    openTime,
    open: seen.last,
    high: now.high > seen.high ? now.high : hi,
    low: now.low < seen.low ? now.low : lo,
    close: now.close,
    volume: 0,
  };
}

function applyUpdate(
  book: Book,
  s: number,
  candle: Candle,
  context: { readonly series: BookSeries; readonly options: EngineOptions },
  countBar: boolean,
): void {
  const trade = book.open[s]!;
  const { options, series } = context;
  const update = updatePosition(trade.position, candle, {
    spec: trade.spec,
    rule: options.rule,
    gapFills: options.gapFills,
    costs: options.costs,
  });
  trade.position = countBar ? update.position : {
    ...update.position,
    barsHeld: trade.position.barsHeld,
  };
  book.balance -= update.funding;
  if (update.sameBarDecided) {
    trade.sameBar++;
    book.sameBarDecided++;
  }
  for (const fill of update.fills) recordFill(book, trade.id, fill);
  if (update.closed) finishTrade(book, series, s);
}

/** The run's mutable state, kept in one place. */
class Book {
  balance: number;
  readonly open: (OpenTrade | undefined)[];
  readonly pending: (PendingEntry | undefined)[];
  readonly lastClose: Float64Array;
  /** What in-progress updates of the current bar already applied, per series. */
  readonly intrabar: (Intrabar | undefined)[];
  readonly trades: TradeRecord[] = [];
  readonly fills: FillRecord[] = [];
  readonly decisions: DecisionRecord[] = [];
  bars = 0;
  barsInPosition = 0;
  sameBarDecided = 0;
  detailResolved = 0;

  constructor(balance: number, seriesCount: number) {
    this.balance = balance;
    this.open = new Array(seriesCount).fill(undefined);
    this.pending = new Array(seriesCount).fill(undefined);
    this.lastClose = new Float64Array(seriesCount).fill(NaN);
    this.intrabar = new Array(seriesCount).fill(undefined);
  }

  equity(): number {
    let equity = this.balance;
    this.open.forEach((trade, s) => {
      if (trade !== undefined) {
        equity += unrealizedPnl(trade.position, this.lastClose[s]!);
      }
    });
    return equity;
  }
}

function recordFill(book: Book, id: string, fill: Fill): void {
  book.fills.push({ tradeId: id, ...fill });
  if (fill.kind !== "entry") book.balance += fill.pnl;
  book.balance -= fill.fee;
}

function finishTrade(book: Book, series: BookSeries, s: number): void {
  const trade = book.open[s]!;
  const p = trade.position;
  const last = book.fills[book.fills.length - 1]!;
  book.trades.push(tradeRecordOf(p, {
    id: trade.id,
    symbol: series.symbol,
    timeframe: series.timeframe,
    exitTime: p.exitTime ?? last.time,
    exitPrice: last.price,
    sameBarDecided: trade.sameBar,
    regime: trade.regime,
    presetHash: trade.presetHash,
  }));
  book.open[s] = undefined;
}

function views(book: Book, all: readonly BookSeries[]): OpenPositionView[] {
  const out: OpenPositionView[] = [];
  book.open.forEach((trade, s) => {
    if (trade === undefined) return;
    const series = all[s]!;
    const p = trade.position;
    out.push({
      seriesKey: `${series.symbol}:${series.timeframe}`,
      symbol: series.symbol,
      sector: series.sector,
      side: p.side,
      entryPrice: p.referencePrice,
      stop: p.stop,
      remainingNotional: p.quantity * p.remaining * p.referencePrice,
    });
  });
  return out;
}

/** Everything `onSignal` needs about the bar. */
interface SignalBar {
  readonly s: number;
  readonly candle: Candle;
  readonly regime: number;
  readonly time: number;
  readonly side: Side;
}

function onSignal(
  book: Book,
  bar: SignalBar,
  context: {
    readonly all: readonly BookSeries[];
    readonly options: EngineOptions;
  },
): void {
  const { all, options } = context;
  const { s, candle, time, side } = bar;
  const series = all[s]!;
  const price = candle.close;
  const openTrade = book.open[s];
  if (openTrade !== undefined && openTrade.position.side !== side) {
    const closed = closePosition(openTrade.position, price, {
      time,
      reason: "signal",
      costs: options.costs,
    });
    book.balance -= closed.funding;
    openTrade.position = closed.position;
    recordFill(book, openTrade.id, closed.fill);
    finishTrade(book, series, s);
  }
  const id = signalId(series.symbol, {
    timeframe: series.timeframe,
    openTime: candle.openTime,
    side,
  });
  const regime = bar.regime;
  const spec = series.ladders[regime]!;
  const levels = ladderPrices(side, price, spec);
  const independent = options.mode === "independent";
  const open = views(book, all);
  const equity = book.equity();
  const heatPct = portfolioHeatPercent(open, equity);
  const base = {
    time,
    signalId: id,
    symbol: series.symbol,
    timeframe: series.timeframe,
    side,
    heatPct,
    openPositions: open.length,
  };
  if (book.open[s] !== undefined) {
    book.decisions.push({
      ...base,
      accepted: false,
      rule: "series-open",
      detail: "same direction already open",
    });
    return;
  }
  if (series.active !== undefined && !series.active[regime]) {
    book.decisions.push({
      ...base,
      accepted: false,
      rule: "preset-inactive",
      detail: `the ${
        REGIMES[regime]
      } preset of ${series.symbol} ${series.timeframe} is inactive`,
    });
    return;
  }
  const sized = independent
    ? { ok: true as const, notional: equity }
    : fixedRiskSize({
      balance: equity,
      entry: price,
      stop: levels.stop,
      side,
      ...options.sizing,
    });
  if (!sized.ok) {
    book.decisions.push({
      ...base,
      accepted: false,
      rule: sized.rule,
      detail: sized.detail,
    });
    return;
  }
  if (!independent) {
    const correlation = options.correlation;
    const decision = evaluateEntry({
      candidate: {
        seriesKey: `${series.symbol}:${series.timeframe}`,
        symbol: series.symbol,
        sector: series.sector,
        side,
        entry: price,
        stop: levels.stop,
        notional: sized.notional,
      },
      open,
      equity,
      limits: options.limits,
      ...(correlation === undefined
        ? {}
        : { correlations: (a, b) => correlation(a, b, time) }),
    });
    if (!decision.accepted) {
      book.decisions.push({
        ...base,
        accepted: false,
        rule: decision.rule,
        detail: decision.detail,
      });
      return;
    }
  }
  book.decisions.push({ ...base, accepted: true, rule: "", detail: "" });
  const quantity = sized.notional / price;
  if (options.entry === "next-open") {
    book.pending[s] = { id, side, regime, quantity };
    return;
  }
  enter(book, { s, series, id, side, regime, quantity, price, time }, options);
}

function enter(
  book: Book,
  order: {
    readonly s: number;
    readonly series: BookSeries;
    readonly id: string;
    readonly side: Side;
    readonly regime: number;
    readonly quantity: number;
    readonly price: number;
    readonly time: number;
  },
  options: EngineOptions,
): void {
  const spec = order.series.ladders[order.regime]!;
  const opened = openPosition({
    side: order.side,
    entryPrice: order.price,
    entryTime: order.time,
    quantity: order.quantity,
    spec,
    costs: options.costs,
  });
  book.open[order.s] = {
    id: order.id,
    regime: REGIMES[order.regime]!,
    spec,
    presetHash: order.series.presetHashes[order.regime]!,
    notional: order.quantity * order.price,
    position: opened.position,
    sameBar: 0,
  };
  recordFill(book, order.id, opened.fill);
}

function onBar(
  book: Book,
  s: number,
  bar: BarInput,
  context: {
    readonly all: readonly BookSeries[];
    readonly options: EngineOptions;
  },
): void {
  const { all, options } = context;
  const series = all[s]!;
  const { candle } = bar;
  const pending = book.pending[s];
  if (pending !== undefined) {
    book.pending[s] = undefined;
    enter(book, {
      s,
      series,
      id: pending.id,
      side: pending.side,
      regime: pending.regime,
      quantity: pending.quantity,
      price: candle.open,
      time: candle.openTime,
    }, options);
  }
  book.lastClose[s] = candle.close;
  book.bars++;
  const trade = book.open[s];
  const seen = book.intrabar[s];
  book.intrabar[s] = undefined;
  if (
    trade !== undefined && seen !== undefined &&
    seen.openTime === candle.openTime
  ) {
    book.barsInPosition++;
    applyUpdate(
      book,
      s,
      remainder(seen, candle, seen.time),
      { series, options },
      true,
    );
  } else if (
    trade !== undefined && trade.position.entryTime <= candle.openTime
  ) {
    book.barsInPosition++;
    const update = updatePosition(trade.position, candle, {
      spec: trade.spec,
      rule: options.rule,
      gapFills: options.gapFills,
      costs: options.costs,
    });
    const fine = update.sameBarDecided && series.detail !== undefined
      ? replayDetail(trade.position, {
        detail: series.detail.candles,
        detailMs: series.detail.timeframeMs,
        openTime: candle.openTime,
        barMs: series.timeframeMs,
        spec: trade.spec,
        rule: options.rule,
        gapFills: options.gapFills,
        costs: options.costs,
      })
      : undefined;
    if (fine !== undefined) book.detailResolved++;
    const result = fine ?? update;
    trade.position = result.position;
    book.balance -= result.funding;
    if (result.sameBarDecided) {
      trade.sameBar++;
      book.sameBarDecided++;
    }
    for (const fill of result.fills) recordFill(book, trade.id, fill);
    if (result.closed) finishTrade(book, series, s);
  }
  const signal = bar.signal;
  if (signal !== 0) {
    const time = candle.openTime + series.timeframeMs;
    onSignal(
      book,
      {
        s,
        candle,
        regime: bar.regime,
        time,
        side: signal > 0 ? "LONG" : "SHORT",
      },
      context,
    );
  }
}

function onUpdate(
  book: Book,
  s: number,
  u: BarUpdate,
  context: { readonly series: BookSeries; readonly options: EngineOptions },
): boolean {
  const trade = book.open[s];
  if (trade === undefined || trade.position.entryTime > u.openTime) {
    return false;
  }
  const before = book.intrabar[s];
  const seen: Intrabar = before?.openTime === u.openTime ? before : {
    openTime: u.openTime,
    time: u.openTime,
    last: u.open,
    high: u.open,
    low: u.open,
  };
  if (u.time < seen.time || u.time < trade.position.lastFundingTime) {
    return false;
  }
  const fills = book.fills.length;
  applyUpdate(book, s, remainder(seen, u, u.time), context, false);
  book.intrabar[s] = book.open[s] === undefined ? undefined : {
    openTime: u.openTime,
    time: u.time,
    last: u.close,
    high: Math.max(seen.high, u.high),
    low: Math.min(seen.low, u.low),
  };
  return book.fills.length > fills;
}

/** The portfolio's whole state as plain data (what the daemon persists after every step). */
export interface BookState {
  readonly balance: number;
  /** Per series (in {@link BookSeries} order): the open trade, or null. */
  readonly open: readonly (OpenTrade | null)[];
  readonly pending: readonly (PendingEntry | null)[];
  /** Last close per series (NaN before its first bar). */
  readonly lastClose: readonly number[];
  /** What in-progress updates applied to each series' forming bar (absent: nothing). */
  readonly intrabar?: readonly (Intrabar | null)[];
  readonly bars: number;
  readonly barsInPosition: number;
  readonly sameBarDecided: number;
  readonly detailResolved: number;
}

/** Records produced since the last {@link PortfolioBook.drain}. */
export interface BookRecords {
  readonly trades: TradeRecord[];
  readonly fills: FillRecord[];
  readonly decisions: DecisionRecord[];
}

/** One paper portfolio over a fixed list of series, stepped one closed bar at a time. */
export class PortfolioBook {
  readonly #book: Book;
  readonly #all: readonly BookSeries[];
  readonly #options: EngineOptions;

  /**
   * @param series The series, in the order bars with equal close times are taken.
   * @param options Mode, balance, limits, sizing, costs and fill rules.
   * @param state A state from {@link snapshot} to resume from.
   * @throws {RangeError} When `state` does not have one entry per series.
   */
  constructor(
    series: readonly BookSeries[],
    options: EngineOptions,
    state?: BookState,
  ) {
    this.#all = series;
    this.#options = options;
    this.#book = new Book(options.initialBalance, series.length);
    if (state !== undefined) this.#restore(state);
  }

  #restore(state: BookState): void {
    const n = this.#all.length;
    if (
      state.open.length !== n || state.pending.length !== n ||
      state.lastClose.length !== n
    ) {
      throw new RangeError(
        `Cannot restore the portfolio as its state must hold ${n} series: current value holds ${state.open.length}`,
      );
    }
    const book = this.#book;
    book.balance = state.balance;
    state.open.forEach((t, s) => {
      book.open[s] = t === null ? undefined : { ...t };
    });
    state.pending.forEach((p, s) => {
      book.pending[s] = p ?? undefined;
    });
    state.lastClose.forEach((c, s) => {
      book.lastClose[s] = c;
    });
    state.intrabar?.forEach((x, s) => {
      book.intrabar[s] = x ?? undefined;
    });
    book.bars = state.bars;
    book.barsInPosition = state.barsInPosition;
    book.sameBarDecided = state.sameBarDecided;
    book.detailResolved = state.detailResolved;
  }

  /**
   * Applies one closed bar of series `s`.
   *
   * @param s The series' position.
   * @param bar The candle, its signal and regime.
   */
  onBar(s: number, bar: BarInput): void {
    onBar(this.#book, s, bar, { all: this.#all, options: this.#options });
  }

  /**
   * Applies an in-progress update of series `s`'s forming bar to its open position (TPs and stop
   * reached so far fill now, at their levels, by the same ladder rules); the closed bar later
   * applies only what came after. Updates older than the last applied one are ignored.
   *
   * @param s The series' position.
   * @param update The forming bar so far and the update's time.
   * @returns True when something filled.
   */
  onUpdate(s: number, update: BarUpdate): boolean {
    return onUpdate(this.#book, s, update, {
      series: this.#all[s]!,
      options: this.#options,
    });
  }

  /**
   * Closes series `s`'s open trade at a price (end of data, or a manual close).
   *
   * @param s The series' position.
   * @param price The exit price.
   * @param time The exit time.
   * @param reason The exit reason.
   */
  close(s: number, price: number, time: number, reason: CloseReason): void {
    const book = this.#book;
    const trade = book.open[s];
    if (trade === undefined) return;
    const closed = closePosition(trade.position, price, {
      time,
      reason,
      costs: this.#options.costs,
    });
    book.balance -= closed.funding;
    trade.position = closed.position;
    recordFill(book, trade.id, closed.fill);
    finishTrade(book, this.#all[s]!, s);
  }

  /** Drops entries waiting for a next open (the data ended). */
  clearPending(): void {
    this.#book.pending.fill(undefined);
  }

  /** Balance plus the open positions marked at their series' last close. */
  equity(): number {
    return this.#book.equity();
  }

  /** Realised balance. */
  get balance(): number {
    return this.#book.balance;
  }

  /** The open positions as the portfolio rules see them (heat, sectors, correlation). */
  openViews(): OpenPositionView[] {
    return views(this.#book, this.#all);
  }

  /**
   * The last close of a series (the price open positions are marked at).
   *
   * @param s The series' position.
   * @returns The price, NaN before the first bar.
   */
  lastPrice(s: number): number {
    return this.#book.lastClose[s] ?? NaN;
  }

  /** The open trade of each series (undefined when flat). */
  get open(): readonly (OpenTrade | undefined)[] {
    return this.#book.open;
  }

  /** Counters: bars, bars in position, bars decided by the same-bar rule, finer replays. */
  get counters(): {
    bars: number;
    barsInPosition: number;
    sameBarDecided: number;
    detailResolved: number;
  } {
    const b = this.#book;
    return {
      bars: b.bars,
      barsInPosition: b.barsInPosition,
      sameBarDecided: b.sameBarDecided,
      detailResolved: b.detailResolved,
    };
  }

  /**
   * The records produced since the last call (all of them on the first call), then forgets them.
   *
   * @returns Trades, fills and decisions in the order they happened.
   */
  drain(): BookRecords {
    const b = this.#book;
    const out = {
      trades: b.trades.splice(0),
      fills: b.fills.splice(0),
      decisions: b.decisions.splice(0),
    };
    return out;
  }

  /** The whole state as plain data. */
  snapshot(): BookState {
    const b = this.#book;
    return {
      balance: b.balance,
      open: b.open.map((t) => (t === undefined ? null : { ...t })),
      pending: b.pending.map((p) => p ?? null),
      lastClose: Array.from(b.lastClose),
      intrabar: b.intrabar.map((x) => x ?? null),
      bars: b.bars,
      barsInPosition: b.barsInPosition,
      sameBarDecided: b.sameBarDecided,
      detailResolved: b.detailResolved,
    };
  }
}
