/** Tests of the stop history rebuilt from fills, against the real position update engine. */
import { strict as assert } from "node:assert";
import { ZERO_COSTS } from "../../core/costs.ts";
import type { FillRecord } from "../../core/backtest/records.ts";
import {
  DEFAULT_LADDER,
  type LadderSpec,
  openPosition,
  type Position,
  type PriceBar,
  updatePosition,
} from "../../core/ladder.ts";
import { stopHistory, type StopMove } from "../../core/stop_history.ts";
import type { Side } from "../../core/types.ts";
import type { StopMove as WebStopMove } from "../../web/status_types.ts";

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Compile-time check: core's StopMove is the contract's StopMove. */
export const SAME_STOP_MOVE: Same<StopMove, WebStopMove> = true;

const T0 = Date.UTC(2024, 0, 15, 1);
const HOUR = 3_600_000;
const BREAKEVEN_AFTER_2: LadderSpec = {
  ...DEFAULT_LADDER,
  stopMode: "breakeven",
  breakevenAfterTp: 2,
};

/** Bar `i` (1-based, one hour apart, the first one starting at the entry time). */
function bar(i: number, ohlc: readonly number[]): PriceBar {
  const [open, high, low, close] = ohlc as [number, number, number, number];
  return { openTime: T0 + (i - 1) * HOUR, open, high, low, close };
}

/** Opens a position at 100 and runs it through `updatePosition` bar by bar. */
function run(
  spec: LadderSpec,
  bars: readonly (readonly number[])[],
  side: Side = "LONG",
): { position: Position; fills: FillRecord[] } {
  const opened = openPosition({
    side,
    entryPrice: 100,
    entryTime: T0,
    quantity: 2,
    spec,
    costs: ZERO_COSTS,
  });
  let position = opened.position;
  const fills: FillRecord[] = [{ tradeId: "T", ...opened.fill }];
  bars.forEach((ohlc, i) => {
    const update = updatePosition(position, bar(i + 1, ohlc), {
      spec,
      costs: ZERO_COSTS,
    });
    position = update.position;
    for (const fill of update.fills) fills.push({ tradeId: "T", ...fill });
  });
  return { position, fills };
}

function brief(moves: readonly StopMove[]): string[] {
  return moves.map((m) => `${m.reason}@${m.stop}@${(m.time - T0) / HOUR}`);
}

Deno.test("stopHistory follows the cascade: entry, breakeven after TP1, tp1 after TP2, tp2 after TP3", () => {
  // LONG at 100: TP 101, 102, 103, 104, 107.5, 114; stop 91.5.
  const { position, fills } = run(DEFAULT_LADDER, [
    [100, 101.5, 99.5, 101], // TP1
    [101, 101.8, 100.5, 101.5], // nothing
    [101.5, 102.5, 101.2, 102], // TP2
    [102, 103.5, 101.8, 103], // TP3
    [103, 103.4, 102.5, 103], // nothing
  ]);
  assert.equal(position.exitReason, null);
  const moves = stopHistory({ spec: DEFAULT_LADDER, position, fills });
  assert.deepEqual(brief(moves), [
    "entry@91.5@0",
    "breakeven@100@0",
    "tp1@101@2",
    "tp2@102@3",
  ]);
  assert.equal(moves.at(-1)!.stop, position.stop);
});

Deno.test("stopHistory mirrors the cascade for a SHORT", () => {
  // SHORT at 100: TP 99, 98, ...; stop 108.5.
  const { position, fills } = run(DEFAULT_LADDER, [
    [100, 100.5, 98.8, 99], // TP1
    [99, 99.2, 97.9, 98], // TP2
  ], "SHORT");
  const moves = stopHistory({ spec: DEFAULT_LADDER, position, fills });
  assert.deepEqual(brief(moves), [
    "entry@108.5@0",
    "breakeven@100@0",
    "tp1@99@1",
  ]);
  assert.equal(moves.at(-1)!.stop, position.stop);
});

Deno.test("stopHistory moves to breakeven only once breakevenAfterTp TPs are filled", () => {
  const { position, fills } = run(BREAKEVEN_AFTER_2, [
    [100, 101.5, 99.5, 101], // TP1: no move yet
    [101, 102.5, 100.5, 102], // TP2: breakeven
    [102, 103.5, 101.5, 103], // TP3: stays at breakeven
  ]);
  assert.equal(position.tpFilled, 3);
  const moves = stopHistory({ spec: BREAKEVEN_AFTER_2, position, fills });
  assert.deepEqual(brief(moves), ["entry@91.5@0", "breakeven@100@1"]);
  assert.equal(moves.at(-1)!.stop, position.stop);
});

Deno.test("stopHistory gives only the entry when the stop mode is none", () => {
  const spec: LadderSpec = { ...DEFAULT_LADDER, stopMode: "none" };
  const { position, fills } = run(spec, [
    [100, 101.5, 99.5, 101],
    [101, 102.5, 100.5, 102],
  ]);
  assert.equal(position.tpFilled, 2);
  const moves = stopHistory({ spec, position, fills });
  assert.deepEqual(brief(moves), ["entry@91.5@0"]);
  assert.equal(moves.at(-1)!.stop, position.stop);
});

Deno.test("stopHistory makes one move when several TPs fill in the same bar", () => {
  // A gap through TP1 and TP2, then TP3 within the bar: the engine ends the bar with the stop at TP2.
  const { position, fills } = run(DEFAULT_LADDER, [
    [100, 100.5, 99.5, 100],
    [102.2, 103.2, 102, 103],
  ]);
  assert.equal(position.tpFilled, 3);
  const moves = stopHistory({ spec: DEFAULT_LADDER, position, fills });
  assert.deepEqual(brief(moves), ["entry@91.5@0", "tp2@102@1"]);
  assert.equal(moves.at(-1)!.stop, position.stop);
});

Deno.test("stopHistory does not move the stop on the TP fill that closes the position", () => {
  const { position, fills } = run(DEFAULT_LADDER, [
    [100, 105, 99.5, 104.5], // TP1..TP4
    [104.5, 115, 104.2, 114.5], // TP5 and TP6 close it
  ]);
  assert.equal(position.exitReason, "tp6");
  const moves = stopHistory({ spec: DEFAULT_LADDER, position, fills });
  assert.deepEqual(brief(moves), ["entry@91.5@0", "tp3@103@0"]);
  assert.equal(moves.at(-1)!.stop, position.stop);
});

Deno.test("stopHistory reads the TP fills whatever their order", () => {
  const { position, fills } = run(DEFAULT_LADDER, [
    [100, 101.5, 99.5, 101],
    [101, 102.5, 100.5, 102],
  ]);
  const moves = stopHistory({
    spec: DEFAULT_LADDER,
    position,
    fills: fills.slice().reverse(),
  });
  assert.deepEqual(brief(moves), [
    "entry@91.5@0",
    "breakeven@100@0",
    "tp1@101@1",
  ]);
});
