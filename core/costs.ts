/**
 * Trading costs of one fill or one holding period: the taker fee, adverse slippage in basis points
 * and perpetual-futures funding (DESIGN §2 "Positions, stops, fills", Costs).
 *
 * Funding is modelled conservatively: the real rate is signed (longs pay shorts when it is
 * positive, and the other way round when it is negative), but VELAS assumes a positive rate and
 * charges it as a cost to both sides, so a backtest never earns funding it might not get.
 * Funding falls due at 00:00, 08:00 and 16:00 UTC, which are exactly the multiples of 8 h in epoch
 * ms.
 *
 * @module
 */

/** Cost assumptions applied to every fill and every open hour of a position. */
export interface CostModel {
  /** Taker fee as a fraction of notional, charged on every fill (0.0005 = 0.05 %). */
  readonly takerFeeRate: number;
  /** Adverse slippage of market fills (entry, stop, close), in basis points of price. */
  readonly slippageBps: number;
  /** Funding rate per 8-hour period as a fraction of notional (0.0001 = 0.01 %). */
  readonly fundingRatePer8h: number;
}

/** The default costs: Binance USDT-M taker fee 0.05 %, 2 bps slippage, funding 0.01 % per 8 h. */
export const DEFAULT_COSTS: CostModel = Object.freeze({
  takerFeeRate: 0.0005,
  slippageBps: 2,
  fundingRatePer8h: 0.0001,
});

/** No costs at all (the original backtester, `--compat velas-py`). */
export const ZERO_COSTS: CostModel = Object.freeze({
  takerFeeRate: 0,
  slippageBps: 0,
  fundingRatePer8h: 0,
});

/** Side of an order, as opposed to the side of a position. */
export type OrderSide = "buy" | "sell";

/** The funding interval: 8 hours in ms. */
export const FUNDING_INTERVAL_MS = 8 * 3_600_000;

const BPS = 10_000;

/**
 * Checks that every field of a cost model is a finite, non-negative number.
 *
 * @param costs The cost model to check.
 * @returns The same cost model.
 * @throws {RangeError} When a field is negative, infinite or NaN.
 */
export function checkCosts(costs: CostModel): CostModel {
  for (
    const field of ["takerFeeRate", "slippageBps", "fundingRatePer8h"] as const
  ) {
    const value = costs[field];
    if (!(Number.isFinite(value) && value >= 0)) {
      throw new RangeError(
        `Cannot use cost model as '${field}' must be a finite number >= 0: current value is ${value}`,
      );
    }
  }
  return costs;
}

/**
 * Price of a market order after adverse slippage: a buy pays more, a sell receives less.
 *
 * @param price The reference price (the level or the close).
 * @param side Side of the order: `buy` or `sell`.
 * @param costs Cost model; only `slippageBps` is used.
 * @returns `price·(1 + bps/10 000)` for a buy, `price·(1 − bps/10 000)` for a sell.
 */
export function applySlippage(
  price: number,
  side: OrderSide,
  costs: Pick<CostModel, "slippageBps">,
): number {
  if (costs.slippageBps === 0) return price;
  const fraction = costs.slippageBps / BPS;
  return side === "buy" ? price * (1 + fraction) : price * (1 - fraction);
}

/**
 * Taker fee of one fill.
 *
 * @param price Fill price.
 * @param quantity Filled quantity in base units.
 * @param costs Cost model; only `takerFeeRate` is used.
 * @returns `takerFeeRate · price · quantity`, in quote currency.
 */
export function fillFee(
  price: number,
  quantity: number,
  costs: Pick<CostModel, "takerFeeRate">,
): number {
  return costs.takerFeeRate * price * quantity;
}

/**
 * Number of funding times (multiples of 8 h in epoch ms: 00:00, 08:00, 16:00 UTC) in the
 * half-open interval (fromMs, toMs].
 *
 * @param fromMs Start of the interval, excluded (epoch ms).
 * @param toMs End of the interval, included (epoch ms).
 * @returns The count of funding times; 0 when `toMs` equals `fromMs`.
 * @throws {RangeError} When a time is not finite or `toMs` is before `fromMs`.
 */
export function fundingCharges(fromMs: number, toMs: number): number {
  if (!Number.isFinite(fromMs)) {
    throw new RangeError(
      `Cannot count funding times as 'fromMs' must be finite: current value is ${fromMs}`,
    );
  }
  if (!(Number.isFinite(toMs) && toMs >= fromMs)) {
    throw new RangeError(
      `Cannot count funding times as 'toMs' must be finite and >= ${fromMs}: current value is ${toMs}`,
    );
  }
  return Math.floor(toMs / FUNDING_INTERVAL_MS) -
    Math.floor(fromMs / FUNDING_INTERVAL_MS);
}

/**
 * Funding paid for `count` funding times on a notional, charged as a cost to both sides.
 *
 * @param notional Position notional in quote currency (its absolute value is used).
 * @param count Number of funding times (see {@linkcode fundingCharges}).
 * @param costs Cost model; only `fundingRatePer8h` is used.
 * @returns `|notional| · count · fundingRatePer8h`, in quote currency, never negative.
 */
export function fundingCost(
  notional: number,
  count: number,
  costs: Pick<CostModel, "fundingRatePer8h">,
): number {
  if (count === 0) return 0;
  return Math.abs(notional) * count * costs.fundingRatePer8h;
}
