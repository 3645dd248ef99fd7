/**
 * The figures of the status page's analytics and equity views, computed from stored records:
 * monthly returns and drawdown of the daily equity, a per-pair table of closed trades, and the
 * correlation of the watched symbols' daily returns.
 *
 * The result types have the same shapes as `AnalyticsView` and `EquityView` of
 * `web/status_types.ts` (core may not import `web/`); the tests check that they stay identical.
 *
 * @module
 */
import type { EquityPoint, TradeRecord } from "./backtest/records.ts";
import { pearson } from "./correlation.ts";

/** Compounded return of one UTC calendar month. */
export interface MonthlyReturn {
  /** `YYYY-MM`. */
  readonly month: string;
  readonly returnPct: number;
}

/** One daily equity point with its drawdown below the running peak, percent (≥ 0). */
export interface DrawdownPoint {
  readonly time: number;
  readonly equity: number;
  readonly drawdownPct: number;
}

/** The equity curve (`EquityView`). */
export interface EquityCurve {
  readonly initialEquity: number;
  readonly points: readonly DrawdownPoint[];
}

/** Closed trades of one symbol. */
export interface PairStats {
  readonly symbol: string;
  readonly trades: number;
  /** Trades with PnL > 0, percent of trades. */
  readonly winRatePct: number;
  readonly pnlQuote: number;
  /** Gross profit / gross loss in quote currency; null when there is no loss. */
  readonly profitFactor: number | null;
}

/** Correlation of daily close-to-close returns between symbols. */
export interface ReturnsCorrelationTable {
  readonly symbols: readonly string[];
  /** `matrix[i][j]`, 1 on the diagonal; null when there is no coefficient. */
  readonly matrix: readonly (readonly (number | null)[])[];
  /** Return days used. */
  readonly days: number;
}

/** Everything of the analytics view (`AnalyticsView`). */
export interface Analytics {
  readonly monthly: readonly MonthlyReturn[];
  readonly perPair: readonly PairStats[];
  readonly correlation: ReturnsCorrelationTable;
}

/** The candles of one symbol, open times ascending. */
export interface SymbolCloses {
  readonly symbol: string;
  readonly candles: readonly {
    readonly openTime: number;
    readonly close: number;
  }[];
}

/** Everything {@linkcode analyticsView} needs. */
export interface AnalyticsInput {
  /** Daily equity, one point per UTC day. */
  readonly points: readonly EquityPoint[];
  readonly initialEquity: number;
  /** Closed trades. */
  readonly trades: readonly TradeRecord[];
  /** Stored candles per watched symbol. */
  readonly closes: readonly SymbolCloses[];
}

const DAY_MS = 86_400_000;
const DEFAULT_MIN_DAYS = 20;

function checkInitialEquity(initialEquity: number): void {
  if (!(Number.isFinite(initialEquity) && initialEquity > 0)) {
    throw new RangeError(
      `Cannot compute equity figures as 'initialEquity' must be a positive finite number: current value is ${initialEquity}`,
    );
  }
}

function byTime(points: readonly EquityPoint[]): EquityPoint[] {
  return points.slice().sort((a, b) => a.time - b.time);
}

function monthOf(time: number): string {
  const date = new Date(time);
  const month = String(date.getUTCMonth() + 1).padStart(2, "0");
  return `${date.getUTCFullYear()}-${month}`;
}

/**
 * Compounded return of each UTC calendar month of the daily equity: the month's last equity over
 * the previous month's last equity (`initialEquity` for the first month), minus 1, in percent.
 * Months without any point (the daemon was not running) are skipped, not reported as 0: the next
 * month with points compounds from the last equity before the gap, so its return spans the gap.
 * A month whose base equity is ≤ 0 (ruin) reports 0.
 *
 * @param points Daily equity points (`time` is the day's start); sorted by time here.
 * @param initialEquity Equity before the first point, > 0.
 * @returns One entry per month with points, oldest first.
 * @throws {RangeError} When `initialEquity` is not a positive finite number.
 */
export function monthlyReturns(
  points: readonly EquityPoint[],
  initialEquity: number,
): MonthlyReturn[] {
  checkInitialEquity(initialEquity);
  const out: MonthlyReturn[] = [];
  let base = initialEquity;
  const sorted = byTime(points);
  for (let i = 0; i < sorted.length; i++) {
    const point = sorted[i]!;
    const month = monthOf(point.time);
    const next = sorted[i + 1];
    if (next !== undefined && monthOf(next.time) === month) continue;
    const returnPct = base > 0 ? (point.equity / base - 1) * 100 : 0;
    out.push({ month, returnPct });
    base = point.equity;
  }
  return out;
}

/**
 * The equity curve with each point's drawdown below the running peak, which starts at
 * `initialEquity`: `(peak − equity) / peak · 100`, ≥ 0.
 *
 * @param points Daily equity points; sorted by time here.
 * @param initialEquity Equity before the first point, > 0.
 * @returns `initialEquity` and the points, oldest first, with `drawdownPct`.
 * @throws {RangeError} When `initialEquity` is not a positive finite number.
 */
export function equityView(
  points: readonly EquityPoint[],
  initialEquity: number,
): EquityCurve {
  checkInitialEquity(initialEquity);
  let peak = initialEquity;
  const out = byTime(points).map(({ time, equity }) => {
    peak = Math.max(peak, equity);
    const drawdownPct = Math.max(0, ((peak - equity) / peak) * 100);
    return { time, equity, drawdownPct };
  });
  return { initialEquity, points: out };
}

/**
 * Closed trades per symbol: count, win rate (PnL > 0; a PnL of exactly 0 is not a win), summed
 * net PnL and profit factor (gross profit / gross loss in quote currency, null without a loss).
 *
 * @param trades Closed trades, any order.
 * @returns One row per symbol, sorted by symbol (code-unit order).
 */
export function perPairTable(trades: readonly TradeRecord[]): PairStats[] {
  const groups = new Map<
    string,
    { trades: number; wins: number; profit: number; loss: number }
  >();
  for (const trade of trades) {
    let group = groups.get(trade.symbol);
    if (group === undefined) {
      group = { trades: 0, wins: 0, profit: 0, loss: 0 };
      groups.set(trade.symbol, group);
    }
    group.trades++;
    if (trade.pnlQuote > 0) {
      group.wins++;
      group.profit += trade.pnlQuote;
    } else if (trade.pnlQuote < 0) {
      group.loss -= trade.pnlQuote;
    }
  }
  return [...groups.keys()].sort(compareStrings).map((symbol) => {
    const g = groups.get(symbol)!;
    return {
      symbol,
      trades: g.trades,
      winRatePct: (g.wins / g.trades) * 100,
      pnlQuote: g.profit - g.loss,
      profitFactor: g.loss > 0 ? g.profit / g.loss : null,
    };
  });
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Last close of each UTC day (by open time), keyed by the day's start. */
function dailyCloses(series: SymbolCloses): Map<number, number> {
  const last = new Map<number, { openTime: number; close: number }>();
  for (const { openTime, close } of series.candles) {
    if (!(Number.isFinite(close) && close > 0)) continue;
    const day = Math.floor(openTime / DAY_MS) * DAY_MS;
    const seen = last.get(day);
    if (seen === undefined || openTime >= seen.openTime) {
      last.set(day, { openTime, close });
    }
  }
  return new Map([...last].map(([day, c]) => [day, c.close]));
}

/**
 * Pearson correlation of daily close-to-close returns between symbols. Each symbol's candles (any
 * timeframe) become daily closes, the last close of each UTC day by open time (candles without a
 * positive finite close are ignored). Only the days common to all symbols are used, and a return
 * is taken between consecutive common days (it spans a day missing from any symbol). Off the
 * diagonal a coefficient is null with fewer than `minDays` return days, or when a symbol's
 * returns do not vary.
 *
 * @param closes The candles per symbol, distinct symbols.
 * @param options `minDays`: return days needed for a coefficient, an integer ≥ 2 (default 20).
 * @returns The symbols sorted, the matrix in that order (1 on the diagonal) and the return days.
 * @throws {RangeError} When a symbol appears twice or `minDays` is out of range.
 */
export function returnsCorrelation(
  closes: readonly SymbolCloses[],
  options: { readonly minDays?: number } = {},
): ReturnsCorrelationTable {
  const minDays = options.minDays ?? DEFAULT_MIN_DAYS;
  if (!(Number.isInteger(minDays) && minDays >= 2)) {
    throw new RangeError(
      `Cannot compute correlation as 'minDays' must be an integer >= 2: current value is ${minDays}`,
    );
  }
  const sorted = closes.slice().sort((a, b) =>
    compareStrings(a.symbol, b.symbol)
  );
  const symbols = sorted.map((s) => s.symbol);
  const duplicate = symbols.find((s, k) => k > 0 && symbols[k - 1] === s);
  if (duplicate !== undefined) {
    throw new RangeError(
      `Cannot compute correlation as 'closes' must have distinct symbols: current value has '${duplicate}' twice`,
    );
  }
  const daily = sorted.map(dailyCloses);
  const common = daily.length === 0 ? [] : [...daily[0]!.keys()]
    .filter((day) => daily.every((d) => d.has(day)))
    .sort((a, b) => a - b);
  const days = Math.max(0, common.length - 1);
  const returns = daily.map((d) => {
    const r = new Float64Array(days);
    for (let i = 0; i < days; i++) {
      r[i] = d.get(common[i + 1]!)! / d.get(common[i]!)! - 1;
    }
    return r;
  });
  const matrix = returns.map((a, i) =>
    returns.map((b, j) => {
      if (i === j) return 1;
      if (days < minDays) return null;
      const rho = pearson(a, b);
      return Number.isNaN(rho) ? null : rho;
    })
  );
  return { symbols, matrix, days };
}

/**
 * The analytics view: monthly returns of the daily equity, the per-pair table of closed trades
 * and the daily-returns correlation of the watched symbols (20 return days needed).
 *
 * @param input Daily equity, initial equity, closed trades and candles per symbol.
 * @returns The three figures.
 * @throws {RangeError} As {@linkcode monthlyReturns} and {@linkcode returnsCorrelation}.
 */
export function analyticsView(input: AnalyticsInput): Analytics {
  return {
    monthly: monthlyReturns(input.points, input.initialEquity),
    perPair: perPairTable(input.trades),
    correlation: returnsCorrelation(input.closes),
  };
}
