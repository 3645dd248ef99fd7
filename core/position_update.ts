/**
 * The position state on the TP/SL ladder and its update on one closed bar (spec §3.3-§3.5, §8.2;
 * DESIGN §2 "Positions, stops, fills"). `openPosition` and `closePosition` live in `ladder.ts`.
 * Every function is pure and returns new plain data.
 *
 * Bar semantics, in order:
 * 1. Funding: the funding times in (last funding time, bar open time] are charged on the
 *    remaining notional at the bar's open (a funding time on a bar boundary is that bar's open
 *    time, and the open is the price at that moment). `closePosition` charges up to its own time.
 * 2. Gaps (`gapFills`): a stop already crossed by the open fills at the open (market); TPs already
 *    crossed by the open fill at the open (limit, better than the level). These happen first, so
 *    the stop moved by gapped TPs is in force for the rest of the bar under every rule.
 * 3. The rest of the bar, by `rule`, with "reached" meaning touched (LONG: high ≥ TP, low ≤ stop;
 *    SHORT mirrored):
 *    - `stop-first`: if the bar reaches the stop, everything remaining fills at the stop, even
 *      when it also reaches TPs. Otherwise the reached TPs fill and the stop they move is tested
 *      from the next bar on.
 *    - `tp-first` (the original, spec §3.4): reached TPs fill in order, the stop moves, then the
 *      moved stop is tested against the same bar.
 *    - `adaptive`: the price walks O→L→H→C when the open is nearer the low (open − low < high −
 *      open), else O→H→L→C (ties go high first). On each leg the level met first along the leg
 *      is tested first: a leg moving in the position's favour meets the stop at its start and the
 *      TPs at its end; a leg moving against it meets the TPs at its start and the stop at its end.
 *      TPs filled on a leg move the stop for the remaining legs (so a LONG can fill TPs on O→H and
 *      be stopped at the moved stop on H→L, or on H→C when the close is at or below it).
 *
 * `sameBarDecided` is true when, after the gap step, the bar's range reaches both the stop in
 * force and the next unfilled TP, or when TPs filled within the bar moved the stop and that moved
 * stop filled in the same bar (`tp-first`, `adaptive`): the rule, not the data, decided the
 * outcome.
 *
 * Prices: TP fills are limit fills at the level (or the gapped open); entry, stop and close fills
 * are market fills with adverse slippage. Every fill pays the taker fee. The ladder and the
 * breakeven level are measured from `referencePrice` (the entry before slippage, the price the
 * signal message shows); PnL is measured from `entryPrice` (the entry fill).
 *
 * @module
 */
import {
  applySlippage,
  type CostModel,
  DEFAULT_COSTS,
  fillFee,
  fundingCharges,
  fundingCost,
} from "./costs.ts";
import { type LadderSpec, TP_COUNT } from "./ladder_levels.ts";
import type { Side } from "./types.ts";

/** How a bar that reaches both the stop and a TP is resolved. */
export type SameBarRule = "stop-first" | "tp-first" | "adaptive";

/** Why a position was closed by the ladder or by the caller. */
export type ExitReason =
  | "tp6"
  | "tp"
  | "stop"
  | "breakeven"
  | "trailing-stop"
  | CloseReason;

/** Why the caller closes a position: an opposite signal, the end of the data, or by hand. */
export type CloseReason = "signal" | "end-of-data" | "manual";

/** One fill of a position. */
export interface Fill {
  /** Time of the fill: the entry/close time given, or the open time of the bar it happened in. */
  readonly time: number;
  /** `entry`, `tp` (a take-profit), `stop` (the stop in force) or `close` (by the caller). */
  readonly kind: "entry" | "tp" | "stop" | "close";
  /** For `tp` fills: which TP, 1..6. */
  readonly tpIndex?: number;
  /** Fill price (slippage included). */
  readonly price: number;
  /** Filled quantity in base units. */
  readonly quantity: number;
  /** Taker fee of the fill, quote currency. */
  readonly fee: number;
  /** Gross PnL of the fill against the entry fill price, signed by side (0 for the entry). */
  readonly pnl: number;
}

/** State of one position on the ladder: plain readonly data that survives `postMessage`. */
export interface Position {
  readonly side: Side;
  /** Entry price before slippage: the ladder and the breakeven stop are measured from it. */
  readonly referencePrice: number;
  /** Entry fill price after slippage: PnL is measured from it. */
  readonly entryPrice: number;
  /** Time of the entry fill, epoch ms. */
  readonly entryTime: number;
  /** Total quantity in base units. */
  readonly quantity: number;
  /** TP1…TP6 prices. */
  readonly tp: readonly number[];
  /** Share of `quantity` closed at each TP, as fractions summing to 1. */
  readonly shares: readonly number[];
  /** The stop at entry. */
  readonly initialStop: number;
  /** The stop in force. */
  readonly stop: number;
  /** Number of TPs filled; TPs fill in order. */
  readonly tpFilled: number;
  /** Fraction of `quantity` still open, 0..1. */
  readonly remaining: number;
  /** Gross PnL of all exit fills, quote currency. */
  readonly realizedPnl: number;
  /** Fees of all fills including the entry, quote currency. */
  readonly feesPaid: number;
  /** Funding paid, quote currency. */
  readonly fundingPaid: number;
  /** Funding has been charged up to this time (epoch ms). */
  readonly lastFundingTime: number;
  /** Number of bars processed by `updatePosition`. */
  readonly barsHeld: number;
  /** Best excursion of the bars' extremes from the entry fill, percent (≥ 0). */
  readonly maxFavourablePercent: number;
  /** Worst excursion of the bars' extremes from the entry fill, percent (≤ 0). */
  readonly maxAdversePercent: number;
  /** Why the position closed, or null while open. */
  readonly exitReason: ExitReason | null;
  /** Time of the closing fill, or null while open. */
  readonly exitTime: number | null;
}

/** The price fields of one closed bar. */
export interface PriceBar {
  readonly openTime: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
}

/** Options of `updatePosition`. */
export interface UpdateOptions {
  /** The ladder the position was opened with (its stop mode and `breakevenAfterTp` are used). */
  readonly spec: LadderSpec;
  /** Same-bar rule; `stop-first` when omitted. */
  readonly rule?: SameBarRule;
  /** Whether levels crossed by the open fill at the open; true when omitted. */
  readonly gapFills?: boolean;
  /** Costs; {@linkcode DEFAULT_COSTS} when omitted. */
  readonly costs?: CostModel;
}

/** Result of one bar. */
export interface PositionUpdate {
  readonly position: Position;
  /** Fills of this bar, in order. */
  readonly fills: readonly Fill[];
  /** Whether the position is closed after this bar. */
  readonly closed: boolean;
  /** Why it closed, when it did on this bar. */
  readonly exitReason?: ExitReason;
  /** Whether the bar reached both the stop in force and an unfilled TP. */
  readonly sameBarDecided: boolean;
  /** Funding charged on this bar, quote currency. */
  readonly funding: number;
}

const EPSILON = 1e-12;

/** Mutable working copy of the changing fields while one bar is walked. */
interface Walk {
  readonly position: Position;
  readonly spec: LadderSpec;
  readonly costs: CostModel;
  readonly time: number;
  readonly dir: number;
  stop: number;
  tpFilled: number;
  remaining: number;
  realizedPnl: number;
  feesPaid: number;
  exitReason: ExitReason | null;
  readonly fills: Fill[];
}

function exitOrder(side: Side): "buy" | "sell" {
  return side === "LONG" ? "sell" : "buy";
}

/** Whether `price` is at or beyond `level` in the position's favour. */
function atOrBeyond(dir: number, price: number, level: number): boolean {
  return dir > 0 ? price >= level : price <= level;
}

function stopReached(walk: Walk, price: number): boolean {
  return walk.remaining > 0 && atOrBeyond(-walk.dir, price, walk.stop);
}

function tpReached(walk: Walk, price: number): boolean {
  const level = walk.position.tp[walk.tpFilled];
  return walk.remaining > 0 && level !== undefined &&
    atOrBeyond(walk.dir, price, level);
}

function pnlOf(walk: Walk, price: number, quantity: number): number {
  return walk.dir * (price - walk.position.entryPrice) * quantity;
}

/** Fills, in order, every unfilled TP reached by `extreme`, at the level or at `fillAt`. */
function fillTps(walk: Walk, extreme: number, fillAt?: number): void {
  const { position } = walk;
  let filled = false;
  while (tpReached(walk, extreme)) {
    const k = walk.tpFilled;
    const share = position.shares[k] ?? 0;
    let fraction = Math.min(share, walk.remaining);
    if (k === TP_COUNT - 1 || walk.remaining - fraction <= EPSILON) {
      fraction = walk.remaining;
    }
    const price = fillAt ?? position.tp[k] ?? NaN;
    const quantity = position.quantity * fraction;
    const fee = fillFee(price, quantity, walk.costs);
    const pnl = pnlOf(walk, price, quantity);
    walk.fills.push({
      time: walk.time,
      kind: "tp",
      tpIndex: k + 1,
      price,
      quantity,
      fee,
      pnl,
    });
    walk.tpFilled = k + 1;
    walk.remaining -= fraction;
    walk.realizedPnl += pnl;
    walk.feesPaid += fee;
    filled = true;
    if (walk.remaining <= EPSILON) {
      walk.remaining = 0;
      walk.exitReason = k === TP_COUNT - 1 ? "tp6" : "tp";
    }
  }
  if (filled && walk.remaining > 0) moveStop(walk);
}

/** Moves the stop after TP fills (cascade or breakeven); the stop only improves. */
function moveStop(walk: Walk): void {
  walk.stop = stopAfterTps(walk.position, {
    spec: walk.spec,
    tpFilled: walk.tpFilled,
    stop: walk.stop,
  });
}

/**
 * The stop a position's ladder gives once `tpFilled` TPs have filled: `cascade` moves it to the
 * reference (entry) price after TP1 and to TP(n−1) after TPn; `breakeven` moves it to the
 * reference price once `breakevenAfterTp` TPs are filled; `none` never moves it. The stop only
 * improves: a target that is not at or beyond `stop` in the position's favour leaves `stop`.
 * `updatePosition` applies this after the TP fills of each step that leave quantity open.
 *
 * @param position The position's side, reference price and TP prices.
 * @param options The ladder (its stop mode and `breakevenAfterTp`), the number of TPs filled and
 *   the stop in force before the move.
 * @returns The stop after the move (`options.stop` when it does not move).
 */
export function stopAfterTps(
  position: Pick<Position, "side" | "referencePrice" | "tp">,
  options: {
    readonly spec: Pick<LadderSpec, "stopMode" | "breakevenAfterTp">;
    readonly tpFilled: number;
    readonly stop: number;
  },
): number {
  const { spec, tpFilled: n, stop } = options;
  let target: number | undefined;
  if (spec.stopMode === "cascade") {
    target = n === 1 ? position.referencePrice : position.tp[n - 2];
  } else if (spec.stopMode === "breakeven" && n >= spec.breakevenAfterTp) {
    target = position.referencePrice;
  }
  const dir = position.side === "LONG" ? 1 : -1;
  return target !== undefined && atOrBeyond(dir, target, stop) ? target : stop;
}

/** Closes everything remaining at the stop in force (market fill at `level`). */
function fillStop(walk: Walk, level: number): void {
  const { position } = walk;
  const price = applySlippage(level, exitOrder(position.side), walk.costs);
  const quantity = position.quantity * walk.remaining;
  const fee = fillFee(price, quantity, walk.costs);
  const pnl = pnlOf(walk, price, quantity);
  walk.fills.push({ time: walk.time, kind: "stop", price, quantity, fee, pnl });
  walk.realizedPnl += pnl;
  walk.feesPaid += fee;
  walk.remaining = 0;
  walk.exitReason = walk.stop === position.initialStop
    ? "stop"
    : walk.stop === position.referencePrice
    ? "breakeven"
    : "trailing-stop";
}

/** One leg of the adaptive path, from price `a` to price `b`. */
function walkLeg(walk: Walk, a: number, b: number): void {
  if (atOrBeyond(walk.dir, b, a)) {
    if (stopReached(walk, a)) fillStop(walk, walk.stop);
    fillTps(walk, b);
  } else {
    fillTps(walk, a);
    if (stopReached(walk, b)) fillStop(walk, walk.stop);
  }
}

function checkBar(bar: PriceBar, position: Position): void {
  const { openTime, open, high, low, close } = bar;
  const valid = Number.isFinite(openTime) && Number.isFinite(low) &&
    Number.isFinite(high) && low <= open && low <= close && high >= open &&
    high >= close;
  if (!valid) {
    throw new RangeError(
      `Cannot update position as 'bar' must have finite prices with low <= open, close <= high: current value is ${
        JSON.stringify(bar)
      }`,
    );
  }
  if (openTime < position.lastFundingTime) {
    throw new RangeError(
      `Cannot update position as 'bar.openTime' must be >= ${position.lastFundingTime}: current value is ${openTime}`,
    );
  }
  if (position.remaining <= 0) {
    throw new RangeError(
      `Cannot update position as 'remaining' must be > 0: current value is ${position.remaining}`,
    );
  }
}

/**
 * Applies one closed bar to an open position: funding, gap fills, TP fills, stop moves and the
 * stop, as described in the module doc. Never mutates its input.
 *
 * @param position An open position.
 * @param bar The closed bar; its open time must not be before the position's last funding time.
 * @param options Ladder spec, same-bar rule, gap fills and costs.
 * @returns The new position, the fills of this bar, whether it closed and why, and whether the
 * same-bar rule decided the outcome.
 * @throws {RangeError} When the bar is malformed or out of order, or the position is closed.
 */
export function updatePosition(
  position: Position,
  bar: PriceBar,
  options: UpdateOptions,
): PositionUpdate {
  checkBar(bar, position);
  const costs = options.costs ?? DEFAULT_COSTS;
  const rule = options.rule ?? "stop-first";
  const dir = position.side === "LONG" ? 1 : -1;
  const fundingCount = fundingCharges(position.lastFundingTime, bar.openTime);
  const funding = fundingCost(
    position.quantity * position.remaining * bar.open,
    fundingCount,
    costs,
  );
  const walk: Walk = {
    position,
    spec: options.spec,
    costs,
    time: bar.openTime,
    dir,
    stop: position.stop,
    tpFilled: position.tpFilled,
    remaining: position.remaining,
    realizedPnl: position.realizedPnl,
    feesPaid: position.feesPaid,
    exitReason: null,
    fills: [],
  };
  if (options.gapFills ?? true) {
    if (stopReached(walk, bar.open)) fillStop(walk, bar.open);
    else fillTps(walk, bar.open, bar.open);
  }
  const favourable = dir > 0 ? bar.high : bar.low;
  const adverse = dir > 0 ? bar.low : bar.high;
  const touchedBoth = stopReached(walk, adverse) &&
    tpReached(walk, favourable);
  const tpsBeforeRule = walk.tpFilled;
  if (rule === "stop-first") {
    if (stopReached(walk, adverse)) fillStop(walk, walk.stop);
    else fillTps(walk, favourable);
  } else if (rule === "tp-first") {
    fillTps(walk, favourable);
    if (stopReached(walk, adverse)) fillStop(walk, walk.stop);
  } else {
    const lowFirst = bar.open - bar.low < bar.high - bar.open;
    const first = lowFirst ? bar.low : bar.high;
    const second = lowFirst ? bar.high : bar.low;
    walkLeg(walk, bar.open, first);
    walkLeg(walk, first, second);
    walkLeg(walk, second, bar.close);
  }
  const lastFill = walk.fills[walk.fills.length - 1];
  const sameBarDecided = touchedBoth ||
    (walk.tpFilled > tpsBeforeRule && lastFill?.kind === "stop");
  const entry = position.entryPrice;
  const best = (dir * (favourable - entry) / entry) * 100;
  const worst = (dir * (adverse - entry) / entry) * 100;
  const closed = walk.remaining === 0;
  const next: Position = {
    ...position,
    stop: walk.stop,
    tpFilled: walk.tpFilled,
    remaining: walk.remaining,
    realizedPnl: walk.realizedPnl,
    feesPaid: walk.feesPaid,
    fundingPaid: position.fundingPaid + funding,
    lastFundingTime: bar.openTime,
    barsHeld: position.barsHeld + 1,
    maxFavourablePercent: Math.max(position.maxFavourablePercent, best),
    maxAdversePercent: Math.min(position.maxAdversePercent, worst),
    exitReason: walk.exitReason,
    exitTime: closed ? bar.openTime : null,
  };
  const base = {
    position: next,
    fills: walk.fills,
    closed,
    sameBarDecided,
    funding,
  };
  return walk.exitReason === null
    ? base
    : { ...base, exitReason: walk.exitReason };
}
