/**
 * Tests of the Telegram command bot against the fake Bot API, with a real in-memory state store
 * filled through `commitStep`: answers come from SQLite, `/pause` and `/resume` set the setting,
 * other chats get nothing and one log line, long answers are split, the token is never logged.
 *
 * @module
 */
import { strict as assert } from "node:assert";
import type { TradeRecord } from "../../core/backtest/records.ts";
import { answerPositions } from "../../core/command_answers.ts";
import { DEFAULT_LADDER, openPosition } from "../../core/ladder.ts";
import type { PositionRow, StepCommit } from "../../core/state_types.ts";
import { ZERO_COSTS } from "../../core/costs.ts";
import type { Side } from "../../core/types.ts";
import { StateStore } from "../../data/state_store.ts";
import {
  type CommandLogLine,
  equityNow,
  positionSnapshotOf,
  type SeriesHealth,
  startTelegramCommands,
} from "../../data/telegram_commands.ts";
import {
  type FakeTelegram,
  startFakeTelegram,
} from "../fakes/fake_telegram.ts";

const TOKEN = "424242:secret-token-never-logged";
const MAIN_CHAT = 100;
const GROUP_CHAT = -1_002_000;
const H = 3_600_000;
const T0 = Date.UTC(2024, 0, 15);

function openRow(symbol: string, side: Side, price: number): PositionRow {
  const { position } = openPosition({
    side,
    entryPrice: price,
    entryTime: T0,
    quantity: 1000 / price,
    spec: DEFAULT_LADDER,
    costs: ZERO_COSTS,
  });
  const id = `${symbol}-1h-${T0}-${side === "LONG" ? "L" : "S"}`;
  return {
    tradeId: id,
    symbol,
    timeframe: "1h",
    side,
    status: "open",
    state: {
      id,
      regime: "normal",
      spec: DEFAULT_LADDER,
      presetHash: "abc",
      notional: 1000,
      position,
      sameBar: 0,
    },
    updatedAt: T0,
  };
}

function emptyStep(over: Partial<StepCommit>): StepCommit {
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
    outbox: [],
    ...over,
  };
}

function trade(id: string, pnlQuote: number, exitTime: number): TradeRecord {
  return {
    id,
    seriesKey: "SOLUSDT:1h",
    symbol: "SOLUSDT",
    timeframe: "1h",
    side: "LONG",
    entryTime: exitTime - H,
    entryPrice: 100,
    exitTime,
    exitPrice: 101,
    exitReason: "tp",
    tpHits: 1,
    pnlQuote,
    pnlPct: pnlQuote / 10,
    feesQuote: 0.5,
    fundingQuote: 0,
    notional: 1000,
    barsHeld: 1,
    sameBarDecided: 0,
    regime: "normal",
    presetHash: "abc",
  };
}

/** Two open positions (risk 85 each at the initial stops), 5 signals, 2 trades, 2 days. */
function filledStore(): StateStore {
  const store = StateStore.open(":memory:");
  const positions = [
    openRow("BTCUSDT", "LONG", 100),
    openRow("ETHUSDT", "SHORT", 2000),
  ];
  const signals = [0, 1, 2, 3, 4].map((k) => ({
    id: `BTCUSDT-1h-${T0 + k * H}-L`,
    symbol: "BTCUSDT",
    timeframe: "1h",
    side: "LONG" as const,
    barOpenTime: T0 + k * H,
    time: T0 + (k + 1) * H,
    price: 100 + k,
    regime: "normal" as const,
    presetHash: "abc",
  }));
  store.commitStep(emptyStep({
    signals,
    decisions: signals.map((s, k) => ({
      time: s.time,
      signalId: s.id,
      symbol: s.symbol,
      timeframe: s.timeframe,
      side: s.side,
      accepted: k % 2 === 0,
      rule: k % 2 === 0 ? "" : "heat",
      detail: k % 2 === 0 ? "" : "over 8 %",
      heatPct: 0,
      openPositions: 0,
    })),
    trades: [trade("t1", 30, T0 - 2 * H), trade("t2", -40.5, T0 - H)],
    positions,
    equity: [
      { time: T0 - 2 * 24 * H, equity: 10_000 },
      { time: T0 - 24 * H, equity: 9_989.5 },
    ],
    portfolio: {
      book: {
        balance: 9_989.5,
        open: positions.map((p) => p.state),
        lastClose: [100, 2000],
      },
    },
  }));
  return store;
}

async function eventually(check: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !check(); waited += 5) {
    if (waited > 5000) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

interface Harness {
  readonly fake: FakeTelegram;
  readonly store: StateStore;
  readonly logs: CommandLogLine[];
  /** Messages the bot sent to a chat. */
  to(chat: number): string[];
}

function withBot(
  run: (h: Harness) => Promise<void>,
  makeStore: () => StateStore = filledStore,
  series: readonly SeriesHealth[] = [],
): () => Promise<void> {
  return async () => {
    const store = makeStore();
    const fake = await startFakeTelegram({ token: TOKEN, pollCapMs: 50 });
    const logs: CommandLogLine[] = [];
    const bot = startTelegramCommands({
      token: TOKEN,
      apiRoot: fake.apiRoot,
      botInfo: fake.botInfo,
      chatId: String(MAIN_CHAT),
      allowedChatIds: [String(GROUP_CHAT)],
      store,
      series: () => series,
      now: () => T0 + 5 * H + 10 * 60_000,
      initialEquity: 10_000,
      log: (line) => logs.push(line),
    });
    const to = (chat: number) =>
      fake.messages.filter((m) => m.chatId === chat).map((m) => m.text);
    try {
      assert.equal(await bot.ready, true);
      await run({ fake, store, logs, to });
    } finally {
      await bot.stop();
      await fake.close();
      store.close();
    }
    for (const line of logs) {
      assert(!JSON.stringify(line).includes(TOKEN), "token in the log");
    }
  };
}

Deno.test(
  "telegram /status in an allowed chat answers from the stored state",
  withBot(
    async ({ fake, to }) => {
      fake.pushUpdate(GROUP_CHAT, "/status");
      await eventually(() => to(GROUP_CHAT).length === 1, "the status answer");
      const text = to(GROUP_CHAT)[0]!;
      assert.match(text, /^📊 VELAS status — 2024-01-15 05:10 UTC$/m);
      assert.match(text, /^Trading: ▶️ active$/m);
      assert.match(
        text,
        /^1h \(2\): last close 2024-01-15 05:00 UTC, lag 10m$/m,
      );
      assert.match(text, /^Stale: ETH\/USDT 1h$/m);
      assert.match(text, /^Open positions: 2$/m);
      // 2 × 85 USDT at risk over 9989.50 USDT of equity.
      assert.match(text, /^Heat: 1\.70% of equity$/m);
      assert.deepEqual(to(MAIN_CHAT), []);
    },
    filledStore,
    [
      { key: "BTCUSDT:1h", lastOpenTime: T0 + 4 * H, stale: false },
      { key: "ETHUSDT:1h", lastOpenTime: T0, stale: true },
    ],
  ),
);

Deno.test(
  "telegram /pause and /resume set the paused setting the portfolio reads",
  withBot(async ({ fake, store, to }) => {
    assert.equal(store.setting("paused"), undefined);
    fake.pushUpdate(MAIN_CHAT, "/pause");
    await eventually(() => to(MAIN_CHAT).length === 1, "the pause answer");
    assert.equal(store.setting("paused"), "true");
    assert.match(to(MAIN_CHAT)[0]!, /^⏸ Paused/);
    fake.pushUpdate(MAIN_CHAT, "/status");
    await eventually(() => to(MAIN_CHAT).length === 2, "the status answer");
    assert.match(to(MAIN_CHAT)[1]!, /^Trading: ⏸ paused/m);
    fake.pushUpdate(MAIN_CHAT, "/resume");
    await eventually(() => to(MAIN_CHAT).length === 3, "the resume answer");
    assert.equal(store.setting("paused"), "false");
    assert.match(to(MAIN_CHAT)[2]!, /^▶️ Resumed/);
  }),
);

Deno.test(
  "telegram commands from another chat get no answer and one log line per chat",
  withBot(async ({ fake, store, logs, to }) => {
    fake.pushUpdate(555, "/status");
    fake.pushUpdate(555, "/pause");
    fake.pushUpdate(-777, "/help@velas_test_bot");
    // Updates are handled in order: once this is answered, the others were seen.
    fake.pushUpdate(MAIN_CHAT, "/help");
    await eventually(() => to(MAIN_CHAT).length === 1, "the help answer");
    assert.deepEqual(to(555), []);
    assert.deepEqual(to(-777), []);
    assert.equal(store.setting("paused"), undefined);
    const refused = logs.filter((l) => l.level === "warn" && "chatId" in l);
    assert.deepEqual(refused.map((l) => l.chatId), ["555", "-777"]);
  }),
);

Deno.test(
  "telegram /signals 3 lists the 3 newest signals with their decisions",
  withBot(async ({ fake, to }) => {
    fake.pushUpdate(MAIN_CHAT, "/signals 3");
    await eventually(() => to(MAIN_CHAT).length === 1, "the signals answer");
    const lines = to(MAIN_CHAT)[0]!.split("\n");
    assert.equal(lines[0], "📡 Last 3 signals (newest first)");
    assert.deepEqual(lines.slice(1).map((l) => l.slice(0, 20)), [
      "2024-01-15 05:00 UTC",
      "2024-01-15 04:00 UTC",
      "2024-01-15 03:00 UTC",
    ]);
    assert.match(lines[1]!, /@ 104\.00 · ✅ accepted$/);
    assert.match(lines[2]!, /@ 103\.00 · ❌ refused: heat \(over 8 %\)$/);
    fake.pushUpdate(MAIN_CHAT, "/signals many");
    await eventually(() => to(MAIN_CHAT).length === 2, "the usage answer");
    assert.match(to(MAIN_CHAT)[1]!, /^Usage: \/signals \[n\]/);
  }),
);

Deno.test(
  "telegram /profit and /daily answer from the stored trades and equity",
  withBot(async ({ fake, to }) => {
    fake.pushUpdate(MAIN_CHAT, "/profit");
    fake.pushUpdate(MAIN_CHAT, "/daily");
    await eventually(() => to(MAIN_CHAT).length === 2, "two answers");
    const [profit, daily] = to(MAIN_CHAT) as [string, string];
    assert.match(profit, /^Closed trades: 2$/m);
    assert.match(profit, /^Win rate: 50\.0% \(1 of 2\)$/m);
    assert.match(profit, /^Net PnL: -10\.50 USDT$/m);
    assert.match(
      profit,
      /^Equity: 9989\.50 USDT \(start 10000\.00 USDT, -0\.10%\)$/m,
    );
    assert.match(daily, /^📅 Last 2 days \(UTC\)$/m);
    assert.match(
      daily,
      /^2024-01-14: 9989\.50 USDT \(-10\.50 USDT, -0\.10%\) · 2 trades$/m,
    );
  }),
);

function manyPositions(): StateStore {
  const store = StateStore.open(":memory:");
  store.commitStep(emptyStep({
    positions: Array.from(
      { length: 80 },
      (_, i) => openRow(`COIN${i}USDT`, i % 2 ? "SHORT" : "LONG", 1 + i),
    ),
  }));
  return store;
}

Deno.test(
  "telegram splits a long /positions answer into messages under 4096 characters",
  withBot(async ({ fake, store, to }) => {
    const full = answerPositions(
      store.openPositions().map((row) => positionSnapshotOf(row)!),
    );
    assert(full.length > 4096);
    fake.pushUpdate(MAIN_CHAT, "/positions");
    await eventually(
      () => to(MAIN_CHAT).join("\n").length >= full.length,
      "all parts",
    );
    const parts = to(MAIN_CHAT);
    assert(parts.length >= 2);
    for (const part of parts) assert(part.length <= 4096);
    assert.equal(parts.join("\n"), full);
    assert.equal(full.match(/TPs hit 0\/6 · Remaining 100%/g)?.length, 80);
  }, manyPositions),
);

Deno.test(
  "telegram logs a refused reply without the token and keeps answering",
  withBot(async ({ fake, logs, to }) => {
    fake.fail("sendMessage", { status: 403 });
    fake.pushUpdate(MAIN_CHAT, "/help");
    fake.pushUpdate(MAIN_CHAT, "/help");
    await eventually(() => to(MAIN_CHAT).length === 1, "the second answer");
    const errors = logs.filter((l) => l.level === "error");
    assert.equal(errors.length, 1);
    assert.match(String(errors[0]!.error), /403/);
  }),
);

Deno.test("telegram commands cut the token out of a logged network error", async () => {
  const logs: CommandLogLine[] = [];
  const store = StateStore.open(":memory:");
  // Nothing listens on port 9: every call fails with an error naming the request URL.
  const bot = startTelegramCommands({
    token: TOKEN,
    apiRoot: "http://127.0.0.1:9",
    chatId: String(MAIN_CHAT),
    allowedChatIds: [],
    store,
    series: () => [],
    now: () => T0,
    initialEquity: 10_000,
    log: (line) => logs.push(line),
  });
  try {
    await eventually(() => logs.length > 0, "the failed registration");
  } finally {
    await bot.stop();
    store.close();
  }
  assert.equal(await bot.ready, false);
  const text = JSON.stringify(logs);
  assert.match(text, /setMyCommands/);
  assert.match(text, /\[token\]/);
  assert(!text.includes(TOKEN));
  assert(!text.includes("secret-token"));
});

Deno.test("equityNow marks the open trades at their series' last close", () => {
  const row = openRow("BTCUSDT", "LONG", 100);
  const state = {
    book: { balance: 9_000, open: [null, row.state], lastClose: [5, 101] },
  };
  // 10 BTC-units × (101 − 100) = +10 on the open trade; the empty slot adds nothing.
  assert.equal(
    equityNow({ portfolioState: () => state, equity: () => [] }, 10_000),
    9_010,
  );
  assert.equal(
    equityNow({
      portfolioState: () => undefined,
      equity: () => [{ time: 0, equity: 9_500 }],
    }, 10_000),
    9_500,
  );
  assert.equal(
    equityNow({ portfolioState: () => undefined, equity: () => [] }, 10_000),
    10_000,
  );
});

Deno.test("positionSnapshotOf reads the open trade and refuses other states", () => {
  const row = openRow("ETHUSDT", "SHORT", 2000);
  assert.deepEqual(positionSnapshotOf(row), {
    symbol: "ETHUSDT",
    timeframe: "1h",
    side: "SHORT",
    entryPrice: 2000,
    stop: 2170,
    tpFilled: 0,
    tpCount: 6,
    remainingPct: 100,
    remainingNotional: 1000,
  });
  assert.equal(positionSnapshotOf({ ...row, state: { id: "x" } }), null);
});
