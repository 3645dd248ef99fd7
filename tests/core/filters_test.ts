/** Tests of the signal filters: SMA, session time, each filter, reason order, adaptive levels, batch vs incremental. */
import { strict as assert } from "node:assert";
import { adxSeries } from "../../core/adx.ts";
import { atrSeries, AtrState } from "../../core/atr.ts";
import {
  DEFAULT_FILTERS,
  FILTER_REASONS,
  FilterCode,
  type FilterSettings,
  FilterState,
  filterVerdicts,
  minuteOfDayUtc,
  parseSessionTime,
  smaSeries,
} from "../../core/filters.ts";
import { rsiSeries } from "../../core/rsi.ts";
import { candleAt, type CandleColumns } from "../../core/types.ts";
import { loadCandles } from "../../data/candle_loader.ts";
import {
  FIXTURES,
  NEEDS_SHARED,
  SHARED_DATA,
  sharedFile,
} from "../shared_data.ts";

const HOUR = 3_600_000;
/** 2024-01-15 00:00 UTC. */
const DAY0 = Date.UTC(2024, 0, 15);

function utc(hours: number, minutes: number, seconds = 0): number {
  return DAY0 + hours * HOUR + minutes * 60_000 + seconds * 1000;
}

/** Candle columns from rows; missing columns default to open = close, volume 1, hourly times. */
function columns(rows: {
  high?: number[];
  low?: number[];
  close: number[];
  volume?: number[];
  openTime?: number[];
}): CandleColumns {
  const n = rows.close.length;
  return {
    openTime: Float64Array.from(
      rows.openTime ?? Array.from({ length: n }, (_, i) => DAY0 + i * HOUR),
    ),
    open: Float64Array.from(rows.close),
    high: Float64Array.from(rows.high ?? rows.close),
    low: Float64Array.from(rows.low ?? rows.close),
    close: Float64Array.from(rows.close),
    volume: Float64Array.from(rows.volume ?? rows.close.map(() => 1)),
  };
}

/** DEFAULT_FILTERS with some sections replaced. */
function settings(
  patch: { [K in keyof FilterSettings]?: Partial<FilterSettings[K]> },
): FilterSettings {
  return {
    volume: { ...DEFAULT_FILTERS.volume, ...patch.volume },
    rsi: { ...DEFAULT_FILTERS.rsi, ...patch.rsi },
    adx: { ...DEFAULT_FILTERS.adx, ...patch.adx },
    session: { ...DEFAULT_FILTERS.session, ...patch.session },
    adaptive: { ...DEFAULT_FILTERS.adaptive, ...patch.adaptive },
  };
}

/** Batch verdicts, checked against the incremental state bar by bar. */
function verdicts(
  c: CandleColumns,
  atr: Float64Array,
  s: FilterSettings,
): { long: number[]; short: number[] } {
  const batch = filterVerdicts(c, atr, s);
  const state = new FilterState(s);
  for (let t = 0; t < c.close.length; t++) {
    state.update(candleAt(c, t), atr[t] ?? NaN);
    assert.equal(state.verdict("LONG"), batch.long[t], `LONG bar ${t}`);
    assert.equal(state.verdict("SHORT"), batch.short[t], `SHORT bar ${t}`);
  }
  return { long: Array.from(batch.long), short: Array.from(batch.short) };
}

/** The six-bar series of `adx_test.ts`: ADX(2) = NaN ×3, 400/7, 3950/77, 4065/77. */
const ADX_BARS = columns({
  high: [10, 12, 13, 12, 11, 14],
  low: [8, 9, 10, 8, 7, 9],
  close: [9, 11, 12, 9, 8, 13],
});

Deno.test("SMA includes the current bar and is NaN until the window is full", () => {
  const sma = smaSeries(Float64Array.from([1, 2, 3, 4, 5]), 3);
  assert.ok(Number.isNaN(sma[0]!));
  assert.ok(Number.isNaN(sma[1]!));
  assert.deepEqual(Array.from(sma.subarray(2)), [2, 3, 4]);
});

Deno.test("SMA sums each window afresh so a huge value leaves no residue", () => {
  // A running sum would keep (1e16 + 1) − 1e16 + 1 = 1 -> SMA 0.5 instead of 1.
  const sma = smaSeries(Float64Array.from([1e16, 1, 1, 1]), 2);
  assert.deepEqual(Array.from(sma.subarray(1)), [5e15, 1, 1]);
});

Deno.test("minute of the UTC day drops seconds and handles times before 1970", () => {
  assert.equal(minuteOfDayUtc(utc(0, 0)), 0);
  assert.equal(minuteOfDayUtc(utc(17, 0, 59)), 17 * 60);
  assert.equal(minuteOfDayUtc(utc(23, 59, 59)), 1439);
  assert.equal(minuteOfDayUtc(-60_000), 1439);
  assert.equal(minuteOfDayUtc(-1), 1439);
});

Deno.test("session time parsing accepts HH:MM and rejects anything else", () => {
  assert.equal(parseSessionTime("09:00", "session.start"), 540);
  assert.equal(parseSessionTime("23:59", "session.end"), 1439);
  for (const bad of ["9:00", "24:00", "12:60", "12:00:00", ""]) {
    assert.throws(() => parseSessionTime(bad, "session.start"), {
      name: "RangeError",
      message:
        `Cannot parse session time as 'session.start' must be HH:MM from 00:00 to 23:59: current value is '${bad}'`,
    });
  }
});

Deno.test("filters return zero verdicts when none is enabled, whatever the ATR column", () => {
  const c = columns({ close: [1, 2, 3] });
  const { long, short } = filterVerdicts(c, new Float64Array(0), {
    ...DEFAULT_FILTERS,
    adaptive: { ...DEFAULT_FILTERS.adaptive, enabled: true },
  });
  assert.deepEqual(Array.from(long), [0, 0, 0]);
  assert.deepEqual(Array.from(short), [0, 0, 0]);
  const state = new FilterState(DEFAULT_FILTERS);
  assert.equal(state.ready, true);
  state.update(candleAt(c, 0), NaN);
  assert.equal(state.verdict("LONG"), 0);
});

Deno.test("volume filter passes only when volume is strictly above SMA times the multiplier", () => {
  // Period 2, multiplier 1.2: SMA 10 (bar 1), 15 (bar 2: 20 > 18), 15 (bar 3: 10 < 18);
  // bar 4: SMA 12.5 · 1.2 = 15 and volume 15 is not above it.
  const c = columns({ close: [1, 1, 1, 1, 1], volume: [10, 10, 20, 10, 15] });
  const s = settings({ volume: { enabled: true, period: 2 } });
  const { long, short } = verdicts(c, new Float64Array(5), s);
  assert.deepEqual(long, [1, 1, 0, 1, 1]);
  assert.deepEqual(short, long);
});

Deno.test("RSI filter needs RSI strictly above the long level for a LONG and below the short level for a SHORT", () => {
  // RSI(2) = NaN, NaN, 100, 60, 60, 100/7.
  const c = columns({ close: [1, 2, 4, 3, 3, 1] });
  const s = settings({
    rsi: { enabled: true, period: 2, longLevel: 60, shortLevel: 60 },
  });
  const { long, short } = verdicts(c, new Float64Array(6), s);
  assert.deepEqual(long, [2, 2, 0, 2, 2, 2]);
  assert.deepEqual(short, [2, 2, 2, 2, 2, 0]);
});

Deno.test("ADX filter needs ADX strictly above the level on both sides and fails during warm-up", () => {
  const s = settings({ adx: { enabled: true, period: 2, level: 52 } });
  const { long, short } = verdicts(ADX_BARS, new Float64Array(6), s);
  assert.deepEqual(long, [3, 3, 3, 0, 3, 0]);
  assert.deepEqual(short, long);
});

Deno.test("session filter includes both ends of the window", () => {
  const times = [utc(8, 59, 59), utc(9, 0), utc(17, 0, 59), utc(17, 1)];
  const c = columns({ close: [1, 1, 1, 1], openTime: times });
  const s = settings({ session: { enabled: true } });
  assert.deepEqual(verdicts(c, new Float64Array(4), s).long, [4, 0, 0, 4]);
});

Deno.test("session filter wraps midnight when the start is after the end", () => {
  const times = [
    utc(21, 59),
    utc(22, 0),
    utc(23, 59),
    utc(0, 0),
    utc(6, 0),
    utc(6, 1),
    utc(12, 0),
  ];
  const c = columns({ close: times.map(() => 1), openTime: times });
  const s = settings({
    session: { enabled: true, start: "22:00", end: "06:00" },
  });
  const { long, short } = verdicts(c, new Float64Array(7), s);
  assert.deepEqual(long, [4, 0, 0, 0, 0, 4, 4]);
  assert.deepEqual(short, long);
});

Deno.test("the reason is the first failing filter in the order volume, RSI, ADX, session", () => {
  // Bar 1 rises: RSI(1) = 100 (a LONG passes, a SHORT fails), ADX(1) = DX = 100.
  // Volume period 1: volume > volume · multiplier fails for 2, passes for 0.5.
  const c = columns({
    high: [10, 12],
    low: [8, 9],
    close: [9, 11],
    openTime: [utc(10, 0), utc(11, 0)],
  });
  const run = (
    volumeOk: boolean,
    adxOk: boolean,
    sessionOk: boolean,
  ): [number, number] => {
    const { long, short } = verdicts(
      c,
      new Float64Array(2),
      settings({
        volume: { enabled: true, period: 1, multiplier: volumeOk ? 0.5 : 2 },
        rsi: { enabled: true, period: 1 },
        adx: { enabled: true, period: 1, level: adxOk ? 25 : 100 },
        session: { enabled: true, start: sessionOk ? "11:00" : "12:00" },
      }),
    );
    return [long[1]!, short[1]!];
  };
  assert.deepEqual(run(false, false, false), [1, 1]);
  assert.deepEqual(run(true, false, false), [3, 2]);
  assert.deepEqual(run(true, true, false), [4, 2]);
  assert.deepEqual(run(true, true, true), [0, 2]);
  assert.deepEqual(
    [FilterCode.Volume, FilterCode.Rsi, FilterCode.Adx, FilterCode.Session]
      .map((code) => FILTER_REASONS[code]),
    ["volume", "rsi", "adx", "session"],
  );
});

Deno.test("adaptive volume multiplier is 1 + ATR/close · coefficient and replaces the fixed one", () => {
  // SMA(2) = 20 on bars 1-3. Close 100, coefficient 5: ATR 9.9 -> 1.495 (30 > 29.9 passes);
  // ATR 10.1 -> 1.505 (30 < 30.1 fails), although the fixed 1.2 would pass it.
  const c = columns({ close: [100, 100, 100, 100], volume: [10, 30, 10, 30] });
  const s = settings({
    volume: { enabled: true, period: 2 },
    adaptive: { enabled: true, volumeCoeff: 5 },
  });
  const atr = Float64Array.from([NaN, 9.9, 0, 10.1]);
  assert.deepEqual(verdicts(c, atr, s).long, [1, 0, 1, 1]);
  const fixed = settings({ volume: { enabled: true, period: 2 } });
  assert.deepEqual(verdicts(c, atr, fixed).long, [1, 0, 1, 0]);
});

Deno.test("adaptive RSI levels are 50 ± ATR/close · coefficient, clamped to 0-100", () => {
  // RSI(2) = NaN, NaN, 100, 60, 60, 100/7 with closes 1, 2, 4, 3, 3, 1; coefficient 10.
  // Bar 2: ATR/close 10 -> levels clamp(150) = 100 and clamp(−50) = 0: 100 is not above 100.
  // Bar 3: ATR/close 0.1 -> levels 51 / 49: LONG passes. Bar 4: ATR/close 1 -> levels 60 / 40.
  // Bar 5: ATR/close 3 -> levels 80 / 20: 100/7 < 20, the SHORT passes.
  const c = columns({ close: [1, 2, 4, 3, 3, 1] });
  const s = settings({
    rsi: { enabled: true, period: 2, longLevel: 0, shortLevel: 100 },
    adaptive: { enabled: true, rsiCoeff: 10 },
  });
  const atr = Float64Array.from([1, 1, 40, 0.3, 3, 3]);
  const { long, short } = verdicts(c, atr, s);
  assert.deepEqual(long, [2, 2, 2, 0, 2, 2]);
  assert.deepEqual(short, [2, 2, 2, 2, 2, 0]);
  const clampedLow = verdicts(
    columns({ close: [3, 2, 1] }),
    Float64Array.from([1, 1, 10]),
    settings({
      rsi: { enabled: true, period: 1 },
      adaptive: { enabled: true, rsiCoeff: 10 },
    }),
  );
  // Bar 2: RSI 0, short level clamp(50 − 100) = 0: 0 is not below 0.
  assert.deepEqual(clampedLow.short, [2, 0, 2]);
});

Deno.test("adaptive ADX level is 25 + ATR/close · coefficient", () => {
  // ADX(2) at bar 3 = 400/7 ≈ 57.14 with close 9; coefficient 10: ATR 27 -> level 55 (passes),
  // ATR 36 -> level 65 (fails).
  const s = settings({
    adx: { enabled: true, period: 2, level: 99 },
    adaptive: { enabled: true, adxCoeff: 10 },
  });
  const pass = Float64Array.from([1, 1, 1, 27, 1, 1]);
  const fail = Float64Array.from([1, 1, 1, 36, 1, 1]);
  assert.equal(verdicts(ADX_BARS, pass, s).long[3], 0);
  assert.equal(verdicts(ADX_BARS, fail, s).long[3], 3);
});

Deno.test("adaptive levels fail the first scaled filter while the ATR is undefined", () => {
  // Volume SMA(2) = NaN, 1, 3, 7; RSI(2) = NaN, NaN, 100, 60. With a defined ATR of 0.1 the
  // adaptive levels are close to the fixed ones and bars 2 and 3 pass; without it they fail.
  const c = columns({ close: [1, 2, 4, 3], volume: [1, 1, 5, 9] });
  const s = settings({
    volume: { enabled: true, period: 2 },
    rsi: { enabled: true, period: 2 },
    adaptive: { enabled: true },
  });
  const defined = Float64Array.from([NaN, NaN, 0.1, 0.1]);
  assert.deepEqual(verdicts(c, defined, s).long, [1, 1, 0, 0]);
  const undefinedAtBar2 = Float64Array.from([NaN, NaN, NaN, 0.1]);
  assert.deepEqual(verdicts(c, undefinedAtBar2, s).long, [1, 1, 1, 0]);
  const rsiOnly = settings({
    rsi: { enabled: true, period: 2 },
    adaptive: { enabled: true },
  });
  assert.deepEqual(verdicts(c, undefinedAtBar2, rsiOnly).long, [2, 2, 2, 0]);
});

Deno.test("filter state fails before its first candle, reports readiness and starts over after reset", () => {
  const s = settings({
    volume: { enabled: true, period: 2, multiplier: 0.5 },
    rsi: { enabled: true, period: 2, longLevel: 0 },
  });
  const state = new FilterState(s);
  assert.equal(state.verdict("LONG"), 1);
  assert.equal(state.ready, false);
  const c = columns({ close: [1, 2, 4], volume: [1, 3, 5] });
  state.update(candleAt(c, 0), NaN);
  state.update(candleAt(c, 1), NaN);
  assert.equal(state.volumeSma, 2);
  assert.equal(state.verdict("LONG"), 2);
  assert.equal(state.ready, false);
  state.update(candleAt(c, 2), NaN);
  assert.equal(state.rsi, 100);
  assert.equal(state.ready, true);
  assert.equal(state.verdict("LONG"), 0);
  assert.ok(Number.isNaN(state.adx));
  state.reset();
  assert.equal(state.ready, false);
  assert.equal(state.verdict("LONG"), 1);
  state.update(candleAt(c, 0), NaN);
  assert.ok(Number.isNaN(state.volumeSma));
});

Deno.test("filters reject invalid settings and an ATR column of the wrong length", () => {
  const c = columns({ close: [1, 2, 3] });
  assert.throws(
    () =>
      filterVerdicts(c, new Float64Array(3), settings({ rsi: { period: 0 } })),
    {
      name: "RangeError",
      message:
        "Cannot compute RSI as 'period' must be an integer of at least 1: current value is 0",
    },
  );
  assert.throws(
    () => new FilterState(settings({ volume: { multiplier: NaN } })),
    {
      name: "RangeError",
      message:
        "Cannot apply filters as 'volume.multiplier' must be a finite number: current value is NaN",
    },
  );
  assert.throws(() => new FilterState(settings({ session: { end: "5pm" } })), {
    name: "RangeError",
    message:
      "Cannot parse session time as 'session.end' must be HH:MM from 00:00 to 23:59: current value is '5pm'",
  });
  assert.throws(
    () =>
      filterVerdicts(
        c,
        new Float64Array(2),
        settings({
          volume: { enabled: true },
          adaptive: { enabled: true },
        }),
      ),
    {
      name: "RangeError",
      message:
        "Cannot apply filters as 'atr' must have one value per candle (3): current value is 2 values",
    },
  );
});

const ALL_ON = settings({
  volume: { enabled: true },
  rsi: { enabled: true },
  adx: { enabled: true },
  session: { enabled: true, start: "22:00", end: "13:30" },
});

/** Batch vs incremental on real candles: codes exactly equal, RSI/ADX values to 1e-12 relative. */
function compareOnCandles(c: CandleColumns, adaptive: boolean): number[] {
  const s = { ...ALL_ON, adaptive: { ...ALL_ON.adaptive, enabled: adaptive } };
  const atr = atrSeries(c, { semantics: "pine" });
  const batch = filterVerdicts(c, atr, s);
  const rsi = rsiSeries(c.close, s.rsi.period);
  const adx = adxSeries(c, s.adx.period);
  const state = new FilterState(s);
  const atrState = new AtrState("pine");
  const counts = [0, 0, 0, 0, 0];
  for (let t = 0; t < c.close.length; t++) {
    const candle = candleAt(c, t);
    state.update(
      candle,
      atrState.update(candle.high, candle.low, candle.close),
    );
    const long = state.verdict("LONG");
    if (long !== batch.long[t] || state.verdict("SHORT") !== batch.short[t]) {
      assert.fail(`verdicts differ at bar ${t}`);
    }
    for (
      const [name, a, b] of [["RSI", state.rsi, rsi[t]!], [
        "ADX",
        state.adx,
        adx[t]!,
      ]] as const
    ) {
      const same = Number.isNaN(b)
        ? Number.isNaN(a)
        : Math.abs(a - b) <= 1e-12 * Math.abs(b);
      if (!same) assert.fail(`${name} differs at bar ${t}: ${a} vs ${b}`);
    }
    counts[long]!++;
  }
  return counts;
}

Deno.test("filter state gives the batch verdicts bar by bar on bundled BTCUSDT-1h candles", () => {
  const c = loadCandles(FIXTURES + "BTCUSDT-1h.csv.gz");
  for (const adaptive of [false, true]) {
    const counts = compareOnCandles(c, adaptive);
    assert.ok(counts.every((count) => count > 0), `codes ${counts}`);
  }
});

Deno.test({
  name:
    `filter state gives the batch verdicts bar by bar on BTCUSDT-1h with every filter on${NEEDS_SHARED}`,
  ignore: SHARED_DATA === undefined,
  fn() {
    const c = loadCandles(sharedFile("BTCUSDT-1h.csv.gz"));
    for (const adaptive of [false, true]) {
      const counts = compareOnCandles(c, adaptive);
      assert.ok(counts.every((count) => count > 0), `codes ${counts}`);
    }
  },
});
