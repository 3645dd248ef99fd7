/**
 * The Telegram {@link Notifier} (grammY; DESIGN §2 Telegram, issue 8 items 2-3): one bot, one
 * target chat, every outgoing call paced per chat by one API transformer
 * (`data/telegram_pacer.ts`), each outbox row formatted by `data/telegram_dispatch.ts` and sent
 * as plain text. Updates reply to their signal's message when its id is known.
 *
 * Errors become {@link NotifierError}s the notifier actor acts on: 429 → retryable with exactly
 * `retry_after`; 5xx, network errors and timeouts → retryable (the actor backs off); other
 * answers (400, 401, 403, ...) and rows that cannot be formatted → not retryable. The bot token
 * never appears in a message or log line built here: grammY's network errors may carry the
 * request URL, which holds the token, so every such text is redacted to `[token]`.
 *
 * @module
 */
import { redactToken } from "./redact.ts";
import {
  Bot,
  type BotConfig,
  type Context,
  GrammyError,
  HttpError,
} from "grammy";
import type { Clock } from "../core/clock.ts";
import {
  type Notifier,
  NotifierError,
  type NotifierSendOptions,
} from "../core/notifier.ts";
import type { OutboxRow } from "../core/state_types.ts";
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
}

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
  readonly #token: string;
  readonly #chatId: number | string;
  readonly #dispatch: DispatchOptions;
  readonly #replyTo: ((row: OutboxRow) => number | undefined) | undefined;
  readonly #log: ((line: TelegramLogLine) => void) | undefined;

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
      },
    });
    this.bot.api.config.use(pacingTransformer(this.pacer));
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
    const message = this.#format(row);
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
