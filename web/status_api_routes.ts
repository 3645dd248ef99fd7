/**
 * The JSON routes of the status app (`/api/*`), the trades CSV export and `/metrics`. Every
 * handler validates its query (a bad one throws {@link QueryParamError}, answered 400 by the
 * app) and returns a snapshot read from the {@link StatusSource}; nothing here writes.
 * `/api/status` and `/metrics` serialise (and encode) a snapshot object once, however many
 * requests read it.
 *
 * @module
 */
import type { Context, Hono } from "hono";
import { redactToken } from "../data/redact.ts";
import {
  parseNoParams,
  parsePageParams,
  parseSignalParams,
  parseTradeParams,
} from "./query_params.ts";
import {
  PROMETHEUS_CONTENT_TYPE,
  renderPrometheus,
} from "./prometheus_text.ts";
import { renderTradesCsv, TRADE_CSV_FILENAME } from "./status_trades_csv.ts";
import { byIdentity } from "./status_text_cache.ts";
import type {
  Awaitable,
  MetricsSnapshot,
  StatusSnapshot,
  StatusSource,
} from "./status_types.ts";

/** What the API routes read. */
export interface ApiRouteDeps {
  readonly source: StatusSource;
  /** The web token, masked out of `/api/config` should it appear there; "" for none. */
  readonly token: string;
}

const encoder = new TextEncoder();

function query(c: Context): URLSearchParams {
  return new URL(c.req.url).searchParams;
}

/** Registers a GET route that takes no query parameters and answers JSON. */
function plain(
  app: Hono,
  path: string,
  read: (c: Context) => Awaitable<unknown>,
): void {
  app.get(path, async (c) => {
    parseNoParams(query(c));
    return c.json(await read(c));
  });
}

/**
 * Adds the `/api/*` routes and `/metrics` to the app.
 *
 * @param app The status app.
 * @param deps The source and the token.
 */
export function registerApiRoutes(app: Hono, deps: ApiRouteDeps): void {
  const { source } = deps;
  const statusJson = byIdentity((s: StatusSnapshot) =>
    encoder.encode(JSON.stringify(s))
  );
  const metricsText = byIdentity((m: MetricsSnapshot) =>
    encoder.encode(renderPrometheus(m))
  );

  app.get("/api/status", async (c) => {
    parseNoParams(query(c));
    return c.body(statusJson(await source.status()), 200, {
      "Content-Type": "application/json",
    });
  });
  plain(app, "/api/positions", () => source.positions());
  app.get("/api/positions/:tradeId", async (c) => {
    parseNoParams(query(c));
    const tradeId = c.req.param("tradeId");
    const position = (await source.positions()).find((p) =>
      p.tradeId === tradeId
    );
    if (position === undefined) {
      return c.json({ error: `not found: no open position '${tradeId}'` }, 404);
    }
    return c.json(position);
  });
  app.get(
    "/api/signals",
    async (c) => c.json(await source.signals(parseSignalParams(query(c)))),
  );
  app.get("/api/trades", async (c) => {
    const { query: filters, format } = parseTradeParams(query(c));
    if (format === "json") return c.json(await source.trades(filters));
    const { limit: _limit, offset: _offset, ...all } = filters;
    return c.body(renderTradesCsv(await source.allTrades(all)), 200, {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${TRADE_CSV_FILENAME}"`,
      "Cache-Control": "no-store",
    });
  });
  plain(
    app,
    "/api/trades/:id/fills",
    (c) => source.fills(c.req.param("id") ?? ""),
  );
  plain(app, "/api/equity", () => source.equity());
  plain(app, "/api/presets", () => source.presets());
  plain(app, "/api/pairs", () => source.pairs());
  plain(app, "/api/analytics", () => source.analytics());
  plain(app, "/api/backtests", () => source.backtests());
  app.get("/api/config", async (c) => {
    parseNoParams(query(c));
    const text = JSON.stringify((await source.config()) ?? null);
    return c.body(redactToken(text, deps.token), 200, {
      "Content-Type": "application/json",
    });
  });
  app.get(
    "/api/alerts",
    async (c) => c.json(await source.alerts(parsePageParams(query(c)))),
  );
  plain(app, "/api/system", () => source.system());
  app.get(
    "/metrics",
    async (c) =>
      c.body(metricsText(await source.metrics()), 200, {
        "Content-Type": PROMETHEUS_CONTENT_TYPE,
        "Cache-Control": "no-store",
      }),
  );
}
