/**
 * A hand-written fake `Clock` for tests: time moves only when the test says so, never backwards,
 * and pending sleeps resolve in deadline order (ties in the order they were requested). With
 * `autoAdvance`, every sleep makes the clock jump to the earliest pending deadline, so retry and
 * backoff loops run instantly while still taking the same simulated time.
 *
 * `onAdvance` is awaited each time the time moves, before the sleeps due then resolve; tests use
 * it to drive a replay exchange with the same time (`onAdvance: (t) => exchange.advanceTo(t)`).
 *
 * @module
 */
import type { Clock } from "../../core/clock.ts";

/** Options of `FakeClock`. */
export interface FakeClockOptions {
  /** Start time, epoch ms (default 0). */
  readonly start?: number;
  /** Jump to the next pending deadline whenever a sleep is requested (default false). */
  readonly autoAdvance?: boolean;
  /** Called (and awaited) with the new time whenever the time moves. */
  readonly onAdvance?: (time: number) => void | Promise<void>;
}

interface PendingSleep {
  readonly deadline: number;
  readonly order: number;
  readonly resolve: () => void;
}

/** Microtask hops given to woken code so it can request its next sleep before time moves on. */
const FLUSH_HOPS = 20;

async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < FLUSH_HOPS; i++) await Promise.resolve();
}

/** A controllable clock that only moves forward. */
export class FakeClock implements Clock {
  /** When true, each sleep request makes the clock jump to the earliest pending deadline. */
  autoAdvance: boolean;
  #now: number;
  #order = 0;
  #pending: PendingSleep[] = [];
  #sleepLog: number[] = [];
  #busy: Promise<void> = Promise.resolve();
  #pumping = false;
  readonly #onAdvance: ((time: number) => void | Promise<void>) | undefined;

  constructor(options: FakeClockOptions = {}) {
    this.#now = options.start ?? 0;
    this.autoAdvance = options.autoAdvance ?? false;
    this.#onAdvance = options.onAdvance;
  }

  now(): number {
    return this.#now;
  }

  /** Durations of every sleep requested so far, in request order. */
  get sleepLog(): readonly number[] {
    return this.#sleepLog;
  }

  /** Number of sleeps not yet resolved. */
  get pendingSleeps(): number {
    return this.#pending.length;
  }

  /** Earliest pending deadline, or undefined when nothing waits. */
  nextDeadline(): number | undefined {
    return this.#pending[0]?.deadline;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    this.#sleepLog.push(ms);
    return new Promise((resolve, reject) => {
      const entry: PendingSleep = {
        deadline: this.#now + Math.max(0, ms),
        order: this.#order++,
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.#pending = this.#pending.filter((item) => item !== entry);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#insert(entry);
      if (this.autoAdvance) queueMicrotask(() => this.#pump());
    });
  }

  /**
   * Moves the clock to `time`, resolving every sleep due on the way in deadline order.
   *
   * @param time Target time, epoch ms.
   * @returns A promise that resolves once the clock is at `time`.
   * @throws {RangeError} When `time` is earlier than now (the clock never goes back).
   */
  advanceTo(time: number): Promise<void> {
    const run = this.#busy.then(() => this.#advance(time));
    this.#busy = run.catch(() => {});
    return run;
  }

  /**
   * Moves the clock forward by `ms`.
   *
   * @param ms Duration, at least 0.
   * @returns A promise that resolves once the clock has moved.
   */
  advance(ms: number): Promise<void> {
    return this.#busy.then(() => this.advanceTo(this.#now + ms));
  }

  /**
   * Waits until every pending sleep is resolved, advancing the clock as needed.
   *
   * @returns A promise that resolves when no sleep is pending.
   */
  async runAll(): Promise<void> {
    for (let deadline = this.nextDeadline(); deadline !== undefined;) {
      await this.advanceTo(Math.max(deadline, this.#now));
      await flushMicrotasks();
      deadline = this.nextDeadline();
    }
  }

  async #advance(time: number): Promise<void> {
    if (!(time >= this.#now)) {
      throw new RangeError(
        `Cannot advance the clock as 'time' must not be earlier than now (${this.#now}): current value is ${time}`,
      );
    }
    for (
      let next = this.#pending[0];
      next !== undefined && next.deadline <= time;
      next = this.#pending[0]
    ) {
      this.#pending.shift();
      await this.#moveTo(next.deadline);
      next.resolve();
      await flushMicrotasks();
    }
    await this.#moveTo(time);
  }

  async #moveTo(time: number): Promise<void> {
    if (time === this.#now) return;
    this.#now = time;
    await this.#onAdvance?.(time);
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      for (
        let deadline = this.nextDeadline();
        deadline !== undefined && this.autoAdvance;
        deadline = this.nextDeadline()
      ) {
        await this.advanceTo(Math.max(deadline, this.#now));
      }
    } finally {
      this.#pumping = false;
    }
  }

  #insert(entry: PendingSleep): void {
    let index = this.#pending.length;
    while (index > 0 && this.#pending[index - 1]!.deadline > entry.deadline) {
      index--;
    }
    this.#pending.splice(index, 0, entry);
  }
}
