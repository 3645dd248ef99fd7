/**
 * The optimizer's work for one series (symbol × timeframe), pure and deterministic: every grid
 * preset runs once over the whole series with the live rules (regime ladder at the signal, the
 * configured costs and same-bar rule); the walk-forward then chooses a preset for all bars and for
 * each regime's trades; a regime with too few out-of-sample trades falls back to the overall
 * choice; each distinct choice gets the out-of-sample robustness check of its 242 neighbours; the
 * pooled out-of-sample trades get a seeded Monte Carlo; and the gates decide whether the preset is
 * active. Workers run one job each; the same job gives the same result in any worker.
 *
 * @module
 */
import { atrSeries } from "../atr.ts";
import type { CostModel } from "../costs.ts";
import { type FilterSettings, filterVerdicts } from "../filters.ts";
import type { LadderSpec } from "../ladder.ts";
import type { SameBarRule } from "../position_update.ts";
import { hashSeed } from "../random.ts";
import { regimeSeries, type RegimeSettings } from "../regime.ts";
import {
  type CandleColumns,
  type IndicatorParams,
  type Regime,
  REGIMES,
  type Semantics,
  timeframeMs,
} from "../types.ts";
import { Workspace } from "../workspace.ts";
import { acceptance } from "./metrics_score.ts";
import { monteCarlo, type MonteCarloResult } from "./monte_carlo.ts";
import type { OptimizerSettings } from "./optimizer_settings.ts";
import { sweepPresets } from "./preset_sweep.ts";
import type { TradeRecord } from "./records.ts";
import {
  neighbourParams,
  robustnessOf,
  type RobustnessResult,
} from "./robustness.ts";
import {
  dayIndex,
  type SelectionMetrics,
  selectionMetrics,
  tapeOf,
  TapeScratch,
  type TapeSelection,
  type TradeTape,
} from "./trade_tape.ts";
import { type ScopeWalkForward, walkForward } from "./walk_forward.ts";
import {
  type WalkForwardWindow,
  walkForwardWindows,
} from "./walk_forward_windows.ts";

/** One series' optimizer job: the candles come separately (they are transferred, not copied). */
export interface SeriesJob {
  readonly symbol: string;
  readonly timeframe: string;
  /** The presets to choose from (the 60, then any user grid), in order. */
  readonly grid: readonly IndicatorParams[];
  readonly semantics: Semantics;
  readonly regime: RegimeSettings;
  readonly filters: FilterSettings;
  /** Ladder per regime: low, normal, high. */
  readonly ladders: readonly [LadderSpec, LadderSpec, LadderSpec];
  readonly costs: CostModel;
  readonly rule: SameBarRule;
  readonly gapFills: boolean;
  readonly warmupBars: number;
  readonly initialBalance: number;
  readonly settings: OptimizerSettings;
}

/** The scope of a result: all bars, or one regime's trades. */
export type Scope = "all" | Regime;

/** One gate of a series' result. */
export interface GateCheck {
  readonly rule: string;
  readonly passed: boolean;
  readonly value: number;
  readonly limit: number;
  /** `rule` rejects the preset; `warning` only flags it. */
  readonly severity: "rule" | "warning";
}

/** The walk-forward of a scope without its tapes (plain data). */
export type WalkForwardSummary = Omit<
  ScopeWalkForward,
  "regime" | "pooledTape" | "pooledPicks"
>;

/** The optimizer's answer for one scope. */
export interface ScopeResult {
  readonly scope: Scope;
  /** This scope's own walk-forward (also kept when it fell back). */
  readonly walkForward: WalkForwardSummary;
  /** Why the scope uses the overall choice, or "" when it has its own. */
  readonly fallback: string;
  /** Grid position of the preset written for this scope, -1 when none could be chosen. */
  readonly chosen: number;
  readonly params: IndicatorParams | undefined;
  /** The walk-forward whose figures describe the written preset (the overall one on fallback). */
  readonly metrics: SelectionMetrics;
  readonly efficiencyAvg: number;
  readonly robustness: RobustnessResult | undefined;
  readonly monteCarlo: MonteCarloResult | undefined;
  readonly gates: readonly GateCheck[];
  readonly active: boolean;
  /** The pooled out-of-sample trades the figures come from. */
  readonly trades: readonly TradeRecord[];
}

/** The optimizer's answer for one series. */
export interface SeriesOptimization {
  readonly symbol: string;
  readonly timeframe: string;
  readonly bars: number;
  readonly firstOpenTime: number;
  readonly lastOpenTime: number;
  readonly gridSize: number;
  readonly windows: readonly WalkForwardWindow[];
  readonly scopes: readonly [
    ScopeResult,
    ScopeResult,
    ScopeResult,
    ScopeResult,
  ];
  /** Preset-candles simulated (grid and neighbours), for throughput figures. */
  readonly presetCandles: number;
}

const SCOPES: readonly Scope[] = ["all", ...REGIMES];

interface Run {
  readonly tapes: TradeTape[];
  readonly trades: TradeRecord[][];
}

function sweep(
  candles: CandleColumns,
  presets: readonly IndicatorParams[],
  context: {
    job: SeriesJob;
    regime: Uint8Array;
    filters: { long: Uint8Array; short: Uint8Array } | undefined;
    workspace: Workspace;
  },
  keepTrades: boolean,
): Run {
  const { job } = context;
  const tf = timeframeMs(job.timeframe);
  const tapes: TradeTape[] = new Array(presets.length);
  const trades: TradeRecord[][] = new Array(presets.length);
  sweepPresets(candles, {
    symbol: job.symbol,
    timeframe: job.timeframe,
    timeframeMs: tf,
    presets,
    semantics: job.semantics,
    regime: context.regime,
    ladders: job.ladders,
    costs: job.costs,
    rule: job.rule,
    gapFills: job.gapFills,
    initialBalance: job.initialBalance,
    start: Math.min(job.warmupBars, candles.close.length),
    workspace: context.workspace,
    ...(context.filters === undefined ? {} : { filters: context.filters }),
    // Neighbours need only their tapes: records for 242 presets cost most of the time in GC.
    output: keepTrades ? "records" : "tape",
    onPreset(position, result) {
      tapes[position] = result.tape ?? tapeOf(result.trades, tf);
      trades[position] = keepTrades ? [...result.trades] : [];
    },
  });
  return { tapes, trades };
}

function summary(wf: ScopeWalkForward): WalkForwardSummary {
  const { regime: _r, pooledTape: _t, pooledPicks: _p, ...rest } = wf;
  return rest;
}

function monteCarloOf(
  wf: ScopeWalkForward,
  settings: OptimizerSettings,
  key: string,
): MonteCarloResult {
  const tape = wf.pooledTape;
  const order = Array.from({ length: tape.count }, (_, i) => i).sort((a, b) =>
    tape.exitTime[a]! - tape.exitTime[b]! || a - b
  );
  const first = dayIndex(wf.oos.from);
  let last = dayIndex(wf.oos.to - 1);
  for (const i of order) last = Math.max(last, dayIndex(tape.exitTime[i]!));
  const tradeReturns = new Float64Array(order.length);
  const tradeDays = new Int32Array(order.length);
  order.forEach((i, k) => {
    tradeReturns[k] = tape.ret[i]!;
    tradeDays[k] = dayIndex(tape.exitTime[i]!) - first;
  });
  return monteCarlo(
    { tradeReturns, tradeDays, days: last - first + 1 },
    settings.monteCarlo,
    hashSeed(settings.seed, key),
  );
}

function gatesOf(
  metrics: SelectionMetrics,
  extra: { robustness: number; efficiency: number; chosen: boolean },
  settings: OptimizerSettings,
): GateCheck[] {
  const g = settings.gates;
  return [
    {
      rule: "walk-forward-choice",
      passed: extra.chosen,
      value: extra.chosen ? 1 : 0,
      limit: 1,
      severity: "rule",
    },
    ...acceptance(metrics, g),
    {
      rule: "min-robustness",
      passed: extra.robustness >= g.minRobustness,
      value: extra.robustness,
      limit: g.minRobustness,
      severity: "rule",
    },
    {
      rule: "min-efficiency",
      passed: extra.efficiency >= g.minEfficiency,
      value: extra.efficiency,
      limit: g.minEfficiency,
      severity: "rule",
    },
  ];
}

/**
 * The robustness check of one choice on out-of-sample bars only: the base preset and each
 * neighbour are scored on the trades whose signal bar lies in the selection (the walk-forward's
 * test months, one regime or all); trades before or after it do not count.
 *
 * @param base The chosen preset's tape over the whole series.
 * @param neighbours The 242 neighbours' tapes over the whole series.
 * @param options The out-of-sample selection, settings and scratch buffers.
 * @returns The verdict and score of spec §8.7.
 */
export function outOfSampleRobustness(
  base: TradeTape,
  neighbours: readonly TradeTape[],
  options: {
    readonly selection: TapeSelection;
    readonly settings: OptimizerSettings;
    readonly scratch: TapeScratch;
  },
): RobustnessResult {
  const { selection, settings, scratch } = options;
  const baseScore =
    selectionMetrics(base, selection, settings.weights, scratch).score;
  const outcomes = neighbours.map((tape) => {
    const m = selectionMetrics(tape, selection, settings.weights, scratch);
    return {
      score: m.score,
      trades: m.totalTrades,
      totalReturnPct: m.totalReturnPct,
    };
  });
  return robustnessOf(baseScore, outcomes, settings.robustness);
}

/**
 * Optimizes one series.
 *
 * @param candles The series (at least the warm-up plus the walk-forward's months).
 * @param job Grid, rules, costs, ladders and optimizer settings.
 * @param workspace Buffers reused across jobs in one worker.
 * @returns Per scope (all, low, normal, high): walk-forward, choice, robustness, Monte Carlo,
 *   gates and the pooled out-of-sample trades.
 * @throws {InsufficientDataError} When the series is too short for the walk-forward.
 */
export function optimizeSeries(
  candles: CandleColumns,
  job: SeriesJob,
  workspace: Workspace = new Workspace(),
): SeriesOptimization {
  const { settings } = job;
  const n = candles.close.length;
  const windows = walkForwardWindows(candles.openTime, {
    timeframeMs: timeframeMs(job.timeframe),
    warmupBars: job.warmupBars,
    settings: settings.walkForward,
    label: `${job.symbol} ${job.timeframe}`,
  });
  const atr = atrSeries(candles, { semantics: job.semantics });
  const regime = regimeSeries(atr, job.regime).codes;
  const verdicts = filterVerdicts(candles, atr, job.filters);
  const filtersOn = verdicts.long.some((v) => v !== 0) ||
    verdicts.short.some((v) => v !== 0);
  const context = {
    job,
    regime,
    filters: filtersOn ? verdicts : undefined,
    workspace,
  };
  const grid = sweep(candles, job.grid, context, true);
  let presetCandles = job.grid.length * n;
  const scratch = new TapeScratch();
  const walks = SCOPES.map((_scope, s) =>
    walkForward(grid.tapes, windows, {
      regime: s - 1,
      minWindowTrades: settings.minWindowTrades,
      weights: settings.weights,
      scratch,
    })
  );
  const own = walks.map((wf, s) =>
    s === 0 ||
    (wf.chosen >= 0 && wf.pooled.totalTrades >= settings.regimeMinTrades)
  );

  // Robustness: one neighbour sweep per distinct chosen preset, scored per scope out of sample.
  const robustness = new Map<number, RobustnessResult>();
  const bases = [
    ...new Set(walks.filter((_, s) => own[s]).map((w) => w.chosen)),
  ]
    .filter((p) => p >= 0);
  for (const base of bases) {
    const neighbours = neighbourParams(
      job.grid[base]!,
      settings.robustness.spread,
    );
    const run = sweep(candles, neighbours, context, false);
    presetCandles += neighbours.length * n;
    walks.forEach((wf, s) => {
      if (!own[s] || wf.chosen !== base) return;
      robustness.set(
        s,
        outOfSampleRobustness(grid.tapes[base]!, run.tapes, {
          selection: { ...wf.oos, regime: s - 1 },
          settings,
          scratch,
        }),
      );
    });
  }

  const results = SCOPES.map((scope, s): ScopeResult => {
    const wf = walks[s]!;
    const source = own[s] ? s : 0;
    const used = walks[source]!;
    const robust = robustness.get(source);
    const key = `${job.symbol}:${job.timeframe}:${SCOPES[source]}`;
    const mc = used.chosen >= 0 ? monteCarloOf(used, settings, key) : undefined;
    const gates = gatesOf(used.pooled, {
      robustness: robust?.score ?? 0,
      efficiency: used.efficiencyAvg,
      chosen: used.chosen >= 0,
    }, settings);
    return {
      scope,
      walkForward: summary(wf),
      fallback: own[s] ? "" : fallbackReason(wf, settings.regimeMinTrades),
      chosen: used.chosen,
      params: used.chosen >= 0 ? { ...job.grid[used.chosen]! } : undefined,
      metrics: used.pooled,
      efficiencyAvg: used.efficiencyAvg,
      robustness: robust,
      monteCarlo: mc,
      gates,
      active: gates.every((g) => g.passed || g.severity === "warning"),
      trades: used.pooledPicks.map(({ preset, index }) =>
        grid.trades[preset]![index]!
      ),
    };
  });
  return {
    symbol: job.symbol,
    timeframe: job.timeframe,
    bars: n,
    firstOpenTime: candles.openTime[0]!,
    lastOpenTime: candles.openTime[n - 1]!,
    gridSize: job.grid.length,
    windows,
    scopes: results as unknown as SeriesOptimization["scopes"],
    presetCandles,
  };
}

function fallbackReason(wf: ScopeWalkForward, min: number): string {
  return wf.chosen < 0
    ? "no walk-forward window had a preset with enough trades in this regime; uses the series' overall choice"
    : `${wf.pooled.totalTrades} out-of-sample trades in this regime, fewer than ${min}; uses the series' overall choice`;
}
