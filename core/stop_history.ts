/**
 * The moves of a position's stop, rebuilt from its fills for the status page: the initial stop
 * at entry, then the stop the ladder's stop mode gives after each TP fill. The stop math is the
 * position engine's own ({@linkcode stopAfterTps}), so for an open position the last move is the
 * stop `updatePosition` holds.
 *
 * @module
 */
import type { FillRecord } from "./backtest/records.ts";
import { type LadderSpec, TP_COUNT } from "./ladder_levels.ts";
import { type Position, stopAfterTps } from "./position_update.ts";

/**
 * One move of a position's stop. The same shape as `StopMove` of `web/status_types.ts` (core
 * may not import `web/`; the tests check that the two stay identical).
 */
export interface StopMove {
  readonly time: number;
  readonly stop: number;
  /** `entry` (initial stop), `breakeven`, `tp<k>` (moved to TP k), or `trailing`. */
  readonly reason: string;
}

/** What {@linkcode stopHistory} needs. */
export interface StopHistoryInput {
  /** The ladder the position was opened with. */
  readonly spec: LadderSpec;
  /** The position (open or closed), as `updatePosition` left it. */
  readonly position: Position;
  /** The position's fills; only the `tp` fills are read. */
  readonly fills: readonly FillRecord[];
}

/** Left-over fraction below which TP fills are taken to have closed the position. */
const CLOSED_FRACTION = 1e-9;

/** Why the stop is where it is: at the reference price, at a TP, or elsewhere. */
function reasonOf(position: Position, stop: number): string {
  if (stop === position.referencePrice) return "breakeven";
  const k = position.tp.indexOf(stop);
  return k >= 0 ? `tp${k + 1}` : "trailing";
}

/**
 * The stop's moves for a position: `{ time: entryTime, stop: initialStop, reason: "entry" }`,
 * then one move for each fill time at which TPs filled and the stop mode moved the stop, with the
 * stop after those TPs and the reason `breakeven` (moved to the reference price) or `tp<k>`
 * (moved to TP k). TPs that fill at the same time (one bar, e.g. a gap through TP1 and TP2) give
 * one move, to where the stop ends after them, since the engine never holds the stop in between.
 * TP fills that close the position (TP6, or the last share) do not move the stop, as in the
 * engine. Mode `none` gives only the entry.
 *
 * @param input The ladder, the position and its fills (any order; TPs are taken by index).
 * @returns The moves, oldest first; for an open position the last `stop` equals `position.stop`.
 */
export function stopHistory(input: StopHistoryInput): StopMove[] {
  const { spec, position } = input;
  const moves: StopMove[] = [{
    time: position.entryTime,
    stop: position.initialStop,
    reason: "entry",
  }];
  const tps = input.fills
    .filter((f) => f.kind === "tp" && f.tpIndex !== undefined)
    .sort((a, b) => a.tpIndex! - b.tpIndex!);
  let stop = position.initialStop;
  let remaining = 1;
  let tpFilled = 0;
  for (let i = 0; i < tps.length; i++) {
    const fill = tps[i]!;
    const k = fill.tpIndex!;
    if (k <= tpFilled) continue;
    tpFilled = k;
    remaining -= fill.quantity / position.quantity;
    const next = tps[i + 1];
    if (next !== undefined && next.time === fill.time) continue;
    if (k >= TP_COUNT || remaining <= CLOSED_FRACTION) break;
    const moved = stopAfterTps(position, { spec, tpFilled, stop });
    if (moved !== stop) {
      stop = moved;
      moves.push({ time: fill.time, stop, reason: reasonOf(position, stop) });
    }
  }
  return moves;
}
