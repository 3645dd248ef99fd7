/** Tests of one bar on the ladder: same-bar rules, gaps, stop modes, SHORT mirrors, purity. */
import { strict as assert } from "node:assert";
import { type CostModel, ZERO_COSTS } from "../../core/costs.ts";
import {
  DEFAULT_LADDER,
  type LadderSpec,
  openPosition,
  type Position,
  type PositionUpdate,
  type PriceBar,
  type SameBarRule,
  tradeReturnPercent,
  updatePosition,
} from "../../core/ladder.ts";
import type { Side } from "../../core/types.ts";

const T0 = Date.UTC(2024, 0, 15, 1);
const HOUR = 3_600_000;
const SHARES_17: LadderSpec = {
  ...DEFAULT_LADDER,
  shares: [17, 17, 17, 17, 16, 16],
};

function open(side: Side, spec: LadderSpec = DEFAULT_LADDER): Position {
  return openPosition({
    side,
    entryPrice: 100,
    entryTime: T0,
    quantity: 1,
    spec,
    costs: ZERO_COSTS,
  }).position;
}

/** Bar `i` (1-based, one hour apart, the first one starting at the entry time). */
function bar(
  i: number,
  open: number,
  high: number,
  low: number,
  close: number,
): PriceBar {
  return { openTime: T0 + (i - 1) * HOUR, open, high, low, close };
}

interface Options {
  readonly spec?: LadderSpec;
  readonly rule?: SameBarRule;
  readonly gapFills?: boolean;
  readonly costs?: CostModel;
}

function step(
  position: Position,
  b: PriceBar,
  options: Options = {},
): PositionUpdate {
  return updatePosition(position, b, {
    spec: DEFAULT_LADDER,
    costs: ZERO_COSTS,
    ...options,
  });
}

function assertNear(actual: number, expected: number, tolerance = 1e-9): void {
  assert.ok(
    Math.abs(actual - expected) <= tolerance,
    `expected ${expected}, got ${actual}`,
  );
}

function kinds(update: PositionUpdate): string[] {
  return update.fills.map((f) =>
    f.kind === "tp" ? `tp${f.tpIndex}@${f.price}` : `${f.kind}@${f.price}`
  );
}

// One bar reaching both the initial stop (91.5) and TP1 (101) of a LONG at 100.
const BOTH_LONG = bar(1, 100, 101.5, 91, 95);
// Its SHORT mirror: TP1 99, stop 108.5.
const BOTH_SHORT = bar(1, 100, 109, 98.5, 105);

Deno.test("stop-first books the full stop when a bar touches the stop and TP1", () => {
  const update = step(open("LONG"), BOTH_LONG, { rule: "stop-first" });
  assert.deepEqual(kinds(update), ["stop@91.5"]);
  assert.equal(update.closed, true);
  assert.equal(update.exitReason, "stop");
  assert.equal(update.sameBarDecided, true);
  assertNear(tradeReturnPercent(update.position), -8.5);
});

Deno.test("stop-first is the default rule", () => {
  const update = updatePosition(open("LONG"), BOTH_LONG, {
    spec: DEFAULT_LADDER,
    costs: ZERO_COSTS,
  });
  assert.equal(update.exitReason, "stop");
});

Deno.test("tp-first books TP1 then breakeven when a bar touches the stop and TP1", () => {
  const update = step(open("LONG"), BOTH_LONG, { rule: "tp-first" });
  assert.deepEqual(kinds(update), ["tp1@101", "stop@100"]);
  assert.equal(update.exitReason, "breakeven");
  assert.equal(update.sameBarDecided, true);
  assertNear(tradeReturnPercent(update.position), 0.2);
});

Deno.test("adaptive walks O→L→H→C and stops out when the open is nearer the low", () => {
  // open − low = 2 < high − open = 8.5: the low comes first.
  const update = step(open("LONG"), bar(1, 93, 101.5, 91, 95), {
    rule: "adaptive",
  });
  assert.deepEqual(kinds(update), ["stop@91.5"]);
  assert.equal(update.sameBarDecided, true);
  assertNear(tradeReturnPercent(update.position), -8.5);
});

Deno.test("adaptive walks O→H→L→C and books TP1 then breakeven when the open is nearer the high", () => {
  // open − low = 9.5 > high − open = 1: the high comes first; the moved stop applies on H→L.
  const update = step(open("LONG"), bar(1, 100.5, 101.5, 91, 95), {
    rule: "adaptive",
  });
  assert.deepEqual(kinds(update), ["tp1@101", "stop@100"]);
  assert.equal(update.exitReason, "breakeven");
  assert.equal(update.sameBarDecided, true);
  assertNear(tradeReturnPercent(update.position), 0.2);
});

Deno.test("adaptive tests the moved stop on the H→C leg while stop-first waits for the next bar", () => {
  // O→L→H→C: TP1 and TP2 fill on L→H, the stop moves to TP1 = 101, the close 100.5 is below it.
  const b = bar(1, 99, 102.5, 98, 100.5);
  const adaptive = step(open("LONG"), b, { rule: "adaptive" });
  assert.deepEqual(kinds(adaptive), ["tp1@101", "tp2@102", "stop@101"]);
  assert.equal(adaptive.exitReason, "trailing-stop");
  assert.equal(
    adaptive.sameBarDecided,
    true,
    "the path order, not the data, closed it",
  );
  assertNear(tradeReturnPercent(adaptive.position), 1.2);
  const stopFirst = step(open("LONG"), b, { rule: "stop-first" });
  assert.deepEqual(kinds(stopFirst), ["tp1@101", "tp2@102"]);
  assert.equal(stopFirst.closed, false);
  assert.equal(stopFirst.position.stop, 101);
  assert.equal(stopFirst.sameBarDecided, false);
  assertNear(stopFirst.position.remaining, 0.6, 1e-12);
});

Deno.test("adaptive without gap fills meets a stop crossed by the open before the TPs of O→H", () => {
  // open − low = 11 > high − open = 10.5: O→H→L→C, but the open is already below the stop.
  const b = bar(1, 91, 101.5, 80, 85);
  const plain = step(open("LONG"), b, { rule: "adaptive", gapFills: false });
  assert.deepEqual(kinds(plain), ["stop@91.5"]);
  const gapped = step(open("LONG"), b, { rule: "adaptive" });
  assert.deepEqual(kinds(gapped), ["stop@91"]);
});

Deno.test("adaptive without gap fills meets a TP crossed by the open before the low of O→L", () => {
  // open − low = 1.7 < high − open = 2.3: O→L→H→C; TP1 is met at the open, then the low 99.5
  // reaches the stop moved to entry.
  const b = bar(1, 101.2, 103.5, 99.5, 101.5);
  const plain = step(open("LONG"), b, { rule: "adaptive", gapFills: false });
  assert.deepEqual(kinds(plain), ["tp1@101", "stop@100"]);
  assert.equal(plain.exitReason, "breakeven");
});

Deno.test("a gap through the stop fills at the open, or at the stop without gap fills", () => {
  const b = bar(1, 90, 92, 89, 91);
  const gapped = step(open("LONG"), b);
  assert.deepEqual(kinds(gapped), ["stop@90"]);
  assert.equal(gapped.sameBarDecided, false);
  assertNear(tradeReturnPercent(gapped.position), -10);
  const plain = step(open("LONG"), b, { gapFills: false });
  assert.deepEqual(kinds(plain), ["stop@91.5"]);
  assertNear(tradeReturnPercent(plain.position), -8.5);
});

Deno.test("a gap through TPs fills them at the open, or at their levels without gap fills", () => {
  const b = bar(1, 102.5, 102.8, 102.2, 102.5);
  const gapped = step(open("LONG"), b);
  assert.deepEqual(kinds(gapped), ["tp1@102.5", "tp2@102.5"]);
  assert.equal(gapped.position.stop, 101);
  assertNear(gapped.position.realizedPnl, 0.2 * 2.5 + 0.2 * 2.5, 1e-12);
  const plain = step(open("LONG"), b, { gapFills: false });
  assert.deepEqual(kinds(plain), ["tp1@101", "tp2@102"]);
});

Deno.test("the stop moved by TPs gapped at the open is in force for the rest of the bar", () => {
  // TP1 fills at the open 101.5, the stop moves to 100, then the bar falls to 99.5.
  const update = step(open("LONG"), bar(1, 101.5, 101.8, 99.5, 99.8), {
    rule: "stop-first",
  });
  assert.deepEqual(kinds(update), ["tp1@101.5", "stop@100"]);
  assert.equal(update.exitReason, "breakeven");
  assert.equal(update.sameBarDecided, false);
  assertNear(tradeReturnPercent(update.position), 0.2 * 1.5);
});

Deno.test("cascade moves the stop TP1→entry, TP2→TP1, TP3→TP2, TP4→TP3, TP5→TP4 and TP6 closes", () => {
  let position = open("LONG");
  const highs = [101.2, 102.2, 103.2, 104.2, 107.7];
  const expectedStops = [100, 101, 102, 103, 104];
  for (let i = 0; i < highs.length; i++) {
    const high = highs[i]!;
    const update = step(
      position,
      bar(i + 1, high - 0.1, high, high - 0.15, high - 0.1),
    );
    assert.deepEqual(kinds(update).length, 1);
    position = update.position;
    assert.equal(position.tpFilled, i + 1);
    assert.equal(position.stop, expectedStops[i]);
  }
  const last = step(position, bar(6, 108, 114.2, 107.9, 114));
  assert.deepEqual(kinds(last), ["tp6@114"]);
  // TP6 closes exactly what remains, float dust included.
  assert.equal(last.fills[0]!.quantity, position.remaining * position.quantity);
  assert.equal(last.exitReason, "tp6");
  assert.equal(last.position.remaining, 0);
});

Deno.test("breakeven mode moves the stop to entry once breakevenAfterTp TPs are filled", () => {
  const spec: LadderSpec = {
    ...DEFAULT_LADDER,
    stopMode: "breakeven",
    breakevenAfterTp: 2,
  };
  const first = step(open("LONG", spec), bar(1, 100.5, 101.2, 100.2, 101), {
    spec,
  });
  assert.equal(first.position.stop, 91.5);
  const second = step(first.position, bar(2, 101.5, 102.2, 101.2, 102), {
    spec,
  });
  assert.equal(second.position.stop, 100);
  const third = step(second.position, bar(3, 102.5, 103.2, 102.2, 103), {
    spec,
  });
  assert.equal(third.position.stop, 100);
  const out = step(third.position, bar(4, 101, 101.5, 99.5, 100), { spec });
  assert.equal(out.exitReason, "breakeven");
  assertNear(tradeReturnPercent(out.position), 0.2 * 1 + 0.2 * 2 + 0.15 * 3);
});

Deno.test("none mode never moves the stop", () => {
  const spec: LadderSpec = { ...DEFAULT_LADDER, stopMode: "none" };
  const update = step(open("LONG", spec), bar(1, 100, 107.6, 99.5, 107), {
    spec,
  });
  assert.equal(update.position.tpFilled, 5);
  assert.equal(update.position.stop, 91.5);
  const out = step(update.position, bar(2, 95, 96, 91, 92), { spec });
  assert.equal(out.exitReason, "stop");
  assertNear(out.fills[0]!.quantity, 0.15, 1e-12);
});

Deno.test("the stop never worsens when a TP would move it below the stop in force", () => {
  const long = { ...open("LONG"), stop: 100.5 };
  const longStep = step(long, bar(1, 100.7, 101.2, 100.6, 101));
  assert.equal(longStep.position.tpFilled, 1);
  assert.equal(longStep.position.stop, 100.5);
  const short = { ...open("SHORT"), stop: 99.5 };
  const shortStep = step(short, bar(1, 99.3, 99.4, 98.8, 99));
  assert.equal(shortStep.position.tpFilled, 1);
  assert.equal(shortStep.position.stop, 99.5);
});

Deno.test("SHORT mirrors the same-bar rules", () => {
  const stopFirst = step(open("SHORT"), BOTH_SHORT, { rule: "stop-first" });
  assert.deepEqual(kinds(stopFirst), ["stop@108.5"]);
  assert.equal(stopFirst.sameBarDecided, true);
  assertNear(tradeReturnPercent(stopFirst.position), -8.5);
  const tpFirst = step(open("SHORT"), BOTH_SHORT, { rule: "tp-first" });
  assert.deepEqual(kinds(tpFirst), ["tp1@99", "stop@100"]);
  assertNear(tradeReturnPercent(tpFirst.position), 0.2);
  // Open nearer the low: O→L fills TP1, L→H meets the moved stop at entry.
  const lowFirst = step(open("SHORT"), bar(1, 99.5, 109, 98.5, 105), {
    rule: "adaptive",
  });
  assert.deepEqual(kinds(lowFirst), ["tp1@99", "stop@100"]);
  assertNear(tradeReturnPercent(lowFirst.position), 0.2);
  // Open nearer the high: O→H meets the initial stop.
  const highFirst = step(open("SHORT"), bar(1, 108, 109, 98.5, 105), {
    rule: "adaptive",
  });
  assert.deepEqual(kinds(highFirst), ["stop@108.5"]);
  assertNear(tradeReturnPercent(highFirst.position), -8.5);
});

Deno.test("SHORT mirrors the cascade and the gaps", () => {
  const first = step(open("SHORT"), bar(1, 99.5, 99.8, 98.8, 99));
  assert.equal(first.position.stop, 100);
  const second = step(first.position, bar(2, 98.5, 98.8, 97.8, 98));
  assert.equal(second.position.stop, 99);
  const gapStop = step(open("SHORT"), bar(1, 110, 111, 109, 110));
  assert.deepEqual(kinds(gapStop), ["stop@110"]);
  assertNear(tradeReturnPercent(gapStop.position), -10);
  const gapTp = step(open("SHORT"), bar(1, 97.5, 97.8, 97.2, 97.5));
  assert.deepEqual(kinds(gapTp), ["tp1@97.5", "tp2@97.5"]);
  assert.equal(gapTp.position.stop, 99);
});

Deno.test("compat velas-py: TP1 and TP2 fill, the stop moves to TP1 and is hit on the same bar", () => {
  // Spec §3.4 / §8.2: tp-first, no gap rule, shares 17/17/17/17/16/16, no costs.
  const options = {
    spec: SHARES_17,
    rule: "tp-first",
    gapFills: false,
    costs: ZERO_COSTS,
  } as const;
  const update = step(
    open("LONG", SHARES_17),
    bar(1, 100.9, 102.5, 100.8, 101.5),
    options,
  );
  assert.deepEqual(kinds(update), ["tp1@101", "tp2@102", "stop@101"]);
  assert.equal(update.exitReason, "trailing-stop");
  assertNear(tradeReturnPercent(update.position), 1.17);
  // A bar opening below the stop still fills at the stop price, as the original did.
  const gap = step(open("LONG", SHARES_17), bar(1, 90, 92, 89, 91), options);
  assert.deepEqual(kinds(gap), ["stop@91.5"]);
});

Deno.test("a TP share that would leave dust closes the position and counts bars and excursions", () => {
  const spec: LadderSpec = { ...DEFAULT_LADDER, shares: [50, 50, 0, 0, 0, 0] };
  const update = step(open("LONG", spec), bar(1, 100, 102.5, 99, 102), {
    spec,
  });
  assert.deepEqual(kinds(update), ["tp1@101", "tp2@102"]);
  assert.equal(update.closed, true);
  assert.equal(update.exitReason, "tp");
  assert.equal(update.position.barsHeld, 1);
  assertNear(update.position.maxFavourablePercent, 2.5, 1e-12);
  assertNear(update.position.maxAdversePercent, -1, 1e-12);
  assert.equal(update.position.exitTime, T0);
});

Deno.test("updatePosition does not mutate its frozen input", () => {
  const position = open("LONG");
  const frozen = Object.freeze({
    ...position,
    tp: Object.freeze([...position.tp]),
    shares: Object.freeze([...position.shares]),
  });
  const snapshot = structuredClone(frozen);
  const b = Object.freeze(bar(1, 100.5, 102.5, 91, 95));
  const update = step(frozen, b, { rule: "tp-first" });
  assert.equal(update.closed, true);
  assert.deepEqual(frozen, snapshot);
  assert.notEqual(update.position, frozen);
});

Deno.test("updatePosition rejects a closed position, a bar before the last update and a bad bar", () => {
  const closed = step(open("LONG"), BOTH_LONG).position;
  assert.throws(
    () => step(closed, bar(2, 95, 96, 94, 95)),
    new RangeError(
      "Cannot update position as 'remaining' must be > 0: current value is 0",
    ),
  );
  const moved = step(open("LONG"), bar(3, 100, 100.5, 99.5, 100)).position;
  assert.throws(
    () => step(moved, bar(2, 100, 100.5, 99.5, 100)),
    new RangeError(
      `Cannot update position as 'bar.openTime' must be >= ${
        T0 + 2 * HOUR
      }: current value is ${T0 + HOUR}`,
    ),
  );
  const bad = bar(1, 100, 99, 101, 100);
  assert.throws(
    () => step(open("LONG"), bad),
    new RangeError(
      `Cannot update position as 'bar' must have finite prices with low <= open, close <= high: current value is ${
        JSON.stringify(bad)
      }`,
    ),
  );
});
