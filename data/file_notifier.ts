/**
 * A notifier that appends each outbox row as one JSON line to a file (`VELAS_NOTIFY_FILE`), for
 * running without Telegram and for crash tests. It is idempotent: at open it reads the keys
 * already in the file and skips a row whose key is there, so a row resent after a kill -9 (sent,
 * but not yet marked sent) is written once. Each line is written (one `write` call) before `send`
 * resolves, so it survives a kill -9 of the daemon.
 *
 * @module
 */
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import type { Notifier } from "../core/notifier.ts";
import type { OutboxRow } from "../core/state_types.ts";

/** Appends outbox rows to a JSON-lines file, each key once. */
export class FileNotifier implements Notifier {
  readonly #path: string;
  readonly #keys = new Set<string>();

  /** @param path The file (created when missing). */
  constructor(path: string) {
    this.#path = path;
    if (existsSync(path)) {
      for (const line of readFileSync(path, "utf8").split("\n")) {
        if (line.trim() === "") continue;
        try {
          const key = (JSON.parse(line) as { key?: unknown }).key;
          if (typeof key === "string") this.#keys.add(key);
        } catch {
          // A torn last line from a kill: its row was not confirmed and is sent again.
        }
      }
    }
  }

  /**
   * Writes one row (unless its key is already in the file).
   *
   * @param row The outbox row.
   * @returns No remote message id.
   */
  send(row: OutboxRow): Promise<{ readonly messageId: number | null }> {
    if (!this.#keys.has(row.key)) {
      appendFileSync(
        this.#path,
        JSON.stringify({ key: row.key, kind: row.kind, payload: row.payload }) +
          "\n",
      );
      this.#keys.add(row.key);
    }
    return Promise.resolve({ messageId: null });
  }
}
