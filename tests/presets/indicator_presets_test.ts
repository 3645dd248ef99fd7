/** Tests of the 60 indicator presets (spec §1.5) and their typed access. */
import { strict as assert } from "node:assert";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import {
  DISTINCT_I1,
  DISTINCT_I2,
  INDICATOR_PRESETS,
  indicatorPreset,
} from "../../presets/indicator_presets.ts";

const SPEC_PRESETS = fileURLToPath(
  new URL("../../../shared/spec/presets-60.yaml", import.meta.url),
);
const HAS_SPEC = existsSync(SPEC_PRESETS);

Deno.test("indicator presets are 60, indexed 0-59, named Variant N, frozen", () => {
  assert.equal(INDICATOR_PRESETS.length, 60);
  INDICATOR_PRESETS.forEach((p, i) => {
    assert.equal(p.index, i);
    assert.equal(p.name, `Variant ${i + 1}`);
  });
  assert.ok(Object.isFrozen(INDICATOR_PRESETS));
  assert.ok(Object.isFrozen(INDICATOR_PRESETS[0]));
});

Deno.test("indicator presets hold the spec §1.5 values at the table's edges", () => {
  const tuple = (i: number) => {
    const p = indicatorPreset(i);
    return [p.i1, p.i2, p.i3, p.i4, p.i5];
  };
  assert.deepEqual(tuple(0), [40, 10, 0.3, 1.0, 1.0]);
  assert.deepEqual(tuple(25), [15, 14, 3.0, 3.5, 3.5]);
  assert.deepEqual(tuple(26), [100, 14, 1.05, 1.75, 1.75]);
  assert.deepEqual(tuple(40), [10, 8, 0.2, 0.9, 0.8]);
  assert.deepEqual(tuple(56), [450, 18, 4.0, 4.0, 4.2]);
  assert.deepEqual(tuple(59), [280, 14, 2.4, 2.8, 3.6]);
  const range = (key: "i1" | "i2" | "i3" | "i4" | "i5") => {
    const values = INDICATOR_PRESETS.map((p) => p[key]);
    return [Math.min(...values), Math.max(...values)];
  };
  assert.deepEqual(range("i1"), [10, 500]);
  assert.deepEqual(range("i2"), [8, 22]);
  assert.deepEqual(range("i3"), [0.2, 4.0]);
  assert.deepEqual(range("i4"), [0.9, 4.0]);
  assert.deepEqual(range("i5"), [0.8, 4.2]);
});

Deno.test({
  name: "indicator presets equal ../shared/spec/presets-60.yaml" +
    (HAS_SPEC ? "" : " (skipped: ../shared/spec is absent)"),
  ignore: !HAS_SPEC,
  fn() {
    const spec = parse(readFileSync(SPEC_PRESETS, "utf8")) as {
      presets: {
        index: number;
        i1: number;
        i2: number;
        i3: number;
        i4: number;
        i5: number;
      }[];
    };
    assert.deepEqual(
      INDICATOR_PRESETS.map(({ index, i1, i2, i3, i4, i5 }) => ({
        index,
        i1,
        i2,
        i3,
        i4,
        i5,
      })),
      spec.presets.map(({ index, i1, i2, i3, i4, i5 }) => ({
        index,
        i1,
        i2,
        i3,
        i4,
        i5,
      })),
    );
  },
});

Deno.test("indicator presets have 38 distinct i1 and 13 distinct i2 values, ascending", () => {
  assert.equal(DISTINCT_I1.length, 38);
  assert.equal(DISTINCT_I2.length, 13);
  assert.deepEqual(DISTINCT_I2, [
    8,
    9,
    10,
    11,
    12,
    13,
    14,
    15,
    16,
    18,
    20,
    21,
    22,
  ]);
  assert.deepEqual([...DISTINCT_I1].sort((a, b) => a - b), DISTINCT_I1);
});

Deno.test("indicatorPreset throws RangeError for an index outside 0-59 or not an integer", () => {
  assert.equal(indicatorPreset(59).name, "Variant 60");
  for (const index of [60, -1, 1.5, Number.NaN]) {
    assert.throws(() => indicatorPreset(index), {
      name: "RangeError",
      message:
        `Cannot select indicator preset as 'index' must be an integer from 0 to 59: current value is ${index}`,
    });
  }
});
