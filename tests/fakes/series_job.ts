/**
 * A {@linkcode SeriesJob} for the optimizer's tests: the 60 presets with the default
 * configuration's regimes, filters, ladders and costs.
 *
 * @module
 */
import type { SeriesJob } from "../../core/backtest/optimize_series.ts";
import { DEFAULT_OPTIMIZER_SETTINGS } from "../../core/backtest/optimizer_settings.ts";
import { DEFAULT_CONFIG } from "../../core/config.ts";
import {
  costModelOf,
  filterSettingsOf,
  ladderSpecOf,
  regimeMultipliersOf,
  regimeSettingsOf,
} from "../../core/config_views.ts";
import { regimeLadder } from "../../core/ladder.ts";
import { REGIMES } from "../../core/types.ts";
import { INDICATOR_PRESETS } from "../../presets/indicator_presets.ts";

/**
 * A job optimizing one series over the 60 presets with {@linkcode DEFAULT_CONFIG}'s settings,
 * Pine semantics, stop-first, gap fills, a 500-bar warm-up, a 10 000 balance and the default
 * optimizer settings.
 *
 * @param symbol The series' symbol, e.g. `BTCUSDT`.
 * @param timeframe The series' timeframe, e.g. `2h`.
 * @param overrides Fields to replace, e.g. `warmupBars` or `settings`.
 * @returns The job.
 */
export function seriesJob(
  symbol: string,
  timeframe: string,
  overrides: Partial<SeriesJob> = {},
): SeriesJob {
  const base = ladderSpecOf(DEFAULT_CONFIG);
  const multipliers = regimeMultipliersOf(DEFAULT_CONFIG);
  const [low, normal, high] = REGIMES.map((r) =>
    regimeLadder(base, r, multipliers)
  );
  return {
    symbol,
    timeframe,
    grid: INDICATOR_PRESETS.map(({ i1, i2, i3, i4, i5 }) => ({
      i1,
      i2,
      i3,
      i4,
      i5,
    })),
    semantics: "pine",
    regime: regimeSettingsOf(DEFAULT_CONFIG),
    filters: filterSettingsOf(DEFAULT_CONFIG),
    ladders: [low!, normal!, high!],
    costs: costModelOf(DEFAULT_CONFIG),
    rule: "stop-first",
    gapFills: true,
    warmupBars: 500,
    initialBalance: 10_000,
    settings: DEFAULT_OPTIMIZER_SETTINGS,
    ...overrides,
  };
}
