/**
 * Tests of the status app's JSON routes through `app.request()` (no port): every route returns
 * the fake source's data (also when the source answers with promises), pagination and filters
 * reach the source, bad query parameters are 400 naming the parameter, unknown routes 404,
 * thrown errors a generic 500 with the detail in the log only, other methods 405, every
 * response carries the security headers, and a status snapshot object is serialised once.
 *
 * @module
 */
import { strict as assert } from "node:assert";
import {
  createStatusApp,
  STATUS_CSP,
  type StatusLogLine,
} from "../../web/status_app.ts";
import { renderPrometheus } from "../../web/prometheus_text.ts";
import { renderTradesCsv } from "../../web/status_trades_csv.ts";
import type { StatusSnapshot } from "../../web/status_types.ts";
import { AsyncStatusSource } from "../fakes/fake_status_async.ts";
import {
  FAKE_STALE_KEY,
  FakeStatusSource,
} from "../fakes/fake_status_source.ts";
import { SseReader } from "../fakes/sse_reader.ts";

function setup() {
  const source = new FakeStatusSource();
  const logs: StatusLogLine[] = [];
  const app = createStatusApp({
    source,
    log: (line) => logs.push(line),
    staticDir: "/nonexistent-velas-static",
  });
  return { source, logs, app };
}

async function json(res: Response): Promise<unknown> {
  assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
  return await res.json();
}

function lastCall(source: FakeStatusSource, method: string): unknown[] {
  const call = source.calls.findLast((c) => c.method === method);
  assert.ok(call, `expected a call of ${method}`);
  return [...call.args];
}

function assertSecurityHeaders(res: Response): void {
  assert.equal(res.headers.get("x-content-type-options"), "nosniff");
  assert.equal(res.headers.get("referrer-policy"), "no-referrer");
  assert.equal(res.headers.get("x-frame-options"), "SAMEORIGIN");
  assert.equal(res.headers.get("content-security-policy"), STATUS_CSP);
}

Deno.test("status app answers every JSON route with the source's data", async () => {
  const { app } = setup();
  const fresh = new FakeStatusSource();
  const trade = fresh.data.trades[3]!;
  const cases: [string, () => unknown][] = [
    ["/api/status", () => fresh.status()],
    ["/api/positions", () => fresh.positions()],
    ["/api/trades/" + trade.id + "/fills", () => fresh.fills(trade.id)],
    ["/api/equity", () => fresh.equity()],
    ["/api/presets", () => fresh.presets()],
    ["/api/pairs", () => fresh.pairs()],
    ["/api/analytics", () => fresh.analytics()],
    ["/api/backtests", () => fresh.backtests()],
    ["/api/config", () => fresh.config()],
    ["/api/system", () => fresh.system()],
    ["/api/signals", () => fresh.signals({ limit: 50, offset: 0 })],
    ["/api/trades", () => fresh.trades({ limit: 50, offset: 0 })],
    ["/api/alerts", () => fresh.alerts({ limit: 50, offset: 0 })],
  ];
  for (const [path, expected] of cases) {
    const res = await app.request(path);
    assert.equal(res.status, 200, path);
    assert.deepEqual(await json(res), expected(), path);
  }
});

Deno.test("status app serves the fake's realistic data shapes", async () => {
  const { app } = setup();
  const status = await (await app.request("/api/status")).json();
  assert.ok(status.series.length >= 6);
  assert.equal(status.healthy, false);
  const positions = await (await app.request("/api/positions")).json();
  assert.equal(positions.length, 2);
  assert.equal(positions[0].tp.length, 6);
  assert.ok(positions[0].stopHistory.length >= 2);
  const signals = await (await app.request("/api/signals?limit=1000")).json();
  assert.ok(signals.total >= 30);
  const trades = await (await app.request("/api/trades?limit=1000")).json();
  assert.ok(trades.total >= 40);
  assert.ok(
    new Set(trades.rows.map((t: { symbol: string }) => t.symbol)).size >= 5,
  );
  const alerts = await (await app.request("/api/alerts?limit=100")).json();
  const states = new Set(alerts.rows.map((a: { state: string }) => a.state));
  assert.deepEqual([...states].sort(), ["failed", "queued", "sent"]);
});

Deno.test("status app answers one open position by trade id and 404 JSON when it is not open", async () => {
  const { app, source } = setup();
  const open = source.data.positions[1]!;
  const res = await app.request(`/api/positions/${open.tradeId}`);
  assert.equal(res.status, 200);
  assert.deepEqual(await json(res), open);

  const closed = source.data.trades[0]!.id;
  const missing = await app.request(`/api/positions/${closed}`);
  assert.equal(missing.status, 404);
  assert.deepEqual(await json(missing), {
    error: `not found: no open position '${closed}'`,
  });
});

Deno.test("status app passes signal pagination and filters to the source", async () => {
  const { app, source } = setup();
  const res = await app.request(
    "/api/signals?limit=3&offset=2&symbol=BTCUSDT&timeframe=1h&side=LONG&accepted=true",
  );
  assert.equal(res.status, 200);
  const query = {
    limit: 3,
    offset: 2,
    symbol: "BTCUSDT",
    timeframe: "1h",
    side: "LONG",
    accepted: true,
  } as const;
  assert.deepEqual(lastCall(source, "signals"), [query]);
  const body = await res.json();
  assert.deepEqual(body, new FakeStatusSource().signals(query));
  assert.equal(body.offset, 2);
  assert.equal(body.limit, 3);

  await app.request("/api/signals?accepted=false&side=SHORT");
  assert.deepEqual(lastCall(source, "signals"), [{
    limit: 50,
    offset: 0,
    side: "SHORT",
    accepted: false,
  }]);
});

Deno.test("status app passes trade filters, ISO and epoch times included, to the source", async () => {
  const { app, source } = setup();
  const res = await app.request(
    "/api/trades?limit=5&offset=1&symbol=ETHUSDT&side=LONG&reason=tp6&from=2026-08-01&to=1793491200000",
  );
  assert.equal(res.status, 200);
  const query = {
    limit: 5,
    offset: 1,
    symbol: "ETHUSDT",
    side: "LONG",
    reason: "tp6",
    from: Date.UTC(2026, 7, 1),
    to: 1793491200000,
  } as const;
  assert.deepEqual(lastCall(source, "trades"), [query]);
  assert.deepEqual(await res.json(), new FakeStatusSource().trades(query));

  await app.request("/api/trades?from=2026-09-01T12:30:00%2B02:00");
  assert.deepEqual(lastCall(source, "trades"), [{
    limit: 50,
    offset: 0,
    from: Date.UTC(2026, 8, 1, 10, 30),
  }]);
});

Deno.test("status app passes alert pagination to the source", async () => {
  const { app, source } = setup();
  const res = await app.request("/api/alerts?limit=4&offset=8");
  assert.deepEqual(lastCall(source, "alerts"), [{ limit: 4, offset: 8 }]);
  const body = await res.json();
  assert.equal(body.total, 12);
  assert.equal(body.rows.length, 4);
  assert.deepEqual(body.rows[0], source.data.alerts[8]);
});

Deno.test("health answers 503 naming the non-fresh series, and 200 with the series count once all are fresh", async () => {
  const { app, source } = setup();
  source.setFreshness("SOLUSDT:30m", "late");
  const bad = await app.request("/health");
  assert.equal(bad.status, 503);
  assert.deepEqual(await json(bad), {
    ok: false,
    stale: [
      { key: "SOLUSDT:30m", freshness: "late" },
      { key: FAKE_STALE_KEY, freshness: "stale" },
    ],
  });
  source.setFreshness("SOLUSDT:30m", "fresh");
  source.setFreshness(FAKE_STALE_KEY, "fresh");
  const good = await app.request("/health");
  assert.equal(good.status, 200);
  assert.deepEqual(await json(good), {
    ok: true,
    series: source.data.series.length,
  });
});

Deno.test("status app answers 404 JSON for an unknown route", async () => {
  const { app } = setup();
  for (const path of ["/x", "/api/nope", "/api/status/extra"]) {
    const res = await app.request(path);
    assert.equal(res.status, 404, path);
    assert.deepEqual(await json(res), { error: `not found: ${path}` });
    assertSecurityHeaders(res);
  }
});

Deno.test("status app answers 400 naming the parameter for a bad query", async () => {
  const { app, source } = setup();
  const cases: [string, string, string][] = [
    [
      "/api/signals?limit=abc",
      "limit",
      "bad query parameter 'limit': expected an integer 1..1000, got 'abc'",
    ],
    [
      "/api/signals?limit=0",
      "limit",
      "bad query parameter 'limit': expected an integer 1..1000, got '0'",
    ],
    [
      "/api/trades?limit=1001",
      "limit",
      "bad query parameter 'limit': expected an integer 1..1000, got '1001'",
    ],
    [
      "/api/alerts?offset=-1",
      "offset",
      "bad query parameter 'offset': expected an integer 0 or more, got '-1'",
    ],
    [
      "/api/signals?side=long",
      "side",
      "bad query parameter 'side': expected LONG or SHORT, got 'long'",
    ],
    [
      "/api/signals?accepted=yes",
      "accepted",
      "bad query parameter 'accepted': expected true or false, got 'yes'",
    ],
    [
      "/api/trades?from=yesterday",
      "from",
      "bad query parameter 'from': expected epoch ms or an ISO date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ), got 'yesterday'",
    ],
    [
      "/api/trades?format=xml",
      "format",
      "bad query parameter 'format': expected json or csv, got 'xml'",
    ],
    [
      "/api/signals?color=red",
      "color",
      "unknown query parameter 'color': expected one of limit, offset, symbol, timeframe, side, accepted",
    ],
    [
      "/api/status?verbose=1",
      "verbose",
      "unknown query parameter 'verbose': this route takes no query parameters",
    ],
    [
      "/api/trades?limit=5&limit=6",
      "limit",
      "bad query parameter 'limit': expected one value, got 2",
    ],
  ];
  for (const [path, parameter, error] of cases) {
    const before = source.calls.length;
    const res = await app.request(path);
    assert.equal(res.status, 400, path);
    assert.deepEqual(await json(res), { error, parameter }, path);
    assert.equal(
      source.calls.length,
      before,
      `${path} must not reach the source`,
    );
    assertSecurityHeaders(res);
  }
});

Deno.test("status app answers a generic 500 and logs the detail when the source throws", async () => {
  const { app, source, logs } = setup();
  source.throwOn(
    "positions",
    new Error("database is locked: /var/lib/velas/state.sqlite"),
  );
  const res = await app.request("/api/positions");
  assert.equal(res.status, 500);
  const text = await res.text();
  assert.deepEqual(JSON.parse(text), { error: "internal error" });
  assert.ok(!text.includes("locked"));
  assertSecurityHeaders(res);
  assert.equal(logs.length, 1);
  assert.equal(logs[0]!.level, "error");
  assert.equal(logs[0]!.path, "/api/positions");
  assert.match(String(logs[0]!.error), /database is locked/);
});

Deno.test("status app answers 405 to methods other than GET and HEAD", async () => {
  const { app, source } = setup();
  const res = await app.request("/api/status", { method: "POST" });
  assert.equal(res.status, 405);
  assert.equal(res.headers.get("allow"), "GET, HEAD");
  assert.deepEqual(await json(res), {
    error: "method not allowed: POST /api/status",
  });
  assert.equal(source.calls.length, 0);
  const head = await app.request("/api/status", { method: "HEAD" });
  assert.equal(head.status, 200);
});

Deno.test("status app sets the security headers on JSON and metrics responses", async () => {
  const { app } = setup();
  for (const path of ["/api/status", "/metrics", "/health"]) {
    assertSecurityHeaders(await app.request(path));
  }
});

Deno.test("status app masks the web token should the config hold it", async () => {
  const token = "s3cr3t-web-token-0123456789";
  class LeakySource extends FakeStatusSource {
    override config(): unknown {
      return { web: { token, note: `token=${token}` } };
    }
  }
  const app = createStatusApp({ source: new LeakySource(), token });
  const res = await app.request("/api/config", {
    headers: { Authorization: `Bearer ${token}` },
  });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), {
    web: { token: "[token]", note: "token=[token]" },
  });
});

Deno.test("fake source applies a pushed event to its data so routes read the same state", async () => {
  const { app, source } = setup();
  const healed = source.data.series.map((s) => ({
    ...s,
    freshness: "fresh" as const,
  }));
  source.push({ type: "health", series: healed });
  assert.equal((await app.request("/health")).status, 200);
  assert.equal((await (await app.request("/api/status")).json()).healthy, true);

  const signal = {
    ...source.data.signals[5]!,
    id: "BTCUSDT-1h-1795000000000-L",
  };
  source.push({ type: "signal", signal });
  const page = await (await app.request("/api/signals?limit=1")).json();
  assert.deepEqual(page.rows, [signal]);
  assert.equal(page.total, 37);
});

Deno.test("status app answers every route with the source's data when the source answers with promises", async () => {
  const inner = new FakeStatusSource();
  const app = createStatusApp({
    source: new AsyncStatusSource(inner),
    staticDir: "/nonexistent-velas-static",
  });
  const fresh = new FakeStatusSource();
  const trade = fresh.data.trades[3]!;
  const open = fresh.data.positions[0]!;
  const cases: [string, unknown][] = [
    ["/api/status", fresh.status()],
    ["/api/positions", fresh.positions()],
    [`/api/positions/${open.tradeId}`, open],
    [`/api/trades/${trade.id}/fills`, fresh.fills(trade.id)],
    ["/api/equity", fresh.equity()],
    ["/api/presets", fresh.presets()],
    ["/api/pairs", fresh.pairs()],
    ["/api/analytics", fresh.analytics()],
    ["/api/backtests", fresh.backtests()],
    ["/api/config", fresh.config()],
    ["/api/system", fresh.system()],
    ["/api/signals", fresh.signals({ limit: 50, offset: 0 })],
    ["/api/trades", fresh.trades({ limit: 50, offset: 0 })],
    ["/api/alerts", fresh.alerts({ limit: 50, offset: 0 })],
  ];
  for (const [path, expected] of cases) {
    const res = await app.request(path);
    assert.equal(res.status, 200, path);
    assert.deepEqual(await json(res), expected, path);
  }
  const health = await app.request("/health");
  assert.equal(health.status, 503);
  assert.deepEqual(await health.json(), {
    ok: false,
    stale: [{ key: FAKE_STALE_KEY, freshness: "stale" }],
  });
  const metrics = await app.request("/metrics");
  assert.equal(await metrics.text(), renderPrometheus(fresh.metrics()));
  const csv = await app.request("/api/trades?format=csv");
  assert.equal(await csv.text(), renderTradesCsv(fresh.allTrades({})));
  const entry = fresh.data.backtests[0]!;
  const report = await app.request(entry.url);
  assert.equal(report.status, 200);
  assert.deepEqual(
    new Uint8Array(await report.arrayBuffer()),
    fresh.backtestFile(entry.name, "report.html")!.body,
  );
  const client = new AbortController();
  const events = await app.request("/events", { signal: client.signal });
  try {
    const hello = await new SseReader(events.body).nextEvent();
    assert.deepEqual(JSON.parse(hello.data ?? ""), fresh.status());
  } finally {
    client.abort();
  }
});

Deno.test("status app answers a generic 500 when the source's promise rejects", async () => {
  const inner = new FakeStatusSource();
  const logs: StatusLogLine[] = [];
  const app = createStatusApp({
    source: new AsyncStatusSource(inner),
    log: (line) => logs.push(line),
  });
  inner.throwOn("equity", new Error("disk I/O error"));
  const res = await app.request("/api/equity");
  assert.equal(res.status, 500);
  assert.deepEqual(await res.json(), { error: "internal error" });
  assert.equal(logs.length, 1);
  assert.equal(logs[0]!.path, "/api/equity");
});

Deno.test("status app serialises a status snapshot object once however many requests read it", async () => {
  let serialised = 0;
  const counted = (status: StatusSnapshot): StatusSnapshot => ({
    ...status,
    toJSON() {
      serialised++;
      return status;
    },
  } as StatusSnapshot);
  class SameSnapshotSource extends FakeStatusSource {
    snapshot = counted(new FakeStatusSource().status());
    override status(): StatusSnapshot {
      return this.snapshot;
    }
  }
  const source = new SameSnapshotSource();
  const app = createStatusApp({ source });
  for (let i = 0; i < 3; i++) {
    const res = await app.request("/api/status");
    assert.deepEqual(await res.json(), new FakeStatusSource().status());
  }
  assert.equal(serialised, 1);
  source.snapshot = counted(new FakeStatusSource().status());
  await (await app.request("/api/status")).text();
  assert.equal(serialised, 2);
});
