/**
 * The Telegram notifier's memory of the bot's recent message ids per chat
 * ({@link SentIdStore}), kept in the state database's `settings` table under
 * `telegram.sent_ids:<chat>` as a JSON array, so an attempt in flight at a kill -9 can be
 * checked after the restart (`data/telegram_notifier.ts`).
 *
 * @module
 */
import type { StateStore } from "./state_store.ts";
import type { SentIdStore } from "./telegram_notifier.ts";

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
 * @throws {TypeError} From `load`, when the stored value is not a JSON array of integers.
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
          row.messageId === null ? [] : [row.messageId]
        );
      }
      let ids: unknown;
      try {
        ids = JSON.parse(raw);
      } catch {
        ids = undefined;
      }
      if (!Array.isArray(ids) || !ids.every(Number.isInteger)) {
        throw new TypeError(
          `Cannot read setting '${key}' as it must be a JSON array of message ids: current value is ${
            raw.slice(0, 80)
          }`,
        );
      }
      return ids as number[];
    },
    save(chat, ids) {
      store.setSetting(sentIdsKey(chat), JSON.stringify(ids));
    },
  };
}
