/** Tests of opening and closing positions, trade PnL (spec §3.5), fees, slippage and funding. */
import { strict as assert } from "node:assert";
import { type CostModel, ZERO_COSTS } from "../../core/costs.ts";
import {
  closePosition,
  DEFAULT_LADDER,
  type LadderSpec,
  netPnl,
  openPosition,
  type Position,
  type PriceBar,
  type SameBarRule,
  tradeReturnPercent,
  unrealizedPnl,
  updatePosition,
} from "../../core/ladder.ts";
import type { Side } from "../../core/types.ts";

const T0 = Date.UTC(2024, 0, 15, 1);
const HOUR = 3_600_000;
const SHARES_17: LadderSpec = {
  ...DEFAULT_LADDER,
  shares: [17, 17, 17, 17, 16, 16],
};

function open(
  side: Side,
  spec: LadderSpec,
  costs: CostModel = ZERO_COSTS,
): Position {
  return openPosition({
    side,
    entryPrice: 100,
    entryTime: T0,
    quantity: 1,
    spec,
    costs,
  })
    .position;
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

function run(
  position: Position,
  bars: readonly PriceBar[],
  options: { spec: LadderSpec; rule?: SameBarRule; costs?: CostModel },
): Position {
  let current = position;
  for (const b of bars) {
    current =
      updatePosition(current, b, { costs: ZERO_COSTS, ...options }).position;
  }
  return current;
}

function assertNear(actual: number, expected: number, tolerance = 1e-9): void {
  assert.ok(
    Math.abs(actual - expected) <= tolerance,
    `expected ${expected}, got ${actual}`,
  );
}

Deno.test("all six TPs return +5.14 % with shares 17/17/17/17/16/16 (spec §3.5)", () => {
  for (const rule of ["stop-first", "tp-first", "adaptive"] as const) {
    const done = run(open("LONG", SHARES_17), [bar(1, 100, 114.5, 99.5, 114)], {
      spec: SHARES_17,
      rule,
    });
    assert.equal(done.remaining, 0);
    assert.equal(done.exitReason, "tp6");
    assertNear(tradeReturnPercent(done), 5.14);
  }
});

Deno.test("all six TPs return +4.875 % with shares 20/20/15/15/15/15 (spec §3.5)", () => {
  const done = run(
    open("SHORT", DEFAULT_LADDER),
    [bar(1, 100, 100.5, 85, 86)],
    {
      spec: DEFAULT_LADDER,
    },
  );
  assert.equal(done.exitReason, "tp6");
  assertNear(tradeReturnPercent(done), 4.875);
});

Deno.test("TP1 then breakeven returns +0.17 % with shares 17/… (spec §3.5)", () => {
  const done = run(open("LONG", SHARES_17), [
    bar(1, 100, 101.5, 99.5, 101),
    bar(2, 101, 101.2, 99, 99.5),
  ], { spec: SHARES_17 });
  assert.equal(done.exitReason, "breakeven");
  assertNear(tradeReturnPercent(done), 0.17);
});

Deno.test("TP1 and TP2 then the stop at TP1 returns +1.17 % with shares 17/… (spec §3.5)", () => {
  const done = run(open("LONG", SHARES_17), [
    bar(1, 100.6, 102.5, 100.5, 102),
    bar(2, 102, 102.2, 100.8, 101),
  ], { spec: SHARES_17 });
  assert.equal(done.exitReason, "trailing-stop");
  assertNear(tradeReturnPercent(done), 1.17);
});

Deno.test("a straight stop returns −8.5 % (spec §3.5)", () => {
  const done = run(open("LONG", SHARES_17), [bar(1, 100, 100.5, 91, 92)], {
    spec: SHARES_17,
  });
  assert.equal(done.exitReason, "stop");
  assertNear(tradeReturnPercent(done), -8.5);
});

Deno.test("opening applies adverse slippage and the taker fee, with the ladder from the signal price", () => {
  const costs = { takerFeeRate: 0.0005, slippageBps: 10, fundingRatePer8h: 0 };
  const long = openPosition({
    side: "LONG",
    entryPrice: 100,
    entryTime: T0,
    quantity: 2,
    spec: DEFAULT_LADDER,
    costs,
  });
  assertNear(long.fill.price, 100.1, 1e-12);
  assertNear(long.fill.fee, 0.1001, 1e-12);
  assert.equal(long.fill.kind, "entry");
  assert.equal(long.fill.pnl, 0);
  assert.equal(long.position.referencePrice, 100);
  assert.deepEqual(long.position.tp, [101, 102, 103, 104, 107.5, 114]);
  assert.equal(long.position.stop, 91.5);
  assert.deepEqual(long.position.shares, [0.2, 0.2, 0.15, 0.15, 0.15, 0.15]);
  const short = openPosition({
    side: "SHORT",
    entryPrice: 100,
    entryTime: T0,
    quantity: 2,
    spec: DEFAULT_LADDER,
    costs,
  });
  assertNear(short.fill.price, 99.9, 1e-12);
});

Deno.test("fees and slippage of a known trade: entry, TP1 limit fill, then a close on a signal", () => {
  const costs = { takerFeeRate: 0.0005, slippageBps: 10, fundingRatePer8h: 0 };
  const opened = openPosition({
    side: "LONG",
    entryPrice: 100,
    entryTime: T0,
    quantity: 2,
    spec: DEFAULT_LADDER,
    costs,
  }).position;
  const step = updatePosition(opened, bar(1, 100.3, 101.5, 100.2, 101.2), {
    spec: DEFAULT_LADDER,
    costs,
  });
  assert.equal(step.fills.length, 1);
  const tp1 = step.fills[0]!;
  assert.equal(tp1.kind, "tp");
  assert.equal(tp1.tpIndex, 1);
  assert.equal(tp1.price, 101); // a limit fill: no slippage
  assertNear(tp1.quantity, 0.4, 1e-12);
  assertNear(tp1.fee, 0.0202, 1e-12); // 0.0005 · 101 · 0.4
  assertNear(tp1.pnl, 0.36, 1e-12); // (101 − 100.1) · 0.4
  const closed = closePosition(step.position, 102, {
    time: T0 + HOUR,
    reason: "signal",
    costs,
  });
  assertNear(closed.fill.price, 101.898, 1e-12); // 102 · (1 − 0.001)
  assertNear(closed.fill.quantity, 1.6, 1e-12);
  assertNear(closed.fill.fee, 0.0815184, 1e-12); // 0.0005 · 101.898 · 1.6
  assertNear(closed.fill.pnl, 2.8768, 1e-12); // (101.898 − 100.1) · 1.6
  const done = closed.position;
  assert.equal(done.exitReason, "signal");
  assert.equal(done.exitTime, T0 + HOUR);
  assert.equal(done.remaining, 0);
  assertNear(done.realizedPnl, 3.2368, 1e-12);
  assertNear(done.feesPaid, 0.2018184, 1e-12);
  assertNear(netPnl(done), 3.0349816, 1e-12);
  assertNear(tradeReturnPercent(done), (3.0349816 / 200.2) * 100, 1e-12);
});

Deno.test("a stop fill pays slippage below the stop for a LONG", () => {
  const costs = { takerFeeRate: 0, slippageBps: 10, fundingRatePer8h: 0 };
  const opened = open("LONG", DEFAULT_LADDER, costs);
  const step = updatePosition(opened, bar(1, 99, 99.5, 91, 92), {
    spec: DEFAULT_LADDER,
    costs,
  });
  assert.equal(step.fills[0]!.kind, "stop");
  assertNear(step.fills[0]!.price, 91.4085, 1e-12); // 91.5 · (1 − 0.001)
  assertNear(step.fills[0]!.pnl, 91.4085 - 100.1, 1e-12);
});

Deno.test("funding is charged on the remaining notional at each 8-h boundary, then at the close", () => {
  const costs = { takerFeeRate: 0, slippageBps: 0, fundingRatePer8h: 0.0001 };
  const entryTime = Date.UTC(2024, 0, 15, 7);
  let position = openPosition({
    side: "SHORT",
    entryPrice: 100,
    entryTime,
    quantity: 1,
    spec: DEFAULT_LADDER,
    costs,
  }).position;
  const at = (hour: number, price: number): PriceBar => ({
    openTime: Date.UTC(2024, 0, 15, hour),
    open: price,
    high: price + 0.5,
    low: price - 0.5,
    close: price,
  });
  const options = { spec: DEFAULT_LADDER, costs };
  const first = updatePosition(position, at(7, 100), options); // (07:00, 07:00]: none
  assert.equal(first.funding, 0);
  const second = updatePosition(first.position, at(8, 100), options); // 08:00 at 100
  assertNear(second.funding, 0.01, 1e-15);
  const third = updatePosition(second.position, at(9, 100), options);
  assert.equal(third.funding, 0);
  position = third.position;
  // (09:00, next 00:00] holds 16:00 and 00:00: two charges at the closing price 100.
  const closed = closePosition(position, 100, {
    time: Date.UTC(2024, 0, 16),
    reason: "end-of-data",
    costs,
  });
  assertNear(closed.funding, 0.02, 1e-15);
  assertNear(closed.position.fundingPaid, 0.03, 1e-15);
  assertNear(tradeReturnPercent(closed.position), -0.03, 1e-12);
});

Deno.test("unrealised PnL counts only the remaining quantity", () => {
  const step = updatePosition(
    open("LONG", DEFAULT_LADDER),
    bar(1, 100.3, 101.2, 100.2, 101),
    {
      spec: DEFAULT_LADDER,
      costs: ZERO_COSTS,
    },
  );
  assertNear(unrealizedPnl(step.position, 105), 0.8 * 5, 1e-12);
  assertNear(unrealizedPnl(open("SHORT", DEFAULT_LADDER), 95), 5, 1e-12);
});

Deno.test("opening rejects a non-positive quantity and closing rejects a closed position", () => {
  assert.throws(
    () =>
      openPosition({
        side: "LONG",
        entryPrice: 100,
        entryTime: T0,
        quantity: 0,
        spec: DEFAULT_LADDER,
      }),
    new RangeError(
      "Cannot open position as 'quantity' must be a positive finite number: current value is 0",
    ),
  );
  const closed = closePosition(open("LONG", DEFAULT_LADDER), 100, {
    time: T0,
    reason: "manual",
    costs: ZERO_COSTS,
  }).position;
  assert.throws(
    () => closePosition(closed, 100, { time: T0, reason: "manual" }),
    new RangeError(
      "Cannot close position as 'remaining' must be > 0: current value is 0",
    ),
  );
  assert.throws(
    () =>
      closePosition(open("LONG", DEFAULT_LADDER), 100, {
        time: T0 - 1,
        reason: "manual",
      }),
    new RangeError(
      `Cannot close position as 'time' must be >= ${T0}: current value is ${
        T0 - 1
      }`,
    ),
  );
});
