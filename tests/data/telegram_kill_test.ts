/**
 * Issue 8's acceptance "kill -9 during the burst and restart: still exactly once (the fake
 * counts)": a child process drains the burst of 60 signals and 300 updates from SQLite to the
 * fake Bot API as the live daemon does, and is killed with SIGKILL several times, twice exactly
 * while Telegram has taken a message and its answer is on the way, once while that message is
 * being checked after the restart, and once at an arbitrary moment; every restart resumes from
 * the database. The fake then holds every row exactly once, in outbox order, with the stored
 * message ids and replies, and no message was ever edited. A second test kills at 15 random
 * moments (which reach the instant between Telegram's answer and the row's mark).
 *
 * @module
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { StateStore } from "../../data/state_store.ts";
import { textOf } from "../../data/telegram_dispatch.ts";
import {
  type FakeTelegram,
  startFakeTelegram,
} from "../fakes/fake_telegram.ts";
import { taskPermissions } from "../fakes/task_command.ts";
import { burstOutbox } from "../fakes/telegram_outbox_fixture.ts";
import { KILL_TEST_CHAT, signalKeyOf } from "./telegram_drain_child.ts";

const TOKEN = "123456:velas-SECRET_token-kill";
const CHILD = fileURLToPath(
  new URL("./telegram_drain_child.ts", import.meta.url),
);
const DISPATCH = { language: "en", exchangeLine: "Binance Futures" } as const;

/** Polls every 5 ms until `check` holds (30 s at most). */
async function until(check: () => boolean, what: string): Promise<void> {
  for (const end = Date.now() + 30_000; Date.now() < end;) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`Timed out waiting for ${what}`);
}

/** True when a request of `method` is held by the fake (not answered yet). */
function held(fake: FakeTelegram, method: string): boolean {
  return fake.requests.some((r) =>
    r.method === method && r.outcome === "pending"
  );
}

function drainer(db: string, apiRoot: string): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", ...taskPermissions("live"), CHILD, db, apiRoot],
    env: { VELAS_TELEGRAM_TOKEN: TOKEN },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

async function kill(child: Deno.ChildProcess): Promise<void> {
  child.kill("SIGKILL");
  const status = await child.status;
  assert.equal(status.signal, "SIGKILL");
  await child.stdout.cancel();
  await child.stderr.cancel();
}

Deno.test({
  name:
    "kill -9 during a burst of 60 signals and 300 updates, then restarts: Telegram shows every message exactly once, in order",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = mkdtempSync(join(tmpdir(), "velas-telegram-kill-"));
    const db = join(dir, "velas.db");
    const fake = await startFakeTelegram({ token: TOKEN });
    try {
      const seed = StateStore.open(db);
      assert.equal(seed.enqueueOutbox(burstOutbox()), 360);
      seed.close();
      const sent = () => fake.messages.length;

      // 1. Telegram takes message 31 and holds its answer: killed in between.
      fake.fail("sendMessage", { kind: "timeout", deliver: true }, {
        skip: 30,
      });
      let child = drainer(db, fake.apiRoot);
      await until(
        () => sent() === 31 && held(fake, "sendMessage"),
        "message 31 held",
      );
      await kill(child);

      // 2. The restart checks message 31 first; killed while that check is held.
      fake.fail("editMessageText", { kind: "timeout" });
      child = drainer(db, fake.apiRoot);
      await until(() => held(fake, "editMessageText"), "the check held");
      await kill(child);

      // 3. Killed at an arbitrary moment of the drain.
      child = drainer(db, fake.apiRoot);
      await until(() => sent() >= 150, "150 messages");
      await kill(child);

      // 4. Another answer lost at the moment of the kill.
      fake.fail("sendMessage", { kind: "timeout", deliver: true }, {
        skip: 40,
      });
      const before = sent();
      child = drainer(db, fake.apiRoot);
      await until(
        () => sent() === before + 41 && held(fake, "sendMessage"),
        "a message held",
      );
      await kill(child);

      // 5. The last run also loses an answer without a kill, and drains to the end.
      fake.fail("sendMessage", { kind: "drop", deliver: true }, { skip: 10 });
      child = drainer(db, fake.apiRoot);
      const { code, stdout, stderr } = await child.output();
      const out = new TextDecoder().decode(stdout);
      const err = new TextDecoder().decode(stderr);
      assert.equal(code, 0, err);
      assert.match(out, /drained/);
      assert.ok(!`${out}${err}`.includes("SECRET"), "no token in the output");

      const store = StateStore.open(db);
      try {
        const rows = store.outbox({ limit: 1000 }).reverse();
        assert.equal(rows.length, 360);
        assert.equal(store.counts().unsent, 0);
        assert.ok(rows.every((r) => r.inFlight === null));
        const messages = fake.messages.filter((m) =>
          m.chatId === KILL_TEST_CHAT
        );
        assert.equal(messages.length, fake.messages.length);
        assert.deepEqual(
          messages.map((m) => m.text),
          rows.map((row) => textOf(row, DISPATCH)!.text),
          "every row exactly once, in outbox order",
        );
        assert.deepEqual(
          rows.map((r) => r.messageId),
          messages.map((m) => m.messageId),
          "the stored message ids are Telegram's",
        );
        const signalIds = new Map(
          rows.filter((r) => r.kind === "signal").map((
            r,
          ) => [r.key, r.messageId]),
        );
        for (const [i, row] of rows.entries()) {
          const reply = messages[i]!.options["reply_parameters"] as
            | { message_id: number }
            | undefined;
          if (row.kind === "signal") assert.equal(reply, undefined, row.key);
          else {
            assert.equal(
              reply?.message_id,
              signalIds.get(signalKeyOf(row.payload)),
              row.key,
            );
          }
        }
        const checks = fake.requests.filter((r) =>
          r.method === "editMessageText"
        );
        assert.ok(checks.length >= 3, `${checks.length} checks`);
        assert.deepEqual(fake.edits, [], "a check never changed a message");
      } finally {
        store.close();
      }
    } finally {
      await fake.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
});

Deno.test({
  name:
    "kill -9 at 15 random moments of the burst, then a last run: every message exactly once, in order, none edited",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const dir = mkdtempSync(join(tmpdir(), "velas-telegram-kill-"));
    const db = join(dir, "velas.db");
    const fake = await startFakeTelegram({ token: TOKEN });
    try {
      const seed = StateStore.open(db);
      seed.enqueueOutbox(burstOutbox());
      seed.close();
      for (let k = 0; k < 15; k++) {
        const child = drainer(db, fake.apiRoot);
        // A few messages into the run, then a random moment (answers in flight included).
        const target = Math.min(350, fake.messages.length + 5 + k % 10);
        await until(() => fake.messages.length >= target, `${target} messages`);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
        await kill(child);
      }
      const { code, stderr } = await drainer(db, fake.apiRoot).output();
      assert.equal(code, 0, new TextDecoder().decode(stderr));
      const store = StateStore.open(db);
      try {
        const rows = store.outbox({ limit: 1000 }).reverse();
        assert.deepEqual(
          fake.messages.map((m) => m.text),
          rows.map((row) => textOf(row, DISPATCH)!.text),
          "every row exactly once, in outbox order",
        );
        assert.deepEqual(fake.edits, [], "a check never changed a message");
      } finally {
        store.close();
      }
    } finally {
      await fake.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
});
