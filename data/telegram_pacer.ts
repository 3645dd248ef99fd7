/**
 * Per-chat pacing of Telegram messages (DESIGN §2 Telegram: at most 20 messages a minute per chat,
 * at most 7 signal messages a minute for Cornix), as a sliding window on an injected `Clock`, and
 * the grammY API transformer that applies it to every outgoing call (STYLE "Telegram specifics").
 *
 * A slot is taken when a message is released and stamped again when its request completes, so a
 * message counts in the window from its release until one window after its answer: whenever
 * Telegram received it, no window of Telegram's receive times holds more than the limit. A slot
 * whose request is still in flight counts as in the window; a waiter that needs it to expire
 * waits for its answer first. Waiters of one chat are served in arrival order.
 *
 * @module
 */
import type { Transformer } from "grammy";
import type { Clock } from "../core/clock.ts";

/** Marks a `sendMessage` payload as a new signal (counts against the signal budget). */
export const SIGNAL_MESSAGE: unique symbol = Symbol("velas.signalMessage");

/** Limits of {@link ChatPacer}. */
export interface PacerLimits {
  /** Messages per chat per window (config `telegram.messages_per_minute`). */
  readonly messagesPerMinute: number;
  /** Signal messages per chat per window (config `telegram.signals_per_minute`). */
  readonly signalsPerMinute: number;
  /** The window, ms (default 60 000). */
  readonly windowMs?: number;
}

/** A granted slot; call {@link PacerPermit.done} when the request has completed (either way). */
export interface PacerPermit {
  /** Stamps the slot with the completion time. Idempotent. */
  done(): void;
}

interface Slot {
  /** Release time, then completion time once done. */
  time: number;
  pending: boolean;
  readonly finished: PromiseWithResolvers<void>;
}

interface ChatState {
  all: Slot[];
  signals: Slot[];
  /** Resolves when the previous waiter of this chat has been served or gave up. */
  tail: Promise<void>;
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) {
    throw new RangeError(
      `Cannot create the Telegram pacer as '${name}' must be a positive integer: current value is ${value}`,
    );
  }
  return value;
}

/** Settles like `promise`, or rejects with the signal's reason when it is aborted first. */
function untilAborted<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() =>
      signal.removeEventListener("abort", onAbort)
    );
  });
}

/** What a waiter must do before a budget has room: nothing, sleep, or await an answer. */
type Need =
  | { readonly type: "go" }
  | { readonly type: "sleep"; readonly ms: number }
  | { readonly type: "answer"; readonly slot: Slot };

/** Sliding-window pacer per chat: all messages, and signal messages. */
export class ChatPacer {
  readonly #clock: Clock;
  readonly #max: number;
  readonly #maxSignals: number;
  readonly #windowMs: number;
  readonly #chats = new Map<string, ChatState>();

  /**
   * @param clock Time for the window and the waits.
   * @param limits Messages and signal messages per window.
   * @throws {RangeError} When a limit or the window is not a positive integer.
   */
  constructor(clock: Clock, limits: PacerLimits) {
    this.#clock = clock;
    this.#max = positiveInteger("messagesPerMinute", limits.messagesPerMinute);
    this.#maxSignals = positiveInteger(
      "signalsPerMinute",
      limits.signalsPerMinute,
    );
    this.#windowMs = positiveInteger("windowMs", limits.windowMs ?? 60_000);
  }

  /**
   * Waits until one more message (a signal when `isSignal`) fits the chat's windows, then takes
   * the slot.
   *
   * @param chatId The chat.
   * @param isSignal Whether the message is a new signal.
   * @param signal Aborting it gives up the wait (rejects with its reason; no slot is taken).
   * @returns The permit: call `done()` when the request completes.
   */
  async wait(
    chatId: number | string,
    isSignal: boolean,
    signal?: AbortSignal,
  ): Promise<PacerPermit> {
    const chat = this.#chat(String(chatId));
    const previous = chat.tail;
    const mine = Promise.withResolvers<void>();
    chat.tail = mine.promise;
    try {
      await untilAborted(previous, signal);
      for (;;) {
        const need = this.#need(chat, isSignal);
        if (need.type === "go") return this.#take(chat, isSignal);
        if (need.type === "sleep") await this.#clock.sleep(need.ms, signal);
        else await untilAborted(need.slot.finished.promise, signal);
      }
    } finally {
      // Let the next waiter in only after the previous one is done, even when this one gave up.
      previous.then(() => mine.resolve());
    }
  }

  /**
   * How long a message released now would wait, ignoring queued waiters; `Infinity` while it
   * waits for a request in flight.
   *
   * @param chatId The chat.
   * @param isSignal Whether the message is a new signal.
   * @returns Milliseconds.
   */
  delayMs(chatId: number | string, isSignal: boolean): number {
    const need = this.#need(this.#chat(String(chatId)), isSignal);
    return need.type === "go" ? 0 : need.type === "sleep" ? need.ms : Infinity;
  }

  #chat(key: string): ChatState {
    let chat = this.#chats.get(key);
    if (chat === undefined) {
      chat = { all: [], signals: [], tail: Promise.resolve() };
      this.#chats.set(key, chat);
    }
    return chat;
  }

  #need(chat: ChatState, isSignal: boolean): Need {
    const now = this.#clock.now();
    const start = now - this.#windowMs;
    const live = (slot: Slot) => slot.pending || slot.time > start;
    chat.all = chat.all.filter(live);
    chat.signals = chat.signals.filter(live);
    const needs = [this.#needOf(chat.all, this.#max, now)];
    if (isSignal) needs.push(this.#needOf(chat.signals, this.#maxSignals, now));
    const answer = needs.find((n) => n.type === "answer");
    if (answer !== undefined) return answer;
    const ms = Math.max(...needs.map((n) => n.type === "sleep" ? n.ms : 0));
    return ms > 0 ? { type: "sleep", ms } : { type: "go" };
  }

  /** For one budget: the slot whose expiry makes room, and when. */
  #needOf(slots: readonly Slot[], max: number, now: number): Need {
    if (slots.length < max) return { type: "go" };
    const byExpiry = [...slots].sort((a, b) =>
      (a.pending ? Infinity : a.time) - (b.pending ? Infinity : b.time)
    );
    const slot = byExpiry[slots.length - max]!;
    if (slot.pending) return { type: "answer", slot };
    return { type: "sleep", ms: Math.max(1, slot.time + this.#windowMs - now) };
  }

  #take(chat: ChatState, isSignal: boolean): PacerPermit {
    const slot: Slot = {
      time: this.#clock.now(),
      pending: true,
      finished: Promise.withResolvers<void>(),
    };
    chat.all.push(slot);
    if (isSignal) chat.signals.push(slot);
    return {
      done: () => {
        if (!slot.pending) return;
        slot.time = Math.max(slot.time, this.#clock.now());
        slot.pending = false;
        slot.finished.resolve();
      },
    };
  }
}

/** Methods that post a message into a chat (and so count against its limits). */
const POSTS = /^(send(?!ChatAction$)|forwardMessage|copyMessage)/;

/**
 * The grammY API transformer that paces every outgoing call: calls that post a message to a chat
 * (`send*` but `sendChatAction`, `forwardMessage(s)`, `copyMessage(s)`) wait for a slot of their
 * `chat_id`; a payload marked with {@link SIGNAL_MESSAGE} also takes a signal slot. Other calls
 * pass straight through. Install it with `bot.api.config.use(...)`.
 *
 * @param pacer The pacer.
 * @returns The transformer.
 */
export function pacingTransformer(pacer: ChatPacer): Transformer {
  return async (prev, method, payload, signal) => {
    const fields = payload as
      | { readonly chat_id?: unknown; readonly [SIGNAL_MESSAGE]?: unknown }
      | undefined;
    const chatId = fields?.chat_id;
    if (
      !POSTS.test(method) ||
      (typeof chatId !== "number" && typeof chatId !== "string")
    ) {
      return await prev(method, payload, signal);
    }
    const isSignal = fields?.[SIGNAL_MESSAGE] === true;
    // grammY types the signal with its Node shim; at run time it is the caller's AbortSignal.
    const abort = signal as unknown as AbortSignal | undefined;
    const permit = await pacer.wait(chatId, isSignal, abort);
    try {
      return await prev(method, payload, signal);
    } finally {
      permit.done();
    }
  };
}
