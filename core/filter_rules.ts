/**
 * Filter settings, verdict codes and the per-bar filter rule (spec §2.1, DESIGN §2 Signals),
 * shared by the batch and incremental forms in `filters.ts`. See that module for the rules.
 *
 * @module
 */
import { checkPeriod } from "./rsi.ts";

/** Settings of the four filters and of the adaptive levels (plain data, camelCase). */
export interface FilterSettings {
  /** Volume above a multiple of its simple moving average. */
  readonly volume: {
    readonly enabled: boolean;
    readonly multiplier: number;
    readonly period: number;
  };
  /** Wilder RSI on the signal's side of the levels. */
  readonly rsi: {
    readonly enabled: boolean;
    readonly period: number;
    readonly longLevel: number;
    readonly shortLevel: number;
  };
  /** Wilder ADX above a level (trend strength, both sides). */
  readonly adx: {
    readonly enabled: boolean;
    readonly period: number;
    readonly level: number;
  };
  /** Bar open time inside a daily UTC window "HH:MM"-"HH:MM" (inclusive, may wrap midnight). */
  readonly session: {
    readonly enabled: boolean;
    readonly start: string;
    readonly end: string;
  };
  /** ATR-scaled levels replacing the fixed ones of the enabled filters. */
  readonly adaptive: {
    readonly enabled: boolean;
    readonly volumeCoeff: number;
    readonly rsiCoeff: number;
    readonly adxCoeff: number;
  };
}

/** The defaults of spec §2.1, every filter disabled. */
export const DEFAULT_FILTERS: FilterSettings = Object.freeze({
  volume: Object.freeze({ enabled: false, multiplier: 1.2, period: 20 }),
  rsi: Object.freeze({
    enabled: false,
    period: 14,
    longLevel: 50,
    shortLevel: 50,
  }),
  adx: Object.freeze({ enabled: false, period: 14, level: 25 }),
  session: Object.freeze({ enabled: false, start: "09:00", end: "17:00" }),
  adaptive: Object.freeze({
    enabled: false,
    volumeCoeff: 0.5,
    rsiCoeff: 10,
    adxCoeff: 10,
  }),
});

/** Reason names indexed by verdict code; code 0 (passed) has the empty name. */
export const FILTER_REASONS = ["", "volume", "rsi", "adx", "session"] as const;

/** Name of the filter that refused a signal. */
export type FilterReason = Exclude<typeof FILTER_REASONS[number], "">;

/** Verdict codes, small integers so batch scans can store them in typed arrays. */
export const FilterCode = {
  /** Every enabled filter passed. */
  Pass: 0,
  /** The volume filter failed first. */
  Volume: 1,
  /** The RSI filter failed first. */
  Rsi: 2,
  /** The ADX filter failed first. */
  Adx: 3,
  /** The session filter failed first. */
  Session: 4,
} as const;

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
const HH_MM = /^([01][0-9]|2[0-3]):([0-5][0-9])$/;

/**
 * Minute of the UTC day of an epoch time, seconds dropped (the "HH:MM" of the time).
 *
 * @param epochMs Epoch milliseconds (negative times allowed).
 * @returns 0 (00:00) to 1439 (23:59).
 */
export function minuteOfDayUtc(epochMs: number): number {
  return Math.floor((((epochMs % DAY_MS) + DAY_MS) % DAY_MS) / MINUTE_MS);
}

/**
 * Parses a session time "HH:MM" (24-hour, zero-padded).
 *
 * @param text The time, e.g. `09:00`.
 * @param field The settings field for the message, e.g. `session.start`.
 * @returns The minute of the day, 0 to 1439.
 * @throws {RangeError} When the text is not a time from 00:00 to 23:59.
 */
export function parseSessionTime(text: string, field: string): number {
  const match = HH_MM.exec(text);
  if (match === null) {
    throw new RangeError(
      `Cannot parse session time as '${field}' must be HH:MM from 00:00 to 23:59: current value is '${text}'`,
    );
  }
  return Number(match[1]) * 60 + Number(match[2]);
}

/** Filter settings checked and turned into numbers once (see {@link resolveFilters}). */
export interface ResolvedFilters {
  readonly volume: boolean;
  readonly rsi: boolean;
  readonly adx: boolean;
  readonly session: boolean;
  readonly adaptive: boolean;
  readonly any: boolean;
  /** Adaptive levels are on and scale at least one enabled filter. */
  readonly scaled: boolean;
  readonly multiplier: number;
  readonly longLevel: number;
  readonly shortLevel: number;
  readonly adxLevel: number;
  readonly volumeCoeff: number;
  readonly rsiCoeff: number;
  readonly adxCoeff: number;
  readonly start: number;
  readonly end: number;
}

function checkFinite(value: number, field: string): void {
  if (!Number.isFinite(value)) {
    throw new RangeError(
      `Cannot apply filters as '${field}' must be a finite number: current value is ${value}`,
    );
  }
}

/**
 * Checks filter settings and turns them into numbers.
 *
 * @param settings Filter settings.
 * @returns The resolved settings.
 * @throws {RangeError} When a period is not a positive integer, a level, multiplier or coefficient
 *   is not finite, or a session time is not HH:MM.
 */
export function resolveFilters(settings: FilterSettings): ResolvedFilters {
  const { volume, rsi, adx, session, adaptive } = settings;
  checkPeriod(volume.period, "the volume SMA");
  checkPeriod(rsi.period, "RSI");
  checkPeriod(adx.period, "ADX");
  checkFinite(volume.multiplier, "volume.multiplier");
  checkFinite(rsi.longLevel, "rsi.longLevel");
  checkFinite(rsi.shortLevel, "rsi.shortLevel");
  checkFinite(adx.level, "adx.level");
  checkFinite(adaptive.volumeCoeff, "adaptive.volumeCoeff");
  checkFinite(adaptive.rsiCoeff, "adaptive.rsiCoeff");
  checkFinite(adaptive.adxCoeff, "adaptive.adxCoeff");
  return {
    volume: volume.enabled,
    rsi: rsi.enabled,
    adx: adx.enabled,
    session: session.enabled,
    adaptive: adaptive.enabled,
    any: volume.enabled || rsi.enabled || adx.enabled || session.enabled,
    scaled: adaptive.enabled && (volume.enabled || rsi.enabled || adx.enabled),
    multiplier: volume.multiplier,
    longLevel: rsi.longLevel,
    shortLevel: rsi.shortLevel,
    adxLevel: adx.level,
    volumeCoeff: adaptive.volumeCoeff,
    rsiCoeff: adaptive.rsiCoeff,
    adxCoeff: adaptive.adxCoeff,
    start: parseSessionTime(session.start, "session.start"),
    end: parseSessionTime(session.end, "session.end"),
  };
}

/** The inputs of one bar and its two verdicts; one reusable record per scan or state. */
export interface FilterBar {
  volume: number;
  volumeSma: number;
  rsi: number;
  adx: number;
  minute: number;
  atr: number;
  close: number;
  long: number;
  short: number;
}

/**
 * A fresh bar record with every input undefined.
 *
 * @returns The record (NaN inputs, verdicts 0).
 */
export function newFilterBar(): FilterBar {
  return {
    volume: NaN,
    volumeSma: NaN,
    rsi: NaN,
    adx: NaN,
    minute: NaN,
    atr: NaN,
    close: NaN,
    long: 0,
    short: 0,
  };
}

function clampLevel(level: number): number {
  return level < 0 ? 0 : level > 100 ? 100 : level;
}

/**
 * The per-bar rule shared by the batch and incremental forms: writes `bar.long` and `bar.short`,
 * the reason code of the first failing enabled filter per side (0 = all passed).
 *
 * @param r Resolved settings.
 * @param bar The bar's inputs; its `long` and `short` fields receive the verdicts.
 * @returns Nothing.
 */
export function judgeFilterBar(r: ResolvedFilters, bar: FilterBar): void {
  const f = r.adaptive ? bar.atr / bar.close : 0;
  let common: number = FilterCode.Pass;
  if (r.volume) {
    const multiplier = r.adaptive ? 1 + f * r.volumeCoeff : r.multiplier;
    if (!(bar.volume > bar.volumeSma * multiplier)) common = FilterCode.Volume;
  }
  let rsiLong = true;
  let rsiShort = true;
  if (r.rsi) {
    const longLevel = r.adaptive
      ? clampLevel(50 + f * r.rsiCoeff)
      : r.longLevel;
    const shortLevel = r.adaptive
      ? clampLevel(50 - f * r.rsiCoeff)
      : r.shortLevel;
    rsiLong = bar.rsi > longLevel;
    rsiShort = bar.rsi < shortLevel;
  }
  let late: number = FilterCode.Pass;
  if (r.adx && !(bar.adx > (r.adaptive ? 25 + f * r.adxCoeff : r.adxLevel))) {
    late = FilterCode.Adx;
  } else if (r.session) {
    const m = bar.minute;
    const inside = r.start <= r.end
      ? m >= r.start && m <= r.end
      : m >= r.start || m <= r.end;
    if (!inside) late = FilterCode.Session;
  }
  bar.long = common !== 0 ? common : rsiLong ? late : FilterCode.Rsi;
  bar.short = common !== 0 ? common : rsiShort ? late : FilterCode.Rsi;
}
