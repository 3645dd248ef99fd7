/**
 * The `Notifier` port: where the notifier actor (`actors/notifier_actor.ts`) delivers outbox
 * rows. Telegram in production, the log when Telegram is not configured
 * (`data/log_notifier.ts`), a recorder in tests (`tests/fakes/recording_notifier.ts`).
 *
 * A notifier resolves only after the far side confirmed the message, and throws
 * {@link NotifierError} saying whether trying again can help. Delivery is at-least-once at this
 * boundary: a message the far side received but whose confirmation never arrived (crash, stop
 * mid-request) is sent again after a restart, so a notifier that must show it once dedupes by the
 * row's `key`.
 *
 * @module
 */
import type { OutboxRow } from "./state_types.ts";

/** Options of one {@link Notifier.send} call. */
export interface NotifierSendOptions {
  /**
   * Aborted when the caller gives up on this send (the actor is stopping); the notifier should
   * cancel its request. A send abandoned this way counts as not confirmed.
   */
  readonly signal?: AbortSignal;
}

/** Where outbox messages go (Telegram in production; a recorder in tests; the log when Telegram is off). */
export interface Notifier {
  /**
   * Delivers one outbox row.
   *
   * @param row The row to deliver.
   * @param options Optional abort signal.
   * @returns The remote message id (or null), only after the far side confirmed.
   * @throws {NotifierError} When the far side refused or could not be reached.
   */
  send(
    row: OutboxRow,
    options?: NotifierSendOptions,
  ): Promise<{ readonly messageId: number | null }>;
}

/** Options of {@link NotifierError}. */
export interface NotifierErrorOptions {
  /** True when trying the same message again may succeed (429, 5xx, network). */
  readonly retryable: boolean;
  /** How long the far side asked us to wait before the next try (429 `retry_after`), in ms. */
  readonly retryAfterMs?: number;
  /** The underlying error. */
  readonly cause?: unknown;
}

/** A failed delivery: retryable (wait and try again) or not (e.g. Telegram 400/403: give up). */
export class NotifierError extends Error {
  /** True when trying the same message again may succeed. */
  readonly retryable: boolean;
  /** The wait the far side asked for, in ms, when it said. */
  readonly retryAfterMs?: number;

  /**
   * @param message What went wrong (no secrets: it is stored and shown).
   * @param options Whether to retry, the wait asked for, and the cause.
   */
  constructor(message: string, options: NotifierErrorOptions) {
    super(
      message,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = "NotifierError";
    this.retryable = options.retryable;
    if (options.retryAfterMs !== undefined) {
      this.retryAfterMs = options.retryAfterMs;
    }
  }
}
