/**
 * Tests of the optimizer's terminal table: one row per series (optimized and skipped), the
 * `all` scope's figures, the regimes' choices with `=` for a fallback, the verdict with the failed
 * gates in short form, `inf` for an infinite profit factor, the totals line, the width limit and
 * deterministic output.
 *
 * @module
 */
import { strict as assert } from "node:assert";
import type { GateCheck } from "../../core/backtest/optimize_series.ts";
import {
  MAX_TABLE_WIDTH,
  type OptimizeRunView,
  optimizeTableLines,
  shortGate,
} from "../../web/optimize_table.ts";
import {
  gates,
  scope,
  series,
  view as sharedView,
} from "../fakes/optimize_view.ts";

/** The shared run, ETHUSDT failing robustness too and DOGEUSDT's reason long enough to cut. */
function view(over: Partial<OptimizeRunView> = {}): OptimizeRunView {
  return sharedView(over, {
    ethRobust: 62,
    skipReason:
      "DOGEUSDT 2h: the walk-forward needs 12 calendar months after the warm-up, the data holds 3.2",
  });
}

// ---- tests ------------------------------------------------------------------------------------

function rowOf(lines: readonly string[], series: string): string {
  const row = lines.find((l) => l.startsWith(series));
  assert.ok(row !== undefined, `no row for ${series}`);
  return row;
}

Deno.test("optimizeTableLines shows one row per optimized and skipped series, then the totals", () => {
  const lines = optimizeTableLines(view());
  assert.equal(lines.length, 2 + 3 + 1);
  assert.match(lines[0]!, /^Series\s+Windows\s+Preset\s+WF eff\s+OOS tr/);
  assert.match(lines[1]!, /^-+ {2}-+/);
  assert.deepEqual(lines.slice(2, 5).map((l) => l.split(/\s+/)[0]), [
    "BTCUSDT",
    "ETHUSDT",
    "DOGEUSDT",
  ]);
  assert.equal(
    lines[5],
    "2 series optimized, 1 active, 1 skipped; grid 60 presets; 4 workers; elapsed 12.3 s",
  );
});

Deno.test("optimizeTableLines fills the columns from the all scope and marks regime fallbacks with =", () => {
  const cells = rowOf(optimizeTableLines(view()), "BTCUSDT").split(/ {2,}/);
  assert.deepEqual(cells, [
    "BTCUSDT 1h",
    "4 (1 failed)",
    "17",
    "0.62",
    "48",
    "1.41",
    "61.3",
    "1.83",
    "9.4",
    "86",
    "12/17/=",
    "active",
  ]);
});

Deno.test("optimizeTableLines gives an inactive series its failed gates and shows an infinite PF as inf", () => {
  const row = rowOf(optimizeTableLines(view()), "ETHUSDT");
  assert.match(row, / inf /);
  assert.match(row, / 62 {2}/);
  assert.match(row, / =\/=\/= /);
  assert.ok(
    row.endsWith("inactive: sharpe 0.41<1.2, robust 62<80"),
    `row was ${row}`,
  );
});

Deno.test("optimizeTableLines shows a skipped series' reason cut to about 60 characters", () => {
  const row = rowOf(optimizeTableLines(view()), "DOGEUSDT");
  assert.match(
    row,
    /^DOGEUSDT 2h {2}skipped: DOGEUSDT 2h: the walk-forward needs 12/,
  );
  const verdict = row.slice(row.indexOf("skipped: ") + "skipped: ".length);
  assert.equal([...verdict].length, 60);
  assert.ok(verdict.endsWith("…"));
});

Deno.test("optimizeTableLines flags an active series whose overfit warning failed", () => {
  const hot = gates({ sharpe: 3.1 });
  const v = view({
    results: [series("SOLUSDT", [
      scope("all", { gates: hot }),
      scope("low"),
      scope("normal"),
      scope("high"),
    ])],
    skipped: [],
  });
  assert.match(
    rowOf(optimizeTableLines(v), "SOLUSDT"),
    /active \(warn sharpe 3\.10>2\.5\)$/,
  );
});

Deno.test("optimizeTableLines names the inactive regimes when the all scope passed", () => {
  const v = view({
    results: [series("SOLUSDT", [
      scope("all"),
      scope("low", { gates: gates({ robust: 10 }) }),
      scope("normal"),
      scope("high", { gates: gates({ robust: 10 }) }),
    ])],
    skipped: [],
  });
  assert.match(
    rowOf(optimizeTableLines(v), "SOLUSDT"),
    /inactive: regimes low,high$/,
  );
});

Deno.test("optimizeTableLines is deterministic apart from the elapsed time", () => {
  const a = optimizeTableLines(view());
  const b = optimizeTableLines(view({ elapsedMs: 99_999 }));
  assert.deepEqual(a.slice(0, -1), b.slice(0, -1));
  assert.deepEqual(optimizeTableLines(view()), a);
  assert.match(b.at(-1)!, /elapsed 100\.0 s$/);
});

Deno.test("optimizeTableLines keeps every line within the width limit", () => {
  const all = scope("all", {
    gates: gates({ sharpe: 0.1, robust: 5 }).map((g) => ({
      ...g,
      passed: false,
    })),
  });
  const v = view({
    results: [series("1000SHIBUSDT", [all, all, all, all])],
    skipped: [{ symbol: "X", timeframe: "30m", reason: "y".repeat(500) }],
  });
  for (const line of optimizeTableLines(v)) {
    assert.ok([...line].length <= MAX_TABLE_WIDTH, `${line.length}: ${line}`);
  }
});

Deno.test("optimizeTableLines shows only the header and totals for an empty run", () => {
  const lines = optimizeTableLines(
    view({ results: [], skipped: [], workers: 1 }),
  );
  assert.equal(lines.length, 3);
  assert.equal(
    lines[2],
    "0 series optimized, 0 active, 0 skipped; grid 60 presets; 1 worker; elapsed 12.3 s",
  );
});

Deno.test("shortGate writes each rule's failure compactly", () => {
  const g = (rule: string, value: number, limit: number): GateCheck => ({
    rule,
    passed: false,
    value,
    limit,
    severity: "rule",
  });
  assert.equal(shortGate(g("walk-forward-choice", 0, 1)), "no preset chosen");
  assert.equal(shortGate(g("min-trades", 12, 30)), "trades 12<30");
  assert.equal(shortGate(g("max-drawdown", 18.25, 15)), "dd 18.3>15");
  assert.equal(shortGate(g("min-efficiency", 0.314, 0.5)), "eff 0.31<0.5");
  assert.equal(shortGate(g("min-profit-factor", 1.05, 1.3)), "pf 1.05<1.3");
  assert.equal(shortGate(g("new-rule", 1.234, 2)), "new-rule 1.23 vs 2");
});
