/**
 * The main-thread side of the status thread's hot routes: it reads the source's status and
 * metrics snapshots and posts them to the worker every `pushEveryMs`, and after each event of
 * the source (at most one extra push per `throttleMs`), with the events since the previous push
 * in the same message. So the worker answers `/health`, `/api/status` and `/metrics` without
 * asking the main thread, and a client that re-reads `/api/status` after an event of `/events`
 * sees a snapshot taken after that event. Pushes run from timers, never inside the source's
 * event callback, so the daemon's step that emitted the event is not lengthened by them.
 *
 * @module
 */
import type { StatusLogLine } from "./status_app.ts";
import type { PushMessage, SnapshotOutcome } from "./status_thread_messages.ts";
import type { Awaitable, StatusEvent, StatusSource } from "./status_types.ts";

/** Options of {@link SnapshotPusher}. */
export interface SnapshotPusherOptions {
  readonly source: StatusSource;
  /** Sends a push to the worker. */
  readonly post: (message: PushMessage) => void;
  readonly log: (line: StatusLogLine) => void;
  /** Period of the regular push, ms. */
  readonly pushEveryMs: number;
  /** Least time between two pushes caused by events, ms. */
  readonly throttleMs: number;
}

/** Default least time between two event-driven pushes, ms. */
export const PUSH_THROTTLE_MS = 50;

/**
 * Reads one snapshot as an outcome.
 *
 * @param read The source method.
 * @returns The value, or the error's message.
 */
export async function readOutcome<T>(
  read: () => Awaitable<T>,
): Promise<SnapshotOutcome<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (error) {
    return {
      ok: false,
      message: error instanceof Error ? error.message : String(error),
    };
  }
}

/** Pushes snapshots and events to the worker (see the module doc). */
export class SnapshotPusher {
  readonly #o: SnapshotPusherOptions;
  #queued: StatusEvent[] = [];
  #unsubscribe: (() => void) | undefined;
  #interval: ReturnType<typeof setInterval> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastPushAt = -Infinity;
  #pushing = false;
  #again = false;
  #running = false;
  #stopped = false;
  /** The failure last logged per snapshot, so a lasting one is logged once. */
  readonly #failing = { status: "", metrics: "" };

  /** @param options The source, the worker's post, the log and the periods. */
  constructor(options: SnapshotPusherOptions) {
    this.#o = options;
  }

  /** Subscribes to the source; its events are queued until {@link start}. */
  subscribe(): void {
    this.#unsubscribe ??= this.#o.source.subscribe((event) => {
      if (this.#stopped) return;
      this.#queued.push(event);
      this.#schedule();
    });
  }

  /** Starts the regular pushes (and the event-driven ones queued so far). */
  start(): void {
    if (this.#stopped || this.#running) return;
    this.#running = true;
    this.subscribe();
    this.#interval = setInterval(() => void this.#push(), this.#o.pushEveryMs);
    if (this.#queued.length > 0) this.#schedule();
  }

  /** Unsubscribes and stops every push; idempotent. */
  stop(): void {
    this.#stopped = true;
    this.#running = false;
    this.#unsubscribe?.();
    clearInterval(this.#interval);
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#queued = [];
  }

  #schedule(): void {
    if (!this.#running || this.#timer !== undefined) return;
    const wait = Math.max(
      0,
      this.#lastPushAt + this.#o.throttleMs - performance.now(),
    );
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#push();
    }, wait);
  }

  async #push(): Promise<void> {
    if (this.#pushing) {
      this.#again = true;
      return;
    }
    this.#pushing = true;
    this.#lastPushAt = performance.now();
    const events = this.#queued;
    this.#queued = [];
    try {
      const { source } = this.#o;
      const status = await readOutcome(() => source.status());
      const metrics = await readOutcome(() => source.metrics());
      if (this.#stopped) return;
      this.#report("status", status);
      this.#report("metrics", metrics);
      this.#o.post({ type: "push", status, metrics, events });
    } catch (error) {
      this.#o.log({
        level: "error",
        msg: "status snapshot not pushed",
        error: error instanceof Error ? error.message : String(error),
      });
    } finally {
      this.#pushing = false;
      if (this.#again) {
        this.#again = false;
        this.#schedule();
      }
    }
  }

  #report(
    what: "status" | "metrics",
    outcome: SnapshotOutcome<unknown>,
  ): void {
    const message = outcome.ok ? "" : outcome.message;
    if (message === this.#failing[what]) return;
    this.#failing[what] = message;
    if (message === "") return;
    this.#o.log({
      level: "error",
      msg: `status thread cannot read the ${what} snapshot`,
      error: message,
    });
  }
}
