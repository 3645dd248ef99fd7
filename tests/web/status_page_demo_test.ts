/**
 * The status page of a real daemon, as a user sees it: `deno task demo` (the daemon over the
 * bundled candles, paced so the run takes about a minute) with its page on a free port, opened in
 * headless Chromium. The page shows the health strip, an open position and signals while the
 * replay runs, receives a new signal over SSE without a reload, and opens every view without a
 * console error (a screenshot of each goes to `$VELAS_TEST_OUTPUT/status-demo/`). At the end of
 * the replay the positions table equals `/api/positions`, and after the demo stops the API's
 * figures equal its SQLite database.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TradeRecord } from "../../core/backtest/records.ts";
import { StateStore } from "../../data/state_store.ts";
import type {
  Page as ApiPage,
  PositionView,
  SignalView,
  StatusSnapshot,
} from "../../web/status_types.ts";
import { launchBrowser } from "../fakes/cdp.ts";
import { CHROMIUM, NEEDS_CHROMIUM } from "../fakes/chromium.ts";
import { openView, screenshotDir, VIEWS } from "../fakes/status_page_views.ts";
import { runArgs } from "../fakes/task_command.ts";

/** The bundled replay (about 500 hours) in about 50 s. */
const SPEED = "36000";

/** The demo's log, read as it comes; `until` resolves at the first line matching. */
class DemoLog {
  readonly lines: Record<string, unknown>[] = [];
  readonly #waiters: {
    test: (l: Record<string, unknown>) => boolean;
    resolve: (l: Record<string, unknown>) => void;
  }[] = [];
  readonly done: Promise<void>;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.done = (async () => {
      let rest = "";
      for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
        rest += chunk;
        const parts = rest.split("\n");
        rest = parts.pop()!;
        for (const text of parts) {
          if (text === "") continue;
          const line = JSON.parse(text) as Record<string, unknown>;
          this.lines.push(line);
          for (const w of [...this.#waiters]) {
            if (w.test(line)) {
              this.#waiters.splice(this.#waiters.indexOf(w), 1);
              w.resolve(line);
            }
          }
        }
      }
    })();
  }

  until(
    test: (l: Record<string, unknown>) => boolean,
    what: string,
    timeoutMs = 120_000,
  ): Promise<Record<string, unknown>> {
    const seen = this.lines.find(test);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`Timed out waiting for ${what}`)),
        timeoutMs,
      );
      this.#waiters.push({
        test,
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
      });
    });
  }
}

async function api<T>(base: string, path: string): Promise<T> {
  const response = await fetch(`${base}${path}`);
  assert.equal(response.status, 200, path);
  return await response.json() as T;
}

Deno.test(
  `demo: the status page shows the running daemon, takes a new signal over SSE, opens every view, and its numbers equal the API and SQLite${NEEDS_CHROMIUM}`,
  {
    ignore: CHROMIUM === undefined,
    sanitizeResources: false,
    sanitizeOps: false,
  },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), "velas-demo-page-"));
    const child = new Deno.Command(Deno.execPath(), {
      args: runArgs("demo", ["demo", "--port", "0", "--speed", SPEED]),
      cwd: dir,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const stderr = new Response(child.stderr).text();
    const log = new DemoLog(child.stdout);
    const browser = await launchBrowser();
    try {
      const listening = await log.until(
        (l) => l.msg === "status page listening",
        "the status page",
        60_000,
      );
      const base = String(listening.url);
      const page = await browser.newPage();
      await page.setViewport(1280, 900);
      await page.navigate(base);
      await page.waitFor(
        `document.querySelectorAll('.health-strip .cell').length === 7 &&
          document.getElementById('conn').dataset.state === 'live'`,
        { what: "the health strip of the 7 bundled series, live" },
      );
      await page.evaluate(`window.__sameDocument = true`);
      // The replay opens positions as it goes: the page shows one and some signals.
      await page.waitFor(
        `document.querySelectorAll('tr[data-trade-id]').length > 0 &&
          document.querySelectorAll('tr[data-signal-id]').length > 0`,
        { what: "an open position and a signal", timeoutMs: 90_000 },
      );
      const before = await page.evaluate<string[]>(
        `[...document.querySelectorAll('tr[data-signal-id]')].map((r) => r.dataset.signalId)`,
      );
      const fresh = await page.waitFor<string>(
        `(() => {
          const before = new Set(${JSON.stringify(before)});
          const ids = [...document.querySelectorAll('tr[data-signal-id]')]
            .map((r) => r.dataset.signalId);
          return ids.find((id) => !before.has(id)) ?? false;
        })()`,
        { what: "a new signal pushed over SSE", timeoutMs: 90_000 },
      );
      assert.equal(
        await page.evaluate(`window.__sameDocument === true`),
        true,
        "the new signal came without a reload",
      );
      const stored = await api<ApiPage<SignalView>>(
        base,
        "api/signals?limit=1000",
      );
      assert.ok(stored.rows.some((s) => s.id === fresh), fresh);

      await log.until(
        (l) => String(l.msg).startsWith("replay finished"),
        "the end of the replay",
      );
      // The page settles on the final state: every number of its positions table equals the
      // API's (the last `positions` event trails the last step by at most half a second).
      const positions = await api<PositionView[]>(base, "api/positions");
      assert.ok(positions.length > 0, "the replay ends with an open position");
      const expected = Object.fromEntries(
        positions.map((
          p,
        ) => [p.tradeId, p as unknown as Record<string, unknown>]),
      );
      await openView(page, "overview", 20_000);
      const cells =
        `[...document.querySelectorAll('table.positions tr[data-trade-id] [data-field]')]
        .map((c) => ({ id: c.closest('tr').dataset.tradeId, field: c.dataset.field,
          value: c.dataset.value }))`;
      const mismatches = `(() => {
        const expected = ${JSON.stringify(expected)};
        const rows = [...document.querySelectorAll('table.positions tr[data-trade-id]')]
          .map((r) => r.dataset.tradeId);
        if (rows.join(',') !== Object.keys(expected).join(',')) return ['rows ' + rows];
        return ${cells}.filter((c) => {
          const v = expected[c.id][c.field];
          return c.value !== (v === null ? '' : String(v));
        }).map((c) => c.id + ' ' + c.field + ' ' + c.value);
      })()`;
      try {
        await page.waitFor(`${mismatches}.length === 0`, {
          what: "the page's positions to equal /api/positions",
          timeoutMs: 20_000,
        });
      } catch (error) {
        throw new Error(
          `${(error as Error).message}: ${
            JSON.stringify(await page.evaluate(mismatches))
          }`,
        );
      }
      assert.ok((await page.evaluate<unknown[]>(cells)).length > 0);

      // The key figures, the health strip and the recent signals equal the API too.
      const final = await api<StatusSnapshot>(base, "api/status");
      const recent = await api<ApiPage<SignalView>>(
        base,
        "api/signals?limit=10",
      );
      const figures = `(() => {
        const value = (f) => document.querySelector('[data-field="' + f + '"]')?.dataset.value;
        return {
          equity: value('equity'),
          drawdownPct: value('drawdownPct'),
          health: [...document.querySelectorAll('.health-strip [data-key]')]
            .map((c) => c.dataset.key + '=' + c.dataset.freshness).sort(),
          signals: [...document.querySelectorAll('tr[data-signal-id]')]
            .map((r) => r.dataset.signalId).slice(0, ${recent.rows.length}),
        };
      })()`;
      const want = {
        equity: String(final.portfolio.equity),
        drawdownPct: String(final.portfolio.drawdownPct),
        health: final.series.map((s) => `${s.key}=${s.freshness}`).sort(),
        signals: recent.rows.map((r) => r.id),
      };
      try {
        await page.waitFor(
          `JSON.stringify(${figures}) === ${
            JSON.stringify(JSON.stringify(want))
          }`,
          {
            what: "the page's figures to equal /api/status",
            timeoutMs: 40_000,
          },
        );
      } catch (error) {
        assert.deepEqual(await page.evaluate(figures), want, String(error));
      }

      const out = screenshotDir("status-demo");
      for (const view of VIEWS) {
        await openView(page, view, 20_000);
        await page.screenshot(join(out, `${view}.png`));
      }
      assert.deepEqual(page.problems, [], "no console error on any view");

      const status = await api<StatusSnapshot>(base, "api/status");
      const trades = await api<ApiPage<TradeRecord>>(
        base,
        "api/trades?limit=1000",
      );
      const signals = await api<ApiPage<SignalView>>(
        base,
        "api/signals?limit=1000",
      );
      child.kill("SIGTERM");
      const { code } = await child.status;
      await log.done;
      assert.equal(code, 0, await stderr);

      const store = StateStore.open(join(dir, "data", "demo.db"));
      try {
        assert.deepEqual(status.counts, store.counts());
        assert.deepEqual(
          positions.map((p) => p.tradeId),
          store.openPositions().map((p) => p.tradeId),
        );
        assert.deepEqual(trades.rows, store.trades());
        assert.deepEqual(
          signals.rows,
          store.signals().map((s) => ({ ...s, decision: s.decision ?? null })),
        );
        for (const p of positions) {
          assert.deepEqual(p.fills, store.fills(p.tradeId));
        }
      } finally {
        store.close();
      }
    } finally {
      await browser.close();
      try {
        child.kill("SIGKILL");
      } catch {
        // already stopped
      }
      await child.status;
      await stderr.catch(() => "");
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
