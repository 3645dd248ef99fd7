/**
 * Child process for the Telegram kill -9 test (`telegram_kill_test.ts`): drains the outbox of the
 * state database given as the first argument to the (fake) Bot API given as the second, as the
 * live daemon does (grammY notifier with the message ids kept in SQLite, the notifier actor,
 * updates replying to their signal), then prints `drained` and exits. The token comes from
 * `VELAS_TELEGRAM_TOKEN`.
 *
 * @module
 */
import { NotifierActor } from "../../actors/notifier_actor.ts";
import { StateStore } from "../../data/state_store.ts";
import { systemClock } from "../../data/system_clock.ts";
import { TelegramNotifier } from "../../data/telegram_notifier.ts";
import { settingsSentIds } from "../../data/telegram_sent_ids.ts";

/** The chat the child sends to (a supergroup id, as the fake reads it). */
export const KILL_TEST_CHAT = -1001234567890;

/** The signal key an update row replies to. */
export function signalKeyOf(payload: unknown): string {
  const p = payload as { fill?: { tradeId: string }; id?: string };
  return `signal:${p.fill?.tradeId ?? p.id}`;
}

if (import.meta.main) {
  const [db, apiRoot] = Deno.args;
  const token = Deno.env.get("VELAS_TELEGRAM_TOKEN") ?? "";
  if (db === undefined || apiRoot === undefined || token === "") {
    throw new TypeError(
      "Cannot run as the database path, the API root and VELAS_TELEGRAM_TOKEN are required",
    );
  }
  const store = StateStore.open(db);
  const notifier = new TelegramNotifier({
    token,
    chatId: KILL_TEST_CHAT,
    apiRoot,
    clock: systemClock,
    language: "en",
    exchangeLine: "Binance Futures",
    messagesPerMinute: 100_000,
    signalsPerMinute: 100_000,
    timeoutMs: 2000,
    replyTo: (row) =>
      store.outboxRow(signalKeyOf(row.payload))?.messageId ?? undefined,
    sentIds: settingsSentIds(store),
  });
  const actor = new NotifierActor({
    store,
    notifier,
    clock: systemClock,
    backoff: { baseMs: 20, maxMs: 200 },
  });
  actor.start();
  await actor.whenIdle();
  await actor.stop();
  store.close();
  await Deno.stdout.write(new TextEncoder().encode("drained\n"));
}
