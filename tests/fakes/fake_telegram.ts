/**
 * A fake Telegram Bot API server on 127.0.0.1 for tests. It speaks the real wire format
 * (`GET|POST {apiRoot}/bot{TOKEN}/{method}` with query, JSON, form or multipart parameters,
 * answering `{"ok":true,"result":...}` or `{"ok":false,"error_code":N,"description":...}`), so
 * grammY's `Bot` works against it with `client: { apiRoot }`.
 *
 * It implements `getMe`, `sendMessage`, `getUpdates` (long polling, capped), `setMyCommands`,
 * `getMyCommands`, `deleteWebhook` and `getChat`. It records every accepted message with a per-chat
 * message id and the server wall-clock receive time, and every request with its outcome, so tests
 * can assert exactly-once delivery, order per chat and pacing. Faults are injected per method
 * (optionally per chat): error answers (429 with `retry_after`, 5xx, 400, 403), held requests
 * and dropped connections. In rate-limit mode the server itself answers 429 to a client that
 * sends too fast, with the `retry_after` that makes the next attempt pass.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";

/** A chat id as the Bot API takes it: a number, or `@username` for public chats. */
export type ChatId = number | string;

/** Options of {@link startFakeTelegram}. */
export interface FakeTelegramOptions {
  /** The only token the server accepts; any other gets 401 Unauthorized. */
  readonly token: string;
  /** Upper bound on how long a `getUpdates` long poll is held, ms (default 1000). */
  readonly pollCapMs?: number;
  /** Wall clock for receive times and rate limits, epoch ms (default `Date.now`). */
  readonly now?: () => number;
}

/** A message the server accepted from `sendMessage`. */
export interface SentMessage {
  readonly chatId: ChatId;
  /** Incrementing per chat, shared with the messages of pushed updates, as in Telegram. */
  readonly messageId: number;
  readonly text: string;
  /** Every other parameter (`parse_mode`, `disable_notification`, `reply_parameters`, ...). */
  readonly options: Readonly<Record<string, unknown>>;
  /** Server wall-clock time the message was accepted, epoch ms. */
  readonly receivedAt: number;
}

/** One request the server received, whatever became of it. */
export interface RecordedRequest {
  /** The method name as requested (case preserved). */
  readonly method: string;
  readonly chatId?: ChatId;
  readonly receivedAt: number;
  /** The HTTP status answered, `"pending"` until then, `"dropped"` if never answered. */
  readonly outcome: number | "pending" | "dropped";
}

/** Answer with a Bot API error. The description defaults by status (see {@link FakeTelegram.fail}). */
export interface ErrorFault {
  readonly kind?: "error";
  readonly status: number;
  readonly description?: string;
  /** Sent as `parameters.retry_after`, seconds (429 defaults to 1). */
  readonly retryAfter?: number;
}

/** Hold the request without answering, for `holdMs` or until the client or server closes. */
export interface TimeoutFault {
  readonly kind: "timeout";
  /** After this long, answer normally if the client is still there (default: hold forever). */
  readonly holdMs?: number;
  /** Execute the call on arrival (the message is delivered), then hold the answer. */
  readonly deliver?: boolean;
}

/** Close the connection without any answer. */
export interface DropFault {
  readonly kind: "drop";
  /** Execute the call first (delivered, never confirmed). */
  readonly deliver?: boolean;
}

/** A fault to inject with {@link FakeTelegram.fail}. */
export type Fault = ErrorFault | TimeoutFault | DropFault;

/** When an injected fault applies. */
export interface FailOptions {
  /** How many matching requests it hits (default 1; `Infinity` for all). */
  readonly times?: number;
  /** Hit only requests for this `chat_id`. */
  readonly chatId?: ChatId;
}

/** Limits the server enforces with 429 answers in rate-limit mode (accepted messages count). */
export interface RateLimits {
  readonly perChatPerMinute?: number;
  readonly perChatPerSecond?: number;
  readonly globalPerSecond?: number;
}

/** The bot user `getMe` returns; pass it as grammY's `botInfo` to skip `getMe`. */
export interface FakeBotInfo {
  readonly id: number;
  readonly is_bot: true;
  readonly first_name: string;
  readonly username: string;
  readonly can_join_groups: boolean;
  readonly can_read_all_group_messages: boolean;
  readonly supports_inline_queries: boolean;
  readonly can_connect_to_business: boolean;
  readonly has_main_web_app: boolean;
  readonly has_topics_enabled: boolean;
  readonly allows_users_to_create_topics: boolean;
  readonly can_manage_bots: boolean;
  readonly supports_join_request_queries: boolean;
}

/** Options of {@link FakeTelegram.pushUpdate}. */
export interface PushUpdateOptions {
  /** The sender's user id (default: the chat id for private chats, else 1). */
  readonly fromId?: number;
}

/** A `message` update as `getUpdates` returns it. */
export interface FakeUpdate {
  readonly update_id: number;
  readonly message: Readonly<Record<string, unknown>> & {
    readonly message_id: number;
  };
}

/** A running fake; see the module doc. */
export interface FakeTelegram extends AsyncDisposable {
  /** Pass as grammY's `client.apiRoot` (no trailing slash). */
  readonly apiRoot: string;
  readonly token: string;
  readonly botInfo: FakeBotInfo;
  /** Accepted messages in acceptance order (live view). */
  readonly messages: readonly SentMessage[];
  /** Every request in arrival order (live view). */
  readonly requests: readonly RecordedRequest[];
  /** The commands last set with `setMyCommands`. */
  readonly commands: readonly unknown[];
  /** Queues a text `message` update (with a `bot_command` entity for a leading `/command`). */
  pushUpdate(
    chatId: number,
    text: string,
    options?: PushUpdateOptions,
  ): FakeUpdate;
  /**
   * Injects a fault for `method` (case-insensitive, `"*"` for any). Faults are used in the order
   * given. Default descriptions: 400 `Bad Request: chat not found`, 403 `Forbidden: bot was
   * blocked by the user`, 429 `Too Many Requests: retry after N`, 5xx `Internal Server Error`.
   */
  fail(method: string, fault: Fault, options?: FailOptions): void;
  /** Enforces `limits` from now on; `null` turns rate-limit mode off. */
  rateLimit(limits: RateLimits | null): void;
  /** Forgets messages, requests, updates, faults, limits and commands. */
  reset(): void;
  /** Stops listening and cuts every open connection, held ones included. */
  close(): Promise<void>;
}

type Params = Record<string, unknown>;
type Reply =
  | { readonly ok: true; readonly result: unknown }
  | {
    readonly ok: false;
    readonly status: number;
    readonly description: string;
    readonly retryAfter?: number;
  };
type Wake = "update" | "conflict" | "timeout" | "gone";

interface ChatState {
  nextId: number;
  readonly known: Set<number>;
  readonly sentAt: number[];
}
interface ArmedFault {
  readonly method: string;
  readonly fault: Fault;
  readonly chatKey: string | undefined;
  remaining: number;
}
interface MutableRequest {
  method: string;
  chatId?: ChatId;
  receivedAt: number;
  outcome: number | "pending" | "dropped";
}

const METHODS = [
  "getMe",
  "sendMessage",
  "getUpdates",
  "setMyCommands",
  "getMyCommands",
  "deleteWebhook",
  "getChat",
] as const;
type MethodName = typeof METHODS[number];
const BY_LOWER = new Map<string, MethodName>(
  METHODS.map((name) => [name.toLowerCase(), name]),
);
const CONFLICT =
  "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running";
const INT_OPTIONS = new Set(["reply_to_message_id", "message_thread_id"]);
const BOOL_OPTIONS = new Set([
  "disable_notification",
  "protect_content",
  "allow_sending_without_reply",
  "disable_web_page_preview",
]);
const JSON_OPTIONS = new Set([
  "reply_parameters",
  "link_preview_options",
  "reply_markup",
  "entities",
]);

function ok(result: unknown): Reply {
  return { ok: true, result };
}

function error(status: number, description: string): Reply {
  return { ok: false, status, description };
}

function faultReply(fault: ErrorFault): Reply {
  const retryAfter = fault.retryAfter ?? (fault.status === 429 ? 1 : undefined);
  const description = fault.description ??
    defaultDescription(fault.status, retryAfter);
  return retryAfter === undefined
    ? error(fault.status, description)
    : { ok: false, status: fault.status, description, retryAfter };
}

function defaultDescription(status: number, retryAfter = 1): string {
  if (status === 400) return "Bad Request: chat not found";
  if (status === 401) return "Unauthorized";
  if (status === 403) return "Forbidden: bot was blocked by the user";
  if (status === 404) return "Not Found";
  if (status === 409) return CONFLICT;
  if (status === 429) return `Too Many Requests: retry after ${retryAfter}`;
  if (status === 502) return "Bad Gateway";
  return status >= 500 ? "Internal Server Error" : "Bad Request";
}

function intOf(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (typeof value === "string" && /^-?\d+$/.test(value.trim())) {
    return Number(value);
  }
  return undefined;
}

function boolOf(value: unknown): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (value === "true" || value === "1") return true;
  if (value === "false" || value === "0") return false;
  return undefined;
}

function jsonOf(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function chatIdOf(value: unknown): ChatId | undefined {
  const id = intOf(value);
  if (id !== undefined) return id;
  return typeof value === "string" && value.startsWith("@") ? value : undefined;
}

function optionsOf(params: Params): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    if (key === "chat_id" || key === "text") continue;
    if (INT_OPTIONS.has(key)) options[key] = intOf(value) ?? value;
    else if (BOOL_OPTIONS.has(key)) options[key] = boolOf(value) ?? value;
    else if (JSON_OPTIONS.has(key)) options[key] = jsonOf(value);
    else options[key] = value;
  }
  return options;
}

function chatObject(chatId: ChatId): Record<string, unknown> {
  if (typeof chatId === "string") {
    return {
      id: chatId,
      type: "channel",
      title: chatId,
      username: chatId.slice(1),
    };
  }
  if (chatId > 0) return { id: chatId, type: "private", first_name: "Tester" };
  const type = chatId < -1e12 ? "supergroup" : "group";
  return { id: chatId, type, title: `Chat ${chatId}` };
}

/** Milliseconds until one more message fits `max` per `windowMs`; 0 when it fits now. */
function waitMs(
  times: readonly number[],
  max: number | undefined,
  windowMs: number,
  now: number,
) {
  if (max === undefined) return 0;
  let inWindow = 0;
  for (let i = times.length - 1; i >= 0 && times[i]! > now - windowMs; i--) {
    inWindow++;
  }
  return inWindow < max ? 0 : times[times.length - max]! + windowMs - now;
}

function checkCount(
  name: string,
  value: number | undefined,
  allowInfinity = false,
): void {
  if (value === undefined || (allowInfinity && value === Infinity)) return;
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(
      `Cannot configure the fake Telegram as '${name}' must be a positive integer: current value is ${value}`,
    );
  }
}

async function readParams(req: IncomingMessage): Promise<Params> {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const params: Params = Object.fromEntries(url.searchParams);
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const contentType = req.headers["content-type"] ?? "";
  const type = contentType.split(";")[0]!.trim().toLowerCase();
  const text = body.toString("utf8");
  if (text.trim() === "") return params;
  if (type === "application/json") {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new SyntaxError(
        "Cannot read the request as the JSON body must be an object",
      );
    }
    Object.assign(params, value);
  } else if (type === "application/x-www-form-urlencoded") {
    Object.assign(params, Object.fromEntries(new URLSearchParams(text)));
  } else if (type === "multipart/form-data") {
    const headers = { "content-type": contentType };
    const form = await new Response(body, { headers }).formData();
    for (const [key, value] of form) {
      if (typeof value === "string") params[key] = value;
    }
  }
  return params;
}

class Fake implements FakeTelegram {
  readonly apiRoot: string;
  readonly token: string;
  readonly botInfo: FakeBotInfo;
  readonly #server: Server;
  readonly #now: () => number;
  readonly #pollCapMs: number;
  readonly #closing = Promise.withResolvers<Wake>();
  #closed = false;
  #messages: SentMessage[] = [];
  #requests: MutableRequest[] = [];
  #commands: unknown[] = [];
  #chats = new Map<string, ChatState>();
  #globalSentAt: number[] = [];
  #faults: ArmedFault[] = [];
  #limits: RateLimits | null = null;
  #updates: FakeUpdate[] = [];
  #nextUpdateId = 1;
  #allowedUpdates: readonly string[] = [];
  #poller: ((why: Wake) => void) | undefined;

  constructor(server: Server, port: number, options: FakeTelegramOptions) {
    this.#server = server;
    this.#now = options.now ?? Date.now;
    this.#pollCapMs = options.pollCapMs ?? 1000;
    this.apiRoot = `http://127.0.0.1:${port}`;
    this.token = options.token;
    this.botInfo = {
      id: Number(/^(\d+):/.exec(options.token)?.[1] ?? 1),
      is_bot: true,
      first_name: "VELAS Test",
      username: "velas_test_bot",
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
      has_topics_enabled: false,
      allows_users_to_create_topics: false,
      can_manage_bots: false,
      supports_join_request_queries: false,
    };
    server.on("request", (req, res) => {
      this.#serve(req, res).catch(() => res.destroy());
    });
  }

  get messages(): readonly SentMessage[] {
    return this.#messages;
  }

  get requests(): readonly RecordedRequest[] {
    return this.#requests;
  }

  get commands(): readonly unknown[] {
    return this.#commands;
  }

  pushUpdate(
    chatId: number,
    text: string,
    options: PushUpdateOptions = {},
  ): FakeUpdate {
    const chat = this.#chat(chatId);
    const messageId = chat.nextId++;
    chat.known.add(messageId);
    const command = /^\/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?/.exec(text);
    const message = {
      message_id: messageId,
      date: Math.floor(this.#now() / 1000),
      chat: chatObject(chatId),
      from: {
        id: options.fromId ?? (chatId > 0 ? chatId : 1),
        is_bot: false,
        first_name: "Tester",
      },
      text,
      ...(command
        ? {
          entities: [{
            type: "bot_command",
            offset: 0,
            length: command[0].length,
          }],
        }
        : {}),
    };
    const update = { update_id: this.#nextUpdateId++, message };
    this.#updates.push(update);
    this.#poller?.("update");
    return update;
  }

  fail(method: string, fault: Fault, options: FailOptions = {}): void {
    checkCount("times", options.times, true);
    if (fault.kind === undefined || fault.kind === "error") {
      if (
        !Number.isInteger(fault.status) || fault.status < 400 ||
        fault.status > 599
      ) {
        throw new RangeError(
          `Cannot inject a fault as 'status' must be an integer from 400 to 599: current value is ${fault.status}`,
        );
      }
    }
    this.#faults.push({
      method: method === "*" ? "*" : method.toLowerCase(),
      fault,
      chatKey: options.chatId === undefined
        ? undefined
        : String(options.chatId),
      remaining: options.times ?? 1,
    });
  }

  rateLimit(limits: RateLimits | null): void {
    checkCount("perChatPerMinute", limits?.perChatPerMinute);
    checkCount("perChatPerSecond", limits?.perChatPerSecond);
    checkCount("globalPerSecond", limits?.globalPerSecond);
    this.#limits = limits;
  }

  reset(): void {
    this.#messages = [];
    this.#requests = [];
    this.#commands = [];
    this.#chats.clear();
    this.#globalSentAt = [];
    this.#faults = [];
    this.#limits = null;
    this.#updates = [];
    this.#nextUpdateId = 1;
    this.#allowedUpdates = [];
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#closing.resolve("gone");
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const gone = new Promise<Wake>((resolve) =>
      res.on("close", () => resolve("gone"))
    );
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const match = /^\/bot([^/]+)\/([^/]+)$/.exec(url.pathname);
    const record: MutableRequest = {
      method: match ? decodeURIComponent(match[2]!) : "",
      receivedAt: this.#now(),
      outcome: "pending",
    };
    this.#requests.push(record);
    let params: Params;
    try {
      params = await readParams(req);
    } catch {
      return this.#answer(
        res,
        record,
        error(400, "Bad Request: can't parse request body"),
      );
    }
    const chatId = chatIdOf(params.chat_id);
    if (chatId !== undefined) record.chatId = chatId;
    if (!match || (req.method !== "GET" && req.method !== "POST")) {
      return this.#answer(res, record, error(404, "Not Found"));
    }
    if (decodeURIComponent(match[1]!) !== this.token) {
      return this.#answer(res, record, error(401, "Unauthorized"));
    }
    const method = BY_LOWER.get(record.method.toLowerCase());
    if (method === undefined) {
      return this.#answer(res, record, error(404, "Not Found"));
    }
    const fault = this.#takeFault(method, chatId);
    const run = () => this.#call(method, params, gone);
    if (fault?.kind === "drop") {
      if (fault.deliver) await run();
      return this.#drop(res, record);
    }
    if (fault?.kind === "timeout") {
      const early = fault.deliver ? await run() : undefined;
      const timer = Promise.withResolvers<Wake>();
      const handle = fault.holdMs === undefined
        ? undefined
        : setTimeout(() => timer.resolve("timeout"), fault.holdMs);
      const why = await Promise.race([
        timer.promise,
        gone,
        this.#closing.promise,
      ]);
      clearTimeout(handle);
      if (why !== "timeout") return this.#drop(res, record);
      return this.#answer(res, record, early ?? await run());
    }
    if (fault) return this.#answer(res, record, faultReply(fault));
    this.#answer(res, record, await run());
  }

  #takeFault(
    method: MethodName,
    chatId: ChatId | undefined,
  ): Fault | undefined {
    const lower = method.toLowerCase();
    const armed = this.#faults.find((f) =>
      (f.method === "*" || f.method === lower) &&
      (f.chatKey === undefined || f.chatKey === String(chatId))
    );
    if (armed === undefined) return undefined;
    if (--armed.remaining <= 0) {
      this.#faults.splice(this.#faults.indexOf(armed), 1);
    }
    return armed.fault;
  }

  #answer(res: ServerResponse, record: MutableRequest, reply: Reply): void {
    if (res.destroyed || res.writableEnded) {
      return void (record.outcome = "dropped");
    }
    const status = reply.ok ? 200 : reply.status;
    const body = JSON.stringify(
      reply.ok ? { ok: true, result: reply.result } : {
        ok: false,
        error_code: reply.status,
        description: reply.description,
        ...(reply.retryAfter === undefined
          ? {}
          : { parameters: { retry_after: reply.retryAfter } }),
      },
    );
    record.outcome = status;
    res.writeHead(status, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
    });
    res.end(body);
  }

  #drop(res: ServerResponse, record: MutableRequest): void {
    record.outcome = "dropped";
    res.socket?.destroy();
    res.destroy();
  }

  async #call(
    method: MethodName,
    params: Params,
    gone: Promise<Wake>,
  ): Promise<Reply> {
    switch (method) {
      case "getMe":
        return ok(this.botInfo);
      case "sendMessage":
        return this.#sendMessage(params);
      case "getUpdates":
        return await this.#getUpdates(params, gone);
      case "setMyCommands":
        return this.#setMyCommands(params);
      case "getMyCommands":
        return ok(this.#commands);
      case "deleteWebhook":
        if (boolOf(params.drop_pending_updates)) this.#updates = [];
        return ok(true);
      case "getChat": {
        const chatId = chatIdOf(params.chat_id);
        return chatId === undefined
          ? error(400, "Bad Request: chat not found")
          : ok(chatObject(chatId));
      }
      default: {
        const unhandled: never = method;
        throw new TypeError(`Cannot handle the method: ${unhandled}`);
      }
    }
  }

  #chat(chatId: ChatId): ChatState {
    const key = String(chatId);
    let chat = this.#chats.get(key);
    if (chat === undefined) {
      chat = { nextId: 1, known: new Set(), sentAt: [] };
      this.#chats.set(key, chat);
    }
    return chat;
  }

  #sendMessage(params: Params): Reply {
    const now = this.#now();
    const chatId = chatIdOf(params.chat_id);
    if (chatId === undefined) {
      return error(400, "Bad Request: chat_id is empty");
    }
    const text = typeof params.text === "number"
      ? String(params.text)
      : params.text;
    if (typeof text !== "string" || text.trim() === "") {
      return error(400, "Bad Request: message text is empty");
    }
    if (text.length > 4096) {
      return error(400, "Bad Request: message is too long");
    }
    const options = optionsOf(params);
    const mode = options.parse_mode;
    if (
      mode !== undefined &&
      !["html", "markdown", "markdownv2"].includes(String(mode).toLowerCase())
    ) {
      return error(400, `Bad Request: unsupported parse_mode`);
    }
    const chat = this.#chat(chatId);
    const replyParams = options.reply_parameters as {
      message_id?: unknown;
      allow_sending_without_reply?: unknown;
    } | undefined;
    const replyTo = intOf(replyParams?.message_id) ??
      intOf(options.reply_to_message_id);
    const lenient = options.allow_sending_without_reply === true ||
      boolOf(replyParams?.allow_sending_without_reply) === true;
    if (replyTo !== undefined && !chat.known.has(replyTo) && !lenient) {
      return error(400, "Bad Request: message to be replied not found");
    }
    const limits = this.#limits ?? {};
    const wait = Math.max(
      waitMs(chat.sentAt, limits.perChatPerMinute, 60_000, now),
      waitMs(chat.sentAt, limits.perChatPerSecond, 1000, now),
      waitMs(this.#globalSentAt, limits.globalPerSecond, 1000, now),
    );
    if (wait > 0) {
      return faultReply({
        status: 429,
        retryAfter: Math.max(1, Math.ceil(wait / 1000)),
      });
    }
    const messageId = chat.nextId++;
    chat.known.add(messageId);
    chat.sentAt.push(now);
    this.#globalSentAt.push(now);
    this.#messages.push({ chatId, messageId, text, options, receivedAt: now });
    return ok({
      message_id: messageId,
      date: Math.floor(now / 1000),
      chat: chatObject(chatId),
      from: {
        id: this.botInfo.id,
        is_bot: true,
        first_name: this.botInfo.first_name,
        username: this.botInfo.username,
      },
      text,
      ...(replyTo !== undefined && chat.known.has(replyTo)
        ? { reply_to_message: { message_id: replyTo } }
        : {}),
    });
  }

  async #getUpdates(params: Params, gone: Promise<Wake>): Promise<Reply> {
    this.#poller?.("conflict");
    const offset = intOf(params.offset) ?? 0;
    const limit = Math.min(100, Math.max(1, intOf(params.limit) ?? 100));
    const timeoutMs = Math.max(0, intOf(params.timeout) ?? 0) * 1000;
    const allowed = jsonOf(params.allowed_updates);
    if (Array.isArray(allowed)) this.#allowedUpdates = allowed.map(String);
    if (offset > 0) {
      this.#updates = this.#updates.filter((u) => u.update_id >= offset);
    }
    if (offset < 0) this.#updates = this.#updates.slice(offset);
    if (this.#pending(limit).length === 0 && timeoutMs > 0) {
      const woken = Promise.withResolvers<Wake>();
      const handle = setTimeout(
        () => woken.resolve("timeout"),
        Math.min(timeoutMs, this.#pollCapMs),
      );
      this.#poller = woken.resolve;
      const why = await Promise.race([
        woken.promise,
        gone,
        this.#closing.promise,
      ]);
      clearTimeout(handle);
      if (this.#poller === woken.resolve) this.#poller = undefined;
      if (why === "conflict") return error(409, CONFLICT);
    }
    return ok(this.#pending(limit));
  }

  #pending(limit: number): FakeUpdate[] {
    const wanted = this.#allowedUpdates.length === 0 ||
      this.#allowedUpdates.includes("message");
    return wanted ? this.#updates.slice(0, limit) : [];
  }

  #setMyCommands(params: Params): Reply {
    const commands = jsonOf(params.commands);
    if (!Array.isArray(commands)) {
      return error(400, "Bad Request: commands must be an array");
    }
    for (
      const entry of commands as { command?: unknown; description?: unknown }[]
    ) {
      if (
        typeof entry?.command !== "string" ||
        !/^[a-z0-9_]{1,32}$/.test(entry.command)
      ) {
        return error(400, "Bad Request: BOT_COMMAND_INVALID");
      }
      const description = entry.description;
      if (
        typeof description !== "string" || description.length < 1 ||
        description.length > 256
      ) {
        return error(
          400,
          "Bad Request: command description must be 1-256 characters",
        );
      }
    }
    this.#commands = commands;
    return ok(true);
  }
}

/**
 * Starts a fake Telegram Bot API server on 127.0.0.1 at a random port.
 *
 * @param options The accepted token and optional clock and long-poll cap.
 * @returns The running fake; `close()` it (or `await using`) when done.
 */
export async function startFakeTelegram(
  options: FakeTelegramOptions,
): Promise<FakeTelegram> {
  if (options.token === "" || options.token.includes("/")) {
    throw new TypeError(
      "Cannot start the fake Telegram as 'token' must be non-empty without '/'",
    );
  }
  checkCount("pollCapMs", options.pollCapMs);
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null
    ? address.port
    : 0;
  return new Fake(server, port, options);
}
