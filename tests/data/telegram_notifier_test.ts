/**
 * Tests of the Telegram notifier (`data/telegram_notifier.ts`), its dispatch
 * (`data/telegram_dispatch.ts`) and pacer (`data/telegram_pacer.ts`) against the fake Bot API,
 * with a fake clock that is also the fake server's clock, so pacing is measured on the server's
 * receive times without real waits.
 *
 * @module
 */
import { strict as assert } from "node:assert";
import { Bot, HttpError } from "grammy";
import { NotifierActor } from "../../actors/notifier_actor.ts";
import { NotifierError } from "../../core/notifier.ts";
import type { OutboxRow } from "../../core/state_types.ts";
import { StateStore } from "../../data/state_store.ts";
import { textOf } from "../../data/telegram_dispatch.ts";
import {
  TelegramNotifier,
  type TelegramNotifierOptions,
} from "../../data/telegram_notifier.ts";
import { ChatPacer } from "../../data/telegram_pacer.ts";
import { FakeClock } from "../fakes/fake_clock.ts";
import {
  type FakeTelegram,
  startFakeTelegram,
} from "../fakes/fake_telegram.ts";
import {
  burstOutbox,
  fillPayload,
  mostInWindow,
  positionAfter,
  SHARES,
  signalPayload,
  T0,
  TPS,
  tradeRecord,
} from "../fakes/telegram_outbox_fixture.ts";

const TOKEN = "123456:velas-SECRET_token-xyz";
const CHAT = -1001234567890;
const DISPATCH = { language: "en", exchangeLine: "Binance Futures" } as const;

function rowOf(id: number, kind: string, key: string, payload: unknown) {
  return {
    id,
    key,
    kind,
    payload,
    createdAt: T0,
    sentAt: null,
    messageId: null,
    attempts: 0,
    lastError: null,
    inFlight: null,
  } satisfies OutboxRow;
}

const tpRow = (id: number, k: number, position: unknown) =>
  rowOf(
    id,
    "tp",
    `fill:t:${k}`,
    fillPayload({
      kind: "tp",
      tpIndex: k,
      price: TPS[k - 1]!,
      quantity: 0.1 * SHARES[k - 1]!,
    }, { position, closed: null }),
  );

async function withTelegram(
  run: (fake: FakeTelegram, clock: FakeClock) => Promise<void>,
  onAdvance?: (time: number, fake: FakeTelegram) => void,
): Promise<void> {
  const ref: { fake?: FakeTelegram } = {};
  const clock = new FakeClock({
    start: T0,
    autoAdvance: true,
    onAdvance: (time) => onAdvance?.(time, ref.fake!),
  });
  const fake = await startFakeTelegram({
    token: TOKEN,
    now: () => clock.now(),
  });
  ref.fake = fake;
  try {
    await run(fake, clock);
  } finally {
    await fake.close();
  }
}

function notifierFor(
  fake: FakeTelegram,
  clock: FakeClock,
  extra: Partial<TelegramNotifierOptions> = {},
): TelegramNotifier {
  return new TelegramNotifier({
    token: fake.token,
    chatId: CHAT,
    apiRoot: fake.apiRoot,
    clock,
    ...DISPATCH,
    messagesPerMinute: 20,
    signalsPerMinute: 7,
    botInfo: fake.botInfo,
    ...extra,
  });
}

async function sendError(
  notifier: TelegramNotifier,
  row: OutboxRow,
): Promise<NotifierError> {
  const error = await notifier.send(row).then(
    () => assert.fail("the send should fail"),
    (e: unknown) => e,
  );
  assert.ok(error instanceof NotifierError, String(error));
  return error;
}

const SIGNAL_TEXT = [
  "⚡⚡ #BTC/USDT ⚡⚡",
  "Exchanges: Binance Futures",
  "",
  "Signal Type: Regular (Long)",
  "",
  "Leverage: Cross (10X)",
  "",
  "Entry Zone:",
  "42500.0",
  "",
  "Take-Profit Targets:",
  "1) 42925.0",
  "2) 43350.0",
  "3) 43775.0",
  "4) 44200.0",
  "5) 45687.5",
  "6) 48450.0",
  "",
  "Stop Targets:",
  "1) 38887.5",
].join("\n");

Deno.test("telegram notifier sends the signal as plain text and the TP hit as a reply to it", async () => {
  await withTelegram(async (fake, clock) => {
    const sent = new Map<string, number>();
    const notifier = notifierFor(fake, clock, {
      replyTo: () => sent.get("signal:x"),
    });
    const signal = await notifier.send(
      rowOf(1, "signal", "signal:x", signalPayload()),
    );
    sent.set("signal:x", signal.messageId!);
    const tp = await notifier.send(tpRow(2, 1, positionAfter(1)));
    assert.equal(fake.messages.length, 2);
    const [first, second] = fake.messages;
    assert.equal(first!.chatId, CHAT);
    assert.equal(first!.text, SIGNAL_TEXT);
    assert.deepEqual(first!.options, {});
    assert.equal(signal.messageId, first!.messageId);
    assert.equal(
      second!.text,
      "✅ TP1 HIT — BTC/USDT LONG 1h\nClosed 20% at 42925.0 (+1.0%)\n" +
        "Stop moved: → 42500.0 (breakeven)\nRemaining: 80% of the position",
    );
    assert.deepEqual(second!.options.reply_parameters, {
      message_id: first!.messageId,
      allow_sending_without_reply: true,
    });
    assert.equal(tp.messageId, second!.messageId);
  });
});

Deno.test("telegram notifier switch off acknowledges without sending and silent sends without sound", async () => {
  await withTelegram(async (fake, clock) => {
    const notifier = notifierFor(fake, clock, {
      switches: { signal: "off", tp: "silent" },
    });
    const off = await notifier.send(rowOf(1, "signal", "s", signalPayload()));
    assert.deepEqual(off, { messageId: null });
    assert.equal(fake.requests.length, 0);
    const silent = await notifier.send(tpRow(2, 1, positionAfter(1)));
    assert.equal(fake.messages.length, 1);
    assert.equal(silent.messageId, fake.messages[0]!.messageId);
    assert.equal(fake.messages[0]!.options.disable_notification, true);
  });
});

Deno.test("dispatch tells a stop move once per step on the last TP with each TP's remaining share", () => {
  const after = positionAfter(2);
  const tp1 = textOf(tpRow(1, 1, after), DISPATCH)!.text;
  const tp2 = textOf(tpRow(2, 2, after), DISPATCH)!.text;
  assert.equal(
    tp1,
    "✅ TP1 HIT — BTC/USDT LONG 1h\nClosed 20% at 42925.0 (+1.0%)\n" +
      "Remaining: 80% of the position",
  );
  assert.equal(
    tp2,
    "✅ TP2 HIT — BTC/USDT LONG 1h\nClosed 20% at 43350.0 (+2.0%)\n" +
      "Stop moved: → 42925.0 (TP1)\nRemaining: 60% of the position",
  );
  const none = {
    ...DISPATCH,
    stopRule: { mode: "none" as const, breakevenAfterTp: 1 },
  };
  assert.ok(!textOf(tpRow(3, 2, after), none)!.text.includes("Stop moved"));
});

Deno.test("dispatch prints a stop loss with its minus and a TP that closed the trade as fully closed", () => {
  const stop = rowOf(
    1,
    "stop",
    "fill:stop",
    fillPayload({ kind: "stop", price: 38868.06, quantity: 0.1 }, {
      position: null,
      closed: tradeRecord("t", "stop", 0),
    }),
  );
  assert.equal(
    textOf(stop, DISPATCH)!.text,
    "⛔ SL HIT — BTC/USDT LONG 1h\nClosed 100% at 38868.1 (-8.5%)\n" +
      "Result: -365.19 USDT",
  );
  const ru = textOf(stop, { ...DISPATCH, language: "ru" })!.text;
  assert.ok(ru.endsWith("Результат: -$365.19"), ru);
  const tp6 = rowOf(
    2,
    "tp",
    "fill:tp6",
    fillPayload({ kind: "tp", tpIndex: 6, price: 48450, quantity: 0.015 }, {
      position: null,
      closed: tradeRecord("t", "tp6", 6),
    }),
  );
  assert.ok(
    textOf(tp6, DISPATCH)!.text.endsWith(
      "Closed 15% at 48450.0 (+14.0%)\nPosition fully closed",
    ),
  );
  const closed = rowOf(3, "closed", "closed:t", tradeRecord("t", "stop", 0));
  const summary = textOf(closed, DISPATCH)!.text;
  assert.ok(
    summary.startsWith("📊 POSITION CLOSED — BTC/USDT LONG 1h\n❌ LOSS"),
  );
  assert.ok(summary.endsWith("Net PnL: -8.59% (-365.13 USDT)"), summary);
});

Deno.test("dispatch formats a daily summary row with its open positions", () => {
  const payload = {
    date: "2024-03-05",
    signals: 3,
    trades: 2,
    wins: 1,
    pnlPct: -1.25,
    pnlQuote: -12.5,
    equity: 987.5,
    best: { symbol: "SOLUSDT", pnlPct: 2.2 },
    worst: { symbol: "XRPUSDT", pnlPct: -3.4 },
    openPositions: [{
      symbol: "ETHUSDT",
      side: "SHORT",
      timeframe: "4h",
      entryPrice: 2000,
      unrealizedPct: 5,
    }],
  };
  assert.equal(
    textOf(rowOf(1, "daily", "daily:2024-03-05", payload), DISPATCH)!.text,
    [
      "📊 DAILY SUMMARY — 05.03.2024",
      "",
      "Trades: 2",
      "Win Rate: 50.0%",
      "PnL: -1.25% (-12.50 USDT)",
      "Best: SOLUSDT +2.2%",
      "Worst: XRPUSDT -3.4%",
      "Signals: 3",
      "Equity: 987.50 USDT",
      "",
      "Open positions: 1",
      "ETH/USDT SHORT 4h @ 2000.00 (+5.0%)",
    ].join("\n"),
  );
  const { best: _b, worst: _w, ...quiet } = payload;
  const ru = textOf(
    rowOf(2, "daily", "d", { ...quiet, trades: 0, wins: 0, openPositions: [] }),
    { ...DISPATCH, language: "ru", switches: { daily: "silent" } },
  )!;
  assert.equal(ru.silent, true);
  assert.ok(
    ru.text.includes("ИТОГИ ДНЯ") && !ru.text.includes("Лучшая"),
    ru.text,
  );
  assert.throws(
    () => textOf(rowOf(3, "daily", "d", { ...payload, wins: "1" }), DISPATCH),
    new TypeError(
      `Cannot format outbox row as 'payload.wins' must be a finite number: current value is "1"`,
    ),
  );
});

Deno.test("dispatch formats system alert and stale series rows", () => {
  assert.equal(
    textOf(
      rowOf(1, "alert", "alert:degraded:BTCUSDT:1h:1", {
        level: "error",
        message: "BTCUSDT:1h degraded: 5 restarts failed",
      }),
      DISPATCH,
    )!.text,
    "🔴 SYSTEM\nBTCUSDT:1h degraded: 5 restarts failed",
  );
  const stale = {
    symbol: "ETHUSDT",
    timeframe: "1h",
    intervals: 2,
    lastCloseTime: Date.UTC(2024, 0, 1, 9),
  };
  const staleText = textOf(rowOf(2, "stale", "s", stale), DISPATCH)!.text;
  assert.ok(staleText.startsWith("⚠️ "), staleText);
  assert.ok(staleText.includes("ETH/USDT 1h"), staleText);
  assert.ok(staleText.includes("2024-01-01 09:00 UTC"), staleText);
  const resumed = textOf(
    rowOf(3, "stale", "r", { ...stale, resumed: true }),
    DISPATCH,
  )!.text;
  assert.ok(resumed.startsWith("✅ "), resumed);
  assert.notEqual(resumed, staleText);
  assert.equal(
    textOf(rowOf(4, "stale", "n", { ...stale, lastCloseTime: null }), {
      ...DISPATCH,
      switches: { stale: "off" },
    }),
    undefined,
  );
  assert.ok(
    textOf(rowOf(5, "stale", "n", { ...stale, lastCloseTime: null }), DISPATCH)!
      .text.includes("No candle yet"),
  );
});

Deno.test("telegram notifier refuses an unknown kind or a malformed payload without retry and sends nothing", async () => {
  await withTelegram(async (fake, clock) => {
    const notifier = notifierFor(fake, clock);
    assert.throws(
      () => textOf(rowOf(1, "gossip", "a", {}), DISPATCH),
      RangeError,
    );
    const bad = { ...signalPayload(), stop: 50000 };
    assert.throws(
      () => textOf(rowOf(2, "signal", "s", bad), DISPATCH),
      RangeError,
    );
    for (
      const row of [
        rowOf(1, "gossip", "a", {}),
        rowOf(2, "signal", "s", bad),
        rowOf(3, "tp", "t", { fill: {}, trade: null }),
      ]
    ) {
      const error = await sendError(notifier, row);
      assert.equal(error.retryable, false);
      assert.match(error.message, /cannot be formatted/);
    }
    assert.equal(fake.requests.length, 0);
  });
});

Deno.test("telegram notifier maps 429 to a retry after exactly retry_after, 5xx to a retry, 400 to a final refusal", async () => {
  await withTelegram(async (fake, clock) => {
    const notifier = notifierFor(fake, clock);
    const row = tpRow(1, 1, positionAfter(1));
    fake.fail("sendMessage", { status: 429, retryAfter: 3 });
    const limited = await sendError(notifier, row);
    assert.equal(limited.retryable, true);
    assert.equal(limited.retryAfterMs, 3000);
    fake.fail("sendMessage", { status: 500 });
    const server = await sendError(notifier, row);
    assert.equal(server.retryable, true);
    assert.equal(server.retryAfterMs, undefined);
    fake.fail("sendMessage", { status: 400 });
    const refused = await sendError(notifier, row);
    assert.equal(refused.retryable, false);
    assert.match(refused.message, /400 Bad Request: chat not found/);
    assert.equal(fake.messages.length, 0);
  });
});

Deno.test("telegram notifier keeps the token out of network, timeout and connection errors", async () => {
  await withTelegram(async (fake, clock) => {
    const dead = await startFakeTelegram({ token: TOKEN });
    await dead.close();
    // Unredacted, grammY's network error does carry the token in the request URL.
    const raw = new Bot(TOKEN, {
      botInfo: fake.botInfo,
      client: { apiRoot: dead.apiRoot },
    });
    const rawError = await raw.api.sendMessage(CHAT, "x").catch((e) => e);
    assert.ok(rawError instanceof HttpError);
    assert.ok(String(rawError.error).includes(TOKEN));
    const errors: NotifierError[] = [];
    const row = tpRow(1, 1, positionAfter(1));
    errors.push(
      await sendError(notifierFor(fake, clock, { apiRoot: dead.apiRoot }), row),
    );
    fake.fail("sendMessage", { kind: "drop" });
    errors.push(await sendError(notifierFor(fake, clock), row));
    fake.fail("sendMessage", { kind: "timeout" });
    errors.push(
      await sendError(notifierFor(fake, clock, { timeoutMs: 100 }), row),
    );
    assert.match(errors[2]!.message, /timed out/);
    for (const error of errors) {
      assert.equal(error.retryable, true);
      const text = `${error.message} ${(error.cause as Error).message} ${
        (error.cause as Error).stack
      } ${JSON.stringify(error)}`;
      for (const secret of [TOKEN, encodeURIComponent(TOKEN), "SECRET"]) {
        assert.ok(!text.includes(secret), text);
      }
    }
  });
});

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

Deno.test("pacer counts a message in flight until its answer, one window past it", async () => {
  const clock = new FakeClock({ start: 0 });
  const pacer = new ChatPacer(clock, {
    messagesPerMinute: 2,
    signalsPerMinute: 1,
  });
  const a = await pacer.wait(1, false);
  await pacer.wait(1, false);
  let granted = false;
  const c = pacer.wait(1, false).then(() => granted = true);
  await clock.advanceTo(120_000);
  await settle();
  assert.equal(granted, false, "both slots are still in flight");
  assert.equal(pacer.delayMs(2, true), 0, "other chats are not held");
  a.done();
  await settle();
  assert.equal(clock.nextDeadline(), 180_000);
  await clock.advanceTo(179_999);
  await settle();
  assert.equal(granted, false);
  await clock.advanceTo(180_000);
  await c;
});

Deno.test("pacer serves a chat in arrival order and a waiter that gives up does not let the next one jump", async () => {
  const clock = new FakeClock({ start: 0 });
  const pacer = new ChatPacer(clock, {
    messagesPerMinute: 2,
    signalsPerMinute: 1,
  });
  (await pacer.wait(1, true)).done();
  const order: string[] = [];
  const x = pacer.wait(1, true).then((p) => (order.push("x"), p.done()));
  const aborter = new AbortController();
  const d = pacer.wait(1, false, aborter.signal);
  const y = pacer.wait(1, false).then((p) => (order.push("y"), p.done()));
  aborter.abort(new Error("stop"));
  await assert.rejects(d, /stop/);
  await settle();
  assert.deepEqual(order, [], "y has room but waits behind the signal x");
  await clock.advanceTo(60_000);
  await Promise.all([x, y]);
  assert.deepEqual(order, ["x", "y"]);
});

Deno.test("telegram notifier paces 30 messages at 20 a minute and 10 signals at 7 a minute per chat", async () => {
  await withTelegram(async (fake, clock) => {
    const notifier = notifierFor(fake, clock);
    for (let i = 0; i < 30; i++) {
      await notifier.send(tpRow(i + 1, 1, positionAfter(1)));
    }
    const times = fake.messages.map((m) => m.receivedAt);
    assert.equal(times.length, 30);
    assert.equal(mostInWindow(times), 20);
    assert.equal(times[20]! - times[0]!, 60_000);
    fake.reset();
    const start = clock.now() + 60_000;
    await clock.advanceTo(start);
    for (let i = 0; i < 10; i++) {
      await notifier.send(rowOf(i + 1, "signal", `s${i}`, signalPayload()));
    }
    const signals = fake.messages.map((m) => m.receivedAt);
    assert.equal(mostInWindow(signals), 7);
    assert.equal(signals[6], start);
    assert.equal(signals[7]! - signals[0]!, 60_000);
  });
});

Deno.test("burst of 60 signals and 300 updates with 429s, 5xx and lost answers is delivered once, in order, within the limits", async () => {
  let nextFault = T0 + 45_000;
  let faults = 0;
  const inject = (time: number, fake: FakeTelegram) => {
    for (; time >= nextFault; nextFault += 97_000) {
      const kind = faults++ % 5;
      if (kind === 0) fake.fail("sendMessage", { status: 429, retryAfter: 2 });
      if (kind === 1) fake.fail("sendMessage", { status: 500 }, { times: 2 });
      if (kind === 2) fake.fail("sendMessage", { status: 502 });
      if (kind === 3) fake.fail("sendMessage", { kind: "drop" });
      // Telegram takes the message and the connection drops before its answer.
      if (kind === 4) {
        fake.fail("sendMessage", { kind: "drop", deliver: true });
      }
    }
  };
  await withTelegram(async (fake, clock) => {
    const store = StateStore.open(":memory:");
    const items = burstOutbox();
    store.commitStep({
      candles: [],
      progress: [],
      signals: [],
      decisions: [],
      fills: [],
      trades: [],
      positions: [],
      equity: [],
      portfolio: undefined,
      outbox: items,
    });
    const signalIdOf = (row: OutboxRow) => {
      const p = row.payload as { fill?: { tradeId: string }; id?: string };
      return `signal:${p.fill?.tradeId ?? p.id}`;
    };
    const replyTo = (row: OutboxRow) =>
      store.outbox({ limit: 1000 }).find((r) => r.key === signalIdOf(row))
        ?.messageId ?? undefined;
    const notifier = notifierFor(fake, clock, { replyTo });
    const actor = new NotifierActor({ store, notifier, clock });
    actor.start();
    await actor.whenIdle();
    await actor.stop();
    const rows = store.outbox({ limit: 1000 }).reverse();
    assert.equal(rows.length, 360);
    assert.ok(faults >= 8, `only ${faults} faults injected`);
    assert.ok(actor.stats.retries >= faults, JSON.stringify(actor.stats));
    assert.equal(actor.stats.failed, 0);
    assert.deepEqual(
      fake.messages.map((m) => m.text),
      rows.map((row) => textOf(row, DISPATCH)!.text),
      "every row once, in order",
    );
    const byId = new Map(fake.messages.map((m) => [m.messageId, m]));
    for (const row of rows) {
      assert.ok(row.sentAt !== null && row.messageId !== null, row.key);
      const message = byId.get(row.messageId)!;
      const reply = message.options.reply_parameters as
        | { message_id: number }
        | undefined;
      if (row.kind === "signal") assert.equal(reply, undefined);
      else {
        const signal = rows.find((r) => r.key === signalIdOf(row))!;
        assert.equal(reply?.message_id, signal.messageId, row.key);
      }
    }
    const times = fake.messages.map((m) => m.receivedAt);
    assert.equal(mostInWindow(times), 20);
    const signalTimes = fake.messages.filter((m) => m.text.startsWith("⚡⚡"))
      .map((m) => m.receivedAt);
    assert.equal(signalTimes.length, 60);
    assert.equal(mostInWindow(signalTimes), 7);
    const probes = fake.requests.filter((r) => r.method === "editMessageText");
    assert.ok(probes.length >= 2, `${probes.length} checks of lost answers`);
    assert.deepEqual(fake.edits, [], "a check never changes a message");
    store.close();
  }, inject);
});
