/**
 * Tests of `actors/alerts.ts`: the daily summary is enqueued once per local day (many checks,
 * restarts, the minute timer) with figures from the store, and repeated alerts collapse.
 *
 * @module
 */
import { strict as assert } from "node:assert";
import { Alerts, DailySummaryScheduler } from "../../actors/alerts.ts";
import type { TradeRecord } from "../../core/backtest/records.ts";
import type { DailySummaryInput } from "../../core/telegram_format.ts";
import type { SignalRecord, StepCommit } from "../../core/state_types.ts";
import type { Side } from "../../core/types.ts";
import { StateStore } from "../../data/state_store.ts";
import { FakeClock } from "../fakes/fake_clock.ts";

const HOUR = 3_600_000;
const MINUTE = 60_000;
/** 2024-03-04 20:00 in Berlin (UTC+1): the window of the summary at 20:00 on the 5th starts. */
const DAY_START = Date.UTC(2024, 2, 4, 19);
/** 20:00 in Berlin on 2024-03-05. */
const SUMMARY_AT = Date.UTC(2024, 2, 5, 19);
const SCHEDULE = { hour: 20, timeZone: "Europe/Berlin" } as const;

function emptyStep(): StepCommit {
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
  };
}

function trade(
  id: string,
  exitTime: number,
  pnl: { quote: number; pct: number },
): TradeRecord {
  return {
    id,
    seriesKey: `${id}:1h`,
    symbol: id,
    timeframe: "1h",
    side: "LONG",
    entryTime: exitTime - HOUR,
    entryPrice: 100,
    exitTime,
    exitPrice: 101,
    exitReason: "tp",
    tpHits: 1,
    pnlQuote: pnl.quote,
    pnlPct: pnl.pct,
    feesQuote: 0.1,
    fundingQuote: 0,
    notional: 1000,
    barsHeld: 1,
    sameBarDecided: 0,
    regime: "normal",
    presetHash: "h",
  };
}

function signal(symbol: string, time: number, side: Side): SignalRecord {
  return {
    id: `${symbol}-1h-${time - HOUR}-${side[0]}`,
    symbol,
    timeframe: "1h",
    side,
    barOpenTime: time - HOUR,
    time,
    price: 100,
    regime: "normal",
    presetHash: "h",
  };
}

/** A store with trades before and in 2024-03-05 (Berlin), signals and one open SHORT. */
function seededStore(): StateStore {
  const store = StateStore.open(":memory:");
  store.commitStep({
    ...emptyStep(),
    candles: [{
      symbol: "ETHUSDT",
      timeframe: "4h",
      candle: {
        openTime: SUMMARY_AT - 4 * HOUR,
        open: 2000,
        high: 2000,
        low: 1900,
        close: 1900,
        volume: 1,
      },
    }],
    signals: [
      signal("BTCUSDT", DAY_START - 1, "LONG"),
      signal("SOLUSDT", DAY_START, "LONG"),
      signal("XRPUSDT", DAY_START + 5 * HOUR, "SHORT"),
    ],
    trades: [
      // 19:30 Berlin on the 4th (18:30Z): the previous summary's window.
      trade("ADAUSDT", DAY_START - 30 * MINUTE, { quote: 100, pct: 10 }),
      trade("SOLUSDT", DAY_START + 2 * HOUR, { quote: 22, pct: 2.2 }),
      trade("XRPUSDT", DAY_START + 6 * HOUR, { quote: -11, pct: -1.1 }),
    ],
    positions: [{
      tradeId: "ETHUSDT-4h-1-S",
      symbol: "ETHUSDT",
      timeframe: "4h",
      side: "SHORT",
      status: "open",
      state: { position: { entryPrice: 2000, referencePrice: 2000 } },
      updatedAt: DAY_START,
    }],
  });
  return store;
}

function scheduler(store: StateStore, wakes: { n: number }) {
  return new DailySummaryScheduler({
    store,
    clock: new FakeClock({ start: SUMMARY_AT }),
    ...SCHEDULE,
    initialEquity: 1000,
    wake: () => wakes.n++,
  });
}

function dailyRows(store: StateStore) {
  return store.outbox({ limit: 100 }).filter((r) => r.kind === "daily");
}

Deno.test("daily summary scheduler enqueues nothing before the hour and the day once after it", () => {
  const store = seededStore();
  try {
    const wakes = { n: 0 };
    const s = scheduler(store, wakes);
    // 19:59 Berlin: the 4th is due (it was never sent), the 5th not yet.
    assert.equal(s.check(SUMMARY_AT - MINUTE), "2024-03-04");
    for (let t = SUMMARY_AT; t < SUMMARY_AT + 3 * HOUR; t += MINUTE) {
      const date = s.check(t);
      assert.equal(date, t === SUMMARY_AT ? "2024-03-05" : undefined);
    }
    assert.deepEqual(dailyRows(store).map((r) => r.key).sort(), [
      "daily:2024-03-04",
      "daily:2024-03-05",
    ]);
    assert.equal(wakes.n, 2);
  } finally {
    store.close();
  }
});

Deno.test("daily summary scheduler does not enqueue a day again after a restart", () => {
  const store = seededStore();
  try {
    const wakes = { n: 0 };
    assert.equal(
      scheduler(store, wakes).check(SUMMARY_AT + HOUR),
      "2024-03-05",
    );
    // A restart at 22:00 and at 23:59 Berlin: a new scheduler on the same store.
    assert.equal(
      scheduler(store, wakes).check(SUMMARY_AT + 2 * HOUR),
      undefined,
    );
    assert.equal(
      scheduler(store, wakes).check(SUMMARY_AT + 4 * HOUR - MINUTE),
      undefined,
    );
    assert.deepEqual(dailyRows(store).map((r) => r.key), ["daily:2024-03-05"]);
    assert.equal(wakes.n, 1);
  } finally {
    store.close();
  }
});

Deno.test("daily summary scheduler builds the day's figures from the store", () => {
  const store = seededStore();
  try {
    scheduler(store, { n: 0 }).check(SUMMARY_AT);
    const row = store.outboxRow("daily:2024-03-05");
    assert.equal(row?.createdAt, SUMMARY_AT);
    const payload = row?.payload as DailySummaryInput;
    assert.deepEqual(payload, {
      date: "2024-03-05",
      signals: 2,
      trades: 2,
      wins: 1,
      // Realized: 1000 + 100 before the day, then +22 − 11.
      pnlPct: 1,
      pnlQuote: 11,
      equity: 1111,
      best: { symbol: "SOLUSDT", pnlPct: 2.2 },
      worst: { symbol: "XRPUSDT", pnlPct: -1.1 },
      openPositions: [{
        symbol: "ETHUSDT",
        side: "SHORT",
        timeframe: "4h",
        entryPrice: 2000,
        unrealizedPct: 5,
      }],
    });
  } finally {
    store.close();
  }
});

Deno.test("daily summary scheduler's timer checks at start and every minute of its clock", async () => {
  const store = StateStore.open(":memory:");
  const controller = new AbortController();
  try {
    const clock = new FakeClock({ start: SUMMARY_AT - 2 * MINUTE });
    const s = new DailySummaryScheduler({
      store,
      clock,
      ...SCHEDULE,
      initialEquity: 1000,
    });
    const done = s.run(controller.signal);
    // The check at start sends the 4th (due, never sent).
    assert.deepEqual(dailyRows(store).map((r) => r.key), ["daily:2024-03-04"]);
    await clock.advance(MINUTE);
    assert.equal(dailyRows(store).length, 1);
    for (let i = 0; i < 30; i++) await clock.advance(MINUTE);
    assert.deepEqual(dailyRows(store).map((r) => r.key).sort(), [
      "daily:2024-03-04",
      "daily:2024-03-05",
    ]);
    controller.abort();
    await done;
  } finally {
    controller.abort();
    store.close();
  }
});

Deno.test("daily summary scheduler rejects an unknown time zone at construction", () => {
  const store = StateStore.open(":memory:");
  try {
    assert.throws(
      () =>
        new DailySummaryScheduler({
          store,
          clock: new FakeClock(),
          hour: 20,
          timeZone: "Europe/Atlantis",
          initialEquity: 1000,
        }),
      new RangeError(
        "Cannot schedule the daily summary as 'timeZone' must be an IANA time zone: current value is Europe/Atlantis",
      ),
    );
  } finally {
    store.close();
  }
});

Deno.test("alerts collapse a repeated alert within its bucket and send it again in the next", () => {
  const store = StateStore.open(":memory:");
  try {
    let wakes = 0;
    const alerts = new Alerts({ store, wake: () => wakes++ });
    const t0 = Date.UTC(2024, 0, 1, 10);
    const degraded = {
      kind: "degraded",
      series: "BTCUSDT:1h",
      message: "5 restarts failed",
    } as const;
    assert.equal(alerts.alert(degraded, t0), true);
    assert.equal(alerts.alert(degraded, t0 + 59 * MINUTE), false);
    // A restarted daemon (new Alerts) in the same hour adds nothing either.
    assert.equal(new Alerts({ store }).alert(degraded, t0 + MINUTE), false);
    assert.equal(alerts.alert(degraded, t0 + HOUR), true);
    assert.equal(wakes, 2);
    const rows = store.outbox({ limit: 10 }).reverse();
    assert.deepEqual(rows.map((r) => [r.key, r.kind]), [
      [`alert:degraded:BTCUSDT:1h:${t0 / HOUR}`, "alert"],
      [`alert:degraded:BTCUSDT:1h:${t0 / HOUR + 1}`, "alert"],
    ]);
    assert.deepEqual(rows[0]?.payload, {
      level: "error",
      message: "BTCUSDT:1h degraded: 5 restarts failed",
    });
  } finally {
    store.close();
  }
});

Deno.test("alerts enqueue stale and recovered series as stale rows with the last close, once per outage", () => {
  const store = StateStore.open(":memory:");
  try {
    const alerts = new Alerts({ store });
    const lastOpen = Date.UTC(2024, 0, 1, 8);
    const at = lastOpen + HOUR + 2 * HOUR + 5 * MINUTE;
    assert.equal(
      alerts.alert(
        { kind: "stale", series: "ETHUSDT:1h", lastOpenTime: lastOpen },
        at,
      ),
      true,
    );
    assert.equal(
      alerts.alert(
        { kind: "recovered", series: "ETHUSDT:1h", lastOpenTime: lastOpen },
        at + MINUTE,
      ),
      true,
    );
    // The same outage seen again later (a restarted daemon, a late watchdog tick) adds nothing.
    assert.equal(
      new Alerts({ store }).alert(
        { kind: "stale", series: "ETHUSDT:1h", lastOpenTime: lastOpen },
        at + 5 * HOUR,
      ),
      false,
    );
    const rows = store.outbox({ limit: 10 }).reverse();
    assert.deepEqual(rows.map((r) => r.kind), ["stale", "stale"]);
    assert.deepEqual(rows.map((r) => r.key), [
      `alert:stale:ETHUSDT:1h:c${lastOpen}`,
      `alert:recovered:ETHUSDT:1h:c${lastOpen}`,
    ]);
    assert.deepEqual(rows[0]?.payload, {
      symbol: "ETHUSDT",
      timeframe: "1h",
      intervals: 2,
      lastCloseTime: lastOpen + HOUR,
    });
    assert.deepEqual(rows[1]?.payload, {
      symbol: "ETHUSDT",
      timeframe: "1h",
      intervals: 2,
      lastCloseTime: lastOpen + HOUR,
      resumed: true,
    });
  } finally {
    store.close();
  }
});

Deno.test("state store enqueueOutbox inserts new keys only and counts them", () => {
  const store = StateStore.open(":memory:");
  try {
    const item = (key: string) => ({
      key,
      kind: "alert",
      payload: { level: "info", message: key },
      createdAt: 1,
    });
    assert.equal(store.enqueueOutbox([item("a"), item("b")]), 2);
    assert.equal(store.enqueueOutbox([item("b"), item("c")]), 1);
    assert.deepEqual(
      store.unsentOutbox(10).map((r) => r.key),
      ["a", "b", "c"],
    );
  } finally {
    store.close();
  }
});
