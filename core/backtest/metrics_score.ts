/**
 * The optimizer's composite score (spec §8.5 with the drawdown sign fixed, DESIGN §2) and the
 * acceptance rules of DESIGN §2 "Optimizer".
 *
 * The original fed its negative drawdown into D = (20 − maxDD)/20 · 100, so D was always clipped to
 * 100 (20 points for free) and the "max DD ≤ 15 %" rule never failed (spec §13.5 item 34). Here the
 * drawdown is a positive percent: a 5 % drawdown gives D = 75, 20 % or more gives 0.
 *
 * @module
 */
import type { EquityMetrics } from "./metrics_equity.ts";
import type { TradeMetrics } from "./metrics_trades.ts";

/** The metrics the score and the acceptance rules read; a full `Metrics` fits. */
export type ScoreInputs =
  & Pick<TradeMetrics, "totalTrades" | "winRateTp" | "profitFactor">
  & Pick<EquityMetrics, "sharpe" | "maxDrawdownPct">;

/** Weights of the composite score's terms. */
export interface ScoreWeights {
  readonly sharpe: number;
  readonly profitFactor: number;
  readonly winRateTp1: number;
  readonly drawdown: number;
}

/** Weights of spec §8.5: 0.30 Sharpe, 0.25 profit factor, 0.25 WinRate TP1, 0.20 drawdown. */
export const DEFAULT_SCORE_WEIGHTS: ScoreWeights = Object.freeze({
  sharpe: 0.3,
  profitFactor: 0.25,
  winRateTp1: 0.25,
  drawdown: 0.2,
});

/** The score and its four terms, each term in [0, 100]. */
export interface ScoreBreakdown {
  /** Σ weight · term. */
  readonly score: number;
  /** (Sharpe − 1) / 2 · 100: Sharpe 1 → 0, 3 → 100. */
  readonly sharpe: number;
  /** (PF − 1) / 2 · 100: PF 1 → 0, 3 → 100 (an infinite PF → 100). */
  readonly profitFactor: number;
  /** (WinRate TP1 − 50) / 40 · 100: 50 % → 0, 90 % → 100. */
  readonly winRateTp1: number;
  /** (20 − max DD) / 20 · 100 with max DD positive: 0 % → 100, 20 % → 0. */
  readonly drawdown: number;
}

function clip(value: number): number {
  if (Number.isNaN(value)) return 0;
  return Math.min(100, Math.max(0, value));
}

/**
 * The composite score of spec §8.5 with the drawdown sign fixed.
 *
 * @param metrics Sharpe, profit factor, WinRate TP1 and max drawdown (positive percent).
 * @param weights Term weights (default 0.30/0.25/0.25/0.20); each finite and ≥ 0.
 * @returns The score (0..100 with weights summing to 1) and its clipped terms.
 * @throws {RangeError} When a weight is negative or not finite.
 */
export function compositeScore(
  metrics: ScoreInputs,
  weights: ScoreWeights = DEFAULT_SCORE_WEIGHTS,
): ScoreBreakdown {
  for (const [name, weight] of Object.entries(weights)) {
    if (!Number.isFinite(weight) || weight < 0) {
      throw new RangeError(
        `Cannot compute score as 'weights.${name}' must be a finite number of at least 0: current value is ${weight}`,
      );
    }
  }
  const sharpe = clip(((metrics.sharpe - 1) / 2) * 100);
  const profitFactor = clip(((metrics.profitFactor - 1) / 2) * 100);
  const winRateTp1 = clip(((metrics.winRateTp[0] - 50) / 40) * 100);
  const drawdown = clip(((20 - metrics.maxDrawdownPct) / 20) * 100);
  const score = weights.sharpe * sharpe +
    weights.profitFactor * profitFactor +
    weights.winRateTp1 * winRateTp1 +
    weights.drawdown * drawdown;
  return { score, sharpe, profitFactor, winRateTp1, drawdown };
}

/** Acceptance thresholds; percents are percent numbers. */
export interface AcceptanceThresholds {
  readonly minTrades: number;
  readonly minWinRateTp1: number;
  readonly minSharpe: number;
  readonly minProfitFactor: number;
  /** Maximum drawdown, positive percent. */
  readonly maxDrawdownPct: number;
  /** A Sharpe above this is flagged as a likely overfit (a warning, not a failure). */
  readonly overfitSharpe: number;
}

/** DESIGN §2 defaults: trades ≥ 30, WinRate TP1 ≥ 65 %, Sharpe ≥ 1.2, PF ≥ 1.4, DD ≤ 15 %. */
export const DEFAULT_ACCEPTANCE: AcceptanceThresholds = Object.freeze({
  minTrades: 30,
  minWinRateTp1: 65,
  minSharpe: 1.2,
  minProfitFactor: 1.4,
  maxDrawdownPct: 15,
  overfitSharpe: 2.5,
});

/** Names of the acceptance checks. */
export type AcceptanceRule =
  | "min-trades"
  | "min-win-rate-tp1"
  | "min-sharpe"
  | "min-profit-factor"
  | "max-drawdown"
  | "likely-overfit";

/** One acceptance check. */
export interface AcceptanceCheck {
  readonly rule: AcceptanceRule;
  /** True when the value satisfies the rule (for `likely-overfit`: Sharpe ≤ the limit). */
  readonly passed: boolean;
  readonly value: number;
  readonly limit: number;
  /**
   * `rule`: a failure rejects the result; `warning`: a failure only flags it
   * (`likely-overfit`: "Sharpe > 2.5, likely overfit").
   */
  readonly severity: "rule" | "warning";
}

/**
 * Checks a result against the acceptance thresholds.
 *
 * @param metrics Trades, WinRate TP1, Sharpe, profit factor and max drawdown (positive percent).
 * @param thresholds The limits (default {@linkcode DEFAULT_ACCEPTANCE}).
 * @returns One check per rule, in the order trades, WinRate TP1, Sharpe, PF, drawdown, overfit.
 */
export function acceptance(
  metrics: ScoreInputs,
  thresholds: AcceptanceThresholds = DEFAULT_ACCEPTANCE,
): AcceptanceCheck[] {
  const t = thresholds;
  const atLeast = (rule: AcceptanceRule, value: number, limit: number) => ({
    rule,
    passed: value >= limit,
    value,
    limit,
    severity: "rule" as const,
  });
  return [
    atLeast("min-trades", metrics.totalTrades, t.minTrades),
    atLeast("min-win-rate-tp1", metrics.winRateTp[0], t.minWinRateTp1),
    atLeast("min-sharpe", metrics.sharpe, t.minSharpe),
    atLeast("min-profit-factor", metrics.profitFactor, t.minProfitFactor),
    {
      rule: "max-drawdown",
      passed: metrics.maxDrawdownPct <= t.maxDrawdownPct,
      value: metrics.maxDrawdownPct,
      limit: t.maxDrawdownPct,
      severity: "rule",
    },
    {
      rule: "likely-overfit",
      passed: metrics.sharpe <= t.overfitSharpe,
      value: metrics.sharpe,
      limit: t.overfitSharpe,
      severity: "warning",
    },
  ];
}

/**
 * Whether a result is accepted: every check of severity `rule` passed (warnings do not count).
 *
 * @param checks The checks of {@linkcode acceptance}.
 * @returns True when no rule failed.
 */
export function isAccepted(checks: readonly AcceptanceCheck[]): boolean {
  return checks.every((check) => check.passed || check.severity === "warning");
}
