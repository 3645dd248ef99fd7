/**
 * The Telegram {@link Notifier} (grammY; DESIGN §2 Telegram, issue 8 items 2-3): one bot, one
 * target chat, every outgoing call paced per chat by one API transformer
 * (`data/telegram_pacer.ts`), each outbox row formatted by `data/telegram_dispatch.ts` and sent
 * as plain text. Updates reply to their signal's message when its id is known.
 *
 * Errors become {@link NotifierError}s the notifier actor acts on: 429 → retryable with exactly
 * `retry_after` (the message certainly did not arrive); 5xx, network errors and timeouts →
 * retryable, and the message may have arrived; other answers (400, 401, 403, ...) and rows that
 * cannot be formatted → not retryable.
 *
 * Exactly once across lost answers (kill -9 mid-request, a timeout after Telegram took the
 * message): Telegram has no idempotency key and a bot cannot read a chat, so the notifier
 * remembers the ids of the bot's recent messages in the chat (through `sentIds`, in SQLite) and
 * describes each attempt with the highest of them, or a higher id seen this run in the same
 * numbering (incoming messages; for a private chat or basic group, the bot's other such chats,
 * which Telegram numbers in one sequence) ({@link TelegramNotifier.inFlightRecord}). To check
 * an attempt whose answer was lost ({@link TelegramNotifier.probe}) it edits the next message ids
 * above that one, skipping the bot's known messages, to the very same text: Telegram answers
 * "message is not modified" only for the bot's own message with exactly that text (found: the
 * id is stored, nothing is sent again), "message to edit not found" or "message can't be edited"
 * for ids that are not it. Bots can edit only their own messages, except in a channel where the
 * bot has the right to edit others' posts: there the check could overwrite someone's post, so
 * it is not made and the row is sent again (the actor reports it once). The bot token
 * never appears in a message or log line built here: grammY's network errors may carry the
 * request URL, which holds the token, so every such text is redacted to `[token]`.
 *
 * @module
 */
import { redactToken } from "./redact.ts";
import { freshConnections } from "./telegram_connections.ts";
import {
  Bot,
  type BotConfig,
  type Context,
  GrammyError,
  HttpError,
  type Transformer,
} from "grammy";
import type { Clock } from "../core/clock.ts";
import {
  type Notifier,
  NotifierError,
  type NotifierSendOptions,
  type ProbeResult,
} from "../core/notifier.ts";
import type { InFlight, OutboxRow } from "../core/state_types.ts";
import type { Language } from "../core/telegram_format.ts";
import {
  type DispatchOptions,
  type MessageSwitches,
  type StopRule,
  textOf,
} from "./telegram_dispatch.ts";
import {
  ChatPacer,
  pacingTransformer,
  SIGNAL_MESSAGE,
} from "./telegram_pacer.ts";

/** The bot user grammY would fetch with `getMe`; given in tests so no `getMe` is needed. */
export type TelegramBotInfo = NonNullable<BotConfig<Context>["botInfo"]>;

type GrammySignal = Parameters<Bot["api"]["sendMessage"]>[3];

/** One structured log line of the notifier (already redacted). */
export interface TelegramLogLine {
  readonly level: "warn" | "error";
  readonly msg: string;
  readonly error: string;
}

/** Options of {@link TelegramNotifier}. */
export interface TelegramNotifierOptions {
  /** The bot token (from `VELAS_TELEGRAM_TOKEN`); never printed. */
  readonly token: string;
  /** The chat that receives the messages (config `telegram.chat_id`). */
  readonly chatId: number | string;
  /** Bot API root without a trailing slash (default `https://api.telegram.org`); tests use the fake. */
  readonly apiRoot?: string;
  /** Time for pacing. */
  readonly clock: Clock;
  /** Language of the update messages (config `telegram.language`). */
  readonly language: Language;
  /** The `Exchanges:` line of signals (config `telegram.exchange_line`). */
  readonly exchangeLine: string;
  /** Per-type switches (default all `on`). */
  readonly switches?: MessageSwitches;
  /** Messages per chat per minute (config `telegram.messages_per_minute`). */
  readonly messagesPerMinute: number;
  /** Signal messages per chat per minute (config `telegram.signals_per_minute`). */
  readonly signalsPerMinute: number;
  /** The bot user, to skip `getMe` (tests). */
  readonly botInfo?: TelegramBotInfo;
  /** Request timeout, ms (default 30 000); a timeout is retryable. */
  readonly timeoutMs?: number;
  /** The Telegram message id an update replies to (the signal's), when known. */
  readonly replyTo?: (row: OutboxRow) => number | undefined;
  /** The symbol's price tick, when exchange info knows it. */
  readonly tickSize?: (symbol: string) => number | undefined;
  /** The ladder's stop rule, to tell stop moves (default cascade). */
  readonly stopRule?: StopRule;
  /** Structured log for errors outside `send` (grammY's `bot.catch`). */
  readonly log?: (line: TelegramLogLine) => void;
  /** Where the ids of the bot's recent messages in the chat are kept across restarts (default: memory only). */
  readonly sentIds?: SentIdStore;
  /** How many message ids a probe checks above the last known one (default 10). */
  readonly probeWindow?: number;
}

/** One of the bot's recent messages in a chat: its id, and the digest of the text it sent. */
export interface SentMessageRef {
  readonly id: number;
  /** {@link textDigest} of the text sent; absent when not known (ids from the outbox). */
  readonly digest?: string;
}

/** Keeps the bot's recent messages per chat (the live daemon: SQLite settings). */
export interface SentIdStore {
  /** @returns The stored messages of `chat` (any order; empty when none). */
  load(chat: string): readonly SentMessageRef[];
  /** Replaces the stored messages of `chat`. */
  save(chat: string, refs: readonly SentMessageRef[]): void;
}

/**
 * A short digest of a message text (FNV-1a over its UTF-16 code units, 8 hex digits), to tell
 * the bot's own messages apart without storing their texts.
 *
 * @param text The text as sent.
 * @returns The digest.
 */
export function textDigest(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}

/**
 * True for chats numbered in the bot's one sequence (private chats and basic groups); false for
 * supergroups and channels (ids `-100…` or `@username`), which number per chat.
 */
function sharesNumbering(chat: string): boolean {
  return !chat.startsWith("-100") && !chat.startsWith("@");
}

/** How many of the bot's recent message ids per chat are kept. */
const KEPT_IDS = 64;

/** Edit answers that say "this id is not the message": missing, someone else's, not text. */
const NOT_IT =
  /message to edit not found|message can't be edited|MESSAGE_ID_INVALID|no text in the message/i;
const NOT_MODIFIED = /message is not modified/i;

const MAX_DESCRIPTION = 300;

/** Every message of an error and its `cause`/`error` chain, joined (not redacted). */
function messagesOf(error: unknown): string {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  for (let e: unknown = error; e !== undefined && !seen.has(e);) {
    seen.add(e);
    if (e instanceof Error) {
      parts.push(e.message);
      e = e instanceof HttpError ? e.error : e.cause;
    } else {
      parts.push(String(e));
      e = undefined;
    }
  }
  return parts.filter((p) => p !== "").join(": ").slice(0, MAX_DESCRIPTION);
}

/**
 * Maps an error of a grammY call to a {@link NotifierError}: 429 → retryable with
 * `retryAfterMs = retry_after × 1000`; 5xx, network errors and timeouts → retryable; other
 * Bot API errors → not retryable, with Telegram's description. The token is redacted from the
 * message, and the cause of a network error is replaced by a redacted copy.
 *
 * @param error What grammY threw.
 * @param token The bot token to keep out of the message.
 * @returns The error for the notifier actor.
 */
export function toNotifierError(error: unknown, token: string): NotifierError {
  if (error instanceof NotifierError) return error;
  if (error instanceof GrammyError) {
    const code = error.error_code;
    const said = redactToken(
      `${code} ${error.description}`.slice(0, MAX_DESCRIPTION),
      token,
    );
    if (code === 429) {
      const seconds = error.parameters.retry_after;
      const wait = typeof seconds === "number" && Number.isFinite(seconds) &&
          seconds >= 0
        ? { retryAfterMs: seconds * 1000 }
        : {};
      return new NotifierError(`Telegram asked to slow down: ${said}`, {
        retryable: true,
        mayHaveArrived: false,
        ...wait,
        cause: error,
      });
    }
    return new NotifierError(`Telegram refused the message: ${said}`, {
      retryable: code >= 500,
      cause: error,
    });
  }
  const text = redactToken(messagesOf(error), token);
  const cause = new Error(text);
  cause.name = error instanceof Error ? error.name : "Error";
  return new NotifierError(`Cannot reach Telegram: ${text}`, {
    retryable: true,
    cause,
  });
}

function checkPositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) {
    throw new RangeError(
      `Cannot create the Telegram notifier as '${name}' must be a positive integer: current value is ${value}`,
    );
  }
}

/** Sends outbox rows to one Telegram chat through grammY. */
export class TelegramNotifier implements Notifier {
  /** The bot; commands can be added to it, and its calls go through the same pacing. */
  readonly bot: Bot;
  /** The pacer of every outgoing call. */
  readonly pacer: ChatPacer;
  /**
   * Remembers the id of every message the bot posts in the chat. Installed on {@link bot}; any
   * other bot posting with the same token in that chat (the command bot's replies) must install
   * it too, so a check of a lost answer never takes one of those messages for its own.
   */
  readonly sentIdTransformer: Transformer;
  readonly #token: string;
  readonly #chatId: number | string;
  readonly #dispatch: DispatchOptions;
  readonly #replyTo: ((row: OutboxRow) => number | undefined) | undefined;
  readonly #log: ((line: TelegramLogLine) => void) | undefined;
  readonly #chatKey: string;
  readonly #sentIds: SentIdStore | undefined;
  readonly #probeWindow: number;
  /** The bot's recent messages in the chat, ascending by id (loaded on first use). */
  #recent: SentMessageRef[] | undefined;
  /**
   * The highest other message id seen in the signal chat's numbering (incoming messages, and
   * for a private chat or basic group, messages of the bot's other such chats), this run.
   */
  #seen: number | undefined;
  /** The message formatted by {@link inFlightRecord} for the `send` that follows it. */
  #prepared:
    | { readonly id: number; readonly message: ReturnType<typeof textOf> }
    | undefined;

  /**
   * @param options Token, chat, API root, clock, texts, switches, limits and lookups.
   * @throws {TypeError} When the token or the chat id is empty.
   * @throws {RangeError} When a limit or the timeout is not a positive integer.
   */
  constructor(options: TelegramNotifierOptions) {
    if (options.token.trim() === "") {
      throw new TypeError(
        "Cannot create the Telegram notifier as 'token' must be set: current value is empty",
      );
    }
    if (options.chatId === "") {
      throw new TypeError(
        "Cannot create the Telegram notifier as 'chatId' must be set: current value is empty",
      );
    }
    const timeoutMs = options.timeoutMs ?? 30_000;
    checkPositiveInteger("timeoutMs", timeoutMs);
    this.#probeWindow = options.probeWindow ?? 10;
    checkPositiveInteger("probeWindow", this.#probeWindow);
    this.#chatKey = String(options.chatId);
    this.#sentIds = options.sentIds;
    this.#token = options.token;
    this.#chatId = options.chatId;
    this.#replyTo = options.replyTo;
    this.#log = options.log;
    this.#dispatch = {
      language: options.language,
      exchangeLine: options.exchangeLine,
      ...(options.tickSize === undefined ? {} : { tickSize: options.tickSize }),
      ...(options.switches === undefined ? {} : { switches: options.switches }),
      ...(options.stopRule === undefined ? {} : { stopRule: options.stopRule }),
    };
    this.pacer = new ChatPacer(options.clock, {
      messagesPerMinute: options.messagesPerMinute,
      signalsPerMinute: options.signalsPerMinute,
    });
    this.bot = new Bot(options.token, {
      ...(options.botInfo === undefined ? {} : { botInfo: options.botInfo }),
      client: {
        ...(options.apiRoot === undefined ? {} : { apiRoot: options.apiRoot }),
        timeoutSeconds: timeoutMs / 1000,
        baseFetchConfig: freshConnections(options.apiRoot),
      },
    });
    this.sentIdTransformer = async (prev, method, payload, signal) => {
      const answer = await prev(method, payload, signal);
      if (!answer.ok) return answer;
      const result = answer.result as unknown;
      if (method === "getUpdates" && Array.isArray(result)) {
        for (const update of result) this.#sawIncoming(update);
        return answer;
      }
      const sent = payload as { chat_id?: unknown; text?: unknown } | undefined;
      const id = (result as { message_id?: unknown } | null)?.message_id;
      if (typeof id !== "number" || method === "editMessageText") return answer;
      if (String(sent?.chat_id) !== this.#chatKey) {
        this.#saw(String(sent?.chat_id), id);
      } else {
        this.#remember(
          id,
          typeof sent?.text === "string" ? sent.text : undefined,
        );
      }
      return answer;
    };
    this.bot.api.config.use(pacingTransformer(this.pacer));
    this.bot.api.config.use(this.sentIdTransformer);
    this.bot.catch((error) => {
      this.#emit({
        level: "error",
        msg: "telegram bot error",
        error: redactToken(messagesOf(error.error), this.#token),
      });
    });
  }

  /**
   * Formats and sends one row to the chat, replying to the signal's message for updates.
   *
   * @param row The outbox row.
   * @param options Abort signal (the actor stopping): rejects with its reason.
   * @returns Telegram's message id, or null when the row's switch is `off` (nothing sent).
   * @throws {NotifierError} Retryable for 429 (with `retryAfterMs`), 5xx, network errors and
   * timeouts; not retryable for other Telegram errors and rows that cannot be formatted.
   */
  async send(
    row: OutboxRow,
    options: NotifierSendOptions = {},
  ): Promise<{ readonly messageId: number | null }> {
    const prepared = this.#prepared;
    this.#prepared = undefined;
    const message = prepared?.id === row.id
      ? prepared.message
      : this.#format(row);
    if (message === undefined) return { messageId: null };
    const replyTo = row.kind === "signal" ? undefined : this.#replyTo?.(row);
    const other = {
      ...(message.silent ? { disable_notification: true } : {}),
      ...(replyTo === undefined ? {} : {
        reply_parameters: {
          message_id: replyTo,
          allow_sending_without_reply: true,
        },
      }),
      [SIGNAL_MESSAGE]: row.kind === "signal",
    };
    const { signal } = options;
    try {
      const sent = await this.bot.api.sendMessage(
        this.#chatId,
        message.text,
        other,
        // grammY types the signal with its Node shim; at run time it takes a standard one.
        signal as unknown as GrammySignal,
      );
      return { messageId: sent.message_id };
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw toNotifierError(error, this.#token);
    }
  }

  /**
   * Describes the attempt about to send `row`: this chat, the highest message id known to come
   * before it (the bot's messages in the chat, and this run's other messages in the same
   * numbering; omitted when none is known yet) and the exact text; the `send` that follows sends
   * that text.
   *
   * @param row The row about to be sent.
   * @param now The time, epoch ms.
   * @returns The record the actor stores on the row while the request is out.
   */
  inFlightRecord(row: OutboxRow, now: number): InFlight {
    const known = this.#recentIds().at(-1)?.id;
    const last = known === undefined || this.#seen === undefined
      ? known ?? this.#seen
      : Math.max(known, this.#seen);
    let text: string | undefined;
    try {
      const message = this.#format(row);
      text = message?.text;
      this.#prepared = { id: row.id, message };
    } catch {
      // `send` formats again and reports the error.
      this.#prepared = undefined;
    }
    return {
      since: now,
      chat: this.#chatKey,
      ...(last === undefined ? {} : { after: last }),
      ...(text === undefined ? {} : { text }),
    };
  }

  /**
   * Checks whether an unconfirmed attempt reached the chat (see the module doc): edits the next
   * `probeWindow` unknown ids above `inFlight.after` to the row's own text and stops at
   * "message is not modified".
   *
   * @param row The row whose attempt was not confirmed.
   * @param inFlight The stored record of that attempt.
   * @param options Abort signal (the actor stopping).
   * @returns Delivered with its id; absent (also for a row switched off, or an attempt that went
   * to another chat under an earlier config); unknown when no message id was known then or the
   * bot may edit others' posts in this channel.
   * @throws {NotifierError} As {@link toNotifierError} for Telegram errors other than 400 (a 400
   * the check does not know makes the result unknown, so the row is sent, not given up).
   */
  async probe(
    row: OutboxRow,
    inFlight: InFlight,
    options: NotifierSendOptions = {},
  ): Promise<ProbeResult> {
    if (inFlight.chat !== this.#chatKey) return { type: "absent" };
    // The text as sent: the config (language, switches) or the tick sizes known may differ now.
    const text = inFlight.text ?? this.#format(row)?.text;
    if (text === undefined) return { type: "absent" };
    // Telegram's answer came and was remembered, but the row was never marked sent: a message
    // of the bot with this text that came after the attempt began is this one.
    const digest = textDigest(text);
    const answered = this.#recentIds().find((m) =>
      m.id > (inFlight.after ?? -Infinity) && m.digest === digest
    );
    if (answered !== undefined) {
      return { type: "delivered", messageId: answered.id };
    }
    if (inFlight.after === undefined) {
      return {
        type: "unknown",
        reason:
          `no message id of the bot in chat ${this.#chatKey} was known when it was sent`,
      };
    }
    const { signal } = options;
    const grammySignal = signal as unknown as GrammySignal;
    try {
      const unsafe = await this.#editsOthers(grammySignal);
      if (unsafe !== undefined) return { type: "unknown", reason: unsafe };
      const known = new Set(this.#recentIds().map((m) => m.id));
      for (let id = inFlight.after + 1, n = 0; n < this.#probeWindow; id++) {
        if (known.has(id)) continue;
        n++;
        try {
          await this.bot.api.editMessageText(
            this.#chatId,
            id,
            text,
            undefined,
            grammySignal,
          );
        } catch (error) {
          if (error instanceof GrammyError && error.error_code === 400) {
            if (NOT_MODIFIED.test(error.description)) {
              this.#remember(id, text);
              return { type: "delivered", messageId: id };
            }
            if (NOT_IT.test(error.description)) continue;
            // An answer this check does not know: never give the row up on it.
            return {
              type: "unknown",
              reason: `Telegram answered the check with '${
                redactToken(error.description, this.#token).slice(0, 200)
              }'`,
            };
          }
          throw error;
        }
        this.#emit({
          level: "error",
          msg: "telegram probe changed a message",
          error:
            `Checking outbox row ${row.id} (${row.kind} ${row.key}) changed message ${id} in chat ${this.#chatKey} to its text: a message of this bot that VELAS did not know (another process with the same token?); the row is sent again`,
        });
        this.#remember(id, text);
        return { type: "absent" };
      }
      return { type: "absent" };
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw toNotifierError(error, this.#token);
    }
  }

  /**
   * Why an attempt whose answer was lost cannot be checked in this chat: a channel where the bot
   * may edit other people's posts (checked at start by the live daemon, to warn early).
   *
   * @param signal Optional abort signal.
   * @returns The reason, or undefined when checks are safe.
   * @throws {NotifierError} When Telegram cannot be asked (see {@link toNotifierError}).
   */
  async uncheckableReason(signal?: AbortSignal): Promise<string | undefined> {
    try {
      return await this.#editsOthers(signal as unknown as GrammySignal);
    } catch (error) {
      throw toNotifierError(error, this.#token);
    }
  }

  /** Why checking by editing is unsafe in this chat (a channel where the bot edits others' posts), or undefined. */
  async #editsOthers(signal: GrammySignal): Promise<string | undefined> {
    const chat = await this.bot.api.getChat(this.#chatId, signal);
    if (chat.type !== "channel") return undefined;
    if (!this.bot.isInited()) await this.bot.init(signal);
    const me = await this.bot.api.getChatMember(
      this.#chatId,
      this.bot.botInfo.id,
      signal,
    );
    const edits = me.status === "creator" ||
      (me.status === "administrator" && me.can_edit_messages === true);
    return edits
      ? `the bot may edit other people's posts in channel ${this.#chatKey} (its admin right "Edit messages of others"), so it is not checked by editing; give the bot only "Post messages"`
      : undefined;
  }

  /**
   * Notes a message id seen in `chat` (sent by the bot elsewhere, or received): when it is
   * numbered in the same sequence as the signal chat, the message the next attempt sends will
   * have a higher id.
   */
  #saw(chat: string, id: number): void {
    const same = chat === this.#chatKey ||
      (sharesNumbering(chat) && sharesNumbering(this.#chatKey));
    if (same && id > (this.#seen ?? -Infinity)) this.#seen = id;
  }

  /** Notes the message of an update from `getUpdates` (see {@link #saw}). */
  #sawIncoming(update: unknown): void {
    const message = (update as { message?: unknown } | null)?.message as
      | { message_id?: unknown; chat?: { id?: unknown } }
      | undefined;
    const id = message?.message_id;
    const chat = message?.chat?.id;
    if (typeof id === "number" && chat !== undefined) {
      this.#saw(String(chat), id);
    }
  }

  /** The bot's recent messages in the chat, ascending by id. */
  #recentIds(): SentMessageRef[] {
    if (this.#recent === undefined) {
      let stored: readonly SentMessageRef[] = [];
      try {
        stored = this.#sentIds?.load(this.#chatKey) ?? [];
      } catch (error) {
        this.#emit({
          level: "warn",
          msg: "telegram cannot load the recent message ids",
          error: redactToken(messagesOf(error), this.#token),
        });
      }
      const byId = new Map(stored.map((m) => [m.id, m]));
      this.#recent = [...byId.values()].sort((a, b) => a.id - b.id)
        .slice(-KEPT_IDS);
    }
    return this.#recent;
  }

  /** Adds a message of the bot in the chat (with the text sent) to the recent ones, and stores them. */
  #remember(id: number, text: string | undefined): void {
    const refs = this.#recentIds();
    if (refs.some((m) => m.id === id)) return;
    refs.push(text === undefined ? { id } : { id, digest: textDigest(text) });
    refs.sort((a, b) => a.id - b.id);
    if (refs.length > KEPT_IDS) refs.splice(0, refs.length - KEPT_IDS);
    try {
      this.#sentIds?.save(this.#chatKey, refs);
    } catch (error) {
      this.#emit({
        level: "warn",
        msg: "telegram cannot store the recent message ids",
        error: redactToken(messagesOf(error), this.#token),
      });
    }
  }

  #format(row: OutboxRow): ReturnType<typeof textOf> {
    try {
      return textOf(row, this.#dispatch);
    } catch (error) {
      const why = redactToken(messagesOf(error), this.#token);
      throw new NotifierError(
        `Cannot send outbox row ${row.id} (${row.kind} ${row.key}) as it cannot be formatted: ${why}`,
        { retryable: false, cause: error },
      );
    }
  }

  #emit(line: TelegramLogLine): void {
    try {
      this.#log?.(line);
    } catch {
      // A broken log must not break the bot.
    }
  }
}

export { redactToken };
