/**
 * The daily summary (issue 8 item 5): which summary is due at a given instant, and its figures
 * from the signals, trades and equity of its window. The summary sent at the local `hour` of day
 * D covers the day that ends then: from D-1 at `hour`:00 to D at `hour`:00 (with hour 0, the
 * calendar day D-1), so consecutive summaries cover every instant once, and a window across a
 * DST change lasts 23 or 25 hours. Pure: `now` is a parameter and local times come from
 * `Intl.DateTimeFormat`.
 *
 * @module
 */
import type { TradeRecord } from "./backtest/records.ts";
import type { SignalRecord } from "./state_types.ts";
import type { DailySummaryInput, OpenPositionLine } from "./telegram_format.ts";

/** A summary's day and its window in UTC. */
export interface SummaryDay {
  /**
   * The day in the display time zone, `YYYY-MM-DD`: the day the summary is sent (hour 0: the
   * calendar day it covers).
   */
  readonly date: string;
  /** The window's first instant (the previous summary's time), epoch ms. */
  readonly dayStart: number;
  /** The window's exclusive end (this summary's time), epoch ms. */
  readonly dayEnd: number;
}

/** When the summary is sent. */
export interface SummarySchedule {
  /**
   * Local hour 0..23. The summary of day D is due at D's `hour`:00; hour 0 means the midnight
   * that ends D (a summary of the day that has just begun would be empty).
   */
  readonly hour: number;
  /** IANA time zone, e.g. `Europe/Berlin`. */
  readonly timeZone: string;
}

/** What {@link dailySummaryInput} summarises. */
export interface DailySummaryFacts extends SummaryDay {
  /** Signals; those with `time` in [dayStart, dayEnd) count. */
  readonly signals: readonly Pick<SignalRecord, "time">[];
  /** Closed trades; those with `exitTime` in [dayStart, dayEnd) count. */
  readonly trades: readonly Pick<
    TradeRecord,
    "symbol" | "pnlQuote" | "pnlPct" | "exitTime"
  >[];
  /** Equity at the end of the previous day (or the initial balance). */
  readonly equityStart: number;
  /** Equity at the end of the day (or now, when the day is not over). */
  readonly equityEnd: number;
  /** The positions open when the summary is made. */
  readonly openPositions: readonly OpenPositionLine[];
}

const DAY_MS = 86_400_000;
/** Local midnight is within this distance of UTC midnight of the same date (offsets ≤ ±14 h). */
const SEARCH_MS = 16 * 3_600_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat("en-US", {
        timeZone,
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        hourCycle: "h23",
      });
    } catch (cause) {
      throw new RangeError(
        `Cannot schedule the daily summary as 'timeZone' must be an IANA time zone: current value is ${timeZone}`,
        { cause },
      );
    }
    formatters.set(timeZone, f);
  }
  return f;
}

/** Local date as a UTC day number (days since 1970-01-01) and the local hour. */
function localOf(
  time: number,
  timeZone: string,
): { day: number; hour: number } {
  const parts: Record<string, number> = {};
  for (const p of formatterOf(timeZone).formatToParts(time)) {
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  }
  const day = Date.UTC(parts.year!, parts.month! - 1, parts.day!) / DAY_MS;
  return { day, hour: parts.hour! };
}

/** The first instant whose local date is `day` or later (local midnight, or the end of a gap). */
function localDayStart(day: number, timeZone: string): number {
  return localInstant(day, 0, timeZone);
}

/**
 * The first instant whose local date and hour are `day` `hour`:00 or later (the end of a DST gap
 * when that hour is skipped; its first occurrence when it repeats).
 */
function localInstant(day: number, hour: number, timeZone: string): number {
  const target = day * 24 + hour;
  let lo = day * DAY_MS + hour * 3_600_000 - SEARCH_MS;
  let hi = day * DAY_MS + hour * 3_600_000 + SEARCH_MS;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    const local = localOf(mid, timeZone);
    if (local.day * 24 + local.hour >= target) hi = mid;
    else lo = mid;
  }
  return hi;
}

function isoDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/**
 * The local calendar day of `timeZone` starting at `date`.
 *
 * @param date `YYYY-MM-DD`.
 * @param timeZone IANA time zone.
 * @returns The day with its window in UTC ms (23, 24 or 25 hours long).
 * @throws {RangeError} When `date` is not `YYYY-MM-DD` or the time zone is unknown.
 */
export function summaryDayOf(date: string, timeZone: string): SummaryDay {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const day = m === null
    ? NaN
    : Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY_MS;
  if (!Number.isInteger(day) || isoDate(day) !== date) {
    throw new RangeError(
      `Cannot find the summary day as 'date' must be YYYY-MM-DD: current value is ${date}`,
    );
  }
  return {
    date,
    dayStart: localDayStart(day, timeZone),
    dayEnd: localDayStart(day + 1, timeZone),
  };
}

/**
 * The most recent summary due at `now`: today's once the local clock reads `hour` or later, else
 * yesterday's; its window is the day that ended at its time (hour 0: the calendar day that has
 * just ended, named by its date).
 *
 * @param now The instant, epoch ms.
 * @param schedule Local hour and time zone.
 * @returns The day and its window, or undefined when `now` is not a finite time.
 * @throws {RangeError} When `hour` is not an integer 0..23 or the time zone is unknown.
 */
export function dueSummaryDay(
  now: number,
  schedule: SummarySchedule,
): SummaryDay | undefined {
  const { hour, timeZone } = schedule;
  if (!(Number.isInteger(hour) && hour >= 0 && hour <= 23)) {
    throw new RangeError(
      `Cannot schedule the daily summary as 'hour' must be an integer from 0 to 23: current value is ${hour}`,
    );
  }
  if (!Number.isFinite(now)) return undefined;
  const local = localOf(now, timeZone);
  // The day whose summary time passed last (an instant at or after a skipped hour counts).
  let day = local.hour >= hour ? local.day : local.day - 1;
  if (now < localInstant(day, hour, timeZone)) day--;
  return {
    date: isoDate(hour === 0 ? day - 1 : day),
    dayStart: localInstant(day - 1, hour, timeZone),
    dayEnd: localInstant(day, hour, timeZone),
  };
}

/**
 * The figures of the daily summary message (`formatDailySummary`): the day's signals and closed
 * trades (by signal time and exit time in the window), wins (net PnL > 0),
 * the PnL as the equity change (percent of the start equity), and the best and worst trades by
 * PnL percent (the first one on ties).
 *
 * @param facts The day, its signals and closed trades, equity and open positions.
 * @returns The summary input, plain JSON-ready data.
 */
export function dailySummaryInput(facts: DailySummaryFacts): DailySummaryInput {
  const pnlQuote = facts.equityEnd - facts.equityStart;
  const pnlPct = facts.equityStart > 0
    ? (pnlQuote * 100) / facts.equityStart
    : 0;
  const inDay = (time: number) => time >= facts.dayStart && time < facts.dayEnd;
  const trades = facts.trades.filter((t) => inDay(t.exitTime));
  let best: DailySummaryFacts["trades"][number] | undefined;
  let worst: DailySummaryFacts["trades"][number] | undefined;
  for (const t of trades) {
    if (best === undefined || t.pnlPct > best.pnlPct) best = t;
    if (worst === undefined || t.pnlPct < worst.pnlPct) worst = t;
  }
  const extreme = (t: typeof best) =>
    t === undefined ? undefined : { symbol: t.symbol, pnlPct: t.pnlPct };
  const b = extreme(best), w = extreme(worst);
  return {
    date: facts.date,
    signals: facts.signals.filter((s) => inDay(s.time)).length,
    trades: trades.length,
    wins: trades.filter((t) => t.pnlQuote > 0).length,
    pnlPct,
    pnlQuote,
    equity: facts.equityEnd,
    ...(b === undefined ? {} : { best: b }),
    ...(w === undefined ? {} : { worst: w }),
    openPositions: facts.openPositions.map((p) => ({ ...p })),
  };
}
