/**
 * Browser tests of the status page (`web/static`): the real status app over the fake source,
 * served on 127.0.0.1, driven in headless Chromium through the DevTools protocol. They check
 * the health strip, positions and signals of the overview, a pushed signal appearing without
 * reload, every view opening without a console error (with a screenshot of each), the theme
 * toggle, a phone viewport without horizontal scroll, the positions table against
 * `/api/positions`, and the token message on a 401. Screenshots go to
 * `$VELAS_TEST_OUTPUT/status-page/` (default: the system temp directory). One test without a
 * browser checks the service worker's shell list and the manifest.
 *
 * @module
 */
import { strict as assert } from "node:assert";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createStatusApp } from "../../web/status_app.ts";
import { serveStatus } from "../../web/status_server.ts";
import type {
  PositionView,
  SignalQuery,
  SignalView,
  StatusSource,
} from "../../web/status_types.ts";
import { type Browser, launchBrowser, type Page } from "../fakes/cdp.ts";
import { CHROMIUM, NEEDS_CHROMIUM } from "../fakes/chromium.ts";
import { FAKE_NOW, FakeStatusSource } from "../fakes/fake_status_source.ts";
import {
  openView,
  screenshotDir,
  viewReady,
  VIEWS,
} from "../fakes/status_page_views.ts";

const STATIC_DIR = new URL("../../web/static/", import.meta.url);
const TOKEN = "status-page-test-token";

/** Where this file's screenshots go. */
function outputDir(): Promise<string> {
  return Promise.resolve(screenshotDir("status-page"));
}

interface Harness {
  readonly browser: Browser;
  readonly fake: FakeStatusSource;
  readonly page: Page;
  readonly base: string;
}

/** Polls a condition of the test process (not the page) until it holds. */
async function eventually(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The page is drawn: health cells, position rows, signal rows, live updates connected. */
const READY = `document.querySelectorAll('.health-strip .cell').length > 0 &&
  document.querySelectorAll('tr[data-trade-id]').length > 0 &&
  document.querySelectorAll('tr[data-signal-id]').length > 0 &&
  document.getElementById('conn').dataset.state === 'live'`;

/**
 * Text elements whose contrast against their (blended) background is below WCAG AA 4.5:1;
 * hidden, disabled and SVG text is skipped.
 */
const LOW_CONTRAST = `(() => {
  const parse = (c) => {
    let m = /^rgba?\\(([^)]+)\\)$/.exec(c);
    if (m) {
      const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
      return [p[0], p[1], p[2], p[3] ?? 1];
    }
    m = /^color\\(srgb ([^)]+)\\)$/.exec(c);
    if (m) {
      const p = m[1].split(/[\\s\\/]+/).filter(Boolean).map(Number);
      return [p[0] * 255, p[1] * 255, p[2] * 255, p[3] ?? 1];
    }
    return null;
  };
  const blend = (top, under) =>
    [0, 1, 2].map((i) => top[i] * top[3] + under[i] * (1 - top[3])).concat(1);
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) {
        layers.push(c);
        if (c[3] >= 1) break;
      }
    }
    return layers.reverse().reduce((under, c) => blend(c, under), [255, 255, 255, 1]);
  };
  const lum = (c) => {
    const f = (v) => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const low = [];
  for (const el of document.querySelectorAll('body *')) {
    if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
    if (el.closest('[hidden], .sr-only, svg, :disabled, noscript')) continue;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    const fg = parse(style.color);
    if (!fg) continue;
    const bg = background(el);
    const a = lum(blend(fg, bg));
    const b = lum(bg);
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) {
      low.push(el.tagName.toLowerCase() + '.' + el.className + ' "' +
        el.textContent.trim().slice(0, 30) + '" ' + ratio.toFixed(2));
    }
  }
  return low;
})()`;

/**
 * Serves the app over a fresh fake, opens `/` in a fresh browser and runs `body`; then asserts
 * the page logged no error and closes everything.
 */
async function withPage(
  body: (h: Harness) => Promise<void>,
  options: {
    width?: number;
    height?: number;
    mobile?: boolean;
    token?: string;
    /** Page problems that are expected (e.g. the browser's log of a 401). */
    expected?: RegExp;
    /** What the app serves instead of the fake itself (a wrapper of it). */
    wrap?: (fake: FakeStatusSource) => StatusSource;
  } = {},
): Promise<void> {
  const fake = new FakeStatusSource();
  const logs: { level: string; msg: string }[] = [];
  const log = (line: { level: string; msg: string }) => logs.push(line);
  const app = createStatusApp({
    source: options.wrap?.(fake) ?? fake,
    log,
    ...(options.token === undefined ? {} : { token: options.token }),
  });
  const server = serveStatus({
    app,
    host: "127.0.0.1",
    port: 0,
    log,
    ...(options.token === undefined ? {} : { token: options.token }),
  });
  const base = `http://127.0.0.1:${server.addr.port}/`;
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    await page.setViewport(options.width ?? 1280, options.height ?? 900, {
      mobile: options.mobile ?? false,
    });
    await page.emulateColorScheme("dark");
    await page.navigate(
      options.token === undefined ? base : `${base}?token=${options.token}`,
    );
    await page.waitFor(READY, { what: "the overview with live updates" });
    await body({ browser, fake, page, base });
    const expected = options.expected;
    assert.deepEqual(
      page.problems.filter((p) =>
        expected === undefined || !expected.test(p.text)
      ),
      [],
      "no console error or exception",
    );
    assert.deepEqual(
      logs.filter((l) => l.level === "error" || l.level === "warn"),
      [],
      "no server error",
    );
  } finally {
    await browser.close();
    await server.shutdown();
  }
}

/**
 * The fake, with every `signals` call after the first (the page's reload when its event stream
 * says hello) answered only when `gate` opens, with `extra` added: a fetch that is out while an
 * event arrives.
 */
function holdingSignals(
  fake: FakeStatusSource,
  gate: Promise<void>,
  extra: SignalView,
  counts: { calls: number },
): StatusSource {
  return new Proxy(fake, {
    get(target, prop) {
      if (prop === "signals") {
        return (query: SignalQuery) => {
          const page = target.signals(query);
          if (++counts.calls < 2) return page;
          return gate.then(() => ({ ...page, rows: [extra, ...page.rows] }));
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  }) as unknown as StatusSource;
}

/** A new signal for the fake to push. */
function newSignal(): SignalView {
  const openTime = FAKE_NOW;
  const id = `SOLUSDT-30m-${openTime}-L`;
  return {
    id,
    symbol: "SOLUSDT",
    timeframe: "30m",
    side: "LONG",
    barOpenTime: openTime,
    time: openTime + 1_800_000,
    price: 243.17,
    regime: "normal",
    presetHash: "f00dfeedf00dfeed",
    decision: {
      time: openTime + 1_800_000,
      signalId: id,
      symbol: "SOLUSDT",
      timeframe: "30m",
      side: "LONG",
      accepted: false,
      rule: "heat",
      detail: "heat <b>6.10</b> > 6",
      heatPct: 5.2,
      openPositions: 2,
    },
  };
}

/** `YYYY-MM-DD HH:mm` of `time` in `zone`. */
function zoned(time: number, zone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-GB", {
      timeZone: zone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    }).formatToParts(time).map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

/** `+3.33 %` → 3.33, `94,120.5` → 94120.5, with the number of decimals shown. */
function shown(text: string): { value: number; decimals: number } {
  const clean = text.replace(/[%,+\s]|USDT/g, "");
  const dot = clean.indexOf(".");
  return {
    value: Number(clean),
    decimals: dot < 0 ? 0 : clean.length - dot - 1,
  };
}

Deno.test(
  `status page shows the health strip, open positions and signals, and a pushed signal without reload${NEEDS_CHROMIUM}`,
  { ignore: CHROMIUM === undefined },
  async () => {
    await withPage(async ({ fake, page }) => {
      const cells = await page.evaluate<
        { key: string; freshness: string; title: string; bg: string }[]
      >(
        `[...document.querySelectorAll('.health-strip .cell')].map((c) => ({
          key: c.dataset.key, freshness: c.dataset.freshness, title: c.title,
          bg: getComputedStyle(c).backgroundColor }))`,
      );
      const series = fake.data.series;
      assert.equal(cells.length, series.length, "one cell per series");
      for (const s of series) {
        const cell = cells.find((c) => c.key === s.key);
        assert.ok(cell, `cell of ${s.key}`);
        assert.equal(cell.freshness, s.freshness);
        assert.match(cell.title, /last close \d{4}-\d\d-\d\d \d\d:\d\d/);
      }
      const fresh = cells.find((c) => c.freshness === "fresh")!;
      const stale = cells.find((c) => c.freshness === "stale")!;
      assert.notEqual(fresh.bg, stale.bg, "fresh and stale differ in colour");
      assert.match(stale.title, /lag /, "a stale cell tells its lag");
      const tfRows = await page.evaluate<string[]>(
        `[...document.querySelectorAll('.hs-tf')].map((e) => e.textContent)`,
      );
      assert.deepEqual(tfRows, ["30m", "1h", "2h"], "grouped by timeframe");
      assert.equal(
        await page.evaluate(`document.getElementById('health').textContent`),
        "unhealthy",
      );
      assert.match(
        await page.evaluate<string>(
          `document.getElementById('clock').textContent`,
        ),
        /^2026-11-24 13:00:30 Europe\/Berlin/,
        "the daemon clock in the display zone",
      );

      const newest = fake.data.signals[0]!;
      assert.equal(
        await page.evaluate(
          `document.querySelector('tr[data-signal-id="${newest.id}"] time').textContent`,
        ),
        zoned(newest.time, "Europe/Berlin"),
        "signal times in the display zone",
      );

      const btc = fake.data.positions.find((p) => p.tpFilled > 0)!;
      const row = await page.evaluate<
        { steps: number; on: number; stop: string }
      >(`(() => {
        const tr = document.querySelector('tr[data-trade-id="${btc.tradeId}"]');
        return { steps: tr.querySelectorAll('.steps i').length,
          on: tr.querySelectorAll('.steps i.on').length,
          stop: tr.querySelector('[data-field="stop"]').dataset.value };
      })()`);
      assert.deepEqual(row, {
        steps: 6,
        on: btc.tpFilled,
        stop: String(btc.stop),
      }, "ladder progress and current stop");

      await eventually(() => fake.subscriberCount > 0, "the page to subscribe");
      await page.evaluate(`window.__notReloaded = true`);
      const signal = newSignal();
      fake.push({ type: "signal", signal });
      const first = await page.waitFor<
        { id: string; text: string; bold: number }
      >(
        `(() => {
          const tr = document.querySelector('tr[data-signal-id]');
          return tr && tr.dataset.signalId === ${JSON.stringify(signal.id)} &&
            { id: tr.dataset.signalId, text: tr.textContent, bold: tr.querySelectorAll('b').length };
        })()`,
        { what: "the pushed signal at the top" },
      );
      assert.match(first.text, /refused/);
      assert.ok(
        first.text.includes("heat <b>6.10</b> > 6"),
        "text shown as is",
      );
      assert.equal(first.bold, 0, "API text is never parsed as HTML");
      assert.equal(await page.evaluate(`window.__notReloaded`), true);

      const reads = () =>
        fake.calls.filter((c) => c.method === "positions").length;
      const before = reads();
      const btcFill = btc.fills.at(-1)!;
      fake.push({
        type: "fill",
        fill: btcFill,
        symbol: btc.symbol,
        timeframe: btc.timeframe,
      });
      await eventually(
        () => reads() > before,
        "a fill to reload the positions",
      );

      const healed = fake.data.series.map((s) => ({
        ...s,
        freshness: "fresh" as const,
        lagMs: 0,
      }));
      fake.push({ type: "health", series: healed });
      await page.waitFor(
        `document.getElementById('health').textContent === 'healthy' &&
         document.querySelectorAll('.health-strip .cell.fr-stale').length === 0`,
        { what: "the health event to turn every cell fresh" },
      );
    });
  },
);

Deno.test(
  `status page keeps a pushed signal that a signals fetch begun before it does not have${NEEDS_CHROMIUM}`,
  { ignore: CHROMIUM === undefined },
  async () => {
    const gate = Promise.withResolvers<void>();
    const counts = { calls: 0 };
    const signal = newSignal();
    const older = {
      ...newSignal(),
      id: `ETHUSDT-30m-${FAKE_NOW}-S`,
      symbol: "ETHUSDT",
      side: "SHORT" as const,
      time: signal.time - 1,
    };
    await withPage(async ({ fake, page }) => {
      await eventually(() => counts.calls >= 2, "the reload to be held");
      await eventually(() => fake.subscriberCount > 0, "the page to subscribe");
      fake.push({ type: "signal", signal });
      const top =
        `document.querySelector('tr[data-signal-id]').dataset.signalId`;
      await page.waitFor(`${top} === ${JSON.stringify(signal.id)}`, {
        what: "the pushed signal at the top",
      });
      gate.resolve();
      await page.waitFor(
        `!!document.querySelector('tr[data-signal-id="${older.id}"]')`,
        { what: "the held answer applied" },
      );
      assert.deepEqual(
        await page.evaluate(
          `[...document.querySelectorAll('tr[data-signal-id]')].slice(0, 2).map((tr) => tr.dataset.signalId)`,
        ),
        [signal.id, older.id],
        "the pushed signal stays on top of the fetched ones",
      );
    }, { wrap: (fake) => holdingSignals(fake, gate.promise, older, counts) });
  },
);

Deno.test(
  `status page opens every view without a console error${NEEDS_CHROMIUM}`,
  { ignore: CHROMIUM === undefined },
  async () => {
    const dir = await outputDir();
    await withPage(async ({ browser, fake, page, base }) => {
      for (const view of VIEWS) {
        await openView(page, view);
        const current = await page.evaluate(
          `document.querySelector('nav.views a[aria-current="page"]').dataset.view`,
        );
        assert.equal(current, view, `the ${view} tab is marked current`);
        assert.deepEqual(
          await page.evaluate(LOW_CONTRAST),
          [],
          `text contrast of the ${view} view (dark)`,
        );
        await page.screenshot(join(dir, `${view}.png`), { fullPage: true });
      }
      // History: filters reach the table and the CSV link.
      await page.evaluate(
        `location.hash = '#/history?symbol=BTCUSDT&side=LONG'`,
      );
      await page.waitFor(viewReady("history"));
      const history = await page.evaluate<{ symbols: string[]; csv: string }>(
        `({ symbols: [...document.querySelectorAll('tr[data-trade-id] th')].map((e) => e.textContent),
           csv: document.querySelector('a[download]').getAttribute('href') })`,
      );
      const expected = fake.data.trades.filter((t) =>
        t.symbol === "BTCUSDT" && t.side === "LONG"
      );
      assert.equal(history.symbols.length, expected.length);
      assert.ok(history.symbols.every((s) => s === "BTCUSDT"));
      const csv = new URL(history.csv, base);
      assert.equal(csv.pathname, "/api/trades");
      assert.equal(csv.searchParams.get("format"), "csv");
      assert.equal(csv.searchParams.get("symbol"), "BTCUSDT");
      assert.equal(csv.searchParams.get("side"), "LONG");
      const response = await fetch(csv);
      assert.equal(response.status, 200);
      assert.equal(
        (await response.text()).trim().split("\n").length,
        expected.length + 1,
        "the CSV has the filtered rows and a header",
      );
      // Backtests: a report opens in place.
      const report = fake.data.backtests[0]!;
      await page.evaluate(
        `location.hash = ${JSON.stringify(`#/backtests?open=${report.name}`)}`,
      );
      const src = await page.waitFor<string>(
        `document.querySelector('iframe.report')?.getAttribute('src')`,
      );
      assert.equal(src, report.url);
      await page.waitFor(
        `document.querySelector('iframe.report').dataset.loaded`,
      );
      // The sandboxed frame runs in its own process: read it through its own target.
      const target = (await browser.targets()).find((t) =>
        t.type === "iframe" && new URL(t.url).pathname === report.url
      );
      assert.ok(target, "the report frame");
      const frame = await browser.attach(target.targetId);
      assert.match(
        await frame.evaluate<string>(
          `document.querySelector('h1').textContent`,
        ),
        /^VELAS /,
        "the report loaded in the frame",
      );
      await page.screenshot(join(dir, "backtests-open.png"));
      // The service worker took the shell.
      assert.equal(
        await page.evaluate(
          `navigator.serviceWorker.ready.then((r) => r.active !== null)`,
        ),
        true,
      );
    });
  },
);

Deno.test(
  `status page toggles between dark and light and keeps the choice${NEEDS_CHROMIUM}`,
  { ignore: CHROMIUM === undefined },
  async () => {
    const dir = await outputDir();
    await withPage(async ({ page }) => {
      const look = () =>
        page.evaluate<{ theme: string; bg: string; stored: string | null }>(
          `({ theme: document.documentElement.dataset.theme,
             bg: getComputedStyle(document.body).backgroundColor,
             stored: localStorage.getItem('velas-theme') })`,
        );
      const dark = await look();
      assert.equal(dark.theme, "dark", "dark when the system prefers dark");
      assert.equal(dark.stored, null);
      await page.evaluate(`document.getElementById('theme').click()`);
      const light = await look();
      assert.equal(light.theme, "light");
      assert.equal(light.stored, "light");
      assert.notEqual(light.bg, dark.bg);
      for (const view of VIEWS) {
        await openView(page, view);
        assert.deepEqual(
          await page.evaluate(LOW_CONTRAST),
          [],
          `text contrast of the ${view} view (light)`,
        );
        await page.screenshot(join(dir, `${view}-light.png`), {
          fullPage: true,
        });
      }
      await page.navigate(await page.evaluate<string>(`location.origin + '/'`));
      await page.waitFor(READY);
      assert.equal(
        (await look()).theme,
        "light",
        "the choice survives a reload",
      );
      // Without a stored choice the system preference decides.
      await page.evaluate(`localStorage.removeItem('velas-theme')`);
      await page.emulateColorScheme("light");
      await page.navigate(await page.evaluate<string>(`location.origin + '/'`));
      await page.waitFor(READY);
      assert.equal((await look()).theme, "light");
    });
  },
);

Deno.test(
  `status page fits a 390 px phone without horizontal scrolling${NEEDS_CHROMIUM}`,
  { ignore: CHROMIUM === undefined },
  async () => {
    const dir = await outputDir();
    await withPage(async ({ page }) => {
      for (const view of VIEWS) {
        await openView(page, view);
        const size = await page.evaluate<{ scroll: number; inner: number }>(
          `({ scroll: document.documentElement.scrollWidth, inner: innerWidth })`,
        );
        assert.equal(size.inner, 390);
        assert.ok(
          size.scroll <= size.inner,
          `the ${view} view is ${size.scroll} px wide on a ${size.inner} px screen`,
        );
      }
      await openView(page, "overview");
      await page.screenshot(join(dir, "overview-phone.png"), {
        fullPage: true,
      });
      await openView(page, "positions");
      await page.screenshot(join(dir, "positions-phone.png"), {
        fullPage: true,
      });
    }, { width: 390, height: 844, mobile: true });
  },
);

Deno.test(
  `status page positions table shows the numbers of /api/positions${NEEDS_CHROMIUM}`,
  { ignore: CHROMIUM === undefined },
  async () => {
    await withPage(async ({ page, base }) => {
      const api: PositionView[] = await (await fetch(`${base}api/positions`))
        .json();
      assert.ok(api.length > 0);
      const rows = await page.evaluate<
        {
          id: string;
          symbol: string;
          cells: {
            field: string;
            value: string;
            scale: string | null;
            text: string;
          }[];
        }[]
      >(`[...document.querySelectorAll('table.positions tr[data-trade-id]')].map((tr) => ({
        id: tr.dataset.tradeId,
        symbol: tr.querySelector('th').textContent,
        cells: [...tr.querySelectorAll('[data-field]')].map((c) => ({
          field: c.dataset.field, value: c.dataset.value, scale: c.dataset.scale ?? null,
          text: c.textContent })),
      }))`);
      assert.deepEqual(rows.map((r) => r.id), api.map((p) => p.tradeId));
      for (const row of rows) {
        const p = api.find((x) => x.tradeId === row.id)!;
        assert.equal(row.symbol, p.symbol);
        assert.deepEqual(
          row.cells.map((c) => c.field).sort(),
          [
            "entryPrice",
            "lastPrice",
            "remaining",
            "stop",
            "tpFilled",
            "unrealizedPct",
          ],
        );
        for (const cell of row.cells) {
          const expected = p[cell.field as keyof PositionView] as number | null;
          assert.equal(cell.value, expected === null ? "" : String(expected));
          if (expected === null) continue;
          if (cell.field === "tpFilled") {
            assert.equal(cell.text, `${expected}/6`);
            continue;
          }
          const { value, decimals } = shown(cell.text);
          const scaled = expected * Number(cell.scale ?? 1);
          assert.ok(
            Math.abs(value - scaled) <= 0.5 * 10 ** -decimals + 1e-9,
            `${p.symbol} ${cell.field}: '${cell.text}' shows ${scaled}`,
          );
        }
      }
      await openView(page, "positions");
      const ladders = await page.evaluate<{ id: string; tp: string[] }[]>(
        `[...document.querySelectorAll('article[data-trade-id]')].map((a) => ({
          id: a.dataset.tradeId,
          tp: [...a.querySelectorAll('[data-field="tp"]')].map((c) => c.dataset.value) }))`,
      );
      for (const p of api) {
        assert.deepEqual(
          ladders.find((l) => l.id === p.tradeId)?.tp,
          p.tp.map(String),
          `${p.symbol} ladder prices`,
        );
      }
    });
  },
);

Deno.test(
  `status page asks for the token when the API answers 401${NEEDS_CHROMIUM}`,
  { ignore: CHROMIUM === undefined },
  async () => {
    await withPage(async ({ page }) => {
      await page.send("Network.clearBrowserCookies");
      await page.evaluate(`location.hash = '#/signals'`);
      const text = await page.waitFor<string>(
        `!document.getElementById('banner').hidden && document.getElementById('banner').textContent`,
        { what: "the token message" },
      );
      assert.match(text, /Token required: open \/\?token=…/);
    }, { token: TOKEN, expected: /status of 401/ });
  },
);

Deno.test("status page service worker caches every shell file and no API route", async () => {
  const sw = await Deno.readTextFile(new URL("sw.js", STATIC_DIR));
  const list = /const SHELL = \[([\s\S]*?)\];/.exec(sw)?.[1] ?? "";
  const shell = [...list.matchAll(/"([^"]+)"/g)].map((m) => m[1]!).sort();
  const files: string[] = [];
  async function walk(dir: URL, prefix: string): Promise<void> {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isDirectory) {
        await walk(new URL(`${entry.name}/`, dir), `${prefix}${entry.name}/`);
      } else files.push(`${prefix}${entry.name}`);
    }
  }
  await walk(STATIC_DIR, "");
  const expected = files
    .filter((f) => f !== "sw.js")
    .map((f) =>
      f === "index.html"
        ? "/"
        : f === "manifest.webmanifest"
        ? "/manifest.webmanifest"
        : `/static/${f}`
    )
    .sort();
  assert.deepEqual(shell, expected);
  assert.ok(shell.every((p) => !/^\/(api|events|metrics|reports)\b/.test(p)));
  assert.match(sw, /function isShell\(path\)/);

  const manifest = JSON.parse(
    await Deno.readTextFile(new URL("manifest.webmanifest", STATIC_DIR)),
  );
  assert.equal(manifest.start_url, "/");
  assert.equal(manifest.display, "standalone");
  assert.ok(manifest.name && manifest.short_name && manifest.theme_color);
  for (const icon of manifest.icons as { src: string }[]) {
    const file = icon.src.replace(/^\/static\//, "");
    assert.ok(existsSync(new URL(file, STATIC_DIR)), `icon ${icon.src}`);
  }
});
