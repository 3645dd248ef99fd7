/**
 * Builders of a synthetic optimizer run for the tests of its terminal table and HTML report:
 * selection metrics, walk-forward windows, gates at DESIGN's default limits, robustness, Monte
 * Carlo, scopes, series and the whole {@linkcode OptimizeRunView}. Each takes overrides, so a
 * test changes only what it looks at.
 *
 * @module
 */
import type {
  GateCheck,
  Scope,
  ScopeResult,
  SeriesOptimization,
  WalkForwardSummary,
} from "../../core/backtest/optimize_series.ts";
import type { SelectionMetrics } from "../../core/backtest/trade_tape.ts";
import type { WindowOutcome } from "../../core/backtest/walk_forward.ts";
import type { OptimizeRunView } from "../../web/optimize_table.ts";

/**
 * Selection metrics of a good preset: 48 trades, Sharpe 1.414, PF 1.834, drawdown 9.44 %.
 *
 * @param over Fields to replace.
 * @returns The metrics.
 */
export function metrics(
  over: Partial<SelectionMetrics> = {},
): SelectionMetrics {
  return {
    totalTrades: 48,
    winRateTp: [61.25, 0, 0, 0, 0, 0],
    profitFactor: 1.834,
    sharpe: 1.414,
    maxDrawdownPct: 9.44,
    totalReturnPct: 22.5,
    score: 55.2,
    ...over,
  };
}

/**
 * Walk-forward window `k`: trains on months 2k..2k+5 of 2023 and tests on the two after.
 *
 * @param k Window index.
 * @param preset The preset chosen; below 0 the window failed (no test trades, efficiency 0).
 * @returns The window's outcome.
 */
export function outcome(k: number, preset: number): WindowOutcome {
  const testStart = Date.UTC(2023, 2 * k + 6, 1);
  return {
    window: {
      index: k,
      trainStart: Date.UTC(2023, 2 * k, 1),
      trainEnd: testStart,
      testStart,
      testEnd: Date.UTC(2023, 2 * k + 8, 1),
    },
    preset,
    train: metrics({ score: 60 }),
    test: preset < 0 ? metrics({ totalTrades: 0, score: 0 }) : metrics(),
    efficiency: preset < 0 ? 0 : 0.92,
  };
}

/**
 * A walk-forward of one window per preset (see {@linkcode outcome}), choosing the last.
 *
 * @param presets The preset chosen in each window, -1 for a failed one.
 * @returns The summary.
 */
export function walkForward(presets: readonly number[]): WalkForwardSummary {
  const windows = presets.map((p, k) => outcome(k, p));
  return {
    windows,
    efficiencyAvg: 0.6249,
    efficiencyMin: 0,
    failedWindows: presets.filter((p) => p < 0).length,
    chosen: presets.at(-1) ?? -1,
    stability: 0.5,
    pooled: metrics(),
    oos: {
      from: windows[0]!.window.testStart,
      to: windows.at(-1)!.window.testEnd,
    },
  };
}

/**
 * The gates of optimize_series at DESIGN's default limits, all passed by {@linkcode metrics}'
 * defaults; `likely-overfit` is a warning.
 *
 * @param values Sharpe (default 1.414; below 1.2 fails, above 2.5 warns) and robustness score
 *   (default 86.4; below 80 fails).
 * @returns The nine gates.
 */
export function gates(
  values: { sharpe?: number; robust?: number } = {},
): GateCheck[] {
  const rule = (
    name: string,
    value: number,
    limit: number,
    atLeast = true,
  ) => ({
    rule: name,
    passed: atLeast ? value >= limit : value <= limit,
    value,
    limit,
    severity: "rule" as const,
  });
  const sharpe = values.sharpe ?? 1.414;
  return [
    rule("walk-forward-choice", 1, 1),
    rule("min-trades", 48, 30),
    rule("min-win-rate-tp1", 61.25, 50),
    rule("min-sharpe", sharpe, 1.2),
    rule("min-profit-factor", 1.834, 1.3),
    rule("max-drawdown", 9.44, 15, false),
    { ...rule("likely-overfit", sharpe, 2.5, false), severity: "warning" },
    rule("min-robustness", values.robust ?? 86.4, 80),
    rule("min-efficiency", 0.6249, 0.5),
  ];
}

/**
 * A robustness result over 242 neighbours (200 valid, 82.6 %) listing one failed rule.
 *
 * @param score The robustness score; robust from 80.
 * @returns The result.
 */
export function robustness(
  score = 86.4,
): NonNullable<ScopeResult["robustness"]> {
  return {
    score,
    robust: score >= 80,
    baseScore: 55.2,
    neighbours: 242,
    valid: 200,
    validPct: 82.64,
    profitable: 180,
    meanScore: 48.1,
    scoreStdev: 7.5,
    maxDegradationPct: 28.4,
    meanDegradationPct: 12.9,
    failures: ["max degradation 31.0 % > 30 %"],
  };
}

/**
 * A Monte Carlo result: 1000 runs, 10-day blocks, seed 123, one verdict; shuffle and bootstrap
 * share their percentiles.
 *
 * @returns The result.
 */
export function monteCarlo(): NonNullable<ScopeResult["monteCarlo"]> {
  const stats = {
    totalReturnPct: { p5: -4.25, p50: 18.5, p95: 41.75 },
    maxDrawdownPct: { p5: 4.1, p50: 9.2, p95: 17.8 },
    sharpe: { p5: 0.31, p50: 1.22, p95: 2.04 },
  };
  return {
    runs: 1000,
    blockDays: 10,
    seed: 123,
    original: { totalReturnPct: 22.5, maxDrawdownPct: 9.44, sharpe: 1.41 },
    shuffle: stats,
    bootstrap: stats,
    verdicts: ["5 % of shuffled orders lose money"],
  };
}

/**
 * One scope's result: preset 17 chosen over four windows (the second failed), the default
 * metrics, Monte Carlo, and robustness scored as its `min-robustness` gate; active when every
 * rule gate passed.
 *
 * @param name The scope.
 * @param over Fields to replace; `gates` also sets the robustness score and `active`.
 * @returns The scope's result.
 */
export function scope(
  name: Scope,
  over: Partial<ScopeResult> = {},
): ScopeResult {
  const gateList = over.gates ?? gates();
  const robust = gateList.find((g) => g.rule === "min-robustness")!.value;
  return {
    scope: name,
    walkForward: walkForward([17, -1, 12, 17]),
    fallback: "",
    chosen: 17,
    params: { i1: 40, i2: 10, i3: 0.3, i4: 1, i5: 1 },
    metrics: metrics(),
    efficiencyAvg: 0.6249,
    robustness: robustness(robust),
    monteCarlo: monteCarlo(),
    gates: gateList,
    active: gateList.every((g) => g.passed || g.severity === "warning"),
    trades: [],
    ...over,
  };
}

/**
 * A 1h series of 17 520 bars from 2022-12-01 to 2024-11-30, on a grid of 60 presets.
 *
 * @param symbol The series' symbol.
 * @param scopes Its four scopes (`all` first); the windows are the `all` scope's.
 * @returns The series' result.
 */
export function series(
  symbol: string,
  scopes: SeriesOptimization["scopes"],
): SeriesOptimization {
  return {
    symbol,
    timeframe: "1h",
    bars: 17_520,
    firstOpenTime: Date.UTC(2022, 11, 1),
    lastOpenTime: Date.UTC(2024, 10, 30, 23),
    gridSize: 60,
    windows: scopes[0].walkForward.windows.map((w) => w.window),
    scopes,
    presetCandles: 60 * 17_520,
  };
}

/** The fallback reason of the regimes with too few trades in {@linkcode view}. */
export const FALLBACK = "3 out-of-sample trades in this regime, fewer than 20";

/** What differs between the runs {@linkcode view} builds. */
export interface RunOptions {
  /** Robustness score of ETHUSDT's `all` scope (86.4 by default; below 80 it fails too). */
  readonly ethRobust?: number;
  /** Why DOGEUSDT 2h was skipped ("no candle data in ./data/candles" by default). */
  readonly skipReason?: string;
}

/**
 * A run of two optimized series and one skipped: BTCUSDT active (low regime on preset 12, high
 * fell back), ETHUSDT inactive on Sharpe 0.41 with an infinite profit factor (its regimes fell
 * back, the high one without robustness), DOGEUSDT 2h skipped; seed 7, 4 workers, 12.3 s.
 *
 * @param over Fields of the run to replace.
 * @param options ETHUSDT's robustness and DOGEUSDT's skip reason.
 * @returns The run.
 */
export function view(
  over: Partial<OptimizeRunView> = {},
  options: RunOptions = {},
): OptimizeRunView {
  return {
    results: [
      series("BTCUSDT", [
        scope("all"),
        scope("low", { chosen: 12 }),
        scope("normal"),
        scope("high", { fallback: FALLBACK }),
      ]),
      series("ETHUSDT", [
        scope("all", {
          gates: gates({ sharpe: 0.41, robust: options.ethRobust ?? 86.4 }),
          metrics: metrics({ profitFactor: Infinity, sharpe: 0.41 }),
        }),
        scope("low", { fallback: FALLBACK }),
        scope("normal", { fallback: FALLBACK }),
        scope("high", { fallback: FALLBACK, robustness: undefined }),
      ]),
    ],
    skipped: [{
      symbol: "DOGEUSDT",
      timeframe: "2h",
      reason: options.skipReason ?? "no candle data in ./data/candles",
    }],
    gridSize: 60,
    seed: 7,
    generatedAt: "2024-05-01T12:00:00.000Z",
    workers: 4,
    elapsedMs: 12_345,
    presetName: (p) => `#${p} i1=40 i2=10 i3=0.3 i4=1 i5=1`,
    ...over,
  };
}
