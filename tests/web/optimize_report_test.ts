/**
 * Tests of the optimizer's report: the page holds the run header, the summary table with every
 * series, one `<details>` per optimized series with the four scopes (fallback, gates, robustness,
 * Monte Carlo) and the per-window table, is self-contained, escapes every text from the data,
 * and loads in headless Chromium without console messages (skipped without it).
 *
 * @module
 */
import { strict as assert } from "node:assert";
import { renderOptimizeReport } from "../../web/optimize_report.ts";
import { CHROMIUM, NEEDS_CHROMIUM, screenshot } from "../fakes/chromium.ts";
import { gates, scope, series, view } from "../fakes/optimize_view.ts";

function count(text: string, pattern: RegExp): number {
  return (text.match(pattern) ?? []).length;
}

// ---- tests ------------------------------------------------------------------------------------

Deno.test("renderOptimizeReport shows the run header and a summary row for every series", () => {
  const html = renderOptimizeReport(view());
  assert.ok(html.startsWith("<!doctype html>\n"));
  assert.match(
    html,
    /generated 2024-05-01T12:00:00\.000Z · seed 7 · grid 60 presets · 4 workers/,
  );
  assert.match(html, /2 series optimized, 1 active, 1 skipped/);
  const summary = html.match(/<table class="summary">.*?<\/table>/s)![0];
  assert.match(summary, /<tr class="active"><td>BTCUSDT 1h<\/td>/);
  assert.match(
    summary,
    /<tr class="inactive"><td>ETHUSDT 1h<\/td>.*<td class="r">inf<\/td>.*<td>inactive: sharpe 0\.41&#60;1\.2<\/td><\/tr>/,
  );
  assert.match(
    summary,
    /<tr class="skipped"><td>DOGEUSDT 2h<\/td>.*<td>skipped: no candle data in \.\/data\/candles<\/td>/,
  );
  assert.equal(count(summary, /<tr class=/g), 3);
});

Deno.test("renderOptimizeReport gives each optimized series one details section with its four scopes", () => {
  const html = renderOptimizeReport(view());
  assert.equal(count(html, /<details /g), 2);
  assert.equal(count(html, /<\/details>/g), 2);
  const eth = html.slice(html.indexOf(`id="series-1"`));
  for (const name of ["all", "low", "normal", "high"]) {
    assert.match(eth, new RegExp(`<h3>${name} <span class="badge">`));
  }
  assert.match(eth, /<p class="preset">Preset: #17 i1=40/);
  assert.equal(count(eth, /<p class="fallback">Fallback: 3 out-of-sample/g), 3);
  assert.match(html, /2022-12-01 – 2024-11-30/, "series range in UTC days");
});

Deno.test("renderOptimizeReport colours gates by pass, fail and warning", () => {
  const html = renderOptimizeReport(view());
  assert.match(
    html,
    /<tr class="fail"><td>min-sharpe<\/td><td class="r">0\.41<\/td><td class="r">1\.20<\/td><td class="result">fail<\/td><\/tr>/,
  );
  assert.match(html, /<tr class="pass"><td>min-trades<\/td>/);
  const hot = renderOptimizeReport(view({
    results: [series("SOLUSDT", [
      scope("all", { gates: gates({ sharpe: 3.1 }) }),
      scope("low"),
      scope("normal"),
      scope("high"),
    ])],
  }));
  assert.match(
    hot,
    /<tr class="warning"><td>likely-overfit<\/td>.*<td class="result">warning<\/td>/,
  );
});

Deno.test("renderOptimizeReport shows robustness, Monte Carlo percentiles and verdicts", () => {
  const html = renderOptimizeReport(view());
  assert.match(html, /<dt>Valid %<\/dt><dd>82\.6 \(200\/242\)<\/dd>/);
  assert.match(html, /<li>max degradation 31\.0 % &#62; 30 %<\/li>/);
  assert.match(
    html,
    /<tr><td>Total return %<\/td><td class="r">22\.5<\/td><td class="r">-4\.3<\/td><td class="r">18\.5<\/td><td class="r">41\.8<\/td>/,
  );
  assert.match(
    html,
    /<tr><td>Sharpe<\/td><td class="r">1\.41<\/td><td class="r">0\.31<\/td>/,
  );
  assert.match(html, /1000 runs per method, 10-day bootstrap blocks, seed 123/);
  assert.match(html, /<li>5 % of shuffled orders lose money<\/li>/);
  assert.match(html, /<h4>Robustness<\/h4>\n<p class="empty">Not run\.<\/p>/);
});

Deno.test("renderOptimizeReport lists the all scope's windows and highlights failed ones", () => {
  const html = renderOptimizeReport(view());
  const windows = html.match(/<table class="windows">.*?<\/table>/s)![0];
  assert.match(
    windows,
    /<tr><td class="r">1<\/td><td>2023-01-01 – 2023-06-30<\/td><td>2023-07-01 – 2023-08-31<\/td><td>#17 i1=40 i2=10 i3=0\.3 i4=1 i5=1<\/td><td class="r">60\.0<\/td><td class="r">55\.2<\/td><td class="r">48<\/td><td class="r">0\.92<\/td><\/tr>/,
  );
  assert.match(
    windows,
    /<tr class="failed"><td class="r">2<\/td>.*<td>none<\/td>.*<td class="r">0<\/td><td class="r">0\.00<\/td><\/tr>/,
  );
  assert.equal(count(windows, /<tr( class="failed")?><td/g), 4);
});

Deno.test("renderOptimizeReport escapes a hostile symbol, reason and preset name", () => {
  const evil = `<script>alert("x")</script>`;
  const html = renderOptimizeReport(view({
    results: [series(evil, [
      scope("all"),
      scope("low", { fallback: "<b>few</b>" }),
      scope("normal"),
      scope("high"),
    ])],
    skipped: [{ symbol: "A&B", timeframe: "<i>", reason: "'quoted'" }],
    generatedAt: `"><img src=x>`,
    presetName: () => "<u>preset</u>",
  }));
  assert.ok(!/<script|<img|<b>|<i>|<u>/i.test(html));
  assert.ok(
    html.includes("&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; 1h"),
  );
  assert.ok(html.includes("A&#38;B &#60;i&#62;"));
  assert.ok(html.includes("&#39;quoted&#39;"));
  assert.ok(html.includes("Preset: &#60;u&#62;preset&#60;/u&#62;"));
});

Deno.test("renderOptimizeReport is self-contained: no scripts, links or external URLs", () => {
  const html = renderOptimizeReport(view());
  assert.ok(
    !/<script|<link|<iframe|<img|src=|url\(|@import|@font-face|https?:/i.test(
      html,
    ),
  );
  assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
  assert.ok(!html.includes("NaN") && !html.includes("Infinity"));
});

Deno.test("renderOptimizeReport renders an empty run", () => {
  const html = renderOptimizeReport(view({ results: [], skipped: [] }));
  assert.match(html, /<p class="empty">No series\.<\/p>/);
  assert.match(html, /<p class="empty">No series optimized\.<\/p>/);
  assert.equal(count(html, /<details/g), 0);
});

/** The DOM Chromium built from a page, and the console lines it logged. */
async function loadInChromium(
  htmlPath: string,
): Promise<{ dom: string; console: string[] }> {
  const profile = await Deno.makeTempDir({ prefix: "velas_chromium_" });
  try {
    const { code, stdout, stderr } = await new Deno.Command(CHROMIUM!, {
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--enable-logging=stderr",
        "--v=0",
        `--user-data-dir=${profile}`,
        "--dump-dom",
        new URL(`file://${htmlPath}`).href,
      ],
      env: { HOME: profile },
      stdin: "null",
      signal: AbortSignal.timeout(60_000),
    }).output();
    assert.equal(code, 0, "chromium exit code");
    const log = new TextDecoder().decode(stderr).split("\n");
    return {
      dom: new TextDecoder().decode(stdout),
      console: log.filter((line) => line.includes(":CONSOLE")),
    };
  } finally {
    await Deno.remove(profile, { recursive: true });
  }
}

Deno.test(
  `the optimizer report loads in headless Chromium without console messages and shows the summary${NEEDS_CHROMIUM}`,
  { ignore: CHROMIUM === undefined },
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "velas_optimize_report_" });
    try {
      const path = `${dir}/report.html`;
      await Deno.writeTextFile(path, renderOptimizeReport(view()));
      const { dom, console } = await loadInChromium(path);
      assert.deepEqual(console, []);
      const summary = dom.match(/<table class="summary">.*?<\/table>/s)?.[0];
      assert.ok(summary !== undefined, "summary table in the DOM");
      assert.equal(
        count(summary, /<tr class="(active|inactive|skipped)">/g),
        3,
      );
      assert.equal(count(dom, /<details class="series/g), 2);
      const png = `${dir}/report.png`;
      await screenshot(path, png);
      const bytes = await Deno.readFile(png);
      assert.deepEqual([...bytes.subarray(1, 4)], [80, 78, 71], "PNG magic");
      assert.ok(bytes.length > 20_000, `PNG of ${bytes.length} bytes`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);
