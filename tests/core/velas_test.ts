/** Tests of the Velas indicator: hand-checked numbers, batch vs incremental, batch vs naive. */
import { strict as assert } from "node:assert";
import { atrSeries, AtrState, trueRange } from "../../core/atr.ts";
import { rollingMax, rollingMin, rollingStdev } from "../../core/rolling.ts";
import { forEachPreset, velasIndicator } from "../../core/velas.ts";
import { VelasIncremental } from "../../core/velas_incremental.ts";
import {
  candleAt,
  type CandleColumns,
  type IndicatorParams,
  type Semantics,
} from "../../core/types.ts";
import { loadCandles } from "../../data/candle_loader.ts";
import { INDICATOR_PRESETS } from "../../presets/indicator_presets.ts";
import {
  FIXTURES,
  NEEDS_SHARED,
  SHARED_DATA,
  sharedFile,
} from "../shared_data.ts";

/** Builds columns from plain arrays. */
function columns(
  rows: { high: number[]; low: number[]; close: number[] },
): CandleColumns {
  const n = rows.close.length;
  return {
    openTime: Float64Array.from({ length: n }, (_, i) => i * 3_600_000),
    open: Float64Array.from(rows.close),
    high: Float64Array.from(rows.high),
    low: Float64Array.from(rows.low),
    close: Float64Array.from(rows.close),
    volume: new Float64Array(n).fill(1),
  };
}

/** Close 100 every bar, high/low ±(t+1)/2: the true range of bar t is exactly t + 1. */
const RAMP = columns({
  high: Array.from({ length: 16 }, (_, t) => 100 + (t + 1) / 2),
  low: Array.from({ length: 16 }, (_, t) => 100 - (t + 1) / 2),
  close: Array.from({ length: 16 }, () => 100),
});

function assertClose(
  actual: number,
  expected: number,
  tolerance = 1e-12,
): void {
  const scale = Math.max(1, Math.abs(expected));
  assert.ok(
    Math.abs(actual - expected) <= tolerance * scale,
    `expected ${expected}, got ${actual}`,
  );
}

Deno.test("true range uses high − low on the first bar and the previous close after", () => {
  assert.equal(trueRange(10, 8, NaN), 2);
  assert.equal(trueRange(10, 8, 5), 5);
  assert.equal(trueRange(10, 8, 13), 5);
  assert.equal(trueRange(10, 8, 9), 2);
});

Deno.test("pine ATR seeds with the mean of the first 14 true ranges then smooths by 1/14", () => {
  const atr = atrSeries(RAMP, { semantics: "pine" });
  for (let t = 0; t < 13; t++) assert.ok(Number.isNaN(atr[t]));
  assert.equal(atr[13], 7.5); // (1 + 2 + … + 14) / 14
  assertClose(atr[14]!, 7.5 + (15 - 7.5) / 14);
  assertClose(atr[15]!, atr[14]! + (16 - atr[14]!) / 14);
  assert.equal(atr[14], 8.035714285714286);
});

Deno.test("velas-py ATR seeds with the first true range and reports from the 14th bar", () => {
  const atr = atrSeries(RAMP, { semantics: "velas-py" });
  for (let t = 0; t < 13; t++) assert.ok(Number.isNaN(atr[t]));
  let y = 1;
  for (let t = 1; t <= 15; t++) {
    y = y + (t + 1 - y) / 14;
    if (t >= 13) assertClose(atr[t]!, y);
  }
  assert.equal(atr[13], 5.960694343078025);
  assert.equal(atr[15], 7.277333387654011);
});

Deno.test("rolling max and min cover the last i1 bars including the current one", () => {
  const values = Float64Array.from([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5]);
  assert.deepEqual(Array.from(rollingMax(values, 3)), [
    NaN,
    NaN,
    4,
    4,
    5,
    9,
    9,
    9,
    6,
    6,
    5,
  ]);
  assert.deepEqual(Array.from(rollingMin(values, 3)), [
    NaN,
    NaN,
    1,
    1,
    1,
    1,
    2,
    2,
    2,
    3,
    3,
  ]);
  assert.deepEqual(Array.from(rollingMax(values, 1)), Array.from(values));
  assert.throws(() => rollingMax(values, 0), {
    name: "RangeError",
    message:
      "Cannot compute rolling maximum as 'window' must be an integer of at least 1: current value is 0",
  });
});

Deno.test("stdev is population for pine and sample for velas-py", () => {
  const closes = Float64Array.from([1, 2, 3, 4, 10]);
  const pop = rollingStdev(closes, { window: 4, sample: false });
  const sample = rollingStdev(closes, { window: 4, sample: true });
  assert.ok(Number.isNaN(pop[2]));
  assert.equal(pop[3], Math.sqrt(1.25)); // mean 2.5, squares 2.25+0.25+0.25+2.25 = 5, /4
  assert.equal(sample[3], Math.sqrt(5 / 3));
  // window 2..10: mean 4.75, squares 7.5625+3.0625+0.5625+27.5625 = 38.75
  assertClose(pop[4]!, Math.sqrt(38.75 / 4));
});

Deno.test("triggers follow MID·(1 ± i5/100) ± ATR·i4 ± SD·i3 on a hand series", () => {
  const params: IndicatorParams = { i1: 3, i2: 4, i3: 2, i4: 1.5, i5: 1 };
  const out = velasIndicator(RAMP, { params, semantics: "pine" });
  const t = 15;
  assert.equal(out.hc[t], 108); // highs 107, 107.5, 108
  assert.equal(out.lc[t], 92);
  assert.equal(out.mid[t], 100);
  assert.equal(out.sd[t], 0); // the close never moves
  assertClose(out.longTrigger[t]!, 100 * 1.01 + 8.604591836734695 * 1.5);
  assertClose(out.shortTrigger[t]!, 100 * 0.99 - 8.604591836734695 * 1.5);
  assert.ok(
    Number.isNaN(out.longTrigger[12]!),
    "undefined before the ATR is seeded",
  );
  assert.ok(
    out.longTrigger[t]! > out.mid[t]! && out.mid[t]! > out.shortTrigger[t]!,
  );
});

Deno.test("indicator refuses an i1 below 1 and a sample stdev over one bar", () => {
  assert.throws(
    () =>
      velasIndicator(RAMP, {
        params: { i1: 0, i2: 4, i3: 1, i4: 1, i5: 1 },
        semantics: "pine",
      }),
    {
      name: "RangeError",
      message:
        "Cannot compute the Velas indicator as 'i1' must be an integer of at least 1: current value is 0",
    },
  );
  assert.throws(
    () =>
      new VelasIncremental({ i1: 5, i2: 1, i3: 1, i4: 1, i5: 1 }, "velas-py"),
    /'i2' must be an integer of at least 2/,
  );
});

/** Straightforward reference: loops over each window, nothing shared. */
function naiveIndicator(
  c: CandleColumns,
  p: IndicatorParams,
  semantics: Semantics,
) {
  const n = c.close.length;
  const atr = atrSeries(c, { semantics });
  const lt = new Float64Array(n).fill(NaN);
  const st = new Float64Array(n).fill(NaN);
  for (let t = Math.max(p.i1, p.i2) - 1; t < n; t++) {
    let hc = -Infinity;
    let lc = Infinity;
    for (let k = t - p.i1 + 1; k <= t; k++) {
      hc = Math.max(hc, c.high[k]!);
      lc = Math.min(lc, c.low[k]!);
    }
    const window = Array.from(c.close.subarray(t - p.i2 + 1, t + 1));
    const mean = window.reduce((a, b) => a + b, 0) / p.i2;
    const squares = window.reduce((a, b) => a + (b - mean) ** 2, 0);
    const sd = Math.sqrt(squares / (semantics === "pine" ? p.i2 : p.i2 - 1));
    const mid = (hc + lc) / 2;
    lt[t] = mid * (1 + p.i5 / 100) + atr[t]! * p.i4 + sd * p.i3;
    st[t] = mid * (1 - p.i5 / 100) - atr[t]! * p.i4 - sd * p.i3;
  }
  return { lt, st };
}

function maxRelativeDifference(a: number, b: number): number {
  if (Number.isNaN(a) && Number.isNaN(b)) return 0;
  if (Number.isNaN(a) || Number.isNaN(b)) return Infinity;
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-300);
}

async function checkBatchAgainstIncremental(
  path: string,
  semantics: Semantics,
): Promise<void> {
  const candles = await loadCandles(path);
  const n = candles.close.length;
  let worst = 0;
  forEachPreset(candles, {
    presets: INDICATOR_PRESETS,
    semantics,
    onPreset(position, batch) {
      const live = new VelasIncremental(
        INDICATOR_PRESETS[position]!,
        semantics,
      );
      for (let t = 0; t < n; t++) {
        const v = live.update(candleAt(candles, t));
        worst = Math.max(
          worst,
          maxRelativeDifference(v.longTrigger, batch.longTrigger[t]!),
          maxRelativeDifference(v.shortTrigger, batch.shortTrigger[t]!),
          maxRelativeDifference(v.hc, batch.hc[t]!),
          maxRelativeDifference(v.sd, batch.sd[t]!),
          maxRelativeDifference(v.atr, batch.atr[t]!),
        );
      }
    },
  });
  assert.ok(
    worst <= 1e-12,
    `${path} ${semantics}: batch and incremental differ by ${worst}`,
  );
}

Deno.test("batch and incremental agree on bundled real candles for all 60 presets", async () => {
  await checkBatchAgainstIncremental(FIXTURES + "BTCUSDT-1h.csv.gz", "pine");
  await checkBatchAgainstIncremental(
    FIXTURES + "ETHUSDT-30m.csv.gz",
    "velas-py",
  );
});

for (
  const [file, semantics] of [
    ["BTCUSDT-1h.csv.gz", "pine"],
    ["ETHUSDT-30m.csv.gz", "pine"],
    ["SOLUSDT-2h.csv.gz", "velas-py"],
    ["DOGEUSDT-1h.csv.gz", "velas-py"],
  ] as const
) {
  Deno.test({
    name:
      `batch and incremental agree to 1e-12 on ${file} (${semantics}, all 60 presets)${NEEDS_SHARED}`,
    ignore: SHARED_DATA === undefined,
    fn: () => checkBatchAgainstIncremental(sharedFile(file), semantics),
  });
}

Deno.test({
  name:
    `batch triggers match a naive per-window reference on real data${NEEDS_SHARED}`,
  ignore: SHARED_DATA === undefined,
  async fn() {
    const candles = await loadCandles(sharedFile("XRPUSDT-2h.csv.gz"));
    for (const semantics of ["pine", "velas-py"] as const) {
      forEachPreset(candles, {
        presets: INDICATOR_PRESETS,
        semantics,
        onPreset(position, batch) {
          const ref = naiveIndicator(
            candles,
            INDICATOR_PRESETS[position]!,
            semantics,
          );
          for (let t = 0; t < ref.lt.length; t++) {
            const d = Math.max(
              maxRelativeDifference(ref.lt[t]!, batch.longTrigger[t]!),
              maxRelativeDifference(ref.st[t]!, batch.shortTrigger[t]!),
            );
            if (d > 1e-12) {
              assert.fail(
                `preset ${position} bar ${t}: relative difference ${d}`,
              );
            }
          }
        },
      });
    }
  },
});

Deno.test("incremental ATR state equals the batch ATR and reports readiness", () => {
  const state = new AtrState("pine");
  const batch = atrSeries(RAMP, { semantics: "pine" });
  for (let t = 0; t < 16; t++) {
    const v = state.update(RAMP.high[t]!, RAMP.low[t]!, RAMP.close[t]!);
    assert.equal(state.ready, t >= 13);
    if (t >= 13) assert.equal(v, batch[t]);
  }
  state.reset();
  assert.equal(state.ready, false);
});
