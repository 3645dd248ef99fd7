/**
 * A fake Telegram Bot API server on 127.0.0.1 for tests. It speaks the real wire format
 * (`GET|POST {apiRoot}/bot{TOKEN}/{method}` with query, JSON, form or multipart parameters,
 * answering `{"ok":true,"result":...}` or `{"ok":false,"error_code":N,"description":...}`), so
 * grammY's `Bot` works against it with `client: { apiRoot }`.
 *
 * It implements `getMe`, `sendMessage`, `editMessageText`, `getUpdates` (long polling, capped),
 * `setMyCommands`, `getMyCommands`, `deleteWebhook`, `getChat` and `getChatMember`. It records every
 * accepted message with its message id (numbered as Telegram does: per chat in supergroups and
 * channels, one sequence of the bot's across its private chats and basic groups) and the server
 * wall-clock receive time, every edit,
 * and every request with its outcome, so tests can assert exactly-once delivery, order per chat and
 * pacing. Faults are injected per method (optionally per chat, optionally after letting some
 * requests pass): error answers (429 with `retry_after`, 5xx, 400, 403), held requests and dropped
 * connections. In rate-limit mode the server itself answers 429 to a client that sends too fast,
 * with the `retry_after` that makes the next attempt pass.
 *
 * Editing follows Telegram's rules: the bot edits its own messages; it cannot edit users' messages
 * (`pushUpdate`); it edits posts by others (`pushChannelPost`) only in a channel where its member
 * record is `creator`, or `administrator` with `can_edit_messages`; an edit to the same text is
 * refused as not modified. A chat's type (derived from its id by default) and the bot's member
 * record there (`getChatMember`) can be overridden with `setChat`.
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

/** A chat type as the Bot API reports it. */
export type ChatType = "private" | "group" | "supergroup" | "channel";

/** A message the server accepted from `sendMessage`. */
export interface SentMessage {
  readonly chatId: ChatId;
  /**
   * Incrementing, shared with the messages of pushed updates, as in Telegram: per chat in
   * supergroups and channels, across all private chats and basic groups otherwise.
   */
  readonly messageId: number;
  readonly text: string;
  /** Every other parameter (`parse_mode`, `disable_notification`, `reply_parameters`, ...). */
  readonly options: Readonly<Record<string, unknown>>;
  /** Server wall-clock time the message was accepted, epoch ms. */
  readonly receivedAt: number;
}

/** A text edit the server accepted from `editMessageText`. */
export interface MessageEdit {
  readonly chatId: ChatId;
  readonly messageId: number;
  /** The message's text just before this edit. */
  readonly oldText: string;
  readonly newText: string;
  /** Server wall-clock time the edit was accepted, epoch ms. */
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
  /**
   * How many matching requests it lets pass untouched before hitting any (default 0). It counts
   * every matching request from now on, including ones another fault hits.
   */
  readonly skip?: number;
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

/** Options of {@link FakeTelegram.setChat}. */
export interface SetChatOptions {
  /** The chat's type in `getChat`, in the `chat` of messages and for the editing rules. */
  readonly type?: ChatType;
  /**
   * Fields of the bot's member record in this chat (`getChatMember`), merged over the default for
   * the chat's type; `user` is always the bot user.
   */
  readonly botMember?: Readonly<Record<string, unknown>>;
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
  /** Accepted edits in acceptance order (live view); {@link messages} keeps the original texts. */
  readonly edits: readonly MessageEdit[];
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
   * Records a text post in the chat by someone other than the bot (a channel admin), taking the
   * chat's next message id, and returns that id. It queues no update and is not in {@link messages}.
   */
  pushChannelPost(chatId: ChatId, text: string): number;
  /**
   * Overrides the chat's type and/or the bot's member record there. Each given option replaces the
   * previous override of that option; {@link reset} forgets them all.
   */
  setChat(chatId: ChatId, options: SetChatOptions): void;
  /**
   * Injects a fault for `method` (case-insensitive, `"*"` for any). Faults are used in the order
   * given. Default descriptions: 400 `Bad Request: chat not found`, 403 `Forbidden: bot was
   * blocked by the user`, 429 `Too Many Requests: retry after N`, 5xx `Internal Server Error`.
   */
  fail(method: string, fault: Fault, options?: FailOptions): void;
  /** Enforces `limits` from now on; `null` turns rate-limit mode off. */
  rateLimit(limits: RateLimits | null): void;
  /**
   * Forgets messages, edits, requests, updates, pushed posts, faults, limits, commands and chat
   * overrides.
   */
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

/** Who wrote a message: the bot (`sendMessage`), a user (`pushUpdate`) or another poster. */
type Author = "bot" | "user" | "other";
interface Post {
  readonly author: Author;
  /** The current text, changed by edits. */
  text: string;
  /** Unix seconds the message was created. */
  readonly date: number;
}
interface ChatState {
  nextId: number;
  /** Every message of the chat by id, whoever wrote it. */
  readonly posts: Map<number, Post>;
  readonly sentAt: number[];
}
interface ChatOverride {
  type?: ChatType;
  botMember?: Readonly<Record<string, unknown>>;
}
interface ArmedFault {
  readonly method: string;
  readonly fault: Fault;
  readonly chatKey: string | undefined;
  skip: number;
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
  "editMessageText",
  "getUpdates",
  "setMyCommands",
  "getMyCommands",
  "deleteWebhook",
  "getChat",
  "getChatMember",
] as const;
const CHAT_TYPES: readonly ChatType[] = [
  "private",
  "group",
  "supergroup",
  "channel",
];
type MethodName = typeof METHODS[number];
const BY_LOWER = new Map<string, MethodName>(
  METHODS.map((name) => [name.toLowerCase(), name]),
);
const CONFLICT =
  "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running";
const NOT_MODIFIED =
  "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message";
const CANT_EDIT = "Bad Request: message can't be edited";
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

/** The `text` parameter as a string (numbers are sent bare in JSON), else `undefined`. */
function textOf(value: unknown): string | undefined {
  if (typeof value === "number") return String(value);
  return typeof value === "string" ? value : undefined;
}

/** The error for a non-empty `text` or a `parse_mode` Telegram refuses, else `undefined`. */
function textError(text: string, mode: unknown): Reply | undefined {
  if (text.length > 4096) {
    return error(400, "Bad Request: message is too long");
  }
  if (
    mode !== undefined &&
    !["html", "markdown", "markdownv2"].includes(String(mode).toLowerCase())
  ) {
    return error(400, `Bad Request: unsupported parse_mode`);
  }
  return undefined;
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

/** The type a chat id implies: `@username` a channel, positive a private chat, else a group. */
function defaultChatType(chatId: ChatId): ChatType {
  if (typeof chatId === "string") return "channel";
  if (chatId > 0) return "private";
  return chatId < -1e12 ? "supergroup" : "group";
}

function chatObject(
  chatId: ChatId,
  type: ChatType = defaultChatType(chatId),
): Record<string, unknown> {
  const name = type === "private"
    ? { first_name: "Tester" }
    : { title: typeof chatId === "string" ? chatId : `Chat ${chatId}` };
  return {
    id: chatId,
    type,
    ...name,
    ...(typeof chatId === "string" ? { username: chatId.slice(1) } : {}),
  };
}

/** The bot's member record in a chat of `type` unless {@link FakeTelegram.setChat} overrides it. */
function defaultBotMember(type: ChatType): Record<string, unknown> {
  if (type !== "channel") return { status: "member" };
  return {
    status: "administrator",
    can_be_edited: false,
    is_anonymous: false,
    can_manage_chat: true,
    can_delete_messages: false,
    can_manage_video_chats: false,
    can_restrict_members: false,
    can_promote_members: false,
    can_change_info: false,
    can_invite_users: false,
    can_post_stories: false,
    can_edit_stories: false,
    can_delete_stories: false,
    can_post_messages: true,
    can_edit_messages: false,
  };
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
  min = 1,
): void {
  if (value === undefined || (allowInfinity && value === Infinity)) return;
  if (!Number.isInteger(value) || value < min) {
    const kind = min === 0 ? "a non-negative" : "a positive";
    throw new RangeError(
      `Cannot configure the fake Telegram as '${name}' must be ${kind} integer: current value is ${value}`,
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
  #edits: MessageEdit[] = [];
  #requests: MutableRequest[] = [];
  #commands: unknown[] = [];
  #chats = new Map<string, ChatState>();
  /** The next id of the bot's shared numbering of private chats and basic groups. */
  #mailboxNext = 1;
  #overrides = new Map<string, ChatOverride>();
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

  get edits(): readonly MessageEdit[] {
    return this.#edits;
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
    const messageId = this.#nextId(chatId, chat);
    const date = Math.floor(this.#now() / 1000);
    chat.posts.set(messageId, { author: "user", text, date });
    const command = /^\/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?/.exec(text);
    const message = {
      message_id: messageId,
      date,
      chat: this.#chatObject(chatId),
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

  pushChannelPost(chatId: ChatId, text: string): number {
    const chat = this.#chat(chatId);
    const messageId = this.#nextId(chatId, chat);
    const date = Math.floor(this.#now() / 1000);
    chat.posts.set(messageId, { author: "other", text, date });
    return messageId;
  }

  setChat(chatId: ChatId, options: SetChatOptions): void {
    if (options.type !== undefined && !CHAT_TYPES.includes(options.type)) {
      throw new RangeError(
        `Cannot configure the fake Telegram as 'type' must be one of ${
          CHAT_TYPES.join(", ")
        }: current value is ${options.type}`,
      );
    }
    const key = String(chatId);
    const override = this.#overrides.get(key) ?? {};
    if (options.type !== undefined) override.type = options.type;
    if (options.botMember !== undefined) {
      override.botMember = { ...options.botMember };
    }
    this.#overrides.set(key, override);
  }

  fail(method: string, fault: Fault, options: FailOptions = {}): void {
    checkCount("times", options.times, true);
    checkCount("skip", options.skip, false, 0);
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
      skip: options.skip ?? 0,
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
    this.#edits = [];
    this.#requests = [];
    this.#commands = [];
    this.#chats.clear();
    this.#mailboxNext = 1;
    this.#overrides.clear();
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
    let armed: ArmedFault | undefined;
    for (const f of this.#faults) {
      if (f.method !== "*" && f.method !== lower) continue;
      if (f.chatKey !== undefined && f.chatKey !== String(chatId)) continue;
      if (f.skip > 0) f.skip--;
      else armed ??= f;
    }
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
      case "editMessageText":
        return this.#editMessageText(params);
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
          : ok(this.#chatObject(chatId));
      }
      case "getChatMember":
        return this.#getChatMember(params);
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
      chat = { nextId: 1, posts: new Map(), sentAt: [] };
      this.#chats.set(key, chat);
    }
    return chat;
  }

  /**
   * The next message id in a chat. As in Telegram, private chats and basic groups share the
   * bot's own numbering (one sequence across all of them); supergroups and channels number per
   * chat.
   */
  #nextId(chatId: ChatId, chat: ChatState): number {
    const type = this.#chatType(chatId);
    if (type === "private" || type === "group") return this.#mailboxNext++;
    return chat.nextId++;
  }

  #chatType(chatId: ChatId): ChatType {
    return this.#overrides.get(String(chatId))?.type ??
      defaultChatType(chatId);
  }

  #chatObject(chatId: ChatId): Record<string, unknown> {
    return chatObject(chatId, this.#chatType(chatId));
  }

  #botUser(): Record<string, unknown> {
    return {
      id: this.botInfo.id,
      is_bot: true,
      first_name: this.botInfo.first_name,
      username: this.botInfo.username,
    };
  }

  #botMember(chatId: ChatId): Record<string, unknown> {
    return {
      ...defaultBotMember(this.#chatType(chatId)),
      ...this.#overrides.get(String(chatId))?.botMember,
      user: this.#botUser(),
    };
  }

  /** Whether the bot may edit a post by someone else in the chat, as in Telegram. */
  #canEditOthers(chatId: ChatId): boolean {
    if (this.#chatType(chatId) !== "channel") return false;
    const member = this.#botMember(chatId);
    return member.status === "creator" ||
      (member.status === "administrator" && member.can_edit_messages === true);
  }

  #sendMessage(params: Params): Reply {
    const now = this.#now();
    const chatId = chatIdOf(params.chat_id);
    if (chatId === undefined) {
      return error(400, "Bad Request: chat_id is empty");
    }
    const text = textOf(params.text);
    const options = optionsOf(params);
    if (text === undefined || text.trim() === "") {
      return error(400, "Bad Request: message text is empty");
    }
    const invalid = textError(text, options.parse_mode);
    if (invalid !== undefined) return invalid;
    const chat = this.#chat(chatId);
    const replyParams = options.reply_parameters as {
      message_id?: unknown;
      allow_sending_without_reply?: unknown;
    } | undefined;
    const replyTo = intOf(replyParams?.message_id) ??
      intOf(options.reply_to_message_id);
    const lenient = options.allow_sending_without_reply === true ||
      boolOf(replyParams?.allow_sending_without_reply) === true;
    if (replyTo !== undefined && !chat.posts.has(replyTo) && !lenient) {
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
    const messageId = this.#nextId(chatId, chat);
    const date = Math.floor(now / 1000);
    chat.posts.set(messageId, { author: "bot", text, date });
    chat.sentAt.push(now);
    this.#globalSentAt.push(now);
    this.#messages.push({ chatId, messageId, text, options, receivedAt: now });
    return ok({
      message_id: messageId,
      date,
      chat: this.#chatObject(chatId),
      from: this.#botUser(),
      text,
      ...(replyTo !== undefined && chat.posts.has(replyTo)
        ? { reply_to_message: { message_id: replyTo } }
        : {}),
    });
  }

  #editMessageText(params: Params): Reply {
    const now = this.#now();
    const chatId = chatIdOf(params.chat_id);
    if (chatId === undefined) {
      return error(400, "Bad Request: chat_id is empty");
    }
    const messageId = intOf(params.message_id);
    if (messageId === undefined || messageId < 1) {
      return error(400, "Bad Request: message identifier is not specified");
    }
    const text = textOf(params.text);
    if (text === undefined || text.trim() === "") {
      return error(400, "Bad Request: message text is empty");
    }
    const invalid = textError(text, params.parse_mode);
    if (invalid !== undefined) return invalid;
    const post = this.#chats.get(String(chatId))?.posts.get(messageId);
    if (post === undefined) {
      return error(400, "Bad Request: message to edit not found");
    }
    if (
      post.author === "user" ||
      (post.author === "other" && !this.#canEditOthers(chatId))
    ) {
      return error(400, CANT_EDIT);
    }
    if (post.text === text) return error(400, NOT_MODIFIED);
    this.#edits.push({
      chatId,
      messageId,
      oldText: post.text,
      newText: text,
      receivedAt: now,
    });
    post.text = text;
    const chat = this.#chatObject(chatId);
    return ok({
      message_id: messageId,
      date: post.date,
      chat,
      ...(post.author === "bot"
        ? { from: this.#botUser() }
        : { sender_chat: chat }),
      text,
      edit_date: Math.floor(now / 1000),
    });
  }

  #getChatMember(params: Params): Reply {
    const chatId = chatIdOf(params.chat_id);
    if (chatId === undefined) {
      return error(400, "Bad Request: chat_id is empty");
    }
    const userId = intOf(params.user_id);
    if (userId === undefined || userId < 1) {
      return error(400, "Bad Request: invalid user_id specified");
    }
    if (userId === this.botInfo.id) return ok(this.#botMember(chatId));
    return ok({
      status: "member",
      user: { id: userId, is_bot: false, first_name: "Tester" },
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
