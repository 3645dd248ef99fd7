/**
 * Volatility regime of each bar (spec §4, DESIGN §2 Presets and regimes), as a batch over a whole
 * ATR column and as an incremental tracker; both sum the same window in the same order, so they
 * give bit-identical ratios.
 *
 * ratio_t = ATR_t / baseline_t, where baseline_t is the mean of the last `baselineBars` ATR values
 * up to and including bar t. The ratio is undefined (NaN) until that window holds `baselineBars`
 * defined ATR values (a NaN ATR restarts the count); an undefined ratio is the normal regime.
 * A baseline of 0 gives ratio 1. Ratio < lowBelow is low, ratio > highAbove is high, anything
 * else (the thresholds themselves included) is normal. Each window is summed afresh, oldest value
 * first, so no error accumulates along the series.
 *
 * @module
 */
import { type Regime, REGIMES } from "./types.ts";

/** Regime codes for typed arrays; `REGIMES[code]` is the regime of a code. */
export const REGIME_CODES: Readonly<Record<Regime, 0 | 1 | 2>> = Object.freeze(
  { low: 0, normal: 1, high: 2 },
);

/** Regime ratio thresholds (spec §4: 0.7 and 1.3). */
export interface RegimeThresholds {
  /** A ratio below this is the low regime. */
  readonly lowBelow: number;
  /** A ratio above this is the high regime. */
  readonly highAbove: number;
}

/** Regime settings: the baseline window and the thresholds. */
export interface RegimeSettings extends RegimeThresholds {
  /** Number of ATR values in the baseline mean. */
  readonly baselineBars: number;
}

/** The defaults of spec §4: baseline of 100 bars, thresholds 0.7 and 1.3. */
export const DEFAULT_REGIME_SETTINGS: RegimeSettings = Object.freeze({
  baselineBars: 100,
  lowBelow: 0.7,
  highAbove: 1.3,
});

/** Shares, changes and mean duration of a regime series. */
export interface RegimeStats {
  /** Percent of bars in each regime (0 when there are no bars). */
  readonly share: {
    readonly low: number;
    readonly normal: number;
    readonly high: number;
  };
  /** Number of bars whose regime differs from the previous bar's. */
  readonly changes: number;
  /** Bars / (changes + 1). */
  readonly meanDurationBars: number;
}

function check(settings: RegimeSettings): void {
  const { baselineBars, lowBelow, highAbove } = settings;
  if (!Number.isInteger(baselineBars) || baselineBars < 1) {
    throw new RangeError(
      `Cannot classify regimes as 'baselineBars' must be an integer of at least 1: current value is ${baselineBars}`,
    );
  }
  if (!Number.isFinite(lowBelow) || !Number.isFinite(highAbove)) {
    throw new RangeError(
      `Cannot classify regimes as 'lowBelow' and 'highAbove' must be finite numbers: current value is ${lowBelow} and ${highAbove}`,
    );
  }
  if (lowBelow > highAbove) {
    throw new RangeError(
      `Cannot classify regimes as 'lowBelow' must be at most 'highAbove' (${highAbove}): current value is ${lowBelow}`,
    );
  }
}

function codeOf(ratio: number, thresholds: RegimeThresholds): 0 | 1 | 2 {
  return ratio < thresholds.lowBelow ? 0 : ratio > thresholds.highAbove ? 2 : 1;
}

/**
 * Regime of one ATR ratio.
 *
 * @param ratio ATR / baseline (NaN when undefined).
 * @param thresholds Low and high thresholds; the spec's 0.7 and 1.3 when omitted.
 * @returns `low` below lowBelow, `high` above highAbove, else (and for NaN) `normal`.
 */
export function classifyRatio(
  ratio: number,
  thresholds: RegimeThresholds = DEFAULT_REGIME_SETTINGS,
): Regime {
  return REGIMES[codeOf(ratio, thresholds)]!;
}

function ratioOf(atr: number, sum: number, bars: number): number {
  const baseline = sum / bars;
  return baseline === 0 ? 1 : atr / baseline;
}

/**
 * Regime of every bar from the ATR column.
 *
 * @param atr ATR values, oldest first (NaN during the ATR warm-up).
 * @param settings Baseline window and thresholds; {@linkcode DEFAULT_REGIME_SETTINGS} when omitted.
 * @returns `codes` (0 low, 1 normal, 2 high; see {@linkcode REGIME_CODES}) and `ratio` (NaN where
 *   undefined) per bar.
 * @throws {RangeError} When a setting is invalid.
 */
export function regimeSeries(
  atr: Float64Array,
  settings: RegimeSettings = DEFAULT_REGIME_SETTINGS,
): { codes: Uint8Array; ratio: Float64Array } {
  check(settings);
  const bars = settings.baselineBars;
  const n = atr.length;
  const codes = new Uint8Array(n);
  const ratio = new Float64Array(n);
  let run = 0;
  for (let t = 0; t < n; t++) {
    const value = atr[t]!;
    run = value === value ? run + 1 : 0;
    if (run < bars) {
      ratio[t] = NaN;
      codes[t] = 1;
      continue;
    }
    let sum = 0;
    for (let i = t - bars + 1; i <= t; i++) sum += atr[i]!;
    const r = ratioOf(value, sum, bars);
    ratio[t] = r;
    codes[t] = codeOf(r, settings);
  }
  return { codes, ratio };
}

/** Incremental regime: feed one ATR value per closed bar; equals {@link regimeSeries} bar by bar. */
export class RegimeTracker {
  #settings: RegimeSettings;
  #window: Float64Array;
  #count = 0;
  #run = 0;
  #ratio = NaN;

  /**
   * @param settings Baseline window and thresholds; {@linkcode DEFAULT_REGIME_SETTINGS} when omitted.
   * @throws {RangeError} When a setting is invalid.
   */
  constructor(settings: RegimeSettings = DEFAULT_REGIME_SETTINGS) {
    check(settings);
    this.#settings = settings;
    this.#window = new Float64Array(settings.baselineBars);
  }

  /**
   * Adds the ATR of one closed bar.
   *
   * @param atr The bar's ATR (NaN while undefined).
   * @returns The bar's regime.
   */
  update(atr: number): Regime {
    const bars = this.#settings.baselineBars;
    const window = this.#window;
    const count = ++this.#count;
    window[(count - 1) % bars] = atr;
    this.#run = atr === atr ? this.#run + 1 : 0;
    if (this.#run < bars) {
      this.#ratio = NaN;
    } else {
      let sum = 0;
      for (let k = 0; k < bars; k++) sum += window[(count + k) % bars]!;
      this.#ratio = ratioOf(atr, sum, bars);
    }
    return this.regime;
  }

  /** The last ratio, NaN while undefined. */
  get ratio(): number {
    return this.#ratio;
  }

  /** The last regime (`normal` while the ratio is undefined). */
  get regime(): Regime {
    return REGIMES[this.code]!;
  }

  /** The last regime code (see {@linkcode REGIME_CODES}). */
  get code(): 0 | 1 | 2 {
    return codeOf(this.#ratio, this.#settings);
  }

  /** True once the ratio is defined. */
  get ready(): boolean {
    return this.#ratio === this.#ratio;
  }

  /** Forgets every bar. */
  reset(): void {
    this.#count = 0;
    this.#run = 0;
    this.#ratio = NaN;
    this.#window.fill(0);
  }
}

/**
 * Shares, changes and mean duration of a regime series (spec §4).
 *
 * @param codes Regime codes per bar (0 low, 1 normal, 2 high).
 * @returns Percent of bars per regime, number of changes, and bars / (changes + 1).
 * @throws {RangeError} When a code is not 0, 1 or 2.
 */
export function regimeStats(codes: Uint8Array): RegimeStats {
  const n = codes.length;
  const counts = [0, 0, 0];
  let changes = 0;
  for (let t = 0; t < n; t++) {
    const code = codes[t]!;
    if (code > 2) {
      throw new RangeError(
        `Cannot compute regime statistics as 'codes' must hold 0, 1 or 2: current value is ${code} at bar ${t}`,
      );
    }
    counts[code]!++;
    if (t > 0 && code !== codes[t - 1]) changes++;
  }
  const percent = (count: number) => n === 0 ? 0 : count * 100 / n;
  return {
    share: {
      low: percent(counts[0]!),
      normal: percent(counts[1]!),
      high: percent(counts[2]!),
    },
    changes,
    meanDurationBars: n / (changes + 1),
  };
}
