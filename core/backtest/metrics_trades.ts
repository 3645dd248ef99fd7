/**
 * Trade-list metrics of a backtest (DESIGN §2 "Metrics", fixing spec §8.4 and §13.5): counts, win
 * rates, WinRate TP1…TP6, profit factor in currency, expectancy, streaks, costs, exit reasons and
 * the long/short split.
 *
 * A trade wins when its net PnL (after fees and funding) is above 0, loses below 0 and is a
 * breakeven at exactly 0; the same split decides every "win"/"loss" figure below, so breakevens
 * are neither (the original counted them as losses in the expectancy but not in the average loss).
 * Percents are percent numbers (2.5 means 2.5 %).
 *
 * @module
 */
import type { TradeRecord } from "./records.ts";

/** The trade fields the metrics read; a full {@linkcode TradeRecord} fits. */
export type MetricsTrade = Pick<
  TradeRecord,
  | "side"
  | "exitTime"
  | "exitReason"
  | "tpHits"
  | "pnlQuote"
  | "pnlPct"
  | "feesQuote"
  | "fundingQuote"
  | "barsHeld"
  | "sameBarDecided"
>;

/** One value per take-profit level, TP1 first. */
export type TpRates = readonly [number, number, number, number, number, number];

/** Counts of one side (LONG or SHORT). */
export interface SideStats {
  readonly trades: number;
  /** Winners in percent of this side's trades (0 without trades). */
  readonly winRate: number;
  readonly netProfitQuote: number;
}

/** Metrics computed from the closed trades alone. */
export interface TradeMetrics {
  readonly totalTrades: number;
  /** Trades with net PnL above 0. */
  readonly wins: number;
  /** Trades with net PnL below 0. */
  readonly losses: number;
  /** Trades with net PnL exactly 0. */
  readonly breakevens: number;
  /** Wins in percent of all trades (0 without trades). */
  readonly winRate: number;
  /** Percent of all trades (every exit type) whose TP hits reached TPk, k = 1..6. */
  readonly winRateTp: TpRates;
  /** Σ net PnL, quote currency. */
  readonly netProfitQuote: number;
  /** Σ net PnL of the winners. */
  readonly grossProfitQuote: number;
  /** |Σ net PnL of the losers|, a positive number. */
  readonly grossLossQuote: number;
  /** Gross profit / gross loss in currency; Infinity with profit and no loss, 0 with neither. */
  readonly profitFactor: number;
  /** Mean net PnL per trade, quote currency (0 without trades). */
  readonly expectancyQuote: number;
  /** Mean net PnL per trade in percent of its entry notional (0 without trades). */
  readonly expectancyPct: number;
  /** Mean percent PnL of the winners (0 without winners). */
  readonly avgWinPct: number;
  /** Mean percent PnL of the losers, negative (0 without losers). */
  readonly avgLossPct: number;
  /** Largest net PnL of a winner, quote (0 without winners). */
  readonly largestWinQuote: number;
  /** Most negative net PnL of a loser, quote (0 without losers). */
  readonly largestLossQuote: number;
  /** Largest percent PnL of a winner (0 without winners). */
  readonly largestWinPct: number;
  /** Most negative percent PnL of a loser (0 without losers). */
  readonly largestLossPct: number;
  /** Longest run of winners in exit-time order; a breakeven ends a run. */
  readonly maxConsecutiveWins: number;
  /** Longest run of losers in exit-time order; a breakeven ends a run. */
  readonly maxConsecutiveLosses: number;
  /** Σ fees paid, quote. */
  readonly feesQuote: number;
  /** Σ funding paid, quote. */
  readonly fundingQuote: number;
  /** Mean bars held (0 without trades). */
  readonly avgBarsHeld: number;
  /** Trades per exit reason. */
  readonly exitReasons: Readonly<Record<string, number>>;
  readonly long: SideStats;
  readonly short: SideStats;
  /** Σ of the trades' bars decided by the same-bar rule. */
  readonly sameBarDecidedBars: number;
}

/** Number of take-profit levels of the ladder. */
export const TP_LEVELS = 6;

function checkTrade(trade: MetricsTrade, index: number): void {
  const { tpHits, pnlQuote, pnlPct } = trade;
  if (!Number.isInteger(tpHits) || tpHits < 0 || tpHits > TP_LEVELS) {
    throw new RangeError(
      `Cannot compute metrics as 'trades[${index}].tpHits' must be an integer from 0 to 6: current value is ${tpHits}`,
    );
  }
  if (!Number.isFinite(pnlQuote)) {
    throw new RangeError(
      `Cannot compute metrics as 'trades[${index}].pnlQuote' must be a finite number: current value is ${pnlQuote}`,
    );
  }
  if (!Number.isFinite(pnlPct)) {
    throw new RangeError(
      `Cannot compute metrics as 'trades[${index}].pnlPct' must be a finite number: current value is ${pnlPct}`,
    );
  }
}

function percentOf(part: number, whole: number): number {
  return whole === 0 ? 0 : (part * 100) / whole;
}

/**
 * Profit factor in currency.
 *
 * @param grossProfit Σ of the winners' PnL (≥ 0).
 * @param grossLoss |Σ of the losers' PnL| (≥ 0).
 * @returns grossProfit / grossLoss; Infinity when there is profit and no loss; 0 when neither.
 */
export function profitFactor(grossProfit: number, grossLoss: number): number {
  if (grossLoss > 0) return grossProfit / grossLoss;
  return grossProfit > 0 ? Infinity : 0;
}

function streaks(trades: readonly MetricsTrade[]): [number, number] {
  const order = trades.map((_, i) => i);
  let sorted = true;
  for (let i = 1; i < trades.length && sorted; i++) {
    sorted = trades[i - 1]!.exitTime <= trades[i]!.exitTime;
  }
  // Array sort is stable: trades closing at the same time keep their input order.
  if (!sorted) order.sort((a, b) => trades[a]!.exitTime - trades[b]!.exitTime);
  let wins = 0;
  let losses = 0;
  let bestWins = 0;
  let bestLosses = 0;
  for (const i of order) {
    const pnl = trades[i]!.pnlQuote;
    wins = pnl > 0 ? wins + 1 : 0;
    losses = pnl < 0 ? losses + 1 : 0;
    if (wins > bestWins) bestWins = wins;
    if (losses > bestLosses) bestLosses = losses;
  }
  return [bestWins, bestLosses];
}

function sideStats(trades: number, wins: number, net: number): SideStats {
  return { trades, winRate: percentOf(wins, trades), netProfitQuote: net };
}

/**
 * Computes the metrics of a list of closed trades.
 *
 * @param trades Closed trades, in any order (streaks follow exit time).
 * @returns The trade metrics; every figure is 0 (and `exitReasons` empty) without trades.
 * @throws {RangeError} When a trade has `tpHits` outside 0..6 or a non-finite PnL.
 */
export function tradeMetrics(trades: readonly MetricsTrade[]): TradeMetrics {
  const n = trades.length;
  const tpCounts = [0, 0, 0, 0, 0, 0];
  const reasons = new Map<string, number>();
  let wins = 0, losses = 0;
  let net = 0, grossProfit = 0, grossLoss = 0;
  let sumPct = 0, winPct = 0, lossPct = 0;
  let largestWinQuote = 0, largestLossQuote = 0;
  let largestWinPct = 0, largestLossPct = 0;
  let fees = 0, funding = 0, bars = 0, sameBar = 0;
  let longs = 0, longWins = 0, longNet = 0;
  let shortWins = 0, shortNet = 0;
  trades.forEach((trade, index) => {
    checkTrade(trade, index);
    const { pnlQuote, pnlPct } = trade;
    net += pnlQuote;
    sumPct += pnlPct;
    if (pnlQuote > 0) {
      wins++;
      grossProfit += pnlQuote;
      winPct += pnlPct;
      largestWinQuote = Math.max(largestWinQuote, pnlQuote);
      largestWinPct = Math.max(largestWinPct, pnlPct);
    } else if (pnlQuote < 0) {
      losses++;
      grossLoss -= pnlQuote;
      lossPct += pnlPct;
      largestLossQuote = Math.min(largestLossQuote, pnlQuote);
      largestLossPct = Math.min(largestLossPct, pnlPct);
    }
    for (let k = 0; k < trade.tpHits; k++) tpCounts[k]!++;
    reasons.set(trade.exitReason, (reasons.get(trade.exitReason) ?? 0) + 1);
    fees += trade.feesQuote;
    funding += trade.fundingQuote;
    bars += trade.barsHeld;
    sameBar += trade.sameBarDecided;
    if (trade.side === "LONG") {
      longs++;
      longNet += pnlQuote;
      if (pnlQuote > 0) longWins++;
    } else {
      shortNet += pnlQuote;
      if (pnlQuote > 0) shortWins++;
    }
  });
  const [maxConsecutiveWins, maxConsecutiveLosses] = streaks(trades);
  const rate = (count: number): number => percentOf(count, n);
  return {
    totalTrades: n,
    wins,
    losses,
    breakevens: n - wins - losses,
    winRate: rate(wins),
    winRateTp: [
      rate(tpCounts[0]!),
      rate(tpCounts[1]!),
      rate(tpCounts[2]!),
      rate(tpCounts[3]!),
      rate(tpCounts[4]!),
      rate(tpCounts[5]!),
    ],
    netProfitQuote: net,
    grossProfitQuote: grossProfit,
    grossLossQuote: grossLoss,
    profitFactor: profitFactor(grossProfit, grossLoss),
    expectancyQuote: n === 0 ? 0 : net / n,
    expectancyPct: n === 0 ? 0 : sumPct / n,
    avgWinPct: wins === 0 ? 0 : winPct / wins,
    avgLossPct: losses === 0 ? 0 : lossPct / losses,
    largestWinQuote,
    largestLossQuote,
    largestWinPct,
    largestLossPct,
    maxConsecutiveWins,
    maxConsecutiveLosses,
    feesQuote: fees,
    fundingQuote: funding,
    avgBarsHeld: n === 0 ? 0 : bars / n,
    exitReasons: Object.fromEntries(reasons),
    long: sideStats(longs, longWins, longNet),
    short: sideStats(n - longs, shortWins, shortNet),
    sameBarDecidedBars: sameBar,
  };
}
