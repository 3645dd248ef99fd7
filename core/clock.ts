/**
 * The `Clock` port: the only way VELAS code reads the time or waits. Live adapters get the
 * system clock (`data/system_clock.ts`), replays and tests a controllable one
 * (`tests/fakes/fake_clock.ts`), so retries, backoff and rate-limit waits run in simulated time.
 *
 * @module
 */

/** A source of time and waits (epoch ms UTC). */
export interface Clock {
  /**
   * The current time.
   *
   * @returns Epoch milliseconds UTC.
   */
  now(): number;
  /**
   * Waits for a duration of this clock's time.
   *
   * @param ms Duration in ms; 0 or less resolves at the current time.
   * @param signal Aborting it rejects the wait with the signal's reason.
   * @returns A promise that resolves when the time has passed.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
