/**
 * Samples equity once per UTC day: the value at the end of each day, for every day from the first
 * event to the last (days without events repeat the last value). An event at a bar's close time
 * T belongs to the day of T − 1 ms, so a bar closing exactly at 00:00 counts for the day it
 * covered.
 *
 * @module
 */
import type { EquityPoint } from "./records.ts";

const DAY_MS = 86_400_000;

/**
 * The UTC day (start, epoch ms) an event at close time `time` belongs to.
 *
 * @param time Event time, epoch ms.
 * @returns Start of that day, epoch ms.
 */
export function eventDay(time: number): number {
  return Math.floor((time - 1) / DAY_MS) * DAY_MS;
}

/** Where a {@link DailyEquity} stands (plain data, for a daemon to persist). */
export interface DailyEquityState {
  readonly day: number;
  readonly dayEnd: number;
}

/** Collects daily equity points as time advances. */
export class DailyEquity {
  #day = NaN;
  /** Events at or before this time belong to the current day. */
  #dayEnd = -Infinity;
  #points: EquityPoint[] = [];
  #initial: number;

  /**
   * @param initial Equity before the first event.
   * @param state Where to resume (points already recorded are not kept).
   */
  constructor(initial: number, state?: DailyEquityState) {
    this.#initial = initial;
    if (state !== undefined) {
      this.#day = state.day;
      this.#dayEnd = state.dayEnd;
    }
  }

  /** The current day and its end, to resume from. */
  get state(): DailyEquityState {
    return { day: this.#day, dayEnd: this.#dayEnd };
  }

  /**
   * Moves to the event at `time`; when it starts a new day, records the end-of-day equity of every
   * day passed. Call before applying the event.
   *
   * @param time Event time, epoch ms (non-decreasing).
   * @param equity Returns the equity as of now (before the event).
   */
  advance(time: number, equity: () => number): void {
    if (time <= this.#dayEnd) return;
    const day = eventDay(time);
    this.#dayEnd = day + DAY_MS;
    if (Number.isNaN(this.#day)) {
      this.#day = day;
      return;
    }
    if (day <= this.#day) return;
    const value = equity();
    for (let d = this.#day; d < day; d += DAY_MS) {
      this.#points.push({ time: d, equity: value });
    }
    this.#day = day;
  }

  /**
   * Records the last day.
   *
   * @param time Time of the last event (or 0 when there was none).
   * @param equity Final equity.
   */
  finish(time: number, equity: number): void {
    if (Number.isNaN(this.#day)) {
      this.#points.push({ time: eventDay(time), equity: this.#initial });
      return;
    }
    this.#points.push({ time: this.#day, equity });
  }

  /** Points so far, one per day. */
  get points(): readonly EquityPoint[] {
    return this.#points;
  }
}
