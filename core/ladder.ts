/**
 * The TP/SL ladder: opening and closing a position, and its PnL. The ladder spec and price levels
 * are in `ladder_levels.ts` and the bar-by-bar update in `position_update.ts`; both are re-exported
 * here, so callers import everything ladder-related from this module.
 *
 * With zero costs, `tradeReturnPercent` gives the spec §3.5 numbers: total % = Σ over filled TPs
 * share_k · pnl_k + remaining share · exit pnl.
 *
 * @module
 */
import {
  applySlippage,
  checkCosts,
  type CostModel,
  DEFAULT_COSTS,
  fillFee,
  fundingCharges,
  fundingCost,
} from "./costs.ts";
import {
  checkLadderSpec,
  ladderPrices,
  type LadderSpec,
  normaliseShares,
} from "./ladder_levels.ts";
import type { CloseReason, Fill, Position } from "./position_update.ts";
import type { Side } from "./types.ts";

export * from "./ladder_levels.ts";
export * from "./position_update.ts";

/** What `openPosition` needs. */
export interface OpenOrder {
  readonly side: Side;
  /** Entry price before slippage (the signal price). */
  readonly entryPrice: number;
  /** Time of the entry fill, epoch ms. */
  readonly entryTime: number;
  /** Quantity in base units. */
  readonly quantity: number;
  readonly spec: LadderSpec;
  /** Costs; {@linkcode DEFAULT_COSTS} when omitted. */
  readonly costs?: CostModel;
}

/** Options of `closePosition`. */
export interface CloseOptions {
  /** Time of the closing fill, epoch ms. */
  readonly time: number;
  readonly reason: CloseReason;
  /** Costs; {@linkcode DEFAULT_COSTS} when omitted. */
  readonly costs?: CostModel;
}

/**
 * Opens a position: the entry is a market fill (adverse slippage) paying the taker fee, and the
 * ladder is measured from the entry price before slippage.
 *
 * @param order Side, entry price before slippage, entry time, quantity, ladder and costs.
 * @returns The new position and its entry fill.
 * @throws {RangeError} When the price, quantity, time, ladder or costs are out of range.
 */
export function openPosition(
  order: OpenOrder,
): { readonly position: Position; readonly fill: Fill } {
  const { side, entryPrice: referencePrice, entryTime, quantity, spec } = order;
  const costs = checkCosts(order.costs ?? DEFAULT_COSTS);
  checkLadderSpec(spec);
  if (!(Number.isFinite(quantity) && quantity > 0)) {
    throw new RangeError(
      `Cannot open position as 'quantity' must be a positive finite number: current value is ${quantity}`,
    );
  }
  if (!Number.isFinite(entryTime)) {
    throw new RangeError(
      `Cannot open position as 'entryTime' must be finite: current value is ${entryTime}`,
    );
  }
  const levels = ladderPrices(side, referencePrice, spec);
  const price = applySlippage(
    referencePrice,
    side === "LONG" ? "buy" : "sell",
    costs,
  );
  const fee = fillFee(price, quantity, costs);
  const position: Position = {
    side,
    referencePrice,
    entryPrice: price,
    entryTime,
    quantity,
    tp: levels.tp,
    shares: normaliseShares(spec.shares).map((share) => share / 100),
    initialStop: levels.stop,
    stop: levels.stop,
    tpFilled: 0,
    remaining: 1,
    realizedPnl: 0,
    feesPaid: fee,
    fundingPaid: 0,
    lastFundingTime: entryTime,
    barsHeld: 0,
    maxFavourablePercent: 0,
    maxAdversePercent: 0,
    exitReason: null,
    exitTime: null,
  };
  return {
    position,
    fill: { time: entryTime, kind: "entry", price, quantity, fee, pnl: 0 },
  };
}

/**
 * Closes everything remaining at a price (a market fill: adverse slippage), after charging the
 * funding times in (last funding time, `time`] on the remaining notional at that price.
 *
 * @param position An open position.
 * @param price The reference price of the close (e.g. the signal bar's close).
 * @param options Time of the fill, reason and costs.
 * @returns The closed position, its closing fill and the funding charged.
 * @throws {RangeError} When the position is closed, the price is not positive or the time is
 * before the last funding time.
 */
export function closePosition(
  position: Position,
  price: number,
  options: CloseOptions,
): {
  readonly position: Position;
  readonly fill: Fill;
  readonly funding: number;
} {
  const costs = options.costs ?? DEFAULT_COSTS;
  if (position.remaining <= 0) {
    throw new RangeError(
      `Cannot close position as 'remaining' must be > 0: current value is ${position.remaining}`,
    );
  }
  if (!(Number.isFinite(price) && price > 0)) {
    throw new RangeError(
      `Cannot close position as 'price' must be a positive finite number: current value is ${price}`,
    );
  }
  if (!(options.time >= position.lastFundingTime)) {
    throw new RangeError(
      `Cannot close position as 'time' must be >= ${position.lastFundingTime}: current value is ${options.time}`,
    );
  }
  const quantity = position.quantity * position.remaining;
  const funding = fundingCost(
    quantity * price,
    fundingCharges(position.lastFundingTime, options.time),
    costs,
  );
  const exitSide = position.side === "LONG" ? "sell" : "buy";
  const fillPrice = applySlippage(price, exitSide, costs);
  const fee = fillFee(fillPrice, quantity, costs);
  const dir = position.side === "LONG" ? 1 : -1;
  const pnl = dir * (fillPrice - position.entryPrice) * quantity;
  const fill: Fill = {
    time: options.time,
    kind: "close",
    price: fillPrice,
    quantity,
    fee,
    pnl,
  };
  const next: Position = {
    ...position,
    remaining: 0,
    realizedPnl: position.realizedPnl + pnl,
    feesPaid: position.feesPaid + fee,
    fundingPaid: position.fundingPaid + funding,
    lastFundingTime: options.time,
    exitReason: options.reason,
    exitTime: options.time,
  };
  return { position: next, fill, funding };
}

/**
 * Net PnL of a position so far: gross realised PnL minus fees and funding.
 *
 * @param position The position.
 * @returns Net realised PnL in quote currency.
 */
export function netPnl(position: Position): number {
  return position.realizedPnl - position.feesPaid - position.fundingPaid;
}

/**
 * How far a price has moved from an entry in a position's favour, in percent of the entry.
 *
 * @param side The position's side.
 * @param price The price now.
 * @param entry The entry price.
 * @returns Percent; negative when the move is against the position.
 */
export function movePct(side: Side, price: number, entry: number): number {
  return ((side === "LONG" ? 1 : -1) * (price - entry) / entry) * 100;
}

/**
 * Unrealised gross PnL of the remaining quantity at a price.
 *
 * @param position The position.
 * @param price The current price.
 * @returns PnL in quote currency, signed by side; 0 when closed.
 */
export function unrealizedPnl(position: Position, price: number): number {
  const dir = position.side === "LONG" ? 1 : -1;
  return dir * (price - position.entryPrice) * position.quantity *
    position.remaining;
}

/**
 * Return of a trade in percent: net PnL / entry notional · 100 (spec §3.5 with costs zero).
 *
 * @param position The position (normally closed; only realised PnL counts).
 * @returns The net return in percent of `quantity · entryPrice`.
 */
export function tradeReturnPercent(position: Position): number {
  return (netPnl(position) / (position.quantity * position.entryPrice)) * 100;
}
