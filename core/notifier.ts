/**
 * The `Notifier` port: where the notifier actor (`actors/notifier_actor.ts`) delivers outbox
 * rows. Telegram in production, the log when Telegram is not configured
 * (`data/log_notifier.ts`), a recorder in tests (`tests/fakes/recording_notifier.ts`).
 *
 * A notifier resolves only after the far side confirmed the message, and throws
 * {@link NotifierError} saying whether trying again can help and whether the message may have
 * arrived all the same. A notifier that can check the far side (Telegram) also implements
 * {@link Notifier.inFlightRecord} and {@link Notifier.probe}: the actor stores the attempt on the row
 * before the request goes out, and an attempt whose answer was lost (kill -9 mid-request, a
 * timeout after the far side took it) is checked before the row is sent again, so the message is
 * shown once. A notifier without them is at-least-once across such losses.
 *
 * @module
 */
import type { InFlight, OutboxRow } from "./state_types.ts";

/** Options of one {@link Notifier.send} call. */
export interface NotifierSendOptions {
  /**
   * Aborted when the caller gives up on this send (the actor is stopping); the notifier should
   * cancel its request. A send abandoned this way counts as not confirmed.
   */
  readonly signal?: AbortSignal;
}

/** What {@link Notifier.probe} found out about an attempt in flight. */
export type ProbeResult =
  /** The message is there (with its remote id): mark the row sent, do not send again. */
  | { readonly type: "delivered"; readonly messageId: number | null }
  /** The message is not there: send it. */
  | { readonly type: "absent" }
  /** The far side cannot be checked safely: the row is sent again and may show twice. */
  | { readonly type: "unknown"; readonly reason: string };

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

  /**
   * Describes the attempt about to be made for `row` (its chat, the chat's last known message
   * id), to be stored on the row while the request is out. Optional, with {@link Notifier.probe}.
   *
   * @param row The row about to be sent.
   * @param now The time, epoch ms.
   * @returns The in-flight record.
   */
  inFlightRecord?(row: OutboxRow, now: number): InFlight;

  /**
   * Checks whether an earlier attempt, recorded by {@link Notifier.inFlightRecord} and never
   * confirmed, reached the far side.
   *
   * @param row The row.
   * @param inFlight The stored record of that attempt.
   * @param options Optional abort signal.
   * @returns Delivered (with the message id), absent, or unknown (with the reason).
   * @throws {NotifierError} When the far side cannot answer now (429, 5xx, network).
   */
  probe?(
    row: OutboxRow,
    inFlight: InFlight,
    options?: NotifierSendOptions,
  ): Promise<ProbeResult>;
}

/** Options of {@link NotifierError}. */
export interface NotifierErrorOptions {
  /** True when trying the same message again may succeed (429, 5xx, network). */
  readonly retryable: boolean;
  /** How long the far side asked us to wait before the next try (429 `retry_after`), in ms. */
  readonly retryAfterMs?: number;
  /**
   * False when the far side certainly did not take the message (it answered 429 or refused);
   * true when it may have (timeout, network error, 5xx). Default: `retryable`.
   */
  readonly mayHaveArrived?: boolean;
  /** The underlying error. */
  readonly cause?: unknown;
}

/** A failed delivery: retryable (wait and try again) or not (e.g. Telegram 400/403: give up). */
export class NotifierError extends Error {
  /** True when trying the same message again may succeed. */
  readonly retryable: boolean;
  /** The wait the far side asked for, in ms, when it said. */
  readonly retryAfterMs?: number;
  /** True when the message may have reached the far side despite the error. */
  readonly mayHaveArrived: boolean;

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
    this.mayHaveArrived = options.mayHaveArrived ?? options.retryable;
    if (options.retryAfterMs !== undefined) {
      this.retryAfterMs = options.retryAfterMs;
    }
  }
}
