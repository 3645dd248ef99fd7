/** Tests of Pearson correlation, returns alignment, the window and the correlation matrix. */
import { strict as assert } from "node:assert";
import {
  correlationMatrix,
  lookupCorrelation,
  pearson,
  returnsCorrelation,
} from "../../core/correlation.ts";
import { loadCandles } from "../../data/candle_loader.ts";
import type { CandleColumns } from "../../core/types.ts";
import {
  FIXTURES,
  NEEDS_SHARED,
  SHARED_DATA,
  sharedFile,
} from "../shared_data.ts";

const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);

function f64(values: readonly number[]): Float64Array {
  return Float64Array.from(values);
}

function close(actual: number | undefined, expected: number): void {
  assert.ok(actual !== undefined, "expected a coefficient");
  assert.ok(
    Math.abs(actual - expected) <= 1e-12,
    `${actual} is not ${expected}`,
  );
}

/** Deterministic random walk of hourly closes. */
function walk(n: number, seed: number): Float64Array {
  const closes = new Float64Array(n);
  let state = seed;
  let price = 100;
  for (let i = 0; i < n; i++) {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    price *= 1 + (state / 2_147_483_648 - 0.5) * 0.02;
    closes[i] = price;
  }
  return closes;
}

function hours(n: number, start = T0): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => start + i * HOUR);
}

function returnsOf(closes: Float64Array): Float64Array {
  return Float64Array.from(
    { length: closes.length - 1 },
    (_, i) => closes[i + 1]! / closes[i]! - 1,
  );
}

Deno.test("pearson is 1 for a perfect linear relation and -1 for a reversed one", () => {
  assert.equal(pearson(f64([1, 2, 3, 4]), f64([2, 4, 6, 8])), 1);
  assert.equal(pearson(f64([1, 2, 3, 4]), f64([8, 6, 4, 2])), -1);
});

Deno.test("pearson matches a hand-computed small example", () => {
  // dx = [-2,-1,0,1,2], dy = [-2,0,1,0,1]: Σdxdy = 6, Σdx² = 10, Σdy² = 6.
  close(pearson(f64([1, 2, 3, 4, 5]), f64([2, 4, 5, 4, 5])), 6 / Math.sqrt(60));
});

Deno.test("pearson is NaN with fewer than two points or zero variance", () => {
  assert.ok(Number.isNaN(pearson(f64([1]), f64([2]))));
  assert.ok(Number.isNaN(pearson(f64([]), f64([]))));
  assert.ok(Number.isNaN(pearson(f64([1, 2, 3]), f64([5, 5, 5]))));
});

Deno.test("pearson throws a RangeError when the lengths differ", () => {
  assert.throws(() => pearson(f64([1, 2]), f64([1, 2, 3])), {
    name: "RangeError",
    message:
      "Cannot compute correlation as 'b.length' must equal 'a.length' (2): current value is 3",
  });
});

Deno.test("returns correlation aligns on equal times and spans a missing timestamp", () => {
  const timesA = hours(6);
  const closesA = f64([100, 101, 103, 102, 105, 104]);
  // B lacks 03:00 and has an extra 03:30 that A lacks.
  const timesB = f64([0, 1, 2, 3.5, 4, 5].map((h) => T0 + h * HOUR));
  const closesB = f64([50, 51, 50, 99, 52, 53]);
  const expected = pearson(
    f64([101 / 100 - 1, 103 / 101 - 1, 105 / 103 - 1, 104 / 105 - 1]),
    f64([51 / 50 - 1, 50 / 51 - 1, 52 / 50 - 1, 53 / 52 - 1]),
  );
  close(
    returnsCorrelation({
      timesA,
      closesA,
      timesB,
      closesB,
      endTime: T0 + 5 * HOUR,
      minPoints: 4,
    }),
    expected,
  );
  assert.equal(
    returnsCorrelation({
      timesA,
      closesA,
      timesB,
      closesB,
      endTime: T0 + 5 * HOUR,
      minPoints: 5,
    }),
    undefined,
  );
});

Deno.test("returns correlation uses only rows in (endTime - days, endTime]", () => {
  const times = hours(24 * 4);
  const closesA = walk(times.length, 7);
  const closesB = walk(times.length, 11);
  // Window of 1 day ending at the 60th row: rows 37..60 (24 rows, 23 returns).
  const endTime = times[60]!;
  const expected = pearson(
    returnsOf(closesA.slice(37, 61)),
    returnsOf(closesB.slice(37, 61)),
  );
  close(
    returnsCorrelation({
      timesA: times,
      closesA,
      timesB: times,
      closesB,
      endTime,
      days: 1,
    }),
    expected,
  );
  const wider = pearson(
    returnsOf(closesA.slice(36, 61)),
    returnsOf(closesB.slice(36, 61)),
  );
  assert.notEqual(expected, wider);
  close(
    returnsCorrelation({
      timesA: times,
      closesA,
      timesB: times,
      closesB,
      endTime: endTime + HOUR - 1,
      days: 1 + 1 / 24,
    }),
    wider,
  );
});

Deno.test("returns correlation is undefined with fewer than 20 returns and defined with 20", () => {
  const closesA = walk(30, 3);
  const closesB = walk(30, 5);
  const times = hours(30);
  const corr = (rows: number) =>
    returnsCorrelation({
      timesA: times,
      closesA,
      timesB: times,
      closesB,
      endTime: times[rows - 1]!,
      days: 30,
    });
  assert.equal(corr(20), undefined);
  close(
    corr(21),
    pearson(returnsOf(closesA.slice(0, 21)), returnsOf(closesB.slice(0, 21))),
  );
  assert.equal(
    returnsCorrelation({
      timesA: times,
      closesA: new Float64Array(30).fill(100),
      timesB: times,
      closesB,
      endTime: times[29]!,
    }),
    undefined,
  );
});

Deno.test("returns correlation throws a RangeError for mismatched columns or a bad window", () => {
  const times = hours(3);
  assert.throws(
    () =>
      returnsCorrelation({
        timesA: times,
        closesA: f64([1, 2]),
        timesB: times,
        closesB: f64([1, 2, 3]),
        endTime: T0,
      }),
    {
      name: "RangeError",
      message:
        "Cannot compute correlation as 'closesA.length' must equal the times length (3): current value is 2",
    },
  );
  assert.throws(
    () =>
      returnsCorrelation({
        timesA: times,
        closesA: times,
        timesB: times,
        closesB: times,
        endTime: T0,
        minPoints: 1,
      }),
    {
      name: "RangeError",
      message:
        "Cannot compute correlation as 'minPoints' must be an integer >= 2: current value is 1",
    },
  );
});

Deno.test("correlation matrix is symmetric with NaN where data is short and lookups say undefined", () => {
  const times = hours(50);
  const a = walk(50, 1);
  const matrix = correlationMatrix([
    { symbol: "AAAUSDT", times, closes: a },
    { symbol: "BBBUSDT", times, closes: a.map((c) => c * 2) },
    { symbol: "CCCUSDT", times: times.slice(40), closes: walk(10, 2) },
  ], { endTime: times[49]! });
  assert.deepEqual(matrix.symbols, ["AAAUSDT", "BBBUSDT", "CCCUSDT"]);
  close(matrix.values[1], 1);
  assert.equal(matrix.values[1], matrix.values[3]);
  assert.ok(Number.isNaN(matrix.values[2]!));
  assert.equal(matrix.values[8], 1);
  close(lookupCorrelation(matrix, "BBBUSDT", "AAAUSDT"), 1);
  assert.equal(lookupCorrelation(matrix, "CCCUSDT", "CCCUSDT"), 1);
  assert.equal(lookupCorrelation(matrix, "AAAUSDT", "CCCUSDT"), undefined);
  assert.equal(lookupCorrelation(matrix, "AAAUSDT", "ZZZUSDT"), undefined);
  assert.equal(lookupCorrelation(matrix, "ZZZUSDT", "ZZZUSDT"), undefined);
  assert.deepEqual(structuredClone(matrix).symbols, matrix.symbols);
});

Deno.test("correlation matrix throws a RangeError for a repeated symbol", () => {
  const times = hours(3);
  assert.throws(
    () =>
      correlationMatrix([
        { symbol: "AAAUSDT", times, closes: times },
        { symbol: "AAAUSDT", times, closes: times },
      ], { endTime: T0 }),
    {
      name: "RangeError",
      message:
        "Cannot compute correlation matrix as 'series' must have distinct symbols: current value is 'AAAUSDT' twice",
    },
  );
});

function lastCommonTime(a: CandleColumns, b: CandleColumns): number {
  let i = a.openTime.length - 1;
  let j = b.openTime.length - 1;
  while (i >= 0 && j >= 0) {
    const ta = a.openTime[i]!;
    const tb = b.openTime[j]!;
    if (ta === tb) return ta;
    if (ta > tb) i--;
    else j--;
  }
  throw new Error("no common time");
}

function btcEthCorrelation(btcPath: string, ethPath: string): number {
  const btc = loadCandles(btcPath);
  const eth = loadCandles(ethPath);
  const rho = returnsCorrelation({
    timesA: btc.openTime,
    closesA: btc.close,
    timesB: eth.openTime,
    closesB: eth.close,
    endTime: lastCommonTime(btc, eth),
    days: 30,
    minPoints: 20,
  });
  assert.ok(rho !== undefined, "expected a coefficient");
  return rho;
}

Deno.test("BTCUSDT and ETHUSDT 1h returns are highly correlated over the last 30 days of the fixtures", () => {
  const rho = btcEthCorrelation(
    FIXTURES + "BTCUSDT-1h.csv.gz",
    FIXTURES + "ETHUSDT-1h.csv.gz",
  );
  assert.ok(rho > 0.5 && rho <= 1, `rho ${rho}`);
});

Deno.test({
  name:
    `BTCUSDT and ETHUSDT 1h returns are highly correlated over the last 30 days${NEEDS_SHARED}`,
  ignore: SHARED_DATA === undefined,
  fn() {
    const rho = btcEthCorrelation(
      sharedFile("BTCUSDT-1h.csv.gz"),
      sharedFile("ETHUSDT-1h.csv.gz"),
    );
    assert.ok(rho > 0.5 && rho <= 1, `rho ${rho}`);
  },
});
