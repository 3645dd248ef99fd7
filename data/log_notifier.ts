/**
 * The notifier used when Telegram is not configured: every outbox row becomes one structured log
 * line, so the daemon still drains its outbox and the messages stay visible.
 *
 * @module
 */
import type { Notifier } from "../core/notifier.ts";
import type { OutboxRow } from "../core/state_types.ts";

/** The line {@link LogNotifier} writes for one outbox row. */
export interface NotifyLogLine {
  readonly level: "info";
  readonly msg: "notify";
  readonly id: number;
  readonly kind: string;
  readonly key: string;
  readonly createdAt: number;
  readonly payload: unknown;
  readonly [field: string]: unknown;
}

/** A {@link Notifier} that writes each row to a log function; it never fails. */
export class LogNotifier implements Notifier {
  readonly #log: (line: NotifyLogLine) => void;

  /** @param log Receives one line per delivered row. */
  constructor(log: (line: NotifyLogLine) => void) {
    this.#log = log;
  }

  /**
   * Logs the row.
   *
   * @param row The outbox row.
   * @returns `messageId: null` (there is no remote message); rejects when `log` throws.
   */
  send(row: OutboxRow): Promise<{ readonly messageId: number | null }> {
    try {
      this.#log({
        level: "info",
        msg: "notify",
        id: row.id,
        kind: row.kind,
        key: row.key,
        createdAt: row.createdAt,
        payload: row.payload,
      });
    } catch (error) {
      return Promise.reject(error);
    }
    return Promise.resolve({ messageId: null });
  }
}
