/**
 * The `backtest` command: loads candles and presets, runs the portfolio (or independent) backtest
 * with the configured rules and costs, prints a compact table and writes trades.csv, fills.csv,
 * decisions.csv, equity.csv, summary.json and report.html into the output directory.
 *
 * @module
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import type { Config } from "../core/config.ts";
import type {
  BacktestResult,
  EquityPoint,
  TradeRecord,
} from "../core/backtest/records.ts";
import { loadConfigFile } from "./config_file.ts";
import { runOptimizeCommand } from "./optimize_command.ts";
import {
  commaList,
  findSeriesFile,
  loadSeriesSet,
  type PresetSource,
  resolvePresets,
} from "./backtest_inputs.ts";
import {
  type HourlyCloses,
  type PlannedSeries,
  planSeries,
  type RunChoices,
  runPlanned,
} from "./backtest_run.ts";
import { runCompatVelasPy } from "../core/backtest/compat_velas_py.ts";
import { loadCandles } from "./candle_loader.ts";
import { writeBacktestOutput } from "./backtest_output.ts";
import { listPresetFiles } from "../presets/preset_store.ts";
import {
  type CandleColumns,
  type IndicatorParams,
  sliceCandles,
  timeframeMs,
} from "../core/types.ts";
import {
  INDICATOR_PRESETS,
  indicatorPreset,
} from "../presets/indicator_presets.ts";
import { runBiasChecks } from "./backtest_checks.ts";
import {
  backtestSummary,
  printableTable,
  reportFor,
} from "./backtest_summary.ts";

const USAGE = `Usage: deno task backtest [options]
       deno task backtest optimize [options]   (choose the presets: see --help there)
  --data DIR            candles: SYMBOL-TF.csv|csv.gz|parquet files or a SYMBOL/TF.parquet store
                        (default: the config's data.candles_dir)
  --symbols A,B         symbols (default: the config's pairs that have data)
  --timeframes 1h,2h    timeframes (default: the config's timeframes that have data)
  --from DATE --to DATE trading range, YYYY-MM-DD UTC (default: all data)
  --align MODE          intersect (default: all series over their common range) | asis
  --preset N            indicator preset N (0-59) for every series and regime
  --presets DIR         preset files (default: the config's data.presets_dir when it has files,
                        else the generated defaults)
  --independent         each series alone, 100 % of its own equity, no portfolio rules
  --compat velas-py     the original backtester's rules on one series (see README)
  --check-lookahead     instead of a backtest: prove that signals before many cut points do not
                        change when the data after them is removed (all 60 presets, or --preset N)
  --check-warmup        instead of a backtest: bars each preset needs before its values no longer
                        depend on where the data starts, against the configured data.warmup_bars
  --rule RULE           same-bar rule: stop-first (default) | tp-first | adaptive
  --detail-timeframe TF replay finer candles (e.g. 15m, where SYMBOL-15m files exist) on bars
                        that touch both the stop and a TP, so the data decides, not the rule
  --entry MODE          close (default) | next-open
  --semantics S         pine (default) | velas-py
  --no-costs            no fees, slippage or funding
  --out DIR             output directory (default: ./data/backtests/<time>)
  --config FILE         config file (default: config.yaml when it exists)`;

/** The command's side channels. */
export interface BacktestCommandIo {
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  readonly now: () => number;
  readonly cwd: string;
  /** Progress on one updating line; given only when stderr is a terminal. */
  readonly progress?: (text: string) => void;
}

function parseDate(
  text: string | undefined,
  flag: string,
  fallback: number,
): number {
  if (text === undefined) return fallback;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const time = match
    ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))
    : NaN;
  if (!Number.isFinite(time)) {
    throw new TypeError(
      `Cannot run backtest as '${flag}' must be a date YYYY-MM-DD: current value is ${text}`,
    );
  }
  return time;
}

function choice<T extends string>(
  value: string,
  allowed: readonly T[],
  flag: string,
): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new TypeError(
      `Cannot run backtest as '${flag}' must be one of ${
        allowed.join(", ")
      }: current value is ${value}`,
    );
  }
  return value as T;
}

const list = commaList;

async function presetSource(
  values: { preset?: string; presets?: string },
  options: { config: Config; cwd: string },
): Promise<PresetSource> {
  const { config, cwd } = options;
  if (values.preset !== undefined && values.presets !== undefined) {
    throw new TypeError(
      "Cannot run backtest as '--preset' and '--presets' exclude each other",
    );
  }
  if (values.preset !== undefined) {
    if (!/^\d+$/.test(values.preset) || Number(values.preset) > 59) {
      throw new RangeError(
        `Cannot run backtest as '--preset' must be an integer from 0 to 59: current value is ${values.preset}`,
      );
    }
    return { kind: "index", index: Number(values.preset) };
  }
  if (values.presets !== undefined) {
    return { kind: "dir", dir: resolve(cwd, values.presets) };
  }
  const configured = resolve(cwd, config.data.presets_dir);
  return (await listPresetFiles(configured)).length > 0
    ? { kind: "dir", dir: configured }
    : { kind: "defaults" };
}

function hourlyCloses(dir: string, symbols: readonly string[]): HourlyCloses {
  const out = new Map<string, { times: Float64Array; closes: Float64Array }>();
  for (const symbol of symbols) {
    const file = findSeriesFile(dir, { symbol, timeframe: "1h" });
    if (file === undefined) continue;
    const candles = loadCandles(file, { timeframe: "1h" });
    out.set(symbol, { times: candles.openTime, closes: candles.close });
  }
  return out;
}

function detailCandles(
  dir: string,
  options: {
    symbols: readonly string[];
    timeframe: string;
    io: BacktestCommandIo;
  },
): Map<string, { candles: CandleColumns; timeframeMs: number }> {
  const step = timeframeMs(options.timeframe);
  const out = new Map<
    string,
    { candles: CandleColumns; timeframeMs: number }
  >();
  const missing: string[] = [];
  for (const symbol of options.symbols) {
    const file = findSeriesFile(dir, { symbol, timeframe: options.timeframe });
    if (file === undefined) missing.push(symbol);
    else {out.set(symbol, {
        candles: loadCandles(file, { timeframe: options.timeframe }),
        timeframeMs: step,
      });}
  }
  if (missing.length > 0) {
    options.io.stderr(
      `note: no ${options.timeframe} candles for ${
        missing.join(", ")
      }: the same-bar rule decides there`,
    );
  }
  return out;
}

function stamp(time: number): string {
  return new Date(time).toISOString().replace(/[-:]/g, "").replace("T", "-")
    .slice(0, 15);
}

/**
 * Runs the `backtest` command.
 *
 * @param args Arguments after the command name.
 * @param io Output channels, clock and working directory.
 * @returns The exit code (0 done).
 * @throws {TypeError|RangeError|CandleDataError|ConfigError} For bad input (exit 2 in main).
 */
export async function runBacktestCommand(
  args: readonly string[],
  io: BacktestCommandIo,
): Promise<number> {
  if (args[0] === "optimize") {
    return await runOptimizeCommand(args.slice(1), io);
  }
  const { values } = parseArgs({
    args: [...args],
    options: {
      data: { type: "string" },
      symbols: { type: "string" },
      timeframes: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      align: { type: "string", default: "intersect" },
      preset: { type: "string" },
      presets: { type: "string" },
      independent: { type: "boolean", default: false },
      compat: { type: "string" },
      "detail-timeframe": { type: "string" },
      "check-lookahead": { type: "boolean", default: false },
      "check-warmup": { type: "boolean", default: false },
      rule: { type: "string" },
      entry: { type: "string" },
      semantics: { type: "string" },
      "no-costs": { type: "boolean", default: false },
      out: { type: "string" },
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
  const { config } = loadConfigFile(values.config, {
    cwd: io.cwd,
    mode: "backtest",
  });
  const dir = resolve(io.cwd, values.data ?? config.data.candles_dir);
  const symbols = list(values.symbols)?.map((s) => s.toUpperCase());
  const timeframes = list(values.timeframes);
  const compat = values.compat === undefined
    ? undefined
    : choice(values.compat, ["velas-py"], "--compat");
  const rules = ["stop-first", "tp-first", "adaptive"] as const;
  const choices: RunChoices = {
    mode: values.independent || compat !== undefined
      ? "independent"
      : "portfolio",
    rule: compat
      ? "tp-first"
      : choice(values.rule ?? config.ladder.same_bar_rule, rules, "--rule"),
    entry: compat ? "close" : choice(
      values.entry ?? config.signals.entry,
      ["close", "next-open"],
      "--entry",
    ),
    semantics: compat
      ? "velas-py"
      : choice(values.semantics ?? config.indicator.semantics, [
        "pine",
        "velas-py",
      ], "--semantics"),
    costs: compat ? false : !values["no-costs"],
    from: parseDate(values.from, "--from", -Infinity),
    to: parseDate(values.to, "--to", Infinity),
    align: compat
      ? "asis"
      : choice(values.align, ["intersect", "asis"], "--align"),
    warmupBars: compat ? 0 : config.data.warmup_bars,
  };
  if (choices.from >= choices.to) {
    throw new RangeError(
      `Cannot run backtest as '--from' must be before '--to': current values are ${values.from} and ${values.to}`,
    );
  }
  const source = await presetSource(values, { config, cwd: io.cwd });
  const loaded = loadSeriesSet(dir, {
    symbols: symbols ?? config.pairs,
    timeframes: timeframes ?? config.timeframes,
    required: symbols !== undefined || timeframes !== undefined,
    ...(io.progress === undefined
      ? {}
      : { onFile: (file: string) => io.progress?.(`loading ${file}`) }),
  });
  if (loaded.series.length === 0) {
    throw new RangeError(
      `Cannot run backtest as '${dir}' has no series of the configured pairs and timeframes`,
    );
  }
  if (loaded.missing.length > 0) {
    io.stderr(
      `note: no data for ${loaded.missing.join(", ")}; running without them`,
    );
  }
  for (const s of loaded.series) {
    if (s.gaps > 0) {
      io.stderr(
        `warning: ${s.symbol} ${s.timeframe} has ${s.gaps} gap(s) in its candles; the series continues over them`,
      );
    }
  }
  if (values["check-lookahead"] || values["check-warmup"]) {
    return runBiasChecks(loaded.series, {
      lookahead: values["check-lookahead"],
      semantics: choices.semantics,
      presets: source.kind === "index"
        ? [indicatorPreset(source.index)]
        : INDICATOR_PRESETS,
      configuredWarmup: config.data.warmup_bars,
      io,
    });
  }
  io.progress?.(
    `loaded ${loaded.series.length} series; computing signals and simulating`,
  );
  const { planned, from, to } = planSeries(loaded.series, choices);
  const generatedAt = new Date(io.now()).toISOString();
  const presets = await resolvePresets(loaded.series, {
    source,
    config,
    generatedAt,
  });
  const symbolsUsed = [...new Set(loaded.series.map((s) => s.symbol))];
  const hourly = choices.mode === "portfolio"
    ? hourlyCloses(dir, symbolsUsed)
    : new Map();
  if (compat !== undefined && planned.length !== 1) {
    throw new TypeError(
      `Cannot run backtest as '--compat velas-py' runs one series: current selection has ${planned.length} (use --symbols S --timeframes TF)`,
    );
  }
  const detail = values["detail-timeframe"] === undefined
    ? undefined
    : detailCandles(dir, {
      symbols: symbolsUsed,
      timeframe: values["detail-timeframe"],
      io,
    });
  const run = compat === undefined
    ? runPlanned(planned, {
      presets,
      config,
      choices,
      hourly,
      ...(detail === undefined ? {} : { detail }),
    })
    : compatRun(planned[0]!, {
      params: indicatorPreset(source.kind === "index" ? source.index : 0),
      hash: presets.get(
        `${planned[0]!.loaded.symbol}:${planned[0]!.loaded.timeframe}`,
      )!.hashes[1],
      balance: config.portfolio.initial_balance,
    });
  const out = resolve(
    io.cwd,
    values.out ?? `data/backtests/${stamp(io.now())}`,
  );
  const merged = mergeResults(run.results);
  const summary = backtestSummary({
    run,
    planned,
    choices,
    config,
    presets,
    source,
    dataDir: dir,
    from,
    to,
    merged,
    ...(compat === undefined ? {} : { compat }),
  });
  io.progress?.(`writing ${out}`);
  writeBacktestOutput(out, {
    trades: merged.trades,
    fills: merged.fills,
    decisions: merged.decisions,
    equity: withDrawdown(merged.equity),
    summary: summary.json,
  }, { reportHtml: reportFor(summary) });
  io.progress?.("");
  for (const line of printableTable(summary)) io.stdout(line);
  io.stdout(
    `wrote trades.csv, fills.csv, decisions.csv, equity.csv, summary.json, report.html to ${out}`,
  );
  return 0;
}

/** One list of each record kind over all results (independent mode returns one per series). */
function mergeResults(results: readonly BacktestResult[]): {
  trades: TradeRecord[];
  fills: BacktestResult["fills"][number][];
  decisions: BacktestResult["decisions"][number][];
  equity: EquityPoint[];
} {
  if (results.length === 1) {
    const r = results[0]!;
    return {
      trades: [...r.trades],
      fills: [...r.fills],
      decisions: [...r.decisions],
      equity: [...r.equity],
    };
  }
  const days = [...new Set(results.flatMap((r) => r.equity.map((p) => p.time)))]
    .sort((a, b) => a - b);
  const equity = days.map((time) => ({ time, equity: 0 }));
  for (const r of results) {
    let k = 0;
    let value = r.facts.initialEquity;
    for (const point of equity) {
      while (k < r.equity.length && r.equity[k]!.time <= point.time) {
        value = r.equity[k++]!.equity;
      }
      point.equity += value;
    }
  }
  return {
    trades: results.flatMap((r) => r.trades),
    fills: results.flatMap((r) => r.fills),
    decisions: results.flatMap((r) => r.decisions),
    equity,
  };
}

function withDrawdown(
  equity: readonly EquityPoint[],
): { time: number; equity: number; drawdownPct: number }[] {
  let peak = -Infinity;
  return equity.map((p) => {
    peak = Math.max(peak, p.equity);
    return {
      ...p,
      drawdownPct: peak > 0 ? ((peak - p.equity) / peak) * 100 : 0,
    };
  });
}

function compatRun(
  planned: PlannedSeries,
  options: { params: IndicatorParams; hash: string; balance: number },
): { results: BacktestResult[]; filtered: number[]; ambiguous: number[] } {
  const { loaded, first, end } = planned;
  const result = runCompatVelasPy({
    symbol: loaded.symbol,
    timeframe: loaded.timeframe,
    timeframeMs: timeframeMs(loaded.timeframe),
    candles: sliceCandles(loaded.candles, { start: first, end }),
    params: options.params,
    presetHash: options.hash,
    initialBalance: options.balance,
  });
  return { results: [result], filtered: [0], ambiguous: [0] };
}
