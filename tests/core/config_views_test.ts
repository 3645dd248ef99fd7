/** The config views give each core module exactly its own defaults, and convert units. */
import { strict as assert } from "node:assert";
import { DEFAULT_OPTIMIZER_SETTINGS } from "../../core/backtest/optimizer_settings.ts";
import { ConfigError, DEFAULT_CONFIG, parseConfig } from "../../core/config.ts";
import {
  costModelOf,
  filterSettingsOf,
  ladderSpecOf,
  optimizerSettingsOf,
  portfolioLimitsOf,
  regimeMultipliersOf,
  regimeSettingsOf,
} from "../../core/config_views.ts";
import { DEFAULT_COSTS } from "../../core/costs.ts";
import { DEFAULT_FILTERS } from "../../core/filter_rules.ts";
import {
  DEFAULT_LADDER,
  DEFAULT_REGIME_MULTIPLIERS,
} from "../../core/ladder_levels.ts";
import { DEFAULT_PORTFOLIO_LIMITS } from "../../core/portfolio.ts";
import { DEFAULT_REGIME_SETTINGS } from "../../core/regime.ts";

/** Plain-data copy, so frozen and unfrozen objects compare by value. */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

Deno.test("config defaults equal every core module's own defaults", () => {
  assert.deepEqual(
    plain(filterSettingsOf(DEFAULT_CONFIG)),
    plain(DEFAULT_FILTERS),
  );
  assert.deepEqual(
    plain(regimeSettingsOf(DEFAULT_CONFIG)),
    plain(DEFAULT_REGIME_SETTINGS),
  );
  assert.deepEqual(
    plain(regimeMultipliersOf(DEFAULT_CONFIG)),
    plain(DEFAULT_REGIME_MULTIPLIERS),
  );
  assert.deepEqual(plain(ladderSpecOf(DEFAULT_CONFIG)), plain(DEFAULT_LADDER));
  assert.deepEqual(plain(costModelOf(DEFAULT_CONFIG)), plain(DEFAULT_COSTS));
  assert.deepEqual(
    plain(portfolioLimitsOf(DEFAULT_CONFIG)),
    plain(DEFAULT_PORTFOLIO_LIMITS),
  );
  assert.deepEqual(
    plain(optimizerSettingsOf(DEFAULT_CONFIG)),
    plain(DEFAULT_OPTIMIZER_SETTINGS),
  );
});

Deno.test("config views turn percents into fractions and snake_case into the modules' names", () => {
  const config = parseConfig({
    costs: {
      taker_fee_percent: 0.1,
      funding_percent_per_8h: 0.03,
      slippage_bps: 5,
    },
    signals: { filters: { rsi: { enabled: true, long_level: 55 } } },
    portfolio: { max_heat_percent: 6, one_position_per_symbol: false },
  });
  const costs = costModelOf(config);
  assert.equal(costs.takerFeeRate, 0.001);
  assert.equal(costs.fundingRatePer8h, 0.0003);
  assert.equal(costs.slippageBps, 5);
  const filters = filterSettingsOf(config);
  assert.deepEqual(plain(filters.rsi), {
    enabled: true,
    period: 14,
    longLevel: 55,
    shortLevel: 50,
  });
  const limits = portfolioLimitsOf(config);
  assert.equal(limits.maxHeatPercent, 6);
  assert.equal(limits.onePositionPerSymbol, false);
});

Deno.test("optimizer settings map every overridden optimizer key to its camelCase field", () => {
  const config = parseConfig({
    optimizer: {
      seed: 42,
      min_window_trades: 12,
      regime_min_trades: 40,
      walk_forward: {
        train_months: 9,
        test_months: 3,
        step_months: 1,
        min_windows: 5,
      },
      gates: {
        min_trades: 50,
        min_win_rate_tp1: 60,
        min_sharpe: 1,
        min_profit_factor: 1.3,
        max_drawdown: 12,
        overfit_sharpe: 3,
        min_robustness: 75,
        min_efficiency: 0.4,
      },
      score_weights: {
        sharpe: 0.4,
        profit_factor: 0.2,
        win_rate_tp1: 0.3,
        drawdown: 0.1,
      },
      robustness: {
        spread: 0.1,
        min_neighbour_trades: 15,
        min_valid_pct: 60,
        max_degradation_pct: 35,
        max_mean_degradation_pct: 25,
        max_score_stdev: 18,
      },
      monte_carlo: { runs: 2000, block_days: 7 },
    },
  });
  assert.deepEqual(plain(optimizerSettingsOf(config)), {
    seed: 42,
    walkForward: {
      trainMonths: 9,
      testMonths: 3,
      stepMonths: 1,
      minWindows: 5,
    },
    minWindowTrades: 12,
    regimeMinTrades: 40,
    gates: {
      minTrades: 50,
      minWinRateTp1: 60,
      minSharpe: 1,
      minProfitFactor: 1.3,
      maxDrawdownPct: 12,
      overfitSharpe: 3,
      minRobustness: 75,
      minEfficiency: 0.4,
    },
    weights: { sharpe: 0.4, profitFactor: 0.2, winRateTp1: 0.3, drawdown: 0.1 },
    robustness: {
      spread: 0.1,
      minNeighbourTrades: 15,
      minValidPct: 60,
      maxDegradationPct: 35,
      maxMeanDegradationPct: 25,
      maxScoreStdev: 18,
    },
    monteCarlo: { runs: 2000, blockDays: 7 },
  });
});

Deno.test("optimizer settings keep the defaults of keys a partial override leaves out", () => {
  const settings = optimizerSettingsOf(
    parseConfig({ optimizer: { gates: { max_drawdown: 10 } } }),
  );
  assert.deepEqual(plain(settings), {
    ...(plain(DEFAULT_OPTIMIZER_SETTINGS) as object),
    gates: { ...DEFAULT_OPTIMIZER_SETTINGS.gates, maxDrawdownPct: 10 },
  });
});

Deno.test("config rejects out-of-range optimizer values naming each key path", () => {
  assert.throws(
    () =>
      parseConfig({
        optimizer: {
          monte_carlo: { runs: 100 },
          walk_forward: { train_months: 0 },
          robustness: { spread: 1 },
          gates: { min_win_rate_tp1: 101 },
        },
      }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError, `not a ConfigError: ${error}`);
      assert.deepEqual(error.problems, [
        "optimizer.walk_forward.train_months: must be an integer from 1 to 60: current value is 0",
        "optimizer.gates.min_win_rate_tp1: must be a number from 0 to 100: current value is 101",
        "optimizer.robustness.spread: must be a number greater than 0 and at most 0.9: current value is 1",
        "optimizer.monte_carlo.runs: must be an integer greater than or equal to 500: current value is 100",
      ]);
      return true;
    },
  );
});
