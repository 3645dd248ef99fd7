/**
 * The optimizer's summary for the terminal: one row per series (optimized or skipped) with the
 * walk-forward, the `all` scope's pooled out-of-sample figures, robustness, the regimes' choices
 * and the verdict, then one totals line. The rows are shared with the HTML report
 * ({@linkcode optimizeSummaryRows}), so both show the same figures. Pure and deterministic: the
 * same view gives the same lines, apart from the elapsed time on the totals line.
 *
 * ```
 * Series      Windows        Preset  WF eff  OOS tr  Sharpe  WR1 %    PF  DD %  Robust  Regimes  Verdict
 * ----------  -------------  ------  ------  ------  ------  -----  ----  ----  ------  -------  -------
 * BTCUSDT 1h  14 (2 failed)      17    0.62      48    1.41   61.2  1.83   9.4      86  12/17/=  active
 * ```
 *
 * @module
 */
import type {
  GateCheck,
  ScopeResult,
  SeriesOptimization,
} from "../core/backtest/optimize_series.ts";
import { renderTable } from "./terminal_table.ts";

/** Everything the optimizer's table and report show about one run. */
export interface OptimizeRunView {
  /** Optimized series, in order. */
  readonly results: readonly SeriesOptimization[];
  /** Series not optimized: too little or no data, or the job failed. */
  readonly skipped: readonly {
    readonly symbol: string;
    readonly timeframe: string;
    readonly reason: string;
  }[];
  readonly gridSize: number;
  readonly seed: number;
  /** ISO time of the run. */
  readonly generatedAt: string;
  readonly workers: number;
  readonly elapsedMs: number;
  /** Grid position → display name, e.g. "#17 i1=40 i2=10 i3=0.3 i4=1 i5=1" (positions ≥ 60 are user grid entries). */
  readonly presetName: (position: number) => string;
}

/** Column titles of the summary, in order (Verdict last). */
export const OPTIMIZE_TABLE_HEADER: readonly string[] = [
  "Series",
  "Windows",
  "Preset",
  "WF eff",
  "OOS tr",
  "Sharpe",
  "WR1 %",
  "PF",
  "DD %",
  "Robust",
  "Regimes",
  "Verdict",
];

/** Alignment of {@linkcode OPTIMIZE_TABLE_HEADER}'s columns. */
export const OPTIMIZE_TABLE_ALIGN: readonly ("left" | "right")[] = [
  "left",
  "left",
  "right",
  "right",
  "right",
  "right",
  "right",
  "right",
  "right",
  "right",
  "left",
  "left",
];

/** One row of the summary: its cells and the series' status. */
export interface SummaryRow {
  readonly cells: readonly string[];
  readonly status: "active" | "inactive" | "skipped";
}

/** The terminal table's width limit, in characters. */
export const MAX_TABLE_WIDTH = 160;

const SKIP_REASON_CHARS = 60;
const MIN_VERDICT_CHARS = 30;

/**
 * A number with fixed decimals; `inf`/`-inf` for infinities and `-` for NaN.
 *
 * @param value Any number.
 * @param decimals Digits after the point.
 * @returns The display text.
 */
export function fixed(value: number, decimals: number): string {
  if (Number.isNaN(value)) return "-";
  if (value === Infinity) return "inf";
  if (value === -Infinity) return "-inf";
  const text = value.toFixed(decimals);
  return Number(text) === 0 ? (0).toFixed(decimals) : text;
}

function compact(value: number): string {
  return Number.isFinite(value)
    ? String(Number(value.toFixed(2)))
    : fixed(value, 0);
}

/**
 * Text cut to at most `max` characters, ending in `…` when cut.
 *
 * @param text Any text.
 * @param max Largest length (at least 1).
 * @returns The text, whitespace collapsed to single spaces.
 */
export function shorten(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  const chars = [...flat];
  return chars.length <= max ? flat : chars.slice(0, max - 1).join("") + "…";
}

const SHORT_GATES: Readonly<
  Record<string, { label: string; op: string; decimals: number }>
> = {
  "min-trades": { label: "trades", op: "<", decimals: 0 },
  "min-win-rate-tp1": { label: "wr1", op: "<", decimals: 1 },
  "min-sharpe": { label: "sharpe", op: "<", decimals: 2 },
  "min-profit-factor": { label: "pf", op: "<", decimals: 2 },
  "max-drawdown": { label: "dd", op: ">", decimals: 1 },
  "likely-overfit": { label: "sharpe", op: ">", decimals: 2 },
  "min-robustness": { label: "robust", op: "<", decimals: 0 },
  "min-efficiency": { label: "eff", op: "<", decimals: 2 },
};

/**
 * A gate's failure in short form, e.g. `sharpe 0.41<1.2` or `robust 62<80`.
 *
 * @param gate A gate (normally a failed one).
 * @returns The short text; unknown rules show as `rule value vs limit`.
 */
export function shortGate(gate: GateCheck): string {
  if (gate.rule === "walk-forward-choice") return "no preset chosen";
  const short = SHORT_GATES[gate.rule];
  if (short === undefined) {
    return `${gate.rule} ${compact(gate.value)} vs ${compact(gate.limit)}`;
  }
  return `${short.label} ${fixed(gate.value, short.decimals)}${short.op}${
    compact(gate.limit)
  }`;
}

/** The `all` scope of a series. */
function allScope(series: SeriesOptimization): ScopeResult {
  return series.scopes[0];
}

/**
 * Whether a series is active: every scope passed its gates.
 *
 * @param series One series' result.
 * @returns True when all four scopes are active.
 */
export function seriesActive(series: SeriesOptimization): boolean {
  return series.scopes.every((scope) => scope.active);
}

/**
 * The verdict of a series: `active`, or `inactive: ` with the `all` scope's failed gates
 * (or the inactive regimes when the `all` scope passed); failed warnings follow as `warn …`.
 *
 * @param series One series' result.
 * @returns The verdict text, unshortened.
 */
export function seriesVerdict(series: SeriesOptimization): string {
  const all = allScope(series);
  const failed = all.gates.filter((g) => !g.passed && g.severity === "rule");
  const warnings = all.gates.filter((g) =>
    !g.passed && g.severity === "warning"
  )
    .map((g) => `warn ${shortGate(g)}`);
  if (seriesActive(series)) {
    return warnings.length === 0 ? "active" : `active (${warnings.join(", ")})`;
  }
  const regimes = series.scopes.slice(1).filter((s) => !s.active).map((s) =>
    s.scope
  );
  const reasons = failed.length > 0
    ? failed.map(shortGate)
    : [`regimes ${regimes.join(",")}`];
  return `inactive: ${[...reasons, ...warnings].join(", ")}`;
}

function windowsCell(series: SeriesOptimization): string {
  const wf = allScope(series).walkForward;
  const n = wf.windows.length;
  return wf.failedWindows === 0 ? `${n}` : `${n} (${wf.failedWindows} failed)`;
}

function presetCell(position: number): string {
  return position >= 0 ? `${position}` : "-";
}

function regimesCell(series: SeriesOptimization): string {
  return series.scopes.slice(1).map((s) =>
    s.fallback !== "" ? "=" : presetCell(s.chosen)
  ).join("/");
}

function seriesRow(series: SeriesOptimization): SummaryRow {
  const all = allScope(series);
  const m = all.metrics;
  const robust = all.robustness;
  return {
    cells: [
      `${series.symbol} ${series.timeframe}`,
      windowsCell(series),
      presetCell(all.chosen),
      fixed(all.efficiencyAvg, 2),
      `${m.totalTrades}`,
      fixed(m.sharpe, 2),
      fixed(m.winRateTp[0], 1),
      fixed(m.profitFactor, 2),
      fixed(m.maxDrawdownPct, 1),
      robust === undefined ? "-" : fixed(robust.score, 0),
      regimesCell(series),
      seriesVerdict(series),
    ],
    status: seriesActive(series) ? "active" : "inactive",
  };
}

function skippedRow(skip: OptimizeRunView["skipped"][number]): SummaryRow {
  const blanks = OPTIMIZE_TABLE_HEADER.slice(1, -1).map(() => "");
  return {
    cells: [
      `${skip.symbol} ${skip.timeframe}`,
      ...blanks,
      `skipped: ${shorten(skip.reason, SKIP_REASON_CHARS)}`,
    ],
    status: "skipped",
  };
}

/**
 * The summary rows: the optimized series in order, then the skipped ones.
 *
 * @param view The run.
 * @returns One row per series, cells matching {@linkcode OPTIMIZE_TABLE_HEADER}.
 */
export function optimizeSummaryRows(view: OptimizeRunView): SummaryRow[] {
  return [...view.results.map(seriesRow), ...view.skipped.map(skippedRow)];
}

/**
 * The totals line, e.g. `3 series optimized, 1 active, 1 skipped; grid 60 presets; 4 workers;
 * elapsed 12.3 s`.
 *
 * @param view The run.
 * @returns One line of text.
 */
export function optimizeTotalsLine(view: OptimizeRunView): string {
  const active = view.results.filter(seriesActive).length;
  const workers = `${view.workers} ${
    view.workers === 1 ? "worker" : "workers"
  }`;
  return `${view.results.length} series optimized, ${active} active, ${view.skipped.length} skipped; grid ${view.gridSize} presets; ${workers}; elapsed ${
    fixed(view.elapsedMs / 1000, 1)
  } s`;
}

/** Cuts the verdict column so a line stays within {@linkcode MAX_TABLE_WIDTH}. */
function fitVerdicts(rows: readonly (readonly string[])[]): string[][] {
  const last = OPTIMIZE_TABLE_HEADER.length - 1;
  const widths = OPTIMIZE_TABLE_HEADER.slice(0, last).map((h, k) =>
    Math.max([...h].length, ...rows.map((r) => [...(r[k] ?? "")].length))
  );
  const used = widths.reduce((a, b) => a + b, 0) + 2 * last;
  const room = Math.max(MIN_VERDICT_CHARS, MAX_TABLE_WIDTH - used);
  return rows.map((r) =>
    r.map((cell, k) => (k === last ? shorten(cell, room) : cell))
  );
}

/**
 * The optimizer's terminal summary: a table with one row per series (optimized, then skipped)
 * and a final totals line. A skipped series' reason starts in the second column, since it has no
 * figures.
 *
 * @param view The run.
 * @returns The lines, without line breaks.
 */
export function optimizeTableLines(view: OptimizeRunView): string[] {
  const rows = optimizeSummaryRows(view);
  const blank = OPTIMIZE_TABLE_HEADER.map(() => "");
  const cells = rows.map((r) =>
    r.status === "skipped" ? [r.cells[0] ?? "", ...blank.slice(1)] : r.cells
  );
  const lines = renderTable(fitVerdicts(cells), {
    header: OPTIMIZE_TABLE_HEADER,
    align: OPTIMIZE_TABLE_ALIGN,
  }).trimEnd().split("\n");
  const seriesWidth = [...(lines[1]?.split(" ")[0] ?? "")].length;
  rows.forEach((r, k) => {
    if (r.status !== "skipped") return;
    const name = r.cells[0] ?? "";
    lines[k + 2] = name + " ".repeat(seriesWidth - [...name].length + 2) +
      (r.cells.at(-1) ?? "");
  });
  return [...lines, optimizeTotalsLine(view)];
}
