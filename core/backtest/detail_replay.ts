/**
 * Finer-timeframe replay (`--detail-timeframe 15m`): when a bar touches both the stop in force and
 * a take-profit, the same-bar rule would have to guess which came first. Where finer candles of
 * the same symbol cover that bar completely, they are replayed in order instead, so the data
 * decides. The rule then only decides inside a finer bar that is itself ambiguous.
 *
 * @module
 */
import type { CostModel } from "../costs.ts";
import {
  type Fill,
  type LadderSpec,
  type Position,
  type SameBarRule,
  updatePosition,
} from "../ladder.ts";
import { candleAt, type CandleColumns } from "../types.ts";

/** What replaying the finer candles of one bar did. */
export interface DetailReplay {
  readonly position: Position;
  readonly fills: readonly Fill[];
  readonly funding: number;
  readonly closed: boolean;
  /** True when a finer bar was itself decided by the same-bar rule. */
  readonly sameBarDecided: boolean;
}

function lowerBound(times: Float64Array, value: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Replays the finer candles covering [openTime, openTime + barMs) over a position.
 *
 * @param position The position before the bar.
 * @param options Finer candles and their length, the bar's open time and length, and the ladder
 *   options.
 * @returns The replay, or undefined when the finer candles do not cover the bar completely.
 */
export function replayDetail(
  position: Position,
  options: {
    readonly detail: CandleColumns;
    readonly detailMs: number;
    readonly openTime: number;
    readonly barMs: number;
    readonly spec: LadderSpec;
    readonly rule: SameBarRule;
    readonly gapFills: boolean;
    readonly costs: CostModel;
  },
): DetailReplay | undefined {
  const { detail, detailMs, openTime, barMs } = options;
  const count = barMs / detailMs;
  if (!Number.isInteger(count) || count < 2) return undefined;
  const first = lowerBound(detail.openTime, openTime);
  const last = first + count - 1;
  if (
    last >= detail.openTime.length || detail.openTime[first] !== openTime ||
    detail.openTime[last] !== openTime + barMs - detailMs
  ) {
    return undefined;
  }
  let current = position;
  const fills: Fill[] = [];
  let funding = 0;
  let closed = false;
  let sameBarDecided = false;
  for (let k = first; k <= last && !closed; k++) {
    const update = updatePosition(current, candleAt(detail, k), {
      spec: options.spec,
      rule: options.rule,
      gapFills: options.gapFills,
      costs: options.costs,
    });
    current = update.position;
    fills.push(...update.fills);
    funding += update.funding;
    closed = update.closed;
    sameBarDecided ||= update.sameBarDecided;
  }
  return {
    position: { ...current, barsHeld: position.barsHeld + 1 },
    fills,
    funding,
    closed,
    sameBarDecided,
  };
}
