/**
 * Walk-forward windows in calendar months (DESIGN §2, fixing spec §8.6's 30-day "months").
 *
 * The first window's training starts at the first UTC month boundary at or after the first bar
 * that may trade (the bar after the warm-up), so every training window sees warmed-up indicators.
 * Window k trains on [T0 + k·step, T0 + k·step + train) and tests on the `test` months right after;
 * windows are made while the test window ends by the end of the data. A bar belongs to a window
 * when its open time lies in it.
 *
 * @module
 */
import type { WalkForwardSettings } from "./optimizer_settings.ts";

/** One walk-forward window; ranges are [start, end) in epoch ms. */
export interface WalkForwardWindow {
  readonly index: number;
  readonly trainStart: number;
  readonly trainEnd: number;
  readonly testStart: number;
  readonly testEnd: number;
}

/** Too little data for the walk-forward; says what is needed and what is there. */
export class InsufficientDataError extends RangeError {
  /** Calendar months needed after the warm-up. */
  readonly monthsNeeded: number;
  /** Months available after the warm-up (fractional, 30.44-day months). */
  readonly monthsAvailable: number;
  constructor(message: string, needed: number, available: number) {
    super(message);
    this.name = "InsufficientDataError";
    this.monthsNeeded = needed;
    this.monthsAvailable = available;
  }
}

const AVERAGE_MONTH_MS = 30.436875 * 86_400_000;

/**
 * The UTC month start `months` months after the month of `time` (0: the month's own start).
 *
 * @param time Epoch ms.
 * @param months Months to add.
 * @returns Epoch ms of 00:00 UTC on day 1 of that month.
 */
export function monthStart(time: number, months: number): number {
  const date = new Date(time);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months, 1);
}

/**
 * The first month boundary at or after `time`.
 *
 * @param time Epoch ms.
 * @returns `time` itself when it is a month start, else the next month's start.
 */
export function monthBoundaryAtOrAfter(time: number): number {
  const start = monthStart(time, 0);
  return start === time ? time : monthStart(time, 1);
}

/** Calendar months a walk-forward needs: train + test + step · (minWindows − 1). */
export function monthsNeeded(settings: WalkForwardSettings): number {
  return settings.trainMonths + settings.testMonths +
    settings.stepMonths * (settings.minWindows - 1);
}

function day(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}

/**
 * The walk-forward windows of a series.
 *
 * @param openTime Bar open times, ascending.
 * @param options Bar length, warm-up bars, the window settings and a label for messages.
 * @returns The windows, oldest first (at least `minWindows`).
 * @throws {InsufficientDataError} When the data after the warm-up holds fewer than
 *   `minWindows` windows; the message says how many months are needed and how many there are.
 */
export function walkForwardWindows(
  openTime: Float64Array,
  options: {
    readonly timeframeMs: number;
    readonly warmupBars: number;
    readonly settings: WalkForwardSettings;
    /** E.g. `BTCUSDT 1h`. */
    readonly label: string;
  },
): WalkForwardWindow[] {
  const { settings, warmupBars, label } = options;
  const needed = monthsNeeded(settings);
  const n = openTime.length;
  const dataEnd = n > 0 ? openTime[n - 1]! + options.timeframeMs : 0;
  const firstTradable = n > warmupBars ? openTime[warmupBars]! : dataEnd;
  const start = n > warmupBars
    ? monthBoundaryAtOrAfter(firstTradable)
    : dataEnd;
  const windows: WalkForwardWindow[] = [];
  for (let k = 0;; k++) {
    const trainStart = monthStart(start, k * settings.stepMonths);
    const trainEnd = monthStart(trainStart, settings.trainMonths);
    const testEnd = monthStart(trainEnd, settings.testMonths);
    if (n <= warmupBars || testEnd > dataEnd) break;
    windows.push({
      index: k,
      trainStart,
      trainEnd,
      testStart: trainEnd,
      testEnd,
    });
  }
  if (windows.length < settings.minWindows) {
    const available = Math.max(0, (dataEnd - start) / AVERAGE_MONTH_MS);
    const range = n > warmupBars
      ? `${day(start)} .. ${day(dataEnd)}`
      : `${n} bar(s), fewer than the warm-up`;
    throw new InsufficientDataError(
      `Cannot run walk-forward on ${label} as it needs ${needed} calendar months after the ${warmupBars}-bar warm-up (train ${settings.trainMonths} + test ${settings.testMonths} + ${
        settings.minWindows - 1
      } steps of ${settings.stepMonths}): the data has ${
        available.toFixed(1)
      } (${range})`,
      needed,
      available,
    );
  }
  return windows;
}
