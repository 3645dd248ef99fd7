/** Tests of the live per-series signal state: bar-by-bar parity with the batch `seriesSignals`. */
import { strict as assert } from "node:assert";
import { seriesSignals } from "../../core/backtest/series_signals.ts";
import { DEFAULT_CONFIG } from "../../core/config.ts";
import { filterSettingsOf } from "../../core/config_views.ts";
import type { FilterSettings } from "../../core/filters.ts";
import { DEFAULT_FILTERS } from "../../core/filters.ts";
import { DEFAULT_REGIME_SETTINGS } from "../../core/regime.ts";
import {
  SeriesState,
  type SeriesStateOptions,
} from "../../core/series_state.ts";
import {
  type Candle,
  type CandleColumns,
  type IndicatorParams,
} from "../../core/types.ts";
import { loadCandles } from "../../data/candle_loader.ts";
import { indicatorPreset } from "../../presets/indicator_presets.ts";
import {
  FIXTURES,
  NEEDS_SHARED,
  SHARED_DATA,
  sharedFile,
} from "../shared_data.ts";

type Triple = readonly [IndicatorParams, IndicatorParams, IndicatorParams];

const TRIPLE_A: Triple = [
  indicatorPreset(3),
  indicatorPreset(17),
  indicatorPreset(42),
];
const TRIPLE_B: Triple = [
  indicatorPreset(55),
  indicatorPreset(5),
  indicatorPreset(30),
];

/** Volume, RSI and ADX filters on, at the config's default levels. */
const FILTERS_ON: FilterSettings = (() => {
  const f = filterSettingsOf(DEFAULT_CONFIG);
  return {
    ...f,
    volume: { ...f.volume, enabled: true },
    rsi: { ...f.rsi, enabled: true },
    adx: { ...f.adx, enabled: true },
  };
})();

function optionsOf(
  presets: Triple,
  filters: FilterSettings,
): SeriesStateOptions {
  return {
    symbol: "TEST",
    timeframe: "1h",
    semantics: "pine",
    presets,
    regime: DEFAULT_REGIME_SETTINGS,
    filters,
  };
}

/** What the incremental state produced over a whole series, in batch-shaped columns. */
interface Stepped {
  readonly signal: Int8Array;
  readonly regime: Uint8Array;
  readonly atr: Float64Array;
  readonly filtered: { bar: number; side: 1 | -1; reason: number }[];
  readonly longTrigger: Float64Array;
  readonly shortTrigger: Float64Array;
}

function stepAll(candles: CandleColumns, options: SeriesStateOptions): Stepped {
  const n = candles.close.length;
  const state = new SeriesState(options);
  const out: Stepped = {
    signal: new Int8Array(n),
    regime: new Uint8Array(n),
    atr: new Float64Array(n),
    filtered: [],
    longTrigger: new Float64Array(n),
    shortTrigger: new Float64Array(n),
  };
  for (let t = 0; t < n; t++) {
    const step = state.step({
      openTime: candles.openTime[t]!,
      open: candles.open[t]!,
      high: candles.high[t]!,
      low: candles.low[t]!,
      close: candles.close[t]!,
      volume: candles.volume[t]!,
    });
    assert.equal(step.bar, t);
    assert.equal(step.openTime, candles.openTime[t]);
    assert.equal(step.close, candles.close[t]);
    out.signal[t] = step.signal;
    out.regime[t] = step.regime;
    out.atr[t] = step.atr;
    out.longTrigger[t] = step.longTrigger;
    out.shortTrigger[t] = step.shortTrigger;
    if (step.filtered !== undefined) {
      out.filtered.push({ bar: t, ...step.filtered });
    }
  }
  assert.equal(state.bars, n);
  assert.equal(state.lastOpenTime, candles.openTime[n - 1]);
  return out;
}

function firstDifference(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
): number {
  assert.equal(a.length, b.length);
  for (let t = 0; t < a.length; t++) if (a[t] !== b[t]) return t;
  return -1;
}

function assertAtrClose(actual: Float64Array, expected: Float64Array): void {
  assert.equal(actual.length, expected.length);
  for (let t = 0; t < expected.length; t++) {
    const a = actual[t]!;
    const e = expected[t]!;
    if (e !== e) {
      assert.ok(a !== a, `ATR at bar ${t}: expected NaN, got ${a}`);
      continue;
    }
    assert.ok(
      Math.abs(a - e) <= 1e-12 * Math.abs(e),
      `ATR at bar ${t}: expected ${e}, got ${a}`,
    );
  }
}

/** Runs both forms and checks signals, regimes, ATR and filtered signals; returns the batch. */
function assertParity(
  candles: CandleColumns,
  presets: Triple,
  filters: FilterSettings,
): ReturnType<typeof seriesSignals> {
  const options = optionsOf(presets, filters);
  const batch = seriesSignals(candles, { ...options, start: 0 });
  const live = stepAll(candles, options);
  const regimeAt = firstDifference(live.regime, batch.regime);
  assert.equal(regimeAt, -1, `regimes differ first at bar ${regimeAt}`);
  const signalAt = firstDifference(live.signal, batch.signal);
  assert.equal(
    signalAt,
    -1,
    `signals differ first at bar ${signalAt}: live ${
      live.signal[signalAt]
    }, batch ${batch.signal[signalAt]}`,
  );
  assertAtrClose(live.atr, batch.atr);
  assert.deepEqual(live.filtered, batch.filtered.map((f) => ({ ...f })));
  return batch;
}

function count(values: ArrayLike<number>, value: number): number {
  let k = 0;
  for (let t = 0; t < values.length; t++) if (values[t] === value) k++;
  return k;
}

Deno.test("live state gives the batch signals, regimes and ATR bar by bar on BTCUSDT-1h and ETHUSDT-2h, filters off", () => {
  for (const name of ["BTCUSDT-1h.csv.gz", "ETHUSDT-2h.csv.gz"]) {
    const candles = loadCandles(FIXTURES + name);
    const batch = assertParity(candles, TRIPLE_A, DEFAULT_FILTERS);
    // The comparison is meaningful: signals both ways, and every regime (so every preset) in use.
    assert.ok(count(batch.signal, 1) > 3, `${name}: too few LONG signals`);
    assert.ok(count(batch.signal, -1) > 3, `${name}: too few SHORT signals`);
    for (const code of [0, 1, 2]) {
      assert.ok(
        count(batch.regime, code) > 0,
        `${name}: regime ${code} unseen`,
      );
    }
    assert.equal(batch.filtered.length, 0);
  }
});

Deno.test("live state picks the triggers of the bar's own regime: a normal-only run differs", () => {
  const candles = loadCandles(FIXTURES + "BTCUSDT-1h.csv.gz");
  const options = optionsOf(TRIPLE_A, DEFAULT_FILTERS);
  const live = stepAll(candles, options);
  const normalOnly = stepAll(
    candles,
    optionsOf([TRIPLE_A[1], TRIPLE_A[1], TRIPLE_A[1]], DEFAULT_FILTERS),
  );
  const lowOnly = stepAll(
    candles,
    optionsOf([TRIPLE_A[0], TRIPLE_A[0], TRIPLE_A[0]], DEFAULT_FILTERS),
  );
  const highOnly = stepAll(
    candles,
    optionsOf([TRIPLE_A[2], TRIPLE_A[2], TRIPLE_A[2]], DEFAULT_FILTERS),
  );
  const byRegime = [lowOnly, normalOnly, highOnly] as const;
  for (let t = 0; t < live.regime.length; t++) {
    const source = byRegime[live.regime[t] as 0 | 1 | 2];
    assert.ok(
      Object.is(live.longTrigger[t], source.longTrigger[t]) &&
        Object.is(live.shortTrigger[t], source.shortTrigger[t]),
      `bar ${t}: triggers are not those of regime ${live.regime[t]}'s preset`,
    );
  }
  assert.notEqual(firstDifference(live.signal, normalOnly.signal), -1);
});

Deno.test("live state shares one indicator between regimes with the same preset and stays in parity", () => {
  const candles = loadCandles(FIXTURES + "ETHUSDT-2h.csv.gz");
  assertParity(
    candles,
    [TRIPLE_A[2], TRIPLE_A[2], TRIPLE_A[0]],
    DEFAULT_FILTERS,
  );
});

Deno.test("live state refuses the same signals as the batch with volume, RSI and ADX filters on, with the same reasons", () => {
  for (const name of ["BTCUSDT-1h.csv.gz", "ETHUSDT-2h.csv.gz"]) {
    const candles = loadCandles(FIXTURES + name);
    const batch = assertParity(candles, TRIPLE_A, FILTERS_ON);
    assert.ok(batch.filtered.length > 3, `${name}: too few filtered signals`);
    const reasons = new Set(batch.filtered.map((f) => f.reason));
    assert.ok(reasons.size >= 2, `${name}: only reasons ${[...reasons]}`);
    assert.ok(count(batch.signal, 1) + count(batch.signal, -1) > 0);
  }
});

Deno.test(
  "live state equals the batch over whole shared files for two preset triples" +
    NEEDS_SHARED,
  {
    ignore: SHARED_DATA === undefined,
  },
  () => {
    for (
      const name of [
        "BTCUSDT-30m.csv.gz",
        "SOLUSDT-1h.csv.gz",
        "DOGEUSDT-2h.csv.gz",
      ]
    ) {
      const candles = loadCandles(sharedFile(name));
      for (const triple of [TRIPLE_A, TRIPLE_B]) {
        const batch = assertParity(candles, triple, DEFAULT_FILTERS);
        assert.ok(count(batch.signal, 1) > 10, `${name}: too few LONG signals`);
      }
    }
  },
);

Deno.test("live state throws a RangeError naming both open times on a repeated or earlier candle, and keeps its state", () => {
  const state = new SeriesState(optionsOf(TRIPLE_A, DEFAULT_FILTERS));
  const candle = (openTime: number): Candle => ({
    openTime,
    open: 100,
    high: 101,
    low: 99,
    close: 100,
    volume: 10,
  });
  state.step(candle(3_600_000));
  state.step(candle(7_200_000));
  for (const bad of [7_200_000, 3_600_000, NaN]) {
    assert.throws(
      () => state.step(candle(bad)),
      (error: unknown) =>
        error instanceof RangeError &&
        (Number.isNaN(bad) ||
          (error.message.includes("7200000") &&
            error.message.includes(String(bad)))),
    );
  }
  assert.equal(state.bars, 2);
  assert.equal(state.lastOpenTime, 7_200_000);
  assert.equal(state.step(candle(10_800_000)).bar, 2);
});

Deno.test("live state reports NaN as the last open time before the first candle", () => {
  const state = new SeriesState(optionsOf(TRIPLE_A, DEFAULT_FILTERS));
  assert.ok(Number.isNaN(state.lastOpenTime));
  assert.equal(state.bars, 0);
});
