/**
 * Drives a replay exchange's clock for `live --replay` and the demo. `max` speed advances one
 * step (the shortest timeframe) at a time and waits until the daemon has processed every candle
 * closed by then, so nothing queues up and the run is as fast as the daemon; when the daemon makes
 * no progress for a while (a reconnect, a 429 wait on the replay clock) the clock is nudged
 * forward, a second first, twice as far at each further stall, up to one step. A number is a
 * speed factor over wall time (`--speed 60`: one hour per minute); at the end it waits (bounded)
 * until the daemon has taken the last candles. The daemon's clock reads the replay time and
 * sleeps a fraction of wall time (`replayClock`).
 *
 * @module
 */
import type { Clock } from "../core/clock.ts";
import type { ReplayExchange } from "./replay_exchange.ts";

/**
 * A clock reading the replay exchange's time; its sleeps take `1 / scale` of their length in
 * wall time (retry and reconnect waits stay short when the replay runs fast).
 *
 * @param exchange The replay exchange.
 * @param scale Wall-time divisor of sleeps (≥ 1).
 * @returns The clock.
 */
export function replayClock(
  exchange: Pick<ReplayExchange, "now">,
  scale: number,
): Clock {
  return {
    now: () => exchange.now(),
    sleep: (ms, signal) =>
      new Promise((resolve, reject) => {
        if (signal?.aborted) {
          reject(signal.reason);
          return;
        }
        const id = setTimeout(() => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        }, Math.max(0, ms / scale));
        const onAbort = () => {
          clearTimeout(id);
          reject(signal?.reason);
        };
        signal?.addEventListener("abort", onAbort, { once: true });
      }),
  };
}

/** Options of {@link driveReplay}. */
export interface ReplayDriveOptions {
  readonly exchange: Pick<ReplayExchange, "now" | "advanceTo">;
  /** Replay time to stop at (the last candle's close). */
  readonly end: number;
  /** Step of `max` speed, ms of replay time (the shortest timeframe). */
  readonly step: number;
  /** `max`, or replay ms per wall ms. */
  readonly speed: number | "max";
  /** True when the daemon has processed every candle closed by this time. */
  readonly caughtUp: (time: number) => boolean;
  readonly signal: AbortSignal;
  /** Paced speed: wall ms to wait at the end for the last candles to be taken (default 30 000). */
  readonly endWaitMs?: number;
  /** Wall ms without progress before a nudge (default 250). */
  readonly stallMs?: number;
  /** Called before each nudge (for a log line saying what the replay waits for). */
  readonly onStall?: (time: number) => void;
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs the replay to its end (or until aborted).
 *
 * @param options Exchange, end, step, speed, progress test and abort signal.
 */
export async function driveReplay(options: ReplayDriveOptions): Promise<void> {
  const { exchange, end, signal } = options;
  if (options.speed !== "max") {
    const factor = options.speed;
    let wall = performance.now();
    while (!signal.aborted && exchange.now() < end) {
      await wait(20);
      const now = performance.now();
      const target = Math.min(end, exchange.now() + (now - wall) * factor);
      wall = now;
      await exchange.advanceTo(target);
    }
    // The last candles close exactly at the end: the run is over once they are taken (bounded,
    // so a series that never delivers cannot hold the process).
    const until = performance.now() + (options.endWaitMs ?? 30_000);
    while (
      !signal.aborted && !options.caughtUp(exchange.now()) &&
      performance.now() < until
    ) {
      await wait(5);
    }
    return;
  }
  const stallMs = options.stallMs ?? 250;
  while (!signal.aborted) {
    const target = Math.min(end, exchange.now() + options.step);
    if (target > exchange.now()) await exchange.advanceTo(target);
    let since = performance.now();
    let nudge = 1000;
    while (!signal.aborted && !options.caughtUp(exchange.now())) {
      await wait(1);
      if (performance.now() - since > stallMs) {
        options.onStall?.(exchange.now());
        await exchange.advanceTo(exchange.now() + nudge);
        nudge = Math.min(options.step, nudge * 2);
        since = performance.now();
      }
    }
    if (exchange.now() >= end) return;
  }
}
