/**
 * Fast-forward over quiet bars: bars whose whole range stays strictly between the stop in force
 * and the next take-profit. On such a bar no rule has anything to decide, so `updatePosition`
 * would only charge funding, count the bar and track the excursions; this does exactly that for a
 * run of bars in one loop, without an object per bar, and stops at the first bar that touches a
 * level (which the caller then gives to `updatePosition`). A test holds the two equal.
 *
 * @module
 */
import { type CostModel, fundingCharges, fundingCost } from "./costs.ts";
import type { Position } from "./position_update.ts";
import type { CandleColumns } from "./types.ts";

/**
 * Applies the quiet bars from `from` on, up to (not including) `to`.
 *
 * @param position An open position.
 * @param options The candles, the bar range and the costs (funding).
 * @returns The position after the quiet bars, the index of the first bar that is not quiet (or
 *   `to`), and the funding charged (added bar by bar, as `updatePosition` would).
 */
export function skipQuietBars(
  position: Position,
  options: {
    readonly candles: CandleColumns;
    readonly from: number;
    readonly to: number;
    readonly costs: CostModel;
    /** Called with each bar's funding charge, in bar order (for a balance kept alongside). */
    readonly onFunding?: (amount: number) => void;
  },
): {
  readonly position: Position;
  readonly next: number;
  readonly funding: number;
} {
  const { candles, from, to, costs } = options;
  const { openTime, open, high, low } = candles;
  const long = position.side === "LONG";
  const stop = position.stop;
  const tp = position.tp[position.tpFilled] ?? (long ? Infinity : -Infinity);
  const entry = position.entryPrice;
  const quantity = position.quantity * position.remaining;
  let last = position.lastFundingTime;
  let funding = 0;
  let paid = position.fundingPaid;
  let best = position.maxFavourablePercent;
  let worst = position.maxAdversePercent;
  let t = from;
  for (; t < to; t++) {
    const h = high[t]!;
    const l = low[t]!;
    if (long ? !(l > stop && h < tp) : !(h < stop && l > tp)) break;
    const time = openTime[t]!;
    if (time < last) break;
    const count = fundingCharges(last, time);
    if (count > 0) {
      const charge = fundingCost(quantity * open[t]!, count, costs);
      funding += charge;
      paid += charge;
      options.onFunding?.(charge);
    }
    last = time;
    const favourable = long
      ? ((h - entry) / entry) * 100
      : ((entry - l) / entry) * 100;
    const adverse = long
      ? ((l - entry) / entry) * 100
      : ((entry - h) / entry) * 100;
    if (favourable > best) best = favourable;
    if (adverse < worst) worst = adverse;
  }
  if (t === from) return { position, next: t, funding: 0 };
  return {
    position: {
      ...position,
      fundingPaid: paid,
      lastFundingTime: last,
      barsHeld: position.barsHeld + (t - from),
      maxFavourablePercent: best,
      maxAdversePercent: worst,
    },
    next: t,
    funding,
  };
}
