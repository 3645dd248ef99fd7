/**
 * The take-profit / stop-loss ladder as data: six TP percents, one SL percent, the share of the
 * position closed at each TP and the stop-management mode (spec §3.1-§3.3, DESIGN §2 "Presets and
 * regimes"). Also the regime scaling of the percents and the price levels of one entry.
 *
 * Percents are percent numbers (1 means 1 %), as in configs and presets.
 *
 * @module
 */
import type { Regime, Side } from "./types.ts";

/** Number of take-profit levels of a ladder. */
export const TP_COUNT = 6;

/**
 * How the stop moves after TPs fill: `cascade` (TP1 → entry, TPn → TP(n−1)), `breakeven` (entry
 * once `breakevenAfterTp` TPs are filled) or `none` (never moves).
 */
export type StopMode = "cascade" | "breakeven" | "none";

/** The TP and SL distances of a ladder, in percent of the entry price. */
export interface LadderPercents {
  /** Six TP distances in percent, strictly ascending, each in (0, 100). */
  readonly tpPercents: readonly number[];
  /** SL distance in percent, in (0, 100). */
  readonly slPercent: number;
}

/** A complete ladder: distances, shares per TP and stop management. */
export interface LadderSpec extends LadderPercents {
  /** Share of the position closed at each TP in percent; six values summing to 100. */
  readonly shares: readonly number[];
  /** How the stop moves after TPs fill. */
  readonly stopMode: StopMode;
  /** For `breakeven` mode: the number of filled TPs (1..6) after which the stop goes to entry. */
  readonly breakevenAfterTp: number;
}

/** TP and SL multipliers per volatility regime. */
export interface RegimeMultipliers {
  /** Multiplier of every TP percent, per regime. */
  readonly tp: Readonly<Record<Regime, number>>;
  /** Multiplier of the SL percent, per regime. */
  readonly sl: Readonly<Record<Regime, number>>;
}

/** Price levels of one entry: the six TP prices and the initial stop. */
export interface LadderPrices {
  /** TP1…TP6 prices, rounded to 8 decimals. */
  readonly tp: readonly number[];
  /** The initial stop price, rounded to 8 decimals. */
  readonly stop: number;
}

/** Regime multipliers of spec §4: TP ×0.8/×1.0/×1.3 and SL ×0.8/×1.0/×1.2 (low/normal/high). */
export const DEFAULT_REGIME_MULTIPLIERS: RegimeMultipliers = Object.freeze({
  tp: Object.freeze({ low: 0.8, normal: 1, high: 1.3 }),
  sl: Object.freeze({ low: 0.8, normal: 1, high: 1.2 }),
});

/** The normal-regime ladder: TP 1, 2, 3, 4, 7.5, 14 %; SL 8.5 %; shares 20/20/15/15/15/15; cascade. */
export const DEFAULT_LADDER: LadderSpec = Object.freeze({
  tpPercents: Object.freeze([1, 2, 3, 4, 7.5, 14]),
  slPercent: 8.5,
  shares: Object.freeze([20, 20, 15, 15, 15, 15]),
  stopMode: "cascade",
  breakevenAfterTp: 1,
});

const STOP_MODES: readonly StopMode[] = ["cascade", "breakeven", "none"];
const PRICE_SCALE = 1e8;
const PERCENT_SCALE = 1e10;

function roundPrice(price: number): number {
  return Math.round(price * PRICE_SCALE) / PRICE_SCALE;
}

/** Removes float dust such as 7.5 × 1.3 = 9.750000000000002. */
function roundPercent(percent: number): number {
  return Math.round(percent * PERCENT_SCALE) / PERCENT_SCALE;
}

function format(values: readonly number[]): string {
  return `[${values.join(", ")}]`;
}

/**
 * Scales six TP shares to sum to 100 (spec §3.1: "normalised to sum 100 if it does not").
 *
 * @param shares Six non-negative shares, in percent or any common unit, with a positive sum.
 * @returns Six shares in percent summing to 100 (the same values when they already do).
 * @throws {RangeError} When there are not six finite non-negative values with a positive sum.
 */
export function normaliseShares(shares: readonly number[]): readonly number[] {
  let sum = 0;
  let valid = shares.length === TP_COUNT;
  for (let k = 0; k < shares.length; k++) {
    const share = shares[k]!;
    if (!(share >= 0 && share < Infinity)) valid = false;
    sum += share;
  }
  if (!valid || !(sum > 0)) {
    throw new RangeError(
      `Cannot normalise shares as 'shares' must be ${TP_COUNT} finite numbers >= 0 with a positive sum: current value is ${
        format(shares)
      }`,
    );
  }
  if (Math.abs(sum - 100) <= 1e-9) return shares.slice();
  return shares.map((share) => (share * 100) / sum);
}

/**
 * Checks a ladder spec: six strictly ascending TP percents in (0, 100), an SL percent in (0, 100),
 * valid shares, a known stop mode and `breakevenAfterTp` an integer in 1..6.
 *
 * @param spec The ladder to check.
 * @returns The same spec.
 * @throws {RangeError} Naming the first field that is out of range.
 */
export function checkLadderSpec(spec: LadderSpec): LadderSpec {
  const tp = spec.tpPercents;
  let tpValid = tp.length === TP_COUNT;
  for (let k = 0; k < tp.length && tpValid; k++) {
    const p = tp[k]!;
    tpValid = p > 0 && p < 100 && (k === 0 || p > tp[k - 1]!);
  }
  if (!tpValid) {
    throw new RangeError(
      `Cannot use ladder as 'tpPercents' must be ${TP_COUNT} strictly ascending numbers in (0, 100): current value is ${
        format(tp)
      }`,
    );
  }
  if (
    !(Number.isFinite(spec.slPercent) && spec.slPercent > 0 &&
      spec.slPercent < 100)
  ) {
    throw new RangeError(
      `Cannot use ladder as 'slPercent' must be a number in (0, 100): current value is ${spec.slPercent}`,
    );
  }
  normaliseShares(spec.shares);
  if (!STOP_MODES.includes(spec.stopMode)) {
    throw new RangeError(
      `Cannot use ladder as 'stopMode' must be one of cascade, breakeven, none: current value is ${spec.stopMode}`,
    );
  }
  const after = spec.breakevenAfterTp;
  if (!(Number.isInteger(after) && after >= 1 && after <= TP_COUNT)) {
    throw new RangeError(
      `Cannot use ladder as 'breakevenAfterTp' must be an integer in 1..${TP_COUNT}: current value is ${after}`,
    );
  }
  return spec;
}

/**
 * Scales a ladder's TP and SL percents for a volatility regime (normal ×1; low TP ×0.8, SL ×0.8;
 * high TP ×1.3, SL ×1.2 by default). Other fields are kept.
 *
 * @param base The normal-regime ladder (or just its percents).
 * @param regime The regime of the signal bar.
 * @param multipliers TP and SL multipliers per regime; {@linkcode DEFAULT_REGIME_MULTIPLIERS} when omitted.
 * @returns A copy of `base` with scaled `tpPercents` and `slPercent` (float dust below 1e-10 removed).
 */
export function regimeLadder<T extends LadderPercents>(
  base: T,
  regime: Regime,
  multipliers: RegimeMultipliers = DEFAULT_REGIME_MULTIPLIERS,
): T {
  const tpMultiplier = multipliers.tp[regime];
  const slMultiplier = multipliers.sl[regime];
  return {
    ...base,
    tpPercents: base.tpPercents.map((p) => roundPercent(p * tpMultiplier)),
    slPercent: roundPercent(base.slPercent * slMultiplier),
  };
}

/**
 * Price levels of one entry (spec §3.2). LONG: TP_k = E·(1 + p_k/100), SL = E·(1 − s/100);
 * SHORT: TP_k = E·(1 − p_k/100), SL = E·(1 + s/100). Rounded to 8 decimals.
 *
 * @param side Side of the position.
 * @param entry The entry price the levels are measured from.
 * @param spec The ladder's percents.
 * @returns The six TP prices and the stop.
 * @throws {RangeError} When `entry` is not a positive finite number.
 */
export function ladderPrices(
  side: Side,
  entry: number,
  spec: LadderPercents,
): LadderPrices {
  if (!(Number.isFinite(entry) && entry > 0)) {
    throw new RangeError(
      `Cannot compute ladder prices as 'entry' must be a positive finite number: current value is ${entry}`,
    );
  }
  const sign = side === "LONG" ? 1 : -1;
  return {
    tp: spec.tpPercents.map((p) => roundPrice(entry * (1 + (sign * p) / 100))),
    stop: roundPrice(entry * (1 - (sign * spec.slPercent) / 100)),
  };
}
