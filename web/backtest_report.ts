/**
 * Renders a backtest's `report.html`: one self-contained offline page (inline CSS, inline SVG,
 * no scripts, fonts or network; a Content-Security-Policy forbids any fetch) with the run's
 * title, the key metrics, the equity and drawdown chart, the per-series, exit-reason and
 * monthly-returns tables and the same-bar-rule count. Metrics and tables arrive as display
 * strings, so the report does not depend on the metrics' types. Pure: no I/O, no clock; every
 * text is HTML-escaped.
 *
 * @module
 */
import type { EquityPoint } from "../data/backtest_output.ts";

/** One line of the summary block, already formatted. */
export interface ReportMetric {
  readonly label: string;
  readonly value: string;
}

/** A table of display strings; columns without `align` are right-aligned when all numeric. */
export interface ReportTable {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
  readonly align?: readonly ("left" | "right")[];
}

/** Return of one calendar month (UTC), `month` 1-12, in percent. */
export interface MonthlyReturn {
  readonly year: number;
  readonly month: number;
  readonly returnPct: number;
}

/** Everything the report shows. Times are epoch ms UTC. */
export interface BacktestReportInput {
  readonly symbols: readonly string[];
  readonly timeframes: readonly string[];
  readonly start: number;
  readonly end: number;
  /** How the series' ranges were combined, e.g. "ranges intersected". */
  readonly rangeNote?: string;
  readonly metrics: readonly ReportMetric[];
  readonly equity: readonly EquityPoint[];
  readonly seriesTable: ReportTable;
  readonly exitReasonTable: ReportTable;
  readonly monthlyReturns: readonly MonthlyReturn[];
  /** The same-bar rule in force and the number of bars where it decided the outcome. */
  readonly sameBar: { readonly rule: string; readonly bars: number };
  readonly notes?: readonly string[];
}

/** At most this many points are drawn per curve. */
export const MAX_CHART_POINTS = 2000;

const MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(" ");
const DAY = 86_400_000;
const W = 1200, LEFT = 80, RIGHT = 20, EQ_TOP = 24, EQ_H = 300, DD_TOP = 370;
const DD_H = 140, HEIGHT = 540;

const CSS =
  `body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1240px;padding:0 16px;color:#1f2933;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}.run{color:#52606d;margin:0}
dl.metrics{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:8px;margin:0}
dl.metrics div{border:1px solid #d9e2ec;border-radius:6px;padding:6px 10px}dt{color:#52606d;font-size:12px}dd{margin:0;font-size:17px;font-weight:600}
table{border-collapse:collapse;font-variant-numeric:tabular-nums}th,td{padding:3px 9px;border-bottom:1px solid #e4e7eb;text-align:left}
th{background:#f5f7fa}.r{text-align:right}table.monthly td{text-align:right;min-width:44px}
svg{width:100%;height:auto}svg text{font-size:12px;fill:#52606d}.grid{stroke:#e4e7eb}.axis{stroke:#9aa5b1}
.equity-line{fill:none;stroke:#2563eb;stroke-width:1.5}.drawdown-area{fill:#dc2626;fill-opacity:.35;stroke:#dc2626;stroke-width:1}
.same-bar{margin-top:10px}.empty{color:#7b8794}`;

/**
 * Escapes text for HTML content and attribute values.
 *
 * @param text Any text.
 * @returns The text with `& < > " '` replaced by entities.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * Indices of the points to draw: all when there are at most `max`, else the first, the last and
 * per bucket the points of lowest and highest equity and deepest drawdown, in time order, so
 * peaks and troughs survive.
 *
 * @param points The equity points in time order.
 * @param max The largest number of indices to return (at least 5).
 * @returns Ascending indices into `points`.
 */
export function downsampleEquity(
  points: readonly EquityPoint[],
  max: number = MAX_CHART_POINTS,
): number[] {
  const n = points.length;
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const buckets = Math.max(1, Math.floor((max - 2) / 3));
  const keep = new Set<number>([0, n - 1]);
  for (let b = 0; b < buckets; b++) {
    const from = 1 + Math.floor((b * (n - 2)) / buckets);
    const to = 1 + Math.floor(((b + 1) * (n - 2)) / buckets);
    let lo = from, hi = from, dd = from;
    for (let i = from; i < to; i++) {
      const p = points[i]!;
      if (p.equity < points[lo]!.equity) lo = i;
      if (p.equity > points[hi]!.equity) hi = i;
      if (Math.abs(p.drawdownPct) > Math.abs(points[dd]!.drawdownPct)) dd = i;
    }
    if (from < to) keep.add(lo).add(hi).add(dd);
  }
  return [...keep].sort((a, b) => a - b);
}

/**
 * Compounded monthly returns (UTC months) from equity points: each month's last equity over the
 * previous month's last equity (the first point for the first month), minus one.
 *
 * @param points The equity points in time order.
 * @returns One entry per month that has points, in order.
 */
export function monthlyReturnsFromEquity(
  points: readonly EquityPoint[],
): MonthlyReturn[] {
  const out: MonthlyReturn[] = [];
  let base = points[0]?.equity ?? 0;
  for (let i = 0; i < points.length; i++) {
    const d = new Date(points[i]!.time);
    const next = points[i + 1];
    const nd = next === undefined ? undefined : new Date(next.time);
    if (
      nd === undefined || nd.getUTCMonth() !== d.getUTCMonth() ||
      nd.getUTCFullYear() !== d.getUTCFullYear()
    ) {
      const last = points[i]!.equity;
      out.push({
        year: d.getUTCFullYear(),
        month: d.getUTCMonth() + 1,
        returnPct: base > 0 ? (last / base - 1) * 100 : 0,
      });
      base = last;
    }
  }
  return out;
}

function niceTicks(lo: number, hi: number, count: number): number[] {
  if (!(hi > lo)) {
    const pad = Math.abs(lo) > 0 ? Math.abs(lo) * 0.01 : 1;
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = mag * ([1, 2, 5, 10].find((m) => m * mag >= raw) ?? 10);
  const ticks: number[] = [];
  for (let v = Math.floor(lo / step) * step; v < hi + step * 0.999; v += step) {
    ticks.push(Math.round(v / step) * step);
  }
  return ticks;
}

function formatTick(value: number, step: number): string {
  const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(step))));
  const [int = "0", frac] = Math.abs(value).toFixed(decimals).split(".");
  const grouped = int.replace(/\B(?=(\d{3})+$)/g, ",");
  const sign = value < 0 && Number(value.toFixed(decimals)) !== 0 ? "−" : "";
  return sign + grouped + (frac === undefined ? "" : `.${frac}`);
}

function timeTicks(t0: number, t1: number): { t: number; label: string }[] {
  const a = new Date(t0), span = (t1 - t0) / (30 * DAY);
  if (span < 3) {
    const step = [1, 2, 7, 14, 28].find((s) => (t1 - t0) / (s * DAY) <= 8) ??
      28;
    const first = Math.ceil(t0 / DAY) * DAY;
    const out = [];
    for (let t = first; t <= t1; t += step * DAY) {
      out.push({ t, label: isoDay(t) });
    }
    return out;
  }
  const step = [1, 2, 3, 6, 12, 24, 60].find((s) => span / s <= 8) ?? 120;
  const out = [];
  for (let m = a.getUTCFullYear() * 12 + a.getUTCMonth();; m++) {
    const t = Date.UTC(Math.floor(m / 12), m % 12, 1);
    if (t > t1) break;
    if (t >= t0 && m % step === 0) {
      out.push({ t, label: isoDay(t).slice(0, step >= 12 ? 4 : 7) });
    }
  }
  return out;
}

function svgLine(cls: string, [x1, x2, y1, y2]: (string | number)[]): string {
  return `<line class="${cls}" x1="${x1}" x2="${x2}" y1="${y1}" y2="${y2}"/>`;
}

interface PanelBox {
  readonly values: readonly number[];
  readonly times: readonly number[];
  readonly top: number;
  readonly height: number;
  readonly t0: number;
  readonly t1: number;
  readonly lo: number;
  readonly hi: number;
}

function panel(kind: "equity" | "drawdown", box: PanelBox): string {
  const { values, times } = box;
  const ticks = niceTicks(box.lo, box.hi, 5);
  const lo = Math.min(box.lo, ticks[0]!), hi = Math.max(box.hi, ticks.at(-1)!);
  const x = (t: number) =>
    (LEFT + ((t - box.t0) / (box.t1 - box.t0)) * (W - LEFT - RIGHT)).toFixed(1);
  const y = (v: number) =>
    (box.top + ((hi - v) / (hi - lo)) * box.height).toFixed(1);
  const step = ticks.length > 1 ? ticks[1]! - ticks[0]! : 1;
  const parts = ticks.map((v) =>
    svgLine("grid", [LEFT, W - RIGHT, y(v), y(v)]) +
    `<text x="${LEFT - 6}" y="${y(v)}" text-anchor="end" dy="4">${
      escapeHtml(formatTick(v, step))
    }</text>`
  );
  let d = values.map((v, i) => `${i === 0 ? "M" : "L"}${x(times[i]!)},${y(v)}`)
    .join("");
  if (kind === "drawdown") {
    d += `L${x(times.at(-1)!)},${y(0)}L${x(times[0]!)},${y(0)}Z`;
  }
  parts.push(
    `<path id="${kind}-path" class="${kind}-${
      kind === "equity" ? "line" : "area"
    }" d="${d}"/>`,
    svgLine("axis", [LEFT, LEFT, box.top, box.top + box.height]),
    `<text x="${LEFT}" y="${box.top - 7}">${
      kind === "equity" ? "equity" : "drawdown %"
    }</text>`,
  );
  return parts.join("");
}

/**
 * Renders the equity curve and the drawdown below it as one inline SVG, with date labels on
 * the time axis and value labels on both panels; at most {@linkcode MAX_CHART_POINTS} per curve.
 *
 * @param points The daily equity points in time order.
 * @returns The `<svg>` element, or a short paragraph when there are no points.
 */
export function renderEquityChart(points: readonly EquityPoint[]): string {
  if (points.length === 0) return `<p class="empty">No equity data.</p>`;
  const idx = downsampleEquity(points);
  const times = idx.map((i) => points[i]!.time);
  const eq = idx.map((i) => points[i]!.equity);
  const dd = idx.map((i) => -Math.abs(points[i]!.drawdownPct));
  const t0 = times[0]!, t1 = times.at(-1)! > t0 ? times.at(-1)! : t0 + DAY;
  const xs = (t: number) => LEFT + ((t - t0) / (t1 - t0)) * (W - LEFT - RIGHT);
  const bottom = DD_TOP + DD_H, frame = { times, t0, t1 };
  const labels = timeTicks(t0, t1).map(({ t, label }) =>
    svgLine("grid", [xs(t).toFixed(1), xs(t).toFixed(1), EQ_TOP, bottom]) +
    `<text x="${xs(t).toFixed(1)}" y="${
      bottom + 18
    }" text-anchor="middle">${label}</text>`
  ).join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${HEIGHT}" role="img" aria-label="Equity and drawdown">` +
    labels +
    panel("equity", {
      ...frame,
      values: eq,
      top: EQ_TOP,
      height: EQ_H,
      lo: Math.min(...eq),
      hi: Math.max(...eq),
    }) +
    panel("drawdown", {
      ...frame,
      values: dd,
      top: DD_TOP,
      height: DD_H,
      lo: Math.min(...dd, -1),
      hi: 0,
    }) +
    svgLine("axis", [LEFT, W - RIGHT, bottom, bottom]) + "</svg>";
}

function isNumeric(cell: string): boolean {
  return /^[+\-−]?[\d.,]+\s?%?$/.test(cell.trim());
}

function renderHtmlTable(table: ReportTable, className: string): string {
  if (table.rows.length === 0) return `<p class="empty">None.</p>`;
  const right = table.header.map((_, k) =>
    table.align?.[k] !== undefined
      ? table.align[k] === "right"
      : table.rows.every((r) => (r[k] ?? "") === "" || isNumeric(r[k] ?? ""))
  );
  const cls = (k: number) => (right[k] ? ` class="r"` : "");
  const head = table.header.map((h, k) => `<th${cls(k)}>${escapeHtml(h)}</th>`)
    .join("");
  const body = table.rows.map((row) =>
    `<tr>${
      row.map((c, k) => `<td${cls(k)}>${escapeHtml(c)}</td>`).join("")
    }</tr>`
  ).join("\n");
  return `<table class="${className}"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

function cellColour(pct: number): string {
  const alpha = (0.12 + 0.6 * Math.min(Math.abs(pct) / 10, 1)).toFixed(2);
  return pct >= 0 ? `rgba(22,163,74,${alpha})` : `rgba(220,38,38,${alpha})`;
}

function signed(pct: number): string {
  return (pct > 0 ? "+" : "") + pct.toFixed(2);
}

/**
 * Renders the monthly-returns table: one row per year, one column per month and the year's
 * compounded total, cells coloured green (gain) or red (loss) by size.
 *
 * @param months The monthly returns in percent.
 * @returns The `<table>` element, or a short paragraph when there are none.
 */
export function renderMonthlyReturns(months: readonly MonthlyReturn[]): string {
  if (months.length === 0) return `<p class="empty">None.</p>`;
  const years = new Map<number, (number | undefined)[]>();
  for (const m of months) {
    const row = years.get(m.year) ??
      new Array<number | undefined>(12).fill(undefined);
    row[m.month - 1] = m.returnPct;
    years.set(m.year, row);
  }
  const cell = (v: number | undefined) =>
    v === undefined || !Number.isFinite(v)
      ? "<td></td>"
      : `<td style="background:${cellColour(v)}">${signed(v)}</td>`;
  const rows = [...years.entries()].sort((a, b) => a[0] - b[0]).map(
    ([year, row]) => {
      const total = row.reduce<number>(
        (acc, v) => acc * (1 + (v ?? 0) / 100),
        1,
      );
      return `<tr><th>${year}</th>${row.map(cell).join("")}${
        cell((total - 1) * 100)
      }</tr>`;
    },
  );
  return `<table class="monthly"><thead><tr><th>Year</th>${
    MONTHS.map((m) => `<th class="r">${m}</th>`).join("")
  }<th class="r">Year</th></tr></thead><tbody>\n${
    rows.join("\n")
  }\n</tbody></table>`;
}

/**
 * Renders the whole report page.
 *
 * @param input The run's description, metrics, equity and tables.
 * @returns The complete HTML document.
 */
export function renderBacktestReport(input: BacktestReportInput): string {
  const range = `${isoDay(input.start)} to ${isoDay(input.end)}`;
  const run = `${input.symbols.join(", ")} · ${
    input.timeframes.join(", ")
  } · ${range}`;
  const n = input.sameBar.bars;
  const metrics = input.metrics.map((m) =>
    `<div><dt>${escapeHtml(m.label)}</dt><dd>${escapeHtml(m.value)}</dd></div>`
  ).join("\n");
  const notes = (input.notes ?? []).map((t) => `<p>${escapeHtml(t)}</p>`).join(
    "\n",
  );
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(`VELAS backtest: ${run}`)}</title>
<style>${CSS}</style>
</head>
<body>
<h1>VELAS backtest</h1>
<p class="run">${escapeHtml(run)}${
    input.rangeNote === undefined ? "" : ` (${escapeHtml(input.rangeNote)})`
  }</p>
<section><h2>Summary</h2>
<dl class="metrics">
${metrics}
</dl>
<p class="same-bar">${n} ${n === 1 ? "bar" : "bars"} decided by the ${
    escapeHtml(input.sameBar.rule)
  } rule</p>
</section>
<section><h2>Equity and drawdown</h2>
${renderEquityChart(input.equity)}
</section>
<section><h2>Per series</h2>
${renderHtmlTable(input.seriesTable, "series")}
</section>
<section><h2>Exit reasons</h2>
${renderHtmlTable(input.exitReasonTable, "exit-reasons")}
</section>
<section><h2>Monthly returns (%)</h2>
${renderMonthlyReturns(input.monthlyReturns)}
</section>
${notes}
</body>
</html>
`;
}
