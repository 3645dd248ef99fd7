/**
 * The logic of the status thread's worker, apart from its Worker shim (`status_worker.ts`).
 * On `start` it builds a {@link RemoteStatusSource}, the status app and the server, and answers
 * `listening`, or `failed` with the error's class name and a message naming host and port; it
 * hands pushes and call answers to the source; on `stop` it ends the event streams, shuts the
 * server down and answers `stopped`. Its log lines (the app's and the server's, never the
 * token) go to the main thread.
 *
 * @module
 */
import { redactToken } from "../data/redact.ts";
import { createStatusApp, type StatusLogLine } from "./status_app.ts";
import { RemoteStatusSource } from "./status_remote_source.ts";
import { serveStatus, type StatusServer } from "./status_server.ts";
import {
  hostPort,
  type MainToWorker,
  parseMainToWorker,
  type WorkerToMain,
} from "./status_thread_messages.ts";

/** What the worker logic needs from its Worker. */
export interface StatusWorkerDeps {
  /** Sends a message to the main thread. */
  readonly post: (message: WorkerToMain) => void;
}

type StartMessage = Extract<MainToWorker, { type: "start" }>;

function failure(
  error: unknown,
  start: StartMessage,
): { readonly name: string; readonly message: string } {
  if (!(error instanceof Error)) {
    return { name: "Error", message: String(error) };
  }
  // A Deno.errors class (AddrInUse, NotCapable, ...) comes from binding: name where.
  const message = Object.hasOwn(Deno.errors, error.name)
    ? `Cannot serve the status page on ${
      hostPort(start.host, start.port)
    } as binding failed: ${error.message}`
    : error.message;
  return { name: error.name, message: redactToken(message, start.token) };
}

function isStart(data: unknown): boolean {
  return typeof data === "object" && data !== null &&
    (data as { type?: unknown }).type === "start";
}

/**
 * Builds the worker's message handler.
 *
 * @param deps How to reach the main thread.
 * @returns The handler of every received message's `data`; it settles once the message is
 * handled (for `stop`, once the server has closed) and never rejects.
 */
export function createStatusWorker(
  deps: StatusWorkerDeps,
): (data: unknown) => Promise<void> {
  let running:
    | { readonly source: RemoteStatusSource; readonly server: StatusServer }
    | undefined;
  const log = (line: StatusLogLine) => {
    try {
      deps.post({ type: "log", line });
    } catch {
      // A field that cannot be cloned: keep what can.
      deps.post({ type: "log", line: { level: line.level, msg: line.msg } });
    }
  };

  const start = (message: StartMessage) => {
    if (running !== undefined) {
      return log({ level: "error", msg: "status worker started twice" });
    }
    const { host, port, token, staticDir } = message;
    const source = new RemoteStatusSource({
      post: (call) => deps.post(call),
      timeoutMs: message.callTimeoutMs,
      status: message.status,
      metrics: message.metrics,
    });
    const withToken = token === "" ? {} : { token };
    const app = createStatusApp({
      source,
      log,
      ...withToken,
      ...(staticDir === "" ? {} : { staticDir }),
    });
    try {
      const server = serveStatus({ app, host, port, log, ...withToken });
      running = { source, server };
      deps.post({ type: "listening", ...server.addr });
    } catch (error) {
      source.close(new Error("Cannot read from the daemon as the page failed"));
      deps.post({ type: "failed", ...failure(error, message) });
    }
  };

  const stop = async () => {
    if (running !== undefined) {
      await running.server.shutdown();
      running.source.close(
        new Error("Cannot read from the daemon as the status thread stopped"),
      );
    }
    deps.post({ type: "stopped" });
  };

  return async (data) => {
    try {
      const message = parseMainToWorker(data);
      switch (message.type) {
        case "start":
          return start(message);
        case "push":
          return running?.source.applyPush(message);
        case "result":
        case "error":
          return running?.source.settle(message);
        case "stop":
          return await stop();
        default: {
          const never: never = message;
          throw new TypeError(`Unhandled message ${JSON.stringify(never)}`);
        }
      }
    } catch (error) {
      // The main thread waits for the answer to `start`: never leave it without one.
      if (running === undefined && isStart(data)) {
        deps.post({
          type: "failed",
          name: error instanceof Error ? error.name : "Error",
          message: error instanceof Error ? error.message : String(error),
        });
      }
      log({
        level: "error",
        msg: "status worker message failed",
        error: error instanceof Error
          ? (error.stack ?? error.message)
          : String(error),
      });
    }
  };
}
