/**
 * Derives the settings each core module takes (camelCase, fractions where the math wants them)
 * from the resolved {@link Config} (snake_case, percents as users write them). One place, so
 * backtest and live read the configuration the same way.
 *
 * @module
 */
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
