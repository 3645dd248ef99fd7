/**
 * Preset files from optimizer results: the chosen indicator parameters, the `optimization` block
 * (training and test ranges, pooled out-of-sample metrics, robustness score, walk-forward
 * efficiency, generation time, version), `is_active` from the gates, and notes that say why. The
 * ladder, sector and anything else come from the base preset (the existing file, or the default),
 * so a user's ladder edits survive re-optimization. Everything but `generated_at` is a function of
 * the results, so the same results give byte-identical files.
 *
 * @module
 */
import type {
  GateCheck,
  ScopeResult,
} from "../core/backtest/optimize_series.ts";
import type { WalkForwardWindow } from "../core/backtest/walk_forward_windows.ts";
import {
  emptyOptimization,
  type PresetFile,
  validatePreset,
} from "../core/preset.ts";

/** Version written into `optimization.version`. */
export const OPTIMIZATION_VERSION = "1.0";

/** A profit factor without losses is written as this (YAML files hold finite numbers). */
export const PROFIT_FACTOR_CAP = 1000;

function date(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  const r = Math.round(value * f) / f;
  return Object.is(r, -0) ? 0 : r;
}

const GATE_NAMES: Readonly<Record<string, string>> = {
  "walk-forward-choice": "walk-forward choice",
  "min-trades": "trades",
  "min-win-rate-tp1": "WinRate TP1",
  "min-sharpe": "Sharpe",
  "min-profit-factor": "profit factor",
  "max-drawdown": "max drawdown",
  "likely-overfit": "Sharpe",
  "min-robustness": "robustness",
  "min-efficiency": "walk-forward efficiency",
};

/**
 * One gate in words, e.g. `Sharpe 0.41 < 1.2`.
 *
 * @param gate The check.
 * @returns The text.
 */
export function gateText(gate: GateCheck): string {
  const name = GATE_NAMES[gate.rule] ?? gate.rule;
  if (gate.rule === "walk-forward-choice") {
    return "no walk-forward window could choose a preset";
  }
  const value = Number.isFinite(gate.value) ? round(gate.value, 2) : "inf";
  const op = gate.rule === "max-drawdown" || gate.rule === "likely-overfit"
    ? ">"
    : "<";
  return `${name} ${value} ${op} ${gate.limit}`;
}

/**
 * The notes of an optimized preset.
 *
 * @param result The scope's result.
 * @param windows The series' walk-forward windows.
 * @param presetName Display name of a grid position.
 * @returns One line of plain text.
 */
export function optimizedNotes(
  result: ScopeResult,
  windows: readonly WalkForwardWindow[],
  presetName: (position: number) => string,
): string {
  const failed = result.gates.filter((g) => !g.passed && g.severity === "rule");
  const warnings = result.gates.filter((g) =>
    !g.passed && g.severity === "warning"
  );
  const m = result.metrics;
  const parts: string[] = [];
  parts.push(
    failed.length === 0
      ? "Optimized and active."
      : `Inactive: failed ${failed.map(gateText).join(", ")}.`,
  );
  if (result.fallback !== "") {
    parts.push(`Regime fallback: ${result.fallback}.`);
  }
  if (result.chosen >= 0) {
    const chosenIn = result.fallback === ""
      ? result.walkForward.windows.filter((w) => w.preset === result.chosen)
        .length
      : undefined;
    parts.push(
      `Preset ${presetName(result.chosen)}${
        chosenIn === undefined
          ? ""
          : `, chosen in ${chosenIn} of ${windows.length} walk-forward windows`
      }; out of sample ${m.totalTrades} trades, Sharpe ${
        round(m.sharpe, 2)
      }, WinRate TP1 ${round(m.winRateTp[0], 1)} %, PF ${
        Number.isFinite(m.profitFactor) ? round(m.profitFactor, 2) : "inf"
      }, max DD ${round(m.maxDrawdownPct, 1)} %, return ${
        round(m.totalReturnPct, 1)
      } %.`,
    );
  }
  for (const w of warnings) {
    parts.push(`Warning: ${gateText(w)}, likely overfit.`);
  }
  return parts.join(" ");
}

/**
 * The preset file of one regime after optimization.
 *
 * @param base The preset it replaces (existing file or default).
 * @param result The regime's scope result (its own, or the overall one on fallback).
 * @param context Windows, generation time and preset names.
 * @returns The validated preset.
 */
export function optimizedPreset(
  base: PresetFile,
  result: ScopeResult,
  context: {
    readonly windows: readonly WalkForwardWindow[];
    readonly generatedAt: string;
    readonly presetName: (position: number) => string;
  },
): PresetFile {
  const { windows } = context;
  const first = windows[0]!;
  const last = windows[windows.length - 1]!;
  const m = result.metrics;
  const pf = Number.isFinite(m.profitFactor)
    ? m.profitFactor
    : PROFIT_FACTOR_CAP;
  const preset = {
    ...base,
    indicator: result.params === undefined ? base.indicator : {
      i1: result.params.i1,
      i2: result.params.i2,
      i3: result.params.i3,
      i4: result.params.i4,
      i5: result.params.i5,
    },
    optimization: {
      train_start: date(first.trainStart),
      train_end: date(last.trainEnd - 1),
      test_start: date(first.testStart),
      test_end: date(last.testEnd - 1),
      test_sharpe: round(m.sharpe, 4),
      test_winrate_tp1: round(m.winRateTp[0], 4),
      test_profit_factor: round(Math.min(pf, PROFIT_FACTOR_CAP), 4),
      test_max_drawdown: round(m.maxDrawdownPct, 4),
      test_total_trades: m.totalTrades,
      robustness_score: round(result.robustness?.score ?? 0, 4),
      walk_forward_efficiency: round(result.efficiencyAvg, 4),
      generated_at: context.generatedAt,
      version: OPTIMIZATION_VERSION,
    },
    is_active: result.active,
    notes: optimizedNotes(result, windows, context.presetName),
  };
  return validatePreset(
    preset,
    `${base.symbol}_${base.timeframe}_${base.volatility_regime}.yaml`,
  );
}

/**
 * The preset file of a series the optimizer could not run on: the base preset, inactive, with the
 * reason in the notes and an empty optimization block.
 *
 * @param base The preset (existing file or default).
 * @param reason Why, e.g. the walk-forward's "needs 14 months" message.
 * @param generatedAt ISO time.
 * @returns The validated preset.
 */
export function unoptimizedPreset(
  base: PresetFile,
  reason: string,
  generatedAt: string,
): PresetFile {
  return validatePreset({
    ...base,
    optimization: {
      ...emptyOptimization(generatedAt),
      version: OPTIMIZATION_VERSION,
    },
    is_active: false,
    notes: `Inactive: not optimized: ${reason}`,
  }, `${base.symbol}_${base.timeframe}_${base.volatility_regime}.yaml`);
}
