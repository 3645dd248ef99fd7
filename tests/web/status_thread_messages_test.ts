/**
 * Tests of the status thread's channel guards: every member of each direction is accepted as
 * it is, and a message of an unknown type or with a bad field is refused with a TypeError that
 * shows the payload.
 *
 * @module
 */
import { strict as assert } from "node:assert";
import {
  hostPort,
  type MainToWorker,
  parseMainToWorker,
  parseWorkerToMain,
  type WorkerToMain,
} from "../../web/status_thread_messages.ts";
import { FakeStatusSource } from "../fakes/fake_status_source.ts";

const fake = new FakeStatusSource();
const STATUS = { ok: true, value: fake.status() } as const;
const METRICS = { ok: true, value: fake.metrics() } as const;

Deno.test("parseMainToWorker accepts every member of the main-to-worker channel", () => {
  const messages: MainToWorker[] = [
    {
      type: "start",
      host: "127.0.0.1",
      port: 0,
      token: "",
      staticDir: "",
      callTimeoutMs: 10_000,
      status: STATUS,
      metrics: { ok: false, message: "database is locked" },
    },
    {
      type: "push",
      status: STATUS,
      metrics: METRICS,
      events: [{ type: "signal", signal: fake.data.signals[0]! }],
    },
    { type: "result", id: 1, value: undefined },
    { type: "error", id: 2, name: "Error", message: "no", stack: null },
    { type: "stop" },
  ];
  for (const message of messages) {
    assert.equal(
      parseMainToWorker(structuredClone(message)).type,
      message.type,
    );
  }
});

Deno.test("parseWorkerToMain accepts every member of the worker-to-main channel", () => {
  const messages: WorkerToMain[] = [
    { type: "listening", hostname: "127.0.0.1", port: 8080 },
    { type: "failed", name: "AddrInUse", message: "in use" },
    { type: "log", line: { level: "info", msg: "status page listening" } },
    { type: "call", id: 7, method: "backtestFile", args: ["a", "b"] },
    { type: "stopped" },
  ];
  for (const message of messages) {
    assert.deepEqual(parseWorkerToMain(structuredClone(message)), message);
  }
});

Deno.test("parseWorkerToMain refuses a call of a method that is not remote, showing the payload", () => {
  assert.throws(
    () =>
      parseWorkerToMain({ type: "call", id: 1, method: "status", args: [] }),
    new TypeError(
      `Cannot accept the worker-to-main message as 'method' is not valid for 'call': current value is {"type":"call","id":1,"method":"status","args":[]}`,
    ),
  );
});

Deno.test("parseMainToWorker refuses a message of an unknown type, showing the payload", () => {
  assert.throws(
    () => parseMainToWorker({ type: "restart" }),
    new TypeError(
      `Cannot accept the main-to-worker message as 'type' must be one of start, push, result, error, stop: current value is {"type":"restart"}`,
    ),
  );
  assert.throws(
    () => parseMainToWorker(null),
    new TypeError(
      "Cannot accept the main-to-worker message as 'type' must be one of start, push, result, error, stop: current value is null",
    ),
  );
});

Deno.test("parseMainToWorker refuses a push with an event of an unknown type", () => {
  const push = {
    type: "push",
    status: STATUS,
    metrics: METRICS,
    events: [{ type: "hello" }],
  };
  assert.throws(
    () => parseMainToWorker(push),
    (error: unknown) =>
      error instanceof TypeError &&
      error.message.startsWith(
        "Cannot accept the main-to-worker message as 'events' is not valid for 'push': current value is ",
      ),
  );
});

Deno.test("hostPort writes an IPv6 address in brackets and other hosts as they are", () => {
  assert.equal(hostPort("127.0.0.1", 8080), "127.0.0.1:8080");
  assert.equal(hostPort("localhost", 1), "localhost:1");
  assert.equal(hostPort("::1", 8080), "[::1]:8080");
  assert.equal(hostPort("[::1]", 8080), "[::1]:8080");
});
