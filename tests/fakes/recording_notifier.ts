/**
 * A hand-written fake {@link Notifier}: it plays the far side (Telegram) and records what reached
 * it, with fault injection. Faults are consumed in call order: `failNext`/`throwNext` make the
 * next calls fail before anything is delivered; `hangNext` makes the next calls deliver but never
 * confirm (the far side got the message, the answer never came back), until the caller aborts.
 * With `dedupe`, the far side shows each key once and answers a repeat with the first message id,
 * as a receiver that dedupes by key would.
 *
 * @module
 */
import type { Clock } from "../../core/clock.ts";
import {
  type Notifier,
  NotifierError,
  type NotifierSendOptions,
} from "../../core/notifier.ts";
import type { OutboxRow } from "../../core/state_types.ts";

/** Options of {@link RecordingNotifier}. */
export interface RecordingNotifierOptions {
  /** Each call waits this long on `clock` before answering (default 0: no wait). */
  readonly delayMs?: number;
  /** Required when `delayMs` is more than 0. */
  readonly clock?: Clock;
  /** Record each key once and answer repeats with the first message id (default false). */
  readonly dedupe?: boolean;
}

/** The failure `failNext` injects. */
export interface InjectedFailure {
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  /** Default `Injected failure`. */
  readonly message?: string;
}

function never(signal: AbortSignal | undefined): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal === undefined) return;
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason), {
      once: true,
    });
  });
}

/** Records every delivered row; injects failures, hangs and delays. */
export class RecordingNotifier implements Notifier {
  /** Rows the far side received, in order (with `dedupe`, each key once). */
  readonly delivered: OutboxRow[] = [];
  /** The key of every `send` call, in call order, failed ones included. */
  readonly calls: string[] = [];
  readonly #delayMs: number;
  readonly #clock: Clock | undefined;
  readonly #dedupe: boolean;
  readonly #faults: unknown[] = [];
  readonly #counts = new Map<string, number>();
  readonly #ids = new Map<string, number>();
  #hangs = 0;
  #nextId = 1;
  #inFlight = 0;
  #maxInFlight = 0;

  /**
   * @param options Delay, clock and dedupe.
   * @throws {TypeError} When `delayMs` is more than 0 and no clock is given.
   */
  constructor(options: RecordingNotifierOptions = {}) {
    this.#delayMs = options.delayMs ?? 0;
    this.#clock = options.clock;
    this.#dedupe = options.dedupe ?? false;
    if (this.#delayMs > 0 && this.#clock === undefined) {
      throw new TypeError(
        "Cannot create the recording notifier as 'clock' must be given when 'delayMs' is more than 0",
      );
    }
  }

  /** Keys of the delivered rows, in order. */
  get keys(): string[] {
    return this.delivered.map((row) => row.key);
  }

  /** Calls started and not yet settled. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** The most calls ever in flight at once. */
  get maxInFlight(): number {
    return this.#maxInFlight;
  }

  /**
   * @param key An outbox key.
   * @returns How many times the far side received it (dedupe or not).
   */
  countOf(key: string): number {
    return this.#counts.get(key) ?? 0;
  }

  /**
   * Makes the next `n` calls fail with a {@link NotifierError}, before delivering.
   *
   * @param n How many calls.
   * @param failure Retryable or not, and the wait asked for.
   */
  failNext(n: number, failure: InjectedFailure): void {
    for (let i = 0; i < n; i++) {
      const { message = "Injected failure", ...rest } = failure;
      this.#faults.push(new NotifierError(message, rest));
    }
  }

  /**
   * Makes the next call throw `error` as is (e.g. a `TypeError` from `fetch`).
   *
   * @param error What to throw.
   */
  throwNext(error: unknown): void {
    this.#faults.push(error);
  }

  /**
   * Makes the next `n` successful calls deliver but never resolve (until their signal aborts).
   *
   * @param n How many calls (default 1).
   */
  hangNext(n = 1): void {
    this.#hangs += n;
  }

  /**
   * Plays the far side for one row.
   *
   * @param row The row.
   * @param options The caller's abort signal.
   * @returns The message id the far side gave.
   */
  async send(
    row: OutboxRow,
    options: NotifierSendOptions = {},
  ): Promise<{ readonly messageId: number | null }> {
    this.calls.push(row.key);
    this.#inFlight++;
    this.#maxInFlight = Math.max(this.#maxInFlight, this.#inFlight);
    try {
      if (this.#delayMs > 0) {
        await this.#clock!.sleep(this.#delayMs, options.signal);
      }
      if (this.#faults.length > 0) throw this.#faults.shift();
      const messageId = this.#receive(row);
      if (this.#hangs > 0) {
        this.#hangs--;
        await never(options.signal);
      }
      return { messageId };
    } finally {
      this.#inFlight--;
    }
  }

  #receive(row: OutboxRow): number {
    this.#counts.set(row.key, this.countOf(row.key) + 1);
    const known = this.#ids.get(row.key);
    if (this.#dedupe && known !== undefined) return known;
    const id = this.#nextId++;
    this.#ids.set(row.key, id);
    this.delivered.push(row);
    return id;
  }
}
