/**
 * The real clock: `Date.now()` and timers. `main.ts` hands it to the live adapters; everything
 * else receives a `Clock` (`core/clock.ts`).
 *
 * @module
 */
import type { Clock } from "../core/clock.ts";

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** The system clock: wall time and real timers. */
export const systemClock: Clock = { now: () => Date.now(), sleep };
