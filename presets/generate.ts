/**
 * The default presets (spec §5.3): one per pair x timeframe x regime, with the sector's default
 * indicator parameters (spec §1.7), the config ladder scaled by the regime multipliers, the
 * config TP shares and an empty optimizer block. 20 x 3 x 3 = 180 with the default config.
 *
 * @module
 */
import type { Config } from "../core/config.ts";
import { sectorOf } from "../core/portfolio.ts";
import {
  emptyOptimization,
  type PresetFile,
  tpMap,
  validatePreset,
} from "../core/preset.ts";
import { type IndicatorParams, REGIMES } from "../core/types.ts";

/** Default indicator parameters per sector (spec §1.7); other sectors use L1's. */
export const SECTOR_DEFAULT_INDICATORS: {
  readonly [sector: string]: IndicatorParams;
} = Object.freeze({
  BTC: { i1: 60, i2: 14, i3: 0.8, i4: 1.4, i5: 1.4 },
  ETH: { i1: 55, i2: 14, i3: 0.9, i4: 1.5, i5: 1.5 },
  L1: { i1: 50, i2: 12, i3: 1.1, i4: 1.6, i5: 1.6 },
  L2: { i1: 45, i2: 11, i3: 1.3, i4: 1.7, i5: 1.7 },
  DEFI: { i1: 40, i2: 10, i3: 1.5, i4: 1.8, i5: 1.8 },
  OLD: { i1: 65, i2: 14, i3: 0.7, i4: 1.3, i5: 1.3 },
  MEME: { i1: 35, i2: 10, i3: 1.8, i4: 2.0, i5: 2.0 },
  CEX: { i1: 55, i2: 13, i3: 1.0, i4: 1.5, i5: 1.5 },
});

/** The notes of a generated preset. */
export const GENERATED_NOTES = "Auto-generated preset. Needs optimization.";

/** What {@link generateDefaultPresets} needs: parts of the config and the generation time. */
export interface GenerateOptions {
  readonly pairs: Config["pairs"];
  readonly sectors: Config["sectors"];
  readonly timeframes: Config["timeframes"];
  readonly ladder: Pick<
    Config["ladder"],
    "tp_percents" | "sl_percent" | "shares"
  >;
  readonly regimes: Pick<Config["regimes"], "tp_multiplier" | "sl_multiplier">;
  /** ISO UTC time written into `optimization.generated_at`. */
  readonly generatedAt: string;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/**
 * The default presets, ordered pair x timeframe x regime (low, normal, high).
 *
 * @param options Pairs, sectors, timeframes, base ladder, regime multipliers, generation time.
 * @returns The validated presets.
 */
export function generateDefaultPresets(options: GenerateOptions): PresetFile[] {
  const { ladder, regimes, generatedAt } = options;
  const optimization = emptyOptimization(generatedAt);
  const presets: PresetFile[] = [];
  for (const symbol of options.pairs) {
    const sector = sectorOf(symbol, options.sectors);
    const indicator = SECTOR_DEFAULT_INDICATORS[sector] ??
      SECTOR_DEFAULT_INDICATORS["L1"];
    for (const timeframe of options.timeframes) {
      for (const regime of REGIMES) {
        const tpScale = regimes.tp_multiplier[regime];
        const slScale = regimes.sl_multiplier[regime];
        presets.push(validatePreset({
          symbol,
          timeframe,
          volatility_regime: regime,
          sector,
          indicator,
          tp_levels: tpMap(ladder.tp_percents.map((p) => round2(p * tpScale))),
          sl_percent: round2(ladder.sl_percent * slScale),
          tp_distribution: tpMap(ladder.shares),
          optimization,
          is_active: true,
          notes: GENERATED_NOTES,
        }, `${symbol}_${timeframe}_${regime}.yaml`));
      }
    }
  }
  return presets;
}
