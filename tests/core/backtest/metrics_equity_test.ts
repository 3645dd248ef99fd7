/** Tests of the equity-curve metrics on hand-made daily curves with hand-checked figures. */
import { strict as assert } from "node:assert";
import {
  cagrPercent,
  DAY_MS,
  equityMetrics,
  maxDrawdown,
  type MetricsFacts,
  monthlyReturns,
  sharpeRatio,
  sortinoRatio,
} from "../../../core/backtest/metrics_equity.ts";
import type { EquityPoint } from "../../../core/backtest/records.ts";

const JAN_1 = Date.UTC(2024, 0, 1);
const FACTS: MetricsFacts = {
  initialEquity: 1000,
  bars: 200,
  barsInPosition: 50,
};

function close(actual: number | undefined, expected: number, what: string) {
  assert.ok(
    actual !== undefined &&
      Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)),
    `${what}: ${actual} is not ${expected}`,
  );
}

/** Daily points from JAN_1 on, compounding `returns` from 1000. */
function curve(returns: readonly number[]): EquityPoint[] {
  let equity = 1000;
  return returns.map((r, i) => ({
    time: JAN_1 + i * DAY_MS,
    equity: equity *= 1 + r,
  }));
}

function day(n: number): number {
  return JAN_1 + (n - 1) * DAY_MS;
}

// Ten days: 1020, 1030.2 (peak, day 2), 978.69, 929.7555 (trough, day 4, −9.75 %), 966.95, 1015.29,
// 1025.45, 1025.45, 1015.19, 1035.50 (day 10, first close back above 1030.2).
const RETURNS = [0.02, 0.01, -0.05, -0.05, 0.04, 0.05, 0.01, 0, -0.01, 0.02];
const TEN = curve(RETURNS);

Deno.test("Sharpe is the annualised mean over the sample deviation of daily returns", () => {
  // r = 1 %, −2 %, 3 %, 2 %: mean 1 %; Σ(r − mean)² = 0 + 9e-4 + 4e-4 + 1e-4 = 1.4e-3, /3;
  // Sharpe = 0.01 / sqrt(1.4e-3 / 3) · √365 = sqrt(365 · 3 / 14) = 8.8439
  close(
    sharpeRatio(new Float64Array([0.01, -0.02, 0.03, 0.02])),
    Math.sqrt(1095 / 14),
    "sharpe",
  );
});

Deno.test("Sortino divides by the downside deviation over all days", () => {
  // Downside: sqrt((0 + 0.02² + 0 + 0) / 4) = 0.01, so Sortino = 0.01 / 0.01 · √365 = 19.105.
  // The deviation of the losing days alone (the original's) would be undefined with one loss.
  close(
    sortinoRatio(new Float64Array([0.01, -0.02, 0.03, 0.02])),
    Math.sqrt(365),
    "sortino",
  );
});

Deno.test("Sharpe and Sortino are 0 with fewer than two returns or no deviation", () => {
  assert.equal(sharpeRatio(new Float64Array([0.05])), 0);
  assert.equal(sortinoRatio(new Float64Array([-0.05])), 0);
  assert.equal(sharpeRatio(new Float64Array([0.01, 0.01, 0.01])), 0);
  assert.equal(sortinoRatio(new Float64Array([0.01, 0.02, 0])), 0);
});

Deno.test("equity metrics of a ten-day curve: Sharpe and Sortino from its daily returns", () => {
  const m = equityMetrics(TEN, FACTS);
  assert.equal(m.days, 10);
  // mean 0.004; Σ(r − mean)² = (256 + 36 + 2916 + 2916 + 1296 + 2116 + 36 + 16 + 196 + 256)e-6
  // = 0.01004; Sharpe² = 365 · 0.004² · 9 / 0.01004 → Sharpe = 2.2880
  close(m.sharpe, Math.sqrt((365 * 0.004 ** 2 * 9) / 0.01004), "sharpe");
  // Downside: (0.05² + 0.05² + 0.01²) / 10 = 0.00051; Sortino² = 365 · 0.004² / 0.00051 → 3.3839
  close(m.sortino, Math.sqrt((365 * 0.004 ** 2) / 0.00051), "sortino");
});

Deno.test("equity metrics of a ten-day curve: return, drawdown with dates, CAGR and Calmar", () => {
  const m = equityMetrics(TEN, FACTS);
  const final = 1000 * 1.02 * 1.01 * 0.95 * 0.95 * 1.04 * 1.05 * 1.01 * 0.99 *
    1.02; // 1035.4953
  close(m.finalEquity, final, "final");
  close(m.totalReturnPct, 3.5495306233388, "total return");
  close(m.peakEquity, final, "peak");
  // 1030.2 → 929.7555 is 1 − 0.95² = 9.75 %; back above 1030.2 on day 10.
  close(m.maxDrawdownPct, 9.75, "max drawdown");
  assert.deepEqual(
    { ...m.maxDrawdown, pct: 0 },
    {
      pct: 0,
      peakTime: day(2),
      troughTime: day(4),
      recoveryTime: day(10),
      durationMs: 8 * DAY_MS,
    },
  );
  // Ten points span ten days: CAGR = 1.0354953^(365.25 / 10) − 1 = 257.51 %.
  close(m.cagrPct, ((final / 1000) ** 36.525 - 1) * 100, "cagr");
  close(m.calmar, (((final / 1000) ** 36.525 - 1) * 100) / 9.75, "calmar");
  assert.equal(m.exposurePct, 25); // 50 of 200 bars
  assert.equal(m.monthlyReturns.length, 1);
  assert.equal(m.monthlyReturns[0]!.month, "2024-01");
  close(m.monthlyReturns[0]!.returnPct, 3.5495306233388, "january");
});

Deno.test("a drawdown that never recovers lasts until the last point", () => {
  const equity = [1100, 1000, 900, 950].map((e, i) => ({
    time: day(i + 1),
    equity: e,
  }));
  const episode = maxDrawdown(equity, 1000);
  assert.ok(episode !== undefined);
  close(episode.pct, (200 / 1100) * 100, "depth"); // 18.18 %
  assert.equal(episode.peakTime, day(1));
  assert.equal(episode.troughTime, day(3));
  assert.equal(episode.recoveryTime, undefined);
  assert.equal(episode.durationMs, 3 * DAY_MS); // day 1 to day 4, the last point
});

Deno.test("the deepest drawdown wins over an earlier, longer shallow one", () => {
  // 1000 → 950 (5 %) → 1000 recovered → 1200 → 900 (25 %) → 1200 recovered.
  const equity = [950, 1000, 1200, 900, 1200].map((e, i) => ({
    time: day(i + 1),
    equity: e,
  }));
  assert.deepEqual(maxDrawdown(equity, 1000), {
    pct: 25,
    peakTime: day(3),
    troughTime: day(4),
    recoveryTime: day(5),
    durationMs: 2 * DAY_MS,
  });
});

Deno.test("a loss on the first day is a drawdown from the initial equity, dated the day before", () => {
  const m = equityMetrics([{ time: day(1), equity: 950 }], FACTS);
  assert.equal(m.days, 1);
  assert.equal(m.sharpe, 0);
  assert.equal(m.sortino, 0);
  assert.equal(m.maxDrawdownPct, 5);
  assert.deepEqual(m.maxDrawdown, {
    pct: 5,
    peakTime: day(0),
    troughTime: day(1),
    recoveryTime: undefined,
    durationMs: DAY_MS,
  });
  close(m.totalReturnPct, -5, "total return");
  // One point spans one day: 0.95^365.25 − 1 ≈ −100 %.
  close(m.cagrPct, (0.95 ** 365.25 - 1) * 100, "cagr");
  assert.equal(m.monthlyReturns.length, 1);
  assert.equal(m.monthlyReturns[0]!.month, "2024-01");
  close(m.monthlyReturns[0]!.returnPct, -5, "january");
});

Deno.test("a rising curve has no drawdown and no Calmar", () => {
  const m = equityMetrics(curve([0.01, 0.02, 0.01]), FACTS);
  assert.equal(m.maxDrawdownPct, 0);
  assert.equal(m.maxDrawdown, undefined);
  assert.equal(m.sortino, 0);
  assert.ok(m.sharpe > 0);
  assert.ok(m.cagrPct !== undefined && m.cagrPct > 0);
  assert.equal(m.calmar, undefined);
});

Deno.test("equity metrics without points keep the initial equity and leave CAGR undefined", () => {
  const m = equityMetrics([], {
    initialEquity: 500,
    bars: 0,
    barsInPosition: 0,
  });
  assert.deepEqual(m, {
    initialEquity: 500,
    finalEquity: 500,
    peakEquity: 500,
    totalReturnPct: 0,
    days: 0,
    sharpe: 0,
    sortino: 0,
    maxDrawdownPct: 0,
    maxDrawdown: undefined,
    cagrPct: undefined,
    calmar: undefined,
    exposurePct: 0,
    monthlyReturns: [],
  });
});

Deno.test("CAGR compounds over calendar years of 365.25 days", () => {
  // Initial 1000 one day before the first point; the last point 730.5 days later = 2 years.
  const equity = [
    { time: JAN_1, equity: 1000 },
    { time: JAN_1 + 729.5 * DAY_MS, equity: 1210 },
  ];
  close(cagrPercent(equity, 1000), 10, "cagr"); // 1.21 = 1.1²
  assert.equal(cagrPercent([{ time: JAN_1, equity: -5 }], 1000), -100);
  assert.equal(cagrPercent([], 1000), undefined);
});

Deno.test("monthly returns take month-end over the previous month-end, the first over the initial", () => {
  const equity = [
    { time: Date.UTC(2024, 0, 30), equity: 1010 },
    { time: Date.UTC(2024, 0, 31), equity: 1050 },
    { time: Date.UTC(2024, 1, 1), equity: 1000 },
    { time: Date.UTC(2024, 1, 29), equity: 1102.5 },
    { time: Date.UTC(2024, 2, 1), equity: 1000 },
  ];
  const months = monthlyReturns(equity, 1000);
  assert.deepEqual(months.map((m) => m.month), [
    "2024-01",
    "2024-02",
    "2024-03",
  ]);
  close(months[0]!.returnPct, 5, "january"); // 1050 / 1000
  close(months[1]!.returnPct, 5, "february"); // 1102.5 / 1050
  close(months[2]!.returnPct, (1000 / 1102.5 - 1) * 100, "march"); // −9.30 %
});

Deno.test("a month without points is skipped and the next month compares with the last month-end", () => {
  const equity = [
    { time: Date.UTC(2023, 11, 31), equity: 1100 },
    { time: Date.UTC(2024, 1, 15), equity: 990 },
  ];
  const months = monthlyReturns(equity, 1000);
  assert.deepEqual(months.map((m) => m.month), ["2023-12", "2024-02"]);
  close(months[0]!.returnPct, 10, "december");
  close(months[1]!.returnPct, -10, "february");
});

Deno.test("equity metrics refuse a bad initial equity, bar counts and unordered points", () => {
  assert.throws(() => equityMetrics([], { ...FACTS, initialEquity: 0 }), {
    name: "RangeError",
    message:
      "Cannot compute metrics as 'initialEquity' must be a positive finite number: current value is 0",
  });
  assert.throws(() => equityMetrics([], { ...FACTS, barsInPosition: 201 }), {
    name: "RangeError",
    message:
      "Cannot compute metrics as 'barsInPosition' must be an integer from 0 to 'bars' (200): current value is 201",
  });
  assert.throws(() => equityMetrics([], { ...FACTS, bars: -1 }), {
    name: "RangeError",
    message:
      "Cannot compute metrics as 'bars' must be a non-negative integer: current value is -1",
  });
  assert.throws(() => equityMetrics([TEN[1]!, TEN[0]!], FACTS), {
    name: "RangeError",
    message:
      `Cannot compute metrics as 'equity[1].time' must be finite and after the previous point: current value is ${JAN_1}`,
  });
  assert.throws(() => equityMetrics([{ time: JAN_1, equity: NaN }], FACTS), {
    name: "RangeError",
    message:
      "Cannot compute metrics as 'equity[0].equity' must be a finite number: current value is NaN",
  });
});
