/**
 * Outbox row → Telegram text (DESIGN §2 Telegram; issue 8 items 2-3). Maps each row kind written
 * by `outboxOf` (`actors/portfolio_actor.ts`) to the pure formatter of `core/telegram_format.ts`
 * and applies the per-type switches (on / silent / off).
 *
 * Payloads come from SQLite as `unknown`, so they are checked here: a malformed payload throws a
 * `TypeError`, a formatter refusal a `RangeError`; the notifier turns both into a non-retryable
 * `NotifierError` (a row that cannot be formatted is never retried forever).
 *
 * Fill rows carry the trade as it stood after the whole step (`position` after the step, or null
 * and `closed` set once the trade closed), so:
 * - a TP's closed share is the fill quantity over the position quantity (the trade's quantity is
 *   `notional / entryPrice` once closed); the remaining share is the position's after this TP
 *   (TPs filled later in the same step are added back), or 0 once the trade closed in the step;
 * - the stop move is told on the TP that moved it by the {@link StopRule} (cascade: the last TP
 *   filled in the step, TP1 → breakeven, TPn → TPn−1; breakeven mode: TP `breakevenAfterTp`),
 *   and only when the position's stop is indeed at that level;
 * - a stop or close result is the fill's PnL net of its fee, signed.
 *
 * @module
 */
import {
  type CloseCause,
  type DailySummaryInput,
  formatClose,
  formatDailySummary,
  formatSignal,
  formatStaleAlert,
  formatStopHit,
  formatSystemAlert,
  formatTpHit,
  formatTradeSummary,
  type Language,
  type OpenPositionLine,
  type StopLevel,
  type TpHitInput,
  type TradeSummaryInput,
} from "../core/telegram_format.ts";
import type { StopMode } from "../core/ladder_levels.ts";
import type { OutboxRow } from "../core/state_types.ts";
import type { Side } from "../core/types.ts";

/** The outbox row kinds that become Telegram messages. */
export const MESSAGE_KINDS = [
  "signal",
  "tp",
  "stop",
  "close",
  "closed",
  "daily",
  "alert",
  "stale",
] as const;

/** One outbox row kind that becomes a Telegram message. */
export type MessageKind = typeof MESSAGE_KINDS[number];

/** Per-type switch: send, send without sound, or acknowledge without sending. */
export type MessageSwitch = "on" | "silent" | "off";

/** Switches by kind; a missing kind is `on`. */
export type MessageSwitches = Readonly<
  Partial<Record<MessageKind, MessageSwitch>>
>;

/** How the ladder moves the stop (config `ladder.stop_mode`), to tell stop moves in TP messages. */
export interface StopRule {
  readonly mode: StopMode;
  /** For `breakeven` mode: the TP after which the stop goes to the entry. */
  readonly breakevenAfterTp: number;
}

/** Options of {@link textOf}. */
export interface DispatchOptions {
  /** Language of the update messages (the Cornix signal is always English). */
  readonly language: Language;
  /** The `Exchanges:` line of the signal message; empty for none. */
  readonly exchangeLine: string;
  /** The symbol's price tick, when exchange info knows it. */
  readonly tickSize?: (symbol: string) => number | undefined;
  /** Per-type switches (default: all `on`). */
  readonly switches?: MessageSwitches;
  /** The stop rule of the ladder (default: cascade). */
  readonly stopRule?: StopRule;
}

/** The message of one row. */
export interface DispatchedText {
  readonly text: string;
  /** Send with `disable_notification` (switch `silent`). */
  readonly silent: boolean;
}

const CASCADE: StopRule = { mode: "cascade", breakevenAfterTp: 1 };
const CLOSE_CAUSES: readonly string[] = ["signal", "end-of-data", "manual"];

/**
 * Whether an outbox kind is one {@link textOf} formats.
 *
 * @param kind The row's kind.
 * @returns True for `signal`, `tp`, `stop`, `close`, `closed`, `daily`, `alert` and `stale`.
 */
export function isMessageKind(kind: string): kind is MessageKind {
  return (MESSAGE_KINDS as readonly string[]).includes(kind);
}

/**
 * The Telegram text of an outbox row.
 *
 * @param row The outbox row.
 * @param options Language, exchange line, tick sizes, switches and stop rule.
 * @returns The text and whether to send it silently, or undefined when its switch is `off`.
 * @throws {RangeError} When the kind is not a message kind or the formatter refuses the values.
 * @throws {TypeError} When the payload lacks a field the message needs.
 */
export function textOf(
  row: OutboxRow,
  options: DispatchOptions,
): DispatchedText | undefined {
  const kind = row.kind;
  if (!isMessageKind(kind)) {
    throw new RangeError(
      `Cannot format outbox row as 'kind' must be one of ${
        MESSAGE_KINDS.join(", ")
      }: current value is ${kind}`,
    );
  }
  const mode = options.switches?.[kind] ?? "on";
  if (mode === "off") return undefined;
  const text = format(kind, new Reader(row.payload, "payload"), options);
  return { text, silent: mode === "silent" };
}

function format(
  kind: MessageKind,
  payload: Reader,
  options: DispatchOptions,
): string {
  const tick = (symbol: string) => {
    const size = options.tickSize?.(symbol);
    return size === undefined ? {} : { tickSize: size };
  };
  if (kind === "signal") {
    const symbol = payload.str("symbol");
    return formatSignal({
      signal: { symbol, side: payload.side("side") },
      entry: payload.num("entry"),
      tps: payload.nums("tps"),
      stop: payload.num("stop"),
      ...(payload.has("leverage") ? { leverage: payload.num("leverage") } : {}),
    }, { exchangeLine: options.exchangeLine, ...tick(symbol) });
  }
  if (kind === "daily") {
    return formatDailySummary(dailyOf(payload), { language: options.language });
  }
  if (kind === "alert") {
    return formatSystemAlert({
      level: payload.str("level"),
      message: payload.str("message"),
    }, { language: options.language });
  }
  if (kind === "stale") {
    const last = payload.has("lastCloseTime")
      ? payload.num("lastCloseTime")
      : null;
    return formatStaleAlert({
      symbol: payload.str("symbol"),
      timeframe: payload.str("timeframe"),
      intervals: payload.num("intervals"),
      lastCloseTime: last,
      ...(payload.has("resumed") ? { resumed: payload.bool("resumed") } : {}),
    }, { language: options.language });
  }
  if (kind === "closed") {
    const trade = tradeOf(payload);
    return formatTradeSummary(trade, {
      language: options.language,
      ...tick(trade.symbol),
    });
  }
  const fill = payload.at("fill");
  const trade = payload.at("trade");
  const ref = {
    symbol: trade.str("symbol"),
    side: trade.side("side"),
    timeframe: trade.str("timeframe"),
  };
  const position = trade.maybe("position");
  const closed = trade.maybe("closed");
  const quantity = position !== undefined
    ? position.num("quantity")
    : closed !== undefined
    ? closed.num("notional") / closed.num("entryPrice")
    : undefined;
  const price = fill.num("price");
  const entryPrice = trade.num("entryPrice");
  const share = quantity === undefined
    ? 100
    : (fill.num("quantity") / quantity) * 100;
  const net = fill.num("pnl") - fill.num("fee");
  const messageOptions = { language: options.language, ...tick(ref.symbol) };
  if (kind === "tp") {
    if (quantity === undefined) {
      throw new TypeError(
        "Cannot format outbox row as 'payload.trade' must hold 'position' or 'closed': current value has neither",
      );
    }
    const tpIndex = fill.num("tpIndex");
    const input: TpHitInput = {
      ...ref,
      tpIndex,
      price,
      entryPrice,
      closedPct: share,
      remainingPct: position === undefined
        ? 0
        : remainingAfter(position, tpIndex) * 100,
    };
    const moved = position === undefined
      ? undefined
      : stopMovedBy(position, tpIndex, options.stopRule ?? CASCADE);
    return formatTpHit(
      moved === undefined ? input : { ...input, newStop: moved },
      messageOptions,
    );
  }
  if (kind === "stop") {
    return formatStopHit({
      ...ref,
      price,
      entryPrice,
      closedPct: share,
      pnlQuote: net,
      level: stopLevelOf(position, closed),
    }, messageOptions);
  }
  const reason = closed?.str("exitReason");
  return formatClose({
    ...ref,
    reason: reason !== undefined && CLOSE_CAUSES.includes(reason)
      ? reason as CloseCause
      : "signal",
    price,
    entryPrice,
    closedPct: share,
    pnlQuote: net,
  }, messageOptions);
}

/** Share of the position open after TP `k`: the position's, plus TPs filled later in the step. */
function remainingAfter(position: Reader, k: number): number {
  const shares = position.nums("shares");
  const filled = position.num("tpFilled");
  let remaining = position.num("remaining");
  for (let j = k; j < filled; j++) remaining += shares[j] ?? 0;
  return Math.min(1, Math.max(0, remaining));
}

function stopMovedBy(
  position: Reader,
  k: number,
  rule: StopRule,
): { price: number; level: Exclude<StopLevel, "initial"> } | undefined {
  const stop = position.num("stop");
  const reference = position.num("referencePrice");
  const tps = position.nums("tp");
  if (rule.mode === "cascade" && k === position.num("tpFilled")) {
    const target = k === 1 ? reference : tps[k - 2];
    if (target === stop) {
      return { price: stop, level: k === 1 ? "breakeven" : { tp: k - 1 } };
    }
  }
  if (
    rule.mode === "breakeven" && k === rule.breakevenAfterTp &&
    stop === reference
  ) {
    return { price: stop, level: "breakeven" };
  }
  return undefined;
}

function stopLevelOf(
  position: Reader | undefined,
  closed: Reader | undefined,
): StopLevel {
  if (closed !== undefined) {
    const reason = closed.str("exitReason");
    if (reason === "breakeven") return "breakeven";
    const hits = closed.num("tpHits");
    if (reason === "trailing-stop" && hits >= 2) return { tp: hits - 1 };
    return "initial";
  }
  if (position === undefined) return "initial";
  const stop = position.num("stop");
  if (stop === position.num("referencePrice")) return "breakeven";
  const index = position.nums("tp").indexOf(stop);
  return index >= 0 ? { tp: index + 1 } : "initial";
}

function dailyOf(payload: Reader): DailySummaryInput {
  const extreme = (key: string) => {
    const e = payload.maybe(key);
    return e === undefined
      ? {}
      : { [key]: { symbol: e.str("symbol"), pnlPct: e.num("pnlPct") } };
  };
  return {
    date: payload.str("date"),
    signals: payload.num("signals"),
    trades: payload.num("trades"),
    wins: payload.num("wins"),
    pnlPct: payload.num("pnlPct"),
    pnlQuote: payload.num("pnlQuote"),
    equity: payload.num("equity"),
    ...extreme("best"),
    ...extreme("worst"),
    openPositions: payload.list("openPositions").map(
      (p): OpenPositionLine => ({
        symbol: p.str("symbol"),
        side: p.side("side"),
        ...(p.has("timeframe") ? { timeframe: p.str("timeframe") } : {}),
        // NaN when the position's state had no entry price (printed as such).
        entryPrice: p.anyNum("entryPrice"),
        ...(p.has("unrealizedPct")
          ? { unrealizedPct: p.num("unrealizedPct") }
          : {}),
      }),
    ),
  };
}

function tradeOf(payload: Reader): TradeSummaryInput {
  return {
    symbol: payload.str("symbol"),
    side: payload.side("side"),
    timeframe: payload.str("timeframe"),
    entryPrice: payload.num("entryPrice"),
    exitPrice: payload.num("exitPrice"),
    exitReason: payload.str("exitReason"),
    tpHits: payload.num("tpHits"),
    pnlQuote: payload.num("pnlQuote"),
    pnlPct: payload.num("pnlPct"),
    entryTime: payload.num("entryTime"),
    exitTime: payload.num("exitTime"),
  };
}

/** Typed reads of an unknown JSON object, with the path in every error. */
class Reader {
  readonly #value: Readonly<Record<string, unknown>>;
  readonly #path: string;

  constructor(value: unknown, path: string) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new TypeError(
        `Cannot format outbox row as '${path}' must be an object: current value is ${
          value === null ? "null" : typeof value
        }`,
      );
    }
    this.#value = value as Readonly<Record<string, unknown>>;
    this.#path = path;
  }

  has(key: string): boolean {
    return this.#value[key] !== undefined && this.#value[key] !== null;
  }

  at(key: string): Reader {
    return new Reader(this.#value[key], `${this.#path}.${key}`);
  }

  /** The object at `key`, or undefined when it is null or missing. */
  maybe(key: string): Reader | undefined {
    return this.has(key) ? this.at(key) : undefined;
  }

  /** The objects of the array at `key`. */
  list(key: string): Reader[] {
    const value = this.#value[key];
    if (!Array.isArray(value)) this.#bad(key, "an array", value);
    return (value as unknown[]).map((v, i) =>
      new Reader(v, `${this.#path}.${key}[${i}]`)
    );
  }

  /** A number, NaN and infinities included (JSON state columns keep them). */
  anyNum(key: string): number {
    const value = this.#value[key];
    if (typeof value !== "number") this.#bad(key, "a number", value);
    return value as number;
  }

  bool(key: string): boolean {
    const value = this.#value[key];
    if (typeof value !== "boolean") this.#bad(key, "a boolean", value);
    return value as boolean;
  }

  num(key: string): number {
    const value = this.#value[key];
    if (typeof value !== "number" || !Number.isFinite(value)) {
      this.#bad(key, "a finite number", value);
    }
    return value as number;
  }

  nums(key: string): number[] {
    const value = this.#value[key];
    if (
      !Array.isArray(value) ||
      !value.every((v) => typeof v === "number" && Number.isFinite(v))
    ) {
      this.#bad(key, "an array of finite numbers", value);
    }
    return value as number[];
  }

  str(key: string): string {
    const value = this.#value[key];
    if (typeof value !== "string") this.#bad(key, "a string", value);
    return value as string;
  }

  side(key: string): Side {
    const value = this.#value[key];
    if (value !== "LONG" && value !== "SHORT") {
      this.#bad(key, "LONG or SHORT", value);
    }
    return value as Side;
  }

  #bad(key: string, rule: string, value: unknown): never {
    throw new TypeError(
      `Cannot format outbox row as '${this.#path}.${key}' must be ${rule}: current value is ${
        JSON.stringify(value) ?? String(value)
      }`,
    );
  }
}
