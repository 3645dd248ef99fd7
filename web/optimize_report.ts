/**
 * Renders the optimizer's `report.html`: one self-contained offline page (inline CSS, no
 * scripts, fonts or network; a Content-Security-Policy forbids any fetch; light or dark after the
 * reader's setting) with the run's header, the summary table of every series (the same rows as the
 * terminal table) and one collapsible `<details>` per optimized series: the four scopes (choice,
 * fallback, pooled out-of-sample figures, walk-forward efficiency and stability, gates,
 * robustness, Monte Carlo) and the `all` scope's per-window table. Pure: no I/O, no clock; every
 * text from the data is HTML-escaped; dates are YYYY-MM-DD UTC.
 *
 * @module
 */
import type {
  GateCheck,
  ScopeResult,
  SeriesOptimization,
  WalkForwardSummary,
} from "../core/backtest/optimize_series.ts";
import type { WindowOutcome } from "../core/backtest/walk_forward.ts";
import { escapeHtml } from "./backtest_report.ts";
import {
  fixed,
  OPTIMIZE_TABLE_ALIGN,
  OPTIMIZE_TABLE_HEADER,
  type OptimizeRunView,
  optimizeSummaryRows,
  optimizeTotalsLine,
  seriesActive,
  seriesVerdict,
} from "./optimize_table.ts";

type MonteCarlo = NonNullable<ScopeResult["monteCarlo"]>;
type Robustness = NonNullable<ScopeResult["robustness"]>;

const CSS =
  `:root{color-scheme:light dark;--fg:#1f2933;--muted:#52606d;--bg:#fff;--line:#e4e7eb;--head:#f5f7fa;--box:#d9e2ec;--pass:#15803d;--fail:#b91c1c;--warn:#b45309;--passbg:rgba(22,163,74,.13);--failbg:rgba(220,38,38,.12);--warnbg:rgba(217,119,6,.15)}
@media (prefers-color-scheme:dark){:root{--fg:#e4e7eb;--muted:#9aa5b1;--bg:#121519;--line:#2a3038;--head:#1c2128;--box:#323a44;--pass:#4ade80;--fail:#f87171;--warn:#fbbf24}}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1240px;padding:0 16px;color:var(--fg);background:var(--bg)}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}h3{font-size:15px;margin:0 0 6px}h4{font-size:13px;margin:12px 0 4px;color:var(--muted)}
.run{color:var(--muted);margin:0}a{color:inherit}
table{border-collapse:collapse;font-variant-numeric:tabular-nums}th,td{padding:3px 9px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{background:var(--head)}.r{text-align:right}
dl.metrics{display:grid;grid-template-columns:repeat(auto-fill,minmax(120px,1fr));gap:6px;margin:0}
dl.metrics div{border:1px solid var(--box);border-radius:6px;padding:4px 8px}dt{color:var(--muted);font-size:12px}dd{margin:0;font-weight:600}
details.series{border:1px solid var(--box);border-radius:8px;margin:8px 0;padding:6px 12px}details.series>summary{cursor:pointer;font-weight:600}
.scopes{display:grid;grid-template-columns:repeat(auto-fit,minmax(560px,1fr));gap:12px;margin:10px 0}
section.scope{border:1px solid var(--line);border-radius:6px;padding:8px 10px}
.badge{display:inline-block;border-radius:4px;padding:0 6px;font-size:12px;font-weight:600}
.active .badge,.badge.active,tr.pass td.result{color:var(--pass);background:var(--passbg)}
.inactive .badge,.badge.inactive,tr.fail td.result{color:var(--fail);background:var(--failbg)}
.skipped .badge,.badge.skipped,tr.warning td.result{color:var(--warn);background:var(--warnbg)}
tr.fail td,tr.failed td{background:var(--failbg)}tr.warning td{background:var(--warnbg)}
tr.inactive td:last-child{color:var(--fail)}tr.skipped td:last-child{color:var(--warn)}tr.active td:last-child{color:var(--pass)}
.fallback{color:var(--warn)}.empty{color:var(--muted)}ul{margin:4px 0;padding-left:20px}`;

const GATE_DECIMALS: Readonly<Record<string, number>> = {
  "walk-forward-choice": 0,
  "min-trades": 0,
  "min-win-rate-tp1": 1,
  "max-drawdown": 1,
  "min-robustness": 1,
};

function esc(text: string): string {
  return escapeHtml(text);
}

function isoDay(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 10) : "-";
}

/** A [start, end) range as its first and last day. */
function dayRange(start: number, end: number): string {
  return `${isoDay(start)} – ${isoDay(end - 1)}`;
}

function presetLabel(view: OptimizeRunView, position: number): string {
  return position >= 0 ? view.presetName(position) : "none";
}

/** A column's class: `r` right-aligns, `result` colours a gate's outcome, "" none. */
type ColumnClass = "" | "r" | "result";

function attr(cls: string | undefined): string {
  return cls === undefined || cls === "" ? "" : ` class="${cls}"`;
}

function table(
  className: string,
  header: readonly string[],
  rows: readonly { cells: readonly string[]; cls?: string }[],
  columns: readonly ColumnClass[],
): string {
  const head = header.map((h, k) =>
    `<th${attr(columns[k] === "r" ? "r" : "")}>${esc(h)}</th>`
  ).join("");
  const body = rows.map((r) =>
    `<tr${attr(r.cls)}>${
      r.cells.map((v, k) => `<td${attr(columns[k])}>${esc(v)}</td>`).join("")
    }</tr>`
  ).join("\n");
  return `<table class="${className}"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function metricList(items: readonly [string, string][]): string {
  return `<dl class="metrics">${
    items.map(([label, value]) =>
      `<div><dt>${esc(label)}</dt><dd>${esc(value)}</dd></div>`
    ).join("")
  }</dl>`;
}

function summaryTable(view: OptimizeRunView): string {
  const rows = optimizeSummaryRows(view);
  if (rows.length === 0) return `<p class="empty">No series.</p>`;
  return table(
    "summary",
    OPTIMIZE_TABLE_HEADER,
    rows.map((r) => ({ cells: r.cells, cls: r.status })),
    OPTIMIZE_TABLE_ALIGN.map((a) => (a === "right" ? "r" : "")),
  );
}

function oosFigures(scope: ScopeResult, used: WalkForwardSummary): string {
  const m = scope.metrics;
  return metricList([
    ["OOS trades", `${m.totalTrades}`],
    ["WR TP1 %", fixed(m.winRateTp[0], 1)],
    ["Sharpe", fixed(m.sharpe, 2)],
    ["Profit factor", fixed(m.profitFactor, 2)],
    ["Max DD %", fixed(m.maxDrawdownPct, 1)],
    ["Return %", fixed(m.totalReturnPct, 1)],
    ["Score", fixed(m.score, 1)],
    ["Efficiency avg", fixed(scope.efficiencyAvg, 2)],
    ["Efficiency min", fixed(used.efficiencyMin, 2)],
    ["Stability %", fixed(used.stability * 100, 0)],
    ["OOS range", `${isoDay(used.oos.from)} – ${isoDay(used.oos.to - 1)}`],
  ]);
}

function gateResult(gate: GateCheck): "pass" | "fail" | "warning" {
  if (gate.passed) return "pass";
  return gate.severity === "warning" ? "warning" : "fail";
}

function gatesTable(gates: readonly GateCheck[]): string {
  if (gates.length === 0) return `<p class="empty">No gates.</p>`;
  const rows = gates.map((g) => {
    const d = GATE_DECIMALS[g.rule] ?? 2;
    const result = gateResult(g);
    return {
      cells: [g.rule, fixed(g.value, d), fixed(g.limit, d), result],
      cls: result,
    };
  });
  return table("gates", ["Gate", "Value", "Limit", "Result"], rows, [
    "",
    "r",
    "r",
    "result",
  ]);
}

function lines(items: readonly string[]): string {
  return items.length === 0
    ? ""
    : `<ul>${items.map((t) => `<li>${esc(t)}</li>`).join("")}</ul>`;
}

function robustnessBlock(r: Robustness | undefined): string {
  if (r === undefined) return `<p class="empty">Not run.</p>`;
  return metricList([
    ["Score", fixed(r.score, 0)],
    ["Robust", r.robust ? "yes" : "no"],
    ["Valid %", `${fixed(r.validPct, 1)} (${r.valid}/${r.neighbours})`],
    ["Profitable", `${r.profitable}`],
    ["Base score", fixed(r.baseScore, 1)],
    ["Mean score", fixed(r.meanScore, 1)],
    ["Score stdev", fixed(r.scoreStdev, 1)],
    ["Mean degr. %", fixed(r.meanDegradationPct, 1)],
    ["Max degr. %", fixed(r.maxDegradationPct, 1)],
  ]) + lines(r.failures);
}

function monteCarloBlock(mc: MonteCarlo | undefined): string {
  if (mc === undefined) return `<p class="empty">Not run.</p>`;
  const keys = [
    ["Total return %", "totalReturnPct", 1],
    ["Max DD %", "maxDrawdownPct", 1],
    ["Sharpe", "sharpe", 2],
  ] as const;
  const rows = keys.map(([label, key, d]) => ({
    cells: [
      label,
      fixed(mc.original[key], d),
      ...[mc.shuffle[key], mc.bootstrap[key]].flatMap((p) =>
        [p.p5, p.p50, p.p95].map((v) => fixed(v, d))
      ),
    ],
  }));
  const header = ["Metric", "Original", "Shuffle p5", "p50", "p95"];
  return `<p class="run">${mc.runs} runs per method, ${mc.blockDays}-day bootstrap blocks, seed ${mc.seed}</p>` +
    table("monte-carlo", [...header, "Bootstrap p5", "p50", "p95"], rows, [
      "",
      ...Array<ColumnClass>(7).fill("r"),
    ]) + lines(mc.verdicts);
}

function ownWalkForwardNote(wf: WalkForwardSummary): string {
  return `Own walk-forward: ${wf.windows.length} windows, ${wf.failedWindows} failed, efficiency avg ${
    fixed(wf.efficiencyAvg, 2)
  }, min ${fixed(wf.efficiencyMin, 2)}, ${wf.pooled.totalTrades} OOS trades.`;
}

function scopeSection(
  series: SeriesOptimization,
  scope: ScopeResult,
  view: OptimizeRunView,
): string {
  const fellBack = scope.fallback !== "";
  const used = fellBack ? series.scopes[0].walkForward : scope.walkForward;
  const state = scope.active ? "active" : "inactive";
  const fallback = fellBack
    ? `<p class="fallback">Fallback: ${esc(scope.fallback)}. ${
      esc(ownWalkForwardNote(scope.walkForward))
    }</p>`
    : "";
  return `<section class="scope ${state}"><h3>${
    esc(scope.scope)
  } <span class="badge">${state}</span></h3>
<p class="preset">Preset: ${esc(presetLabel(view, scope.chosen))}</p>
${fallback}
${oosFigures(scope, used)}
<h4>Gates</h4>
${gatesTable(scope.gates)}
<h4>Robustness</h4>
${robustnessBlock(scope.robustness)}
<h4>Monte Carlo</h4>
${monteCarloBlock(scope.monteCarlo)}
</section>`;
}

function windowFailed(w: WindowOutcome): boolean {
  return w.preset < 0 || w.test.totalTrades === 0;
}

function windowsTable(wf: WalkForwardSummary, view: OptimizeRunView): string {
  if (wf.windows.length === 0) return `<p class="empty">No windows.</p>`;
  const rows = wf.windows.map((w) => ({
    cells: [
      `${w.window.index + 1}`,
      dayRange(w.window.trainStart, w.window.trainEnd),
      dayRange(w.window.testStart, w.window.testEnd),
      presetLabel(view, w.preset),
      fixed(w.train.score, 1),
      fixed(w.test.score, 1),
      `${w.test.totalTrades}`,
      fixed(w.efficiency, 2),
    ],
    ...(windowFailed(w) ? { cls: "failed" } : {}),
  }));
  const header = ["#", "Train (UTC)", "Test (UTC)", "Preset", "Train score"];
  return table(
    "windows",
    [...header, "Test score", "Test trades", "Efficiency"],
    rows,
    ["r", "", "", "", "r", "r", "r", "r"],
  );
}

function seriesDetails(
  series: SeriesOptimization,
  k: number,
  view: OptimizeRunView,
): string {
  const state = seriesActive(series) ? "active" : "inactive";
  const name = `${series.symbol} ${series.timeframe}`;
  const verdict = seriesVerdict(series);
  const range = `${series.bars} bars, ${isoDay(series.firstOpenTime)} – ${
    isoDay(series.lastOpenTime)
  }${verdict === state ? "" : ` · ${verdict}`}`;
  const scopes = series.scopes.map((s) => scopeSection(series, s, view)).join(
    "\n",
  );
  return `<details class="series ${state}" id="series-${k}">
<summary>${esc(name)} <span class="badge">${state}</span> <span class="run">${
    esc(range)
  }</span></summary>
<div class="scopes">
${scopes}
</div>
<h4>Walk-forward windows (all)</h4>
${windowsTable(series.scopes[0].walkForward, view)}
</details>`;
}

function skippedList(view: OptimizeRunView): string {
  if (view.skipped.length === 0) return "";
  const items = view.skipped.map((s) =>
    `${s.symbol} ${s.timeframe}: ${s.reason}`
  );
  return `<section><h2>Skipped</h2>${lines(items)}</section>`;
}

/**
 * Renders the optimizer's report page.
 *
 * @param view The run: results, skipped series, grid, seed, workers and preset names.
 * @returns The complete HTML document.
 */
export function renderOptimizeReport(view: OptimizeRunView): string {
  const run =
    `generated ${view.generatedAt} · seed ${view.seed} · grid ${view.gridSize} presets · ${view.workers} ${
      view.workers === 1 ? "worker" : "workers"
    }`;
  const details = view.results.map((s, k) => seriesDetails(s, k, view)).join(
    "\n",
  );
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(`VELAS optimizer: ${view.generatedAt}`)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>VELAS optimizer</h1>
<p class="run">${esc(run)}</p>
<p class="run totals">${esc(optimizeTotalsLine(view))}</p>
<section><h2>Summary</h2>
${summaryTable(view)}
</section>
<section><h2>Series</h2>
${details || `<p class="empty">No series optimized.</p>`}
</section>
${skippedList(view)}
</body>
</html>
`;
}
