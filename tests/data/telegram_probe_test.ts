/**
 * The Telegram notifier's check of an attempt whose answer was lost (`probe`), against the fake
 * Bot API: it finds the message by a no-op edit to the same text, skips the bot's other known
 * messages, never changes a message, and refuses to check in a channel where the bot may edit
 * other people's posts; the command bot's replies are known to it; a dropped connection is an
 * error, never a silent second send.
 *
 * @module
 */
import { strict as assert } from "node:assert";
import { Bot } from "grammy";
import type { InFlight, OutboxRow } from "../../core/state_types.ts";
import { StateStore } from "../../data/state_store.ts";
import { textOf } from "../../data/telegram_dispatch.ts";
import {
  TelegramNotifier,
  type TelegramNotifierOptions,
  textDigest,
} from "../../data/telegram_notifier.ts";
import { settingsSentIds } from "../../data/telegram_sent_ids.ts";
import { startTelegramCommands } from "../../data/telegram_commands.ts";
import { freshConnections } from "../../data/telegram_connections.ts";
import { FakeClock } from "../fakes/fake_clock.ts";
import {
  type FakeTelegram,
  startFakeTelegram,
} from "../fakes/fake_telegram.ts";
import { signalPayload, T0 } from "../fakes/telegram_outbox_fixture.ts";

const TOKEN = "123456:velas-SECRET_token-probe";
const CHAT = -1001234567890;
const DISPATCH = { language: "en", exchangeLine: "Binance Futures" } as const;

const ROW: OutboxRow = {
  id: 7,
  key: "signal:T1",
  kind: "signal",
  payload: signalPayload("T1"),
  createdAt: T0,
  sentAt: null,
  messageId: null,
  attempts: 0,
  lastError: null,
  inFlight: null,
};
const TEXT = textOf(ROW, DISPATCH)!.text;

async function withFake(
  run: (fake: FakeTelegram) => Promise<void>,
): Promise<void> {
  const fake = await startFakeTelegram({ token: TOKEN });
  try {
    await run(fake);
  } finally {
    await fake.close();
  }
}

function notifierFor(
  fake: FakeTelegram,
  extra: Partial<TelegramNotifierOptions> = {},
): TelegramNotifier {
  return new TelegramNotifier({
    token: fake.token,
    chatId: CHAT,
    apiRoot: fake.apiRoot,
    clock: new FakeClock({ start: T0, autoAdvance: true }),
    ...DISPATCH,
    messagesPerMinute: 1000,
    signalsPerMinute: 1000,
    botInfo: fake.botInfo,
    ...extra,
  });
}

/**
 * Runs `body` while the command bot polls the fake for `chatId` (the notifier's), with the notifier's
 * id transformer installed as the live daemon installs it.
 */
async function withCommands(
  fake: FakeTelegram,
  notifier: TelegramNotifier,
  chatId: number,
  body: () => Promise<void>,
): Promise<void> {
  const store = StateStore.open(":memory:");
  const commands = startTelegramCommands({
    token: fake.token,
    apiRoot: fake.apiRoot,
    botInfo: fake.botInfo,
    chatId: String(chatId),
    allowedChatIds: [],
    store,
    series: () => [],
    now: () => T0,
    initialEquity: 10_000,
    log: () => {},
    setCommands: false,
    pollTimeoutSeconds: 1,
    transformers: [notifier.sentIdTransformer],
  });
  try {
    assert.equal(await commands.ready, true);
    await body();
  } finally {
    await commands.stop();
    store.close();
  }
}

/** Sends `text` to the chat as the bot outside the outbox (a command reply, say). */
async function botSays(notifier: TelegramNotifier, text: string) {
  return (await notifier.bot.api.sendMessage(CHAT, text)).message_id;
}

Deno.test("the check finds a message that arrived after a lost answer, skipping the bot's other messages, and changes nothing", async () => {
  await withFake(async (fake) => {
    const notifier = notifierFor(fake);
    await botSays(notifier, "an earlier row");
    const inFlight: InFlight = notifier.inFlightRecord(ROW, T0);
    assert.deepEqual(inFlight, {
      since: T0,
      chat: String(CHAT),
      after: 1,
      text: TEXT,
    });
    fake.pushUpdate(CHAT, "/status"); // 2: someone else's message
    await botSays(notifier, "a command reply"); // 3: the bot's, known
    fake.fail("sendMessage", { kind: "drop", deliver: true });
    await assert.rejects(() => notifier.send(ROW)); // 4: arrived, answer lost
    assert.deepEqual(await notifier.probe(ROW, inFlight), {
      type: "delivered",
      messageId: 4,
    });
    assert.deepEqual(fake.edits, []);
    assert.equal(
      fake.requests.filter((r) => r.method === "editMessageText").length,
      2,
      "ids 2 and 4 checked; 3 is known to be another message",
    );
    assert.equal(fake.messages.filter((m) => m.text === TEXT).length, 1);
  });
});

Deno.test("the check looks for the text as it was sent, also after the config changed the text", async () => {
  await withFake(async (fake) => {
    const english = notifierFor(fake);
    await botSays(english, "an earlier row");
    const inFlight = english.inFlightRecord(ROW, T0);
    fake.fail("sendMessage", { kind: "drop", deliver: true });
    await assert.rejects(() => english.send(ROW));
    const changed = { exchangeLine: "Binance Futures, Bybit" };
    const restarted = notifierFor(fake, changed);
    assert.notEqual(textOf(ROW, { ...DISPATCH, ...changed })!.text, TEXT);
    assert.deepEqual(await restarted.probe(ROW, inFlight), {
      type: "delivered",
      messageId: 2,
    });
    assert.deepEqual(fake.edits, []);
  });
});

Deno.test("the check says absent after a window of ids without the message", async () => {
  await withFake(async (fake) => {
    const notifier = notifierFor(fake, { probeWindow: 4 });
    await botSays(notifier, "an earlier row");
    const inFlight = notifier.inFlightRecord(ROW, T0);
    fake.pushUpdate(CHAT, "hello");
    assert.deepEqual(await notifier.probe(ROW, inFlight), { type: "absent" });
    assert.equal(
      fake.requests.filter((r) => r.method === "editMessageText").length,
      4,
    );
    assert.deepEqual(fake.edits, []);
  });
});

Deno.test("the check is not made in a channel where the bot may edit others' posts, nor without a known message id", async () => {
  await withFake(async (fake) => {
    fake.setChat(CHAT, {
      type: "channel",
      botMember: { can_edit_messages: true },
    });
    const notifier = notifierFor(fake);
    const fresh = notifier.inFlightRecord(ROW, T0);
    assert.equal(fresh.after, undefined);
    const unknownId = await notifier.probe(ROW, fresh);
    assert.equal(unknownId.type, "unknown");
    await botSays(notifier, "an earlier row");
    const inFlight = notifier.inFlightRecord(ROW, T0);
    fake.pushChannelPost(CHAT, "an admin's post");
    const result = await notifier.probe(ROW, inFlight);
    assert.equal(result.type, "unknown");
    assert.match(
      (result as { reason: string }).reason,
      /may edit other people's posts in channel -1001234567890.*give the bot only "Post messages"/,
    );
    assert.deepEqual(fake.edits, [], "the admin's post is untouched");
    assert.equal(
      fake.requests.filter((r) => r.method === "editMessageText").length,
      0,
    );
  });
});

Deno.test("in a channel where the bot may only post, the check skips an admin's post and finds the message", async () => {
  await withFake(async (fake) => {
    fake.setChat(CHAT, { type: "channel" });
    const notifier = notifierFor(fake);
    await botSays(notifier, "an earlier row");
    const inFlight = notifier.inFlightRecord(ROW, T0);
    fake.pushChannelPost(CHAT, "an admin's post");
    fake.fail("sendMessage", { kind: "drop", deliver: true });
    await assert.rejects(() => notifier.send(ROW));
    assert.deepEqual(await notifier.probe(ROW, inFlight), {
      type: "delivered",
      messageId: 3,
    });
    assert.deepEqual(fake.edits, []);
  });
});

Deno.test("an attempt that went to another chat (an earlier config) is absent from this one", async () => {
  await withFake(async (fake) => {
    const notifier = notifierFor(fake);
    assert.deepEqual(
      await notifier.probe(ROW, { since: T0, chat: "-100999", after: 5 }),
      { type: "absent" },
    );
    assert.equal(fake.requests.length, 0);
  });
});

Deno.test("the bot's message ids survive a restart through the settings table", async () => {
  await withFake(async (fake) => {
    const store = StateStore.open(":memory:");
    try {
      const first = notifierFor(fake, { sentIds: settingsSentIds(store) });
      await botSays(first, "one");
      await botSays(first, "two");
      assert.equal(
        store.setting(`telegram.sent_ids:${CHAT}`),
        `[[1,"${textDigest("one")}"],[2,"${textDigest("two")}"]]`,
      );
      const second = notifierFor(fake, { sentIds: settingsSentIds(store) });
      assert.equal(second.inFlightRecord(ROW, T0).after, 2);
      store.setSetting(`telegram.sent_ids:${CHAT}`, "not json");
      assert.throws(
        () => settingsSentIds(store).load(String(CHAT)),
        /Cannot read setting 'telegram.sent_ids:-1001234567890' as it must be a JSON array of message ids or \[id, digest\] pairs: current value is not json/,
      );
      const lines: string[] = [];
      const logged = notifierFor(fake, {
        sentIds: settingsSentIds(store),
        log: (line) => lines.push(`${line.msg}: ${line.error}`),
      });
      assert.equal(logged.inFlightRecord(ROW, T0).after, undefined);
      assert.match(lines.join("\n"), /cannot load the recent message ids/);
    } finally {
      store.close();
    }
  });
});

Deno.test("an answer that came before a kill, with the row never marked sent, is found after the restart without any edit", async () => {
  await withFake(async (fake) => {
    const store = StateStore.open(":memory:");
    try {
      const before = notifierFor(fake, { sentIds: settingsSentIds(store) });
      await botSays(before, "an earlier row"); // 1
      const inFlight = before.inFlightRecord(ROW, T0);
      await before.send(ROW); // 2: answered; the process dies before the row is marked sent
      const after = notifierFor(fake, { sentIds: settingsSentIds(store) });
      assert.deepEqual(await after.probe(ROW, inFlight), {
        type: "delivered",
        messageId: 2,
      });
      assert.equal(
        fake.requests.filter((r) => r.method === "editMessageText").length,
        0,
      );
      assert.equal(fake.messages.filter((m) => m.text === TEXT).length, 1);
    } finally {
      store.close();
    }
  });
});

Deno.test("settings written by the earlier build (bare ids) still load", () => {
  const store = StateStore.open(":memory:");
  try {
    store.setSetting(`telegram.sent_ids:${CHAT}`, "[3,4]");
    assert.deepEqual(settingsSentIds(store).load(String(CHAT)), [
      { id: 3 },
      { id: 4 },
    ]);
  } finally {
    store.close();
  }
});

Deno.test("the command bot's replies in the signal chat are known to the check, which skips them", async () => {
  await withFake(async (fake) => {
    const notifier = notifierFor(fake);
    await withCommands(fake, notifier, CHAT, async () => {
      await botSays(notifier, "an earlier row"); // 1
      const inFlight = notifier.inFlightRecord(ROW, T0);
      fake.pushUpdate(CHAT, "/help"); // 2
      // The fake records the reply before the command bot has Telegram's answer to it (the
      // /help update itself already raises the id to 2).
      const answered = () => (notifier.inFlightRecord(ROW, T0).after ?? 0) >= 3;
      for (let i = 0; i < 400 && !answered(); i++) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      assert.equal(fake.messages.at(-1)?.messageId, 3, "the reply is 3");
      assert.equal(notifier.inFlightRecord(ROW, T0).after, 3);
      fake.fail("sendMessage", { kind: "drop", deliver: true });
      await assert.rejects(() => notifier.send(ROW)); // 4
      assert.deepEqual(await notifier.probe(ROW, inFlight), {
        type: "delivered",
        messageId: 4,
      });
      assert.deepEqual(fake.edits, [], "the reply was not touched");
    });
  });
});

Deno.test("a bot with a connection per request reports a dropped answer instead of sending the message again", async () => {
  await withFake(async (fake) => {
    const bot = new Bot(fake.token, {
      botInfo: fake.botInfo,
      client: {
        apiRoot: fake.apiRoot,
        baseFetchConfig: freshConnections(fake.apiRoot),
      },
    });
    await bot.api.sendMessage(CHAT, "warm-up");
    fake.fail("sendMessage", { kind: "drop", deliver: true });
    await assert.rejects(() => bot.api.sendMessage(CHAT, "once"));
    await bot.api.sendMessage(CHAT, "after");
    assert.deepEqual(fake.messages.map((m) => m.text), [
      "warm-up",
      "once",
      "after",
    ]);
  });
});

Deno.test("an answer the check does not know makes it unknown (the row is sent again, never given up)", async () => {
  await withFake(async (fake) => {
    const notifier = notifierFor(fake);
    await botSays(notifier, "an earlier row");
    const inFlight = notifier.inFlightRecord(ROW, T0);
    fake.fail("editMessageText", {
      status: 400,
      description: "Bad Request: MESSAGE_EDIT_TIME_EXPIRED",
    });
    assert.deepEqual(await notifier.probe(ROW, inFlight), {
      type: "unknown",
      reason:
        "Telegram answered the check with 'Bad Request: MESSAGE_EDIT_TIME_EXPIRED'",
    });
  });
});

Deno.test("in a private chat the check finds the message after the bot's traffic in its other chats of the same numbering", async () => {
  await withFake(async (fake) => {
    const notifier = notifierFor(fake, { chatId: 100 });
    await notifier.bot.api.sendMessage(100, "an earlier row"); // 1
    for (let i = 0; i < 12; i++) {
      await notifier.bot.api.sendMessage(200, `elsewhere ${i}`); // 2..13
    }
    await notifier.bot.api.sendMessage(-1001234567890, "a supergroup"); // its own 1
    const inFlight = notifier.inFlightRecord(ROW, T0);
    assert.equal(inFlight.after, 13);
    fake.fail("sendMessage", { kind: "drop", deliver: true });
    await assert.rejects(() => notifier.send(ROW)); // 14
    assert.deepEqual(await notifier.probe(ROW, inFlight), {
      type: "delivered",
      messageId: 14,
    });
  });
});

Deno.test("messages the command bot receives raise the id the next attempt is known to come after", async () => {
  await withFake(async (fake) => {
    const notifier = notifierFor(fake, { chatId: 100 });
    await withCommands(fake, notifier, 100, async () => {
      let last = 0;
      for (let i = 0; i < 5; i++) {
        last = fake.pushUpdate(300, `hello ${i}`).message.message_id;
      }
      for (
        let i = 0;
        i < 400 && notifier.inFlightRecord(ROW, T0).after !== last;
        i++
      ) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      assert.equal(notifier.inFlightRecord(ROW, T0).after, last);
    });
  });
});
