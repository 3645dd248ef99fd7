/**
 * `deno task live --replay` with a Telegram token: every outbox row reaches the (fake) Bot API
 * once, the signals are Cornix messages with the Exchanges line, updates reply to their signal,
 * and the token appears in no output; and the per-chat limit holds in wall time while the replay
 * runs its own, faster clock.
 */
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StateStore } from "../../data/state_store.ts";
import {
  type FakeTelegram,
  startFakeTelegram,
} from "../fakes/fake_telegram.ts";
import { FIXTURES } from "../shared_data.ts";
import { runArgs } from "../fakes/task_command.ts";

const TOKEN = "123456:AAE-secret-token-for-tests";
const CHAT = "-1001234567890";

/**
 * Runs `live --replay` over the bundled candles in `dir` with `config` and the token, against
 * the fake Bot API; the database is `dir/velas.db`.
 */
async function liveReplay(
  dir: string,
  config: string,
  apiRoot: string,
): Promise<{ code: number; out: string; err: string; db: string }> {
  writeFileSync(join(dir, "config.yaml"), config);
  const db = join(dir, "velas.db");
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: runArgs("demo", [
      "live",
      "--port",
      "0",
      "--replay",
      FIXTURES,
      "--db",
      db,
    ]),
    cwd: dir,
    env: { VELAS_TELEGRAM_TOKEN: TOKEN, VELAS_TELEGRAM_API: apiRoot },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code,
    out: decoder.decode(stdout),
    err: decoder.decode(stderr),
    db,
  };
}

/**
 * A test with a fresh directory and a fake Bot API, both removed afterwards (the subprocess's
 * long-poll connections may outlive it, hence no op sanitizer).
 */
function telegramTest(
  name: string,
  body: (dir: string, telegram: FakeTelegram) => Promise<void>,
): void {
  Deno.test({
    name,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const dir = mkdtempSync(join(tmpdir(), "velas-telegram-"));
      const telegram = await startFakeTelegram({ token: TOKEN });
      try {
        await body(dir, telegram);
      } finally {
        await telegram.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  });
}

telegramTest(
  "live --replay with a token sends every outbox row to Telegram once, updates reply to their signal, the token stays secret",
  async (dir, telegram) => {
    const { code, out, err, db } = await liveReplay(
      dir,
      // The pacing runs in wall time; a fake Bot API takes the whole replay at once.
      `pairs: [BTCUSDT, ETHUSDT, SOLUSDT]\ntimeframes: [1h, 2h]\ntelegram:\n  chat_id: "${CHAT}"\n  messages_per_minute: 1000000\n  signals_per_minute: 1000000\n`,
      telegram.apiRoot,
    );
    assert.equal(code, 0, err);
    assert.ok(!out.includes("secret-token") && !err.includes("secret-token"));
    const store = StateStore.open(db);
    try {
      const outbox = store.outbox({ limit: 1_000_000 }).reverse();
      assert.ok(outbox.length > 20, `${outbox.length} rows`);
      assert.equal(store.counts().unsent, 0);
      const sent = telegram.messages.filter((m) => String(m.chatId) === CHAT);
      assert.equal(sent.length, outbox.length, "every row once");
      assert.deepEqual(
        outbox.map((r) => r.messageId),
        sent.map((m) => m.messageId),
        "in outbox order, message ids stored",
      );
      const signals = outbox.filter((r) => r.kind === "signal");
      assert.ok(signals.length > 0);
      for (const r of signals) {
        const text = sent.find((m) => m.messageId === r.messageId)!.text;
        assert.match(text, /Exchanges: Binance Futures/);
        assert.match(text, /Leverage/);
      }
      const replies = sent.filter((m) => m.options["reply_parameters"]);
      assert.ok(replies.length > 0, "updates reply to their signal");
    } finally {
      store.close();
    }
  },
);

telegramTest(
  "live --replay paces Telegram in wall time: a fast replay sends no more than the per-minute limit",
  async (dir, telegram) => {
    const started = Date.now();
    const { code, err, db } = await liveReplay(
      dir,
      `pairs: [BTCUSDT, ETHUSDT]\ntimeframes: [1h, 2h]\ntelegram:\n  chat_id: "${CHAT}"\n  messages_per_minute: 4\n  signals_per_minute: 4\n`,
      telegram.apiRoot,
    );
    const wallMs = Date.now() - started;
    assert.equal(code, 0, err);
    assert.ok(wallMs < 60_000, `the run took ${wallMs} ms`);
    const store = StateStore.open(db);
    try {
      const rows = store.outbox({ limit: 1_000_000 }).length;
      assert.ok(rows > 8, `${rows} outbox rows`);
      assert.equal(telegram.messages.length, 4, "4 a minute, in wall time");
      assert.equal(
        store.counts().unsent,
        rows - 4,
        "the rest waits for the next run",
      );
    } finally {
      store.close();
    }
  },
);

telegramTest(
  "live warns at start when the signal chat is a channel where the bot may edit others' posts",
  async (dir, telegram) => {
    telegram.setChat(CHAT, {
      type: "channel",
      botMember: { can_edit_messages: true },
    });
    const { code, out, err, db } = await liveReplay(
      dir,
      `pairs: [BTCUSDT]\ntimeframes: [2h]\ntelegram:\n  chat_id: "${CHAT}"\n  messages_per_minute: 1000000\n  signals_per_minute: 1000000\n`,
      telegram.apiRoot,
    );
    assert.equal(code, 0, err);
    assert.match(out, /telegram lost answers cannot be checked/);
    assert.match(out, /give the bot only \\"Post messages\\"/);
    const store = StateStore.open(db);
    try {
      const events = store.events(100).filter((e) =>
        e.kind === "telegram.uncheckable"
      );
      assert.equal(events.length, 1);
      assert.match(events[0]!.message, /may show twice/);
    } finally {
      store.close();
    }
  },
);
