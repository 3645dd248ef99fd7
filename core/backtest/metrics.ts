/**
 * Backtest metrics (DESIGN §2 "Metrics", fixing spec §8.4 and §13.5): the trade-list figures of
 * `metrics_trades.ts` and the daily-equity figures of `metrics_equity.ts` in one record, plus the
 * composite score and acceptance rules of `metrics_score.ts`.
 *
 * Differences from the original (spec §8.4): returns compound through the equity curve in
 * currency instead of summing trade percents; Sharpe and Sortino come from DAILY equity returns
 * annualised with √365 instead of per-trade returns × √252; the maximum drawdown is a positive
 * percent with dates and a duration in time instead of a negative number and a count of trades;
 * the profit factor is in currency.
 *
 * @example
 * ```ts
 * const metrics = computeMetrics(result.trades, { equity: result.equity, facts: result.facts });
 * const { score } = compositeScore(metrics);
 * const accepted = isAccepted(acceptance(metrics));
 * ```
 *
 * @module
 */
import type { EquityPoint } from "./records.ts";
import {
  type EquityMetrics,
  equityMetrics,
  type MetricsFacts,
} from "./metrics_equity.ts";
import {
  type MetricsTrade,
  type TradeMetrics,
  tradeMetrics,
} from "./metrics_trades.ts";

export type { EquityPoint, RunFacts, TradeRecord } from "./records.ts";
export type {
  DrawdownEpisode,
  EquityMetrics,
  MetricsFacts,
  MonthlyReturn,
} from "./metrics_equity.ts";
export {
  cagrPercent,
  dailyReturns,
  equityMetrics,
  maxDrawdown,
  monthlyReturns,
  sharpeRatio,
  sortinoRatio,
} from "./metrics_equity.ts";
export type {
  MetricsTrade,
  SideStats,
  TpRates,
  TradeMetrics,
} from "./metrics_trades.ts";
export { profitFactor, tradeMetrics } from "./metrics_trades.ts";
export type {
  AcceptanceCheck,
  AcceptanceRule,
  AcceptanceThresholds,
  ScoreBreakdown,
  ScoreInputs,
  ScoreWeights,
} from "./metrics_score.ts";
export {
  acceptance,
  compositeScore,
  DEFAULT_ACCEPTANCE,
  DEFAULT_SCORE_WEIGHTS,
  isAccepted,
} from "./metrics_score.ts";

/** All metrics of one run (portfolio or one series). */
export type Metrics = TradeMetrics & EquityMetrics;

/** The equity side of a run. */
export interface MetricsRun {
  /** Daily equity points, one per UTC day, time strictly ascending. */
  readonly equity: readonly EquityPoint[];
  readonly facts: MetricsFacts;
}

/**
 * Computes every metric of a run.
 *
 * @param trades Closed trades of the run (any order).
 * @param run The daily equity curve and the run facts.
 * @returns Trade and equity metrics in one record.
 * @throws {RangeError} On a bad trade, initial equity, bar count or equity point (see
 *   `tradeMetrics` and `equityMetrics`).
 */
export function computeMetrics(
  trades: readonly MetricsTrade[],
  run: MetricsRun,
): Metrics {
  return {
    ...tradeMetrics(trades),
    ...equityMetrics(run.equity, run.facts),
  };
}
