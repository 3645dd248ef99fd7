/**
 * Position sizing (spec §9.4, DESIGN §2 "Portfolio"): fixed-percent risk with the notional caps,
 * the volatility adjustment and quarter-Kelly risk budgets.
 *
 * Unlike the original, the margin and the risk are reported AFTER the caps: with a balance of
 * 10 000, a 2 % risk budget and an 8.5 % stop the uncapped notional 2 352.94 is capped to 2 000
 * (20 % of the balance), so the risk actually taken is 170 (1.7 %) and the margin at 10× is 200.
 * Percent inputs and outputs are percent numbers (8.5 means 8.5 %).
 *
 * @module
 */
import type { Side } from "./types.ts";

/** Inputs of the fixed-percent risk rule. */
export interface FixedRiskInputs {
  /** Account balance (equity) in quote currency. */
  readonly balance: number;
  /** Risk budget per trade in percent of the balance (2 means 2 %). */
  readonly riskPercent: number;
  /** Maximum notional of one position in percent of the balance (20 means 20 %). */
  readonly maxNotionalPercent: number;
  /** Minimum notional of a position in quote currency (10 USDT). */
  readonly minNotional: number;
  /** Entry price. */
  readonly entry: number;
  /** Stop price. */
  readonly stop: number;
  /** Leverage; it only changes the margin. */
  readonly leverage: number;
  /**
   * Side of the position. When given, a stop on the wrong side is refused; when omitted, the side
   * is the one the stop implies (stop below entry: LONG) and only a zero distance is refused.
   */
  readonly side?: Side;
}

/** Which bound decided the notional, if any. */
export type SizeCap = "max-notional" | "min-notional";

/** A position size. All amounts are in quote currency, percents are percent numbers. */
export interface SizedPosition {
  readonly ok: true;
  /** Notional at the entry price, after the caps. */
  readonly notional: number;
  /** Quantity in base currency: notional / entry. */
  readonly quantity: number;
  /** Margin: notional / leverage, after the caps. */
  readonly margin: number;
  /** The risk budget: balance · riskPercent / 100. */
  readonly intendedRisk: number;
  /** The risk actually taken: notional · stop distance. */
  readonly actualRisk: number;
  /** The risk actually taken in percent of the balance. */
  readonly actualRiskPercent: number;
  /** Distance from entry to stop in percent of the entry. */
  readonly stopDistancePercent: number;
  /** The risk budget used, in percent (the Kelly result in `kelly` mode). */
  readonly riskPercent: number;
  /** Factor of the volatility adjustment (1 unless `volatility` mode adjusted the size). */
  readonly volatilityFactor: number;
  /** The bound that decided the notional, or undefined when the risk budget did. */
  readonly capped: SizeCap | undefined;
}

/** A refused size: the stop is on the wrong side of the entry or at the entry. */
export interface SizingRefusal {
  readonly ok: false;
  readonly rule: "stop-distance";
  readonly detail: string;
}

/** Outcome of a sizing rule. */
export type SizeResult = SizedPosition | SizingRefusal;

/** Inputs of the volatility adjustment besides the fixed-risk result. */
export interface VolatilityInputs {
  /** Current ATR. */
  readonly atr: number;
  /** Average ATR (the regime baseline). */
  readonly averageAtr: number;
  readonly balance: number;
  readonly maxNotionalPercent: number;
  readonly minNotional: number;
  readonly entry: number;
  readonly leverage: number;
}

/** Trade statistics for the Kelly rule. */
export interface KellyInputs {
  /** Fraction of winning trades, 0..1. */
  readonly winRate: number;
  /** Average win, positive. */
  readonly avgWin: number;
  /** Average loss, positive. */
  readonly avgLoss: number;
  /** The configured risk budget in percent; the fallback and the base of the floor R/2. */
  readonly riskPercent: number;
  /** The upper bound of the result in percent. */
  readonly maxNotionalPercent: number;
}

/** The sizing rules of the config (`portfolio.sizing`). */
export type SizingMode = "fixed-risk" | "volatility" | "kelly";

/** Inputs of `sizePosition`: the fixed-risk inputs plus the statistics a mode needs. */
export interface SizingInputs extends FixedRiskInputs {
  /** ATR values for `volatility` mode; without them the size is not adjusted. */
  readonly volatility?: { readonly atr: number; readonly averageAtr: number };
  /** Trade statistics for `kelly` mode; without them the configured risk budget is used. */
  readonly kelly?: {
    readonly winRate: number;
    readonly avgWin: number;
    readonly avgLoss: number;
  };
}

const HIGH_VOLATILITY_RATIO = 1.3;
const LOW_VOLATILITY_RATIO = 0.7;
const HIGH_VOLATILITY_FACTOR = 0.7;
const LOW_VOLATILITY_FACTOR = 1.2;
const KELLY_FRACTION = 0.25;

function requirePositive(action: string, field: string, value: number): void {
  if (!(Number.isFinite(value) && value > 0)) {
    throw new RangeError(
      `Cannot ${action} as '${field}' must be a finite number > 0: current value is ${value}`,
    );
  }
}

function requireNonNegative(
  action: string,
  field: string,
  value: number,
): void {
  if (!(Number.isFinite(value) && value >= 0)) {
    throw new RangeError(
      `Cannot ${action} as '${field}' must be a finite number >= 0: current value is ${value}`,
    );
  }
}

function clampNotional(
  notional: number,
  options: { balance: number; maxNotionalPercent: number; minNotional: number },
): { notional: number; capped: SizeCap | undefined } {
  const maxNotional = options.balance * options.maxNotionalPercent / 100;
  let capped: SizeCap | undefined;
  let result = notional;
  if (result > maxNotional) {
    result = maxNotional;
    capped = "max-notional";
  }
  if (result < options.minNotional) {
    result = options.minNotional;
    capped = "min-notional";
  }
  return { notional: result, capped };
}

/**
 * Fixed-percent risk sizing: notional = balance · R % / stop distance, capped to
 * maxNotionalPercent of the balance, then raised to minNotional (spec §9.4, in that order).
 *
 * @param inputs Balance, risk budget, caps, entry, stop, leverage and optionally the side.
 * @returns The size with margin and risk after the caps, or a `stop-distance` refusal when the
 *   stop is at the entry or on the wrong side of it.
 * @throws {RangeError} When balance, entry, stop, leverage or a percent is not finite and positive,
 *   or minNotional is negative.
 */
export function fixedRiskSize(inputs: FixedRiskInputs): SizeResult {
  const action = "size position";
  requirePositive(action, "balance", inputs.balance);
  requirePositive(action, "riskPercent", inputs.riskPercent);
  requirePositive(action, "maxNotionalPercent", inputs.maxNotionalPercent);
  requireNonNegative(action, "minNotional", inputs.minNotional);
  requirePositive(action, "entry", inputs.entry);
  requirePositive(action, "stop", inputs.stop);
  requirePositive(action, "leverage", inputs.leverage);
  const { entry, stop } = inputs;
  const side = inputs.side ?? (stop > entry ? "SHORT" : "LONG");
  const distance = side === "LONG"
    ? (entry - stop) / entry
    : (stop - entry) / entry;
  if (!(distance > 0)) {
    return {
      ok: false,
      rule: "stop-distance",
      detail: distance === 0
        ? `stop ${stop} equals entry ${entry}`
        : `stop ${stop} is on the wrong side of entry ${entry} for a ${side}`,
    };
  }
  const intendedRisk = inputs.balance * inputs.riskPercent / 100;
  const { notional, capped } = clampNotional(intendedRisk / distance, inputs);
  return {
    ok: true,
    ...amounts(notional, distance, inputs),
    intendedRisk,
    stopDistancePercent: distance * 100,
    riskPercent: inputs.riskPercent,
    volatilityFactor: 1,
    capped,
  };
}

function amounts(
  notional: number,
  distance: number,
  options: { balance: number; entry: number; leverage: number },
): Pick<
  SizedPosition,
  "notional" | "quantity" | "margin" | "actualRisk" | "actualRiskPercent"
> {
  const actualRisk = notional * distance;
  return {
    notional,
    quantity: notional / options.entry,
    margin: notional / options.leverage,
    actualRisk,
    actualRiskPercent: actualRisk / options.balance * 100,
  };
}

/**
 * The volatility factor of spec §9.4: ATR / average ATR above 1.3 gives 0.7, below 0.7 gives
 * 1.2, else 1. Missing, non-finite or non-positive ATR values give 1 (no adjustment).
 *
 * @param atr Current ATR.
 * @param averageAtr Average ATR.
 * @returns The factor applied to the notional.
 */
export function volatilityFactor(atr: number, averageAtr: number): number {
  if (!(atr > 0 && averageAtr > 0 && Number.isFinite(atr / averageAtr))) {
    return 1;
  }
  const ratio = atr / averageAtr;
  if (ratio > HIGH_VOLATILITY_RATIO) return HIGH_VOLATILITY_FACTOR;
  if (ratio < LOW_VOLATILITY_RATIO) return LOW_VOLATILITY_FACTOR;
  return 1;
}

/**
 * Volatility-adjusted sizing: the fixed-risk notional times `volatilityFactor`, clamped to
 * [minNotional, balance · maxNotionalPercent / 100]; quantity, margin and risk are recomputed.
 *
 * @param fixed A fixed-risk size.
 * @param inputs ATR, average ATR, balance, caps, entry and leverage.
 * @returns The adjusted size.
 * @throws {RangeError} When balance, entry, leverage or maxNotionalPercent is not finite and
 *   positive, or minNotional is negative.
 */
export function volatilityAdjustedSize(
  fixed: SizedPosition,
  inputs: VolatilityInputs,
): SizedPosition {
  const action = "adjust position size";
  requirePositive(action, "balance", inputs.balance);
  requirePositive(action, "maxNotionalPercent", inputs.maxNotionalPercent);
  requireNonNegative(action, "minNotional", inputs.minNotional);
  requirePositive(action, "entry", inputs.entry);
  requirePositive(action, "leverage", inputs.leverage);
  const factor = volatilityFactor(inputs.atr, inputs.averageAtr);
  const clamped = clampNotional(fixed.notional * factor, inputs);
  const distance = fixed.stopDistancePercent / 100;
  return {
    ...fixed,
    ...amounts(clamped.notional, distance, inputs),
    volatilityFactor: factor,
    capped: clamped.capped ?? (factor === 1 ? fixed.capped : undefined),
  };
}

/**
 * Quarter-Kelly risk budget (spec §9.4). The result is a RISK budget in percent of the balance:
 * it replaces `riskPercent` in `fixedRiskSize`, so the notional caps still apply. Invalid
 * statistics (win rate outside (0, 1), average loss <= 0, negative average win, non-finite
 * values) give `riskPercent`. Else f = W − (1 − W)/(avgWin/avgLoss), clamped to [0, 1], times
 * 0.25, as a percent clamped to [riskPercent/2, maxNotionalPercent]. Not rounded.
 *
 * @param inputs Win rate, average win and loss, the configured risk budget and the upper bound.
 * @returns The risk budget in percent.
 * @throws {RangeError} When riskPercent or maxNotionalPercent is not finite and positive.
 */
export function kellyRiskPercent(inputs: KellyInputs): number {
  const action = "compute Kelly risk";
  requirePositive(action, "riskPercent", inputs.riskPercent);
  requirePositive(action, "maxNotionalPercent", inputs.maxNotionalPercent);
  const { winRate, avgWin, avgLoss, riskPercent } = inputs;
  if (
    !(winRate > 0 && winRate < 1 && avgLoss > 0 && avgWin >= 0) ||
    !Number.isFinite(avgWin) || !Number.isFinite(avgLoss)
  ) {
    return riskPercent;
  }
  const kelly = avgWin === 0 ? 0 : winRate - (1 - winRate) / (avgWin / avgLoss);
  const percent = Math.min(Math.max(kelly, 0), 1) * KELLY_FRACTION * 100;
  return Math.min(
    Math.max(percent, riskPercent / 2),
    inputs.maxNotionalPercent,
  );
}

/**
 * Sizes a position with the configured rule: `fixed-risk`; `volatility` (fixed risk adjusted by
 * the ATR ratio when `inputs.volatility` is given); `kelly` (fixed risk with the quarter-Kelly
 * budget of `inputs.kelly`, or `riskPercent` without statistics).
 *
 * @param mode The sizing rule.
 * @param inputs The fixed-risk inputs plus the statistics the rule needs.
 * @returns The size, or a `stop-distance` refusal.
 * @throws {TypeError} When the mode is unknown.
 * @throws {RangeError} When an input is out of range (see `fixedRiskSize`).
 */
export function sizePosition(
  mode: SizingMode,
  inputs: SizingInputs,
): SizeResult {
  switch (mode) {
    case "fixed-risk":
      return fixedRiskSize(inputs);
    case "volatility": {
      const fixed = fixedRiskSize(inputs);
      if (!fixed.ok || inputs.volatility === undefined) return fixed;
      return volatilityAdjustedSize(fixed, { ...inputs, ...inputs.volatility });
    }
    case "kelly": {
      const stats = inputs.kelly;
      if (stats === undefined) return fixedRiskSize(inputs);
      const riskPercent = kellyRiskPercent({ ...inputs, ...stats });
      return fixedRiskSize({ ...inputs, riskPercent });
    }
    default:
      throw new TypeError(
        `Cannot size position as 'mode' must be 'fixed-risk', 'volatility' or 'kelly': current value is '${mode as string}'`,
      );
  }
}
