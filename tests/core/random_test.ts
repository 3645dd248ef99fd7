/** Tests of the seeded generator, random integers and seed derivation. */
import { strict as assert } from "node:assert";
import { createRandom, hashSeed, randomInt } from "../../core/random.ts";

/** First four draws of seed 1 times 2^32: changing them breaks every stored optimizer result. */
const PINNED_SEED_1: readonly number[] = [
  2442144158,
  3238099751,
  3819917871,
  2104621829,
];
/** hashSeed(1, "bootstrap"). */
const PINNED_HASH = 2415394296;

function draws(seed: number, count: number): number[] {
  const random = createRandom(seed);
  return Array.from({ length: count }, () => random());
}

Deno.test("createRandom gives the same sequence for the same seed", () => {
  assert.deepEqual(draws(42, 1000), draws(42, 1000));
});

Deno.test("createRandom gives different sequences for different seeds", () => {
  const a = draws(1, 100);
  const b = draws(2, 100);
  const same = a.filter((x, i) => x === b[i]).length;
  assert.equal(same, 0);
});

Deno.test("createRandom keeps its pinned sequence for seed 1", () => {
  const ints = draws(1, 4).map((x) => x * 2 ** 32);
  assert.deepEqual(ints, PINNED_SEED_1);
});

Deno.test("createRandom reduces the seed modulo 2^32", () => {
  assert.deepEqual(draws(-1, 50), draws(2 ** 32 - 1, 50));
  assert.deepEqual(draws(7, 50), draws(7 + 2 ** 32, 50));
});

Deno.test("createRandom draws uniform floats in [0, 1) with mean 0.5", () => {
  const random = createRandom(2024);
  let sum = 0;
  let min = 1;
  let max = 0;
  for (let i = 0; i < 100_000; i++) {
    const x = random();
    sum += x;
    min = Math.min(min, x);
    max = Math.max(max, x);
  }
  assert.ok(min >= 0 && max < 1, `draws outside [0, 1): ${min}..${max}`);
  assert.ok(Math.abs(sum / 100_000 - 0.5) < 0.005, `mean ${sum / 100_000}`);
});

Deno.test("createRandom rejects a seed that is not a finite integer", () => {
  for (const seed of [1.5, NaN, Infinity]) {
    assert.throws(() => createRandom(seed), {
      name: "RangeError",
      message:
        `Cannot create a random generator as 'seed' must be a finite integer: current value is ${seed}`,
    });
  }
});

Deno.test("randomInt covers [0, n) uniformly (chi-square below the 99.9 % bound)", () => {
  const n = 10;
  const draws = 100_000;
  const counts = new Array<number>(n).fill(0);
  const random = createRandom(99);
  for (let i = 0; i < draws; i++) {
    const k = randomInt(random, n);
    assert.ok(Number.isInteger(k) && k >= 0 && k < n, `draw ${k}`);
    counts[k]!++;
  }
  const expected = draws / n;
  const chiSquare = counts.reduce((s, c) => s + (c - expected) ** 2, 0) /
    expected;
  // 9 degrees of freedom: P(chi-square > 27.88) = 0.001.
  assert.ok(chiSquare < 27.88, `chi-square ${chiSquare}, counts ${counts}`);
});

Deno.test("randomInt rejects n that is not a positive integer", () => {
  const random = createRandom(1);
  for (const n of [0, -3, 2.5]) {
    assert.throws(() => randomInt(random, n), {
      name: "RangeError",
      message:
        `Cannot draw a random integer as 'n' must be a positive integer: current value is ${n}`,
    });
  }
});

Deno.test("hashSeed gives distinct uint32 seeds across keys and base seeds", () => {
  const keys = ["BTCUSDT:1h:all", "BTCUSDT:1h:low", "BTCUSDT:2h:all", "", "a"];
  const seeds = [0, 1, 2, -1].flatMap((s) => keys.map((k) => hashSeed(s, k)));
  assert.equal(new Set(seeds).size, seeds.length);
  for (const s of seeds) {
    assert.ok(Number.isInteger(s) && s >= 0 && s < 2 ** 32);
  }
});

Deno.test("hashSeed is stable for a given seed and key", () => {
  assert.equal(hashSeed(1, "bootstrap"), PINNED_HASH);
  assert.equal(hashSeed(1 + 2 ** 32, "bootstrap"), PINNED_HASH);
});

Deno.test("hashSeed distinguishes keys that differ only in a high byte", () => {
  assert.notEqual(hashSeed(1, "\u0141"), hashSeed(1, "A"));
});

Deno.test("hashSeed rejects a seed that is not a finite integer", () => {
  assert.throws(() => hashSeed(0.5, "x"), {
    name: "RangeError",
    message:
      "Cannot derive a seed as 'seed' must be a finite integer: current value is 0.5",
  });
});
