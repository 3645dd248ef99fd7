/**
 * Serves the status app from a Web Worker, so that HTTP work neither waits behind the daemon's
 * work on the main thread nor delays it. The worker (`status_worker.ts`) runs `createStatusApp`
 * and `serveStatus` over a `RemoteStatusSource`: `/health`, `/api/status` and `/metrics` answer
 * from the snapshots this side pushes (`status_thread_pusher.ts`), `/events` from the events
 * pushed with them, and every other route calls the source here over the channel of
 * `status_thread_messages.ts`. The worker's log lines come to `log` (without the token).
 *
 * @module
 */
import { redactToken } from "../data/redact.ts";
import type { StatusLogLine } from "./status_app.ts";
import { answerCall } from "./status_thread_calls.ts";
import {
  type CallMessage,
  hostPort,
  type MainToWorker,
  parseWorkerToMain,
  type WorkerToMain,
} from "./status_thread_messages.ts";
import {
  PUSH_THROTTLE_MS,
  readOutcome,
  SnapshotPusher,
} from "./status_thread_pusher.ts";
import type { StatusSource } from "./status_types.ts";
// Type-checks the Worker entry with this module (it is loaded by URL, not imported).
import type {} from "./status_worker.ts";

/** Options of {@link startStatusThread}. */
export interface StatusThreadOptions {
  readonly source: StatusSource;
  readonly host: string;
  /** 0 picks any free port. */
  readonly port: number;
  /** When set (non-empty), every route but `/health` requires it; needed off loopback. */
  readonly token?: string;
  /** Receives the worker's log lines and this side's errors. */
  readonly log: (line: StatusLogLine) => void;
  /** The page shell's directory (default: `web/static`). */
  readonly staticDir?: string;
  /** Period of the status and metrics push, ms (default 250). */
  readonly pushEveryMs?: number;
  /** How long the worker waits for the answer to a call, ms (default 10 000). */
  readonly callTimeoutMs?: number;
}

/** A running status thread. */
export interface StatusThread {
  /** The address bound (the real port when 0 was asked). */
  readonly addr: { readonly hostname: string; readonly port: number };
  /** E.g. `http://127.0.0.1:8080/`. */
  readonly url: string;
  /** Ends the event streams, shuts the server down and terminates the worker; idempotent. */
  stop(): Promise<void>;
}

/** Default period of the snapshot push, ms. */
export const DEFAULT_PUSH_EVERY_MS = 250;
/** Default timeout of a call from the worker, ms. */
export const DEFAULT_CALL_TIMEOUT_MS = 10_000;
/** How long start-up waits for the worker to listen (module loading included), ms. */
const START_WAIT_MS = 30_000;
/** How long `stop()` waits for the worker's server to close before terminating it, ms. */
const STOP_WAIT_MS = 5_000;

/**
 * The error a `failed` start-up rejects with: of the `Deno.errors` class or built-in error
 * class that `name` names, else an Error with that name.
 */
function startError(name: string, message: string): Error {
  const classes: Record<string, new (message: string) => Error> = {
    RangeError,
    TypeError,
    ...(Deno.errors as unknown as Record<string, new (m: string) => Error>),
  };
  const error = Object.hasOwn(classes, name)
    ? new classes[name]!(message)
    : new Error(message);
  error.name = name;
  return error;
}

function redactLine(line: StatusLogLine, token: string): StatusLogLine {
  if (token === "") return line;
  return Object.fromEntries(
    Object.entries(line).map((
      [key, value],
    ) => [key, typeof value === "string" ? redactToken(value, token) : value]),
  ) as StatusLogLine;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The main side of one worker: its channel, the pusher and the lifecycle. */
class ThreadHost {
  readonly #source: StatusSource;
  readonly #log: (line: StatusLogLine) => void;
  readonly #worker: Worker;
  readonly #pusher: SnapshotPusher;
  readonly #started = Promise.withResolvers<
    { readonly hostname: string; readonly port: number }
  >();
  readonly #stopped = Promise.withResolvers<void>();
  #terminated = false;
  #stopping: Promise<void> | undefined;

  constructor(options: StatusThreadOptions) {
    const token = options.token ?? "";
    this.#source = options.source;
    this.#log = (line) => options.log(redactLine(line, token));
    this.#worker = new Worker(
      new URL("./status_worker.ts", import.meta.url),
      { type: "module" },
    );
    this.#pusher = new SnapshotPusher({
      source: this.#source,
      post: (message) => this.#post(message),
      log: this.#log,
      pushEveryMs: options.pushEveryMs ?? DEFAULT_PUSH_EVERY_MS,
      throttleMs: PUSH_THROTTLE_MS,
    });
    // A failure before `start` awaits this promise must not count as unhandled.
    this.#started.promise.catch(() => {});
    this.#worker.onmessage = (event: MessageEvent<unknown>) => {
      try {
        this.#receive(parseWorkerToMain(event.data));
      } catch (error) {
        this.#log({
          level: "error",
          msg: "status thread message refused",
          error: messageOf(error),
        });
      }
    };
    this.#worker.onerror = (event: ErrorEvent) => {
      // Unprevented, a worker's uncaught error would end the daemon's process.
      event.preventDefault();
      this.#log({
        level: "error",
        msg: "status thread failed",
        error: event.message,
      });
      this.#fail(new Error(`Cannot run the status thread: ${event.message}`));
    };
  }

  /** Sends `start` with the first snapshots; resolves with the address once listening. */
  async start(
    options: StatusThreadOptions,
  ): Promise<{ readonly hostname: string; readonly port: number }> {
    const source = this.#source;
    this.#pusher.subscribe();
    this.#post({
      type: "start",
      host: options.host,
      port: options.port,
      token: options.token ?? "",
      staticDir: options.staticDir ?? "",
      callTimeoutMs: options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS,
      status: await readOutcome(() => source.status()),
      metrics: await readOutcome(() => source.metrics()),
    });
    const giveUp = setTimeout(() =>
      this.#fail(
        new Error(
          `Cannot start the status thread as it did not listen within ${START_WAIT_MS} ms`,
        ),
      ), START_WAIT_MS);
    try {
      const addr = await this.#started.promise;
      this.#pusher.start();
      return addr;
    } catch (error) {
      this.#terminate();
      throw error;
    } finally {
      clearTimeout(giveUp);
    }
  }

  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      this.#pusher.stop();
      this.#post({ type: "stop" });
      const giveUp = setTimeout(() => this.#stopped.resolve(), STOP_WAIT_MS);
      await this.#stopped.promise;
      clearTimeout(giveUp);
      this.#terminate();
    })();
    return this.#stopping;
  }

  #post(message: MainToWorker): void {
    if (!this.#terminated) this.#worker.postMessage(message);
  }

  #fail(error: Error): void {
    this.#started.reject(error);
    this.#stopped.resolve();
  }

  #terminate(): void {
    this.#pusher.stop();
    if (!this.#terminated) this.#worker.terminate();
    this.#terminated = true;
  }

  #receive(message: WorkerToMain): void {
    switch (message.type) {
      case "listening":
        return this.#started.resolve(message);
      case "failed":
        return this.#fail(startError(message.name, message.message));
      case "log":
        return this.#log(message.line);
      case "call":
        return void this.#answer(message);
      case "stopped":
        return this.#stopped.resolve();
      default: {
        const never: never = message;
        throw new TypeError(`Unhandled message ${JSON.stringify(never)}`);
      }
    }
  }

  async #answer(call: CallMessage): Promise<void> {
    const answer = await answerCall(this.#source, call);
    try {
      this.#post(answer);
    } catch (error) {
      // The value cannot be cloned (a function, a class instance with private state, ...).
      try {
        this.#post({
          type: "error",
          id: call.id,
          name: error instanceof Error ? error.name : "Error",
          message:
            `Cannot send the answer to '${call.method}' to the status thread: ${
              messageOf(error)
            }`,
          stack: null,
        });
      } catch (again) {
        this.#log({
          level: "error",
          msg: "status thread answer not sent",
          error: messageOf(again),
        });
      }
    }
  }
}

/**
 * Starts the status thread.
 *
 * @param options The source, where to listen, the token, the log and the push period.
 * @returns The running thread, once the worker listens.
 * @throws {Deno.errors.AddrInUse} (or another `Deno.errors` class, by `name`) when the address
 * cannot be bound; the message names host and port and the worker is terminated.
 * @throws {Error} When the host is not loopback and there is no token (serveStatus's message).
 * @throws {RangeError} For a port outside 0..65535 (before any worker is spawned).
 */
export async function startStatusThread(
  options: StatusThreadOptions,
): Promise<StatusThread> {
  const { port } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(
      `Cannot serve the status page as 'port' must be an integer 0..65535: current value is ${port}`,
    );
  }
  const host = new ThreadHost(options);
  const addr = await host.start(options);
  return {
    addr: { hostname: addr.hostname, port: addr.port },
    url: `http://${hostPort(addr.hostname, addr.port)}/`,
    stop: () => host.stop(),
  };
}
