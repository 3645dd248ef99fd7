/**
 * Portfolio entry rules (spec §9.1-§9.2, §9.5, DESIGN §2 "Portfolio"): one position per series
 * and per symbol, the position limit, heat to the current stops, the per-sector limit and the
 * correlation filter. `evaluateEntry` returns a decision record listing every rule evaluated up
 * to and including the one that decided.
 *
 * Heat counts each position's risk to its CURRENT stop, floored at 0: a stop at breakeven or
 * better adds nothing (DESIGN: "Breakeven stops count 0"; the original let it turn negative).
 *
 * @module
 */
import type { Side } from "./types.ts";

/** An open position as the portfolio rules see it (plain data). */
export interface OpenPositionView {
  /** Series key `{SYMBOL}:{tf}`, e.g. `BTCUSDT:1h`. */
  readonly seriesKey: string;
  readonly symbol: string;
  readonly sector: string;
  readonly side: Side;
  readonly entryPrice: number;
  /** The current stop (it moves with the cascade). */
  readonly stop: number;
  /** Notional still open, in quote currency at the entry price. */
  readonly remainingNotional: number;
}

/** Limits of the entry rules. */
export interface PortfolioLimits {
  /** Maximum open positions. */
  readonly maxPositions: number;
  /** Maximum heat (total risk to the current stops) in percent of equity. */
  readonly maxHeatPercent: number;
  /** Maximum open positions in one sector. */
  readonly maxPerSector: number;
  /** Refuse a symbol that already has an open position on any timeframe. */
  readonly onePositionPerSymbol: boolean;
  /** Refuse when |correlation| with an open symbol exceeds this. */
  readonly correlationLimit: number;
}

/** The limits of spec §9.1 and DESIGN §2. */
export const DEFAULT_PORTFOLIO_LIMITS: PortfolioLimits = Object.freeze({
  maxPositions: 5,
  maxHeatPercent: 8,
  maxPerSector: 2,
  onePositionPerSymbol: true,
  correlationLimit: 0.7,
});

/** The entry rules, in the order they are evaluated. */
export type EntryRule =
  | "series-open"
  | "symbol-open"
  | "max-positions"
  | "heat"
  | "sector"
  | "correlation";

/**
 * One evaluated rule. `value` is what the rule measures with the candidate included (positions on
 * the series or symbol, open positions, heat %, positions in the sector) or, for `correlation`,
 * the largest |ρ| with an open symbol (0 when none is known); it passes when `value <= limit`.
 */
export interface CheckRecord {
  readonly rule: EntryRule;
  readonly passed: boolean;
  readonly value: number;
  readonly limit: number;
  readonly note?: string;
}

/** The signal that asks to open a position, already sized. */
export interface EntryCandidate {
  readonly seriesKey: string;
  readonly symbol: string;
  readonly sector: string;
  readonly side: Side;
  readonly entry: number;
  readonly stop: number;
  /** Notional in quote currency at the entry price. */
  readonly notional: number;
}

/** The decision on one candidate, with every rule evaluated. */
export type EntryDecision =
  | { readonly accepted: true; readonly checks: readonly CheckRecord[] }
  | {
    readonly accepted: false;
    readonly rule: EntryRule;
    readonly detail: string;
    readonly checks: readonly CheckRecord[];
  };

/** Inputs of `evaluateEntry`. */
export interface EvaluateEntryOptions {
  readonly candidate: EntryCandidate;
  readonly open: readonly OpenPositionView[];
  /** Current equity in quote currency. */
  readonly equity: number;
  readonly limits: PortfolioLimits;
  /** Correlation of two symbols, or undefined when there is no data (the rule then allows). */
  readonly correlations?: (a: string, b: string) => number | undefined;
}

/** The sector of symbols that no sector lists. */
export const UNKNOWN_SECTOR = "UNKNOWN";

// Keeps a sum of risks that is mathematically at the limit (4 × 2 % = 8 %) from being refused
// for a rounding error.
const HEAT_TOLERANCE_PERCENT = 1e-9;

/**
 * Risk of a position to a stop: notional × (distance from entry to stop as a fraction), floored
 * at 0, so a stop at breakeven or better counts 0.
 *
 * @param view Side, entry price, current stop and remaining notional.
 * @returns The risk in quote currency.
 */
export function positionRisk(
  view: Pick<
    OpenPositionView,
    "side" | "entryPrice" | "stop" | "remainingNotional"
  >,
): number {
  const distance = view.side === "LONG"
    ? (view.entryPrice - view.stop) / view.entryPrice
    : (view.stop - view.entryPrice) / view.entryPrice;
  return distance > 0 ? view.remainingNotional * distance : 0;
}

/**
 * Portfolio heat: Σ `positionRisk` / equity · 100.
 *
 * @param views The open positions.
 * @param equity Current equity in quote currency.
 * @returns Heat in percent of equity.
 * @throws {RangeError} When equity is not finite and positive.
 */
export function portfolioHeatPercent(
  views: readonly OpenPositionView[],
  equity: number,
): number {
  requireEquity(equity, "compute portfolio heat");
  let risk = 0;
  for (const view of views) risk += positionRisk(view);
  return risk / equity * 100;
}

/**
 * The sector of a symbol.
 *
 * @param symbol A symbol such as `SOLUSDT`.
 * @param sectors Sector name → member symbols (config `sectors`).
 * @returns The first sector listing the symbol, or `UNKNOWN`.
 */
export function sectorOf(
  symbol: string,
  sectors: Readonly<Record<string, readonly string[]>>,
): string {
  for (const [name, members] of Object.entries(sectors)) {
    if (members.includes(symbol)) return name;
  }
  return UNKNOWN_SECTOR;
}

function requireEquity(equity: number, action: string): void {
  if (!(Number.isFinite(equity) && equity > 0)) {
    throw new RangeError(
      `Cannot ${action} as 'equity' must be a finite number > 0: current value is ${equity}`,
    );
  }
}

function checkLimits(limits: PortfolioLimits): void {
  for (
    const field of [
      "maxPositions",
      "maxHeatPercent",
      "maxPerSector",
      "correlationLimit",
    ] as const
  ) {
    const value = limits[field];
    if (!(Number.isFinite(value) && value >= 0)) {
      throw new RangeError(
        `Cannot evaluate entry as 'limits.${field}' must be a finite number >= 0: current value is ${value}`,
      );
    }
  }
}

function formatNumber(value: number, digits: number): string {
  return value.toFixed(digits);
}

/**
 * Evaluates the entry rules in order: series already open, symbol already open (when
 * `onePositionPerSymbol`), max positions, heat (current heat + the candidate's risk to its stop
 * must stay within the limit), sector (open positions in the candidate's sector + 1 within
 * `maxPerSector`; `UNKNOWN` is a sector like any other), correlation (|ρ| > limit with any open
 * symbol refuses; open positions on the candidate's own symbol are left to the symbol rule; a
 * pair without data is allowed and named in the record's note). The first failing rule decides.
 *
 * @param options Candidate, open positions, equity, limits and the correlation lookup.
 * @returns The decision with a check record for every rule evaluated.
 * @throws {RangeError} When equity is not finite and positive, or a limit is negative or NaN.
 */
export function evaluateEntry(options: EvaluateEntryOptions): EntryDecision {
  const { candidate, open, equity, limits } = options;
  requireEquity(equity, "evaluate entry");
  checkLimits(limits);
  const checks: CheckRecord[] = [];
  const refuse = (rule: EntryRule, detail: string): EntryDecision => ({
    accepted: false,
    rule,
    detail,
    checks,
  });

  const onSeries = open.filter((p) => p.seriesKey === candidate.seriesKey);
  checks.push({
    rule: "series-open",
    passed: onSeries.length === 0,
    value: onSeries.length + 1,
    limit: 1,
  });
  if (onSeries.length > 0) {
    return refuse(
      "series-open",
      `${candidate.seriesKey} already has an open position`,
    );
  }

  if (limits.onePositionPerSymbol) {
    const onSymbol = open.filter((p) => p.symbol === candidate.symbol);
    checks.push({
      rule: "symbol-open",
      passed: onSymbol.length === 0,
      value: onSymbol.length + 1,
      limit: 1,
    });
    if (onSymbol.length > 0) {
      return refuse(
        "symbol-open",
        `${candidate.symbol} already has an open position on ${
          onSymbol.map((p) => p.seriesKey).join(", ")
        }`,
      );
    }
  }

  const positions = open.length + 1;
  const positionsPass = positions <= limits.maxPositions;
  checks.push({
    rule: "max-positions",
    passed: positionsPass,
    value: positions,
    limit: limits.maxPositions,
  });
  if (!positionsPass) {
    return refuse(
      "max-positions",
      `${open.length} positions are open and the limit is ${limits.maxPositions}`,
    );
  }

  const currentHeat = portfolioHeatPercent(open, equity);
  const candidateRisk = positionRisk({
    side: candidate.side,
    entryPrice: candidate.entry,
    stop: candidate.stop,
    remainingNotional: candidate.notional,
  });
  const heat = currentHeat + candidateRisk / equity * 100;
  const heatPass = heat <= limits.maxHeatPercent + HEAT_TOLERANCE_PERCENT;
  const heatNote = `current heat ${formatNumber(currentHeat, 2)} %, ` +
    `candidate risk ${formatNumber(candidateRisk, 2)}`;
  checks.push({
    rule: "heat",
    passed: heatPass,
    value: heat,
    limit: limits.maxHeatPercent,
    note: heatNote,
  });
  if (!heatPass) {
    return refuse(
      "heat",
      `heat would be ${
        formatNumber(heat, 2)
      } % and the limit is ${limits.maxHeatPercent} % (${heatNote})`,
    );
  }

  const inSector = open.filter((p) => p.sector === candidate.sector).length;
  const sectorPass = inSector + 1 <= limits.maxPerSector;
  checks.push({
    rule: "sector",
    passed: sectorPass,
    value: inSector + 1,
    limit: limits.maxPerSector,
    note: `sector ${candidate.sector}`,
  });
  if (!sectorPass) {
    return refuse(
      "sector",
      `sector ${candidate.sector} has ${inSector} open positions and the limit is ${limits.maxPerSector}`,
    );
  }

  return correlationCheck(options, checks);
}

function correlationCheck(
  options: EvaluateEntryOptions,
  checks: CheckRecord[],
): EntryDecision {
  const { candidate, open, limits, correlations } = options;
  const seen = new Set<string>();
  const missing: string[] = [];
  let worst = 0;
  let worstSymbol: string | undefined;
  for (const position of open) {
    const other = position.symbol;
    if (other === candidate.symbol || seen.has(other)) continue;
    seen.add(other);
    const rho = correlations?.(candidate.symbol, other);
    if (rho === undefined || Number.isNaN(rho)) {
      missing.push(`${candidate.symbol}/${other}`);
    } else if (Math.abs(rho) > worst || worstSymbol === undefined) {
      worst = Math.abs(rho);
      worstSymbol = other;
    }
  }
  const passed = !(worst > limits.correlationLimit);
  const notes: string[] = [];
  if (worstSymbol !== undefined) {
    notes.push(`largest |ρ| ${formatNumber(worst, 3)} with ${worstSymbol}`);
  }
  if (missing.length > 0) {
    notes.push(`no correlation data for ${missing.join(", ")}`);
  }
  checks.push({
    rule: "correlation",
    passed,
    value: worst,
    limit: limits.correlationLimit,
    ...(notes.length > 0 ? { note: notes.join("; ") } : {}),
  });
  if (!passed) {
    return {
      accepted: false,
      rule: "correlation",
      detail: `|ρ| ${
        formatNumber(worst, 3)
      } with ${worstSymbol} exceeds the limit ${limits.correlationLimit}`,
      checks,
    };
  }
  return { accepted: true, checks };
}
