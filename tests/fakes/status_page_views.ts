/**
 * What the browser tests of the status page share: the ten views, how to open one and wait
 * until it is drawn, and where screenshots go.
 *
 * @module
 */
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "./cdp.ts";

/** The views of the page, as their `#/<id>` routes name them. */
export const VIEWS = [
  "overview",
  "positions",
  "history",
  "signals",
  "pairs",
  "analytics",
  "backtests",
  "settings",
  "alerts",
  "system",
] as const;

/**
 * A page expression that is true once a view is drawn: its root exists and nothing in it is
 * still loading or failed.
 *
 * @param view The view id.
 * @returns The expression.
 */
export function viewReady(view: string): string {
  return `(() => {
    const root = document.querySelector('main [data-view="${view}"]');
    return root !== null && root.children.length > 0 &&
      root.querySelector('.loading') === null && root.querySelector('.error-box') === null;
  })()`;
}

/**
 * Routes the page to a view and waits until it is drawn.
 *
 * @param page The page.
 * @param view The view id.
 * @param timeoutMs How long to wait (default 10 s).
 */
export async function openView(
  page: Page,
  view: string,
  timeoutMs = 10_000,
): Promise<void> {
  await page.evaluate(
    `location.hash = ${
      JSON.stringify(view === "overview" ? "#/" : `#/${view}`)
    }`,
  );
  await page.waitFor(viewReady(view), { what: `the ${view} view`, timeoutMs });
}

const printed = new Set<string>();

/**
 * `$VELAS_TEST_OUTPUT/<name>` (default under the system temp directory), created, and printed
 * once per run.
 *
 * @param name The folder, e.g. `status-page`.
 * @returns Its path.
 */
export function screenshotDir(name: string): string {
  const root = Deno.env.get("VELAS_TEST_OUTPUT") ??
    join(tmpdir(), "velas-test-output");
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  if (!printed.has(dir)) {
    printed.add(dir);
    // deno-lint-ignore no-console -- where the screenshots are, once per run
    console.log(`status page screenshots: ${dir}`);
  }
  return dir;
}
