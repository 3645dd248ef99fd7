/**
 * Tests of the worker's `RemoteStatusSource` without a Worker: pushed snapshots (and failures)
 * answer `status()` and `metrics()` at once, pushed events reach the subscribers in order, and
 * a call resolves with its result, rejects with the main thread's error, on timeout, or when the
 * source is closed.
 *
 * @module
 */
import { strict as assert } from "node:assert";
import { RemoteStatusSource } from "../../web/status_remote_source.ts";
import type { CallMessage } from "../../web/status_thread_messages.ts";
import type { StatusEvent } from "../../web/status_types.ts";
import { FakeStatusSource } from "../fakes/fake_status_source.ts";

function setup(timeoutMs = 10_000) {
  const fake = new FakeStatusSource();
  const calls: CallMessage[] = [];
  const source = new RemoteStatusSource({
    post: (call) => calls.push(call),
    timeoutMs,
    status: { ok: true, value: fake.status() },
    metrics: { ok: true, value: fake.metrics() },
  });
  return { fake, calls, source };
}

Deno.test("remote source answers status and metrics from the last push, the same object until the next", () => {
  const { fake, source, calls } = setup();
  assert.deepEqual(source.status(), fake.status());
  assert.equal(source.status(), source.status());
  fake.setFreshness("SOLUSDT:30m", "late");
  const next = fake.status();
  source.applyPush({
    type: "push",
    status: { ok: true, value: next },
    metrics: { ok: true, value: fake.metrics() },
    events: [],
  });
  assert.equal(source.status(), next);
  assert.deepEqual(source.metrics(), fake.metrics());
  assert.deepEqual(calls, []);
});

Deno.test("remote source throws the daemon's failure for a failed snapshot until a good push", () => {
  const { fake, source } = setup();
  source.applyPush({
    type: "push",
    status: { ok: false, message: "database is locked" },
    metrics: { ok: true, value: fake.metrics() },
    events: [],
  });
  assert.throws(
    () => source.status(),
    new Error(
      "Cannot read the status as the daemon failed: database is locked",
    ),
  );
  assert.deepEqual(source.metrics(), fake.metrics());
});

Deno.test("remote source sends pushed events to every subscriber in order, after the snapshot", () => {
  const { fake, source } = setup();
  const seen: [string, boolean][] = [];
  const off = source.subscribe((e) =>
    seen.push([e.type, source.status().healthy])
  );
  const events: StatusEvent[] = [
    { type: "signal", signal: fake.data.signals[0]! },
    { type: "alert", alert: fake.data.alerts[0]! },
  ];
  fake.setFreshness("XRPUSDT:1h", "fresh");
  source.applyPush({
    type: "push",
    status: { ok: true, value: fake.status() },
    metrics: { ok: true, value: fake.metrics() },
    events,
  });
  off();
  source.applyPush({
    type: "push",
    status: { ok: true, value: fake.status() },
    metrics: { ok: true, value: fake.metrics() },
    events,
  });
  assert.deepEqual(seen, [["signal", true], ["alert", true]]);
});

Deno.test("remote source resolves a call with its result and rejects with the main thread's error", async () => {
  const { fake, source, calls } = setup();
  const positions = source.positions();
  const trades = source.trades({ limit: 5, offset: 0, symbol: "ETHUSDT" });
  assert.deepEqual(calls, [
    { type: "call", id: 1, method: "positions", args: [] },
    {
      type: "call",
      id: 2,
      method: "trades",
      args: [{ limit: 5, offset: 0, symbol: "ETHUSDT" }],
    },
  ]);
  source.settle({
    type: "error",
    id: 2,
    name: "RangeError",
    message: "bad range",
    stack: "RangeError: bad range\n    at main",
  });
  source.settle({ type: "result", id: 1, value: fake.positions() });
  assert.deepEqual(await positions, fake.positions());
  await assert.rejects(trades, (error: unknown) => {
    assert.ok(error instanceof Error);
    assert.deepEqual([error.name, error.message, error.stack], [
      "RangeError",
      "bad range",
      "RangeError: bad range\n    at main",
    ]);
    return true;
  });
  assert.equal(source.pendingCount, 0);
});

Deno.test("remote source rejects a call that gets no answer within the timeout and ignores the late answer", async () => {
  const { source } = setup(5);
  await assert.rejects(
    source.equity(),
    new Error(
      "Cannot read 'equity' from the daemon as it did not answer within 5 ms",
    ),
  );
  assert.equal(source.pendingCount, 0);
  source.settle({ type: "result", id: 1, value: {} });
});

Deno.test("remote source rejects waiting and later calls once closed", async () => {
  const { source } = setup();
  const waiting = source.alerts({ limit: 1, offset: 0 });
  const reason = new Error(
    "Cannot read from the daemon as the status thread stopped",
  );
  source.close(reason);
  await assert.rejects(waiting, reason);
  await assert.rejects(source.system(), reason);
  assert.equal(source.pendingCount, 0);
});
