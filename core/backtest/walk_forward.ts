/**
 * Walk-forward selection (DESIGN §2, fixing spec §8.6): in each window the preset with the best
 * composite score on the training months is chosen and judged on the test months that follow.
 *
 * Every preset runs once over the whole series from its first bar, so a test window starts with
 * warmed-up indicators and signal state (no cold start: a trade can open on the test window's
 * first bar) and a window owns the trades whose signal bar lies in it; a trade still open at the
 * window's end runs to its exit, as it would live. Efficiency is test score / training score; a
 * failed window (no preset with enough training trades, or a training score of 0) counts as 0 in
 * the average, so failures are visible instead of hidden. The series' choice is the preset chosen
 * most often (ties: the most recent window's); the pooled out-of-sample trades are those of each
 * window's own choice, which is what following the walk-forward would have traded.
 *
 * @module
 */
import type { ScoreWeights } from "./metrics_score.ts";
import {
  emptySelectionMetrics,
  mergeTapes,
  selectedIndices,
  type SelectionMetrics,
  selectionMetrics,
  type TapeScratch,
  type TradeTape,
} from "./trade_tape.ts";
import type { WalkForwardWindow } from "./walk_forward_windows.ts";

/** One window's choice and results. */
export interface WindowOutcome {
  readonly window: WalkForwardWindow;
  /** Grid position chosen on the training months, or -1 when none had enough trades. */
  readonly preset: number;
  readonly train: SelectionMetrics;
  readonly test: SelectionMetrics;
  /** Test score / training score; 0 when the window failed. */
  readonly efficiency: number;
}

/** A trade of the pooled out-of-sample set: which preset's tape and which trade in it. */
export interface PooledPick {
  readonly preset: number;
  readonly index: number;
}

/** The walk-forward of one scope (a regime, or all bars). */
export interface ScopeWalkForward {
  /** 0 low, 1 normal, 2 high, -1 all regimes. */
  readonly regime: number;
  readonly windows: readonly WindowOutcome[];
  /** Mean efficiency over all windows, failed ones counted as 0. */
  readonly efficiencyAvg: number;
  readonly efficiencyMin: number;
  /** Windows with no choice or no test trade. */
  readonly failedWindows: number;
  /** The preset chosen most often (ties: the latest), or -1 when no window chose one. */
  readonly chosen: number;
  /** Share of windows that chose {@link chosen}, 0..1. */
  readonly stability: number;
  /** Metrics of the pooled out-of-sample trades over the test months. */
  readonly pooled: SelectionMetrics;
  /** The pooled trades as one tape (signal order). */
  readonly pooledTape: TradeTape;
  /** Source of each pooled trade, in the order of {@link pooledTape}. */
  readonly pooledPicks: readonly PooledPick[];
  /** The out-of-sample range: first test start to last test end. */
  readonly oos: { readonly from: number; readonly to: number };
}

/** What {@link walkForward} needs besides the tapes and windows. */
export interface WalkForwardOptions {
  /** 0 low, 1 normal, 2 high, -1 all regimes. */
  readonly regime: number;
  readonly minWindowTrades: number;
  readonly weights: ScoreWeights;
  readonly scratch: TapeScratch;
}

function choose(
  tapes: readonly TradeTape[],
  window: WalkForwardWindow,
  options: WalkForwardOptions,
): { preset: number; train: SelectionMetrics } {
  let preset = -1;
  let train = emptySelectionMetrics();
  const selection = {
    from: window.trainStart,
    to: window.trainEnd,
    regime: options.regime,
  };
  for (let p = 0; p < tapes.length; p++) {
    const m = selectionMetrics(
      tapes[p]!,
      selection,
      options.weights,
      options.scratch,
    );
    if (m.totalTrades < options.minWindowTrades) continue;
    if (preset < 0 || m.score > train.score) {
      preset = p;
      train = m;
    }
  }
  return { preset, train };
}

function mostFrequent(outcomes: readonly WindowOutcome[]): number {
  const counts = new Map<number, number>();
  let top = 0;
  for (const { preset } of outcomes) {
    if (preset < 0) continue;
    const c = (counts.get(preset) ?? 0) + 1;
    counts.set(preset, c);
    top = Math.max(top, c);
  }
  for (let w = outcomes.length - 1; w >= 0; w--) {
    const p = outcomes[w]!.preset;
    if (p >= 0 && counts.get(p) === top) return p;
  }
  return -1;
}

/**
 * Runs the walk-forward of one scope.
 *
 * @param tapes Each grid preset's trades over the whole series (grid order).
 * @param windows The windows of {@link walkForwardWindows}.
 * @param options Scope, minimum training trades, score weights and scratch buffers.
 * @returns Per-window outcomes, efficiency, the choice and its stability, pooled metrics.
 */
export function walkForward(
  tapes: readonly TradeTape[],
  windows: readonly WalkForwardWindow[],
  options: WalkForwardOptions,
): ScopeWalkForward {
  const outcomes: WindowOutcome[] = [];
  const parts: { tape: TradeTape; indices: number[]; preset: number }[] = [];
  for (const window of windows) {
    const { preset, train } = choose(tapes, window, options);
    if (preset < 0) {
      const empty = emptySelectionMetrics();
      outcomes.push({ window, preset, train, test: empty, efficiency: 0 });
      continue;
    }
    const tape = tapes[preset]!;
    const selection = {
      from: window.testStart,
      to: window.testEnd,
      regime: options.regime,
    };
    const test = selectionMetrics(
      tape,
      selection,
      options.weights,
      options.scratch,
    );
    const efficiency = train.score > 0 ? test.score / train.score : 0;
    outcomes.push({ window, preset, train, test, efficiency });
    parts.push({ tape, indices: selectedIndices(tape, selection), preset });
  }
  const effs = outcomes.map((o) => o.efficiency);
  const failed =
    outcomes.filter((o) =>
      o.preset < 0 || o.test.totalTrades === 0 || o.efficiency === 0
    ).length;
  const chosen = mostFrequent(outcomes);
  const chosenCount = outcomes.filter((o) => o.preset === chosen).length;
  const oos = {
    from: windows[0]?.testStart ?? 0,
    to: windows[windows.length - 1]?.testEnd ?? 0,
  };
  const pooledPicks = parts.flatMap(({ indices, preset, tape }) =>
    indices.map((index) => ({ preset, index, tape }))
  ).sort((a, b) =>
    a.tape.signalTime[a.index]! - b.tape.signalTime[b.index]! ||
    a.tape.exitTime[a.index]! - b.tape.exitTime[b.index]!
  ).map(({ preset, index }) => ({ preset, index }));
  const pooledTape = mergeTapes(parts);
  return {
    regime: options.regime,
    windows: outcomes,
    efficiencyAvg: effs.length > 0
      ? effs.reduce((a, b) => a + b, 0) / effs.length
      : 0,
    efficiencyMin: effs.length > 0 ? Math.min(...effs) : 0,
    failedWindows: failed,
    chosen,
    stability: chosen >= 0 && outcomes.length > 0
      ? chosenCount / outcomes.length
      : 0,
    pooled: selectionMetrics(
      pooledTape,
      { ...oos, regime: -1 },
      options.weights,
      options.scratch,
    ),
    pooledTape,
    pooledPicks,
    oos,
  };
}
