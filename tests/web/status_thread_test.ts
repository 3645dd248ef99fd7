/**
 * Tests of `startStatusThread` through a real Worker on 127.0.0.1 (port 0) over the fake
 * source: the hot routes answer from pushed snapshots without calling the source and follow
 * its changes (on the regular push and right after an event), every other route goes through a
 * call to the main thread, `/events` carries the source's events, errors and start-up failures
 * (port in use, host without token) reject as documented, the token is enforced in the worker,
 * and `stop()` ends the event streams and frees the port.
 *
 * @module
 */
import { strict as assert } from "node:assert";
import { renderPrometheus } from "../../web/prometheus_text.ts";
import type { StatusLogLine } from "../../web/status_app.ts";
import {
  startStatusThread,
  type StatusThread,
  type StatusThreadOptions,
} from "../../web/status_thread.ts";
import { renderTradesCsv } from "../../web/status_trades_csv.ts";
import type { StatusEvent } from "../../web/status_types.ts";
import {
  FAKE_STALE_KEY,
  FakeStatusSource,
} from "../fakes/fake_status_source.ts";
import { SseReader } from "../fakes/sse_reader.ts";

const TOKEN = "thread-token-5d1e0b";
/** Long enough that no regular push happens during a test that must see none. */
const NO_REGULAR_PUSH_MS = 600_000;

interface Setup {
  readonly source: FakeStatusSource;
  readonly thread: StatusThread;
  readonly logs: StatusLogLine[];
  get(path: string, init?: RequestInit): Promise<Response>;
}

async function withThread(
  options: Partial<StatusThreadOptions>,
  run: (setup: Setup) => Promise<void>,
): Promise<void> {
  const source = new FakeStatusSource();
  const logs: StatusLogLine[] = [];
  const thread = await startStatusThread({
    source,
    host: "127.0.0.1",
    port: 0,
    log: (line) => logs.push(line),
    staticDir: "/nonexistent-velas-static",
    ...options,
  });
  const base = `http://127.0.0.1:${thread.addr.port}`;
  try {
    await run({
      source,
      thread,
      logs,
      get: (path, init) => fetch(base + path, init),
    });
  } finally {
    await thread.stop();
  }
}

/** Polls (a few ms apart, at most 5 s) until `check` holds. */
async function until(
  check: () => Promise<boolean>,
  what: string,
): Promise<void> {
  const deadline = performance.now() + 5_000;
  while (performance.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

/** Settles like `promise`, or rejects once 5 s have passed without it settling. */
async function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Timed out waiting for ${what}`)),
      5_000,
    );
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("status thread answers status, health and metrics from pushed snapshots without calling the source", async () => {
  await withThread({ pushEveryMs: NO_REGULAR_PUSH_MS }, async (t) => {
    const expected = new FakeStatusSource();
    const calls = t.source.calls.length;
    for (let i = 0; i < 5; i++) {
      const status = await t.get("/api/status");
      assert.equal(status.status, 200);
      assert.match(
        status.headers.get("content-type") ?? "",
        /^application\/json/,
      );
      assert.deepEqual(await status.json(), expected.status());
      const metrics = await t.get("/metrics");
      assert.equal(metrics.status, 200);
      assert.equal(await metrics.text(), renderPrometheus(expected.metrics()));
      const health = await t.get("/health");
      assert.equal(health.status, 503);
      assert.deepEqual(await health.json(), {
        ok: false,
        stale: [{ key: FAKE_STALE_KEY, freshness: "stale" }],
      });
    }
    assert.deepEqual(t.source.calls.slice(calls), []);
  });
});

Deno.test("status thread serves the new status after the source's data changes and the next regular push", async () => {
  await withThread({ pushEveryMs: 20 }, async (t) => {
    assert.equal((await (await t.get("/api/status")).json()).healthy, false);
    t.source.setFreshness(FAKE_STALE_KEY, "fresh");
    await until(
      async () => (await (await t.get("/api/status")).json()).healthy,
      "the healthy snapshot",
    );
    const health = await t.get("/health");
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { ok: true, series: 7 });
  });
});

Deno.test("status thread pushes the status and metrics right after an event of the source", async () => {
  await withThread({ pushEveryMs: NO_REGULAR_PUSH_MS }, async (t) => {
    const signal = {
      ...t.source.data.signals[0]!,
      id: "BTCUSDT-1h-1795600000000-L",
    };
    t.source.push({ type: "signal", signal });
    const expected = t.source.status();
    assert.equal(expected.counts.signals, 37);
    await until(
      async () =>
        (await (await t.get("/api/status")).json()).counts.signals === 37,
      "the snapshot pushed after the event",
    );
    assert.deepEqual(await (await t.get("/api/status")).json(), expected);
    assert.equal(
      await (await t.get("/metrics")).text(),
      renderPrometheus(t.source.metrics()),
    );
  });
});

Deno.test("status thread answers the other routes with the source's data through calls to the main thread", async () => {
  await withThread({}, async (t) => {
    const fresh = new FakeStatusSource();
    const trade = fresh.data.trades[3]!;
    const open = fresh.data.positions[1]!;
    const cases: [string, unknown][] = [
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
      [
        "/api/signals?limit=3&offset=2&side=LONG",
        fresh.signals({ limit: 3, offset: 2, side: "LONG" }),
      ],
      [
        "/api/trades?limit=5&symbol=ETHUSDT",
        fresh.trades({ limit: 5, offset: 0, symbol: "ETHUSDT" }),
      ],
      ["/api/alerts?limit=4&offset=8", fresh.alerts({ limit: 4, offset: 8 })],
    ];
    for (const [path, expected] of cases) {
      const res = await t.get(path);
      assert.equal(res.status, 200, path);
      assert.deepEqual(await res.json(), expected, path);
    }
    assert.deepEqual(t.source.calls.findLast((c) => c.method === "trades"), {
      method: "trades",
      args: [{ limit: 5, offset: 0, symbol: "ETHUSDT" }],
    });

    const csv = await t.get("/api/trades?format=csv&side=SHORT");
    assert.equal(csv.status, 200);
    assert.equal(csv.headers.get("content-type"), "text/csv; charset=utf-8");
    assert.equal(
      await csv.text(),
      renderTradesCsv(fresh.allTrades({ side: "SHORT" })),
    );

    const entry = fresh.data.backtests[0]!;
    const report = await t.get(entry.url);
    assert.equal(report.status, 200);
    assert.equal(
      report.headers.get("content-type"),
      "text/html; charset=utf-8",
    );
    const file = fresh.backtestFile(entry.name, "report.html")!;
    assert.deepEqual(new Uint8Array(await report.arrayBuffer()), file.body);
    const missing = await t.get(`/reports/${entry.name}/nope.html`);
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
  });
});

Deno.test("status thread delivers a pushed signal event on /events after the hello snapshot", async () => {
  await withThread({ pushEveryMs: NO_REGULAR_PUSH_MS }, async (t) => {
    const client = new AbortController();
    const res = await t.get("/events", { signal: client.signal });
    try {
      assert.equal(res.status, 200);
      const reader = new SseReader(res.body);
      const hello = await reader.nextEvent();
      assert.equal(hello.event, "hello");
      assert.deepEqual(
        JSON.parse(hello.data ?? ""),
        new FakeStatusSource().status(),
      );
      const event: StatusEvent = {
        type: "signal",
        signal: t.source.data.signals[2]!,
      };
      t.source.push(event);
      const frame = await within(reader.nextEvent(), "the signal event");
      assert.deepEqual(
        [frame.event, frame.id, JSON.parse(frame.data ?? "")],
        ["signal", "2", event],
      );
    } finally {
      client.abort();
    }
  });
});

Deno.test("status thread answers a generic 500 when a source method throws in the main thread", async () => {
  await withThread({}, async (t) => {
    t.source.throwOn(
      "positions",
      new Error("database is locked: /var/lib/velas/state.sqlite"),
    );
    const res = await t.get("/api/positions");
    assert.equal(res.status, 500);
    const text = await res.text();
    assert.deepEqual(JSON.parse(text), { error: "internal error" });
    assert.ok(!text.includes("locked"));
    await until(
      () =>
        Promise.resolve(
          t.logs.some((l) =>
            l.level === "error" && l.path === "/api/positions"
          ),
        ),
      "the error's log line",
    );
  });
});

Deno.test("startStatusThread rejects with AddrInUse naming host and port when the port is taken", async () => {
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const source = new FakeStatusSource();
  try {
    const { port } = taken.addr as Deno.NetAddr;
    await assert.rejects(
      startStatusThread({ source, host: "127.0.0.1", port, log: () => {} }),
      (error: unknown) => {
        assert.ok(error instanceof Deno.errors.AddrInUse);
        assert.equal(error.name, "AddrInUse");
        assert.ok(
          error.message.startsWith(
            `Cannot serve the status page on 127.0.0.1:${port} as binding failed: `,
          ),
          error.message,
        );
        return true;
      },
    );
    assert.equal(source.subscriberCount, 0);
  } finally {
    taken.close();
  }
});

Deno.test("startStatusThread rejects a host other than loopback without a token", async () => {
  const source = new FakeStatusSource();
  await assert.rejects(
    startStatusThread({ source, host: "0.0.0.0", port: 0, log: () => {} }),
    new Error(
      "Cannot serve the status page on host '0.0.0.0' as a host other than loopback (127.0.0.1, ::1, localhost) requires a token: set VELAS_WEB_TOKEN",
    ),
  );
  assert.equal(source.subscriberCount, 0);
});

Deno.test("startStatusThread refuses a port outside 0..65535 before spawning a worker", async () => {
  const source = new FakeStatusSource();
  await assert.rejects(
    startStatusThread({
      source,
      host: "127.0.0.1",
      port: 70000,
      log: () => {},
    }),
    new RangeError(
      "Cannot serve the status page as 'port' must be an integer 0..65535: current value is 70000",
    ),
  );
  assert.deepEqual(source.calls, []);
});

Deno.test("status thread stop ends open event streams, frees the port and can be called again", async () => {
  const source = new FakeStatusSource();
  const thread = await startStatusThread({
    source,
    host: "127.0.0.1",
    port: 0,
    log: () => {},
  });
  const { port } = thread.addr;
  assert.equal(thread.url, `http://127.0.0.1:${port}/`);
  const res = await fetch(`${thread.url}events`);
  const reader = new SseReader(res.body);
  assert.equal((await reader.nextEvent()).event, "hello");
  assert.equal(source.subscriberCount, 1, "the thread's own subscription");
  await thread.stop();
  assert.equal(
    await within(reader.next(), "the end of the stream"),
    undefined,
    "the stream must end",
  );
  assert.equal(source.subscriberCount, 0);
  await thread.stop();
  const again = Deno.listen({ hostname: "127.0.0.1", port });
  again.close();
});

Deno.test("status thread requires the token in the worker except on /health", async () => {
  await withThread({ token: TOKEN }, async (t) => {
    for (const path of ["/api/status", "/api/positions", "/metrics"]) {
      const denied = await t.get(path);
      assert.equal(denied.status, 401, path);
      assert.deepEqual(await denied.json(), { error: "unauthorized" });
      const allowed = await t.get(path, {
        headers: { Authorization: `Bearer ${TOKEN}` },
      });
      assert.equal(allowed.status, 200, path);
      await allowed.body?.cancel();
    }
    const health = await t.get("/health");
    assert.equal(health.status, 503);
    await health.body?.cancel();
    assert.ok(t.logs.length > 0);
    assert.ok(!JSON.stringify(t.logs).includes(TOKEN));
  });
});
