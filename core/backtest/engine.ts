/**
 * The backtest engine: every series together, bar by bar in candle-close time order, through the
 * same {@link PortfolioBook} the live daemon's portfolio actor steps (portfolio rules, sizing,
 * ladder, costs). Signals are an input (one per bar, already through the state machine and
 * filters), so the execution can be checked by hand on a short series.
 *
 * Bars with equal close times are taken in series order. Positions still open when the data ends
 * close at their series' last close ("end-of-data").
 *
 * @module
 */
import {
  type BookSeries,
  type EngineOptions,
  PortfolioBook,
} from "../portfolio_book.ts";
import { candleAt, type CandleColumns } from "../types.ts";
import { DailyEquity } from "./daily_equity.ts";
import type { BacktestResult } from "./records.ts";

export type { EngineOptions } from "../portfolio_book.ts";

/** One series as the engine needs it: the book's series plus its whole columns. */
export interface EngineSeries extends BookSeries {
  readonly candles: CandleColumns;
  /** Emitted signal per bar: 1 LONG, −1 SHORT, 0 none. */
  readonly signal: Int8Array;
  /** Regime code per bar (0 low, 1 normal, 2 high): chooses the ladder and preset. */
  readonly regime: Uint8Array;
}

function runBook(
  all: readonly EngineSeries[],
  options: EngineOptions,
  closeAtEnd: boolean,
): BacktestResult {
  const book = new PortfolioBook(all, options);
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
    const series = all[best]!;
    const t = next[best]!;
    book.onBar(best, {
      candle: candleAt(series.candles, t),
      signal: series.signal[t]!,
      regime: series.regime[t]!,
    });
    next[best]!++;
  }
  all.forEach((series, s) => {
    const n = series.candles.close.length;
    if (n === 0 || !closeAtEnd) return;
    const time = series.candles.openTime[n - 1]! + series.timeframeMs;
    book.close(s, series.candles.close[n - 1]!, time, "end-of-data");
  });
  if (closeAtEnd) book.clearPending();
  const finalEquity = book.equity();
  daily.finish(endTime, finalEquity);
  const { trades, fills, decisions } = book.drain();
  return {
    trades,
    fills,
    decisions,
    equity: daily.points,
    facts: {
      initialEquity: options.initialBalance,
      startTime: Number.isFinite(startTime) ? startTime : 0,
      endTime: Number.isFinite(endTime) ? endTime : 0,
      ...book.counters,
    },
    finalEquity,
  };
}

/**
 * Runs a backtest over the given series.
 *
 * @param series The series, each with its per-bar signals, regimes and ladders.
 * @param options Mode, balance, limits, sizing, costs and fill rules.
 * @param end `closeAtEnd: false` leaves positions open when the data ends (their equity marked
 *   at the last close), as a running daemon has them; default true.
 * @returns Trades, fills, decisions, daily equity and run facts. In `independent` mode every
 *   series runs alone on its own `initialBalance` with 100 % of its equity per trade and no
 *   portfolio rules; the result holds one entry per series, in order.
 */
export function runBacktest(
  series: readonly EngineSeries[],
  options: EngineOptions,
  end: { readonly closeAtEnd?: boolean } = {},
): BacktestResult[] {
  const close = end.closeAtEnd ?? true;
  if (options.mode === "independent") {
    return series.map((one) => runBook([one], options, close));
  }
  return [runBook(series, options, close)];
}
