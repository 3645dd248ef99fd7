/**
 * The notifier actor with a notifier that can check attempts in flight (as Telegram does): the
 * attempt is stored on the row before the request, cleared when the far side confirms or
 * certainly refused, and an attempt whose answer was lost is checked before the row is sent
 * again, in the same run and after a restart.
 *
 * @module
 */
import { strict as assert } from "node:assert";
import { NotifierActor } from "../../actors/notifier_actor.ts";
import {
  type Notifier,
  NotifierError,
  type ProbeResult,
} from "../../core/notifier.ts";
import type { InFlight, OutboxRow } from "../../core/state_types.ts";
import { StateStore } from "../../data/state_store.ts";
import { FakeClock } from "../fakes/fake_clock.ts";

/** What the far side does with the next send. */
type Script =
  /** Takes the message and answers. */
  | "ok"
  /** Takes the message, the answer is lost (a timeout after Telegram took it). */
  | "lost"
  /** Does not take it: 429 with retry_after 1 s. */
  | "429"
  /** Does not take it: 502, which could have been after taking it. */
  | "502";

/** A far side that shows messages by key and can be checked, with scripted sends. */
class CheckableFarSide implements Notifier {
  /** Keys shown, in order (a key twice = shown twice). */
  readonly shown: string[] = [];
  /** Every call, in order: `send:key` or `probe:key`. */
  readonly calls: string[] = [];
  /** The row's stored `in_flight` at each send, read from the store. */
  readonly storedAtSend: (InFlight | null)[] = [];
  readonly script: Script[] = [];
  probeAnswer: "check" | "unknown" = "check";
  readonly #store: StateStore;

  constructor(store: StateStore) {
    this.#store = store;
  }

  inFlightRecord(_row: OutboxRow, now: number): InFlight {
    return { since: now, chat: "c", after: this.shown.length };
  }

  send(row: OutboxRow): Promise<{ readonly messageId: number | null }> {
    this.calls.push(`send:${row.key}`);
    this.storedAtSend.push(this.#store.outboxRow(row.key)!.inFlight);
    const step = this.script.shift() ?? "ok";
    if (step === "429") {
      return Promise.reject(
        new NotifierError("slow down", {
          retryable: true,
          retryAfterMs: 1000,
          mayHaveArrived: false,
        }),
      );
    }
    if (step === "502") {
      return Promise.reject(
        new NotifierError("bad gateway", { retryable: true }),
      );
    }
    this.shown.push(row.key);
    if (step === "lost") {
      return Promise.reject(new NotifierError("timeout", { retryable: true }));
    }
    return Promise.resolve({ messageId: this.shown.length });
  }

  probe(row: OutboxRow, inFlight: InFlight): Promise<ProbeResult> {
    this.calls.push(`probe:${row.key}`);
    if (this.probeAnswer === "unknown") {
      return Promise.resolve({ type: "unknown", reason: "it cannot be told" });
    }
    const at = this.shown.indexOf(row.key, inFlight.after);
    return Promise.resolve(
      at < 0 ? { type: "absent" } : { type: "delivered", messageId: at + 1 },
    );
  }
}

function storeWith(keys: readonly string[]): StateStore {
  const store = StateStore.open(":memory:");
  store.enqueueOutbox(
    keys.map((key) => ({ key, kind: "alert", payload: {}, createdAt: 0 })),
  );
  return store;
}

async function drain(
  store: StateStore,
  notifier: Notifier,
): Promise<NotifierActor> {
  const clock = new FakeClock({ autoAdvance: true });
  const actor = new NotifierActor({
    store,
    notifier,
    clock,
    backoff: { baseMs: 10, maxMs: 10 },
  });
  actor.start();
  // Backoff and retry-after waits pass at once on the auto-advancing fake clock.
  await actor.whenIdle();
  await actor.stop();
  return actor;
}

Deno.test("an attempt is stored on its row before the request and cleared when confirmed", async () => {
  const store = storeWith(["a", "b"]);
  try {
    const farSide = new CheckableFarSide(store);
    await drain(store, farSide);
    assert.deepEqual(farSide.shown, ["a", "b"]);
    assert.deepEqual(farSide.storedAtSend.map((f) => f?.chat), ["c", "c"]);
    for (const row of store.outbox()) {
      assert.equal(row.inFlight, null);
      assert.notEqual(row.sentAt, null);
    }
  } finally {
    store.close();
  }
});

Deno.test("a lost answer is checked before the retry: the message is shown once and its id stored", async () => {
  const store = storeWith(["a", "b", "c"]);
  try {
    const farSide = new CheckableFarSide(store);
    farSide.script.push("ok", "lost");
    await drain(store, farSide);
    assert.deepEqual(farSide.shown, ["a", "b", "c"]);
    assert.deepEqual(farSide.calls, [
      "send:a",
      "send:b",
      "probe:b",
      "send:c",
    ]);
    assert.equal(store.outboxRow("b")?.messageId, 2);
    assert.equal(store.outboxRow("b")?.attempts, 1);
  } finally {
    store.close();
  }
});

Deno.test("a 429 clears the attempt (Telegram did not take it): the retry sends without a check", async () => {
  const store = storeWith(["a"]);
  try {
    const farSide = new CheckableFarSide(store);
    farSide.script.push("429");
    await drain(store, farSide);
    assert.deepEqual(farSide.calls, ["send:a", "send:a"]);
    assert.deepEqual(farSide.shown, ["a"]);
  } finally {
    store.close();
  }
});

Deno.test("a 5xx may have been taken: the retry is checked first and sends when the message is absent", async () => {
  const store = storeWith(["a"]);
  try {
    const farSide = new CheckableFarSide(store);
    farSide.script.push("502");
    await drain(store, farSide);
    assert.deepEqual(farSide.calls, ["send:a", "probe:a", "send:a"]);
    assert.deepEqual(farSide.shown, ["a"]);
  } finally {
    store.close();
  }
});

Deno.test("after a restart a row left in flight is checked: delivered rows are not sent again", async () => {
  const store = storeWith(["a", "b", "c"]);
  try {
    const farSide = new CheckableFarSide(store);
    // The last run: a was confirmed; b reached the far side and the process died before the
    // answer was recorded; c was marked in flight but never reached it.
    farSide.shown.push("a", "b");
    const [a, b, c] = store.unsentOutbox(10);
    store.markSent(a!.id, 1, 0);
    store.markInFlight(b!.id, { since: 0, chat: "c", after: 1 });
    store.markInFlight(c!.id, { since: 0, chat: "c", after: 2 });
    await drain(store, farSide);
    assert.deepEqual(farSide.calls, ["probe:b", "probe:c", "send:c"]);
    assert.deepEqual(farSide.shown, ["a", "b", "c"]);
    assert.equal(store.outboxRow("b")?.messageId, 2);
    assert.equal(store.outboxRow("c")?.messageId, 3);
  } finally {
    store.close();
  }
});

Deno.test("a row whose check cannot be made is sent again and reported once as possibly shown twice", async () => {
  const store = storeWith(["a", "b"]);
  try {
    const farSide = new CheckableFarSide(store);
    farSide.probeAnswer = "unknown";
    for (const row of store.unsentOutbox(10)) {
      store.markInFlight(row.id, { since: 0 });
    }
    await drain(store, farSide);
    assert.deepEqual(farSide.calls, [
      "probe:a",
      "send:a",
      "probe:b",
      "send:b",
    ]);
    const events = store.events(10).filter((e) => e.kind === "notify.in_doubt");
    assert.equal(events.length, 1);
    assert.match(events[0]!.message, /it cannot be told; it is sent again/);
  } finally {
    store.close();
  }
});
