/**
 * Equity-curve metrics of a backtest (DESIGN §2 "Metrics", fixing spec §8.4 and §13.5): total
 * return, Sharpe and Sortino from daily returns, maximum drawdown with its dates, CAGR, Calmar,
 * exposure and monthly returns.
 *
 * The curve is the daily equity of the run: one point per UTC day, labelled with the day's start
 * (00:00 UTC) and holding the equity at the END of that day. The initial equity stands before the
 * first point, as the end of the day before it, so N points give N daily returns, a span of N days
 * and whole-day durations. Drawdowns are measured on these daily closes only: intraday equity is
 * not available, so a dip and recovery within one day is not seen and the true intraday maximum
 * drawdown can be larger. Percents are percent numbers (15 means 15 %).
 *
 * @module
 */
import type { EquityPoint, RunFacts } from "./records.ts";

/** The run facts the equity metrics read; a full {@linkcode RunFacts} fits. */
export type MetricsFacts = Pick<
  RunFacts,
  "initialEquity" | "bars" | "barsInPosition"
>;

/** The deepest drawdown of the curve. Times are equity-point labels (see the module doc). */
export interface DrawdownEpisode {
  /** Depth: (peak − trough) / peak · 100, a positive number. */
  readonly pct: number;
  /** Label of the last point at the peak before the decline (drawdown start). */
  readonly peakTime: number;
  /** Label of the lowest point. */
  readonly troughTime: number;
  /** Label of the first point back at or above the peak, or undefined if it never recovered. */
  readonly recoveryTime: number | undefined;
  /** From the peak to the recovery, or to the last point if it never recovered, ms. */
  readonly durationMs: number;
}

/** Return of one calendar month (UTC). */
export interface MonthlyReturn {
  /** `YYYY-MM`. */
  readonly month: string;
  /** Month-end equity over the previous month-end (the initial equity for the first) − 1, %. */
  readonly returnPct: number;
}

/** Metrics computed from the daily equity curve and the run facts. */
export interface EquityMetrics {
  readonly initialEquity: number;
  /** Equity of the last point (the initial equity without points). */
  readonly finalEquity: number;
  /** Highest equity of the curve, the initial equity included. */
  readonly peakEquity: number;
  /** (final / initial − 1) · 100: compounded, unrealised PnL at the last point included. */
  readonly totalReturnPct: number;
  /** Daily returns used for Sharpe and Sortino (= number of points). */
  readonly days: number;
  /** Annualised (√365) Sharpe of daily returns, risk-free 0; 0 with < 2 returns or no variation. */
  readonly sharpe: number;
  /** Annualised (√365) Sortino of daily returns; 0 with < 2 returns or no down day. */
  readonly sortino: number;
  /** Maximum drawdown of the daily curve, positive percent (0 without a decline). */
  readonly maxDrawdownPct: number;
  /** The deepest drawdown, or undefined when the equity never declined. */
  readonly maxDrawdown: DrawdownEpisode | undefined;
  /** Compound annual growth rate, percent; undefined when the curve spans under one day. */
  readonly cagrPct: number | undefined;
  /** CAGR / max drawdown; undefined when either is undefined or the drawdown is 0. */
  readonly calmar: number | undefined;
  /** Bars with an open position in percent of all bars (0 without bars). */
  readonly exposurePct: number;
  readonly monthlyReturns: readonly MonthlyReturn[];
}

/** One UTC day in ms. */
export const DAY_MS = 86_400_000;
/** A calendar year for CAGR: 365.25 days in ms. */
export const YEAR_MS = 365.25 * DAY_MS;
/** Sharpe and Sortino annualisation: crypto trades every day. */
export const ANNUALISATION = Math.sqrt(365);

function checkInputs(
  equity: readonly EquityPoint[],
  facts: MetricsFacts,
): void {
  const { initialEquity, bars, barsInPosition } = facts;
  if (!Number.isFinite(initialEquity) || initialEquity <= 0) {
    throw new RangeError(
      `Cannot compute metrics as 'initialEquity' must be a positive finite number: current value is ${initialEquity}`,
    );
  }
  if (!Number.isInteger(bars) || bars < 0) {
    throw new RangeError(
      `Cannot compute metrics as 'bars' must be a non-negative integer: current value is ${bars}`,
    );
  }
  if (
    !Number.isInteger(barsInPosition) || barsInPosition < 0 ||
    barsInPosition > bars
  ) {
    throw new RangeError(
      `Cannot compute metrics as 'barsInPosition' must be an integer from 0 to 'bars' (${bars}): current value is ${barsInPosition}`,
    );
  }
  let previous = -Infinity;
  equity.forEach(({ time, equity: value }, i) => {
    if (!Number.isFinite(time) || time <= previous) {
      throw new RangeError(
        `Cannot compute metrics as 'equity[${i}].time' must be finite and after the previous point: current value is ${time}`,
      );
    }
    if (!Number.isFinite(value)) {
      throw new RangeError(
        `Cannot compute metrics as 'equity[${i}].equity' must be a finite number: current value is ${value}`,
      );
    }
    previous = time;
  });
}

/**
 * Daily returns of the curve: point i over point i − 1, the first over the initial equity. A
 * return after a non-positive equity (ruin) is 0.
 *
 * @param equity Daily equity points, time ascending.
 * @param initialEquity Equity before the first point.
 * @returns One return per point, as fractions (0.01 = 1 %).
 */
export function dailyReturns(
  equity: readonly EquityPoint[],
  initialEquity: number,
): Float64Array {
  const returns = new Float64Array(equity.length);
  let previous = initialEquity;
  for (let i = 0; i < equity.length; i++) {
    const value = equity[i]!.equity;
    returns[i] = previous > 0 ? value / previous - 1 : 0;
    previous = value;
  }
  return returns;
}

function mean(values: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum / values.length;
}

/**
 * Annualised Sharpe ratio of daily returns: mean / sample standard deviation (n − 1) · √365,
 * risk-free rate 0.
 *
 * @param returns Daily returns.
 * @returns The ratio; 0 with fewer than 2 returns or a zero standard deviation.
 */
export function sharpeRatio(returns: Float64Array): number {
  const n = returns.length;
  if (n < 2) return 0;
  const m = mean(returns);
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (returns[i]! - m) ** 2;
  const deviation = Math.sqrt(squares / (n - 1));
  return deviation === 0 ? 0 : (m / deviation) * ANNUALISATION;
}

/**
 * Annualised Sortino ratio of daily returns: mean / downside deviation · √365, where the downside
 * deviation is sqrt(mean(min(r, 0)²)) over ALL days (target 0), not the deviation of the losing
 * days alone (the original's, spec §13.5).
 *
 * @param returns Daily returns.
 * @returns The ratio; 0 with fewer than 2 returns or no down day (the original gave +∞).
 */
export function sortinoRatio(returns: Float64Array): number {
  const n = returns.length;
  if (n < 2) return 0;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const r = returns[i]!;
    if (r < 0) squares += r * r;
  }
  const downside = Math.sqrt(squares / n);
  return downside === 0 ? 0 : (mean(returns) / downside) * ANNUALISATION;
}

/**
 * The deepest peak-to-trough decline of the daily curve (ties: the first).
 *
 * @param equity Daily equity points, time ascending.
 * @param initialEquity Equity before the first point (it can be the peak).
 * @returns The episode, or undefined when the equity never fell below a previous peak.
 */
export function maxDrawdown(
  equity: readonly EquityPoint[],
  initialEquity: number,
): DrawdownEpisode | undefined {
  const last = equity[equity.length - 1];
  if (last === undefined) return undefined;
  let peak = initialEquity;
  let peakTime = equity[0]!.time - DAY_MS;
  let depth = 0;
  let start = 0, trough = 0, maxPeak = 0;
  let recovery: number | undefined;
  for (const { time, equity: value } of equity) {
    if (value >= peak) {
      if (depth > 0 && recovery === undefined && value >= maxPeak) {
        recovery = time;
      }
      peak = value;
      peakTime = time;
      continue;
    }
    const pct = ((peak - value) / peak) * 100;
    if (pct > depth) {
      depth = pct;
      start = peakTime;
      trough = time;
      maxPeak = peak;
      recovery = undefined;
    }
  }
  if (depth === 0) return undefined;
  return {
    pct: depth,
    peakTime: start,
    troughTime: trough,
    recoveryTime: recovery,
    durationMs: (recovery ?? last.time) - start,
  };
}

/**
 * Calendar-month returns (UTC) of the daily curve. A month without points is absent, and the next
 * month's return is then taken over the last month-end before it.
 *
 * @param equity Daily equity points, time ascending.
 * @param initialEquity Base of the first month.
 * @returns One return per month with points, in time order.
 */
export function monthlyReturns(
  equity: readonly EquityPoint[],
  initialEquity: number,
): MonthlyReturn[] {
  const months: MonthlyReturn[] = [];
  let base = initialEquity;
  let label = "";
  let close = initialEquity;
  let nextMonth = -Infinity;
  const flush = (): void => {
    months.push({ month: label, returnPct: (close / base - 1) * 100 });
    base = close;
  };
  for (const { time, equity: value } of equity) {
    if (time >= nextMonth) {
      if (label !== "") flush();
      const date = new Date(time);
      const year = date.getUTCFullYear();
      const month = date.getUTCMonth();
      label = `${year}-${String(month + 1).padStart(2, "0")}`;
      nextMonth = Date.UTC(year, month + 1, 1);
    }
    close = value;
  }
  if (label !== "") flush();
  return months;
}

/**
 * Compound annual growth rate over the curve, in calendar years of 365.25 days.
 *
 * @param equity Daily equity points, time ascending.
 * @param initialEquity Equity before the first point.
 * @returns CAGR in percent (−100 after ruin); undefined when the span (N points = N days) is under
 *   one day, i.e. without points.
 */
export function cagrPercent(
  equity: readonly EquityPoint[],
  initialEquity: number,
): number | undefined {
  const first = equity[0];
  const last = equity[equity.length - 1];
  if (first === undefined || last === undefined) return undefined;
  const span = last.time - (first.time - DAY_MS);
  if (span < DAY_MS) return undefined;
  const growth = last.equity / initialEquity;
  if (growth <= 0) return -100;
  return (growth ** (YEAR_MS / span) - 1) * 100;
}

/**
 * Computes the equity-curve metrics of a run.
 *
 * @param equity Daily equity points (one per UTC day, time strictly ascending).
 * @param facts Initial equity and bar counts of the run.
 * @returns The equity metrics.
 * @throws {RangeError} When the initial equity is not positive, the bar counts are inconsistent,
 *   or the points are not finite and strictly ascending in time.
 */
export function equityMetrics(
  equity: readonly EquityPoint[],
  facts: MetricsFacts,
): EquityMetrics {
  checkInputs(equity, facts);
  const { initialEquity } = facts;
  const finalEquity = equity[equity.length - 1]?.equity ?? initialEquity;
  let peakEquity = initialEquity;
  for (const point of equity) peakEquity = Math.max(peakEquity, point.equity);
  const returns = dailyReturns(equity, initialEquity);
  const drawdown = maxDrawdown(equity, initialEquity);
  const maxDrawdownPct = drawdown?.pct ?? 0;
  const cagrPct = cagrPercent(equity, initialEquity);
  return {
    initialEquity,
    finalEquity,
    peakEquity,
    totalReturnPct: (finalEquity / initialEquity - 1) * 100,
    days: returns.length,
    sharpe: sharpeRatio(returns),
    sortino: sortinoRatio(returns),
    maxDrawdownPct,
    maxDrawdown: drawdown,
    cagrPct,
    calmar: cagrPct === undefined || maxDrawdownPct === 0
      ? undefined
      : cagrPct / maxDrawdownPct,
    exposurePct: facts.bars === 0
      ? 0
      : (facts.barsInPosition / facts.bars) * 100,
    monthlyReturns: monthlyReturns(equity, initialEquity),
  };
}
