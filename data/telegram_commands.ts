/**
 * The Telegram bot commands (DESIGN §2 Telegram, issue 8 item 4) on grammY with long polling:
 * `/status`, `/positions`, `/signals [n]`, `/profit`, `/daily [n]`, `/pause`, `/resume` and
 * `/help`, answered only in the main chat and the allowed chats, from the state store as it is
 * at the moment of the command. A command from any other chat gets no answer and one log line
 * per chat. `/pause` and `/resume` set the `paused` setting, which the portfolio reads before
 * every step. The texts are built by `core/command_answers.ts`; long ones are split under
 * Telegram's limit. The bot token never reaches the log: it is cut out of every logged error.
 *
 * @module
 */
import { redactToken } from "./redact.ts";
import { Bot, type BotConfig, type Context, type Transformer } from "grammy";
import {
  answerDaily,
  answerHelp,
  answerPaused,
  answerPositions,
  answerProfit,
  answerSignals,
  answerStatus,
  COMMANDS,
  parseCount,
  type PositionSnapshot,
  type SeriesHealth,
} from "../core/command_answers.ts";
import { unrealizedPnl } from "../core/ladder.ts";
import type { Position } from "../core/position_update.ts";
import type { PositionRow } from "../core/state_types.ts";
import { splitMessage } from "../core/telegram_format.ts";
import type { StateStore } from "./state_store.ts";
import { freshConnections } from "./telegram_connections.ts";

export type { SeriesHealth };

/** The bot user as `getMe` returns it. */
export type BotInfo = NonNullable<BotConfig<Context>["botInfo"]>;

/** The store as the commands read and write it. */
export type CommandStore = Pick<
  StateStore,
  | "signals"
  | "trades"
  | "openPositions"
  | "equity"
  | "portfolioState"
  | "setting"
  | "setSetting"
>;

/** One structured log line (the daemon's log shape). */
export type CommandLogLine = {
  readonly level: "debug" | "info" | "warn" | "error";
  readonly msg: string;
  readonly [field: string]: unknown;
};

/** Options of {@link startTelegramCommands}. */
export interface TelegramCommandsOptions {
  /** The bot token (from the environment; never logged). */
  readonly token: string;
  /** Bot API root; Telegram's when omitted (tests: the fake's). */
  readonly apiRoot?: string;
  /** The bot user, so no `getMe` is needed (tests). */
  readonly botInfo?: BotInfo;
  /** The chat that receives signals: always allowed ("" for none). */
  readonly chatId: string | number;
  /** Further chats allowed to send commands: ids, or `@username` of public chats. */
  readonly allowedChatIds: readonly (string | number)[];
  readonly store: CommandStore;
  /** Health of every series, now. */
  readonly series: () => readonly SeriesHealth[];
  /** The daemon's clock, epoch ms. */
  readonly now: () => number;
  /** Equity at the start of trading (config `portfolio` balance), USDT. */
  readonly initialEquity: number;
  readonly log: (line: CommandLogLine) => void;
  /** Drop commands sent while the daemon was down (default true: no stale `/resume`). */
  readonly dropPendingUpdates?: boolean;
  /** Register the command list with `setMyCommands` at start (default true). */
  readonly setCommands?: boolean;
  /**
   * API transformers for the replies: the sender's per-chat pacing, and its
   * `sentIdTransformer` so replies in the signal chat are known to its checks.
   */
  readonly transformers?: readonly Transformer[];
  /** How long `stop` waits for Telegram to confirm the handled updates, ms (default 5000). */
  readonly stopTimeoutMs?: number;
  /** Long-poll timeout, seconds (default 30). */
  readonly pollTimeoutSeconds?: number;
}

/** The running command bot. */
export interface TelegramCommands {
  /** True once long polling runs; false when the start failed (logged) or it was stopped first. */
  readonly ready: Promise<boolean>;
  /** Stops polling (confirming the updates handled) and waits for the handler to finish. */
  stop(): Promise<void>;
}

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === "object" && value !== null
    ? value as Record<string, unknown>
    : null;
}

function finite(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

/**
 * Reads an open position row (its state is the portfolio's open trade) for the answers.
 *
 * @param row A stored open position.
 * @returns The snapshot, or null when the state is not an open trade.
 */
export function positionSnapshotOf(row: PositionRow): PositionSnapshot | null {
  const p = record(record(row.state)?.position);
  if (p === null) return null;
  const { referencePrice, stop, tpFilled, remaining, quantity, tp } = p;
  if (
    !finite(referencePrice) || !finite(stop) || !finite(tpFilled) ||
    !finite(remaining) || !finite(quantity) || !Array.isArray(tp)
  ) return null;
  return {
    symbol: row.symbol,
    timeframe: row.timeframe,
    side: row.side,
    entryPrice: referencePrice,
    stop,
    tpFilled,
    tpCount: tp.length,
    remainingPct: remaining * 100,
    remainingNotional: quantity * remaining * referencePrice,
  };
}

/**
 * Equity now: the portfolio's balance plus the open trades marked at their series' last close
 * (as the portfolio sizes with), else the last daily equity point, else the start equity.
 *
 * @param store The state store.
 * @param initialEquity The start equity.
 * @returns Equity, USDT.
 */
export function equityNow(
  store: Pick<CommandStore, "portfolioState" | "equity">,
  initialEquity: number,
): number {
  const book = record(record(store.portfolioState())?.book);
  if (book !== null && finite(book.balance)) {
    const open = Array.isArray(book.open) ? book.open : [];
    const closes = Array.isArray(book.lastClose) ? book.lastClose : [];
    let equity = book.balance;
    open.forEach((trade, s) => {
      const p = record(record(trade)?.position);
      const close: unknown = closes[s];
      if (
        p === null || !finite(close) || !finite(p.entryPrice) ||
        !finite(p.quantity) || !finite(p.remaining)
      ) return;
      equity += unrealizedPnl(p as unknown as Position, close);
    });
    return equity;
  }
  return store.equity().at(-1)?.equity ?? initialEquity;
}

/** Cuts the token (plain and URL-encoded) out of a text (an error may carry the request URL). */
const redact = redactToken;

/** The error and what caused it (grammY's `HttpError.error`, often with the URL and token). */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const inner = "error" in error ? error.error : error.cause;
  const cause = inner === undefined ? "" : `: ${describe(inner)}`;
  return `${error.name}: ${error.message}${cause}`;
}

type Answer = (args: string) => string;

function answers(o: TelegramCommandsOptions): Record<string, Answer> {
  const { store } = o;
  const positions = () =>
    store.openPositions().flatMap((row) => positionSnapshotOf(row) ?? []);
  const paused = () => store.setting("paused") === "true";
  return {
    status: () =>
      answerStatus({
        now: o.now(),
        series: o.series(),
        positions: positions(),
        equity: equityNow(store, o.initialEquity),
        paused: paused(),
      }),
    positions: () => answerPositions(positions()),
    signals: (args) => {
      const n = parseCount(args, "signals");
      return n.ok ? answerSignals(store.signals({ limit: n.count })) : n.answer;
    },
    profit: () =>
      answerProfit({
        tradePnls: store.trades().map((t) => t.pnlQuote),
        equity: equityNow(store, o.initialEquity),
        initialEquity: o.initialEquity,
      }),
    daily: (args) => {
      const n = parseCount(args, "daily");
      return n.ok
        ? answerDaily({
          points: store.equity(),
          initialEquity: o.initialEquity,
          tradeExitTimes: store.trades().map((t) => t.exitTime),
          days: n.count,
        })
        : n.answer;
    },
    pause: () => {
      const was = paused();
      store.setSetting("paused", "true");
      return answerPaused(true, was);
    },
    resume: () => {
      const was = paused();
      store.setSetting("paused", "false");
      return answerPaused(false, was);
    },
    help: () => answerHelp(),
  };
}

/**
 * Starts the command bot: long polling for messages, answering the commands in the allowed
 * chats. Returns at once; `ready` tells when polling runs.
 *
 * @param options Token, API root, chats, state store, series health, clock, start equity, log.
 * @returns The running bot.
 */
export function startTelegramCommands(
  options: TelegramCommandsOptions,
): TelegramCommands {
  const { token, log } = options;
  const bot = new Bot(token, {
    ...(options.botInfo === undefined ? {} : { botInfo: options.botInfo }),
    client: {
      ...(options.apiRoot === undefined ? {} : { apiRoot: options.apiRoot }),
      baseFetchConfig: freshConnections(options.apiRoot),
    },
  });
  for (const t of options.transformers ?? []) bot.api.config.use(t);
  const allowed = new Set(
    [options.chatId, ...options.allowedChatIds].map(String).filter((id) =>
      id !== ""
    ),
  );
  const refused = new Set<string>();
  const isAllowed = (ctx: Context): boolean => {
    const chat = ctx.chat;
    if (chat === undefined) return false;
    const name = "username" in chat && chat.username !== undefined
      ? `@${chat.username}`
      : undefined;
    return allowed.has(String(chat.id)) ||
      (name !== undefined && allowed.has(name));
  };
  bot.catch((error) => {
    log({
      level: "error",
      msg: "telegram command failed",
      error: redact(describe(error.error), token),
    });
  });
  bot.use(async (ctx, next) => {
    if (isAllowed(ctx)) return await next();
    const id = String(ctx.chat?.id ?? "unknown");
    const text = ctx.message?.text ?? "";
    if (text.startsWith("/") && !refused.has(id)) {
      refused.add(id);
      log({
        level: "warn",
        msg: "telegram command from a chat that is not allowed: ignored",
        chatId: id,
        command: redact(text.split(/\s/, 1)[0]!.slice(0, 40), token),
      });
    }
  });
  for (const [name, build] of Object.entries(answers(options))) {
    bot.command(name, async (ctx) => {
      let text: string;
      try {
        text = build(typeof ctx.match === "string" ? ctx.match : "");
      } catch (error) {
        log({
          level: "error",
          msg: "telegram command could not be answered",
          command: name,
          error: redact(describe(error), token),
        });
        text = `⚠️ Cannot answer /${name} now: see the daemon log`;
      }
      for (const part of splitMessage(text)) await ctx.reply(part);
    });
  }
  const started = Promise.withResolvers<boolean>();
  const running = bot.start({
    allowed_updates: ["message"],
    drop_pending_updates: options.dropPendingUpdates ?? true,
    timeout: options.pollTimeoutSeconds ?? 30,
    onStart: () => started.resolve(true),
  }).catch((error: unknown) => {
    log({
      level: "error",
      msg: "telegram command polling stopped",
      error: redact(describe(error), token),
    });
  }).finally(() => started.resolve(false));
  const aborter = new AbortController();
  const registered = !(options.setCommands ?? true)
    ? Promise.resolve()
    : bot.api.setMyCommands(
      COMMANDS.map((c) => ({ command: c.command, description: c.description })),
      {},
      // grammY's npm build types its signal with the abort-controller shim; a native one works.
      aborter.signal as Parameters<typeof bot.api.setMyCommands>[2],
    ).then(() => {}, (error: unknown) => {
      log({
        level: "warn",
        msg: "telegram commands could not be registered",
        error: redact(describe(error), token),
      });
    });
  return {
    ready: started.promise,
    async stop() {
      aborter.abort();
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        // The confirming getUpdates has no timeout of its own; do not hang a shutdown on it.
        await Promise.race([
          bot.stop(),
          new Promise((resolve) => {
            timer = setTimeout(resolve, options.stopTimeoutMs ?? 5000);
          }),
        ]);
      } catch (error) {
        log({
          level: "warn",
          msg: "telegram command polling did not stop cleanly",
          error: redact(describe(error), token),
        });
      }
      clearTimeout(timer);
      await Promise.all([running, registered]);
    },
  };
}
