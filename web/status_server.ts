/**
 * Serves the status app over HTTP with `Deno.serve`. It refuses a host other than loopback
 * without a token, logs one line with the URL when listening (never the token), and on
 * shutdown first ends the open `/events` streams (whose responses would otherwise never end)
 * and then waits for the server to close.
 *
 * @module
 */
import type { Hono } from "hono";
import {
  statusAppRequiresToken,
  type StatusLogLine,
  type StatusServerBindings,
} from "./status_app.ts";

/** Hosts that only this machine can reach. */
export const LOOPBACK_HOSTS: readonly string[] = [
  "127.0.0.1",
  "::1",
  "localhost",
];

/** Options of {@link serveStatus}. */
export interface ServeStatusOptions {
  readonly app: Hono;
  readonly host: string;
  /** 0 picks any free port. */
  readonly port: number;
  /** The token the app requires; needed on a host other than loopback. */
  readonly token?: string;
  readonly log: (line: StatusLogLine) => void;
  /** Aborting shuts the server down. */
  readonly signal?: AbortSignal;
}

/** A running status server. */
export interface StatusServer {
  /** The address bound (the real port when 0 was asked). */
  readonly addr: { readonly hostname: string; readonly port: number };
  /** Settles when the server has closed. */
  readonly finished: Promise<void>;
  /** Ends the event streams and closes the server; resolves when it is closed. */
  shutdown(): Promise<void>;
}

/**
 * Whether a host name is loopback.
 *
 * @param host A host name or address, IPv6 with or without brackets.
 * @returns True for 127.0.0.1, ::1 and localhost.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  return LOOPBACK_HOSTS.includes(bare);
}

function urlOf(hostname: string, port: number): string {
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  return `http://${host}:${port}/`;
}

function checkOptions(options: ServeStatusOptions): void {
  const { host, port } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(
      `Cannot serve the status page as 'port' must be an integer 0..65535: current value is ${port}`,
    );
  }
  if (isLoopbackHost(host)) return;
  if ((options.token ?? "") === "") {
    throw new Error(
      `Cannot serve the status page on host '${host}' as a host other than loopback (${
        LOOPBACK_HOSTS.join(", ")
      }) requires a token: set VELAS_WEB_TOKEN`,
    );
  }
  if (statusAppRequiresToken(options.app) === false) {
    throw new Error(
      `Cannot serve the status page on host '${host}' as the app must require the token: pass VELAS_WEB_TOKEN to createStatusApp too`,
    );
  }
}

/**
 * Starts the HTTP server.
 *
 * @param options The app, host, port, token, log and an optional stop signal.
 * @returns The bound address, a promise of the end, and `shutdown`.
 * @throws {Error} When the host is not loopback and there is no token.
 * @throws {RangeError} For a port outside 0..65535.
 */
export function serveStatus(options: ServeStatusOptions): StatusServer {
  checkOptions(options);
  const { app, log } = options;
  const closing = new AbortController();
  const server = Deno.serve({
    hostname: options.host,
    port: options.port,
    onListen: ({ hostname, port }) =>
      log({
        level: "info",
        msg: "status page listening",
        url: urlOf(hostname, port),
      }),
    onError: (error) => {
      log({
        level: "error",
        msg: "status server error",
        error: error instanceof Error ? error.message : String(error),
      });
      return new Response(JSON.stringify({ error: "internal error" }), {
        status: 500,
        headers: { "Content-Type": "application/json" },
      });
    },
  }, (request) => {
    const bindings: StatusServerBindings = { velasShutdown: closing.signal };
    return app.fetch(request, bindings);
  });

  let stopping: Promise<void> | undefined;
  const shutdown = () => {
    stopping ??= (async () => {
      closing.abort();
      await server.shutdown();
    })();
    return stopping;
  };
  options.signal?.addEventListener("abort", () => void shutdown(), {
    once: true,
  });
  if (options.signal?.aborted) void shutdown();

  return {
    addr: { hostname: server.addr.hostname, port: server.addr.port },
    finished: server.finished,
    shutdown,
  };
}
