/**
 * Tests of `/events` through `app.request()`: the `hello` snapshot first, pushed events in
 * order with sequence ids (an event emitted while `hello` is read comes right after it), the
 * heartbeat comment, and the end of the subscription when the client aborts or cancels the body
 * or stops reading.
 *
 * @module
 */
import { strict as assert } from "node:assert";
import { createStatusApp, STATUS_CSP } from "../../web/status_app.ts";
import { statusEventStream } from "../../web/status_events.ts";
import type { StatusEvent } from "../../web/status_types.ts";
import { AsyncStatusSource } from "../fakes/fake_status_async.ts";
import { FakeStatusSource } from "../fakes/fake_status_source.ts";
import { eventually, SseReader } from "../fakes/sse_reader.ts";

function setup(heartbeatMs = 60_000) {
  const source = new FakeStatusSource();
  const app = createStatusApp({ source, heartbeatMs });
  return { source, app };
}

Deno.test("events stream starts with a hello snapshot and then delivers a pushed signal", async () => {
  const { source, app } = setup();
  const client = new AbortController();
  const res = await app.request("/events", { signal: client.signal });
  try {
    assert.equal(res.status, 200);
    assert.equal(
      res.headers.get("content-type"),
      "text/event-stream; charset=utf-8",
    );
    assert.equal(res.headers.get("cache-control"), "no-cache");
    assert.equal(res.headers.get("content-security-policy"), STATUS_CSP);
    const reader = new SseReader(res.body);
    const hello = await reader.nextEvent();
    assert.equal(hello.event, "hello");
    assert.equal(hello.id, "1");
    assert.deepEqual(
      JSON.parse(hello.data ?? ""),
      new FakeStatusSource().status(),
    );
    assert.equal(source.subscriberCount, 1);

    const signal: StatusEvent = {
      type: "signal",
      signal: source.data.signals[0]!,
    };
    const alert: StatusEvent = { type: "alert", alert: source.data.alerts[0]! };
    source.push(signal);
    source.push(alert);
    const first = await reader.nextEvent();
    assert.deepEqual(
      [first.event, first.id, JSON.parse(first.data ?? "")],
      ["signal", "2", signal],
    );
    const second = await reader.nextEvent();
    assert.deepEqual(
      [second.event, second.id, JSON.parse(second.data ?? "")],
      ["alert", "3", alert],
    );
  } finally {
    client.abort();
  }
  await eventually(() => source.subscriberCount === 0, "the unsubscribe");
});

Deno.test("events stream unsubscribes when the client aborts the request", async () => {
  const { source, app } = setup();
  const client = new AbortController();
  const res = await app.request("/events", { signal: client.signal });
  const reader = new SseReader(res.body);
  await reader.nextEvent();
  assert.equal(source.subscriberCount, 1);
  client.abort();
  await eventually(() => source.subscriberCount === 0, "the unsubscribe");
  source.push({ type: "health", series: source.data.series });
  assert.equal(await reader.next(), undefined, "the stream must end");
});

Deno.test("events stream unsubscribes when the client cancels the body", async () => {
  const { source, app } = setup();
  const res = await app.request("/events");
  const reader = new SseReader(res.body);
  await reader.nextEvent();
  assert.equal(source.subscriberCount, 1);
  await reader.cancel();
  assert.equal(source.subscriberCount, 0);
});

Deno.test("events stream sends a ping comment every heartbeat", async () => {
  const { app } = setup(5);
  const client = new AbortController();
  const res = await app.request("/events", { signal: client.signal });
  try {
    const reader = new SseReader(res.body);
    assert.equal((await reader.next())?.event, "hello");
    const ping = await reader.next();
    assert.deepEqual(ping, {
      event: undefined,
      id: undefined,
      data: undefined,
      comments: ["ping"],
    });
  } finally {
    client.abort();
  }
});

Deno.test("events stream drops a client that stops reading and logs a warning", async () => {
  const source = new FakeStatusSource();
  const warnings: string[] = [];
  const client = new AbortController();
  const stream = await statusEventStream(source, {
    heartbeatMs: 60_000,
    signal: client.signal,
    log: (line) => warnings.push(`${line.level}: ${line.msg}`),
    maxQueued: 4,
  });
  assert.equal(source.subscriberCount, 1);
  for (let i = 0; i < 10; i++) {
    source.push({ type: "health", series: source.data.series });
  }
  assert.equal(source.subscriberCount, 0);
  assert.deepEqual(warnings, [
    "warn: status events client dropped: it does not read",
  ]);
  void stream.cancel();
});

Deno.test("events route answers a generic 500 and subscribes nothing when the snapshot fails", async () => {
  const { source, app } = setup();
  source.throwOn("status", new Error("snapshot failed"));
  const res = await app.request("/events");
  assert.equal(res.status, 500);
  assert.deepEqual(await res.json(), { error: "internal error" });
  assert.equal(source.subscriberCount, 0);
});

Deno.test("events route answers HEAD with the stream's headers and subscribes nothing", async () => {
  const { source, app } = setup();
  const res = await app.request("/events", { method: "HEAD" });
  assert.equal(res.status, 200);
  assert.equal(
    res.headers.get("content-type"),
    "text/event-stream; charset=utf-8",
  );
  assert.equal(res.body, null);
  assert.equal(source.subscriberCount, 0);
});

Deno.test("events stream sends an event emitted while the hello snapshot is read right after hello", async () => {
  const source = new FakeStatusSource();
  const client = new AbortController();
  const opening = statusEventStream(new AsyncStatusSource(source), {
    heartbeatMs: 60_000,
    signal: client.signal,
    log: () => {},
  });
  const hello = source.status();
  const event: StatusEvent = {
    type: "signal",
    signal: source.data.signals[1]!,
  };
  source.push(event);
  const reader = new SseReader(await opening);
  try {
    const first = await reader.nextEvent();
    assert.deepEqual([first.event, JSON.parse(first.data ?? "")], [
      "hello",
      hello,
    ]);
    const second = await reader.nextEvent();
    assert.deepEqual(
      [second.event, second.id, JSON.parse(second.data ?? "")],
      ["signal", "2", event],
    );
  } finally {
    client.abort();
  }
  assert.equal(source.subscriberCount, 0);
});
