/**
 * Tests of the main thread's `SnapshotPusher` without a Worker: the events of the source go
 * out with a snapshot read after them, events close together share one push, a failing
 * snapshot is pushed as its message and logged once, and `stop` unsubscribes.
 *
 * @module
 */
import { strict as assert } from "node:assert";
import type { StatusLogLine } from "../../web/status_app.ts";
import type { PushMessage } from "../../web/status_thread_messages.ts";
import { SnapshotPusher } from "../../web/status_thread_pusher.ts";
import type { StatusEvent } from "../../web/status_types.ts";
import { FakeStatusSource } from "../fakes/fake_status_source.ts";
import { eventually } from "../fakes/sse_reader.ts";

function setup(options: { pushEveryMs: number; throttleMs: number }) {
  const source = new FakeStatusSource();
  const pushes: PushMessage[] = [];
  const logs: StatusLogLine[] = [];
  const pusher = new SnapshotPusher({
    source,
    post: (message) => pushes.push(message),
    log: (line) => logs.push(line),
    ...options,
  });
  return { source, pushes, logs, pusher };
}

function signal(source: FakeStatusSource, n: number): StatusEvent {
  return {
    type: "signal",
    signal: { ...source.data.signals[0]!, id: `BTCUSDT-1h-${n}-L` },
  };
}

Deno.test("pusher sends the events since the last push with a snapshot read after them", async () => {
  const { source, pushes, pusher } = setup({
    pushEveryMs: 600_000,
    throttleMs: 0,
  });
  pusher.start();
  try {
    const events = [signal(source, 1), signal(source, 2), signal(source, 3)];
    for (const event of events) source.push(event);
    assert.equal(pushes.length, 0, "no push inside the source's callback");
    await eventually(() => pushes.length === 1, "the push");
    const [push] = pushes;
    assert.deepEqual(push!.events, events);
    assert.deepEqual(push!.status, { ok: true, value: source.status() });
    assert.equal(push!.status.ok && push!.status.value.counts.signals, 39);
    assert.deepEqual(push!.metrics, { ok: true, value: source.metrics() });
  } finally {
    pusher.stop();
  }
});

Deno.test("pusher waits out the throttle period before the next event-driven push", async () => {
  const { source, pushes, pusher } = setup({
    pushEveryMs: 600_000,
    throttleMs: 60_000,
  });
  pusher.start();
  try {
    source.push(signal(source, 1));
    await eventually(() => pushes.length === 1, "the first push");
    source.push(signal(source, 2));
    source.push(signal(source, 3));
    for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 0));
    assert.equal(pushes.length, 1, "the second push waits for the period");
  } finally {
    pusher.stop();
  }
});

Deno.test("pusher pushes a failing snapshot as its message and logs it once", async () => {
  const { source, pushes, logs, pusher } = setup({
    pushEveryMs: 1,
    throttleMs: 0,
  });
  source.throwOn("status", new Error("database is locked"));
  pusher.start();
  try {
    await eventually(() => pushes.length >= 3, "three pushes");
    assert.deepEqual(pushes[0]!.status, {
      ok: false,
      message: "database is locked",
    });
    assert.equal(pushes[0]!.metrics.ok, true);
    assert.equal(logs.length, 1);
    assert.equal(logs[0]!.level, "error");
  } finally {
    pusher.stop();
  }
});

Deno.test("pusher unsubscribes and pushes nothing more once stopped", async () => {
  const { source, pushes, pusher } = setup({ pushEveryMs: 1, throttleMs: 0 });
  pusher.start();
  assert.equal(source.subscriberCount, 1);
  pusher.stop();
  pusher.stop();
  assert.equal(source.subscriberCount, 0);
  const before = pushes.length;
  for (let i = 0; i < 20; i++) await new Promise((r) => setTimeout(r, 0));
  assert.equal(pushes.length, before);
});
