/**
 * Settings of the optimizer pipeline (walk-forward selection, robustness, Monte Carlo and the
 * acceptance gates), as the pure functions take them. `core/config_views.ts` derives them from the
 * config's `optimizer` section; the defaults are DESIGN §2's.
 *
 * @module
 */
import {
  type AcceptanceThresholds,
  DEFAULT_ACCEPTANCE,
  DEFAULT_SCORE_WEIGHTS,
  type ScoreWeights,
} from "./metrics_score.ts";

/** Walk-forward windows in calendar months (DESIGN §2: 6/2/2, at least 4 windows). */
export interface WalkForwardSettings {
  readonly trainMonths: number;
  readonly testMonths: number;
  readonly stepMonths: number;
  readonly minWindows: number;
}

/** Robustness check of spec §8.7, evaluated out of sample. */
export interface RobustnessSettings {
  /** Relative step of each neighbour parameter (spec: 0.15 → base·0.85, base, base·1.15). */
  readonly spread: number;
  /** A neighbour with fewer trades scores 0 and is not valid (spec: 20). */
  readonly minNeighbourTrades: number;
  /** Robust needs at least this share of valid neighbours, percent (spec: 70). */
  readonly minValidPct: number;
  /** Robust needs every neighbour's degradation at most this, percent (spec: 30). */
  readonly maxDegradationPct: number;
  /** Robust needs the mean degradation at most this, percent (spec: 21 = 0.7 · 30). */
  readonly maxMeanDegradationPct: number;
  /** Robust needs the population stdev of valid neighbour scores at most this (spec: 20). */
  readonly maxScoreStdev: number;
}

/** Monte Carlo of spec-free DESIGN §2: trade-order shuffle and block bootstrap of daily returns. */
export interface MonteCarloSettings {
  /** Runs per method, at least 500. */
  readonly runs: number;
  /** Length of a bootstrap block in days. */
  readonly blockDays: number;
}

/** Acceptance gates of a series' result: the metric rules plus robustness and walk-forward. */
export interface OptimizerGates extends AcceptanceThresholds {
  /** Minimum robustness score 0-100 (DESIGN §2: 80). */
  readonly minRobustness: number;
  /** Minimum average walk-forward efficiency, failed windows counted as 0. */
  readonly minEfficiency: number;
}

/** Everything the optimizer's pure parts read. */
export interface OptimizerSettings {
  /** Seed of every random draw; the same seed gives the same results. */
  readonly seed: number;
  readonly walkForward: WalkForwardSettings;
  /** A preset needs this many trades in a training window to be chosen there. */
  readonly minWindowTrades: number;
  /**
   * A regime whose pooled out-of-sample trades are fewer than this falls back to the series'
   * overall choice.
   */
  readonly regimeMinTrades: number;
  readonly gates: OptimizerGates;
  readonly weights: ScoreWeights;
  readonly robustness: RobustnessSettings;
  readonly monteCarlo: MonteCarloSettings;
}

/** DESIGN §2 defaults. */
export const DEFAULT_OPTIMIZER_SETTINGS: OptimizerSettings = Object.freeze({
  seed: 1,
  walkForward: Object.freeze({
    trainMonths: 6,
    testMonths: 2,
    stepMonths: 2,
    minWindows: 4,
  }),
  minWindowTrades: 10,
  regimeMinTrades: 30,
  gates: Object.freeze({
    ...DEFAULT_ACCEPTANCE,
    minRobustness: 80,
    minEfficiency: 0.5,
  }),
  weights: DEFAULT_SCORE_WEIGHTS,
  robustness: Object.freeze({
    spread: 0.15,
    minNeighbourTrades: 20,
    minValidPct: 70,
    maxDegradationPct: 30,
    maxMeanDegradationPct: 21,
    maxScoreStdev: 20,
  }),
  monteCarlo: Object.freeze({ runs: 1000, blockDays: 5 }),
});
