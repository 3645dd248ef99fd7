/** The config views give each core module exactly its own defaults, and convert units. */
import { strict as assert } from "node:assert";
import { DEFAULT_CONFIG, parseConfig } from "../../core/config.ts";
import {
  costModelOf,
  filterSettingsOf,
  ladderSpecOf,
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
