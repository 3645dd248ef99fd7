/**
 * The backtest engine: every series together, bar by bar in candle-close time order, under the
 * portfolio rules and sizing, with the same ladder, cost and portfolio functions the live daemon
 * uses. Signals are an input (one per bar, already through the state machine and filters), so the
 * execution can be checked by hand on a short series.
 *
 * At each bar close, for that series: (1) a pending next-open entry fills at the bar's open;
 * (2) an open position is updated with the bar (TPs, stop, same-bar rule, gaps, funding);
 * (3) a signal closes an opposite position at the bar's close, then asks the portfolio for an
 * entry (decision record either way). Bars with equal close times are taken in series order.
 * Partial TP profits go to the balance when they fill. Positions still open when the data ends
 * close at their series' last close ("end-of-data").
 *
 * @module
 */
import type { CostModel } from "../costs.ts";
import {
  closePosition,
  type Fill,
  ladderPrices,
  type LadderSpec,
  openPosition,
  type Position,
  type SameBarRule,
  unrealizedPnl,
  updatePosition,
} from "../ladder.ts";
import {
  evaluateEntry,
  type OpenPositionView,
  portfolioHeatPercent,
  type PortfolioLimits,
} from "../portfolio.ts";
import { candleAt, REGIMES } from "../types.ts";
import type { CandleColumns, Regime, Side } from "../types.ts";
import { signalId } from "../signals.ts";
import { fixedRiskSize } from "../sizing.ts";
import { DailyEquity } from "./daily_equity.ts";
import { replayDetail } from "./detail_replay.ts";
import type {
  BacktestResult,
  DecisionRecord,
  FillRecord,
  TradeRecord,
} from "./records.ts";
import { tradeRecordOf } from "./trade_record.ts";

/** One series as the engine needs it. */
export interface EngineSeries {
  readonly symbol: string;
  readonly timeframe: string;
  /** Candle length in ms. */
  readonly timeframeMs: number;
  readonly sector: string;
  readonly candles: CandleColumns;
  /** Emitted signal per bar: 1 LONG, −1 SHORT, 0 none. */
  readonly signal: Int8Array;
  /** Regime code per bar (0 low, 1 normal, 2 high): chooses the ladder and preset. */
  readonly regime: Uint8Array;
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

interface OpenTrade {
  readonly id: string;
  readonly regime: Regime;
  readonly spec: LadderSpec;
  readonly presetHash: string;
  readonly notional: number;
  position: Position;
  sameBar: number;
}

interface PendingEntry {
  readonly id: string;
  readonly side: Side;
  readonly regime: number;
  readonly quantity: number;
}

/** The run's mutable state, kept in one place. */
class Book {
  balance: number;
  readonly open: (OpenTrade | undefined)[];
  readonly pending: (PendingEntry | undefined)[];
  readonly lastClose: Float64Array;
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

function finishTrade(book: Book, series: EngineSeries, s: number): void {
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

function views(book: Book, all: readonly EngineSeries[]): OpenPositionView[] {
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
  readonly t: number;
  readonly time: number;
  readonly side: Side;
}

function onSignal(
  book: Book,
  bar: SignalBar,
  context: {
    readonly all: readonly EngineSeries[];
    readonly options: EngineOptions;
  },
): void {
  const { all, options } = context;
  const { s, t, time, side } = bar;
  const series = all[s]!;
  const price = series.candles.close[t]!;
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
    openTime: series.candles.openTime[t]!,
    side,
  });
  const regime = series.regime[t]!;
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
    readonly series: EngineSeries;
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
  bar: { readonly s: number; readonly t: number },
  context: {
    readonly all: readonly EngineSeries[];
    readonly options: EngineOptions;
  },
): void {
  const { s, t } = bar;
  const { all, options } = context;
  const series = all[s]!;
  const c = series.candles;
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
      price: c.open[t]!,
      time: c.openTime[t]!,
    }, options);
  }
  book.lastClose[s] = c.close[t]!;
  book.bars++;
  const trade = book.open[s];
  if (trade !== undefined && trade.position.entryTime <= c.openTime[t]!) {
    book.barsInPosition++;
    const update = updatePosition(trade.position, candleAt(c, t), {
      spec: trade.spec,
      rule: options.rule,
      gapFills: options.gapFills,
      costs: options.costs,
    });
    const fine = update.sameBarDecided && series.detail !== undefined
      ? replayDetail(trade.position, {
        detail: series.detail.candles,
        detailMs: series.detail.timeframeMs,
        openTime: c.openTime[t]!,
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
  const signal = series.signal[t]!;
  if (signal !== 0) {
    const time = c.openTime[t]! + series.timeframeMs;
    onSignal(
      book,
      { s, t, time, side: signal > 0 ? "LONG" : "SHORT" },
      context,
    );
  }
}

function runBook(
  all: readonly EngineSeries[],
  options: EngineOptions,
): BacktestResult {
  const book = new Book(options.initialBalance, all.length);
  const next = new Int32Array(all.length);
  const daily = new DailyEquity(options.initialBalance);
  let startTime = Infinity;
  let endTime = -Infinity;
  for (;;) {
    let best = -1;
    let bestTime = Infinity;
    for (let s = 0; s < all.length; s++) {
      const series = all[s]!;
      const t = next[s]!;
      if (t >= series.candles.close.length) continue;
      const time = series.candles.openTime[t]! + series.timeframeMs;
      if (time < bestTime) {
        bestTime = time;
        best = s;
      }
    }
    if (best < 0) break;
    if (bestTime < startTime) startTime = bestTime;
    endTime = bestTime;
    daily.advance(bestTime, () => book.equity());
    onBar(book, { s: best, t: next[best]! }, { all, options });
    next[best]!++;
  }
  book.open.forEach((trade, s) => {
    if (trade === undefined) return;
    const series = all[s]!;
    const n = series.candles.close.length;
    const time = series.candles.openTime[n - 1]! + series.timeframeMs;
    const closed = closePosition(trade.position, series.candles.close[n - 1]!, {
      time,
      reason: "end-of-data",
      costs: options.costs,
    });
    book.balance -= closed.funding;
    trade.position = closed.position;
    recordFill(book, trade.id, closed.fill);
    finishTrade(book, series, s);
  });
  book.pending.fill(undefined);
  const finalEquity = book.equity();
  daily.finish(endTime, finalEquity);
  return {
    trades: book.trades,
    fills: book.fills,
    decisions: book.decisions,
    equity: daily.points,
    facts: {
      initialEquity: options.initialBalance,
      startTime: Number.isFinite(startTime) ? startTime : 0,
      endTime: Number.isFinite(endTime) ? endTime : 0,
      bars: book.bars,
      barsInPosition: book.barsInPosition,
      sameBarDecided: book.sameBarDecided,
      detailResolved: book.detailResolved,
    },
    finalEquity,
  };
}

/**
 * Runs a backtest over the given series.
 *
 * @param series The series, each with its per-bar signals, regimes and ladders.
 * @param options Mode, balance, limits, sizing, costs and fill rules.
 * @returns Trades, fills, decisions, daily equity and run facts. In `independent` mode every
 *   series runs alone on its own `initialBalance` with 100 % of its equity per trade and no
 *   portfolio rules; the result holds one entry per series, in order.
 */
export function runBacktest(
  series: readonly EngineSeries[],
  options: EngineOptions,
): BacktestResult[] {
  if (options.mode === "independent") {
    return series.map((one) => runBook([one], options));
  }
  return [runBook(series, options)];
}
