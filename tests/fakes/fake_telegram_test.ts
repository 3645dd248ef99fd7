/**
 * Tests of the fake Telegram Bot API server, driven by grammY itself where grammY is the client
 * (sending, errors, long polling, commands) and by plain `fetch` for the wire details (form and
 * query parameters, rate-limit mode, held and dropped requests).
 *
 * @module
 */
import { strict as assert } from "node:assert";
import { Bot, GrammyError, HttpError } from "grammy";
import {
  type FakeTelegram,
  type FakeTelegramOptions,
  startFakeTelegram,
} from "./fake_telegram.ts";

const TOKEN = "123456:test-token";

async function withFake(
  run: (fake: FakeTelegram) => Promise<void>,
  options: Partial<FakeTelegramOptions> = {},
): Promise<void> {
  const fake = await startFakeTelegram({ token: TOKEN, ...options });
  try {
    await run(fake);
  } finally {
    await fake.close();
  }
}

function botFor(fake: FakeTelegram, token = fake.token): Bot {
  const bot = new Bot(token, {
    botInfo: fake.botInfo,
    client: { apiRoot: fake.apiRoot },
  });
  bot.catch((error) => {
    throw error.error;
  });
  return bot;
}

/** Calls a method over plain HTTP with a JSON body; returns the status and the decoded body. */
async function call(
  fake: FakeTelegram,
  method: string,
  params: Record<string, unknown> = {},
  init: RequestInit = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${fake.apiRoot}/bot${fake.token}/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(params),
    ...init,
  });
  return { status: response.status, body: await response.json() };
}

async function eventually(check: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !check(); waited += 5) {
    if (waited > 3000) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function isGrammyError(status: number, description: string) {
  return (error: unknown): boolean => {
    assert(error instanceof GrammyError, `not a GrammyError: ${error}`);
    assert.equal(error.error_code, status);
    assert.equal(error.description, description);
    return true;
  };
}

Deno.test("fake telegram records grammY messages numbered as Telegram does: per supergroup, one sequence across private chats and basic groups", async () => {
  await withFake(async (fake) => {
    const bot = botFor(fake);
    const before = Date.now();
    const first = await bot.api.sendMessage(100, "one");
    const second = await bot.api.sendMessage(100, "two", {
      disable_notification: true,
      link_preview_options: { is_disabled: true },
      reply_parameters: { message_id: first.message_id },
    });
    const group = await bot.api.sendMessage(-200, "three");
    const supergroup = await bot.api.sendMessage(-1001234567890, "four");
    const again = await bot.api.sendMessage(100, "five");
    const after = Date.now();
    assert.deepEqual(
      [first, second, group, supergroup, again].map((m) => m.message_id),
      [1, 2, 3, 1, 4],
    );
    assert.equal(second.reply_to_message?.message_id, 1);
    assert.deepEqual(
      fake.messages.map((m) => [m.chatId, m.messageId, m.text]),
      [
        [100, 1, "one"],
        [100, 2, "two"],
        [-200, 3, "three"],
        [-1001234567890, 1, "four"],
        [100, 4, "five"],
      ],
    );
    assert.deepEqual(fake.messages[1]!.options, {
      disable_notification: true,
      link_preview_options: { is_disabled: true },
      reply_parameters: { message_id: 1 },
    });
    for (const message of fake.messages) {
      assert(message.receivedAt >= before && message.receivedAt <= after);
    }
  });
});

Deno.test("fake telegram injected 429 reaches grammY as GrammyError with retry_after", async () => {
  await withFake(async (fake) => {
    const bot = botFor(fake);
    fake.fail("sendMessage", { status: 429, retryAfter: 3 });
    await assert.rejects(
      () => bot.api.sendMessage(100, "signal"),
      (error: unknown) => {
        isGrammyError(429, "Too Many Requests: retry after 3")(error);
        assert.equal((error as GrammyError).parameters.retry_after, 3);
        return true;
      },
    );
    await bot.api.sendMessage(100, "signal");
    assert.deepEqual(fake.messages.map((m) => m.text), ["signal"]);
    assert.deepEqual(
      fake.requests.map((r) => [r.method, r.chatId, r.outcome]),
      [
        ["sendMessage", 100, 429],
        ["sendMessage", 100, 200],
      ],
    );
  });
});

Deno.test("fake telegram delivers a pushed /status to a grammY command handler by long polling", async () => {
  await withFake(async (fake) => {
    const bot = botFor(fake);
    bot.command("status", (ctx) => ctx.reply(`status for ${ctx.from?.id}`));
    bot.on("message:text", (ctx) => ctx.reply(`echo ${ctx.message.text}`));
    const running = bot.start({ timeout: 30 });
    try {
      fake.pushUpdate(100, "/status", { fromId: 7 });
      fake.pushUpdate(100, "hello");
      await eventually(() => fake.messages.length === 2, "two replies");
    } finally {
      await bot.stop();
      await running;
    }
    assert.deepEqual(
      fake.messages.map((m) => [m.chatId, m.messageId, m.text]),
      [
        [100, 3, "status for 7"],
        [100, 4, "echo hello"],
      ],
    );
    assert(fake.requests.some((r) => r.method === "deleteWebhook"));
  });
});

Deno.test("fake telegram rejects an unknown token with 401 Unauthorized", async () => {
  await withFake(async (fake) => {
    const bot = botFor(fake, "999:wrong");
    await assert.rejects(
      () => bot.api.getMe(),
      isGrammyError(401, "Unauthorized"),
    );
    await assert.rejects(
      () => bot.api.sendMessage(100, "x"),
      isGrammyError(401, "Unauthorized"),
    );
    assert.equal(fake.messages.length, 0);
    assert.deepEqual(
      (await botFor(fake).api.getMe()).username,
      "velas_test_bot",
    );
  });
});

Deno.test("fake telegram fails only the given chat with chat not found, blocked and 5xx", async () => {
  await withFake(async (fake) => {
    const bot = botFor(fake);
    fake.fail("sendMessage", { status: 400 }, { chatId: 5, times: Infinity });
    fake.fail("SENDMESSAGE", { status: 403 }, { chatId: 6 });
    fake.fail("*", { status: 502 }, { chatId: 7 });
    const notFound = isGrammyError(400, "Bad Request: chat not found");
    await assert.rejects(() => bot.api.sendMessage(5, "a"), notFound);
    await assert.rejects(() => bot.api.sendMessage(5, "b"), notFound);
    await assert.rejects(
      () => bot.api.sendMessage(6, "c"),
      isGrammyError(403, "Forbidden: bot was blocked by the user"),
    );
    await assert.rejects(
      () => bot.api.sendMessage(7, "d"),
      isGrammyError(502, "Bad Gateway"),
    );
    await bot.api.sendMessage(6, "e");
    await bot.api.sendMessage(8, "f");
    assert.deepEqual(fake.messages.map((m) => m.text), ["e", "f"]);
  });
});

Deno.test("fake telegram rate-limit mode answers 429 with the retry_after that clears the limit", async () => {
  let now = 1_000_000;
  await withFake(async (fake) => {
    fake.rateLimit({ perChatPerMinute: 3 });
    for (const offset of [0, 10_000, 20_000]) {
      now = 1_000_000 + offset;
      assert.equal(
        (await call(fake, "sendMessage", { chat_id: 1, text: "x" })).status,
        200,
      );
    }
    now = 1_030_500;
    const limited = await call(fake, "sendMessage", { chat_id: 1, text: "x" });
    assert.deepEqual(limited, {
      status: 429,
      body: {
        ok: false,
        error_code: 429,
        description: "Too Many Requests: retry after 30",
        parameters: { retry_after: 30 },
      },
    });
    assert.equal(
      (await call(fake, "sendMessage", { chat_id: 2, text: "x" })).status,
      200,
    );
    now += 30_000;
    assert.equal(
      (await call(fake, "sendMessage", { chat_id: 1, text: "x" })).status,
      200,
    );
    assert.equal(fake.messages.length, 5);
  }, { now: () => now });
});

Deno.test("fake telegram drops the connection after delivering so grammY sees an HttpError", async () => {
  await withFake(async (fake) => {
    const bot = botFor(fake);
    fake.fail("sendMessage", { kind: "drop", deliver: true });
    await assert.rejects(
      () => bot.api.sendMessage(100, "lost answer"),
      HttpError,
    );
    assert.deepEqual(fake.messages.map((m) => m.text), ["lost answer"]);
    assert.equal(fake.requests[0]!.outcome, "dropped");
  });
});

Deno.test("fake telegram holds a timed-out request until the client gives up", async () => {
  await withFake(async (fake) => {
    fake.fail("sendMessage", { kind: "timeout" });
    const abort = new AbortController();
    const pending = call(fake, "sendMessage", { chat_id: 1, text: "x" }, {
      signal: abort.signal,
    });
    await eventually(() => fake.requests.length === 1, "the request to arrive");
    abort.abort();
    await assert.rejects(pending);
    await eventually(() => fake.requests[0]!.outcome === "dropped", "the drop");
    assert.equal(fake.messages.length, 0);

    fake.fail("sendMessage", { kind: "timeout", holdMs: 50 });
    const started = Date.now();
    const slow = await call(fake, "sendMessage", { chat_id: 1, text: "late" });
    assert.equal(slow.status, 200);
    assert(Date.now() - started >= 50);
    assert.deepEqual(fake.messages.map((m) => m.text), ["late"]);
  });
});

Deno.test("fake telegram reads form and query parameters and answers unknown methods with 404", async () => {
  await withFake(async (fake) => {
    const form = await fetch(`${fake.apiRoot}/bot${fake.token}/sendMessage`, {
      method: "POST",
      body: new URLSearchParams({
        chat_id: "42",
        text: "123",
        disable_notification: "true",
        reply_parameters: JSON.stringify({ message_id: 9 }),
      }),
    });
    assert.deepEqual(await form.json(), {
      ok: false,
      error_code: 400,
      description: "Bad Request: message to be replied not found",
    });
    const query = await fetch(
      `${fake.apiRoot}/bot${fake.token}/sendMessage?chat_id=42&text=123&disable_notification=true`,
    );
    assert.equal(query.status, 200);
    assert.deepEqual(fake.messages.map((m) => [m.chatId, m.text, m.options]), [
      [42, "123", { disable_notification: true }],
    ]);
    const unknown = await call(fake, "sendSticker", { chat_id: 42 });
    assert.deepEqual(unknown, {
      status: 404,
      body: { ok: false, error_code: 404, description: "Not Found" },
    });
  });
});

Deno.test("fake telegram getUpdates confirms by offset and ends a long poll at the cap", async () => {
  await withFake(async (fake) => {
    const empty = await call(fake, "getUpdates", { timeout: 30 });
    assert.deepEqual(empty.body, { ok: true, result: [] });
    const pushed = fake.pushUpdate(-300, "/daily@velas_test_bot 3");
    const first = await call(fake, "getUpdates", { timeout: 30 });
    assert.deepEqual(first.body.result, [pushed]);
    assert.deepEqual(pushed.message.entities, [
      { type: "bot_command", offset: 0, length: 21 },
    ]);
    const confirmed = await call(fake, "getUpdates", {
      offset: pushed.update_id + 1,
    });
    assert.deepEqual(confirmed.body.result, []);
  }, { pollCapMs: 20 });
});

Deno.test("fake telegram stores commands set by grammY and refuses invalid ones", async () => {
  await withFake(async (fake) => {
    const bot = botFor(fake);
    await bot.api.setMyCommands([{
      command: "status",
      description: "Series health",
    }]);
    assert.deepEqual(fake.commands, [{
      command: "status",
      description: "Series health",
    }]);
    await assert.rejects(
      () => bot.api.setMyCommands([{ command: "Bad-Name", description: "x" }]),
      isGrammyError(400, "Bad Request: BOT_COMMAND_INVALID"),
    );
    assert.deepEqual(await bot.api.getMyCommands(), fake.commands);
  });
});

const NOT_MODIFIED =
  "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message";
const CANT_EDIT = "Bad Request: message can't be edited";

Deno.test("fake telegram edits the bot's own message, recording the edit and keeping messages as sent", async () => {
  let now = 1_700_000_000_000;
  await withFake(async (fake) => {
    const bot = botFor(fake);
    const sent = await bot.api.sendMessage(100, "draft", {
      parse_mode: "HTML",
    });
    now += 5_000;
    const edited = await bot.api.editMessageText(100, sent.message_id, "v2", {
      parse_mode: "HTML",
      link_preview_options: { is_disabled: true },
    });
    assert(edited !== true && "text" in edited, "an edit answers a Message");
    assert.equal(edited.message_id, sent.message_id);
    assert.equal(edited.text, "v2");
    assert.equal(edited.date, sent.date);
    assert.equal(edited.edit_date, 1_700_000_005);
    assert.deepEqual(edited.chat, sent.chat);
    assert.deepEqual(edited.from, sent.from);
    now += 1_000;
    await bot.api.editMessageText(100, sent.message_id, "v3");
    assert.deepEqual(fake.edits, [
      {
        chatId: 100,
        messageId: 1,
        oldText: "draft",
        newText: "v2",
        receivedAt: 1_700_000_005_000,
      },
      {
        chatId: 100,
        messageId: 1,
        oldText: "v2",
        newText: "v3",
        receivedAt: 1_700_000_006_000,
      },
    ]);
    assert.deepEqual(fake.messages.map((m) => [m.messageId, m.text]), [
      [1, "draft"],
    ]);
  }, { now: () => now });
});

Deno.test("fake telegram refuses an edit to the message's current text as not modified", async () => {
  await withFake(async (fake) => {
    const bot = botFor(fake);
    const sent = await bot.api.sendMessage(100, "same");
    await assert.rejects(
      () => bot.api.editMessageText(100, sent.message_id, "same"),
      isGrammyError(400, NOT_MODIFIED),
    );
    await bot.api.editMessageText(100, sent.message_id, "changed");
    await assert.rejects(
      () => bot.api.editMessageText(100, sent.message_id, "changed"),
      isGrammyError(400, NOT_MODIFIED),
    );
    await bot.api.editMessageText(100, sent.message_id, "same");
    assert.deepEqual(fake.edits.map((e) => [e.oldText, e.newText]), [
      ["same", "changed"],
      ["changed", "same"],
    ]);
  });
});

Deno.test("fake telegram refuses to edit a message that never existed in that chat", async () => {
  await withFake(async (fake) => {
    const bot = botFor(fake);
    await bot.api.sendMessage(200, "other chat 1");
    const elsewhere = await bot.api.sendMessage(200, "other chat 2");
    await bot.api.sendMessage(100, "first");
    const notFound = isGrammyError(
      400,
      "Bad Request: message to edit not found",
    );
    await assert.rejects(() => bot.api.editMessageText(100, 99, "x"), notFound);
    await assert.rejects(
      () => bot.api.editMessageText(100, elsewhere.message_id, "x"),
      notFound,
    );
    await assert.rejects(() => bot.api.editMessageText(300, 1, "x"), notFound);
    await assert.rejects(
      () => bot.api.editMessageText(100, 1, " "),
      isGrammyError(400, "Bad Request: message text is empty"),
    );
    assert.deepEqual(
      (await call(fake, "editMessageText", { message_id: 1, text: "x" })).body,
      {
        ok: false,
        error_code: 400,
        description: "Bad Request: chat_id is empty",
      },
    );
    assert.equal(fake.edits.length, 0);
  });
});

Deno.test("fake telegram refuses to edit a user's message as can't be edited", async () => {
  await withFake(async (fake) => {
    const bot = botFor(fake);
    const update = fake.pushUpdate(100, "hello from a user");
    await assert.rejects(
      () => bot.api.editMessageText(100, update.message.message_id, "hijack"),
      isGrammyError(400, CANT_EDIT),
    );
    assert.equal(fake.edits.length, 0);
  });
});

Deno.test("fake telegram lets the bot edit another's channel post only as creator or admin with can_edit_messages", async () => {
  await withFake(async (fake) => {
    const bot = botFor(fake);
    const channel = "@velas_signals";
    const post = fake.pushChannelPost(channel, "pinned summary");
    const own = await bot.api.sendMessage(channel, "bot post");
    assert.deepEqual([post, own.message_id], [1, 2]);
    assert.deepEqual(fake.messages.map((m) => m.text), ["bot post"]);
    await assert.rejects(
      () => bot.api.editMessageText(channel, post, "by default admin"),
      isGrammyError(400, CANT_EDIT),
    );
    await bot.api.editMessageText(channel, own.message_id, "own post edited");

    fake.setChat(channel, { botMember: { can_edit_messages: true } });
    const edited = await bot.api.editMessageText(channel, post, "as editor");
    assert(edited !== true && "text" in edited);
    assert.equal(edited.text, "as editor");
    assert.equal(edited.from, undefined);
    assert.deepEqual(edited.sender_chat, edited.chat);

    fake.setChat(channel, {
      botMember: { status: "creator", can_edit_messages: false },
    });
    await bot.api.editMessageText(channel, post, "as creator");
    fake.setChat(channel, {
      botMember: { status: "member", can_edit_messages: true },
    });
    await assert.rejects(
      () => bot.api.editMessageText(channel, post, "as member"),
      isGrammyError(400, CANT_EDIT),
    );

    const group = -300;
    const groupPost = fake.pushChannelPost(group, "admin note");
    fake.setChat(group, { botMember: { status: "creator" } });
    await assert.rejects(
      () => bot.api.editMessageText(group, groupPost, "not a channel"),
      isGrammyError(400, CANT_EDIT),
    );
    fake.setChat(group, { type: "channel" });
    await bot.api.editMessageText(group, groupPost, "now a channel");

    assert.deepEqual(
      fake.edits.map((e) => [e.chatId, e.messageId, e.newText]),
      [
        [channel, 2, "own post edited"],
        [channel, 1, "as editor"],
        [channel, 1, "as creator"],
        [group, 1, "now a channel"],
      ],
    );
    assert.deepEqual(fake.messages.map((m) => m.text), ["bot post"]);
  });
});

Deno.test("fake telegram getChatMember answers the bot's default record by chat type and others as members", async () => {
  await withFake(async (fake) => {
    const bot = botFor(fake);
    const botUser = {
      id: 123456,
      is_bot: true,
      first_name: "VELAS Test",
      username: "velas_test_bot",
    };
    assert.deepEqual(await bot.api.getChatMember("@velas_signals", 123456), {
      status: "administrator",
      user: botUser,
      can_be_edited: false,
      is_anonymous: false,
      can_manage_chat: true,
      can_delete_messages: false,
      can_manage_video_chats: false,
      can_restrict_members: false,
      can_promote_members: false,
      can_change_info: false,
      can_invite_users: false,
      can_post_stories: false,
      can_edit_stories: false,
      can_delete_stories: false,
      can_post_messages: true,
      can_edit_messages: false,
    });
    assert.deepEqual(await bot.api.getChatMember(100, 123456), {
      status: "member",
      user: botUser,
    });
    assert.deepEqual(await bot.api.getChatMember(-1_000_000_000_001, 7), {
      status: "member",
      user: { id: 7, is_bot: false, first_name: "Tester" },
    });
    assert.deepEqual(
      (await call(fake, "getChatMember", { chat_id: 100, user_id: "x" })).body,
      {
        ok: false,
        error_code: 400,
        description: "Bad Request: invalid user_id specified",
      },
    );
    assert.equal(
      (await call(fake, "getChatMember", { user_id: 7 })).body.description,
      "Bad Request: chat_id is empty",
    );
  });
});

Deno.test("fake telegram getChatMember merges a setChat bot member over the default, keeping the bot user", async () => {
  await withFake(async (fake) => {
    const bot = botFor(fake);
    fake.setChat("@velas_signals", {
      botMember: { can_edit_messages: true, user: { id: 1 } },
    });
    const member = await bot.api.getChatMember("@velas_signals", 123456);
    assert(member.status === "administrator");
    assert.equal(member.can_edit_messages, true);
    assert.equal(member.can_post_messages, true);
    assert.equal(member.user.username, "velas_test_bot");

    fake.setChat(-300, { type: "channel" });
    const promoted = await bot.api.getChatMember(-300, 123456);
    assert(promoted.status === "administrator");
    assert.equal(promoted.can_edit_messages, false);
  });
});

Deno.test("fake telegram setChat type shows in getChat and in the chat of messages", async () => {
  await withFake(async (fake) => {
    const bot = botFor(fake);
    assert.deepEqual(await bot.api.getChat(-300), {
      id: -300,
      type: "group",
      title: "Chat -300",
    });
    fake.setChat(-300, { type: "supergroup" });
    fake.setChat(42, { type: "channel" });
    assert.deepEqual(await bot.api.getChat(-300), {
      id: -300,
      type: "supergroup",
      title: "Chat -300",
    });
    assert.deepEqual(await bot.api.getChat(42), {
      id: 42,
      type: "channel",
      title: "Chat 42",
    });
    assert.equal((await bot.api.sendMessage(42, "x")).chat.type, "channel");
    assert.equal(
      (fake.pushUpdate(-300, "hi").message.chat as { type: string }).type,
      "supergroup",
    );
    assert.throws(
      () =>
        fake.setChat(1, {
          type: "forum" as unknown as "group",
        }),
      RangeError,
    );
  });
});

Deno.test("fake telegram fault with skip lets the first matching requests pass, then hits", async () => {
  await withFake(async (fake) => {
    const bot = botFor(fake);
    const sent = await bot.api.sendMessage(100, "v1");
    fake.fail("editMessageText", { status: 429, retryAfter: 2 }, {
      skip: 2,
      times: 1,
    });
    await bot.api.editMessageText(100, sent.message_id, "v2");
    await bot.api.editMessageText(100, sent.message_id, "v3");
    await assert.rejects(
      () => bot.api.editMessageText(100, sent.message_id, "v4"),
      isGrammyError(429, "Too Many Requests: retry after 2"),
    );
    await bot.api.editMessageText(100, sent.message_id, "v4");
    assert.deepEqual(
      fake.requests.filter((r) => r.method === "editMessageText").map((r) =>
        r.outcome
      ),
      [200, 200, 429, 200],
    );
    assert.deepEqual(fake.edits.map((e) => e.newText), ["v2", "v3", "v4"]);

    fake.fail("sendMessage", { status: 502 });
    fake.fail("sendMessage", { status: 403 }, { skip: 1 });
    await assert.rejects(
      () => bot.api.sendMessage(100, "a"),
      isGrammyError(502, "Bad Gateway"),
    );
    await assert.rejects(
      () => bot.api.sendMessage(100, "b"),
      isGrammyError(403, "Forbidden: bot was blocked by the user"),
    );
    await bot.api.sendMessage(100, "c");

    for (const skip of [-1, 1.5, Infinity]) {
      assert.throws(
        () => fake.fail("sendMessage", { status: 500 }, { skip }),
        (error: unknown) => {
          assert(error instanceof RangeError);
          assert.equal(
            error.message,
            `Cannot configure the fake Telegram as 'skip' must be a non-negative integer: current value is ${skip}`,
          );
          return true;
        },
      );
    }
  });
});

Deno.test("fake telegram reset forgets edits, chat overrides and pushed posts", async () => {
  await withFake(async (fake) => {
    const bot = botFor(fake);
    const channel = "@velas_signals";
    fake.setChat(channel, { botMember: { can_edit_messages: true } });
    fake.setChat(-300, { type: "channel" });
    const post = fake.pushChannelPost(channel, "old");
    await bot.api.editMessageText(channel, post, "new");
    assert.equal(fake.edits.length, 1);
    fake.reset();
    assert.deepEqual(fake.edits, []);
    assert.equal((await bot.api.getChat(-300)).type, "group");
    const member = await bot.api.getChatMember(channel, 123456);
    assert(member.status === "administrator");
    assert.equal(member.can_edit_messages, false);
    await assert.rejects(
      () => bot.api.editMessageText(channel, post, "again"),
      isGrammyError(400, "Bad Request: message to edit not found"),
    );
    assert.equal(fake.pushChannelPost(channel, "fresh"), 1);
  });
});
