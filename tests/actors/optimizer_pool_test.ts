/** Tests of the optimizer's worker pool: identical results with 1 and 2 workers, errors per job. */
import { strict as assert } from "node:assert";
import { runOptimizerPool } from "../../actors/optimizer_pool.ts";
import type { SeriesJob } from "../../core/backtest/optimize_series.ts";
import { DEFAULT_OPTIMIZER_SETTINGS } from "../../core/backtest/optimizer_settings.ts";
import { seriesJob } from "../fakes/series_job.ts";
import { FIXTURES } from "../shared_data.ts";

/** For the short fixtures: 1-month walk-forward windows, lower trade minimums, 500 Monte Carlo runs. */
const SHORT_SERIES: Partial<SeriesJob> = {
  warmupBars: 300,
  settings: {
    ...DEFAULT_OPTIMIZER_SETTINGS,
    minWindowTrades: 3,
    regimeMinTrades: 8,
    walkForward: {
      trainMonths: 1,
      testMonths: 1,
      stepMonths: 1,
      minWindows: 2,
    },
    monteCarlo: { runs: 500, blockDays: 5 },
  },
};

const TASKS = [
  ["BTCUSDT", "1h"],
  ["BTCUSDT", "2h"],
  ["ETHUSDT", "1h"],
  ["ETHUSDT", "2h"], // 4 months: too short, fails with InsufficientDataError
  ["SOLUSDT", "1h"],
].map(([symbol, timeframe]) => ({
  job: seriesJob(symbol!, timeframe!, SHORT_SERIES),
  file: `${FIXTURES}${symbol}-${timeframe}.csv.gz`,
  weight: timeframe === "1h" ? 2 : 1,
}));

Deno.test("the optimizer pool gives identical results with 1 and 2 workers, in task order", async () => {
  const settled: number[] = [];
  const one = await runOptimizerPool(TASKS, { workers: 1 });
  const two = await runOptimizerPool(TASKS, {
    workers: 2,
    onSettled: (index) => settled.push(index),
  });
  assert.deepEqual(two, one);
  assert.deepEqual([...settled].sort(), [0, 1, 2, 3, 4]);
  assert.deepEqual(
    one.map((o) => o.ok ? `${o.result.symbol} ${o.result.timeframe}` : o.name),
    [
      "BTCUSDT 1h",
      "BTCUSDT 2h",
      "ETHUSDT 1h",
      "InsufficientDataError",
      "SOLUSDT 1h",
    ],
  );
  const result = one[0]!.ok ? one[0]!.result : undefined;
  assert.ok(result !== undefined);
  assert.equal(result.scopes.length, 4);
  assert.ok(result.scopes[0].monteCarlo !== undefined);
  assert.equal(result.scopes[0].monteCarlo.runs, 500);
});

Deno.test("a job whose candles cannot load fails alone and names the file", async () => {
  const outcomes = await runOptimizerPool([
    { ...TASKS[0]!, file: `${FIXTURES}NOPE-1h.csv.gz` },
    TASKS[1]!,
  ], { workers: 2 });
  assert.equal(outcomes[0]!.ok, false);
  assert.match(outcomes[0]!.ok ? "" : outcomes[0]!.message, /NOPE-1h\.csv\.gz/);
  assert.equal(outcomes[1]!.ok, true);
});
