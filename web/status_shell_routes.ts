/**
 * The routes that serve files: the page shell (`/` → `index.html`, `/static/*`, and
 * `/manifest.webmanifest` and `/sw.js` at the root so the service worker gets the root scope)
 * from the static directory, and backtest reports (`/reports/<name…>/<file>`) from the
 * {@link StatusSource}. The shell is sent with `Cache-Control: no-cache`; reports get a
 * Content-Security-Policy of their own that allows their inline CSS and nothing else.
 *
 * @module
 */
import type { Context, Hono } from "hono";
import { readStaticFile, safeSegments } from "./status_static.ts";
import type { StatusSource } from "./status_types.ts";

/** The policy of a served report: inline CSS and data: images, no script, no fetch. */
export const REPORT_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";

/** What the file routes read. */
export interface ShellRouteDeps {
  readonly source: StatusSource;
  /** The directory of the page shell. */
  readonly staticDir: string;
}

function notFound(c: Context): Response {
  return c.json({ error: `not found: ${c.req.path}` }, 404);
}

/** The raw (percent-encoded) path after `prefix`. */
function rawRest(c: Context, prefix: string): string {
  return new URL(c.req.url).pathname.slice(prefix.length);
}

async function shellFile(
  c: Context,
  options: { dir: string; segments: readonly string[] | undefined },
): Promise<Response> {
  const file = options.segments === undefined
    ? undefined
    : await readStaticFile(options.dir, options.segments);
  if (file === undefined) return notFound(c);
  return c.body(file.body, 200, {
    "Content-Type": file.type,
    "Cache-Control": "no-cache",
  });
}

/**
 * Adds the shell and report routes to the app.
 *
 * @param app The status app.
 * @param deps The source and the static directory.
 */
export function registerShellRoutes(app: Hono, deps: ShellRouteDeps): void {
  const dir = deps.staticDir;
  app.get("/", (c) => {
    // Without a configured token, `?token=` is only dropped from the address bar.
    if (c.req.query("token") !== undefined) return c.redirect("/", 303);
    return shellFile(c, { dir, segments: ["index.html"] });
  });
  app.get(
    "/manifest.webmanifest",
    (c) => shellFile(c, { dir, segments: ["manifest.webmanifest"] }),
  );
  app.get("/sw.js", async (c) => {
    const response = await shellFile(c, { dir, segments: ["sw.js"] });
    if (response.ok) response.headers.set("Service-Worker-Allowed", "/");
    return response;
  });
  app.get(
    "/static/*",
    (c) =>
      shellFile(c, { dir, segments: safeSegments(rawRest(c, "/static/")) }),
  );
  app.get("/reports/*", async (c) => {
    const segments = safeSegments(rawRest(c, "/reports/"));
    if (segments === undefined || segments.length < 2) return notFound(c);
    const file = await deps.source.backtestFile(
      segments.slice(0, -1).join("/"),
      segments[segments.length - 1] ?? "",
    );
    if (file === undefined) return notFound(c);
    return c.body(file.body, 200, {
      "Content-Type": file.type,
      "Cache-Control": "no-cache",
      "Content-Security-Policy": REPORT_CSP,
    });
  });
}
