/**
 * Tests of the backtest report: the page holds the chart paths, the tables and the same-bar
 * line, is self-contained (no scripts, links or network URLs), escapes every text, downsamples
 * long curves keeping the extremes, derives monthly returns, and renders a visible chart in
 * headless Chromium (skipped without it).
 *
 * @module
 */
import { strict as assert } from "node:assert";
import type { EquityPoint } from "../../data/backtest_output.ts";
import { writeBacktestOutput } from "../../data/backtest_output.ts";
import {
  type BacktestReportInput,
  downsampleEquity,
  MAX_CHART_POINTS,
  monthlyReturnsFromEquity,
  renderBacktestReport,
  renderEquityChart,
  renderMonthlyReturns,
} from "../../web/backtest_report.ts";
import { CHROMIUM, NEEDS_CHROMIUM, screenshot } from "../fakes/chromium.ts";

const DAY = 86_400_000;
const T0 = Date.UTC(2021, 0, 1);

/** Daily equity of a seeded random walk with running-peak drawdown. */
function walk(days: number, seed = 7): EquityPoint[] {
  let s = seed, equity = 10_000, peak = equity;
  const out: EquityPoint[] = [];
  for (let i = 0; i < days; i++) {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    if (i > 0) equity *= 1 + (s / 2_147_483_648 - 0.47) * 0.03;
    peak = Math.max(peak, equity);
    out.push({
      time: T0 + i * DAY,
      equity,
      drawdownPct: (1 - equity / peak) * 100,
    });
  }
  return out;
}

function input(
  overrides: Partial<BacktestReportInput> = {},
): BacktestReportInput {
  const equity = walk(3 * 365);
  return {
    symbols: ["BTCUSDT", "ETHUSDT", "SOLUSDT"],
    timeframes: ["1h"],
    start: T0,
    end: equity.at(-1)!.time,
    rangeNote: "ranges intersected",
    metrics: [
      { label: "Net return", value: "+42.10 %" },
      { label: "Max drawdown", value: "12.30 %" },
      { label: "Sharpe", value: "1.31" },
      { label: "Trades", value: "214" },
    ],
    equity,
    seriesTable: {
      header: ["series", "trades", "win %", "pnl %"],
      rows: [
        ["BTCUSDT 1h", "80", "61.3", "+12.4"],
        ["ETHUSDT 1h", "71", "55.0", "-3.1"],
        ["SOLUSDT 1h", "63", "58.7", "+30.9"],
      ],
    },
    exitReasonTable: {
      header: ["exit reason", "trades", "pnl quote"],
      rows: [["stop", "90", "-1,204.55"], ["tp6", "12", "2,410.00"], [
        "breakeven",
        "112",
        "0.00",
      ]],
    },
    monthlyReturns: monthlyReturnsFromEquity(equity),
    sameBar: { rule: "stop-first", bars: 37 },
    ...overrides,
  };
}

Deno.test("renderBacktestReport holds the title, metrics, chart paths, tables and same-bar line", () => {
  const html = renderBacktestReport(input());
  assert.ok(html.startsWith("<!doctype html>\n"));
  assert.match(
    html,
    /<title>VELAS backtest: BTCUSDT, ETHUSDT, SOLUSDT · 1h · 2021-01-01 to 2023-12-31<\/title>/,
  );
  assert.match(html, /2021-01-01 to 2023-12-31 \(ranges intersected\)<\/p>/);
  assert.match(html, /<dt>Max drawdown<\/dt><dd>12\.30 %<\/dd>/);
  assert.match(
    html,
    /<path id="equity-path" class="equity-line" d="M80\.0,[\d.]+L/,
  );
  assert.match(
    html,
    /<path id="drawdown-path" class="drawdown-area" d="M80\.0,[\d.]+L.*Z"/,
  );
  assert.match(
    html,
    /<table class="series">.*<th>series<\/th><th class="r">trades<\/th>/s,
  );
  assert.match(html, /<td>ETHUSDT 1h<\/td><td class="r">71<\/td>/);
  assert.match(
    html,
    /<table class="exit-reasons">.*<td>stop<\/td><td class="r">90<\/td><td class="r">-1,204\.55<\/td>/s,
  );
  assert.match(html, /<table class="monthly">/);
  for (const year of ["2021", "2022", "2023"]) {
    assert.match(
      html,
      new RegExp(
        `<tr><th>${year}</th>(<td style="background:rgba\\([\\d,.]+\\)">[+-]?\\d+\\.\\d\\d</td>){13}</tr>`,
      ),
    );
  }
  assert.match(
    html,
    /<p class="same-bar">37 bars decided by the stop-first rule<\/p>/,
  );
  assert.match(html, />2022-01<\/text>/, "a date label on the time axis");
  assert.ok(!html.includes("NaN"));
});

Deno.test("renderBacktestReport is self-contained: no scripts, links, external URLs or fonts", () => {
  const html = renderBacktestReport(input());
  assert.ok(
    !/<script|<link|<iframe|<img|src=|url\(|@import|@font-face/i.test(html),
  );
  const urls = html.match(/https?:\/\/[^"' )]+/g) ?? [];
  assert.deepEqual([...new Set(urls)], ["http://www.w3.org/2000/svg"]);
  assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
});

Deno.test("renderBacktestReport escapes markup in every text it shows", () => {
  const evil = `<script>alert("x")</script>USDT`;
  const html = renderBacktestReport(input({
    symbols: [evil],
    timeframes: ["1h&2h"],
    rangeNote: "<b>",
    metrics: [{ label: "<img src=x>", value: "'quoted'" }],
    seriesTable: { header: ["<th>"], rows: [[evil]] },
    exitReasonTable: { header: ["reason"], rows: [["</td>"]] },
    sameBar: { rule: "<i>rule</i>", bars: 1 },
    notes: ["<style>body{display:none}</style>"],
  }));
  assert.ok(!/<script|<img|<b>|<i>|<th><th>|<style>body{display/i.test(html));
  assert.ok(html.includes("<td>&#60;/td&#62;</td>"));
  assert.ok(
    html.includes("&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62;USDT"),
  );
  assert.ok(html.includes("1h&#38;2h"));
  assert.ok(html.includes("<dd>&#39;quoted&#39;</dd>"));
  assert.ok(
    html.includes("1 bar decided by the &#60;i&#62;rule&#60;/i&#62; rule"),
  );
});

Deno.test("renderEquityChart draws at most MAX_CHART_POINTS points and keeps the extremes", () => {
  const points = walk(20_000, 11);
  const idx = downsampleEquity(points);
  assert.ok(
    idx.length <= MAX_CHART_POINTS && idx.length > MAX_CHART_POINTS / 2,
  );
  assert.equal(idx[0], 0);
  assert.equal(idx.at(-1), points.length - 1);
  assert.ok(idx.every((v, i) => i === 0 || v > idx[i - 1]!));
  const argBy = (f: (p: EquityPoint) => number) =>
    points.reduce((best, p, i) => (f(p) > f(points[best]!) ? i : best), 0);
  assert.ok(idx.includes(argBy((p) => p.equity)), "highest equity kept");
  assert.ok(idx.includes(argBy((p) => -p.equity)), "lowest equity kept");
  assert.ok(idx.includes(argBy((p) => p.drawdownPct)), "deepest drawdown kept");
  const svg = renderEquityChart(points);
  const path = svg.match(/id="equity-path"[^>]* d="([^"]+)"/)![1]!;
  assert.equal(path.split(/[ML]/).length - 1, idx.length);
  assert.deepEqual(downsampleEquity(points.slice(0, 50)), [
    ...Array(50).keys(),
  ]);
});

Deno.test("renderEquityChart handles no points and a single point", () => {
  assert.equal(renderEquityChart([]), `<p class="empty">No equity data.</p>`);
  const one = renderEquityChart([{ time: T0, equity: 1000, drawdownPct: 0 }]);
  assert.match(one, /^<svg .*<\/svg>$/s);
  assert.ok(!one.includes("NaN") && !one.includes("Infinity"));
});

Deno.test("monthlyReturnsFromEquity compounds from each month's last equity", () => {
  const at = (y: number, m: number, d: number, equity: number) => ({
    time: Date.UTC(y, m - 1, d),
    equity,
    drawdownPct: 0,
  });
  const months = monthlyReturnsFromEquity([
    at(2023, 12, 30, 1000),
    at(2023, 12, 31, 1100),
    at(2024, 1, 15, 1000),
    at(2024, 1, 31, 990),
    at(2024, 3, 1, 1089),
  ]);
  assert.deepEqual(months.map((m) => [m.year, m.month]), [
    [2023, 12],
    [2024, 1],
    [2024, 3],
  ]);
  assert.ok(Math.abs(months[0]!.returnPct - 10) < 1e-12);
  assert.ok(Math.abs(months[1]!.returnPct - -10) < 1e-12);
  assert.ok(Math.abs(months[2]!.returnPct - 10) < 1e-12);
  assert.deepEqual(monthlyReturnsFromEquity([]), []);
});

Deno.test("renderMonthlyReturns colours gains green and losses red and compounds the year", () => {
  const html = renderMonthlyReturns([
    { year: 2024, month: 1, returnPct: 10 },
    { year: 2024, month: 3, returnPct: -10 },
  ]);
  assert.match(
    html,
    /<tr><th>2024<\/th><td style="background:rgba\(22,163,74,0\.72\)">\+10\.00<\/td><td><\/td><td style="background:rgba\(220,38,38,0\.72\)">-10\.00<\/td>(<td><\/td>){9}<td style="background:rgba\(220,38,38,0\.18\)">-1\.00<\/td><\/tr>/,
  );
  assert.equal(renderMonthlyReturns([]), `<p class="empty">None.</p>`);
});

Deno.test(
  `report.html renders its chart in headless Chromium${NEEDS_CHROMIUM}`,
  { ignore: CHROMIUM === undefined },
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "velas_report_" });
    const keep = Deno.env.get("VELAS_KEEP_TEST_OUTPUT") !== undefined;
    try {
      const report = input();
      writeBacktestOutput(dir, {
        trades: [],
        fills: [],
        decisions: [],
        equity: report.equity,
        summary: { symbols: report.symbols },
      }, { reportHtml: renderBacktestReport(report) });
      const png = `${dir}/report.png`;
      await screenshot(`${dir}/report.html`, png);
      const bytes = await Deno.readFile(png);
      assert.deepEqual([...bytes.subarray(0, 8)], [
        137,
        80,
        78,
        71,
        13,
        10,
        26,
        10,
      ]);
      const view = new DataView(bytes.buffer, bytes.byteOffset);
      assert.equal(view.getUint32(16), 1280, "PNG width");
      assert.equal(view.getUint32(20), 2000, "PNG height");
      assert.ok(
        bytes.length > 30_000,
        `PNG of ${bytes.length} bytes is too small`,
      );
    } finally {
      if (keep) {
        // deno-lint-ignore no-console
        console.error(`kept ${dir}`);
      } else await Deno.remove(dir, { recursive: true });
    }
  },
);
