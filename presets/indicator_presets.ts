/**
 * The 60 Velas indicator presets of spec §1.5 (`velas_60.json`, checked against the spec table),
 * validated once at load. A preset's position in {@link INDICATOR_PRESETS} is its index.
 *
 * @module
 */
import data from "./velas_60.json" with { type: "json" };
import {
  type IndicatorPreset,
  validateIndicatorPresets,
} from "../core/preset.ts";

export type { IndicatorPreset } from "../core/preset.ts";

/** The 60 presets, frozen, ordered by index (0-59). */
export const INDICATOR_PRESETS: readonly IndicatorPreset[] =
  validateIndicatorPresets(data, "presets/velas_60.json");

/** The distinct channel periods i1, ascending (38 values): HC/LC is computed once per value. */
export const DISTINCT_I1: readonly number[] = distinct("i1");

/** The distinct stdev periods i2, ascending (13 values): SD is computed once per value. */
export const DISTINCT_I2: readonly number[] = distinct("i2");

function distinct(key: "i1" | "i2"): readonly number[] {
  const values = [...new Set(INDICATOR_PRESETS.map((p) => p[key]))];
  return Object.freeze(values.sort((a, b) => a - b));
}

/**
 * One indicator preset by index.
 *
 * @param index An integer from 0 to 59.
 * @returns The preset.
 * @throws {RangeError} When the index is not an integer in range.
 */
export function indicatorPreset(index: number): IndicatorPreset {
  const preset = Number.isInteger(index) ? INDICATOR_PRESETS[index] : undefined;
  if (preset === undefined) {
    throw new RangeError(
      `Cannot select indicator preset as 'index' must be an integer from 0 to ${
        INDICATOR_PRESETS.length - 1
      }: current value is ${index}`,
    );
  }
  return preset;
}
