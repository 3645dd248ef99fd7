/**
 * Derives the settings each core module takes (camelCase, fractions where the math wants them)
 * from the resolved {@link Config} (snake_case, percents as users write them). One place, so
 * backtest and live read the configuration the same way.
 *
 * @module
 */
import type { OptimizerSettings } from "./backtest/optimizer_settings.ts";
import type { Config } from "./config.ts";
import type { CostModel } from "./costs.ts";
import type { FilterSettings } from "./filter_rules.ts";
import type { LadderSpec, RegimeMultipliers } from "./ladder_levels.ts";
import type { PortfolioLimits } from "./portfolio.ts";
import type { RegimeSettings } from "./regime.ts";

/**
 * Filter settings from `signals.filters`.
 *
 * @param config The resolved config.
 * @returns The filters' settings.
 */
export function filterSettingsOf(config: Config): FilterSettings {
  const f = config.signals.filters;
  return {
    volume: { ...f.volume },
    rsi: {
      enabled: f.rsi.enabled,
      period: f.rsi.period,
      longLevel: f.rsi.long_level,
      shortLevel: f.rsi.short_level,
    },
    adx: { ...f.adx },
    session: { ...f.session },
    adaptive: {
      enabled: f.adaptive.enabled,
      volumeCoeff: f.adaptive.volume_coeff,
      rsiCoeff: f.adaptive.rsi_coeff,
      adxCoeff: f.adaptive.adx_coeff,
    },
  };
}

/**
 * Regime classification settings from `regimes`.
 *
 * @param config The resolved config.
 * @returns Baseline length and thresholds.
 */
export function regimeSettingsOf(config: Config): RegimeSettings {
  const r = config.regimes;
  return {
    baselineBars: r.baseline_bars,
    lowBelow: r.low_below,
    highAbove: r.high_above,
  };
}

/**
 * Regime multipliers of the ladder from `regimes`.
 *
 * @param config The resolved config.
 * @returns TP and SL multipliers per regime.
 */
export function regimeMultipliersOf(config: Config): RegimeMultipliers {
  return {
    tp: { ...config.regimes.tp_multiplier },
    sl: { ...config.regimes.sl_multiplier },
  };
}

/**
 * The normal-regime ladder from `ladder`.
 *
 * @param config The resolved config.
 * @returns TP/SL percents, shares and stop management.
 */
export function ladderSpecOf(config: Config): LadderSpec {
  const l = config.ladder;
  return {
    tpPercents: [...l.tp_percents],
    slPercent: l.sl_percent,
    shares: [...l.shares],
    stopMode: l.stop_mode,
    breakevenAfterTp: l.breakeven_after_tp,
  };
}

/**
 * The cost model from `costs` (percents become fractions).
 *
 * @param config The resolved config.
 * @returns Fee rate, slippage and funding rate.
 */
export function costModelOf(config: Config): CostModel {
  const c = config.costs;
  return {
    takerFeeRate: c.taker_fee_percent / 100,
    slippageBps: c.slippage_bps,
    fundingRatePer8h: c.funding_percent_per_8h / 100,
  };
}

/**
 * Portfolio limits from `portfolio`.
 *
 * @param config The resolved config.
 * @returns The entry limits.
 */
export function portfolioLimitsOf(config: Config): PortfolioLimits {
  const p = config.portfolio;
  return {
    maxPositions: p.max_positions,
    maxHeatPercent: p.max_heat_percent,
    maxPerSector: p.max_per_sector,
    onePositionPerSymbol: p.one_position_per_symbol,
    correlationLimit: p.correlation_limit,
  };
}

/**
 * Optimizer settings from `optimizer` (and nothing else).
 *
 * @param config The resolved config.
 * @returns Seed, walk-forward windows, gates, score weights, robustness and Monte Carlo settings.
 */
export function optimizerSettingsOf(config: Config): OptimizerSettings {
  const o = config.optimizer;
  const { gates: g, robustness: r } = o;
  return {
    seed: o.seed,
    walkForward: {
      trainMonths: o.walk_forward.train_months,
      testMonths: o.walk_forward.test_months,
      stepMonths: o.walk_forward.step_months,
      minWindows: o.walk_forward.min_windows,
    },
    minWindowTrades: o.min_window_trades,
    regimeMinTrades: o.regime_min_trades,
    gates: {
      minTrades: g.min_trades,
      minWinRateTp1: g.min_win_rate_tp1,
      minSharpe: g.min_sharpe,
      minProfitFactor: g.min_profit_factor,
      maxDrawdownPct: g.max_drawdown,
      overfitSharpe: g.overfit_sharpe,
      minRobustness: g.min_robustness,
      minEfficiency: g.min_efficiency,
    },
    weights: {
      sharpe: o.score_weights.sharpe,
      profitFactor: o.score_weights.profit_factor,
      winRateTp1: o.score_weights.win_rate_tp1,
      drawdown: o.score_weights.drawdown,
    },
    robustness: {
      spread: r.spread,
      minNeighbourTrades: r.min_neighbour_trades,
      minValidPct: r.min_valid_pct,
      maxDegradationPct: r.max_degradation_pct,
      maxMeanDegradationPct: r.max_mean_degradation_pct,
      maxScoreStdev: r.max_score_stdev,
    },
    monteCarlo: {
      runs: o.monte_carlo.runs,
      blockDays: o.monte_carlo.block_days,
    },
  };
}
