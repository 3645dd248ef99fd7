/**
 * The Telegram notifier's memory of the bot's recent messages per chat ({@link SentIdStore}),
 * kept in the state database's `settings` table under `telegram.sent_ids:<chat>` as a JSON array
 * of `[id, digest]` pairs (a bare id where the digest is not known), so an attempt in flight at a
 * kill -9 can be checked after the restart (`data/telegram_notifier.ts`).
 *
 * @module
 */
import type { StateStore } from "./state_store.ts";
import type { SentIdStore, SentMessageRef } from "./telegram_notifier.ts";

/** One stored entry: an id, or an `[id, digest]` pair; undefined when it is neither. */
function refOf(entry: unknown): SentMessageRef | undefined {
  if (Number.isInteger(entry)) return { id: entry as number };
  if (
    Array.isArray(entry) && entry.length === 2 && Number.isInteger(entry[0]) &&
    typeof entry[1] === "string"
  ) return { id: entry[0], digest: entry[1] };
  return undefined;
}

/** The settings key for `chat`. */
export function sentIdsKey(chat: string): string {
  return `telegram.sent_ids:${chat}`;
}

/**
 * A {@link SentIdStore} over the state store. A chat without the setting (a database from before
 * it existed) starts from the message ids of the latest sent outbox rows.
 *
 * @param store The state store.
 * @returns The id store.
 * @throws {TypeError} From `load`, when the stored value is not a JSON array of ids or pairs.
 */
export function settingsSentIds(
  store: Pick<StateStore, "setting" | "setSetting" | "outbox">,
): SentIdStore {
  return {
    load(chat) {
      const key = sentIdsKey(chat);
      const raw = store.setting(key);
      if (raw === undefined) {
        return store.outbox({ limit: 64 }).flatMap((row) =>
          row.messageId === null ? [] : [{ id: row.messageId }]
        );
      }
      let entries: unknown;
      try {
        entries = JSON.parse(raw);
      } catch {
        entries = undefined;
      }
      const refs = Array.isArray(entries) ? entries.map(refOf) : [undefined];
      if (refs.some((r) => r === undefined)) {
        throw new TypeError(
          `Cannot read setting '${key}' as it must be a JSON array of message ids or [id, digest] pairs: current value is ${
            raw.slice(0, 80)
          }`,
        );
      }
      return refs as SentMessageRef[];
    },
    save(chat, refs) {
      const entries = refs.map((r) =>
        r.digest === undefined ? r.id : [r.id, r.digest]
      );
      store.setSetting(sentIdsKey(chat), JSON.stringify(entries));
    },
  };
}
