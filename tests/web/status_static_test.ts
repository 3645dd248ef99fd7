/**
 * Tests of the file routes through `app.request()`: the page shell from a temporary static
 * directory (content types, `no-cache`, the service worker's root scope), backtest reports from
 * the source with their own CSP, and refusal of path traversal (`..`, `%2e%2e`, encoded
 * slashes, hidden files, symbolic links out of the directory).
 *
 * @module
 */
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { createStatusApp, STATUS_CSP } from "../../web/status_app.ts";
import { REPORT_CSP } from "../../web/status_shell_routes.ts";
import { FakeStatusSource } from "../fakes/fake_status_source.ts";

const FILES: Record<string, string> = {
  "index.html": "<!doctype html><title>VELAS status</title>",
  "app.js": "export const app = 1;",
  "style.css": "body{margin:0}",
  "icon.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
  "icon.png": "\x89PNG",
  "manifest.webmanifest": '{"name":"VELAS"}',
  "sw.js": "self.addEventListener('fetch', () => {});",
  "data.json": "{}",
  "js/chart.js": "export const chart = 2;",
};

async function withStatic(
  run: (
    app: ReturnType<typeof createStatusApp>,
    source: FakeStatusSource,
  ) => Promise<void>,
): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "velas_static_test_" });
  try {
    const dir = join(root, "static");
    await Deno.mkdir(join(dir, "js"), { recursive: true });
    for (const [name, text] of Object.entries(FILES)) {
      await Deno.writeTextFile(join(dir, name), text);
    }
    await Deno.writeTextFile(join(root, "secret.txt"), "TOP SECRET");
    await Deno.writeTextFile(join(dir, ".env"), "TOKEN=hidden");
    await Deno.symlink(join(root, "secret.txt"), join(dir, "link.txt"));
    const source = new FakeStatusSource();
    await run(createStatusApp({ source, staticDir: dir }), source);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("status app serves the shell files with their content types and no-cache", async () => {
  await withStatic(async (app) => {
    const cases: [string, string, string][] = [
      ["/", "text/html; charset=utf-8", FILES["index.html"]!],
      ["/static/index.html", "text/html; charset=utf-8", FILES["index.html"]!],
      ["/static/app.js", "text/javascript; charset=utf-8", FILES["app.js"]!],
      [
        "/static/js/chart.js",
        "text/javascript; charset=utf-8",
        FILES["js/chart.js"]!,
      ],
      ["/static/style.css", "text/css; charset=utf-8", FILES["style.css"]!],
      ["/static/icon.svg", "image/svg+xml", FILES["icon.svg"]!],
      ["/static/icon.png", "image/png", FILES["icon.png"]!],
      ["/static/data.json", "application/json; charset=utf-8", "{}"],
      [
        "/manifest.webmanifest",
        "application/manifest+json",
        FILES["manifest.webmanifest"]!,
      ],
      ["/sw.js", "text/javascript; charset=utf-8", FILES["sw.js"]!],
    ];
    for (const [path, type, body] of cases) {
      const res = await app.request(path);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get("content-type"), type, path);
      assert.equal(res.headers.get("cache-control"), "no-cache", path);
      assert.equal(
        res.headers.get("content-security-policy"),
        STATUS_CSP,
        path,
      );
      assert.equal(res.headers.get("x-content-type-options"), "nosniff", path);
      assert.equal(await res.text(), body, path);
    }
  });
});

Deno.test("status app serves the service worker with the root scope allowed", async () => {
  await withStatic(async (app) => {
    const sw = await app.request("/sw.js");
    assert.equal(sw.headers.get("service-worker-allowed"), "/");
    await sw.body?.cancel();
    const other = await app.request("/static/app.js");
    assert.equal(other.headers.get("service-worker-allowed"), null);
    await other.body?.cancel();
  });
});

Deno.test("status app refuses path traversal and hidden files with 404", async () => {
  await withStatic(async (app) => {
    const attempts = [
      "/static/../secret.txt",
      "/static/%2e%2e/secret.txt",
      "/static/%2E%2E/secret.txt",
      "/static/..%2fsecret.txt",
      "/static/%2e%2e%2fsecret.txt",
      "/static/js/..%2f..%2fsecret.txt",
      "/static/..%5csecret.txt",
      "/static/%252e%252e/secret.txt",
      "/static/.env",
      "/static/%2eenv",
      "/static/link.txt",
      "/static/js",
      "/static/js/",
      "/static/",
      "/static/%zz",
      "/static/nope.js",
      "/static/index.html%00.js",
    ];
    for (const path of attempts) {
      const res = await app.request(path);
      const text = await res.text();
      assert.equal(res.status, 404, path);
      assert.ok(!text.includes("SECRET") && !text.includes("hidden"), path);
      assert.match(JSON.parse(text).error, /^not found: /, path);
    }
  });
});

Deno.test("status app answers 404 for the shell when the static directory is missing", async () => {
  const app = createStatusApp({
    source: new FakeStatusSource(),
    staticDir: "/nonexistent-velas-static",
  });
  for (
    const path of ["/", "/static/app.js", "/sw.js", "/manifest.webmanifest"]
  ) {
    const res = await app.request(path);
    assert.equal(res.status, 404, path);
    assert.deepEqual(await res.json(), { error: `not found: ${path}` });
  }
});

Deno.test("a GET of / with a token query but no configured token redirects to / without a cookie", async () => {
  const app = createStatusApp({ source: new FakeStatusSource() });
  const res = await app.request("/?token=abc");
  assert.equal(res.status, 303);
  assert.equal(res.headers.get("location"), "/");
  assert.equal(res.headers.get("set-cookie"), null);
});

Deno.test("status app serves a listed report with its own CSP and 404 for anything else", async () => {
  await withStatic(async (app, source) => {
    const entry = source.data.backtests[0]!;
    const res = await app.request(entry.url);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8");
    assert.equal(res.headers.get("content-security-policy"), REPORT_CSP);
    assert.equal(res.headers.get("x-frame-options"), "SAMEORIGIN");
    const html = await res.text();
    assert.match(html, /<h1>VELAS backtest<\/h1>/);
    assert.deepEqual(source.calls.at(-1), {
      method: "backtestFile",
      args: ["backtests/20261120-101500", "report.html"],
    });

    const missing = [
      "/reports/backtests/20261120-101500/other.html",
      "/reports/backtests/nope/report.html",
      "/reports/report.html",
      "/reports/backtests/20261120-101500/..%2f..%2fsecret.txt",
      "/reports/%2e%2e/backtests/20261120-101500/report.html",
    ];
    for (const path of missing) {
      const miss = await app.request(path);
      assert.equal(miss.status, 404, path);
      // The URL parser resolves `%2e%2e` segments before routing.
      assert.match((await miss.json()).error, /^not found: \//, path);
    }
    const names = source.calls.filter((c) => c.method === "backtestFile")
      .map((c) => c.args.join("/"));
    assert.ok(names.every((n) => !n.includes("..")), names.join(" "));
  });
});
