/**
 * Signal filters (spec §2.1, DESIGN §2 Signals): volume, RSI, ADX and trading session, with
 * optional ATR-scaled ("adaptive") levels. All are off by default. A batch form over whole columns
 * ({@link filterVerdicts}) and an incremental form ({@link FilterState}) share the per-bar rule,
 * so they give the same verdicts bar by bar.
 *
 * A verdict is a reason code: 0 when every enabled filter passes, else the code of the FIRST
 * failing enabled filter in the order volume (1), RSI (2), ADX (3), session (4).
 *
 * Rules, on the signal bar t:
 * - volume: volume_t > SMA(volume, period)_t · multiplier (the window includes bar t);
 * - RSI (Wilder, see `rsi.ts`): a LONG passes when RSI > longLevel, a SHORT when RSI < shortLevel;
 * - ADX (Wilder, see `adx.ts`): passes when ADX > level, for both sides;
 * - session: the bar's open time as "HH:MM" UTC lies in [start, end], both ends included; when
 *   start > end the window wraps midnight (22:00-06:00 passes 23:30 and 05:59, not 12:00);
 * - adaptive (replaces the fixed levels of the enabled filters), with f = ATR_t / close_t:
 *   volume multiplier = 1 + f·volumeCoeff; long level = clamp(50 + f·rsiCoeff, 0, 100);
 *   short level = clamp(50 − f·rsiCoeff, 0, 100); ADX level = 25 + f·adxCoeff.
 *
 * Undefined inputs fail: during the warm-up of an enabled filter's indicator (NaN SMA, RSI or
 * ADX), or when adaptive levels meet an undefined ATR, that filter fails with its reason, so no
 * signal passes a filter that could not be evaluated.
 *
 * Settings, codes and the per-bar rule live in `filter_rules.ts` and are re-exported here.
 *
 * @module
 */
import { adxSeries, AdxState } from "./adx.ts";
import {
  type FilterSettings,
  judgeFilterBar,
  minuteOfDayUtc,
  newFilterBar,
  type ResolvedFilters,
  resolveFilters,
} from "./filter_rules.ts";
import { checkPeriod, rsiSeries, RsiState } from "./rsi.ts";
import type { Candle, CandleColumns, Side } from "./types.ts";

export {
  DEFAULT_FILTERS,
  FILTER_REASONS,
  FilterCode,
  type FilterReason,
  type FilterSettings,
  minuteOfDayUtc,
  parseSessionTime,
} from "./filter_rules.ts";

/**
 * Simple moving average; the window includes bar t. Each window is summed afresh, oldest value
 * first, so no error accumulates along the series.
 *
 * @param values Values, oldest first.
 * @param period Window length in bars.
 * @returns The SMA column; NaN on bars 0 to period − 2.
 * @throws {RangeError} When `period` is not an integer of at least 1.
 */
export function smaSeries(values: Float64Array, period: number): Float64Array {
  checkPeriod(period, "SMA");
  const n = values.length;
  const out = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    if (t < period - 1) {
      out[t] = NaN;
      continue;
    }
    let sum = 0;
    for (let i = t - period + 1; i <= t; i++) sum += values[i]!;
    out[t] = sum / period;
  }
  return out;
}

/**
 * Filter verdicts of every bar for both sides.
 *
 * @param candles The series' candle columns.
 * @param atr The ATR column of the series (used only by adaptive levels; may be empty otherwise).
 * @param settings Filter settings.
 * @returns Per bar, the reason code of the first failing enabled filter for a LONG and for a
 *   SHORT (0 = all passed); all zeros when no filter is enabled.
 * @throws {RangeError} When a setting is invalid, or adaptive levels are on and `atr` has another length.
 */
export function filterVerdicts(
  candles: CandleColumns,
  atr: Float64Array,
  settings: FilterSettings,
): { long: Uint8Array; short: Uint8Array } {
  const r = resolveFilters(settings);
  const n = candles.close.length;
  const long = new Uint8Array(n);
  const short = new Uint8Array(n);
  if (!r.any) return { long, short };
  if (r.adaptive && atr.length !== n) {
    throw new RangeError(
      `Cannot apply filters as 'atr' must have one value per candle (${n}): current value is ${atr.length} values`,
    );
  }
  const volume = candles.volume;
  const sma = r.volume ? smaSeries(volume, settings.volume.period) : undefined;
  const rsi = r.rsi ? rsiSeries(candles.close, settings.rsi.period) : undefined;
  const adx = r.adx ? adxSeries(candles, settings.adx.period) : undefined;
  const { openTime, close } = candles;
  const bar = newFilterBar();
  for (let t = 0; t < n; t++) {
    if (sma !== undefined) {
      bar.volume = volume[t]!;
      bar.volumeSma = sma[t]!;
    }
    if (rsi !== undefined) bar.rsi = rsi[t]!;
    if (adx !== undefined) bar.adx = adx[t]!;
    if (r.session) bar.minute = minuteOfDayUtc(openTime[t]!);
    if (r.adaptive) {
      bar.atr = atr[t]!;
      bar.close = close[t]!;
    }
    judgeFilterBar(r, bar);
    long[t] = bar.long;
    short[t] = bar.short;
  }
  return { long, short };
}

/**
 * Incremental filters for live use: feed one closed candle (and its ATR) at a time, then ask the
 * verdict for a side. Gives exactly the codes of {@link filterVerdicts} bar by bar. Before the first
 * candle every enabled filter counts as undefined, so the first enabled one fails.
 */
export class FilterState {
  #r: ResolvedFilters;
  #period: number;
  #volumes: Float64Array;
  #count = 0;
  #rsi: RsiState;
  #adx: AdxState;
  #bar = newFilterBar();

  /**
   * @param settings Filter settings.
   * @throws {RangeError} When a setting is invalid.
   */
  constructor(settings: FilterSettings) {
    this.#r = resolveFilters(settings);
    this.#period = settings.volume.period;
    this.#volumes = new Float64Array(this.#period);
    this.#rsi = new RsiState(settings.rsi.period);
    this.#adx = new AdxState(settings.adx.period);
    judgeFilterBar(this.#r, this.#bar);
  }

  /**
   * Adds one closed candle and evaluates its verdicts.
   *
   * @param candle The closed candle.
   * @param atr The series' ATR after this candle (NaN while undefined; used by adaptive levels).
   * @returns Nothing; read {@link FilterState.verdict}.
   */
  update(candle: Candle, atr: number): void {
    const r = this.#r;
    const bar = this.#bar;
    if (!r.any) return;
    const count = ++this.#count;
    if (r.volume) {
      const period = this.#period;
      const volumes = this.#volumes;
      volumes[(count - 1) % period] = candle.volume;
      bar.volume = candle.volume;
      if (count < period) {
        bar.volumeSma = NaN;
      } else {
        let sum = 0;
        for (let k = 0; k < period; k++) sum += volumes[(count + k) % period]!;
        bar.volumeSma = sum / period;
      }
    }
    if (r.rsi) bar.rsi = this.#rsi.update(candle.close);
    if (r.adx) {
      bar.adx = this.#adx.update(candle.high, candle.low, candle.close);
    }
    if (r.session) bar.minute = minuteOfDayUtc(candle.openTime);
    bar.atr = atr;
    bar.close = candle.close;
    judgeFilterBar(r, bar);
  }

  /**
   * Verdict of the last candle for one side.
   *
   * @param side LONG or SHORT.
   * @returns 0 when every enabled filter passed, else the reason code of the first that failed.
   */
  verdict(side: Side): number {
    return side === "LONG" ? this.#bar.long : this.#bar.short;
  }

  /** True once every enabled filter's inputs are defined (ATR included when adaptive levels are on). */
  get ready(): boolean {
    const r = this.#r;
    const bar = this.#bar;
    return (!r.volume || bar.volumeSma === bar.volumeSma) &&
      (!r.rsi || this.#rsi.ready) && (!r.adx || this.#adx.ready) &&
      (!r.session || this.#count > 0) &&
      (!r.scaled || bar.atr === bar.atr);
  }

  /** The last volume SMA (NaN while undefined or when the volume filter is off). */
  get volumeSma(): number {
    return this.#bar.volumeSma;
  }

  /** The last RSI (NaN while undefined or when the RSI filter is off). */
  get rsi(): number {
    return this.#bar.rsi;
  }

  /** The last ADX (NaN while undefined or when the ADX filter is off). */
  get adx(): number {
    return this.#bar.adx;
  }

  /** Forgets every candle. */
  reset(): void {
    this.#count = 0;
    this.#volumes.fill(0);
    this.#rsi.reset();
    this.#adx.reset();
    this.#bar = newFilterBar();
    judgeFilterBar(this.#r, this.#bar);
  }
}
