/**
 * Writes the optimizer's report directory: `summary.json` (every series and scope: windows,
 * choice, pooled out-of-sample metrics, gates, robustness, Monte Carlo; trades left out),
 * `windows.csv` (one row per series, scope and window), `trades.csv` (the pooled out-of-sample
 * trades of every series and scope) and `report.html`.
 *
 * @module
 */
import { join } from "node:path";
import type { OptimizeRunView } from "../web/optimize_table.ts";

function csvCell(value: unknown): string {
  const text = typeof value === "number" && !Number.isFinite(value)
    ? (Number.isNaN(value) ? "" : value > 0 ? "inf" : "-inf")
    : String(value);
  return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function csv(header: readonly string[], rows: readonly unknown[][]): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(",")).join("\n") +
    "\n";
}

function iso(time: number): string {
  return new Date(time).toISOString();
}

function finite(_key: string, value: unknown): unknown {
  if (typeof value === "number" && !Number.isFinite(value)) {
    return Number.isNaN(value) ? null : value > 0 ? "inf" : "-inf";
  }
  return value;
}

/**
 * The summary document (JSON-ready; infinite numbers become "inf").
 *
 * @param view The run.
 * @returns Plain data.
 */
export function optimizeSummary(view: OptimizeRunView): unknown {
  return {
    generatedAt: view.generatedAt,
    seed: view.seed,
    gridSize: view.gridSize,
    workers: view.workers,
    series: view.results.map((r) => ({
      symbol: r.symbol,
      timeframe: r.timeframe,
      bars: r.bars,
      from: iso(r.firstOpenTime),
      to: iso(r.lastOpenTime),
      windows: r.windows.length,
      scopes: r.scopes.map((s) => ({
        scope: s.scope,
        fallback: s.fallback,
        chosen: s.chosen,
        preset: s.chosen >= 0 ? view.presetName(s.chosen) : "",
        params: s.params ?? null,
        active: s.active,
        metrics: s.metrics,
        efficiencyAvg: s.efficiencyAvg,
        walkForward: s.walkForward,
        gates: s.gates,
        robustness: s.robustness ?? null,
        monteCarlo: s.monteCarlo ?? null,
      })),
    })),
    skipped: view.skipped,
  };
}

/**
 * Writes the report directory.
 *
 * @param dir The directory (created when needed).
 * @param view The run.
 * @param html The rendered report page.
 */
export async function writeOptimizeOutput(
  dir: string,
  view: OptimizeRunView,
  html: string,
): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  const windows: unknown[][] = [];
  const trades: unknown[][] = [];
  for (const r of view.results) {
    for (const s of r.scopes) {
      for (const w of s.walkForward.windows) {
        windows.push([
          r.symbol,
          r.timeframe,
          s.scope,
          w.window.index,
          iso(w.window.trainStart),
          iso(w.window.trainEnd),
          iso(w.window.testStart),
          iso(w.window.testEnd),
          w.preset,
          w.train.totalTrades,
          w.train.score,
          w.test.totalTrades,
          w.test.score,
          w.test.totalReturnPct,
          w.efficiency,
        ]);
      }
      for (const t of s.trades) {
        trades.push([
          r.symbol,
          r.timeframe,
          s.scope,
          t.id,
          t.side,
          t.regime,
          iso(t.entryTime),
          t.entryPrice,
          iso(t.exitTime),
          t.exitPrice,
          t.exitReason,
          t.tpHits,
          t.pnlPct,
        ]);
      }
    }
  }
  await Deno.writeTextFile(
    join(dir, "summary.json"),
    JSON.stringify(optimizeSummary(view), finite, 1) + "\n",
  );
  await Deno.writeTextFile(
    join(dir, "windows.csv"),
    csv([
      "symbol",
      "timeframe",
      "scope",
      "window",
      "train_start",
      "train_end",
      "test_start",
      "test_end",
      "preset",
      "train_trades",
      "train_score",
      "test_trades",
      "test_score",
      "test_return_pct",
      "efficiency",
    ], windows),
  );
  await Deno.writeTextFile(
    join(dir, "trades.csv"),
    csv([
      "symbol",
      "timeframe",
      "scope",
      "id",
      "side",
      "regime",
      "entry_time",
      "entry_price",
      "exit_time",
      "exit_price",
      "exit_reason",
      "tp_hits",
      "pnl_pct",
    ], trades),
  );
  await Deno.writeTextFile(join(dir, "report.html"), html);
}
