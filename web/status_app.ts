/**
 * The status web app: a Hono app over a read-only {@link StatusSource}, each of whose calls it
 * awaits (a source may answer with promises). It serves the JSON API, `/metrics`, the `/events`
 * stream, the page shell and backtest reports; `/health` answers the service manager without a
 * token. Every response carries the security headers; a bad query is 400 naming the parameter,
 * an unknown route 404, and any other error a generic 500 whose detail goes to the log only
 * (with the token masked). Tests call `app.request()` directly.
 *
 * @module
 */
import { type Context, Hono } from "hono";
import { fileURLToPath } from "node:url";
import { redactToken } from "../data/redact.ts";
import { QueryParamError } from "./query_params.ts";
import { registerApiRoutes } from "./status_api_routes.ts";
import { tokenAuth } from "./status_auth.ts";
import { DEFAULT_HEARTBEAT_MS, statusEventStream } from "./status_events.ts";
import { registerShellRoutes } from "./status_shell_routes.ts";
import { byIdentity } from "./status_text_cache.ts";
import type { StatusSnapshot, StatusSource } from "./status_types.ts";

/** One structured log line of the app (the daemon's log shape). */
export type StatusLogLine = {
  readonly level: "debug" | "info" | "warn" | "error";
  readonly msg: string;
  readonly [field: string]: unknown;
};

/** Dependencies of {@link createStatusApp}. */
export interface StatusAppDeps {
  readonly source: StatusSource;
  /** When set (non-empty), every route but `/health` requires it. Never logged. */
  readonly token?: string;
  /** Receives error details and warnings (default: dropped). */
  readonly log?: (line: StatusLogLine) => void;
  /** The page shell's directory (default: `web/static` next to this file). */
  readonly staticDir?: string;
  /** Period of the `/events` heartbeat comment, ms (default 15 000). */
  readonly heartbeatMs?: number;
}

/**
 * The bindings `serveStatus` passes to `app.fetch`. Under `Deno.serve` a client that goes away
 * cancels its `/events` body, so the stream ends on the server's shutdown signal instead of
 * the request's (reading `request.signal` there also prints a legacy-behaviour warning).
 * Without them (`app.request()`), the request's signal ends the stream.
 */
export interface StatusServerBindings {
  readonly velasShutdown: AbortSignal;
}

/** The policy of every response except reports: only this origin, no inline code. */
export const STATUS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "manifest-src 'self'",
  "worker-src 'self'",
  "frame-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'self'",
].join("; ");

/** The default static directory: `web/static` beside this module. */
export const DEFAULT_STATIC_DIR = fileURLToPath(
  new URL("./static/", import.meta.url),
);

/** Apps built with a token, for {@link statusAppRequiresToken}. */
const guarded = new WeakMap<Hono, boolean>();

/**
 * Whether an app from {@link createStatusApp} requires a token.
 *
 * @param app Any Hono app.
 * @returns True or false for an app built here, undefined for any other.
 */
export function statusAppRequiresToken(app: Hono): boolean | undefined {
  return guarded.get(app);
}

function securityHeaders(c: Context): void {
  const headers = c.res.headers;
  headers.set("X-Content-Type-Options", "nosniff");
  headers.set("Referrer-Policy", "no-referrer");
  headers.set("X-Frame-Options", "SAMEORIGIN");
  if (!headers.has("Content-Security-Policy")) {
    headers.set("Content-Security-Policy", STATUS_CSP);
  }
}

/** The `/health` answer for a snapshot: 200 when every series is fresh, else 503. */
function healthOf(
  status: StatusSnapshot,
): { readonly status: 200 | 503; readonly body: Uint8Array<ArrayBuffer> } {
  const encode = (value: unknown) =>
    new TextEncoder().encode(JSON.stringify(value));
  if (status.healthy) {
    return {
      status: 200,
      body: encode({ ok: true, series: status.series.length }),
    };
  }
  const stale = status.series.filter((s) => s.freshness !== "fresh").map((
    s,
  ) => ({ key: s.key, freshness: s.freshness }));
  return { status: 503, body: encode({ ok: false, stale }) };
}

/**
 * Builds the status app.
 *
 * @param deps The source, the optional token, log and static directory.
 * @returns The Hono app; serve it with `serveStatus` or call `app.request()`.
 */
export function createStatusApp(deps: StatusAppDeps): Hono {
  const { source } = deps;
  const token = deps.token ?? "";
  const log = deps.log ?? (() => {});
  const heartbeatMs = deps.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  const app = new Hono();

  app.use(async (c, next) => {
    await next();
    securityHeaders(c);
  });
  app.use(async (c, next) => {
    if (c.req.method === "GET" || c.req.method === "HEAD") return await next();
    c.header("Allow", "GET, HEAD");
    return c.json(
      { error: `method not allowed: ${c.req.method} ${c.req.path}` },
      405,
    );
  });
  if (token !== "") app.use(tokenAuth(token));

  const health = byIdentity(healthOf);
  app.get("/health", async (c) => {
    const { status, body } = health(await source.status());
    return c.body(body, status, { "Content-Type": "application/json" });
  });
  app.get("/events", async (c) => {
    const headers = {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache",
      "X-Accel-Buffering": "no",
    };
    // A HEAD response has no body to cancel, so it must not subscribe.
    if (c.req.method === "HEAD") return c.body(null, 200, headers);
    const env = c.env as Partial<StatusServerBindings> | undefined;
    const signal = env?.velasShutdown ?? c.req.raw.signal;
    return c.body(
      await statusEventStream(source, { heartbeatMs, signal, log }),
      200,
      headers,
    );
  });
  registerApiRoutes(app, { source, token });
  registerShellRoutes(app, {
    source,
    staticDir: deps.staticDir ?? DEFAULT_STATIC_DIR,
  });

  app.notFound((c) => c.json({ error: `not found: ${c.req.path}` }, 404));
  app.onError((error, c) => {
    if (error instanceof QueryParamError) {
      return c.json({ error: error.message, parameter: error.parameter }, 400);
    }
    log({
      level: "error",
      msg: "status request failed",
      method: c.req.method,
      path: redactToken(c.req.path, token),
      error: redactToken(
        error instanceof Error ? (error.stack ?? error.message) : String(error),
        token,
      ),
    });
    return c.json({ error: "internal error" }, 500);
  });
  guarded.set(app, token !== "");
  return app;
}
