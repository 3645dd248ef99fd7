/**
 * The channel between the daemon's main thread and the status thread's Worker: one
 * discriminated union per direction, and a runtime guard for each that the receiving side runs
 * once on every message (a message that fails it throws a TypeError showing the payload).
 * Every member is plain data that survives `postMessage`.
 *
 * Main → worker: `start` (where to listen, with the first snapshots), `push` (the latest
 * status and metrics snapshots and the events since the last push), `result`/`error` (the
 * answer to a `call`), `stop`. Worker → main: `listening` or `failed` (the answer to `start`),
 * `log`, `call` (a {@link StatusSource} method other than the pushed ones), `stopped`.
 *
 * @module
 */
import type { StatusLogLine } from "./status_app.ts";
import type {
  MetricsSnapshot,
  StatusEvent,
  StatusSnapshot,
  StatusSource,
} from "./status_types.ts";

/** The source methods the worker asks the main thread for (the others are pushed). */
export const REMOTE_METHODS = [
  "positions",
  "signals",
  "trades",
  "allTrades",
  "fills",
  "equity",
  "presets",
  "pairs",
  "analytics",
  "backtests",
  "backtestFile",
  "config",
  "alerts",
  "system",
] as const satisfies readonly (keyof StatusSource)[];

/** A method the worker calls over the channel. */
export type RemoteMethod = typeof REMOTE_METHODS[number];

/** A snapshot read on the main thread, or why it could not be read. */
export type SnapshotOutcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly message: string };

/** The latest snapshots and the events emitted since the previous push, in order. */
export interface PushMessage {
  readonly type: "push";
  readonly status: SnapshotOutcome<StatusSnapshot>;
  readonly metrics: SnapshotOutcome<MetricsSnapshot>;
  readonly events: readonly StatusEvent[];
}

/** A call of a source method (main thread → worker answers with `result` or `error`). */
export interface CallMessage {
  readonly type: "call";
  readonly id: number;
  readonly method: RemoteMethod;
  readonly args: readonly unknown[];
}

/** The answer to a call that returned. */
export interface ResultMessage {
  readonly type: "result";
  readonly id: number;
  readonly value: unknown;
}

/** The answer to a call that threw (or rejected) on the main thread. */
export interface ErrorMessage {
  readonly type: "error";
  readonly id: number;
  readonly name: string;
  readonly message: string;
  /** The main thread's stack, for the worker's log; null when there is none. */
  readonly stack: string | null;
}

/** Messages the main thread sends to the worker. */
export type MainToWorker =
  | {
    readonly type: "start";
    readonly host: string;
    readonly port: number;
    /** "" for none. */
    readonly token: string;
    /** "" for the app's default. */
    readonly staticDir: string;
    readonly callTimeoutMs: number;
    readonly status: SnapshotOutcome<StatusSnapshot>;
    readonly metrics: SnapshotOutcome<MetricsSnapshot>;
  }
  | PushMessage
  | ResultMessage
  | ErrorMessage
  | { readonly type: "stop" };

/** Messages the worker sends to the main thread. */
export type WorkerToMain =
  | {
    readonly type: "listening";
    readonly hostname: string;
    readonly port: number;
  }
  /** `name` is the error class (e.g. `AddrInUse`), `message` names host and port. */
  | { readonly type: "failed"; readonly name: string; readonly message: string }
  | { readonly type: "log"; readonly line: StatusLogLine }
  | CallMessage
  | { readonly type: "stopped" };

/**
 * `host:port` as in a URL (an IPv6 address in brackets), for messages and URLs of both sides.
 *
 * @param host A host name or address, IPv6 with or without brackets.
 * @param port A port.
 * @returns E.g. `127.0.0.1:8080` or `[::1]:8080`.
 */
export function hostPort(host: string, port: number): string {
  const bare = host.replace(/^\[(.*)\]$/, "$1");
  return bare.includes(":") ? `[${bare}]:${port}` : `${bare}:${port}`;
}

const EVENT_TYPES = new Set([
  "signal",
  "fill",
  "trade",
  "health",
  "alert",
  "positions",
  "status",
]);
const LOG_LEVELS = new Set(["debug", "info", "warn", "error"]);
const METHODS = new Set<string>(REMOTE_METHODS);
const SHOWN_CHARS = 500;

function show(data: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(data) ?? String(data);
  } catch {
    text = String(data);
  }
  return text.length > SHOWN_CHARS
    ? `${text.slice(0, SHOWN_CHARS)}… (${text.length} chars)`
    : text;
}

type Check = (value: unknown) => boolean;

function isString(v: unknown): boolean {
  return typeof v === "string";
}

function isId(v: unknown): boolean {
  return Number.isSafeInteger(v) && (v as number) > 0;
}

function isPort(v: unknown): boolean {
  return Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 65535;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isOutcome(v: unknown): boolean {
  return isRecord(v) &&
    (v.ok === true ? isRecord(v.value) : v.ok === false && isString(v.message));
}

function isEvent(v: unknown): boolean {
  return isRecord(v) && EVENT_TYPES.has(String(v.type));
}

/** The checks of each message type's fields (besides `type`). */
const MAIN_TO_WORKER: Readonly<
  Record<MainToWorker["type"], Readonly<Record<string, Check>>>
> = {
  start: {
    host: isString,
    port: isPort,
    token: isString,
    staticDir: isString,
    callTimeoutMs: (v) => typeof v === "number" && v > 0,
    status: isOutcome,
    metrics: isOutcome,
  },
  push: {
    status: isOutcome,
    metrics: isOutcome,
    events: (v) => Array.isArray(v) && v.every(isEvent),
  },
  result: { id: isId },
  error: {
    id: isId,
    name: isString,
    message: isString,
    stack: (v) => v === null || isString(v),
  },
  stop: {},
};

const WORKER_TO_MAIN: Readonly<
  Record<WorkerToMain["type"], Readonly<Record<string, Check>>>
> = {
  listening: { hostname: isString, port: isPort },
  failed: { name: isString, message: isString },
  log: {
    line: (v) =>
      isRecord(v) && LOG_LEVELS.has(String(v.level)) && isString(v.msg),
  },
  call: {
    id: isId,
    method: (v) => METHODS.has(String(v)),
    args: Array.isArray,
  },
  stopped: {},
};

function parse<T>(
  data: unknown,
  options: {
    readonly checks: Readonly<Record<string, Readonly<Record<string, Check>>>>;
    readonly channel: string;
  },
): T {
  const type = isRecord(data) ? data.type : undefined;
  const fields = typeof type === "string" && Object.hasOwn(options.checks, type)
    ? options.checks[type]
    : undefined;
  if (fields === undefined) {
    throw new TypeError(
      `Cannot accept the ${options.channel} message as 'type' must be one of ${
        Object.keys(options.checks).join(", ")
      }: current value is ${show(data)}`,
    );
  }
  const message = data as Record<string, unknown>;
  for (const [field, check] of Object.entries(fields)) {
    if (!check(message[field])) {
      throw new TypeError(
        `Cannot accept the ${options.channel} message as '${field}' is not valid for '${message.type}': current value is ${
          show(data)
        }`,
      );
    }
  }
  return data as T;
}

/**
 * Checks a message received by the worker.
 *
 * @param data The `data` of the message event.
 * @returns The message, typed.
 * @throws {TypeError} When it is not a {@link MainToWorker}, showing the payload.
 */
export function parseMainToWorker(data: unknown): MainToWorker {
  return parse(data, {
    checks: MAIN_TO_WORKER,
    channel: "main-to-worker",
  });
}

/**
 * Checks a message received by the main thread.
 *
 * @param data The `data` of the message event.
 * @returns The message, typed.
 * @throws {TypeError} When it is not a {@link WorkerToMain}, showing the payload.
 */
export function parseWorkerToMain(data: unknown): WorkerToMain {
  return parse(data, {
    checks: WORKER_TO_MAIN,
    channel: "worker-to-main",
  });
}
