/**
 * Tests of the notifier actor over a real in-memory state store, a fake clock and the recording
 * notifier.
 *
 * @module
 */
import { strict as assert } from "node:assert";
import { NotifierActor } from "../../actors/notifier_actor.ts";
import type {
  OutboxItem,
  OutboxRow,
  StepCommit,
} from "../../core/state_types.ts";
import { LogNotifier, type NotifyLogLine } from "../../data/log_notifier.ts";
import { StateStore } from "../../data/state_store.ts";
import { FakeClock } from "../fakes/fake_clock.ts";
import { RecordingNotifier } from "../fakes/recording_notifier.ts";

function stepWith(keys: readonly string[], createdAt = 0): StepCommit {
  const outbox: OutboxItem[] = keys.map((key) => ({
    key,
    kind: "alert",
    payload: { text: `message ${key}` },
    createdAt,
  }));
  return {
    candles: [],
    progress: [],
    signals: [],
    decisions: [],
    fills: [],
    trades: [],
    positions: [],
    equity: [],
    portfolio: undefined,
    outbox,
  };
}

function storeWith(...steps: (readonly string[])[]): StateStore {
  const store = StateStore.open(":memory:");
  for (const keys of steps) store.commitStep(stepWith(keys));
  return store;
}

/** Outbox rows by key. */
function rowsOf(store: StateStore): Map<string, OutboxRow> {
  return new Map(store.outbox({ limit: 1000 }).map((row) => [row.key, row]));
}

function row(store: StateStore, key: string): OutboxRow {
  const found = rowsOf(store).get(key);
  assert.ok(found !== undefined, `no outbox row ${key}`);
  return found;
}

/** Polls (between macrotasks, no real waiting) until `check` holds. */
async function eventually(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

Deno.test("notifier actor sends every unsent row once in id order and marks it sent with the message id", async () => {
  const store = storeWith(["a", "b"], ["c", "d", "e"]);
  store.markSent(rowsOf(store).get("b")!.id, 99, 500);
  const clock = new FakeClock({ start: 1000, autoAdvance: true });
  const notifier = new RecordingNotifier();
  const actor = new NotifierActor({ store, notifier, clock, batch: 2 });
  try {
    actor.start();
    await actor.whenIdle();
    assert.deepEqual(notifier.keys, ["a", "c", "d", "e"]);
    for (const key of ["a", "c", "d", "e"]) {
      assert.equal(notifier.countOf(key), 1);
    }
    assert.deepEqual(
      ["a", "c", "d", "e"].map((key) => {
        const r = row(store, key);
        return [r.messageId, r.sentAt, r.attempts, r.lastError];
      }),
      [[1, 1000, 0, null], [2, 1000, 0, null], [3, 1000, 0, null], [
        4,
        1000,
        0,
        null,
      ]],
    );
    assert.equal(row(store, "b").messageId, 99);
    assert.deepEqual(store.unsentOutbox(10), []);

    store.commitStep(stepWith(["f"]));
    actor.wake();
    await actor.whenIdle();
    assert.deepEqual(notifier.keys, ["a", "c", "d", "e", "f"]);
    assert.deepEqual(actor.stats, {
      sent: 5,
      failed: 0,
      retries: 0,
      lastError: null,
      draining: false,
    });
  } finally {
    await actor.stop();
    store.close();
  }
});

Deno.test("notifier actor retries retryable failures of a row in order, honouring retry-after and the backoff cap", async () => {
  const store = storeWith(["a", "b", "c"]);
  const clock = new FakeClock({ start: 0, autoAdvance: true });
  const notifier = new RecordingNotifier();
  notifier.failNext(1, { retryable: true, message: "Telegram 502" });
  notifier.failNext(1, {
    retryable: true,
    retryAfterMs: 5000,
    message: "Telegram 429",
  });
  notifier.throwNext(new TypeError("error sending request"));
  const actor = new NotifierActor({
    store,
    notifier,
    clock,
    backoff: { baseMs: 1000, maxMs: 3000 },
  });
  try {
    actor.start();
    await actor.whenIdle();
    // 1 s backoff, exactly the 5 s asked for, then 4 s capped to 3 s.
    assert.deepEqual(clock.sleepLog, [1000, 5000, 3000]);
    assert.equal(clock.now(), 9000);
    assert.deepEqual(notifier.calls, ["a", "a", "a", "a", "b", "c"]);
    assert.deepEqual(notifier.keys, ["a", "b", "c"]);
    const a = row(store, "a");
    assert.equal(a.attempts, 3);
    assert.equal(a.lastError, "TypeError: error sending request");
    assert.equal(a.sentAt, 9000);
    assert.equal(a.messageId, 1);
    assert.equal(row(store, "b").attempts, 0);
    assert.deepEqual(actor.stats, {
      sent: 3,
      failed: 0,
      retries: 3,
      lastError: "TypeError: error sending request",
      draining: false,
    });
    assert.deepEqual(store.events(10), []);
  } finally {
    await actor.stop();
    store.close();
  }
});

Deno.test("notifier actor records a non-retryable failure and moves on to the next row", async () => {
  const store = storeWith(["a", "b", "c"]);
  const clock = new FakeClock({ start: 7000, autoAdvance: true });
  const notifier = new RecordingNotifier();
  notifier.failNext(1, {
    retryable: false,
    message: "Forbidden: bot was blocked by the user",
  });
  const actor = new NotifierActor({ store, notifier, clock });
  try {
    actor.start();
    await actor.whenIdle();
    assert.deepEqual(notifier.calls, ["a", "b", "c"]);
    assert.deepEqual(notifier.keys, ["b", "c"]);
    assert.deepEqual(clock.sleepLog, []);
    const a = row(store, "a");
    assert.equal(a.attempts, 1);
    assert.equal(
      a.lastError,
      "NotifierError: Forbidden: bot was blocked by the user",
    );
    assert.equal(a.sentAt, 7000, "a given-up row leaves the queue");
    assert.equal(a.messageId, null);
    const events = store.events(10);
    assert.equal(events.length, 1);
    assert.equal(events[0]!.level, "error");
    assert.equal(events[0]!.kind, "notify.failed");
    assert.equal(events[0]!.time, 7000);
    assert.match(events[0]!.message, /\balert a\b.*bot was blocked/);
    assert.equal(actor.stats.failed, 1);
    assert.equal(actor.stats.sent, 2);
    assert.deepEqual(store.unsentOutbox(10), []);
  } finally {
    await actor.stop();
    store.close();
  }
});

Deno.test("notifier actor reports a permanent error once when every row fails with it (a rejected chat id), and keeps going", async () => {
  const store = storeWith(["a", "b", "c", "d"]);
  const clock = new FakeClock({ start: 0, autoAdvance: true });
  const notifier = new RecordingNotifier();
  const chatNotFound = {
    retryable: false,
    message: "Bad Request: chat not found",
  };
  notifier.failNext(3, chatNotFound);
  const lines: { level: string; msg: string }[] = [];
  const actor = new NotifierActor({
    store,
    notifier,
    clock,
    log: (line) => lines.push(line),
  });
  try {
    actor.start();
    await actor.whenIdle();
    assert.deepEqual(notifier.keys, ["d"]);
    for (const key of ["a", "b", "c"]) {
      assert.match(row(store, key).lastError ?? "", /chat not found/, key);
    }
    const events = store.events(10);
    assert.equal(events.length, 1, "one event for the three rows");
    assert.match(events[0]!.message, /chat not found/);
    const errors = lines.filter((l) => l.level === "error");
    assert.equal(errors.length, 1, JSON.stringify(lines));
    assert.equal(
      lines.filter((l) => l.msg === "notifier gave up on a row").length,
      3,
    );
    assert.equal(actor.stats.failed, 3);
    assert.equal(
      actor.stats.lastError,
      "NotifierError: Bad Request: chat not found",
    );
  } finally {
    await actor.stop();
    store.close();
  }
});

// Exactly once as recorded in SQLite, at-least-once at the transport: the far side got "a" but
// its answer never came, so a new actor sends "a" again; a far side that dedupes by key shows it
// once and answers with the same message id.
Deno.test("notifier actor after a restart resends only the rows not confirmed, once as seen by a deduping far side", async () => {
  const store = storeWith(["a", "b", "c"]);
  const clock = new FakeClock({ start: 0, autoAdvance: true });
  const notifier = new RecordingNotifier({ dedupe: true });
  notifier.hangNext(1);
  const first = new NotifierActor({
    store,
    notifier,
    clock,
    stopGraceMs: 2000,
  });
  try {
    first.start();
    await eventually(
      () => notifier.countOf("a") === 1,
      "a reaching the far side",
    );
    assert.equal(notifier.inFlight, 1);
    await first.stop();
    assert.equal(first.state, "stopped");
    assert.equal(clock.now(), 2000, "stop waited for the grace period");
    assert.equal(notifier.inFlight, 0, "the hung send was aborted");
    assert.equal(row(store, "a").sentAt, null);
    assert.deepEqual(notifier.calls, ["a"]);
    assert.equal(first.stats.sent, 0);

    const second = new NotifierActor({ store, notifier, clock });
    second.start();
    await second.whenIdle();
    await second.stop();
    assert.deepEqual(notifier.calls, ["a", "a", "b", "c"]);
    assert.equal(notifier.countOf("a"), 2, "at-least-once at the transport");
    assert.deepEqual(notifier.keys, ["a", "b", "c"], "once as recorded");
    assert.equal(row(store, "a").messageId, 1);
    assert.equal(row(store, "a").sentAt, 2000);
    assert.equal(second.stats.sent, 3);
    assert.deepEqual(store.unsentOutbox(10), []);
  } finally {
    store.close();
  }
});

Deno.test("notifier actor stop lets the message in flight finish and sends nothing after it", async () => {
  const store = storeWith(["a", "b"]);
  const clock = new FakeClock({ start: 0, autoAdvance: true });
  const notifier = new RecordingNotifier({ delayMs: 100, clock });
  const actor = new NotifierActor({ store, notifier, clock });
  try {
    actor.start();
    assert.equal(notifier.inFlight, 1);
    await actor.stop();
    assert.deepEqual(notifier.calls, ["a"]);
    assert.equal(row(store, "a").sentAt, 100);
    assert.equal(row(store, "b").sentAt, null);
    actor.wake();
    await actor.whenIdle();
    assert.deepEqual(notifier.calls, ["a"], "a stopped actor ignores wake");
  } finally {
    store.close();
  }
});

Deno.test("notifier actor stop ends a backoff wait at once and leaves the row unsent", async () => {
  const store = storeWith(["a"]);
  const clock = new FakeClock({ start: 0 });
  const notifier = new RecordingNotifier();
  notifier.failNext(1, { retryable: true });
  const actor = new NotifierActor({ store, notifier, clock });
  try {
    actor.start();
    await eventually(() => clock.pendingSleeps === 1, "the backoff wait");
    assert.deepEqual(clock.sleepLog, [1000]);
    await actor.stop();
    assert.equal(clock.now(), 0);
    assert.equal(clock.pendingSleeps, 0);
    assert.deepEqual(notifier.calls, ["a"]);
    assert.equal(row(store, "a").attempts, 1);
    assert.equal(row(store, "a").sentAt, null);
  } finally {
    store.close();
  }
});

Deno.test("notifier actor wake during a drain does not start a second concurrent drain", async () => {
  const store = storeWith(["a", "b"]);
  const clock = new FakeClock({ start: 0 });
  const notifier = new RecordingNotifier({ delayMs: 100, clock });
  const actor = new NotifierActor({ store, notifier, clock, batch: 1 });
  try {
    actor.start();
    assert.equal(actor.stats.draining, true);
    actor.wake();
    actor.wake();
    store.commitStep(stepWith(["c", "d"]));
    actor.wake();
    assert.deepEqual(notifier.calls, ["a"]);
    await clock.advance(100);
    await eventually(() => notifier.calls.length === 2, "the second send");
    assert.equal(notifier.inFlight, 1);
    store.commitStep(stepWith(["e"]));
    actor.wake();
    actor.wake();
    await clock.runAll();
    await actor.whenIdle();
    assert.equal(notifier.maxInFlight, 1);
    assert.deepEqual(notifier.calls, ["a", "b", "c", "d", "e"]);
    assert.deepEqual(notifier.keys, ["a", "b", "c", "d", "e"]);
    assert.equal(clock.now(), 500, "the sends ran one after another");
    assert.equal(actor.stats.draining, false);
  } finally {
    await actor.stop();
    store.close();
  }
});

Deno.test("notifier actor refuses a second start and bad options", async () => {
  const store = storeWith();
  const clock = new FakeClock();
  const notifier = new RecordingNotifier();
  try {
    assert.throws(
      () => new NotifierActor({ store, notifier, clock, batch: 0 }),
      {
        name: "RangeError",
        message:
          "Cannot create the notifier actor as 'batch' must be a positive integer: current value is 0",
      },
    );
    assert.throws(
      () =>
        new NotifierActor({
          store,
          notifier,
          clock,
          backoff: { baseMs: 5000, maxMs: 1000 },
        }),
      RangeError,
    );
    const actor = new NotifierActor({ store, notifier, clock });
    actor.start();
    assert.throws(() => actor.start(), {
      name: "Error",
      message:
        "Cannot start the notifier actor as it must be 'created': current state is 'running'",
    });
    await actor.stop();
    assert.equal(actor.state, "stopped");
  } finally {
    store.close();
  }
});

Deno.test("log notifier writes one notify line per row and confirms without a message id", async () => {
  const store = storeWith(["a", "b"]);
  const lines: NotifyLogLine[] = [];
  const clock = new FakeClock({ start: 3000, autoAdvance: true });
  const actor = new NotifierActor({
    store,
    notifier: new LogNotifier((line) => lines.push(line)),
    clock,
  });
  try {
    actor.start();
    await actor.whenIdle();
    assert.deepEqual(
      lines.map(({ level, msg, kind, key, payload }) => ({
        level,
        msg,
        kind,
        key,
        payload,
      })),
      ["a", "b"].map((key) => ({
        level: "info",
        msg: "notify",
        kind: "alert",
        key,
        payload: { text: `message ${key}` },
      })),
    );
    assert.deepEqual(
      [row(store, "a").messageId, row(store, "a").sentAt],
      [null, 3000],
    );
  } finally {
    await actor.stop();
    store.close();
  }
});
