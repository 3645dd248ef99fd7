/** Tests of the optimizer's Monte Carlo: hand-checked paths, analytic bootstrap laws, verdicts. */
import { strict as assert } from "node:assert";
import {
  monteCarlo,
  type MonteCarloInput,
  percentile,
} from "../../../core/backtest/monte_carlo.ts";
import { sharpeRatio } from "../../../core/backtest/metrics_equity.ts";
import { createRandom } from "../../../core/random.ts";

function close(actual: number, expected: number, what: string, tol = 1e-9) {
  assert.ok(
    Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)),
    `${what}: ${actual} is not ${expected}`,
  );
}

function input(
  returns: readonly number[],
  days: readonly number[],
  dayCount: number,
): MonteCarloInput {
  return {
    tradeReturns: Float64Array.from(returns),
    tradeDays: Int32Array.from(days),
    days: dayCount,
  };
}

/** One trade per day on days 0..n−1. */
function daily(returns: readonly number[]): MonteCarloInput {
  return input(returns, returns.map((_, i) => i), returns.length);
}

/** 300 trades of mixed sign over 200 days, up to three a day. */
function mixedTrades(): MonteCarloInput {
  const random = createRandom(5);
  const returns: number[] = [];
  const days: number[] = [];
  for (let d = 0; d < 200; d++) {
    const count = Math.floor(random() * 3) + (d % 2);
    for (let t = 0; t < count; t++) {
      returns.push((random() - 0.45) * 0.06);
      days.push(d);
    }
  }
  return input(returns, days, 200);
}

const SETTINGS = { runs: 600, blockDays: 5 };

Deno.test("monteCarlo gives identical results for the same seed", () => {
  const trades = mixedTrades();
  assert.deepStrictEqual(
    monteCarlo(trades, SETTINGS, 17),
    monteCarlo(trades, SETTINGS, 17),
  );
});

Deno.test("monteCarlo gives other bootstrap and shuffle percentiles for another seed", () => {
  const trades = mixedTrades();
  const a = monteCarlo(trades, SETTINGS, 17);
  const b = monteCarlo(trades, SETTINGS, 18);
  assert.notDeepStrictEqual(a.bootstrap, b.bootstrap);
  assert.notDeepStrictEqual(a.shuffle.maxDrawdownPct, b.shuffle.maxDrawdownPct);
  assert.deepStrictEqual(a.original, b.original);
});

Deno.test("monteCarlo echoes runs, block length and seed", () => {
  const result = monteCarlo(mixedTrades(), { runs: 3, blockDays: 9 }, -4);
  assert.equal(result.runs, 3);
  assert.equal(result.blockDays, 9);
  assert.equal(result.seed, -4);
});

Deno.test("monteCarlo shuffle keeps every total return equal to the compounded product", () => {
  const trades = mixedTrades();
  let product = 1;
  for (const r of trades.tradeReturns) product *= 1 + r;
  const expected = (product - 1) * 100;
  const { original, shuffle } = monteCarlo(trades, SETTINGS, 3);
  close(original.totalReturnPct, expected, "original");
  close(shuffle.totalReturnPct.p5, expected, "p5");
  close(shuffle.totalReturnPct.p50, expected, "p50");
  close(shuffle.totalReturnPct.p95, expected, "p95");
  assert.ok(
    shuffle.maxDrawdownPct.p95 > shuffle.maxDrawdownPct.p5,
    "the drawdown does not vary with the order",
  );
  assert.ok(
    shuffle.sharpe.p95 > shuffle.sharpe.p5,
    "the Sharpe does not vary although trades share days",
  );
});

Deno.test("monteCarlo measures the original path by hand: +10 %, -20 %, +5 % on days 0, 1, 2", () => {
  // Equity 1.1, 0.88, 0.924: peak 1.1, trough 0.88, drawdown 20 %, total return -7.6 %.
  const { original } = monteCarlo(
    daily([0.1, -0.2, 0.05]),
    { runs: 10, blockDays: 1 },
    1,
  );
  close(original.maxDrawdownPct, 20, "drawdown");
  close(original.totalReturnPct, -7.6, "total return");
  close(
    original.sharpe,
    sharpeRatio(Float64Array.from([0.1, -0.2, 0.05])),
    "sharpe",
  );
});

Deno.test("monteCarlo compounds trades booked on the same day into one daily return", () => {
  // Day 0: 1.1 · 1.1 = 1.21; day 1: · 0.5 = 0.605; day 2 has no trade.
  const { original } = monteCarlo(
    input([0.1, 0.1, -0.5], [0, 0, 1], 3),
    { runs: 10, blockDays: 1 },
    1,
  );
  close(original.maxDrawdownPct, 50, "drawdown");
  close(original.totalReturnPct, -39.5, "total return");
  close(
    original.sharpe,
    sharpeRatio(Float64Array.from([0.21, -0.5, 0])),
    "sharpe",
  );
});

Deno.test("monteCarlo shuffle leaves Sharpe unchanged when every day has one trade", () => {
  const random = createRandom(8);
  const returns = Array.from({ length: 150 }, () => (random() - 0.4) * 0.05);
  const { original, shuffle } = monteCarlo(daily(returns), SETTINGS, 2);
  close(shuffle.sharpe.p5, original.sharpe, "p5");
  close(shuffle.sharpe.p95, original.sharpe, "p95");
});

/** P(K ≤ k) for K ~ Binomial(n, 1/2), exactly (pmf by recurrence from 2^−n). */
function binomialCdf(n: number): Float64Array {
  const cdf = new Float64Array(n + 1);
  let pmf = 0.5 ** n;
  let sum = 0;
  for (let k = 0; k <= n; k++) {
    sum += pmf;
    cdf[k] = sum;
    pmf *= (n - k) / (k + 1);
  }
  return cdf;
}

/** The smallest k with P(K ≤ k) ≥ q. */
function binomialQuantile(cdf: Float64Array, q: number): number {
  return cdf.findIndex((f) => f >= q);
}

Deno.test("monteCarlo bootstrap with one-day blocks follows the binomial law of up-days", () => {
  // Daily returns alternate +0.8 % and -0.2 %: the empirical law is exactly 50/50 two-point, so
  // with one-day blocks the up-days K of a resampled path are Binomial(N, 1/2) and its total
  // return is (1.008^K · 0.998^(N−K) − 1) · 100, increasing in K. Its percentiles are those of K.
  // (Steps in K move the return by about 1 %, so 2 % also covers sampling noise and rounding.)
  const n = 1000;
  const up = 0.008;
  const down = -0.002;
  const returns = Array.from({ length: n }, (_, i) => i % 2 === 0 ? up : down);
  const { bootstrap } = monteCarlo(
    daily(returns),
    { runs: 8000, blockDays: 1 },
    11,
  );
  const cdf = binomialCdf(n);
  const analytic = (q: number): number => {
    const k = binomialQuantile(cdf, q);
    return ((1 + up) ** k * (1 + down) ** (n - k) - 1) * 100;
  };
  const cases = [
    ["p5", bootstrap.totalReturnPct.p5, analytic(0.05)],
    ["p50", bootstrap.totalReturnPct.p50, analytic(0.5)],
    ["p95", bootstrap.totalReturnPct.p95, analytic(0.95)],
  ] as const;
  for (const [what, actual, expected] of cases) {
    assert.ok(
      Math.abs(actual / expected - 1) <= 0.02,
      `${what}: ${actual} is not within 2 % of ${expected}`,
    );
  }
});

Deno.test("monteCarlo bootstrap with one block over all days only rotates the path", () => {
  // A circular block as long as the range is a rotation of the daily returns, so every resampled
  // path has the original's compounded return while its drawdown depends on the rotation.
  const trades = mixedTrades();
  const { original, bootstrap } = monteCarlo(
    trades,
    { runs: 300, blockDays: trades.days },
    4,
  );
  close(bootstrap.totalReturnPct.p5, original.totalReturnPct, "p5");
  close(bootstrap.totalReturnPct.p95, original.totalReturnPct, "p95");
  assert.ok(bootstrap.maxDrawdownPct.p95 > bootstrap.maxDrawdownPct.p5);
});

Deno.test("monteCarlo calls a strong Sharpe of well-paired same-day trades likely luck", () => {
  // Every day pairs a winner with a loser, so the daily returns are nearly constant; shuffled
  // pairings put two winners or two losers on a day and the Sharpe falls.
  const returns: number[] = [];
  const days: number[] = [];
  for (let d = 0; d < 20; d++) {
    returns.push(0.02 + 0.001 * (d % 3), -0.01);
    days.push(d, d);
  }
  const result = monteCarlo(
    input(returns, days, 20),
    { runs: 500, blockDays: 3 },
    6,
  );
  const { original, shuffle } = result;
  assert.ok(original.sharpe > shuffle.sharpe.p95);
  assert.equal(
    result.verdicts[0],
    `Trade order: original Sharpe ${
      original.sharpe.toFixed(2)
    } is above the 95th percentile of shuffled runs (${
      shuffle.sharpe.p95.toFixed(2)
    }): likely luck`,
  );
});

Deno.test("monteCarlo calls a drawdown lucky when winners and losers alternated", () => {
  // +5 % and -2 % alternate: the original's drawdown is one loss (2 %); shuffles bunch losses.
  const returns = Array.from({ length: 40 }, (_, i) => i % 2 ? -0.02 : 0.05);
  const result = monteCarlo(daily(returns), { runs: 500, blockDays: 3 }, 6);
  const { original, shuffle } = result;
  close(original.maxDrawdownPct, 2, "drawdown");
  const dd = shuffle.maxDrawdownPct;
  assert.equal(
    result.verdicts[1],
    `Trade order: original max drawdown 2.0 % is below the 5th percentile of shuffled runs (${
      dd.p5.toFixed(1)
    } %): the drawdown was lucky; expect up to ${
      dd.p95.toFixed(1)
    } % (95th percentile)`,
  );
  // One trade a day: the Sharpe is the same in every shuffle and must not read as luck.
  const s = original.sharpe.toFixed(2);
  assert.equal(
    result.verdicts[0],
    `Trade order: original Sharpe ${s} lies within the shuffled runs' 5th-95th percentiles (${s}..${s}): the order of trades explains little`,
  );
});

Deno.test("monteCarlo gives the drawdown to expect when the original was not lucky", () => {
  // All losses first: the original has the deepest drawdown any order can have.
  const returns = [
    ...Array.from({ length: 20 }, () => -0.02),
    ...Array.from({ length: 20 }, () => 0.05),
  ];
  const result = monteCarlo(daily(returns), { runs: 500, blockDays: 3 }, 6);
  const dd = result.shuffle.maxDrawdownPct;
  assert.equal(
    result.verdicts[1],
    `Trade order: original max drawdown ${
      result.original.maxDrawdownPct.toFixed(1)
    } % is not below the 5th percentile of shuffled runs (${
      dd.p5.toFixed(1)
    } %): expect up to ${dd.p95.toFixed(1)} % (95th percentile)`,
  );
});

Deno.test("monteCarlo warns when at least 5 % of bootstrap paths lose money", () => {
  const random = createRandom(21);
  const losing = Array.from({ length: 120 }, () => (random() - 0.52) * 0.04);
  const result = monteCarlo(daily(losing), { runs: 500, blockDays: 5 }, 1);
  const p = result.bootstrap.totalReturnPct;
  assert.ok(p.p5 < 0);
  assert.deepEqual(result.verdicts.slice(2), [
    `Bootstrap: 5th/50th/95th percentile return ${p.p5.toFixed(1)} % / ${
      p.p50.toFixed(1)
    } % / ${p.p95.toFixed(1)} %`,
    `Bootstrap: 5th/50th/95th percentile max drawdown ${
      result.bootstrap.maxDrawdownPct.p5.toFixed(1)
    } % / ${result.bootstrap.maxDrawdownPct.p50.toFixed(1)} % / ${
      result.bootstrap.maxDrawdownPct.p95.toFixed(1)
    } %`,
    "Bootstrap: at least 5 % of resampled paths lose money",
  ]);
});

Deno.test("monteCarlo does not warn of losses when every bootstrap percentile gains", () => {
  const returns = Array.from({ length: 60 }, (_, i) => i % 2 ? 0.002 : 0.01);
  const result = monteCarlo(daily(returns), { runs: 500, blockDays: 5 }, 1);
  assert.ok(result.bootstrap.totalReturnPct.p5 > 0);
  assert.equal(result.verdicts.length, 4);
  assert.ok(!result.verdicts.some((line) => line.includes("lose money")));
});

Deno.test("monteCarlo gives zeros and one verdict without trades", () => {
  const zero = { p5: 0, p50: 0, p95: 0 };
  const stats = { totalReturnPct: zero, maxDrawdownPct: zero, sharpe: zero };
  assert.deepStrictEqual(monteCarlo(input([], [], 30), SETTINGS, 1), {
    runs: 600,
    blockDays: 5,
    seed: 1,
    original: { totalReturnPct: 0, maxDrawdownPct: 0, sharpe: 0 },
    shuffle: stats,
    bootstrap: stats,
    verdicts: ["No trades: nothing to resample"],
  });
});

Deno.test("monteCarlo rejects bad input naming the field", () => {
  const ok = daily([0.01, 0.02, -0.01]);
  const cases: [() => unknown, string][] = [
    [
      () => monteCarlo(input([0.1, 0.2], [0], 3), SETTINGS, 1),
      "'tradeDays.length' must be equal to 'tradeReturns.length' (2): current value is 1",
    ],
    [
      () => monteCarlo(input([0.1, 0.2, 0.3], [0, 2, 1], 3), SETTINGS, 1),
      "'tradeDays[2]' must be ascending and from 2 to 2: current value is 1",
    ],
    [
      () => monteCarlo(input([0.1], [3], 3), SETTINGS, 1),
      "'tradeDays[0]' must be ascending and from 0 to 2: current value is 3",
    ],
    [
      () => monteCarlo(input([0.1], [-1], 3), SETTINGS, 1),
      "'tradeDays[0]' must be ascending and from 0 to 2: current value is -1",
    ],
    [
      () => monteCarlo(input([-1], [0], 3), SETTINGS, 1),
      "'tradeReturns[0]' must be a finite number above -1: current value is -1",
    ],
    [
      () => monteCarlo(input([NaN], [0], 3), SETTINGS, 1),
      "'tradeReturns[0]' must be a finite number above -1: current value is NaN",
    ],
    [
      () => monteCarlo(ok, { runs: 500, blockDays: 0 }, 1),
      "'blockDays' must be a positive integer: current value is 0",
    ],
    [
      () => monteCarlo(ok, { runs: 0, blockDays: 5 }, 1),
      "'runs' must be a positive integer: current value is 0",
    ],
    [
      () => monteCarlo({ ...ok, days: 0 }, SETTINGS, 1),
      "'days' must be a positive integer: current value is 0",
    ],
    [
      () => monteCarlo(ok, SETTINGS, 1.5),
      "'seed' must be a finite integer: current value is 1.5",
    ],
  ];
  for (const [run, rule] of cases) {
    assert.throws(run, {
      name: "RangeError",
      message: `Cannot run the Monte Carlo as ${rule}`,
    });
  }
});

Deno.test("percentile interpolates linearly between ranks like numpy", () => {
  const sorted = Float64Array.from([1, 2, 3, 4]);
  // numpy.percentile([1, 2, 3, 4], [0, 5, 50, 95, 100]) = [1, 1.15, 2.5, 3.85, 4]
  close(percentile(sorted, 0), 1, "p0");
  close(percentile(sorted, 5), 1.15, "p5");
  close(percentile(sorted, 50), 2.5, "p50");
  close(percentile(sorted, 95), 3.85, "p95");
  close(percentile(sorted, 100), 4, "p100");
  assert.equal(percentile(Float64Array.from([7]), 95), 7);
});

Deno.test("percentile rejects no values and p outside [0, 100]", () => {
  assert.throws(() => percentile(new Float64Array(0), 50), {
    name: "RangeError",
    message:
      "Cannot compute a percentile as 'sorted' must not be empty: current value is an empty array",
  });
  for (const p of [-1, 101, NaN]) {
    assert.throws(() => percentile(Float64Array.from([1, 2]), p), {
      name: "RangeError",
      message:
        `Cannot compute a percentile as 'p' must be a number from 0 to 100: current value is ${p}`,
    });
  }
});
