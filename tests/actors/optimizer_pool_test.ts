/** Tests of the optimizer's worker pool: identical results with 1 and 2 workers, errors per job. */
import { strict as assert } from "node:assert";
import { runOptimizerPool } from "../../actors/optimizer_pool.ts";
import type { SeriesJob } from "../../core/backtest/optimize_series.ts";
import { DEFAULT_OPTIMIZER_SETTINGS } from "../../core/backtest/optimizer_settings.ts";
import { DEFAULT_CONFIG } from "../../core/config.ts";
import {
  costModelOf,
  filterSettingsOf,
  ladderSpecOf,
  regimeMultipliersOf,
  regimeSettingsOf,
} from "../../core/config_views.ts";
import { regimeLadder } from "../../core/ladder.ts";
import { REGIMES } from "../../core/types.ts";
import { INDICATOR_PRESETS } from "../../presets/indicator_presets.ts";
import { FIXTURES } from "../shared_data.ts";

function job(symbol: string, timeframe: string): SeriesJob {
  const base = ladderSpecOf(DEFAULT_CONFIG);
  const multipliers = regimeMultipliersOf(DEFAULT_CONFIG);
  const [low, normal, high] = REGIMES.map((r) =>
    regimeLadder(base, r, multipliers)
  );
  return {
    symbol,
    timeframe,
    grid: INDICATOR_PRESETS.map(({ i1, i2, i3, i4, i5 }) => ({
      i1,
      i2,
      i3,
      i4,
      i5,
    })),
    semantics: "pine",
    regime: regimeSettingsOf(DEFAULT_CONFIG),
    filters: filterSettingsOf(DEFAULT_CONFIG),
    ladders: [low!, normal!, high!],
    costs: costModelOf(DEFAULT_CONFIG),
    rule: "stop-first",
    gapFills: true,
    warmupBars: 300,
    initialBalance: 10_000,
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
}

const TASKS = [
  ["BTCUSDT", "1h"],
  ["BTCUSDT", "2h"],
  ["ETHUSDT", "1h"],
  ["ETHUSDT", "2h"], // 4 months: too short, fails with InsufficientDataError
  ["SOLUSDT", "1h"],
].map(([symbol, timeframe]) => ({
  job: job(symbol!, timeframe!),
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
