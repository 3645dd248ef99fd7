/**
 * Tests of the Telegram command answers on hand-built snapshots: exact texts, signs on losses,
 * heat from the current stops, stale series by name, day attribution and the count argument.
 *
 * @module
 */
import { strict as assert } from "node:assert";
import {
  answerDaily,
  answerHelp,
  answerPaused,
  answerPositions,
  answerProfit,
  answerSignals,
  answerStatus,
  COMMANDS,
  parseCount,
  type PositionSnapshot,
} from "../../core/command_answers.ts";

const H = 3_600_000;
const DAY = 24 * H;
const JAN_15 = Date.UTC(2024, 0, 15);

function position(over: Partial<PositionSnapshot> = {}): PositionSnapshot {
  return {
    symbol: "BTCUSDT",
    timeframe: "1h",
    side: "LONG",
    entryPrice: 42500,
    stop: 38887.5,
    tpFilled: 0,
    tpCount: 6,
    remainingPct: 100,
    remainingNotional: 1000,
    ...over,
  };
}

Deno.test("answerStatus shows lag per timeframe, stale series, positions and heat", () => {
  const text = answerStatus({
    now: JAN_15 + 14 * H + 32 * 60_000,
    series: [
      { key: "BTCUSDT:1h", lastOpenTime: JAN_15 + 13 * H, stale: false },
      { key: "ETHUSDT:1h", lastOpenTime: JAN_15 + 10 * H, stale: true },
      { key: "BTCUSDT:4h", lastOpenTime: JAN_15 + 8 * H, stale: false },
      { key: "SOLUSDT:15m", lastOpenTime: null, stale: false },
    ],
    positions: [
      // Risk 1000 × 8.5 % = 85; the breakeven one counts 0.
      position({ entryPrice: 100, stop: 91.5 }),
      position({
        symbol: "ETHUSDT",
        side: "SHORT",
        entryPrice: 2000,
        stop: 2000,
      }),
    ],
    equity: 10_000,
    paused: false,
  });
  assert.equal(
    text,
    [
      "📊 VELAS status — 2024-01-15 14:32 UTC",
      "Trading: ▶️ active",
      "Series: 4 (1 stale)",
      "15m (1): no closed candle yet",
      "1h (2): last close 2024-01-15 14:00 UTC, lag 32m",
      "4h (1): last close 2024-01-15 12:00 UTC, lag 2h 32m",
      "Stale: ETH/USDT 1h",
      "Open positions: 2",
      "Heat: 0.85% of equity",
    ].join("\n"),
  );
});

Deno.test("answerStatus says paused and omits heat without equity", () => {
  const text = answerStatus({
    now: JAN_15,
    series: [],
    positions: [position()],
    equity: null,
    paused: true,
  });
  assert.match(text, /^Trading: ⏸ paused/m);
  assert.match(text, /^Series: 0 \(0 stale\)$/m);
  assert.doesNotMatch(text, /Heat/);
  assert.doesNotMatch(text, /Stale:/);
});

Deno.test("answerPositions lists entry, current stop, TPs hit and remaining share", () => {
  assert.equal(answerPositions([]), "📈 No open positions");
  const text = answerPositions([
    position({ tpFilled: 2, remainingPct: 60, stop: 42925 }),
    position({
      symbol: "ETHUSDT",
      timeframe: "4h",
      side: "SHORT",
      entryPrice: 2300.5,
      stop: 2300.5,
      tpFilled: 1,
      remainingPct: 80,
    }),
  ]);
  assert.equal(
    text,
    [
      "📈 Open positions: 2",
      "",
      "BTC/USDT 1h LONG",
      "Entry 42500.0 · Stop 42925.0",
      "TPs hit 2/6 · Remaining 60%",
      "",
      "ETH/USDT 4h SHORT",
      "Entry 2300.50 · Stop 2300.50 (breakeven)",
      "TPs hit 1/6 · Remaining 80%",
    ].join("\n"),
  );
});

Deno.test("answerSignals prints each decision with the refusing rule", () => {
  const base = {
    symbol: "BTCUSDT",
    timeframe: "1h",
    side: "LONG" as const,
    time: JAN_15 + 14 * H,
    price: 42500,
  };
  const text = answerSignals([
    { ...base, decision: { accepted: true, rule: "", detail: "" } },
    {
      ...base,
      symbol: "ETHUSDT",
      side: "SHORT",
      price: 2300.5,
      decision: {
        accepted: false,
        rule: "max-positions",
        detail: "5 of 5 open",
      },
    },
    { ...base, time: JAN_15 },
  ]);
  assert.equal(
    text,
    [
      "📡 Last 3 signals (newest first)",
      "2024-01-15 14:00 UTC · BTC/USDT 1h LONG @ 42500.0 · ✅ accepted",
      "2024-01-15 14:00 UTC · ETH/USDT 1h SHORT @ 2300.50 · ❌ refused: max-positions (5 of 5 open)",
      "2024-01-15 00:00 UTC · BTC/USDT 1h LONG @ 42500.0 · ⏸ no decision",
    ].join("\n"),
  );
  assert.equal(answerSignals([]), "📡 No signals yet");
});

Deno.test("answerProfit signs a net loss and the equity change", () => {
  assert.equal(
    answerProfit({
      tradePnls: [12.5, -20.25, 3],
      equity: 9995.25,
      initialEquity: 10_000,
    }),
    [
      "💰 Profit",
      "Closed trades: 3",
      "Win rate: 66.7% (2 of 3)",
      "Net PnL: -4.75 USDT",
      "Equity: 9995.25 USDT (start 10000.00 USDT, -0.05%)",
    ].join("\n"),
  );
  const none = answerProfit({
    tradePnls: [],
    equity: 10_000,
    initialEquity: 10_000,
  });
  assert.match(none, /^Win rate: n\/a$/m);
  assert.match(none, /^Net PnL: \+0\.00 USDT$/m);
});

Deno.test("answerDaily shows the last n days with signed changes and trades per day", () => {
  const day1 = Date.UTC(2024, 0, 1);
  const text = answerDaily({
    points: [
      { time: day1, equity: 10_100 },
      { time: day1 + DAY, equity: 10_049.5 },
      { time: day1 + 2 * DAY, equity: 10_049.5 },
    ],
    initialEquity: 10_000,
    // A trade closing exactly at 00:00 belongs to the day it closed out.
    tradeExitTimes: [day1 + DAY + 5 * H, day1 + 2 * DAY, day1 + 2 * DAY + H],
    days: 2,
  });
  assert.equal(
    text,
    [
      "📅 Last 2 days (UTC)",
      "2024-01-02: 10049.50 USDT (-50.50 USDT, -0.50%) · 2 trades",
      "2024-01-03: 10049.50 USDT (+0.00 USDT, +0.00%) · 1 trade",
    ].join("\n"),
  );
  const first = answerDaily({
    points: [{ time: day1, equity: 9_900 }],
    initialEquity: 10_000,
    tradeExitTimes: [],
    days: 7,
  });
  assert.match(first, /^2024-01-01: 9900\.00 USDT \(-100\.00 USDT, -1\.00%\)/m);
  assert.match(
    answerDaily({ points: [], initialEquity: 1, tradeExitTimes: [], days: 7 }),
    /No completed day yet/,
  );
});

Deno.test("parseCount defaults, caps at the maximum and refuses anything else", () => {
  assert.deepEqual(parseCount("", "signals"), { ok: true, count: 10 });
  assert.deepEqual(parseCount(" 3 ", "signals"), { ok: true, count: 3 });
  assert.deepEqual(parseCount("500", "signals"), { ok: true, count: 50 });
  assert.deepEqual(parseCount("", "daily"), { ok: true, count: 7 });
  for (const bad of ["0", "-1", "2.5", "abc", "3 4"]) {
    assert.deepEqual(parseCount(bad, "daily"), {
      ok: false,
      answer: "Usage: /daily [n], n a whole number from 1 to 90",
    }, bad);
  }
});

Deno.test("pause and resume answers depend on the state before", () => {
  assert.match(answerPaused(true, false), /^⏸ Paused: no new positions/);
  assert.match(answerPaused(true, true), /^⏸ Already paused/);
  assert.match(answerPaused(false, true), /^▶️ Resumed/);
  assert.match(answerPaused(false, false), /^▶️ Not paused/);
});

Deno.test("answerHelp lists every command of DESIGN §2", () => {
  const text = answerHelp();
  const names = [
    "status",
    "positions",
    "signals",
    "profit",
    "daily",
    "pause",
    "resume",
    "help",
  ];
  assert.deepEqual(COMMANDS.map((c) => c.command), names);
  for (const name of names) assert.match(text, new RegExp(`^/${name}\\b`, "m"));
  for (const c of COMMANDS) {
    assert(c.description.length >= 1 && c.description.length <= 256);
  }
});
