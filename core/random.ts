/**
 * Seeded random numbers for the optimizer (Monte Carlo): a xoshiro128** generator whose 128-bit
 * state is filled by splitmix32 from a 32-bit seed, and a string-keyed seed derivation.
 *
 * Everything is 32-bit integer arithmetic (`Math.imul`, shifts), so a seed gives the same sequence
 * on every platform and in every version. A seed is any finite integer; it is reduced modulo 2³²
 * (so −1 and 4294967295 are the same seed).
 *
 * @module
 */

/** 2³², the divisor that maps a uint32 to [0, 1). */
const TWO_POW_32 = 4_294_967_296;

/** The splitmix32 increment (the 32-bit golden ratio). */
const GOLDEN = 0x9e3779b9;

function checkSeed(seed: number, action: string): number {
  if (!Number.isInteger(seed)) {
    throw new RangeError(
      `Cannot ${action} as 'seed' must be a finite integer: current value is ${seed}`,
    );
  }
  return seed >>> 0;
}

/** The murmur3 32-bit finalizer: a bijection that avalanches every input bit. */
function avalanche(x: number): number {
  let z = x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * A seeded generator of uniform floats in [0, 1) with 32-bit resolution (xoshiro128**, period
 * 2¹²⁸ − 1). The state words are four consecutive splitmix32 outputs of the seed; being distinct
 * outputs of a bijection they are never all zero.
 *
 * @param seed Any finite integer, reduced modulo 2³².
 * @returns A function giving the next draw on each call.
 * @throws {RangeError} When the seed is not a finite integer.
 */
export function createRandom(seed: number): () => number {
  let counter = checkSeed(seed, "create a random generator");
  const next = (): number => {
    counter = (counter + GOLDEN) >>> 0;
    return avalanche(counter);
  };
  let s0 = next(), s1 = next(), s2 = next(), s3 = next();
  return (): number => {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return result / TWO_POW_32;
  };
}

/**
 * A uniform integer in [0, n) from one draw of `random`. The bias of flooring a 32-bit float is at
 * most n / 2³² and negligible for the sizes used here.
 *
 * @param random A generator of floats in [0, 1), e.g. from {@linkcode createRandom}.
 * @param n The number of possible values, a positive integer.
 * @returns An integer from 0 to n − 1.
 * @throws {RangeError} When n is not a positive integer.
 */
export function randomInt(random: () => number, n: number): number {
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(
      `Cannot draw a random integer as 'n' must be a positive integer: current value is ${n}`,
    );
  }
  return Math.floor(random() * n);
}

/**
 * Derives an independent 32-bit seed from a base seed and a string key: FNV-1a over the seed's
 * four bytes then the key's UTF-16 code units (two bytes each), finished with the murmur3
 * avalanche. The same seed and key always give the same result, so a job's random draws do not
 * depend on the order in which workers run.
 *
 * @param seed The base seed, any finite integer (reduced modulo 2³²).
 * @param key What the derived seed is for, e.g. a series name or a method.
 * @returns A seed from 0 to 2³² − 1.
 * @throws {RangeError} When the seed is not a finite integer.
 */
export function hashSeed(seed: number, key: string): number {
  const base = checkSeed(seed, "derive a seed");
  let h = 0x811c9dc5;
  const byte = (b: number): void => {
    h = Math.imul(h ^ b, 0x01000193);
  };
  for (let shift = 0; shift < 32; shift += 8) byte((base >>> shift) & 0xff);
  for (let i = 0; i < key.length; i++) {
    const unit = key.charCodeAt(i);
    byte(unit & 0xff);
    byte(unit >>> 8);
  }
  return avalanche(h);
}
