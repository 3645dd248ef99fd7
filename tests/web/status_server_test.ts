/**
 * Tests of `serveStatus`: it refuses a host other than loopback without a token (before
 * binding anything), serves on 127.0.0.1 with a free port and a token over real HTTP, logs the
 * URL but never the token, ends open `/events` streams on shutdown, and unsubscribes a client
 * that disconnects.
 *
 * @module
 */
import { strict as assert } from "node:assert";
import { createStatusApp, type StatusLogLine } from "../../web/status_app.ts";
import { isLoopbackHost, serveStatus } from "../../web/status_server.ts";
import {
  FAKE_STALE_KEY,
  FakeStatusSource,
} from "../fakes/fake_status_source.ts";
import { eventually, SseReader } from "../fakes/sse_reader.ts";

const TOKEN = "srv-token-7f3a9c";

Deno.test("serveStatus refuses a host other than loopback without a token", () => {
  const app = createStatusApp({ source: new FakeStatusSource() });
  for (const host of ["0.0.0.0", "192.168.1.20", "::"]) {
    for (const token of [undefined, ""]) {
      assert.throws(
        () =>
          serveStatus({
            app,
            host,
            port: 0,
            log: () => {},
            ...(token === undefined ? {} : { token }),
          }),
        new Error(
          `Cannot serve the status page on host '${host}' as a host other than loopback (127.0.0.1, ::1, localhost) requires a token: set VELAS_WEB_TOKEN`,
        ),
      );
    }
  }
});

Deno.test("serveStatus refuses a host other than loopback when the app does not require the token", () => {
  const app = createStatusApp({ source: new FakeStatusSource() });
  assert.throws(
    () =>
      serveStatus({
        app,
        host: "0.0.0.0",
        port: 0,
        token: TOKEN,
        log: () => {},
      }),
    new Error(
      "Cannot serve the status page on host '0.0.0.0' as the app must require the token: pass VELAS_WEB_TOKEN to createStatusApp too",
    ),
  );
});

Deno.test("serveStatus refuses a port outside 0..65535", () => {
  const app = createStatusApp({ source: new FakeStatusSource() });
  assert.throws(
    () => serveStatus({ app, host: "127.0.0.1", port: 70000, log: () => {} }),
    new RangeError(
      "Cannot serve the status page as 'port' must be an integer 0..65535: current value is 70000",
    ),
  );
});

Deno.test("isLoopbackHost knows the loopback names and no others", () => {
  for (const host of ["127.0.0.1", "::1", "[::1]", "localhost", "LOCALHOST"]) {
    assert.equal(isLoopbackHost(host), true, host);
  }
  for (const host of ["0.0.0.0", "::", "127.0.0.1.example.com", "10.0.0.1"]) {
    assert.equal(isLoopbackHost(host), false, host);
  }
});

Deno.test("serveStatus serves health and the token-protected API over HTTP on a free port", async () => {
  const source = new FakeStatusSource();
  source.setFreshness(FAKE_STALE_KEY, "fresh");
  const logs: StatusLogLine[] = [];
  const app = createStatusApp({ source, token: TOKEN });
  const server = serveStatus({
    app,
    host: "127.0.0.1",
    port: 0,
    token: TOKEN,
    log: (line) => logs.push(line),
  });
  try {
    assert.equal(server.addr.hostname, "127.0.0.1");
    assert.ok(server.addr.port > 0);
    const base = `http://127.0.0.1:${server.addr.port}`;
    const health = await fetch(`${base}/health`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { ok: true, series: 7 });

    const denied = await fetch(`${base}/api/status`);
    assert.equal(denied.status, 401);
    await denied.body?.cancel();
    const allowed = await fetch(`${base}/api/status`, {
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(allowed.status, 200);
    assert.equal((await allowed.json()).mode, "demo");

    assert.deepEqual(logs, [{
      level: "info",
      msg: "status page listening",
      url: `http://127.0.0.1:${server.addr.port}/`,
    }]);
    assert.ok(!JSON.stringify(logs).includes(TOKEN));
  } finally {
    await server.shutdown();
  }
  await server.finished;
});

Deno.test("serveStatus shutdown ends an open event stream and unsubscribes it", async () => {
  const source = new FakeStatusSource();
  const server = serveStatus({
    app: createStatusApp({ source }),
    host: "127.0.0.1",
    port: 0,
    log: () => {},
  });
  const res = await fetch(`http://127.0.0.1:${server.addr.port}/events`);
  const reader = new SseReader(res.body);
  assert.equal((await reader.nextEvent()).event, "hello");
  assert.equal(source.subscriberCount, 1);
  await server.shutdown();
  await server.finished;
  assert.equal(source.subscriberCount, 0);
  assert.equal(await reader.next(), undefined);
});

Deno.test("serveStatus unsubscribes an event client that disconnects", async () => {
  const source = new FakeStatusSource();
  const stop = new AbortController();
  const server = serveStatus({
    app: createStatusApp({ source }),
    host: "127.0.0.1",
    port: 0,
    log: () => {},
    signal: stop.signal,
  });
  try {
    const client = new AbortController();
    const res = await fetch(`http://127.0.0.1:${server.addr.port}/events`, {
      signal: client.signal,
    });
    const reader = new SseReader(res.body);
    assert.equal((await reader.nextEvent()).event, "hello");
    source.push({ type: "health", series: source.data.series });
    assert.equal((await reader.nextEvent()).event, "health");
    assert.equal(source.subscriberCount, 1);
    client.abort();
    await reader.cancel().catch(() => {});
    await eventually(() => source.subscriberCount === 0, "the unsubscribe");
  } finally {
    stop.abort();
  }
  await server.finished;
});
