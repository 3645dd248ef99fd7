/**
 * Tests of the status worker's logic in this thread (no Worker): it answers `start` with
 * `listening` and serves the pushed snapshot, answers a `start` it cannot accept with `failed`
 * (so the main thread never waits in vain), and answers `stop` with `stopped` once the server
 * has closed.
 *
 * @module
 */
import { strict as assert } from "node:assert";
import type { WorkerToMain } from "../../web/status_thread_messages.ts";
import { createStatusWorker } from "../../web/status_worker_logic.ts";
import { FakeStatusSource } from "../fakes/fake_status_source.ts";

Deno.test("worker logic listens on start, serves the pushed status and answers stop once closed", async () => {
  const fake = new FakeStatusSource();
  const sent: WorkerToMain[] = [];
  const handle = createStatusWorker({ post: (m) => sent.push(m) });
  await handle({
    type: "start",
    host: "127.0.0.1",
    port: 0,
    token: "",
    staticDir: "",
    callTimeoutMs: 1_000,
    status: { ok: true, value: fake.status() },
    metrics: { ok: true, value: fake.metrics() },
  });
  const listening = sent.find((m) => m.type === "listening");
  assert.ok(listening?.type === "listening", JSON.stringify(sent));
  fake.setFreshness("XRPUSDT:1h", "fresh");
  await handle({
    type: "push",
    status: { ok: true, value: fake.status() },
    metrics: { ok: true, value: fake.metrics() },
    events: [],
  });
  const res = await fetch(`http://127.0.0.1:${listening.port}/api/status`);
  assert.deepEqual(await res.json(), fake.status());
  await handle({ type: "stop" });
  assert.deepEqual(sent.at(-1), { type: "stopped" });
});

Deno.test("worker logic answers failed to a start message it cannot accept", async () => {
  const sent: WorkerToMain[] = [];
  const handle = createStatusWorker({ post: (m) => sent.push(m) });
  await handle({ type: "start", host: "127.0.0.1", port: "8080" });
  const failed = sent.find((m) => m.type === "failed");
  assert.ok(failed?.type === "failed", JSON.stringify(sent));
  assert.equal(failed.name, "TypeError");
  assert.match(
    failed.message,
    /^Cannot accept the main-to-worker message as 'port' is not valid for 'start'/,
  );
  assert.ok(sent.some((m) => m.type === "log" && m.line.level === "error"));
});
