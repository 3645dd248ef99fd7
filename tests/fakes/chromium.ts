/**
 * Headless Chromium for tests that look at rendered pages. `CHROMIUM` is `/usr/bin/chromium`
 * when it exists; tests use `ignore: CHROMIUM === undefined` and append `NEEDS_CHROMIUM` to
 * their name, so a skipped test says why in one line. `screenshot` runs a fresh, offline
 * browser profile (temporary `--user-data-dir`, removed afterwards) and kills it after a
 * timeout.
 *
 * @module
 */
import { existsSync } from "node:fs";

const CANDIDATE = "/usr/bin/chromium";

/** Path of the Chromium binary, or undefined when it is absent. */
export const CHROMIUM: string | undefined = existsSync(CANDIDATE)
  ? CANDIDATE
  : undefined;

/** Suffix for the names of tests that are skipped without Chromium. */
export const NEEDS_CHROMIUM = CHROMIUM === undefined
  ? ` (skipped: ${CANDIDATE} is absent; apt-get install chromium)`
  : "";

/** Options of {@linkcode screenshot}. */
export interface ScreenshotOptions {
  readonly width?: number;
  readonly height?: number;
  /** Kill the browser after this many milliseconds (default 60 000). */
  readonly timeoutMs?: number;
}

/**
 * Renders a local HTML file in headless Chromium and saves a PNG of the window.
 *
 * @param htmlPath Absolute path of the page.
 * @param pngPath Where the PNG goes.
 * @param options Window size and timeout.
 * @throws {Error} When Chromium is absent, fails, times out or writes no PNG.
 */
export async function screenshot(
  htmlPath: string,
  pngPath: string,
  options: ScreenshotOptions = {},
): Promise<void> {
  if (CHROMIUM === undefined) throw new Error(`${CANDIDATE} is absent`);
  const { width = 1280, height = 2000, timeoutMs = 60_000 } = options;
  const profile = await Deno.makeTempDir({ prefix: "velas_chromium_" });
  try {
    const { code, stderr } = await new Deno.Command(CHROMIUM, {
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        `--user-data-dir=${profile}`,
        `--screenshot=${pngPath}`,
        `--window-size=${width},${height}`,
        new URL(`file://${htmlPath}`).href,
      ],
      env: { HOME: profile },
      stdin: "null",
      stdout: "null",
      stderr: "piped",
      signal: AbortSignal.timeout(timeoutMs),
    }).output();
    if (code !== 0 || !existsSync(pngPath)) {
      const tail = new TextDecoder().decode(stderr).trim().split("\n").slice(
        -5,
      );
      throw new Error(
        `Cannot take a screenshot of '${htmlPath}' as chromium must exit with 0 and write the PNG: current exit code is ${code}\n${
          tail.join("\n")
        }`,
      );
    }
  } finally {
    await Deno.remove(profile, { recursive: true });
  }
}
