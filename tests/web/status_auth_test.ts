/**
 * Tests of the status app's token: every route but `/health` answers 401 without it, the
 * bearer header and the cookie both work, `/?token=` sets the cookie once with a 303, and the
 * token never appears in a response body, a header other than that Set-Cookie, or the log.
 *
 * @module
 */
import { strict as assert } from "node:assert";
import { createStatusApp, type StatusLogLine } from "../../web/status_app.ts";
import { tokensEqual } from "../../web/status_auth.ts";
import {
  FAKE_STALE_KEY,
  FakeStatusSource,
} from "../fakes/fake_status_source.ts";

const TOKEN = "Zq8-velas-token_2026";

function setup(staticDir = "/nonexistent-velas-static") {
  const source = new FakeStatusSource();
  const logs: StatusLogLine[] = [];
  const app = createStatusApp({
    source,
    token: TOKEN,
    log: (line) => logs.push(line),
    staticDir,
  });
  return { source, logs, app };
}

async function assertUnauthorized(res: Response, what: string): Promise<void> {
  assert.equal(res.status, 401, what);
  assert.equal(res.headers.get("www-authenticate"), "Bearer", what);
  assert.equal(res.headers.get("x-content-type-options"), "nosniff", what);
  assert.equal(res.headers.get("set-cookie"), null, what);
  assert.deepEqual(await res.json(), { error: "unauthorized" }, what);
}

const PROTECTED = [
  "/",
  "/api/status",
  "/api/trades?format=csv",
  "/metrics",
  "/events",
  "/static/app.js",
  "/sw.js",
  "/reports/backtests/20261120-101500/report.html",
  "/nope",
];

Deno.test("status app answers 401 on every route but health without the token", async () => {
  const { app, source } = setup();
  for (const path of PROTECTED) {
    await assertUnauthorized(await app.request(path), path);
  }
  assert.deepEqual(source.calls, []);
});

Deno.test("status app answers 401 to a wrong token in the header, the cookie or a query on an API route", async () => {
  const { app } = setup();
  const wrong: [string, RequestInit][] = [
    ["/api/status", { headers: { Authorization: `Bearer ${TOKEN}x` } }],
    ["/api/status", { headers: { Authorization: `Basic ${TOKEN}` } }],
    ["/api/status", { headers: { Authorization: "Bearer" } }],
    ["/api/status", { headers: { Cookie: `velas_token=${TOKEN.slice(1)}` } }],
    ["/api/status", { headers: { Cookie: `other=${TOKEN}` } }],
    [`/api/status?token=${TOKEN}`, {}],
  ];
  for (const [path, init] of wrong) {
    await assertUnauthorized(
      await app.request(path, init),
      JSON.stringify(init),
    );
  }
});

Deno.test("status app answers 200 with the token as a bearer header or a cookie", async () => {
  const staticDir = await Deno.makeTempDir({ prefix: "velas_auth_static_" });
  try {
    await Deno.writeTextFile(
      `${staticDir}/index.html`,
      "<!doctype html><title>VELAS</title>",
    );
    await assertTokenWorks(setup(staticDir).app);
  } finally {
    await Deno.remove(staticDir, { recursive: true });
  }
});

async function assertTokenWorks(app: ReturnType<typeof setup>["app"]) {
  const bearer = await app.request("/api/status", {
    headers: { Authorization: `Bearer ${TOKEN}` },
  });
  assert.equal(bearer.status, 200);
  const cookie = await app.request("/metrics", {
    headers: { Cookie: `theme=dark; velas_token=${TOKEN}` },
  });
  assert.equal(cookie.status, 200);
  const page = await app.request("/", {
    headers: { Cookie: `velas_token=${TOKEN}` },
  });
  assert.equal(page.status, 200);
  assert.match(await page.text(), /VELAS/);
}

Deno.test("health answers without the token", async () => {
  const { app, source } = setup();
  const res = await app.request("/health");
  assert.equal(res.status, 503);
  assert.deepEqual(await res.json(), {
    ok: false,
    stale: [{ key: FAKE_STALE_KEY, freshness: "stale" }],
  });
  source.setFreshness(FAKE_STALE_KEY, "fresh");
  assert.equal((await app.request("/health")).status, 200);
});

Deno.test("a GET of / with the token answers 303 to / and sets the HttpOnly SameSite cookie that then works", async () => {
  const { app } = setup();
  const res = await app.request(`/?token=${encodeURIComponent(TOKEN)}`);
  assert.equal(res.status, 303);
  assert.equal(res.headers.get("location"), "/");
  const cookie = res.headers.get("set-cookie") ?? "";
  const parts = cookie.split(";").map((p) => p.trim());
  assert.equal(parts[0], `velas_token=${encodeURIComponent(TOKEN)}`);
  assert.ok(parts.includes("HttpOnly"), cookie);
  assert.ok(parts.includes("SameSite=Strict"), cookie);
  assert.ok(parts.includes("Path=/"), cookie);
  assert.equal(res.headers.get("referrer-policy"), "no-referrer");

  const events = await app.request("/api/status", {
    headers: { Cookie: parts[0]! },
  });
  assert.equal(events.status, 200);
});

Deno.test("a GET of / with a wrong token answers 401 and sets no cookie", async () => {
  const { app } = setup();
  await assertUnauthorized(await app.request("/?token=guess"), "/?token=guess");
});

Deno.test("the token appears in no response and no log line", async () => {
  const { app, source, logs } = setup();
  source.throwOn("fills", new Error(`boom while reading ${TOKEN}`));
  const auth = { headers: { Authorization: `Bearer ${TOKEN}` } };
  const paths = [
    "/api/status",
    "/api/positions",
    "/api/signals",
    "/api/trades",
    "/api/trades?format=csv",
    "/api/equity",
    "/api/presets",
    "/api/pairs",
    "/api/analytics",
    "/api/backtests",
    "/api/config",
    "/api/alerts",
    "/api/system",
    "/metrics",
    "/health",
    "/nope",
    `/api/trades/${TOKEN}/fills`,
    "/api/signals?limit=x",
  ];
  for (const path of paths) {
    const res = await app.request(path, auth);
    const text = await res.text();
    assert.ok(!text.includes(TOKEN), `${path} body holds the token`);
    for (const [name, value] of res.headers) {
      assert.ok(
        !value.includes(TOKEN),
        `${path} header ${name} holds the token`,
      );
    }
  }
  assert.equal(logs.length, 1);
  assert.ok(!JSON.stringify(logs).includes(TOKEN), JSON.stringify(logs));
  assert.match(String(logs[0]!.error), /boom while reading \[token\]/);
});

Deno.test("tokensEqual is true only for the same token", async () => {
  assert.equal(await tokensEqual(TOKEN, TOKEN), true);
  assert.equal(await tokensEqual(`${TOKEN}x`, TOKEN), false);
  assert.equal(await tokensEqual("", TOKEN), false);
  assert.equal(await tokensEqual(TOKEN.toUpperCase(), TOKEN), false);
});

Deno.test("a browser opening / without the token gets a 401 page saying how to pass it, with no data", async () => {
  const fake = new FakeStatusSource();
  const app = createStatusApp({ source: fake, token: "s3cret-token" });
  const res = await app.request("/", { headers: { Accept: "text/html" } });
  assert.equal(res.status, 401);
  assert.match(res.headers.get("content-type") ?? "", /text\/html/);
  const page = await res.text();
  assert.match(page, /Token required/);
  assert.match(page, /\?token=/);
  assert.doesNotMatch(page, /s3cret-token|BTCUSDT/);
});
