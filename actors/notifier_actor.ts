/**
 * The notifier actor: drains the SQLite outbox to a {@link Notifier} (Telegram, or the log), one
 * row at a time, strictly in id order (DESIGN §2 State, Telegram).
 *
 * The portfolio actor writes outbox rows in the same transaction as the change they announce, then
 * calls {@link NotifierActor.wake}. The actor reads the unsent rows oldest first and sends each;
 * row k+1 is not sent before row k is confirmed or given up:
 *
 * - confirmed (`send` resolved): `markSent(id, messageId, now)`; a row is marked sent only then;
 * - retryable failure ({@link NotifierError} with `retryable`, or any other error: network, bugs
 *   in the adapter): `markFailed`, wait `retryAfterMs` when the far side gave one (exactly), else
 *   a capped exponential backoff, and send the same row again; it never skips ahead;
 * - permanent failure (a non-retryable {@link NotifierError}, e.g. Telegram 400/403):
 *   `markFailed`, an `error` event, a log line, then `markSent(id, null, now)` so the queue is not
 *   blocked. A "given up" row therefore has `sent_at` set, `message_id` NULL and keeps its
 *   `last_error` and `attempts`.
 *
 * Delivery guarantee: the outbox is exactly-once as recorded in SQLite. At the transport, a
 * message the far side received but whose confirmation was not recorded (kill -9 mid-request, a
 * timeout or dropped connection after the far side took it, a stop that abandoned the request)
 * is in doubt. When the notifier can check (Telegram: {@link Notifier.inFlightRecord} and
 * {@link Notifier.probe}), the attempt is stored on the row (`in_flight`) before the request goes
 * out and cleared when the far side confirms or certainly refused; a row found in flight (at the
 * next start, or after an ambiguous failure) is probed first and marked sent without sending
 * when it arrived. Notifiers that cannot check are at-least-once across such losses, and a probe
 * that cannot check safely says why (an event, once per reason).
 *
 * @module
 */
import type { Clock } from "../core/clock.ts";
import {
  type Notifier,
  NotifierError,
  type ProbeResult,
} from "../core/notifier.ts";
import type { InFlight, OutboxRow } from "../core/state_types.ts";
import type { StateStore } from "../data/state_store.ts";

/** One structured log line of the actor. */
export interface NotifierLogLine {
  readonly level: "debug" | "info" | "warn" | "error";
  readonly msg: string;
  readonly [field: string]: unknown;
}

/** Options of {@link NotifierActor}. */
export interface NotifierActorOptions {
  /** The state store (only the outbox and events are used). */
  readonly store: Pick<
    StateStore,
    "unsentOutbox" | "markSent" | "markFailed" | "markInFlight" | "addEvent"
  >;
  /** Where rows go. */
  readonly notifier: Notifier;
  /** Time for `sent_at`, backoff waits and the stop grace. */
  readonly clock: Clock;
  /** Retryable failures wait `min(maxMs, baseMs·2^k)` after the k-th (0-based) failure of a row (default 1 s .. 60 s). */
  readonly backoff?: { readonly baseMs: number; readonly maxMs: number };
  /** Rows read per query (default 50). */
  readonly batch?: number;
  /**
   * How long {@link NotifierActor.stop} waits for the send in flight before abandoning it
   * (default 10 s). An abandoned row stays unsent and is sent again at the next start.
   */
  readonly stopGraceMs?: number;
  /** Structured log (default: none). A throwing log never stops delivery. */
  readonly log?: (line: NotifierLogLine) => void;
}

/** Counters for the status page. */
export interface NotifierStats {
  /** Rows confirmed by the notifier in this run. */
  readonly sent: number;
  /** Rows given up after a permanent failure in this run. */
  readonly failed: number;
  /** Retryable failures (each followed by a wait and a retry) in this run. */
  readonly retries: number;
  /** The last failure's message, or null. */
  readonly lastError: string | null;
  /** True while a drain is running. */
  readonly draining: boolean;
}

/** Lifecycle of the actor: created → running → stopping → stopped (or created → stopped). */
export type NotifierActorState = "created" | "running" | "stopping" | "stopped";

/** A notifier call that did not give its answer. */
type Unanswered =
  | { readonly type: "failed"; readonly error: unknown }
  | { readonly type: "abandoned" };
/** How one send ended. */
type SendOutcome =
  | { readonly type: "sent"; readonly messageId: number | null }
  | Unanswered;
/** How one probe ended ("unknown" already turned into "absent"). */
type ProbeOutcome = Exclude<ProbeResult, { type: "unknown" }> | Unanswered;

const MAX_ERROR_CHARS = 500;

function describe(error: unknown): string {
  const text = error instanceof Error
    ? `${error.name}: ${error.message}`
    : String(error);
  return text.slice(0, MAX_ERROR_CHARS);
}

/** False only when the error says the far side certainly did not take the message. */
function mayHaveArrived(error: unknown): boolean {
  return !(error instanceof NotifierError) || error.mayHaveArrived;
}

function retryAfterOf(error: unknown): number | undefined {
  if (!(error instanceof NotifierError)) return undefined;
  const ms = error.retryAfterMs;
  return ms !== undefined && Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

/** Settles like `promise`, or rejects with the signal's reason when it is aborted first. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() =>
      signal.removeEventListener("abort", onAbort)
    );
  });
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) {
    throw new RangeError(
      `Cannot create the notifier actor as '${name}' must be a positive integer: current value is ${value}`,
    );
  }
  return value;
}

/** Drains the outbox to a notifier, in order, one message in flight at most. */
export class NotifierActor {
  readonly #store: NotifierActorOptions["store"];
  readonly #notifier: Notifier;
  readonly #clock: Clock;
  readonly #baseMs: number;
  readonly #maxMs: number;
  readonly #batch: number;
  readonly #graceMs: number;
  readonly #logFn: ((line: NotifierLogLine) => void) | undefined;
  /** Aborted at stop: ends backoff waits. */
  readonly #halt = new AbortController();
  /** Aborted when the stop grace expires: abandons the send in flight. */
  readonly #cancel = new AbortController();
  #state: NotifierActorState = "created";
  /** Permanent errors already reported (at most 100 kept). */
  readonly #reported = new Set<string>();
  #wanted = false;
  #draining = false;
  #drain: Promise<void> = Promise.resolve();
  #stopped: Promise<void> | undefined;
  #sent = 0;
  #failed = 0;
  #retries = 0;
  #lastError: string | null = null;

  /**
   * @param options Store, notifier, clock, and optional backoff, batch size, stop grace and log.
   * @throws {RangeError} When a number option is not a positive integer or `maxMs < baseMs`.
   */
  constructor(options: NotifierActorOptions) {
    this.#store = options.store;
    this.#notifier = options.notifier;
    this.#clock = options.clock;
    const backoff = options.backoff ?? { baseMs: 1000, maxMs: 60_000 };
    this.#baseMs = positiveInteger("backoff.baseMs", backoff.baseMs);
    this.#maxMs = positiveInteger("backoff.maxMs", backoff.maxMs);
    if (this.#maxMs < this.#baseMs) {
      throw new RangeError(
        `Cannot create the notifier actor as 'backoff.maxMs' must be at least 'backoff.baseMs' (${this.#baseMs}): current value is ${this.#maxMs}`,
      );
    }
    this.#batch = positiveInteger("batch", options.batch ?? 50);
    this.#graceMs = positiveInteger(
      "stopGraceMs",
      options.stopGraceMs ?? 10_000,
    );
    this.#logFn = options.log;
  }

  /** The lifecycle state. */
  get state(): NotifierActorState {
    return this.#state;
  }

  /** Sent / given-up / retry counters and the last error, for the status page. */
  get stats(): NotifierStats {
    return {
      sent: this.#sent,
      failed: this.#failed,
      retries: this.#retries,
      lastError: this.#lastError,
      draining: this.#draining,
    };
  }

  /**
   * Starts draining: sends every unsent row in id order (so a restart resends what was not
   * confirmed), then waits for {@link NotifierActor.wake}.
   *
   * @throws {Error} When the actor was already started or stopped.
   */
  start(): void {
    if (this.#state !== "created") {
      throw new Error(
        `Cannot start the notifier actor as it must be 'created': current state is '${this.#state}'`,
      );
    }
    this.#state = "running";
    this.#log({ level: "info", msg: "notifier started" });
    this.wake();
  }

  /**
   * New rows were committed: drain again. Calls during a drain coalesce into one more pass of
   * that drain; there are never two drains at once. Ignored before start and after stop.
   */
  wake(): void {
    if (this.#state !== "running") {
      if (this.#state !== "created") {
        this.#log({
          level: "debug",
          msg: "notifier wake ignored",
          state: this.#state,
        });
      }
      return;
    }
    this.#wanted = true;
    if (this.#draining) return;
    this.#draining = true;
    this.#drain = this.#run().catch((error) => {
      this.#lastError = describe(error);
      this.#log({
        level: "error",
        msg: "notifier drain crashed",
        error: this.#lastError,
      });
    });
  }

  /**
   * Resolves when no drain is running: every row read so far was sent or given up, or the actor
   * stopped. For shutdown and tests; the daemon does not need it.
   */
  async whenIdle(): Promise<void> {
    while (this.#draining) await this.#drain;
  }

  /**
   * Stops: ends backoff waits at once and sends nothing more. The message in flight may finish
   * (and is then marked sent) for up to `stopGraceMs`; after that it is abandoned, stays unsent
   * and is sent again at the next start. Calling it again returns the same promise.
   *
   * @returns A promise that resolves when the actor is idle.
   */
  stop(): Promise<void> {
    this.#stopped ??= this.#shutdown();
    return this.#stopped;
  }

  async #shutdown(): Promise<void> {
    this.#state = "stopping";
    this.#halt.abort();
    if (this.#draining) {
      const grace = new AbortController();
      const expired = await Promise.race([
        this.#drain.then(() => false),
        this.#clock.sleep(this.#graceMs, grace.signal).then(
          () => true,
          () => false,
        ),
      ]);
      grace.abort();
      if (expired) {
        this.#log({
          level: "warn",
          msg: "notifier abandoned the send in flight",
        });
        this.#cancel.abort();
      }
      await this.#drain;
    }
    this.#state = "stopped";
    this.#log({ level: "info", msg: "notifier stopped", ...this.stats });
  }

  async #run(): Promise<void> {
    try {
      for (let storeFailures = 0; this.#wanted && this.#state === "running";) {
        this.#wanted = false;
        try {
          await this.#drainAll();
          storeFailures = 0;
        } catch (error) {
          // Sends are handled row by row; what reaches here comes from the store.
          this.#wanted = true;
          this.#lastError = describe(error);
          this.#log({
            level: "error",
            msg: "notifier store failed",
            error: this.#lastError,
          });
          if (!await this.#wait(this.#backoffMs(storeFailures++))) return;
        }
      }
    } finally {
      this.#draining = false;
    }
  }

  async #drainAll(): Promise<void> {
    while (this.#state === "running") {
      const rows = this.#store.unsentOutbox(this.#batch);
      if (rows.length === 0) return;
      for (const row of rows) {
        if (this.#state !== "running") return;
        await this.#deliver(row);
      }
    }
  }

  /** Sends one row until it is confirmed, given up, or the actor stops. */
  async #deliver(row: OutboxRow): Promise<void> {
    let inFlight = row.inFlight;
    for (let failures = 0; this.#state === "running"; failures++) {
      let outcome: SendOutcome | ProbeOutcome | undefined;
      if (inFlight !== null) outcome = await this.#probe(row, inFlight);
      if (outcome === undefined || outcome.type === "absent") {
        inFlight = this.#markInFlight(row);
        outcome = await this.#settle(async () => ({
          type: "sent" as const,
          ...await this.#notifier.send(row, { signal: this.#cancel.signal }),
        }));
      }
      if (outcome.type === "abandoned") return;
      if (outcome.type === "sent" || outcome.type === "delivered") {
        this.#store.markSent(row.id, outcome.messageId, this.#clock.now());
        this.#sent++;
        this.#log({
          level: outcome.type === "sent" ? "debug" : "info",
          msg: outcome.type === "sent"
            ? "notifier sent"
            : "notifier found an unconfirmed send delivered; not sending it again",
          id: row.id,
          key: row.key,
        });
        return;
      }
      const error = describe(outcome.error);
      this.#store.markFailed(row.id, error);
      this.#lastError = error;
      if (inFlight !== null && !mayHaveArrived(outcome.error)) {
        this.#store.markInFlight(row.id, null);
        inFlight = null;
      }
      if (outcome.error instanceof NotifierError && !outcome.error.retryable) {
        this.#giveUp(row, error);
        return;
      }
      this.#retries++;
      const waitMs = retryAfterOf(outcome.error) ?? this.#backoffMs(failures);
      this.#log({
        level: "warn",
        msg: "notifier send failed, retrying",
        id: row.id,
        key: row.key,
        error,
        waitMs,
      });
      if (!await this.#wait(waitMs)) return;
    }
  }

  /**
   * Stores the attempt about to be made on the row, when the notifier can check attempts later.
   *
   * @returns The stored record, or null when the notifier has no {@link Notifier.inFlightRecord}.
   */
  #markInFlight(row: OutboxRow): InFlight | null {
    const inFlight = this.#notifier.inFlightRecord?.(row, this.#clock.now()) ??
      null;
    if (inFlight !== null) this.#store.markInFlight(row.id, inFlight);
    return inFlight;
  }

  /**
   * Asks the notifier whether an unconfirmed earlier attempt arrived. Without a probe, or when
   * the far side cannot be checked, the row is sent again (a warning, and an event once per
   * reason, say it may show twice).
   */
  async #probe(row: OutboxRow, inFlight: InFlight): Promise<ProbeOutcome> {
    const probe = this.#notifier.probe;
    if (probe === undefined) return { type: "absent" };
    const outcome = await this.#settle(() =>
      probe.call(this.#notifier, row, inFlight, { signal: this.#cancel.signal })
    );
    if (outcome.type !== "unknown") return outcome;
    const first = !this.#reported.has(`unknown:${outcome.reason}`);
    if (first && this.#reported.size < 100) {
      this.#reported.add(`unknown:${outcome.reason}`);
    }
    if (first) {
      this.#store.addEvent({
        time: this.#clock.now(),
        level: "warn",
        kind: "notify.in_doubt",
        message:
          `Outbox row ${row.id} (${row.kind} ${row.key}) may have been delivered before its confirmation was lost, and ${outcome.reason}; it is sent again and may show twice`,
      });
    }
    this.#log({
      level: "warn",
      msg:
        "notifier cannot tell whether an unconfirmed send arrived; sending again",
      id: row.id,
      key: row.key,
      reason: outcome.reason,
    });
    return { type: "absent" };
  }

  /** Runs one notifier call; a throw becomes "failed", the stop's abort "abandoned". */
  async #settle<T>(call: () => Promise<T>): Promise<T | Unanswered> {
    const signal = this.#cancel.signal;
    try {
      return await untilAborted(call(), signal);
    } catch (error) {
      return signal.aborted ? { type: "abandoned" } : { type: "failed", error };
    }
  }

  /**
   * Records a permanent failure on the row (its `last_error`) and moves on. The first row with a
   * given error becomes an `events` entry (the status page's System view) and an error log line;
   * later rows failing the same way (a rejected chat id fails every row) are logged at debug level
   * only, so the problem is reported once, not once per message.
   */
  #giveUp(row: OutboxRow, error: string): void {
    const first = !this.#reported.has(error);
    if (first) {
      if (this.#reported.size < 100) this.#reported.add(error);
      this.#store.addEvent({
        time: this.#clock.now(),
        level: "error",
        kind: "notify.failed",
        message:
          `Gave up on outbox row ${row.id} (${row.kind} ${row.key}): ${error}; later rows failing the same way are not reported again`,
      });
    }
    this.#log({
      level: first ? "error" : "debug",
      msg: "notifier gave up on a row",
      id: row.id,
      key: row.key,
      error,
    });
    this.#store.markSent(row.id, null, this.#clock.now());
    this.#failed++;
  }

  #backoffMs(failures: number): number {
    return Math.min(this.#maxMs, this.#baseMs * 2 ** failures);
  }

  /** @returns false when the actor stopped during the wait. */
  async #wait(ms: number): Promise<boolean> {
    try {
      await this.#clock.sleep(ms, this.#halt.signal);
      return true;
    } catch (error) {
      if (this.#halt.signal.aborted) return false;
      throw error;
    }
  }

  #log(line: NotifierLogLine): void {
    try {
      this.#logFn?.(line);
    } catch {
      // A broken log must not stop delivery.
    }
  }
}
