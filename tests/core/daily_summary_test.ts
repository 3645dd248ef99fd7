/**
 * Tests of `core/daily_summary.ts`: the due day in several time zones and across DST, and the
 * summary's figures on hand-made trades.
 *
 * @module
 */
import { strict as assert } from "node:assert";
import {
  dailySummaryInput,
  dueSummaryDay,
  summaryDayOf,
} from "../../core/daily_summary.ts";

const HOUR = 3_600_000;

Deno.test("dueSummaryDay gives today's summary in Berlin once the local hour has passed, covering the day up to that hour", () => {
  // 20:30 in Berlin (UTC+1 in March before the switch); the window is 20:00 → 20:00.
  const day = dueSummaryDay(Date.UTC(2024, 2, 5, 19, 30), {
    hour: 20,
    timeZone: "Europe/Berlin",
  });
  assert.deepEqual(day, {
    date: "2024-03-05",
    dayStart: Date.UTC(2024, 2, 4, 19),
    dayEnd: Date.UTC(2024, 2, 5, 19),
  });
});

Deno.test("consecutive summaries cover every instant once: each window starts where the previous ended", () => {
  const schedule = { hour: 20, timeZone: "Europe/Berlin" };
  let previous = dueSummaryDay(Date.UTC(2024, 2, 25, 20), schedule)!;
  for (let d = 26; d <= 31 + 3; d++) {
    const at = Date.UTC(2024, 2, d, 22); // after 20:00 local in CET and CEST
    const day = dueSummaryDay(at, schedule)!;
    assert.equal(day.dayStart, previous.dayEnd, day.date);
    assert.ok(day.dayEnd <= at && at - day.dayEnd <= 4 * HOUR, day.date);
    previous = day;
  }
});

Deno.test("dueSummaryDay gives yesterday in Berlin before the local hour", () => {
  // 19:59 in Berlin.
  const day = dueSummaryDay(Date.UTC(2024, 2, 5, 18, 59), {
    hour: 20,
    timeZone: "Europe/Berlin",
  });
  assert.equal(day?.date, "2024-03-04");
  assert.equal(day?.dayStart, Date.UTC(2024, 2, 3, 19));
  assert.equal(day?.dayEnd, Date.UTC(2024, 2, 4, 19));
});

Deno.test("dueSummaryDay switches day exactly at the hour in UTC", () => {
  const schedule = { hour: 20, timeZone: "UTC" };
  assert.equal(
    dueSummaryDay(Date.UTC(2024, 0, 10, 20) - 1, schedule)?.date,
    "2024-01-09",
  );
  assert.deepEqual(dueSummaryDay(Date.UTC(2024, 0, 10, 20), schedule), {
    date: "2024-01-10",
    dayStart: Date.UTC(2024, 0, 9, 20),
    dayEnd: Date.UTC(2024, 0, 10, 20),
  });
});

Deno.test("dueSummaryDay uses the local date in Tokyo when it differs from the UTC date", () => {
  // 2024-01-10T22:00Z is 07:00 on the 11th in Tokyo (UTC+9, no DST).
  const schedule = { hour: 6, timeZone: "Asia/Tokyo" };
  assert.deepEqual(dueSummaryDay(Date.UTC(2024, 0, 10, 22), schedule), {
    date: "2024-01-11",
    dayStart: Date.UTC(2024, 0, 9, 21),
    dayEnd: Date.UTC(2024, 0, 10, 21),
  });
  // 05:00 local on the 11th: the hour has not come, so the 10th.
  assert.equal(
    dueSummaryDay(Date.UTC(2024, 0, 10, 20), schedule)?.date,
    "2024-01-10",
  );
});

Deno.test("dueSummaryDay gives a 23-hour window on Berlin's spring-forward day", () => {
  // 2024-03-31: 02:00 CET → 03:00 CEST. 21:00 CEST = 19:00Z; the window is 20:00 CET on the
  // 30th (19:00Z) → 20:00 CEST on the 31st (18:00Z).
  const day = dueSummaryDay(Date.UTC(2024, 2, 31, 19), {
    hour: 20,
    timeZone: "Europe/Berlin",
  });
  assert.equal(day?.date, "2024-03-31");
  assert.equal(day?.dayStart, Date.UTC(2024, 2, 30, 19));
  assert.equal(day?.dayEnd, Date.UTC(2024, 2, 31, 18));
  assert.equal(day!.dayEnd - day!.dayStart, 23 * HOUR);
});

Deno.test("dueSummaryDay gives a 25-hour window on Berlin's fall-back day", () => {
  // 2024-10-27: 03:00 CEST → 02:00 CET.
  const day = dueSummaryDay(Date.UTC(2024, 9, 27, 22), {
    hour: 20,
    timeZone: "Europe/Berlin",
  });
  assert.equal(day?.date, "2024-10-27");
  assert.equal(day?.dayStart, Date.UTC(2024, 9, 26, 18));
  assert.equal(day?.dayEnd, Date.UTC(2024, 9, 27, 19));
  assert.equal(day!.dayEnd - day!.dayStart, 25 * HOUR);
});

Deno.test("dueSummaryDay is due at the hour that follows a skipped DST hour", () => {
  // Hour 2 does not exist in Berlin on 2024-03-31; 03:00 CEST (01:00Z) is past it.
  const schedule = { hour: 2, timeZone: "Europe/Berlin" };
  assert.equal(
    dueSummaryDay(Date.UTC(2024, 2, 31, 1), schedule)?.date,
    "2024-03-31",
  );
  assert.equal(
    dueSummaryDay(Date.UTC(2024, 2, 31, 1) - 1, schedule)?.date,
    "2024-03-30",
  );
});

Deno.test("dueSummaryDay with hour 0 summarises the day that has just ended", () => {
  const day = dueSummaryDay(Date.UTC(2024, 0, 11, 0, 5), {
    hour: 0,
    timeZone: "UTC",
  });
  assert.deepEqual(day, {
    date: "2024-01-10",
    dayStart: Date.UTC(2024, 0, 10),
    dayEnd: Date.UTC(2024, 0, 11),
  });
});

Deno.test("dueSummaryDay handles year ends and leap days", () => {
  assert.equal(
    dueSummaryDay(Date.UTC(2025, 0, 1, 3), { hour: 20, timeZone: "UTC" })
      ?.date,
    "2024-12-31",
  );
  assert.equal(
    dueSummaryDay(Date.UTC(2024, 2, 1, 1), { hour: 20, timeZone: "UTC" })
      ?.date,
    "2024-02-29",
  );
});

Deno.test("dueSummaryDay rejects a bad hour and an unknown time zone", () => {
  assert.throws(
    () => dueSummaryDay(0, { hour: 24, timeZone: "UTC" }),
    new RangeError(
      "Cannot schedule the daily summary as 'hour' must be an integer from 0 to 23: current value is 24",
    ),
  );
  assert.throws(
    () => dueSummaryDay(0, { hour: 20, timeZone: "Mars/Olympus" }),
    new RangeError(
      "Cannot schedule the daily summary as 'timeZone' must be an IANA time zone: current value is Mars/Olympus",
    ),
  );
});

Deno.test("summaryDayOf gives the local window of a date and rejects a bad date", () => {
  assert.deepEqual(summaryDayOf("2024-07-01", "Asia/Tokyo"), {
    date: "2024-07-01",
    dayStart: Date.UTC(2024, 5, 30, 15),
    dayEnd: Date.UTC(2024, 6, 1, 15),
  });
  assert.throws(
    () => summaryDayOf("2024-02-30", "UTC"),
    new RangeError(
      "Cannot find the summary day as 'date' must be YYYY-MM-DD: current value is 2024-02-30",
    ),
  );
});

const DAY = {
  date: "2024-01-10",
  dayStart: Date.UTC(2024, 0, 10),
  dayEnd: Date.UTC(2024, 0, 11),
};

function trade(symbol: string, pnlQuote: number, pnlPct: number, hour = 12) {
  return { symbol, pnlQuote, pnlPct, exitTime: DAY.dayStart + hour * HOUR };
}

Deno.test("dailySummaryInput counts wins and finds the best and worst trades", () => {
  const input = dailySummaryInput({
    ...DAY,
    signals: [{ time: DAY.dayStart + HOUR }, { time: DAY.dayStart + 2 * HOUR }],
    trades: [
      trade("BTCUSDT", 30, 3),
      trade("ETHUSDT", -10, -1),
      trade("SOLUSDT", 50, 5),
      trade("XRPUSDT", 0, 0),
    ],
    equityStart: 1000,
    equityEnd: 1070,
    openPositions: [{
      symbol: "BNBUSDT",
      side: "SHORT",
      timeframe: "4h",
      entryPrice: 300,
      unrealizedPct: -1.5,
    }],
  });
  assert.deepEqual(input, {
    date: "2024-01-10",
    signals: 2,
    trades: 4,
    wins: 2,
    pnlPct: 7,
    pnlQuote: 70,
    equity: 1070,
    best: { symbol: "SOLUSDT", pnlPct: 5 },
    worst: { symbol: "ETHUSDT", pnlPct: -1 },
    openPositions: [{
      symbol: "BNBUSDT",
      side: "SHORT",
      timeframe: "4h",
      entryPrice: 300,
      unrealizedPct: -1.5,
    }],
  });
});

Deno.test("dailySummaryInput leaves out signals and trades outside the day", () => {
  const input = dailySummaryInput({
    ...DAY,
    signals: [{ time: DAY.dayStart - 1 }, { time: DAY.dayEnd }, {
      time: DAY.dayStart,
    }],
    trades: [trade("BTCUSDT", 20, 2, -1), trade("ETHUSDT", -5, -0.5, 24)],
    equityStart: 1000,
    equityEnd: 1000,
    openPositions: [],
  });
  assert.equal(input.signals, 1);
  assert.equal(input.trades, 0);
  assert.equal(input.best, undefined);
  assert.equal(input.worst, undefined);
});

Deno.test("dailySummaryInput gives a negative PnL for a losing day", () => {
  const input = dailySummaryInput({
    ...DAY,
    signals: [],
    trades: [trade("BTCUSDT", -25, -2.5)],
    equityStart: 500,
    equityEnd: 475,
    openPositions: [],
  });
  assert.equal(input.pnlQuote, -25);
  assert.equal(input.pnlPct, -5);
  assert.equal(input.wins, 0);
  assert.deepEqual(input.best, { symbol: "BTCUSDT", pnlPct: -2.5 });
});
