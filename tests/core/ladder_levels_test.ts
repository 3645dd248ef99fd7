/** Tests of the ladder spec: defaults, share normalisation, regime scaling and price levels. */
import { strict as assert } from "node:assert";
import {
  checkLadderSpec,
  DEFAULT_LADDER,
  DEFAULT_REGIME_MULTIPLIERS,
  ladderPrices,
  type LadderSpec,
  normaliseShares,
  regimeLadder,
} from "../../core/ladder.ts";

Deno.test("default ladder is TP 1/2/3/4/7.5/14 %, SL 8.5 %, shares 20/20/15/15/15/15, cascade", () => {
  assert.deepEqual(DEFAULT_LADDER, {
    tpPercents: [1, 2, 3, 4, 7.5, 14],
    slPercent: 8.5,
    shares: [20, 20, 15, 15, 15, 15],
    stopMode: "cascade",
    breakevenAfterTp: 1,
  });
  assert.deepEqual(DEFAULT_REGIME_MULTIPLIERS, {
    tp: { low: 0.8, normal: 1, high: 1.3 },
    sl: { low: 0.8, normal: 1, high: 1.2 },
  });
});

Deno.test("ladder prices match the spec §3.2 worked example for a LONG at 100", () => {
  assert.deepEqual(ladderPrices("LONG", 100, DEFAULT_LADDER), {
    tp: [101, 102, 103, 104, 107.5, 114],
    stop: 91.5,
  });
});

Deno.test("ladder prices match the spec §3.2 worked example for a SHORT at 100", () => {
  assert.deepEqual(ladderPrices("SHORT", 100, DEFAULT_LADDER), {
    tp: [99, 98, 97, 96, 92.5, 86],
    stop: 108.5,
  });
});

Deno.test("ladder prices are rounded to 8 decimals", () => {
  // 0.123456789 · 1.01 = 0.12469135689; · 0.915 = 0.112962961935.
  const levels = ladderPrices("LONG", 0.123456789, DEFAULT_LADDER);
  assert.equal(levels.tp[0], 0.12469136);
  assert.equal(levels.stop, 0.11296296);
});

Deno.test("ladder prices reject an entry price that is not positive", () => {
  assert.throws(
    () => ladderPrices("LONG", 0, DEFAULT_LADDER),
    new RangeError(
      "Cannot compute ladder prices as 'entry' must be a positive finite number: current value is 0",
    ),
  );
});

Deno.test("regime ladder scales TP and SL percents as the spec §3.1 table", () => {
  const high = regimeLadder(DEFAULT_LADDER, "high");
  assert.deepEqual(high.tpPercents, [1.3, 2.6, 3.9, 5.2, 9.75, 18.2]);
  assert.equal(high.slPercent, 10.2);
  const low = regimeLadder(DEFAULT_LADDER, "low");
  assert.deepEqual(low.tpPercents, [0.8, 1.6, 2.4, 3.2, 6, 11.2]);
  assert.equal(low.slPercent, 6.8);
  const normal = regimeLadder(DEFAULT_LADDER, "normal");
  assert.deepEqual(normal, DEFAULT_LADDER);
  // Other fields are kept.
  assert.deepEqual(high.shares, DEFAULT_LADDER.shares);
  assert.equal(high.stopMode, "cascade");
});

Deno.test("regime ladder uses custom multipliers when given", () => {
  const scaled = regimeLadder(
    { tpPercents: [1, 2, 3, 4, 5, 6], slPercent: 5 },
    "high",
    {
      tp: { low: 1, normal: 1, high: 2 },
      sl: { low: 1, normal: 1, high: 0.5 },
    },
  );
  assert.deepEqual(scaled, {
    tpPercents: [2, 4, 6, 8, 10, 12],
    slPercent: 2.5,
  });
});

Deno.test("share normalisation scales shares to sum 100 and keeps shares that already do", () => {
  assert.deepEqual(normaliseShares([17, 17, 17, 17, 16, 16]), [
    17,
    17,
    17,
    17,
    16,
    16,
  ]);
  assert.deepEqual(normaliseShares([2, 2, 1, 1, 2, 2]), [
    20,
    20,
    10,
    10,
    20,
    20,
  ]);
  const even = normaliseShares([1, 1, 1, 1, 1, 1]);
  assert.equal(even.length, 6);
  for (const share of even) assert.ok(Math.abs(share - 100 / 6) < 1e-12);
});

Deno.test("share normalisation rejects a wrong count, negative shares or a zero sum", () => {
  const message = (value: string) =>
    new RangeError(
      `Cannot normalise shares as 'shares' must be 6 finite numbers >= 0 with a positive sum: current value is ${value}`,
    );
  assert.throws(() => normaliseShares([50, 50]), message("[50, 50]"));
  assert.throws(
    () => normaliseShares([20, 20, 20, 20, 30, -10]),
    message("[20, 20, 20, 20, 30, -10]"),
  );
  assert.throws(
    () => normaliseShares([0, 0, 0, 0, 0, 0]),
    message("[0, 0, 0, 0, 0, 0]"),
  );
});

Deno.test("ladder check rejects unordered TPs, a bad SL, a bad mode and a bad breakeven count", () => {
  const bad = (patch: Partial<LadderSpec>) => () =>
    checkLadderSpec({ ...DEFAULT_LADDER, ...patch });
  assert.equal(checkLadderSpec(DEFAULT_LADDER), DEFAULT_LADDER);
  assert.throws(
    bad({ tpPercents: [1, 3, 2, 4, 5, 6] }),
    new RangeError(
      "Cannot use ladder as 'tpPercents' must be 6 strictly ascending numbers in (0, 100): current value is [1, 3, 2, 4, 5, 6]",
    ),
  );
  assert.throws(
    bad({ slPercent: 0 }),
    new RangeError(
      "Cannot use ladder as 'slPercent' must be a number in (0, 100): current value is 0",
    ),
  );
  assert.throws(
    bad({ stopMode: "trailing" as LadderSpec["stopMode"] }),
    new RangeError(
      "Cannot use ladder as 'stopMode' must be one of cascade, breakeven, none: current value is trailing",
    ),
  );
  assert.throws(
    bad({ breakevenAfterTp: 7 }),
    new RangeError(
      "Cannot use ladder as 'breakevenAfterTp' must be an integer in 1..6: current value is 7",
    ),
  );
});
