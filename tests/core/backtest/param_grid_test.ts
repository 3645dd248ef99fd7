/** Tests of the user grid parser. */
import { strict as assert } from "node:assert";
import {
  MAX_GRID_COMBINATIONS,
  parseParamGrid,
} from "../../../core/backtest/param_grid.ts";
import type { IndicatorParams } from "../../../core/types.ts";

function axis(list: readonly IndicatorParams[], key: keyof IndicatorParams) {
  return [...new Set(list.map((p) => p[key]))];
}

function assertGridError(text: string, message: string): void {
  assert.throws(() => parseParamGrid(text, "--grid"), {
    name: "RangeError",
    message,
  });
}

Deno.test("parseParamGrid expands the example grid in i1-outer cartesian order", () => {
  const grid = parseParamGrid(
    "i1=30:60:10,i2=10:14:2,i3=0.5:1.5:0.25,i4=1,i5=0.5:2:0.5",
    "--grid",
  );
  assert.equal(grid.length, 4 * 3 * 5 * 1 * 4);
  assert.deepEqual(grid[0], { i1: 30, i2: 10, i3: 0.5, i4: 1, i5: 0.5 });
  assert.deepEqual(grid[1], { i1: 30, i2: 10, i3: 0.5, i4: 1, i5: 1 });
  assert.deepEqual(grid[4], { i1: 30, i2: 10, i3: 0.75, i4: 1, i5: 0.5 });
  assert.deepEqual(grid[60], { i1: 40, i2: 10, i3: 0.5, i4: 1, i5: 0.5 });
  assert.deepEqual(grid.at(-1), { i1: 60, i2: 14, i3: 1.5, i4: 1, i5: 2 });
  assert.deepEqual(axis(grid, "i3"), [0.5, 0.75, 1, 1.25, 1.5]);
  assert.equal(new Set(grid.map((p) => JSON.stringify(p))).size, grid.length);
});

Deno.test("parseParamGrid fills missing keys with the indicator defaults", () => {
  assert.deepEqual(parseParamGrid("i3=0.7", "--grid"), [
    { i1: 40, i2: 10, i3: 0.7, i4: 1, i5: 1 },
  ]);
});

Deno.test("parseParamGrid steps 0.1 from 0.1 to 1.0 without drift", () => {
  const values = axis(parseParamGrid("i4=0.1:1.0:0.1", "--grid"), "i4");
  assert.deepEqual(values, [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
});

Deno.test("parseParamGrid stops a range at the last step not beyond its end", () => {
  assert.deepEqual(axis(parseParamGrid("i1=10:25:10", "--grid"), "i1"), [
    10,
    20,
  ]);
});

Deno.test("parseParamGrid tolerates whitespace around tokens in any key order", () => {
  const grid = parseParamGrid(" i2 = 12 , i1 = 20 : 30 : 10 ", "--grid");
  assert.deepEqual(grid, [
    { i1: 20, i2: 12, i3: 0.3, i4: 1, i5: 1 },
    { i1: 30, i2: 12, i3: 0.3, i4: 1, i5: 1 },
  ]);
});

Deno.test("parseParamGrid accepts exactly the maximum number of combinations", () => {
  const grid = parseParamGrid("i1=1:200:1,i2=2:101:1", "--grid");
  assert.equal(grid.length, MAX_GRID_COMBINATIONS);
});

Deno.test("parseParamGrid rejects empty text naming the input", () => {
  for (const text of ["", "   "]) {
    assertGridError(
      text,
      `Cannot use grid as '--grid' must be comma-separated key=spec entries with keys i1 to i5: current value is '${text}'`,
    );
  }
});

Deno.test("parseParamGrid rejects an entry without a key", () => {
  assertGridError(
    "i1=40,,i2=10",
    "Cannot use grid '--grid' as every entry must be key=spec: current value is ''",
  );
  assertGridError(
    "i1",
    "Cannot use grid '--grid' as every entry must be key=spec: current value is 'i1'",
  );
});

Deno.test("parseParamGrid rejects an unknown key naming it", () => {
  assertGridError(
    "i1=40,i9=3",
    "Cannot use grid '--grid' as 'i9' must be one of i1, i2, i3, i4, i5: current value is i9=3",
  );
});

Deno.test("parseParamGrid rejects a repeated key naming both entries", () => {
  assertGridError(
    "i1=30:60:10, i1=5",
    "Cannot use grid '--grid' as 'i1' must be given at most once: current value is i1=30:60:10 and i1=5",
  );
});

Deno.test("parseParamGrid rejects a spec that is not a number or a three-part range", () => {
  for (
    const spec of [
      "abc",
      "",
      "1:2",
      "1:2:3:4",
      "1::2",
      "0x10",
      "Infinity",
      "1e999",
    ]
  ) {
    assertGridError(
      `i3=${spec}`,
      `Cannot use grid '--grid' as 'i3' must be a number or start:end:step: current value is ${spec}`,
    );
  }
});

Deno.test("parseParamGrid rejects a range running backwards or with a step that is not positive", () => {
  for (const spec of ["60:30:5", "30:60:0", "30:60:-5"]) {
    assertGridError(
      `i1=${spec}`,
      `Cannot use grid '--grid' as 'i1' must be start:end:step with start <= end and step > 0: current value is ${spec}`,
    );
  }
});

Deno.test("parseParamGrid rejects integer keys given fractions or values out of bounds", () => {
  const cases: [string, string, string][] = [
    ["i1", "40.5", "integers from 1 to 1000"],
    ["i1", "30:40:2.5", "integers from 1 to 1000"],
    ["i1", "0:10:5", "integers from 1 to 1000"],
    ["i1", "990:1010:10", "integers from 1 to 1000"],
    ["i2", "1", "integers from 2 to 1000"],
    ["i2", "1:5:1", "integers from 2 to 1000"],
  ];
  for (const [key, spec, rule] of cases) {
    assertGridError(
      `${key}=${spec}`,
      `Cannot use grid '--grid' as '${key}' must be ${rule}: current value is ${spec}`,
    );
  }
});

Deno.test("parseParamGrid accepts an integer range whose end it never reaches beyond the bound", () => {
  assert.deepEqual(axis(parseParamGrid("i1=990:1005:20", "--grid"), "i1"), [
    990,
  ]);
});

Deno.test("parseParamGrid rejects float keys below 0 or above 100", () => {
  for (
    const [key, spec] of [["i3", "-0.1"], ["i4", "50:150:50"], ["i5", "100.5"]]
  ) {
    assertGridError(
      `${key}=${spec}`,
      `Cannot use grid '--grid' as '${key}' must be numbers from 0 to 100: current value is ${spec}`,
    );
  }
});

Deno.test("parseParamGrid rejects a grid of more than 20000 combinations saying how many it gives", () => {
  assertGridError(
    "i1=1:50:1,i2=2:26:1,i3=0:2.4:0.1",
    "Cannot use grid as '--grid' must give at most 20000 combinations: current value gives 31250",
  );
});

Deno.test("parseParamGrid names the input it was given", () => {
  assert.throws(() => parseParamGrid("i7=1", "config optimizer.grid"), {
    name: "RangeError",
    message:
      "Cannot use grid 'config optimizer.grid' as 'i7' must be one of i1, i2, i3, i4, i5: current value is i7=1",
  });
});
