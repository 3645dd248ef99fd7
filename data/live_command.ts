/**
 * The `live` and `demo` commands. `live` runs the daemon against Binance USDT-M futures (public
 * data, paper positions, state in `data.database`) until SIGTERM or SIGINT; `live --replay DIR`
 * runs the same daemon against a replay exchange on 127.0.0.1 serving the candle files of DIR
 * (`--speed max|N`), and stops when the files end; `demo` is `live --replay` over the bundled
 * candles with a fresh database. `--dry-run-config` prints the resolved config and exits.
 *
 * @module
 */
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import process from "node:process";
import { parseArgs } from "node:util";
import { stringify } from "yaml";
import { Daemon, type LogLine } from "../actors/daemon.ts";
import type { Clock } from "../core/clock.ts";
import type { Config } from "../core/config.ts";
import { timeframeMs } from "../core/types.ts";
import { listPresetFiles } from "../presets/preset_store.ts";
import {
  findSeriesFile,
  type PresetSource,
  resolvePresets,
} from "./backtest_inputs.ts";
import { BinanceRestClient } from "./binance_rest.ts";
import { loadCandles } from "./candle_loader.ts";
import { loadConfigFile } from "./config_file.ts";
import { checkSymbols } from "./download_plan.ts";
import { redactToken } from "./redact.ts";
import { FileNotifier } from "./file_notifier.ts";
import { LogNotifier } from "./log_notifier.ts";
import { driveReplay, replayClock } from "./replay_driver.ts";
import {
  type ReplayExchange,
  type ReplaySeries,
  startReplayExchange,
} from "./replay_exchange.ts";
import { StateStore } from "./state_store.ts";
import { startStatusPage } from "./status_page.ts";
import { isLoopbackHost } from "../web/status_server.ts";
import { systemClock } from "./system_clock.ts";

/**
 * The demo's replay speed: the bundled three weeks in about 90 s, so the status page shows
 * signals and fills arriving (`--speed max` runs it at full speed).
 */
const DEMO_SPEED = 20_000;

const USAGE = `Usage: deno task live [options]
  --config FILE      config file (default: config.yaml when it exists)
  --replay DIR       run against a local replay of the candle files in DIR instead of Binance
  --speed max|N      replay speed: max (default; demo: ${DEMO_SPEED}) or N times real time
  --after-end MODE   when the replay's candles end: exit (default for live) or serve
                     (default for demo: the status page stays up until Ctrl-C)
  --port N           status page port (default: the config's web.port; 0 = any free port)
  --db FILE          state database (default: the config's data.database)
  --workers N        series actor workers (default 2)
  --dry-run-config   print the resolved config and exit
       deno task demo     the daemon over the bundled candles, offline, with a fresh database`;

/** The command's side channels. */
export interface LiveCommandIo {
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  readonly cwd: string;
  /** Resolves when the process is asked to stop (SIGTERM/SIGINT). */
  readonly stopSignal: Promise<void>;
}

const BUNDLED = fileURLToPath(
  new URL("../tests/fixtures/binance/", import.meta.url),
);

async function presetSourceOf(config: Config, cwd: string): Promise<
  { source: PresetSource; note: string }
> {
  const dir = resolve(cwd, config.data.presets_dir);
  if ((await listPresetFiles(dir)).length > 0) {
    return { source: { kind: "dir", dir }, note: `presets from ${dir}` };
  }
  return {
    source: { kind: "defaults" },
    note:
      `no preset files in ${dir}: using the generated defaults (run 'deno task backtest optimize' to choose presets)`,
  };
}

function replaySeries(
  dir: string,
  config: Config,
): { series: ReplaySeries[]; missing: string[] } {
  const series: ReplaySeries[] = [];
  const missing: string[] = [];
  for (const symbol of config.pairs) {
    for (const timeframe of config.timeframes) {
      const file = findSeriesFile(dir, { symbol, timeframe });
      if (file === undefined) {
        missing.push(`${symbol} ${timeframe}`);
        continue;
      }
      series.push({ symbol, timeframe, candles: loadCandles(file) });
    }
  }
  return { series, missing };
}

/**
 * Runs `live` (or `demo` with `demo: true`).
 *
 * @param args Arguments after the command name.
 * @param io Output, working directory and the stop signal.
 * @param mode `live` or `demo`.
 * @returns The exit code.
 * @throws {TypeError|RangeError|ConfigError|DatabaseLockedError} For bad input (exit 2 in main).
 */
/**
 * Asks Telegram once, in the background, whether lost answers can be checked in the signal chat
 * (not in a channel where the bot may edit others' posts), and says so in the log and the
 * events (the status page) when they cannot, so the user can fix the bot's rights before a crash.
 */
function warnIfUncheckable(
  telegram: { uncheckableReason(): Promise<string | undefined> },
  store: StateStore,
  clock: Clock,
  log: (line: LogLine) => void,
): void {
  telegram.uncheckableReason().then((reason) => {
    if (reason === undefined) return;
    log({
      level: "warn",
      msg: "telegram lost answers cannot be checked",
      reason,
    });
    try {
      store.addEvent({
        time: clock.now(),
        level: "warn",
        kind: "telegram.uncheckable",
        message:
          `A message whose answer from Telegram is lost (crash, timeout) will be sent again and may show twice: ${reason}`,
      });
    } catch {
      // The daemon stopped meanwhile: the log line says it.
    }
  }, (error: unknown) => {
    log({
      level: "warn",
      msg: "telegram chat rights could not be read",
      error: error instanceof Error ? error.message : String(error),
    });
  });
}

export async function runLiveCommand(
  args: readonly string[],
  io: LiveCommandIo,
  mode: "live" | "demo" = "live",
): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      config: { type: "string" },
      replay: { type: "string" },
      speed: { type: "string" },
      "after-end": { type: "string" },
      port: { type: "string" },
      db: { type: "string" },
      workers: { type: "string" },
      "dry-run-config": { type: "boolean", default: false },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    io.stdout(USAGE);
    return 0;
  }
  const token = Deno.env.get("VELAS_TELEGRAM_TOKEN") ?? "";
  const notifyFile = Deno.env.get("VELAS_NOTIFY_FILE");
  /** Bot API root (a self-hosted Bot API server, or a test's fake); default Telegram's. */
  const telegramApi = Deno.env.get("VELAS_TELEGRAM_API");
  const redact = (text: string) =>
    redactToken(
      redactToken(text, token),
      Deno.env.get("VELAS_WEB_TOKEN") ?? "",
    );
  const { config, source } = loadConfigFile(values.config, {
    cwd: io.cwd,
    // The demo is offline and never sends to Telegram, so the live rules do not apply to it.
    mode: mode === "demo" ? "tool" : "live",
    telegramTokenSet: token !== "",
  });
  if (mode === "live" && token === "" && config.telegram.chat_id !== "") {
    throw new RangeError(
      "Cannot start the daemon as 'telegram.chat_id' is set but VELAS_TELEGRAM_TOKEN is not: put the bot token in the environment (never in the config), or remove the chat id to run without Telegram",
    );
  }
  if (values["dry-run-config"]) {
    io.stdout(`# resolved config (${source})`);
    io.stdout(redact(stringify(config)));
    return 0;
  }
  const replayDir = mode === "demo"
    ? BUNDLED
    : values.replay === undefined
    ? undefined
    : resolve(io.cwd, values.replay);
  const speed = values.speed === undefined
    ? (mode === "demo" ? DEMO_SPEED : "max" as const)
    : values.speed === "max"
    ? "max" as const
    : Number(values.speed);
  if (speed !== "max" && !(speed > 0)) {
    throw new RangeError(
      `Cannot start the daemon as '--speed' must be max or a positive number: current value is ${values.speed}`,
    );
  }
  const afterEnd = values["after-end"] ?? (mode === "demo" ? "serve" : "exit");
  if (afterEnd !== "exit" && afterEnd !== "serve") {
    throw new RangeError(
      `Cannot start the daemon as '--after-end' must be exit or serve: current value is ${afterEnd}`,
    );
  }
  const port = values.port === undefined
    ? config.web.port
    : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(
      `Cannot start the daemon as '--port' must be an integer 0..65535: current value is ${values.port}`,
    );
  }
  const webToken = Deno.env.get("VELAS_WEB_TOKEN") ?? "";
  if (
    config.web.enabled && webToken === "" &&
    !isLoopbackHost(config.web.host)
  ) {
    throw new RangeError(
      `Cannot start the daemon as 'web.host' is ${config.web.host} (not loopback) and VELAS_WEB_TOKEN is not set: set a token in the environment, or bind the status page to 127.0.0.1`,
    );
  }
  const workers = values.workers === undefined ? 2 : Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1) {
    throw new RangeError(
      `Cannot start the daemon as '--workers' must be an integer of at least 1: current value is ${values.workers}`,
    );
  }
  const log = (line: LogLine) =>
    io.stdout(
      redact(JSON.stringify({ time: new Date().toISOString(), ...line })),
    );

  let exchange: ReplayExchange | undefined;
  let clock: Clock = systemClock;
  let restUrl = config.binance.rest_url;
  let wsUrl = config.binance.ws_url;
  let pairs = config.pairs;
  let only: Set<string> | undefined;
  let replayEnd = Infinity;
  let step = Infinity;
  /** Close time of each replayed series' last candle. */
  const ends = new Map<string, number>();
  if (replayDir !== undefined) {
    if (!existsSync(replayDir)) {
      throw new RangeError(
        `Cannot replay as '--replay' must be a directory of candle files: current value is ${replayDir} (it does not exist)`,
      );
    }
    const { series, missing } = replaySeries(replayDir, config);
    if (series.length === 0) {
      throw new RangeError(
        `Cannot replay as '${replayDir}' has no candle file of the configured pairs and timeframes`,
      );
    }
    if (missing.length > 0) {
      log({ level: "info", msg: "replay without some series", missing });
    }
    pairs = [...new Set(series.map((s) => s.symbol))];
    only = new Set(series.map((s) => `${s.symbol}:${s.timeframe}`));
    const warm = config.data.warmup_bars;
    let start = -Infinity;
    for (const s of series) {
      const tf = timeframeMs(s.timeframe);
      const times = s.candles.openTime;
      start = Math.max(start, times[Math.min(warm, times.length - 1)]!);
      const end = times[times.length - 1]! + tf;
      ends.set(`${s.symbol}:${s.timeframe}`, end);
      replayEnd = replayEnd === Infinity ? end : Math.max(replayEnd, end);
      step = Math.min(step, tf);
    }
    const largest = Math.max(...series.map((s) => timeframeMs(s.timeframe)));
    start = Math.ceil(start / largest) * largest;
    exchange = await startReplayExchange({
      series,
      startTime: start,
      updatesPerCandle: 0,
    });
    clock = replayClock(exchange, speed === "max" ? 1000 : speed);
    restUrl = exchange.restUrl;
    wsUrl = exchange.wsUrl;
  }
  const rest = new BinanceRestClient({ baseUrl: restUrl, clock });
  if (config.binance.validate_pairs) {
    const { refused } = checkSymbols(pairs, await rest.exchangeInfo());
    if (refused.length > 0) {
      await exchange?.close();
      throw new RangeError(
        `Cannot start the daemon as some pairs cannot trade on Binance USDT-M futures: ${
          refused.map((r) => `${r.symbol} (${r.status})`).join(", ")
        }; fix 'pairs' in the config`,
      );
    }
  }
  const dbPath = resolve(
    io.cwd,
    values.db ??
      (mode === "demo"
        ? join(config.data.dir, "demo.db")
        : config.data.database),
  );
  if (mode === "demo") {
    for (const suffix of ["", "-wal", "-shm"]) {
      rmSync(dbPath + suffix, { force: true });
    }
  }
  mkdirSync(dirname(dbPath), { recursive: true });
  let store: StateStore;
  try {
    store = StateStore.open(dbPath);
  } catch (error) {
    await exchange?.close();
    throw error;
  }
  try {
    const runConfig: Config = { ...config, pairs };
    const presetChoice = await presetSourceOf(runConfig, io.cwd);
    log({ level: "info", msg: presetChoice.note });
    const presets = await resolvePresets(
      runConfig.pairs.flatMap((symbol) =>
        runConfig.timeframes.map((timeframe) => ({ symbol, timeframe }))
      ).filter((s) => only?.has(`${s.symbol}:${s.timeframe}`) ?? true),
      {
        source: presetChoice.source,
        config: runConfig,
        generatedAt: new Date(clock.now()).toISOString(),
      },
    );
    // grammY loads only when Telegram is on; its npm build uses Node's deprecated `punycode`,
    // whose warning would land on stderr (journald) at every start.
    const telegramOn = mode === "live" && token !== "" &&
      runConfig.telegram.chat_id !== "";
    if (telegramOn) {
      (process as unknown as { noDeprecation: boolean }).noDeprecation = true;
    }
    const tg = telegramOn
      ? {
        ...(await import("./telegram_notifier.ts")),
        ...(await import("./telegram_commands.ts")),
        ...(await import("./telegram_pacer.ts")),
        ...(await import("./telegram_sent_ids.ts")),
      }
      : undefined;
    const telegram = tg !== undefined
      ? new tg.TelegramNotifier({
        token,
        chatId: runConfig.telegram.chat_id,
        ...(telegramApi === undefined ? {} : { apiRoot: telegramApi }),
        // Telegram's limits run in wall time, also while a replay runs its own clock.
        clock: systemClock,
        language: runConfig.telegram.language,
        exchangeLine: runConfig.telegram.exchange_line,
        messagesPerMinute: runConfig.telegram.messages_per_minute,
        signalsPerMinute: runConfig.telegram.signals_per_minute,
        switches: runConfig.telegram.messages,
        stopRule: {
          mode: runConfig.ladder.stop_mode,
          breakevenAfterTp: runConfig.ladder.breakeven_after_tp,
        },
        replyTo: (row) => {
          const tradeId = tradeIdOf(row.payload);
          return tradeId === undefined
            ? undefined
            : store.outboxRow(`signal:${tradeId}`)?.messageId ?? undefined;
        },
        sentIds: tg.settingsSentIds(store),
        log: (line) => log(line as unknown as LogLine),
      })
      : undefined;
    const notifier = telegram ??
      (notifyFile === undefined
        ? new LogNotifier((line) => log(line as LogLine))
        : new FileNotifier(resolve(io.cwd, notifyFile)));
    const daemon = new Daemon({
      config: runConfig,
      presets,
      store,
      clock,
      rest,
      wsUrl,
      notifier,
      log,
      workers,
      ...(only === undefined ? {} : { only }),
      ...(exchange === undefined
        ? {}
        : { idleTimeoutMs: Math.max(600_000, 4 * step) }),
      ...(telegram === undefined ? {} : {
        notifierClock: systemClock,
        dailySummary: {
          hour: runConfig.telegram.daily_summary_hour,
          timeZone: runConfig.display_timezone,
        },
      }),
    });
    log({
      level: "info",
      msg: "starting",
      mode: replayDir === undefined ? "binance" : "replay",
      database: dbPath,
      series: daemon.series.length,
    });
    // The page first: a port or permission problem stops the start before anything runs, and
    // the page shows the warm-up.
    const page = runConfig.web.enabled
      ? await startStatusPage({
        daemon,
        store,
        config: runConfig,
        clock,
        mode: mode === "demo"
          ? "demo"
          : replayDir === undefined
          ? "live"
          : "replay",
        presets,
        dataDir: resolve(io.cwd, runConfig.data.dir),
        port,
        token: webToken,
        telegramEnabled: telegram !== undefined,
        secrets: [token],
        log,
      })
      : undefined;
    try {
      await daemon.start();
    } catch (error) {
      await page?.stop();
      throw error;
    }
    if (telegram !== undefined) warnIfUncheckable(telegram, store, clock, log);
    const commands = telegram === undefined || tg === undefined
      ? undefined
      : tg.startTelegramCommands({
        token,
        ...(telegramApi === undefined ? {} : { apiRoot: telegramApi }),
        chatId: runConfig.telegram.chat_id,
        allowedChatIds: runConfig.telegram.allowed_chat_ids,
        store,
        series: () =>
          daemon.stream?.status().series.map((s) => ({
            key: s.key,
            lastOpenTime: s.lastOpenTime,
            stale: s.stale,
          })) ?? [],
        now: () => clock.now(),
        initialEquity: runConfig.portfolio.initial_balance,
        log: (line) => log(line as LogLine),
        transformers: [
          tg.pacingTransformer(telegram.pacer),
          telegram.sentIdTransformer,
        ],
      });
    if (exchange !== undefined) {
      const abort = new AbortController();
      io.stopSignal.then(() => abort.abort());
      await driveReplay({
        exchange,
        end: replayEnd,
        step,
        speed,
        signal: abort.signal,
        onStall: (time) => {
          const portfolio = daemon.portfolio!;
          log({
            level: "debug",
            msg: "replay waiting",
            replayTime: time,
            waiting: portfolio.waiting,
            inFlight: daemon.supervisor?.inFlight ?? 0,
            behind: daemon.series.filter((s) =>
              portfolio.lastCloseOf(s.key) <
                Math.min(
                  Math.floor(time / s.timeframeMs) * s.timeframeMs,
                  ends.get(s.key) ?? Infinity,
                )
            ).map((s) => `${s.key}@${portfolio.lastCloseOf(s.key)}`),
          });
        },
        caughtUp: (time) => daemon.caughtUp(time, ends),
      });
      // At the end of the files, let the notifier send what the last steps queued (bounded:
      // an unreachable Telegram must not keep the process alive); on a stop signal, don't wait.
      if (!abort.signal.aborted) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([
          daemon.notifier?.whenIdle(),
          new Promise((r) => timer = setTimeout(r, 10_000)),
        ]);
        clearTimeout(timer);
      }
      if (afterEnd === "serve" && !abort.signal.aborted) {
        log({
          level: "info",
          msg: "replay finished; the status page stays up until stopped",
          ...(page === undefined ? {} : { url: page.url }),
        });
        await io.stopSignal;
      }
    } else {
      await io.stopSignal;
    }
    await Promise.all([commands?.stop(), page?.stop(), daemon.stop()]);
    const counts = store.counts();
    const equity = daemon.portfolio?.book.equity() ?? NaN;
    log({
      level: "info",
      msg: "summary",
      signals: counts.signals,
      trades: counts.trades,
      openPositions: counts.openPositions,
      equity,
    });
    return 0;
  } finally {
    store.close();
    await exchange?.close();
  }
}

/** The trade (signal) id an update row belongs to, for replying to the signal's message. */
function tradeIdOf(payload: unknown): string | undefined {
  const p = payload as {
    readonly fill?: { readonly tradeId?: unknown };
    readonly id?: unknown;
  } | null;
  const id = p?.fill?.tradeId ?? p?.id;
  return typeof id === "string" ? id : undefined;
}
