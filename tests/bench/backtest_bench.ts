// deno-lint-ignore-file no-console
/**
 * `deno task bench backtest`: (a) the portfolio backtest over every futures file of
 * `../shared/data/binance`, all series together; (b) `--independent` for all 60 presets over the
 * same files on one worker (the preset sweep), including the ladder and the metrics of every
 * preset. Loading is timed apart; peak RSS is reported for the whole process.
 *
 * @module
 */
import { readdirSync } from "node:fs";
import { parseArgs } from "node:util";
import { DEFAULT_CONFIG } from "../../core/config.ts";
import { costModelOf, regimeSettingsOf } from "../../core/config_views.ts";
import { computeMetrics } from "../../core/backtest/metrics.ts";
import { sweepPresets } from "../../core/backtest/preset_sweep.ts";
import { atrSeries } from "../../core/atr.ts";
import { regimeSeries } from "../../core/regime.ts";
import {
  DEFAULT_LADDER,
  DEFAULT_REGIME_MULTIPLIERS,
  type LadderSpec,
  regimeLadder,
} from "../../core/ladder.ts";
import { REGIMES, timeframeMs } from "../../core/types.ts";
import { Workspace } from "../../core/workspace.ts";
import type { LoadedSeries } from "../../data/backtest_inputs.ts";
import { resolvePresets } from "../../data/backtest_inputs.ts";
import { planSeries, runPlanned } from "../../data/backtest_run.ts";
import { loadCandles } from "../../data/candle_loader.ts";
import { INDICATOR_PRESETS } from "../../presets/indicator_presets.ts";
import { SHARED_DATA } from "../shared_data.ts";
import { peakRssMiB } from "./peak_rss.ts";

/**
 * Runs the backtest benchmark.
 *
 * @param args `--data DIR`.
 * @returns The exit code.
 */
export async function benchBacktest(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { data: { type: "string" } },
    strict: true,
  });
  const dir = values.data ?? SHARED_DATA;
  if (dir === undefined) {
    console.error(
      "Cannot run the benchmark as ../shared/data/binance is absent: pass --data DIR",
    );
    return 2;
  }
  const files = readdirSync(dir).filter((f) =>
    /^[A-Z0-9]+-\d+[mhd]\.csv\.gz$/.test(f)
  ).sort();
  let start = performance.now();
  const series: LoadedSeries[] = files.map((file) => {
    const [symbol, tf] = file.replace(".csv.gz", "").split("-") as [
      string,
      string,
    ];
    return {
      symbol,
      timeframe: tf,
      file,
      candles: loadCandles(`${dir}/${file}`),
      gaps: 0,
    };
  });
  const candles = series.reduce((sum, s) => sum + s.candles.close.length, 0);
  console.log(
    `bench backtest: ${series.length} futures files, ${candles} candles, loaded in ${
      (performance.now() - start).toFixed(0)
    } ms`,
  );

  // (a) portfolio: every series together under the portfolio rules, default presets and costs.
  const config = DEFAULT_CONFIG;
  const choices = {
    mode: "portfolio" as const,
    rule: "stop-first" as const,
    entry: "close" as const,
    semantics: "pine" as const,
    costs: true,
    from: -Infinity,
    to: Infinity,
    align: "asis" as const,
    warmupBars: config.data.warmup_bars,
  };
  start = performance.now();
  const { planned } = planSeries(series, choices);
  const presets = await resolvePresets(series, {
    source: { kind: "defaults" },
    config,
    generatedAt: "",
  });
  const hourly = new Map(
    series.filter((s) => s.timeframe === "1h").map((
      s,
    ) => [s.symbol, { times: s.candles.openTime, closes: s.candles.close }]),
  );
  const run = runPlanned(planned, { presets, config, choices, hourly });
  const result = run.results[0]!;
  const metrics = computeMetrics(result.trades, {
    equity: result.equity,
    facts: result.facts,
  });
  const portfolioMs = performance.now() - start;
  console.log(
    `(a) portfolio: ${portfolioMs.toFixed(0)} ms for ${candles} candles = ${
      (candles / portfolioMs / 1000).toFixed(2)
    } M candles/s (target: under 10 s); ${metrics.totalTrades} trades, ${result.decisions.length} decisions`,
  );

  // (b) independent: all 60 presets per series, trades and metrics per preset, one worker.
  const ladders = REGIMES.map((r) =>
    regimeLadder(DEFAULT_LADDER, r, DEFAULT_REGIME_MULTIPLIERS)
  ) as [
    LadderSpec,
    LadderSpec,
    LadderSpec,
  ];
  const workspace = new Workspace();
  const costs = costModelOf(config);
  let trades = 0;
  start = performance.now();
  for (const s of series) {
    const atr = atrSeries(s.candles, { semantics: "pine" });
    const regime = regimeSeries(atr, regimeSettingsOf(config)).codes;
    sweepPresets(s.candles, {
      symbol: s.symbol,
      timeframe: s.timeframe,
      timeframeMs: timeframeMs(s.timeframe),
      presets: INDICATOR_PRESETS,
      semantics: "pine",
      regime,
      ladders,
      costs,
      rule: "stop-first",
      gapFills: true,
      initialBalance: 10_000,
      start: Math.min(config.data.warmup_bars, s.candles.close.length),
      workspace,
      onPreset(_p, r) {
        trades += r.trades.length;
        computeMetrics(r.trades, {
          equity: r.equity,
          facts: {
            initialEquity: 10_000,
            bars: s.candles.close.length,
            barsInPosition: r.barsInPosition,
          },
        });
      },
    });
  }
  const sweepMs = performance.now() - start;
  const presetCandles = candles * INDICATOR_PRESETS.length;
  console.log(
    `(b) independent, 60 presets: ${
      sweepMs.toFixed(0)
    } ms for ${presetCandles} preset-candles = ${
      (presetCandles / sweepMs / 1000).toFixed(1)
    } M preset-candles/s (target >= 30); ${trades} trades`,
  );
  console.log(`peak RSS ${peakRssMiB().toFixed(0)} MiB (target under 1024)`);
  return 0;
}
