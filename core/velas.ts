/**
 * The Velas channel-breakout indicator (spec §1.1, DESIGN §2 Indicator), batch form over typed
 * arrays. For every bar t (windows include bar t):
 *
 * - HC = highest high over i1 bars, LC = lowest low over i1 bars, MID = HC − 0.5·(HC − LC)
 * - ATR = ATR(14) ({@link atrSeries}), SD = stdev of close over i2 bars
 * - LT = MID·(1 + i5/100) + ATR·i4 + SD·i3, ST = MID·(1 − i5/100) − ATR·i4 − SD·i3
 *
 * `pine` semantics use the population stdev and the SMA-seeded ATR; `velas-py` the sample stdev
 * and the first-TR-seeded ATR. Values are NaN until their windows are full.
 *
 * {@link forEachPreset} shares work across presets: ATR once per series, SD once per distinct i2,
 * HC/LC once per distinct i1, with buffers allocated once and reused.
 *
 * @module
 */
import { atrSeries } from "./atr.ts";
import {
  rollingMax,
  rollingMin,
  rollingScratch,
  rollingStdev,
} from "./rolling.ts";
import { buildSparseTable, windowExtremes } from "./sparse_extremes.ts";
import { Workspace } from "./workspace.ts";
import type { CandleColumns, IndicatorParams, Semantics } from "./types.ts";

/** All indicator columns of one preset over one series. */
export interface VelasColumns {
  /** Highest high over i1 bars. */
  readonly hc: Float64Array;
  /** Lowest low over i1 bars. */
  readonly lc: Float64Array;
  /** Channel midpoint. */
  readonly mid: Float64Array;
  /** ATR(14). */
  readonly atr: Float64Array;
  /** Standard deviation of close over i2 bars. */
  readonly sd: Float64Array;
  /** Long trigger LT. */
  readonly longTrigger: Float64Array;
  /** Short trigger ST. */
  readonly shortTrigger: Float64Array;
}

/** What {@link forEachPreset} hands to its callback; the buffers are reused after it returns. */
export interface PresetTriggers {
  readonly hc: Float64Array;
  readonly lc: Float64Array;
  readonly atr: Float64Array;
  readonly sd: Float64Array;
  readonly longTrigger: Float64Array;
  readonly shortTrigger: Float64Array;
}

/**
 * Checks one preset's parameters.
 *
 * @param params The preset.
 * @param semantics The stdev estimator in use (the sample estimator needs i2 ≥ 2).
 * @throws {RangeError} Naming the first bad parameter.
 */
export function checkIndicatorParams(
  params: IndicatorParams,
  semantics: Semantics,
): void {
  const minI2 = semantics === "velas-py" ? 2 : 1;
  if (!Number.isInteger(params.i1) || params.i1 < 1) {
    throw new RangeError(
      `Cannot compute the Velas indicator as 'i1' must be an integer of at least 1: current value is ${params.i1}`,
    );
  }
  if (!Number.isInteger(params.i2) || params.i2 < minI2) {
    throw new RangeError(
      `Cannot compute the Velas indicator as 'i2' must be an integer of at least ${minI2}: current value is ${params.i2}`,
    );
  }
  for (const key of ["i3", "i4", "i5"] as const) {
    if (!Number.isFinite(params[key])) {
      throw new RangeError(
        `Cannot compute the Velas indicator as '${key}' must be a finite number: current value is ${
          params[key]
        }`,
      );
    }
  }
}

/**
 * Channel midpoint, written as the original does (HC − 0.5·(HC − LC)).
 *
 * @param hc Highest high.
 * @param lc Lowest low.
 * @returns The midpoint.
 */
export function channelMid(hc: number, lc: number): number {
  return hc - 0.5 * (hc - lc);
}

/**
 * Long trigger from its parts; batch and incremental both call this, so they agree exactly.
 *
 * @param mid Channel midpoint.
 * @param parts `atr`, `sd` and the preset.
 * @returns MID·(1 + i5/100) + ATR·i4 + SD·i3.
 */
export function longTriggerOf(
  mid: number,
  parts: {
    readonly atr: number;
    readonly sd: number;
    readonly params: IndicatorParams;
  },
): number {
  const p = parts.params;
  return mid * (1 + p.i5 / 100) + parts.atr * p.i4 + parts.sd * p.i3;
}

/**
 * Short trigger from its parts.
 *
 * @param mid Channel midpoint.
 * @param parts `atr`, `sd` and the preset.
 * @returns MID·(1 − i5/100) − ATR·i4 − SD·i3.
 */
export function shortTriggerOf(
  mid: number,
  parts: {
    readonly atr: number;
    readonly sd: number;
    readonly params: IndicatorParams;
  },
): number {
  const p = parts.params;
  return mid * (1 - p.i5 / 100) - parts.atr * p.i4 - parts.sd * p.i3;
}

function fillTriggers(
  params: IndicatorParams,
  inputs: {
    hc: Float64Array;
    lc: Float64Array;
    atr: Float64Array;
    sd: Float64Array;
  },
  out: {
    mid: Float64Array | undefined;
    longTrigger: Float64Array;
    shortTrigger: Float64Array;
  },
): void {
  const { hc, lc, atr, sd } = inputs;
  const { mid: midOut, longTrigger, shortTrigger } = out;
  const up = 1 + params.i5 / 100;
  const down = 1 - params.i5 / 100;
  const i3 = params.i3;
  const i4 = params.i4;
  const n = hc.length;
  for (let t = 0; t < n; t++) {
    const h = hc[t]!;
    const mid = h - 0.5 * (h - lc[t]!);
    const a = atr[t]! * i4;
    const s = sd[t]! * i3;
    if (midOut !== undefined) midOut[t] = mid;
    longTrigger[t] = mid * up + a + s;
    shortTrigger[t] = mid * down - a - s;
  }
}

/**
 * Computes every column of one preset over a series (allocating; for tools and tests).
 *
 * @param candles The series.
 * @param options The preset `params` and `semantics`.
 * @returns The indicator columns; NaN where a window is not yet full.
 */
export function velasIndicator(
  candles: CandleColumns,
  options: { readonly params: IndicatorParams; readonly semantics: Semantics },
): VelasColumns {
  const { params, semantics } = options;
  checkIndicatorParams(params, semantics);
  const n = candles.close.length;
  const scratch = rollingScratch(n);
  const hc = rollingMax(candles.high, params.i1, { scratch });
  const lc = rollingMin(candles.low, params.i1, { scratch });
  const atr = atrSeries(candles, { semantics });
  const sd = rollingStdev(candles.close, {
    window: params.i2,
    sample: semantics === "velas-py",
  });
  const mid = new Float64Array(n);
  const longTrigger = new Float64Array(n);
  const shortTrigger = new Float64Array(n);
  fillTriggers(params, { hc, lc, atr, sd }, { mid, longTrigger, shortTrigger });
  return { hc, lc, mid, atr, sd, longTrigger, shortTrigger };
}

/**
 * Runs many presets over one series, sharing ATR, SD (per distinct i2) and HC/LC (per distinct
 * i1, from sparse tables built once). Presets are visited grouped by i1; the callback gets the
 * preset's position in `presets` and buffers that are overwritten after it returns (copy what you
 * keep). Pass a `workspace` to reuse the buffers across series and runs.
 *
 * @param candles The series.
 * @param options `presets`, `semantics`, `onPreset(position, triggers)` and an optional `workspace`.
 */
export function forEachPreset(
  candles: CandleColumns,
  options: {
    readonly presets: readonly IndicatorParams[];
    readonly semantics: Semantics;
    readonly onPreset: (position: number, triggers: PresetTriggers) => void;
    readonly workspace?: Workspace;
  },
): void {
  const { presets, semantics, onPreset } = options;
  const workspace = options.workspace ?? new Workspace();
  let maxI1 = 1;
  for (const p of presets) {
    checkIndicatorParams(p, semantics);
    if (p.i1 > maxI1) maxI1 = p.i1;
  }
  const n = candles.close.length;
  const atr = atrSeries(candles, {
    semantics,
    out: workspace.floats("each:atr", n),
  });
  const sample = semantics === "velas-py";
  const sdByI2 = new Map<number, Float64Array>();
  const byI1 = new Map<number, number[]>();
  presets.forEach((p, position) => {
    if (!sdByI2.has(p.i2)) {
      const out = workspace.floats(`each:sd:${p.i2}`, n);
      sdByI2.set(
        p.i2,
        rollingStdev(candles.close, { window: p.i2, sample, out }),
      );
    }
    const group = byI1.get(p.i1);
    if (group === undefined) byI1.set(p.i1, [position]);
    else group.push(position);
  });
  const highs = buildSparseTable(candles.high, {
    maxWindow: maxI1,
    max: true,
    workspace,
    key: "each:hi",
  });
  const lows = buildSparseTable(candles.low, {
    maxWindow: maxI1,
    max: false,
    workspace,
    key: "each:lo",
  });
  const hc = workspace.floats("each:hc", n);
  const lc = workspace.floats("each:lc", n);
  const longTrigger = workspace.floats("each:lt", n);
  const shortTrigger = workspace.floats("each:st", n);
  for (const [i1, positions] of byI1) {
    windowExtremes(highs, { window: i1, out: hc });
    windowExtremes(lows, { window: i1, out: lc });
    for (const position of positions) {
      const params = presets[position]!;
      const sd = sdByI2.get(params.i2)!;
      fillTriggers(params, { hc, lc, atr, sd }, {
        mid: undefined,
        longTrigger,
        shortTrigger,
      });
      onPreset(position, { hc, lc, atr, sd, longTrigger, shortTrigger });
    }
  }
}
