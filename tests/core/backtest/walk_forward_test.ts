/** Tests of the walk-forward windows and selection (calendar months, no cold start, failed windows). */
import { strict as assert } from "node:assert";
import { DEFAULT_SCORE_WEIGHTS } from "../../../core/backtest/metrics_score.ts";
import { DEFAULT_OPTIMIZER_SETTINGS } from "../../../core/backtest/optimizer_settings.ts";
import { sweepPresets } from "../../../core/backtest/preset_sweep.ts";
import {
  tapeOf,
  TapeScratch,
  type TradeTape,
} from "../../../core/backtest/trade_tape.ts";
import { walkForward } from "../../../core/backtest/walk_forward.ts";
import {
  InsufficientDataError,
  walkForwardWindows,
} from "../../../core/backtest/walk_forward_windows.ts";
import { ZERO_COSTS } from "../../../core/costs.ts";
import { DEFAULT_LADDER } from "../../../core/ladder.ts";
import type { CandleColumns } from "../../../core/types.ts";
import { Workspace } from "../../../core/workspace.ts";

const HOUR = 3_600_000;
const WF = DEFAULT_OPTIMIZER_SETTINGS.walkForward;

function hourlyTimes(from: number, to: number): Float64Array {
  const n = (to - from) / HOUR;
  return Float64Array.from({ length: n }, (_, i) => from + i * HOUR);
}

const iso = (t: number) => new Date(t).toISOString().slice(0, 10);

Deno.test("36 months of 1h data give 14 walk-forward windows of 6/2 calendar months stepping 2", () => {
  // Data 2022-01-01 .. 2024-12-31 23:00 (26 304 bars). Bar 500 opens 2022-01-21 20:00, so the
  // first training window starts at the next month boundary, 2022-02-01. From there to the data's
  // end (2025-01-01) are 35 months; window k tests [2022-02 + 6 + 2k, + 2) months, which must end
  // by 2025-01-01: 8 + 2k <= 35, k <= 13, so k = 0..13: 14 windows.
  const times = hourlyTimes(Date.UTC(2022, 0, 1), Date.UTC(2025, 0, 1));
  assert.equal(times.length, 26_304);
  const windows = walkForwardWindows(times, {
    timeframeMs: HOUR,
    warmupBars: 500,
    settings: WF,
    label: "TEST 1h",
  });
  assert.equal(windows.length, 14);
  const first = windows[0]!;
  assert.deepEqual(
    [first.trainStart, first.trainEnd, first.testStart, first.testEnd].map(iso),
    ["2022-02-01", "2022-08-01", "2022-08-01", "2022-10-01"],
  );
  const last = windows[13]!;
  assert.deepEqual(
    [last.trainStart, last.trainEnd, last.testStart, last.testEnd].map(iso),
    ["2024-04-01", "2024-10-01", "2024-10-01", "2024-12-01"],
  );
  // Test windows tile the out-of-sample range without gaps or overlaps.
  for (let k = 1; k < windows.length; k++) {
    assert.equal(windows[k]!.testStart, windows[k - 1]!.testEnd);
  }
});

Deno.test("too little data for the walk-forward says how many months are needed and how many there are", () => {
  const times = hourlyTimes(Date.UTC(2023, 0, 1), Date.UTC(2023, 11, 15));
  assert.throws(
    () =>
      walkForwardWindows(times, {
        timeframeMs: HOUR,
        warmupBars: 500,
        settings: WF,
        label: "BTCUSDT 1h",
      }),
    (error: unknown) => {
      assert.ok(error instanceof InsufficientDataError);
      assert.equal(error.monthsNeeded, 14);
      assert.match(
        error.message,
        /BTCUSDT 1h as it needs 14 calendar months after the 500-bar warm-up \(train 6 \+ test 2 \+ 3 steps of 2\): the data has 10\.4 \(2023-02-01 \.\. 2023-12-15\)/,
      );
      return true;
    },
  );
});

/** A tape from (signal time, return, tpHits) triples; exits one hour after the signal. */
function tape(trades: readonly [number, number, number][]): TradeTape {
  const n = trades.length;
  return {
    count: n,
    signalTime: Float64Array.from(trades, (t) => t[0]),
    exitTime: Float64Array.from(trades, (t) => t[0] + HOUR),
    ret: Float64Array.from(trades, (t) => t[1]),
    tpHits: Uint8Array.from(trades, (t) => t[2]),
    regime: new Uint8Array(n).fill(1),
  };
}

const MONTH = (m: number) => Date.UTC(2024, m, 1);
const WINDOWS = [0, 1, 2, 3].map((k) => ({
  index: k,
  trainStart: MONTH(k * 2),
  trainEnd: MONTH(k * 2 + 6),
  testStart: MONTH(k * 2 + 6),
  testEnd: MONTH(k * 2 + 8),
}));

/** One trade per day in [from, to), each +1 % and reaching TP1 except every third (−1 %). */
function daily(
  from: number,
  to: number,
  win = 0.01,
): [number, number, number][] {
  const out: [number, number, number][] = [];
  for (let t = from, i = 0; t < to; t += 24 * HOUR, i++) {
    out.push(i % 3 === 2 ? [t, -0.01, 0] : [t, win, 1]);
  }
  return out;
}

Deno.test("a window whose test months have no trade counts as 0 and lowers the average efficiency", () => {
  // One preset trading every day except in window 2's test months (2024-10 .. 2024-11).
  const all = daily(MONTH(0), MONTH(14)).filter(([t]) =>
    t < WINDOWS[2]!.testStart || t >= WINDOWS[2]!.testEnd
  );
  const wf = walkForward([tape(all)], WINDOWS, {
    regime: -1,
    minWindowTrades: 10,
    weights: DEFAULT_SCORE_WEIGHTS,
    scratch: new TapeScratch(),
  });
  assert.equal(wf.windows[2]!.test.totalTrades, 0);
  assert.equal(wf.windows[2]!.efficiency, 0);
  const others = [0, 1, 3].map((k) => wf.windows[k]!.efficiency);
  for (const e of others) assert.ok(e > 0);
  assert.equal(wf.failedWindows, 1);
  assert.equal(wf.efficiencyAvg, (others[0]! + others[1]! + others[2]!) / 4);
  assert.ok(wf.efficiencyAvg < (others[0]! + others[1]! + others[2]!) / 3);
  assert.equal(wf.efficiencyMin, 0);
});

Deno.test("each window chooses the best training score; the series' choice is the most frequent, ties to the latest", () => {
  // Preset 0 wins more in early months, preset 1 later: windows 0-1 choose 0, 2-3 choose 1.
  const split = MONTH(9);
  const p0 = daily(MONTH(0), MONTH(14), 0.02).map((
    [t, r, h],
  ): [number, number, number] => [t, t < split ? r : r / 4, h]);
  const p1 = daily(MONTH(0), MONTH(14), 0.02).map((
    [t, r, h],
  ): [number, number, number] => [t, t < split ? r / 4 : r, h]);
  const wf = walkForward([tape(p0), tape(p1)], WINDOWS, {
    regime: -1,
    minWindowTrades: 10,
    weights: DEFAULT_SCORE_WEIGHTS,
    scratch: new TapeScratch(),
  });
  const choices = wf.windows.map((w) => w.preset);
  assert.equal(choices.filter((p) => p === 0).length, 2, String(choices));
  assert.equal(choices.filter((p) => p === 1).length, 2, String(choices));
  assert.equal(wf.chosen, choices[3]);
  assert.equal(wf.stability, 0.5);
  // Pooled trades are each window's own choice's test trades.
  const expected = wf.windows.reduce((s, w) => s + w.test.totalTrades, 0);
  assert.equal(wf.pooled.totalTrades, expected);
  assert.equal(wf.pooledTape.count, expected);
});

Deno.test("a preset with fewer training trades than the minimum is not chosen; no eligible preset fails the window", () => {
  const sparse = daily(MONTH(0), MONTH(14)).filter((_, i) => i % 30 === 0);
  const wf = walkForward([tape(sparse)], WINDOWS, {
    regime: -1,
    minWindowTrades: 10,
    weights: DEFAULT_SCORE_WEIGHTS,
    scratch: new TapeScratch(),
  });
  assert.deepEqual(wf.windows.map((w) => w.preset), [-1, -1, -1, -1]);
  assert.equal(wf.chosen, -1);
  assert.equal(wf.efficiencyAvg, 0);
  assert.equal(wf.pooled.totalTrades, 0);
});

/** Flat-ish hourly candles with a crash and, on `jumpBar`, a breakout far above every channel. */
function breakoutCandles(
  n: number,
  start: number,
  jumpBar: number,
): CandleColumns {
  const openTime = Float64Array.from({ length: n }, (_, i) => start + i * HOUR);
  const close = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const wave = 100 + 2 * Math.sin(i / 7) + Math.sin(i / 3.1);
    const calm = 50 + 0.01 * Math.sin(i / 5);
    close[i] = i < jumpBar - 200 ? wave : i < jumpBar ? calm : calm * 1.6;
  }
  // The breakout gaps up: a bar spanning both channels would be ambiguous (no signal).
  const open = Float64Array.from(
    close,
    (c, i) => i === 0 || i === jumpBar ? c : close[i - 1]!,
  );
  const high = Float64Array.from(
    close,
    (c, i) => Math.max(c, open[i]!) * 1.002,
  );
  const low = Float64Array.from(close, (c, i) => Math.min(c, open[i]!) * 0.998);
  return {
    openTime,
    open,
    high,
    low,
    close,
    volume: new Float64Array(n).fill(1000),
  };
}

Deno.test("no cold start: a trade opens on the first bar of a test window from state warmed on earlier bars", () => {
  // 16 months of hourly candles from 2024-01-01; window 0 tests 2024-08 (with a 500-bar warm-up
  // the first training month is 2024-02). The breakout bar is the test window's first bar.
  const start = Date.UTC(2024, 0, 1);
  const n = (Date.UTC(2025, 4, 1) - start) / HOUR;
  const windows = walkForwardWindows(
    Float64Array.from({ length: n }, (_, i) => start + i * HOUR),
    { timeframeMs: HOUR, warmupBars: 500, settings: WF, label: "TEST 1h" },
  );
  const testStart = windows[0]!.testStart;
  assert.equal(iso(testStart), "2024-08-01");
  const jumpBar = (testStart - start) / HOUR;
  const candles = breakoutCandles(n, start, jumpBar);
  let trades: TradeTape | undefined;
  sweepPresets(candles, {
    symbol: "TEST",
    timeframe: "1h",
    timeframeMs: HOUR,
    presets: [{ i1: 40, i2: 10, i3: 0.3, i4: 1, i5: 1 }],
    semantics: "pine",
    regime: new Uint8Array(n).fill(1),
    ladders: [DEFAULT_LADDER, DEFAULT_LADDER, DEFAULT_LADDER],
    costs: ZERO_COSTS,
    rule: "stop-first",
    gapFills: true,
    initialBalance: 10_000,
    start: 500,
    workspace: new Workspace(),
    onPreset: (_, result) => {
      trades = tapeOf(result.trades, HOUR);
    },
  });
  assert.ok(trades !== undefined);
  const first = Array.from(trades.signalTime).find((t) => t >= testStart);
  assert.equal(
    first,
    testStart,
    "the breakout on the window's first bar trades",
  );
  const wf = walkForward([trades], windows, {
    regime: -1,
    minWindowTrades: 1,
    weights: DEFAULT_SCORE_WEIGHTS,
    scratch: new TapeScratch(),
  });
  assert.equal(wf.windows[0]!.preset, 0);
  assert.ok(wf.windows[0]!.test.totalTrades >= 1);
  assert.equal(wf.pooledTape.signalTime[0], testStart);
});
