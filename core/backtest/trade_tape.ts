/**
 * Trade tapes: one preset's trades over a series as typed columns, and the optimizer's metrics of
 * any selection of them (a time range of signal bars, one regime or all).
 *
 * The optimizer scores a selection as if it traded alone with 100 % of its equity, compounding:
 * each trade multiplies equity by (1 + its net return on notional), booked on its exit day. Daily
 * equity covers every UTC day from the range's first day to its last day (or the last exit when a
 * trade runs past the range), so Sharpe counts flat days too, exactly as the backtester's daily
 * Sharpe does (√365, sample stdev). Max drawdown is on that realised daily equity (positive
 * percent), the profit factor is in currency and WinRate TP1 counts trades that reached TP1.
 *
 * @module
 */
import { DAY_MS, sharpeRatio } from "./metrics_equity.ts";
import { compositeScore, type ScoreWeights } from "./metrics_score.ts";
import { profitFactor } from "./metrics_trades.ts";
import type { TradeRecord } from "./records.ts";

/** One preset's trades as columns, in entry order. */
export interface TradeTape {
  readonly count: number;
  /** Open time of each trade's signal bar, epoch ms. */
  readonly signalTime: Float64Array;
  /** Exit time, epoch ms. */
  readonly exitTime: Float64Array;
  /** Net return on the entry notional, a fraction (pnlPct / 100). */
  readonly ret: Float64Array;
  /** TPs hit, 0..6. */
  readonly tpHits: Uint8Array;
  /** Regime code at the signal (0 low, 1 normal, 2 high). */
  readonly regime: Uint8Array;
}

/** A tape of `n` zeroed trades, to be filled in. */
function emptyTape(n: number) {
  return {
    count: n,
    signalTime: new Float64Array(n),
    exitTime: new Float64Array(n),
    ret: new Float64Array(n),
    tpHits: new Uint8Array(n),
    regime: new Uint8Array(n),
  };
}

/** Regime codes by name. */
const REGIME_CODE: Readonly<Record<string, number>> = {
  low: 0,
  normal: 1,
  high: 2,
};

/**
 * The tape of a trade list.
 *
 * @param trades Trades of one preset over one series, entry order.
 * @param timeframeMs Bar length; the signal bar opens one bar before the entry (close entry).
 * @returns The columns.
 */
export function tapeOf(
  trades: readonly TradeRecord[],
  timeframeMs: number,
): TradeTape {
  const n = trades.length;
  const tape = emptyTape(n);
  for (let i = 0; i < n; i++) {
    const t = trades[i]!;
    tape.signalTime[i] = t.entryTime - timeframeMs;
    tape.exitTime[i] = t.exitTime;
    tape.ret[i] = t.pnlPct / 100;
    tape.tpHits[i] = t.tpHits;
    tape.regime[i] = REGIME_CODE[t.regime] ?? 1;
  }
  return tape;
}

/** Which trades of a tape count: signal bars in [from, to) of one regime (or all, -1). */
export interface TapeSelection {
  readonly from: number;
  readonly to: number;
  /** 0 low, 1 normal, 2 high, -1 every regime. */
  readonly regime: number;
}

/** The optimizer's figures of one selection. */
export interface SelectionMetrics {
  readonly totalTrades: number;
  /** Percent of trades that reached TP1..TP6 (only TP1 is filled in; the rest 0). */
  readonly winRateTp: readonly [number, number, number, number, number, number];
  readonly profitFactor: number;
  readonly sharpe: number;
  readonly maxDrawdownPct: number;
  readonly totalReturnPct: number;
  /** Composite score (spec §8.5, drawdown sign fixed); 0 without trades. */
  readonly score: number;
}

/** Scratch buffers reused across selections. */
export class TapeScratch {
  #factors = new Float64Array(0);
  #returns = new Float64Array(0);

  /** Per-day growth factors, filled with 1. */
  factors(days: number): Float64Array {
    if (this.#factors.length < days) {
      this.#factors = new Float64Array(
        Math.max(days, this.#factors.length * 2),
      );
      this.#returns = new Float64Array(this.#factors.length);
    }
    const view = this.#factors.subarray(0, days);
    view.fill(1);
    return view;
  }

  /** Daily returns buffer of the same capacity. */
  returns(days: number): Float64Array {
    return this.#returns.subarray(0, days);
  }
}

const EMPTY: SelectionMetrics = Object.freeze({
  totalTrades: 0,
  winRateTp: Object.freeze([0, 0, 0, 0, 0, 0]) as unknown as SelectionMetrics[
    "winRateTp"
  ],
  profitFactor: 0,
  sharpe: 0,
  maxDrawdownPct: 0,
  totalReturnPct: 0,
  score: 0,
});

/** The metrics of nothing traded. */
export function emptySelectionMetrics(): SelectionMetrics {
  return EMPTY;
}

/**
 * The UTC day index of a time.
 *
 * @param time Epoch ms.
 * @returns floor(time / day).
 */
export function dayIndex(time: number): number {
  return Math.floor(time / DAY_MS);
}

/**
 * Metrics of one tape's selection.
 *
 * @param tape The trades.
 * @param selection Signal range and regime.
 * @param weights Score weights.
 * @param scratch Reused buffers.
 * @returns The figures.
 */
export function selectionMetrics(
  tape: TradeTape,
  selection: TapeSelection,
  weights: ScoreWeights,
  scratch: TapeScratch,
): SelectionMetrics {
  const { from, to, regime } = selection;
  const first = lowerBound(tape.signalTime, from);
  const end = lowerBound(tape.signalTime, to);
  let count = 0;
  let lastExit = -Infinity;
  for (let i = first; i < end; i++) {
    if (regime >= 0 && tape.regime[i] !== regime) continue;
    count++;
    lastExit = tape.exitTime[i]!;
  }
  if (count === 0) return EMPTY;
  const firstDay = dayIndex(from);
  const lastDay = Math.max(dayIndex(to - 1), dayIndex(lastExit));
  const factors = scratch.factors(lastDay - firstDay + 1);
  let equity = 1;
  let gains = 0, losses = 0, tp1 = 0;
  for (let i = first; i < end; i++) {
    if (regime >= 0 && tape.regime[i] !== regime) continue;
    const r = tape.ret[i]!;
    const pnl = equity * r;
    if (pnl > 0) gains += pnl;
    else losses -= pnl;
    equity += pnl;
    if (tape.tpHits[i]! >= 1) tp1++;
    factors[dayIndex(tape.exitTime[i]!) - firstDay]! *= 1 + r;
  }
  return finish(factors, { count, tp1, gains, losses, weights, scratch });
}

/**
 * One tape of chosen trades from several tapes, in signal order (then exit order), e.g. the
 * walk-forward's pooled out-of-sample trades. Trades of different tapes may overlap in time; each
 * still compounds on its own exit day.
 *
 * @param parts Each tape with the indices of its trades to take.
 * @returns The merged tape.
 */
export function mergeTapes(
  parts: readonly {
    readonly tape: TradeTape;
    readonly indices: readonly number[];
  }[],
): TradeTape {
  const picks: { tape: TradeTape; index: number }[] = [];
  for (const { tape, indices } of parts) {
    for (const index of indices) picks.push({ tape, index });
  }
  picks.sort((a, b) =>
    a.tape.signalTime[a.index]! - b.tape.signalTime[b.index]! ||
    a.tape.exitTime[a.index]! - b.tape.exitTime[b.index]!
  );
  const out = emptyTape(picks.length);
  picks.forEach(({ tape, index }, i) => {
    out.signalTime[i] = tape.signalTime[index]!;
    out.exitTime[i] = tape.exitTime[index]!;
    out.ret[i] = tape.ret[index]!;
    out.tpHits[i] = tape.tpHits[index]!;
    out.regime[i] = tape.regime[index]!;
  });
  return out;
}

/**
 * Indices of one tape's trades in a selection.
 *
 * @param tape The trades.
 * @param selection Signal range and regime.
 * @returns Trade indices, entry order.
 */
export function selectedIndices(
  tape: TradeTape,
  selection: TapeSelection,
): number[] {
  const out: number[] = [];
  const end = lowerBound(tape.signalTime, selection.to);
  for (let i = lowerBound(tape.signalTime, selection.from); i < end; i++) {
    if (selection.regime < 0 || tape.regime[i] === selection.regime) {
      out.push(i);
    }
  }
  return out;
}

function finish(
  factors: Float64Array,
  totals: {
    count: number;
    tp1: number;
    gains: number;
    losses: number;
    weights: ScoreWeights;
    scratch: TapeScratch;
  },
): SelectionMetrics {
  const days = factors.length;
  const returns = totals.scratch.returns(days);
  let equity = 1, peak = 1, depth = 0;
  for (let d = 0; d < days; d++) {
    const f = factors[d]!;
    returns[d] = f - 1;
    equity *= f;
    if (equity > peak) peak = equity;
    else depth = Math.max(depth, (peak - equity) / peak);
  }
  const winRateTp1 = (totals.tp1 / totals.count) * 100;
  const base = {
    totalTrades: totals.count,
    winRateTp: [winRateTp1, 0, 0, 0, 0, 0] as const,
    profitFactor: profitFactor(totals.gains, totals.losses),
    sharpe: sharpeRatio(returns),
    maxDrawdownPct: depth * 100,
    totalReturnPct: (equity - 1) * 100,
  };
  return { ...base, score: compositeScore(base, totals.weights).score };
}

/**
 * First index whose value is at least `value`.
 *
 * @param sorted Ascending values.
 * @param value The bound.
 * @returns An index in [0, length].
 */
export function lowerBound(sorted: Float64Array, value: number): number {
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
