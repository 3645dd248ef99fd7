/** Tests of the robustness neighbour set and verdict (spec §8.7, DESIGN §2). */
import { strict as assert } from "node:assert";
import {
  type NeighbourOutcome,
  neighbourParams,
  robustnessOf,
} from "../../../core/backtest/robustness.ts";
import { DEFAULT_OPTIMIZER_SETTINGS } from "../../../core/backtest/optimizer_settings.ts";
import type { IndicatorParams } from "../../../core/types.ts";
import {
  INDICATOR_PRESETS,
  indicatorPreset,
} from "../../../presets/indicator_presets.ts";

const SETTINGS = DEFAULT_OPTIMIZER_SETTINGS.robustness;

function params(values: readonly number[]): IndicatorParams {
  const [i1 = 0, i2 = 0, i3 = 0, i4 = 0, i5 = 0] = values;
  return { i1, i2, i3, i4, i5 };
}

function axis(list: readonly IndicatorParams[], key: keyof IndicatorParams) {
  return [...new Set(list.map((p) => p[key]))];
}

function outcome(
  score: number,
  trades = 30,
  totalReturnPct = 5,
): NeighbourOutcome {
  return { score, trades, totalReturnPct };
}

function repeat(count: number, item: NeighbourOutcome): NeighbourOutcome[] {
  return Array.from({ length: count }, () => item);
}

/** Python's `round(base · 0.85, 2)` and `round(base · 1.15, 2)` for every i3..i5 of the 60 presets. */
const PYTHON_ROUNDED: readonly (readonly [number, number, number])[] = [
  [0.2, 0.17, 0.23],
  [0.25, 0.21, 0.29],
  [0.3, 0.26, 0.34],
  [0.35, 0.3, 0.4],
  [0.4, 0.34, 0.46],
  [0.45, 0.38, 0.52],
  [0.5, 0.42, 0.57],
  [0.55, 0.47, 0.63],
  [0.6, 0.51, 0.69],
  [0.65, 0.55, 0.75],
  [0.7, 0.59, 0.8],
  [0.75, 0.64, 0.86],
  [0.8, 0.68, 0.92],
  [0.85, 0.72, 0.98],
  [0.9, 0.77, 1.03],
  [1.0, 0.85, 1.15],
  [1.05, 0.89, 1.21],
  [1.1, 0.94, 1.26],
  [1.15, 0.98, 1.32],
  [1.2, 1.02, 1.38],
  [1.25, 1.06, 1.44],
  [1.3, 1.1, 1.49],
  [1.35, 1.15, 1.55],
  [1.4, 1.19, 1.61],
  [1.45, 1.23, 1.67],
  [1.5, 1.27, 1.72],
  [1.55, 1.32, 1.78],
  [1.6, 1.36, 1.84],
  [1.65, 1.4, 1.9],
  [1.7, 1.44, 1.95],
  [1.75, 1.49, 2.01],
  [1.8, 1.53, 2.07],
  [1.85, 1.57, 2.13],
  [1.9, 1.61, 2.18],
  [1.95, 1.66, 2.24],
  [2.0, 1.7, 2.3],
  [2.05, 1.74, 2.36],
  [2.1, 1.78, 2.42],
  [2.15, 1.83, 2.47],
  [2.2, 1.87, 2.53],
  [2.25, 1.91, 2.59],
  [2.3, 1.95, 2.64],
  [2.35, 2.0, 2.7],
  [2.4, 2.04, 2.76],
  [2.5, 2.12, 2.88],
  [2.6, 2.21, 2.99],
  [2.7, 2.29, 3.1],
  [2.8, 2.38, 3.22],
  [2.9, 2.46, 3.33],
  [3.0, 2.55, 3.45],
  [3.1, 2.63, 3.56],
  [3.2, 2.72, 3.68],
  [3.3, 2.8, 3.79],
  [3.5, 2.98, 4.02],
  [3.6, 3.06, 4.14],
  [3.8, 3.23, 4.37],
  [4.0, 3.4, 4.6],
  [4.2, 3.57, 4.83],
];

Deno.test("neighbourParams gives preset 0 exactly the 242 neighbours of spec §8.7 in i1-outer order", () => {
  const base = indicatorPreset(0);
  const axes = [
    [34, 40, 47],
    [8, 10, 12],
    [0.26, 0.3, 0.34],
    [0.85, 1, 1.15],
    [0.85, 1, 1.15],
  ];
  const expected: IndicatorParams[] = [];
  for (const i1 of axes[0] ?? []) {
    for (const i2 of axes[1] ?? []) {
      for (const i3 of axes[2] ?? []) {
        for (const i4 of axes[3] ?? []) {
          for (const i5 of axes[4] ?? []) {
            if (i1 === 40 && i2 === 10 && i3 === 0.3 && i4 === 1 && i5 === 1) {
              continue;
            }
            expected.push({ i1, i2, i3, i4, i5 });
          }
        }
      }
    }
  }
  const neighbours = neighbourParams(base);
  assert.equal(neighbours.length, 242);
  assert.deepEqual(neighbours, expected);
  assert.deepEqual(neighbours[0], params([34, 8, 0.26, 0.85, 0.85]));
  assert.deepEqual(neighbours[1], params([34, 8, 0.26, 0.85, 1]));
  assert.deepEqual(neighbours[241], params([47, 12, 0.34, 1.15, 1.15]));
  const keys = new Set(neighbours.map((p) => JSON.stringify(p)));
  assert.equal(keys.size, 242);
  assert.ok(!keys.has(JSON.stringify(params([40, 10, 0.3, 1, 1]))));
});

Deno.test("neighbourParams rounds i3..i5 of every preset as Python's round(x, 2) does", () => {
  const table = new Map(
    PYTHON_ROUNDED.map(([b, low, high]) => [b, [low, b, high]]),
  );
  for (const preset of INDICATOR_PRESETS) {
    const neighbours = neighbourParams(preset);
    for (const key of ["i3", "i4", "i5"] as const) {
      assert.deepEqual(
        axis(neighbours, key),
        table.get(preset[key]),
        `preset ${preset.index} ${key}`,
      );
    }
    assert.equal(neighbours.length, 242, `preset ${preset.index}`);
  }
});

Deno.test("neighbourParams keeps a binary value just below a half down and sends an exact tie to even", () => {
  // 0.3 · 1.15 = 0.34499… in binary → 0.34; 2.5 · 0.85 = 2.125 exactly → 2.12 (even).
  const neighbours = neighbourParams(params([40, 10, 0.3, 2.5, 1]));
  assert.deepEqual(axis(neighbours, "i3"), [0.26, 0.3, 0.34]);
  assert.deepEqual(axis(neighbours, "i4"), [2.12, 2.5, 2.88]);
});

Deno.test("neighbourParams floors integer lows and adds one to floored highs", () => {
  const neighbours = neighbourParams(params([500, 22, 1, 1, 1]));
  assert.deepEqual(axis(neighbours, "i1"), [425, 500, 576]);
  assert.deepEqual(axis(neighbours, "i2"), [18, 22, 26]);
});

Deno.test("neighbourParams keeps a clamped i1 low of 1 once, giving 161 distinct neighbours", () => {
  const base = params([1, 10, 0.3, 1, 1]);
  const neighbours = neighbourParams(base);
  assert.deepEqual(axis(neighbours, "i1"), [1, 2]);
  assert.equal(neighbours.length, 2 * 3 ** 4 - 1);
  assert.equal(new Set(neighbours.map((p) => JSON.stringify(p))).size, 161);
  assert.ok(
    !neighbours.some((p) => JSON.stringify(p) === JSON.stringify(base)),
  );
});

Deno.test("neighbourParams keeps i2 at least 2 and i1 at most 1000", () => {
  const neighbours = neighbourParams(params([1000, 2, 0.3, 1, 1]));
  assert.deepEqual(axis(neighbours, "i1"), [850, 1000]);
  assert.deepEqual(axis(neighbours, "i2"), [2, 3]);
  assert.equal(neighbours.length, 2 * 2 * 27 - 1);
});

Deno.test("neighbourParams gives a float base of 0 a single value", () => {
  const neighbours = neighbourParams(params([40, 10, 0.3, 1, 0]));
  assert.deepEqual(axis(neighbours, "i5"), [0]);
  assert.equal(neighbours.length, 81 - 1);
});

Deno.test("neighbourParams uses the given spread", () => {
  const neighbours = neighbourParams(params([40, 10, 0.3, 1, 1]), 0.5);
  assert.deepEqual(axis(neighbours, "i1"), [20, 40, 61]);
  assert.deepEqual(axis(neighbours, "i4"), [0.5, 1, 1.5]);
});

Deno.test("neighbourParams rejects a spread outside (0, 1) and a base outside the schema", () => {
  const base = indicatorPreset(0);
  for (const spread of [0, 1, -0.1, Number.NaN]) {
    assert.throws(() => neighbourParams(base, spread), {
      name: "RangeError",
      message:
        `Cannot build robustness neighbours as 'spread' must be a number in (0, 1): current value is ${spread}`,
    });
  }
  assert.throws(() => neighbourParams({ ...base, i1: 0 }), {
    name: "RangeError",
    message:
      "Cannot build robustness neighbours as 'base.i1' must be an integer from 1 to 1000: current value is 0",
  });
  assert.throws(() => neighbourParams({ ...base, i2: 1 }), {
    name: "RangeError",
    message:
      "Cannot build robustness neighbours as 'base.i2' must be an integer of at least 2: current value is 1",
  });
  assert.throws(() => neighbourParams({ ...base, i3: -0.1 }), {
    name: "RangeError",
    message:
      "Cannot build robustness neighbours as 'base.i3' must be a finite number >= 0: current value is -0.1",
  });
});

Deno.test("robustnessOf computes the score, statistics and verdict of a hand-worked example", () => {
  // Valid scores 50, 40, 45 (one neighbour has 5 trades): valid 75 %, mean 45, stdev √(50/3),
  // degradations 0, 20, 10 %. Score = 0.4·75 + 0.4·90 + 0.2·(1 − √(50/3)/50)·100.
  const result = robustnessOf(50, [
    outcome(50, 30, 2),
    outcome(40, 20, -1),
    outcome(45, 25, 0),
    outcome(99, 5, 3),
  ], SETTINGS);
  const stdev = Math.sqrt(50 / 3);
  assert.equal(result.neighbours, 4);
  assert.equal(result.valid, 3);
  assert.equal(result.validPct, 75);
  assert.equal(result.profitable, 2);
  assert.equal(result.meanScore, 45);
  assert.ok(Math.abs(result.scoreStdev - stdev) < 1e-12);
  assert.equal(result.maxDegradationPct, 20);
  assert.equal(result.meanDegradationPct, 10);
  const expected = 30 + 36 + 0.2 * (1 - stdev / 50) * 100;
  assert.ok(Math.abs(result.score - expected) < 1e-9, `${result.score}`);
  assert.ok(result.score > 84.36 && result.score < 84.37);
  assert.equal(result.robust, true);
  assert.deepEqual(result.failures, []);
});

Deno.test("robustnessOf scores 100 and passes when every neighbour is valid and as good as the base", () => {
  const result = robustnessOf(60, repeat(242, outcome(60)), SETTINGS);
  assert.equal(result.score, 100);
  assert.equal(result.robust, true);
  assert.equal(result.validPct, 100);
  assert.equal(result.scoreStdev, 0);
  assert.equal(result.maxDegradationPct, 0);
});

Deno.test("robustnessOf ignores an invalid neighbour's score and counts it only in the valid share", () => {
  const valid = repeat(9, outcome(60));
  const withThinStar = robustnessOf(60, [...valid, outcome(100, 19)], SETTINGS);
  const withThinDud = robustnessOf(60, [...valid, outcome(0, 19)], SETTINGS);
  assert.deepEqual(withThinStar, withThinDud);
  assert.equal(withThinStar.validPct, 90);
  assert.equal(withThinStar.meanScore, 60);
  assert.equal(withThinStar.maxDegradationPct, 0);
  assert.equal(withThinStar.score, 0.4 * 90 + 40 + 20);
});

Deno.test("robustnessOf fails on the valid share when fewer than 70 % of neighbours are valid", () => {
  const result = robustnessOf(60, [
    ...repeat(11, outcome(60)),
    ...repeat(9, outcome(60, 3)),
  ], SETTINGS);
  assert.equal(result.robust, false);
  assert.deepEqual(result.failures, ["valid neighbours 55.0 % < 70 %"]);
});

Deno.test("robustnessOf fails when one valid neighbour degrades more than 30 %", () => {
  const result = robustnessOf(
    100,
    [...repeat(9, outcome(100)), outcome(58.8)],
    SETTINGS,
  );
  assert.equal(result.robust, false);
  assert.deepEqual(result.failures, ["max degradation 41.2 % > 30 %"]);
});

Deno.test("robustnessOf fails when the mean degradation exceeds 21 %", () => {
  const result = robustnessOf(100, repeat(10, outcome(75)), SETTINGS);
  assert.deepEqual(result.failures, ["mean degradation 25.0 % > 21 %"]);
  assert.equal(result.robust, false);
});

Deno.test("robustnessOf fails when the valid scores spread more than 20", () => {
  const result = robustnessOf(100, [
    ...repeat(5, outcome(75)),
    ...repeat(5, outcome(125)),
  ], SETTINGS);
  assert.equal(result.maxDegradationPct, 25);
  assert.equal(result.meanDegradationPct, 0);
  assert.deepEqual(result.failures, ["score stdev 25.0 > 20"]);
  assert.equal(result.score, 40 + 40 + 0.2 * 50);
});

Deno.test("robustnessOf fails and drops the mean term when the base score is 0", () => {
  const result = robustnessOf(0, repeat(10, outcome(10)), SETTINGS);
  assert.deepEqual(result.failures, [
    "base score is 0: nothing to compare with",
  ]);
  assert.equal(result.maxDegradationPct, 0);
  assert.equal(result.score, 40 + 0 + 20);
});

Deno.test("robustnessOf scores 0 and fails on the valid share when no neighbour is valid", () => {
  for (const neighbours of [repeat(10, outcome(80, 0)), []]) {
    const result = robustnessOf(50, neighbours, SETTINGS);
    assert.equal(result.score, 0);
    assert.equal(result.meanScore, 0);
    assert.equal(result.scoreStdev, 0);
    assert.equal(result.maxDegradationPct, 0);
    assert.deepEqual(result.failures, ["valid neighbours 0.0 % < 70 %"]);
  }
});

Deno.test("robustnessOf rejects a non-finite score and a fractional trade count", () => {
  assert.throws(() => robustnessOf(Number.NaN, [], SETTINGS), {
    name: "RangeError",
    message:
      "Cannot judge robustness as 'baseScore' must be a finite number: current value is NaN",
  });
  assert.throws(
    () => robustnessOf(50, [outcome(50), outcome(50, 2.5)], SETTINGS),
    {
      name: "RangeError",
      message:
        "Cannot judge robustness as 'neighbours[1].trades' must be an integer >= 0: current value is 2.5",
    },
  );
});
