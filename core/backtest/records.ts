/**
 * Plain records a backtest produces: trades, fills, decisions and daily equity. They survive
 * `postMessage` and are what the output writers, the metrics and the reports read.
 *
 * @module
 */
import type { Regime, Side } from "../types.ts";

/** One closed trade. */
export interface TradeRecord {
  /** The entry signal's id (`{SYMBOL}-{tf}-{openTimeMs}-{L|S}`). */
  readonly id: string;
  /** `SYMBOL:tf`. */
  readonly seriesKey: string;
  readonly symbol: string;
  readonly timeframe: string;
  readonly side: Side;
  /** Time of the entry fill, epoch ms. */
  readonly entryTime: number;
  /** Entry fill price (slippage included). */
  readonly entryPrice: number;
  /** Time of the last exit fill, epoch ms. */
  readonly exitTime: number;
  /** Price of the last exit fill. */
  readonly exitPrice: number;
  /** tp6, tp, stop, breakeven, trailing-stop, signal, end-of-data or manual. */
  readonly exitReason: string;
  /** TPs filled, 0..6. */
  readonly tpHits: number;
  /** Net PnL (gross minus fees and funding), quote currency. */
  readonly pnlQuote: number;
  /** Net PnL in percent of the entry notional. */
  readonly pnlPct: number;
  readonly feesQuote: number;
  readonly fundingQuote: number;
  /** Entry notional, quote currency. */
  readonly notional: number;
  readonly barsHeld: number;
  /** Bars of this trade where the same-bar rule decided the outcome. */
  readonly sameBarDecided: number;
  /** Regime at the signal bar, which chose the preset. */
  readonly regime: Regime;
  /** Content hash of the preset that produced the signal. */
  readonly presetHash: string;
}

/** One fill of a trade. */
export interface FillRecord {
  readonly tradeId: string;
  readonly time: number;
  readonly kind: "entry" | "tp" | "stop" | "close";
  readonly tpIndex?: number;
  readonly price: number;
  readonly quantity: number;
  readonly fee: number;
  /** Gross PnL of this fill against the entry price. */
  readonly pnl: number;
}

/** The decision taken on one emitted signal. */
export interface DecisionRecord {
  /** Signal bar close time, epoch ms. */
  readonly time: number;
  readonly signalId: string;
  readonly symbol: string;
  readonly timeframe: string;
  readonly side: Side;
  readonly accepted: boolean;
  /** The rule that refused the signal, or "" when accepted. */
  readonly rule: string;
  readonly detail: string;
  /** Portfolio heat before the decision, percent of equity. */
  readonly heatPct: number;
  /** Open positions before the decision. */
  readonly openPositions: number;
}

/** Equity at the end of one UTC day. */
export interface EquityPoint {
  /** The day's start, 00:00 UTC, epoch ms. */
  readonly time: number;
  readonly equity: number;
}

/** Counters of a run that metrics need besides trades and equity. */
export interface RunFacts {
  readonly initialEquity: number;
  readonly startTime: number;
  readonly endTime: number;
  /** Bar events processed (all series). */
  readonly bars: number;
  /** Bar events on which the series had an open position. */
  readonly barsInPosition: number;
  /** Bars on which the same-bar rule decided an outcome. */
  readonly sameBarDecided: number;
  /** Bars resolved by replaying finer candles instead of the rule (0 without detail data). */
  readonly detailResolved?: number;
}

/** Everything a backtest run returns. */
export interface BacktestResult {
  readonly trades: readonly TradeRecord[];
  readonly fills: readonly FillRecord[];
  readonly decisions: readonly DecisionRecord[];
  readonly equity: readonly EquityPoint[];
  readonly facts: RunFacts;
  readonly finalEquity: number;
}
