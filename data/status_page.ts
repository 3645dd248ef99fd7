/**
 * Starts the status page of a running daemon (`web.enabled`): the live source over the daemon and
 * its store on this thread, the Hono app and `Deno.serve` on `web.host`:`web.port` in a Web Worker
 * (`web/status_thread.ts`). A port that cannot be bound
 * (another daemon, a demo already running) is logged as an error and the daemon goes on without
 * the page: trading and Telegram do not depend on it.
 *
 * @module
 */
import denoJson from "../deno.json" with { type: "json" };
import type { Daemon, LogLine } from "../actors/daemon.ts";
import type { Clock } from "../core/clock.ts";
import type { Config } from "../core/config.ts";
import { startStatusThread, type StatusThread } from "../web/status_thread.ts";
import type { StatusSnapshot } from "../web/status_types.ts";
import type { SeriesPresets } from "./backtest_inputs.ts";
import type { StateStore } from "./state_store.ts";
import { LiveStatusSource } from "./status_source.ts";

/** The running page. */
export interface StatusPage {
  /** E.g. `http://127.0.0.1:8080/`. */
  readonly url: string;
  readonly source: LiveStatusSource;
  /** Stops serving (open event streams are closed) and the source's checks. */
  stop(): Promise<void>;
}

/** What the page is built from. */
export interface StatusPageOptions {
  readonly daemon: Daemon;
  readonly store: StateStore;
  readonly config: Config;
  readonly clock: Clock;
  readonly mode: StatusSnapshot["mode"];
  readonly presets: ReadonlyMap<string, SeriesPresets>;
  /** Absolute data directory (reports are found under it). */
  readonly dataDir: string;
  readonly port: number;
  /** `VELAS_WEB_TOKEN` (empty: none). */
  readonly token: string;
  readonly telegramEnabled: boolean;
  /** Secrets that no response may contain. */
  readonly secrets: readonly string[];
  readonly log: (line: LogLine) => void;
}

/** VELAS's version (deno.json `version`). */
export const VERSION: string = (denoJson as { version?: string }).version ??
  "dev";

/**
 * Serves the status page.
 *
 * @param options The daemon, its state and where to listen.
 * @returns The page, or undefined when its port could not be bound (logged).
 * @throws {Error} When the host is not loopback and no token is set (a start-up error).
 */
export async function startStatusPage(
  options: StatusPageOptions,
): Promise<StatusPage | undefined> {
  const { config, log } = options;
  const source = new LiveStatusSource({
    daemon: options.daemon,
    store: options.store,
    config,
    clock: options.clock,
    mode: options.mode,
    version: VERSION,
    telegramEnabled: options.telegramEnabled,
    presets: options.presets,
    dataDir: options.dataDir,
    secrets: [...options.secrets, options.token],
    dispatch: {
      language: config.telegram.language,
      exchangeLine: config.telegram.exchange_line,
      switches: config.telegram.messages,
      stopRule: {
        mode: config.ladder.stop_mode,
        breakevenAfterTp: config.ladder.breakeven_after_tp,
      },
    },
  });
  let thread: StatusThread;
  try {
    thread = await startStatusThread({
      source,
      host: config.web.host,
      port: options.port,
      ...(options.token === "" ? {} : { token: options.token }),
      log: (line) => log(line as LogLine),
    });
  } catch (error) {
    source.close();
    if (
      error instanceof Deno.errors.NotCapable ||
      error instanceof Deno.errors.PermissionDenied
    ) {
      throw new RangeError(
        `Cannot serve the status page on ${config.web.host}:${options.port} as this task may not listen there (the demo listens on 127.0.0.1 only): set web.host to 127.0.0.1, or run deno task live`,
      );
    }
    if (error instanceof Deno.errors.AddrInUse) {
      log({
        level: "error",
        msg: "status page not served",
        reason:
          `${config.web.host}:${options.port} is in use (another VELAS?); set web.port or --port`,
      });
      return undefined;
    }
    throw error;
  }
  return {
    url: thread.url,
    source,
    async stop() {
      await thread.stop();
      source.close();
    },
  };
}
