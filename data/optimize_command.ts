/**
 * The `backtest optimize` command: chooses each series' presets with walk-forward validation over
 * the 60-preset grid (plus an optional user grid), checks the choice's robustness out of sample,
 * measures the luck in it with Monte Carlo, and writes the `{SYMBOL}_{tf}_{regime}.yaml` preset
 * files (inactive where a gate failed, with the reason in `notes`), a terminal table and a report
 * directory (summary.json, windows.csv, trades.csv, report.html).
 *
 * Existing preset files in the output directory are read first: their ladders are what the
 * optimizer trades with and what it keeps, and a broken one stops the run before anything is
 * written.
 *
 * @module
 */
import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import {
  type PoolOutcome,
  runOptimizerPool,
} from "../actors/optimizer_pool.ts";
import type {
  SeriesJob,
  SeriesOptimization,
} from "../core/backtest/optimize_series.ts";
import { parseParamGrid } from "../core/backtest/param_grid.ts";
import type { Config } from "../core/config.ts";
import {
  costModelOf,
  filterSettingsOf,
  optimizerSettingsOf,
  regimeSettingsOf,
} from "../core/config_views.ts";
import { type PresetFile, presetId } from "../core/preset.ts";
import { type IndicatorParams, REGIMES } from "../core/types.ts";
import { INDICATOR_PRESETS } from "../presets/indicator_presets.ts";
import {
  optimizedPreset,
  unoptimizedPreset,
} from "../presets/optimized_preset.ts";
import { loadPresetFile, savePresetFile } from "../presets/preset_store.ts";
import {
  type OptimizeRunView,
  optimizeTableLines,
} from "../web/optimize_table.ts";
import { renderOptimizeReport } from "../web/optimize_report.ts";
import {
  commaList,
  defaultPresetsFor,
  findSeriesFile,
  ladderOf,
} from "./backtest_inputs.ts";
import { loadConfigFile } from "./config_file.ts";
import { writeOptimizeOutput } from "./optimize_output.ts";
import { ProgressBar } from "./progress_bar.ts";

const USAGE = `Usage: deno task backtest optimize [options]
  --data DIR        candles: SYMBOL-TF.csv|csv.gz|parquet files or a SYMBOL/TF.parquet store
                    (default: the config's data.candles_dir)
  --symbols A,B     symbols (default: the config's pairs)
  --timeframes 1h   timeframes (default: the config's timeframes)
  --out DIR         preset files to write (default: the config's data.presets_dir); existing files
                    there keep their ladders, a broken one stops the run
  --report DIR      report directory (default: ./data/optimize/<time>)
  --workers N       parallel workers (default: the number of cores)
  --seed N          seed of the Monte Carlo (default: the config's optimizer.seed)
  --grid SPEC       extra presets, e.g. i1=30:60:10,i2=10:14:2,i3=0.5,i4=1:2:0.5,i5=1
                    (start:end:step ranges, inclusive; missing keys take i1 40 i2 10 i3 0.3 i4 1 i5 1)
  --config FILE     config file (default: config.yaml when it exists)`;

/** The command's side channels. */
export interface OptimizeCommandIo {
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  readonly now: () => number;
  readonly cwd: string;
  /** Progress on one updating line; given only when stderr is a terminal. */
  readonly progress?: (text: string) => void;
  /** Cores available (default `navigator.hardwareConcurrency`). */
  readonly cores?: number;
}

const list = commaList;

function positiveInteger(
  text: string | undefined,
  flag: string,
  fallback: number,
): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    throw new RangeError(
      `Cannot optimize as '${flag}' must be an integer of at least 1: current value is ${text}`,
    );
  }
  return Number(text);
}

function seedOf(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) > 0xffff_ffff) {
    throw new RangeError(
      `Cannot optimize as '--seed' must be an integer from 0 to 4294967295: current value is ${text}`,
    );
  }
  return Number(text);
}

/** Display name of a grid position: `#17 i1=40 i2=10 i3=0.3 i4=1 i5=1` (user grid: `#60+`). */
export function gridPresetName(
  grid: readonly IndicatorParams[],
): (position: number) => string {
  return (position) => {
    const p = grid[position];
    if (p === undefined) return `#${position}`;
    const tag = position < INDICATOR_PRESETS.length
      ? `#${position}`
      : `grid#${position - INDICATOR_PRESETS.length}`;
    return `${tag} i1=${p.i1} i2=${p.i2} i3=${p.i3} i4=${p.i4} i5=${p.i5}`;
  };
}

/** The presets the run starts from: existing files in the output directory, else defaults. */
async function basePresets(
  dir: string,
  series: readonly { symbol: string; timeframe: string }[],
  config: Config,
  generatedAt: string,
): Promise<Map<string, PresetFile>> {
  const defaults = defaultPresetsFor(series, config, generatedAt);
  const out = new Map<string, PresetFile>();
  for (const preset of defaults) {
    const id = presetId(preset);
    const path = join(dir, `${id}.yaml`);
    out.set(
      id,
      existsSync(path) ? (await loadPresetFile(path)).preset : preset,
    );
  }
  return out;
}

interface Planned {
  readonly symbol: string;
  readonly timeframe: string;
  readonly file: string | undefined;
}

/**
 * Runs the command.
 *
 * @param args Arguments after `backtest optimize`.
 * @param io Output channels, clock and working directory.
 * @returns The exit code: 0 done, 1 when a series failed unexpectedly.
 * @throws {TypeError|RangeError|CandleDataError|ConfigError} For bad input (exit 2 in main).
 */
export async function runOptimizeCommand(
  args: readonly string[],
  io: OptimizeCommandIo,
): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      data: { type: "string" },
      symbols: { type: "string" },
      timeframes: { type: "string" },
      out: { type: "string" },
      report: { type: "string" },
      workers: { type: "string" },
      seed: { type: "string" },
      grid: { type: "string" },
      config: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    io.stdout(USAGE);
    return 0;
  }
  const started = io.now();
  const generatedAt = new Date(started).toISOString();
  const { config } = loadConfigFile(values.config, {
    cwd: io.cwd,
    mode: "backtest",
  });
  const configured = optimizerSettingsOf(config);
  const settings = {
    ...configured,
    seed: seedOf(values.seed, configured.seed),
  };
  const workers = positiveInteger(
    values.workers,
    "--workers",
    io.cores ?? navigator.hardwareConcurrency ?? 1,
  );
  const grid: IndicatorParams[] = INDICATOR_PRESETS.map((
    { i1, i2, i3, i4, i5 },
  ) => ({ i1, i2, i3, i4, i5 }));
  if (values.grid !== undefined) {
    grid.push(...parseParamGrid(values.grid, "--grid"));
  }
  const dataDir = resolve(io.cwd, values.data ?? config.data.candles_dir);
  if (!existsSync(dataDir) || !statSync(dataDir).isDirectory()) {
    throw new RangeError(
      `Cannot optimize as '--data' must be a directory of candle files: current value is ${dataDir} (it does not exist)`,
    );
  }
  const outDir = resolve(io.cwd, values.out ?? config.data.presets_dir);
  const reportDir = resolve(
    io.cwd,
    values.report ??
      join(config.data.dir, "optimize", generatedAt.replace(/[:.]/g, "-")),
  );
  const symbols = list(values.symbols)?.map((s) => s.toUpperCase()) ??
    config.pairs;
  const timeframes = list(values.timeframes) ?? config.timeframes;
  const planned: Planned[] = symbols.flatMap((symbol) =>
    timeframes.map((timeframe) => ({
      symbol,
      timeframe,
      file: findSeriesFile(dataDir, { symbol, timeframe }),
    }))
  );
  const bases = await basePresets(outDir, planned, config, generatedAt);
  const presetOf = (s: Planned, regime: number) =>
    bases.get(`${s.symbol}_${s.timeframe}_${REGIMES[regime]}`)!;

  const runnable = planned.filter((s) => s.file !== undefined);
  const jobOf = (s: Planned): SeriesJob => ({
    symbol: s.symbol,
    timeframe: s.timeframe,
    grid,
    semantics: config.indicator.semantics,
    regime: regimeSettingsOf(config),
    filters: filterSettingsOf(config),
    ladders: [0, 1, 2].map((r) => ladderOf(presetOf(s, r), config)) as [
      ReturnType<typeof ladderOf>,
      ReturnType<typeof ladderOf>,
      ReturnType<typeof ladderOf>,
    ],
    costs: costModelOf(config),
    rule: config.ladder.same_bar_rule,
    gapFills: config.ladder.gap_fills,
    warmupBars: config.data.warmup_bars,
    initialBalance: config.portfolio.initial_balance,
    settings,
  });
  const bar = io.progress === undefined ? undefined : new ProgressBar({
    total: runnable.length,
    unit: "series",
    now: io.now,
    render: io.progress,
  });
  const outcomes: PoolOutcome[] = await runOptimizerPool(
    runnable.map((s) => ({
      job: jobOf(s),
      file: s.file!,
      weight: statSync(s.file!).size,
    })),
    {
      workers,
      onSettled: (index) => {
        const s = runnable[index]!;
        bar?.advance(1, `${s.symbol} ${s.timeframe}`);
      },
    },
  );
  bar?.finish();

  const results: SeriesOptimization[] = [];
  const skipped: { symbol: string; timeframe: string; reason: string }[] = [];
  let unexpected = 0;
  const outcomeOf = new Map<Planned, PoolOutcome>();
  runnable.forEach((s, i) => outcomeOf.set(s, outcomes[i]!));
  for (const s of planned) {
    const outcome = outcomeOf.get(s);
    if (outcome === undefined) {
      skipped.push({ ...s, reason: `no candle data in ${dataDir}` });
    } else if (outcome.ok) {
      results.push(outcome.result);
    } else {
      if (outcome.name !== "InsufficientDataError") unexpected++;
      skipped.push({
        ...s,
        reason: outcome.name === "InsufficientDataError"
          ? outcome.message
          : `failed: ${outcome.message}`,
      });
    }
  }
  if (results.length === 0) {
    throw new RangeError(
      `Cannot optimize as no series could be optimized:\n${
        skipped.map((s) => `- ${s.symbol} ${s.timeframe}: ${s.reason}`).join(
          "\n",
        )
      }`,
    );
  }

  const presetName = gridPresetName(grid);
  const resultOf = new Map(
    results.map((r) => [`${r.symbol}:${r.timeframe}`, r]),
  );
  const reasonOf = new Map(
    skipped.map((s) => [`${s.symbol}:${s.timeframe}`, s.reason]),
  );
  let written = 0, active = 0;
  for (const s of planned) {
    const key = `${s.symbol}:${s.timeframe}`;
    const result = resultOf.get(key);
    for (let r = 0; r < 3; r++) {
      const base = presetOf(s, r);
      const preset = result === undefined
        ? unoptimizedPreset(base, reasonOf.get(key) ?? "", generatedAt)
        : optimizedPreset(base, result.scopes[r + 1]!, {
          windows: result.windows,
          generatedAt,
          presetName,
        });
      await savePresetFile(outDir, preset);
      written++;
      if (preset.is_active) active++;
    }
  }
  const view: OptimizeRunView = {
    results,
    skipped,
    gridSize: grid.length,
    seed: settings.seed,
    generatedAt,
    workers,
    elapsedMs: io.now() - started,
    presetName,
  };
  for (const line of optimizeTableLines(view)) io.stdout(line);
  await writeOptimizeOutput(reportDir, view, renderOptimizeReport(view));
  io.stdout(
    `Wrote ${written} preset files (${active} of them active) to ${outDir}; report: ${
      join(reportDir, "report.html")
    }`,
  );
  if (unexpected > 0) {
    io.stderr(`${unexpected} series failed; see the table above`);
    return 1;
  }
  return 0;
}
