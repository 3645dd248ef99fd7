/**
 * Telegram message texts (DESIGN §2 Telegram, spec §11): the Cornix signal of §11.1 with an
 * `Exchanges:` line and tick-size rounding, the position updates and alerts of §11.2 in English
 * or Russian, and {@link splitMessage} for Telegram's 4096-character limit. Plain text only: no
 * parse mode, so nothing needs escaping. Pure: inputs are plain records, outputs strings.
 *
 * Signs: a `+` is printed for values that round to ≥ 0, a `-` for the others; the original
 * printed USD losses without their minus (spec §13.9 #58), which is fixed here in both languages.
 *
 * @module
 */
import type { TradeRecord } from "./backtest/records.ts";
import type { SignalRecord } from "./state_types.ts";
import {
  type CloseCause,
  type Language,
  type Texts,
  textsOf,
} from "./telegram_texts.ts";
import { movePct } from "./ladder.ts";
import type { Side } from "./types.ts";

export type { CloseCause, Language } from "./telegram_texts.ts";

/** Telegram's limit on the text of one message, in UTF-16 code units. */
export const TELEGRAM_MESSAGE_LIMIT = 4096;

/** The quote assets recognised when splitting a symbol, in the order spec §11.1 tries them. */
const QUOTES = ["USDT", "BUSD", "USDC", "BTC", "ETH"] as const;

/** What the Cornix signal message needs: the signal and its ladder as the position holds it. */
export interface SignalMessageInput {
  /** The signal (only `symbol` and `side` are printed). */
  readonly signal: Pick<SignalRecord, "symbol" | "side">;
  /** The entry price the ladder is measured from (the position's reference price). */
  readonly entry: number;
  /** Take-profit prices, TP1 first (1 to 10; VELAS sends 6); ascending for a LONG, descending for a SHORT. */
  readonly tps: readonly number[];
  /** The initial stop: below the entry for a LONG, above for a SHORT. */
  readonly stop: number;
  /** Integer leverage 1..125; 10 when omitted (DESIGN §2 Portfolio: Cross 10x). */
  readonly leverage?: number;
}

/** Options of {@link formatSignal}. */
export interface SignalFormatOptions {
  /** Text of the `Exchanges:` line after the header; `Binance Futures` when omitted, no line when empty. */
  readonly exchangeLine?: string;
  /** Margin mode stated with the leverage; `cross` when omitted. */
  readonly marginMode?: "cross" | "isolated";
  /** The symbol's price tick (exchange info); spec §11.1's magnitude rule when omitted. */
  readonly tickSize?: number;
}

/** Options of the update, summary and alert formatters. */
export interface MessageOptions {
  /** Language of the texts; `en` when omitted. */
  readonly language?: Language;
  /** The symbol's price tick; spec §11.1's magnitude rule when omitted. */
  readonly tickSize?: number;
}

/** Where a stop stands: the initial stop, the entry (breakeven), or a filled TP (cascade). */
export type StopLevel = "initial" | "breakeven" | { readonly tp: number };

/** Fields every position message carries. */
export interface PositionRef {
  readonly symbol: string;
  readonly side: Side;
  /** Printed after the side when given (a symbol may have positions on several timeframes). */
  readonly timeframe?: string;
}

/** A take-profit fill. */
export interface TpHitInput extends PositionRef {
  /** Which TP, 1-based. */
  readonly tpIndex: number;
  /** Fill price. */
  readonly price: number;
  /** The entry price the move is measured from. */
  readonly entryPrice: number;
  /** Share of the original position closed by this fill, percent. */
  readonly closedPct: number;
  /** Share of the original position still open after it, percent. */
  readonly remainingPct: number;
  /** The stop after this fill, when the fill moved it. */
  readonly newStop?: {
    readonly price: number;
    readonly level: Exclude<StopLevel, "initial">;
  };
}

/** A stop fill. */
export interface StopHitInput extends PositionRef {
  readonly price: number;
  readonly entryPrice: number;
  /** Share of the original position closed by this fill, percent; 100 when omitted. */
  readonly closedPct?: number;
  /** PnL of this fill, quote currency, signed. */
  readonly pnlQuote: number;
  /** Where the stop stood; `initial` when omitted. */
  readonly level?: StopLevel;
}

/** The stop moved (breakeven after TP1, or the cascade). */
export interface StopMovedInput extends PositionRef {
  readonly stop: number;
  readonly level: Exclude<StopLevel, "initial">;
}

/** A position closed outside its ladder, e.g. by an opposite signal. */
export interface CloseInput extends PositionRef {
  readonly reason: CloseCause;
  readonly price: number;
  readonly entryPrice: number;
  /** Share of the original position closed, percent. */
  readonly closedPct: number;
  /** PnL of this fill, quote currency, signed. */
  readonly pnlQuote: number;
}

/** The trade summary: a {@link TradeRecord} has every field. */
export type TradeSummaryInput = Pick<
  TradeRecord,
  | "symbol"
  | "side"
  | "timeframe"
  | "entryPrice"
  | "exitPrice"
  | "exitReason"
  | "tpHits"
  | "pnlQuote"
  | "pnlPct"
  | "entryTime"
  | "exitTime"
>;

/** A signal the portfolio refused (a `DecisionRecord` with `accepted: false`). */
export interface RefusedInput extends PositionRef {
  /** The rule and detail in words, e.g. `max-positions: 5 of 5 open`. */
  readonly reason: string;
}

/** One open position in the daily summary. */
export interface OpenPositionLine extends PositionRef {
  readonly entryPrice: number;
  /** Unrealised PnL, percent of the entry notional, when known. */
  readonly unrealizedPct?: number;
}

/** The daily summary. */
export interface DailySummaryInput {
  /** The day in the display time zone, `YYYY-MM-DD`. */
  readonly date: string;
  /** Signals emitted in the day. */
  readonly signals: number;
  /** Trades closed in the day. */
  readonly trades: number;
  /** Closed trades with a net PnL > 0; the win rate is wins / trades. */
  readonly wins: number;
  /** The day's PnL, percent of the equity at its start. */
  readonly pnlPct: number;
  /** The day's PnL, quote currency. */
  readonly pnlQuote: number;
  /** Equity at the end of the day, quote currency. */
  readonly equity: number;
  readonly best?: { readonly symbol: string; readonly pnlPct: number };
  readonly worst?: { readonly symbol: string; readonly pnlPct: number };
  readonly openPositions: readonly OpenPositionLine[];
}

/** A system alert (spec §11.2 `format_system_alert`). */
export interface SystemAlertInput {
  /** `error` 🔴, `warning` ⚠️, `info` ℹ️, `success` ✅, anything else 📢. */
  readonly level: string;
  readonly message: string;
}

/** A series without closed candles (DESIGN §2: stale after 2 intervals), or back again. */
export interface StaleAlertInput {
  readonly symbol: string;
  readonly timeframe: string;
  /** Intervals without a closed candle. */
  readonly intervals: number;
  /** Close time of the last closed candle, epoch ms, or null when there was none. */
  readonly lastCloseTime: number | null;
  /** True for the all-clear message once candles arrive again. */
  readonly resumed?: boolean;
}

/**
 * `BTCUSDT` → `BTC/USDT`: the first quote suffix of USDT, BUSD, USDC, BTC, ETH (spec §11.1);
 * other symbols unchanged.
 *
 * @param symbol Exchange symbol.
 * @returns `BASE/QUOTE`.
 */
export function formatPair(symbol: string): string {
  const quote = quoteOf(symbol);
  return quote === null ? symbol : `${symbol.slice(0, -quote.length)}/${quote}`;
}

function quoteOf(symbol: string): string | null {
  return QUOTES.find((q) => symbol.length > q.length && symbol.endsWith(q)) ??
    null;
}

/**
 * Fixed-point text as Python's `f"{x:.{digits}f}"`: the exact binary value rounded, exact ties to
 * even (JavaScript's `toFixed` rounds ties up).
 *
 * @param x The number.
 * @param digits Decimals, 0..20.
 * @returns The text.
 */
export function pyFixed(x: number, digits: number): string {
  if (x < 0 || Object.is(x, -0)) return `-${pyFixed(-x, digits)}`;
  const rounded = x.toFixed(digits);
  if (!(x < 1e21)) return rounded;
  const exact = x.toFixed(100);
  const dot = exact.indexOf(".");
  if (!/^50*$/.test(exact.slice(dot + 1 + digits))) return rounded;
  const truncated = exact.slice(0, digits === 0 ? dot : dot + 1 + digits);
  return Number(truncated.at(-1)) % 2 === 0 ? truncated : rounded;
}

function magnitudeDecimals(price: number): number {
  if (price >= 10_000) return 1;
  if (price >= 100) return 2;
  if (price >= 1) return 4;
  return 6;
}

function tickDecimals(tick: number): number {
  for (let d = 0; d < 16; d++) {
    const scaled = tick * 10 ** d;
    if (Math.abs(scaled - Math.round(scaled)) <= 1e-9 * scaled) return d;
  }
  return 16;
}

function checkTick(tickSize: number): void {
  if (!(Number.isFinite(tickSize) && tickSize > 0)) {
    throw new RangeError(
      `Cannot format a price as 'tickSize' must be a positive finite number: current value is ${tickSize}`,
    );
  }
}

/**
 * A price as text: rounded to the nearest multiple of `tickSize` with the tick's decimals when the
 * tick is given, else spec §11.1's rule (≥ 10 000: 1 decimal, ≥ 100: 2, ≥ 1: 4, else 6).
 *
 * @param price The price.
 * @param tickSize The symbol's price tick, when known.
 * @returns The text, e.g. `42500.0`, `2300.50`, `1.3100`, `0.000123`.
 * @throws {RangeError} When `tickSize` is not a positive finite number.
 */
export function formatPrice(price: number, tickSize?: number): string {
  if (tickSize === undefined) {
    return pyFixed(price, magnitudeDecimals(Math.abs(price)));
  }
  checkTick(tickSize);
  return pyFixed(
    Math.round(price / tickSize) * tickSize,
    tickDecimals(tickSize),
  );
}

/** `+1.0` / `-2.4`: the sign of the rounded value, `+` for zero (never `-0.0`). */
function signed(x: number, digits: number): string {
  const text = pyFixed(Math.abs(x), digits);
  return Number(text) === 0 || x >= 0 ? `+${text}` : `-${text}`;
}

function money(t: Texts, amount: number, symbol: string): string {
  const sign = signed(amount, 2).slice(0, 1);
  return t.money(sign, pyFixed(Math.abs(amount), 2), quoteOf(symbol) ?? "USDT");
}

function header(icon: string, word: string, ref: PositionRef): string {
  const tf = ref.timeframe === undefined ? "" : ` ${ref.timeframe}`;
  return `${icon} ${word} — ${formatPair(ref.symbol)} ${ref.side}${tf}`;
}

function levelTag(t: Texts, level: Exclude<StopLevel, "initial">): string {
  return level === "breakeven" ? t.breakevenTag : `TP${level.tp}`;
}

/** Prints the ladder; in tick mode, levels closer than a tick are pushed outward by whole ticks. */
function ladderTexts(
  side: Side,
  levels: { entry: number; tps: readonly number[]; stop: number },
  tickSize: number | undefined,
): { entry: string; tps: string[]; stop: string } {
  const dir = side === "LONG" ? 1 : -1;
  if (tickSize !== undefined) {
    checkTick(tickSize);
    const d = tickDecimals(tickSize);
    const ticks = (p: number) => Math.round(p / tickSize);
    const entry = ticks(levels.entry);
    let previous = entry;
    const tps = levels.tps.map((p) => {
      const n = dir > 0
        ? Math.max(ticks(p), previous + 1)
        : Math.min(ticks(p), previous - 1);
      previous = n;
      return n;
    });
    const stop = dir > 0
      ? Math.min(ticks(levels.stop), entry - 1)
      : Math.max(ticks(levels.stop), entry + 1);
    if (Math.min(stop, previous) < 1) {
      throw new RangeError(
        `Cannot format the signal as 'tickSize' must be fine enough for every level to stay positive: current value is ${tickSize}`,
      );
    }
    const text = (n: number) => pyFixed(n * tickSize, d);
    return { entry: text(entry), tps: tps.map(text), stop: text(stop) };
  }
  // Spec §11.1's rule, with more decimals only when it would print two levels equal.
  for (let extra = 0;; extra++) {
    const text = (p: number) => pyFixed(p, magnitudeDecimals(p) + extra);
    const out = {
      entry: text(levels.entry),
      tps: levels.tps.map(text),
      stop: text(levels.stop),
    };
    const chain = [out.stop, out.entry, ...out.tps].map(Number);
    if (
      extra >= 10 ||
      chain.every((v, i) => i === 0 || dir * (v - chain[i - 1]!) > 0)
    ) {
      return out;
    }
  }
}

function checkSignal(input: SignalMessageInput, leverage: number): void {
  const bad = (field: string, rule: string, value: unknown): never => {
    throw new RangeError(
      `Cannot format the signal as '${field}' must be ${rule}: current value is ${value}`,
    );
  };
  const { side } = input.signal;
  if (side !== "LONG" && side !== "SHORT") {
    bad("signal.side", "LONG or SHORT", side);
  }
  const positive = (p: number) => Number.isFinite(p) && p > 0;
  if (!positive(input.entry)) {
    bad("entry", "a positive finite number", input.entry);
  }
  if (!positive(input.stop)) {
    bad("stop", "a positive finite number", input.stop);
  }
  if (input.tps.length < 1 || input.tps.length > 10) {
    bad("tps", "1 to 10 prices", `${input.tps.length} prices`);
  }
  if (!input.tps.every(positive)) {
    bad("tps", "positive finite numbers", input.tps.join(", "));
  }
  if (!(Number.isInteger(leverage) && leverage >= 1 && leverage <= 125)) {
    bad("leverage", "an integer from 1 to 125", leverage);
  }
  const dir = side === "LONG" ? 1 : -1;
  const where = side === "LONG" ? "below" : "above";
  if (dir * (input.entry - input.stop) <= 0) {
    bad("stop", `${where} 'entry' (${input.entry}) for a ${side}`, input.stop);
  }
  const chain = [input.entry, ...input.tps];
  if (!chain.every((v, i) => i === 0 || dir * (v - chain[i - 1]!) > 0)) {
    const order = side === "LONG" ? "ascending above" : "descending below";
    bad(
      "tps",
      `${order} 'entry' (${input.entry}) for a ${side}`,
      input.tps.join(", "),
    );
  }
}

/**
 * The Cornix signal message (spec §11.1 plus the `Exchanges:` line after the header, DESIGN §2):
 * plain text, one entry, one line per TP, one stop, `Leverage: Cross (10X)`.
 *
 * @param input The signal and its ladder.
 * @param options Exchange line, margin mode, tick size.
 * @returns The message text, lines joined by `\n`, no trailing newline.
 * @throws {RangeError} When a price is not positive, the stop or a TP is on the wrong side of the
 * entry, the TPs are not in order, there are not 1 to 10 TPs, or the leverage is not 1..125.
 */
export function formatSignal(
  input: SignalMessageInput,
  options: SignalFormatOptions = {},
): string {
  const leverage = input.leverage ?? 10;
  checkSignal(input, leverage);
  const { side, symbol } = input.signal;
  const exchange = options.exchangeLine ?? "Binance Futures";
  const margin = options.marginMode === "isolated" ? "Isolated" : "Cross";
  const texts = ladderTexts(side, input, options.tickSize);
  return [
    `⚡⚡ #${formatPair(symbol)} ⚡⚡`,
    ...(exchange === "" ? [] : [`Exchanges: ${exchange}`]),
    "",
    `Signal Type: Regular (${side === "LONG" ? "Long" : "Short"})`,
    "",
    `Leverage: ${margin} (${leverage}X)`,
    "",
    "Entry Zone:",
    texts.entry,
    "",
    "Take-Profit Targets:",
    ...texts.tps.map((tp, i) => `${i + 1}) ${tp}`),
    "",
    "Stop Targets:",
    `1) ${texts.stop}`,
  ].join("\n");
}

/**
 * A take-profit fill (spec §11.2 `format_tp_hit`), with the stop move when the fill moved it.
 *
 * @param input The fill and the position after it.
 * @param options Language and tick size.
 * @returns The message text.
 */
export function formatTpHit(
  input: TpHitInput,
  options: MessageOptions = {},
): string {
  const t = textsOf(options.language ?? "en");
  const price = (p: number) => formatPrice(p, options.tickSize);
  const lines = [
    header("✅", `TP${input.tpIndex} HIT`, input),
    t.closedAt(
      pyFixed(input.closedPct, 0),
      price(input.price),
      signed(movePct(input.side, input.price, input.entryPrice), 1),
    ),
  ];
  if (input.newStop !== undefined) {
    lines.push(
      t.stopMoved(price(input.newStop.price), levelTag(t, input.newStop.level)),
    );
  }
  const remaining = pyFixed(input.remainingPct, 0);
  lines.push(Number(remaining) === 0 ? t.fullyClosed : t.remaining(remaining));
  return lines.join("\n");
}

/**
 * A stop fill (spec §11.2 `format_sl_hit`) with the signed result; a loss prints its minus.
 *
 * @param input The fill.
 * @param options Language and tick size.
 * @returns The message text.
 */
export function formatStopHit(
  input: StopHitInput,
  options: MessageOptions = {},
): string {
  const t = textsOf(options.language ?? "en");
  const level = input.level ?? "initial";
  const tag = level === "initial" ? "" : ` (${levelTag(t, level)})`;
  return [
    header("⛔", `SL HIT${tag}`, input),
    t.closedAt(
      pyFixed(input.closedPct ?? 100, 0),
      formatPrice(input.price, options.tickSize),
      signed(movePct(input.side, input.price, input.entryPrice), 1),
    ),
    t.result(money(t, input.pnlQuote, input.symbol)),
  ].join("\n");
}

/**
 * The stop moved: to breakeven after TP1, or to TP(n−1) by the cascade (spec §11.2
 * `format_position_update`: `📊 {SYM} {SIDE}` then the update).
 *
 * @param input The position and its new stop.
 * @param options Language and tick size.
 * @returns The message text.
 */
export function formatStopMoved(
  input: StopMovedInput,
  options: MessageOptions = {},
): string {
  const t = textsOf(options.language ?? "en");
  const tf = input.timeframe === undefined ? "" : ` ${input.timeframe}`;
  return [
    `📊 ${formatPair(input.symbol)} ${input.side}${tf}`,
    t.stopMoved(
      formatPrice(input.stop, options.tickSize),
      levelTag(t, input.level),
    ),
  ].join("\n");
}

/**
 * A position closed outside its ladder: by an opposite signal, by hand, or at the end of data.
 *
 * @param input The closing fill.
 * @param options Language and tick size.
 * @returns The message text.
 */
export function formatClose(
  input: CloseInput,
  options: MessageOptions = {},
): string {
  const t = textsOf(options.language ?? "en");
  return [
    header("🔄", t.closedBy[input.reason], input),
    t.closedAt(
      pyFixed(input.closedPct, 0),
      formatPrice(input.price, options.tickSize),
      signed(movePct(input.side, input.price, input.entryPrice), 1),
    ),
    t.result(money(t, input.pnlQuote, input.symbol)),
  ].join("\n");
}

function duration(ms: number): string {
  const minutes = ms / 60_000;
  if (minutes < 60) return `${Math.floor(minutes)}m`;
  if (minutes < 1440) return `${pyFixed(minutes / 60, 1)}h`;
  return `${pyFixed(minutes / 1440, 1)}d`;
}

/**
 * The trade summary once a position is fully closed: prices, TPs hit, reason, duration and the
 * net PnL (fees and funding included) in percent and quote currency, both signed.
 *
 * @param input The trade (a `TradeRecord`).
 * @param options Language and tick size.
 * @returns The message text.
 */
export function formatTradeSummary(
  input: TradeSummaryInput,
  options: MessageOptions = {},
): string {
  const t = textsOf(options.language ?? "en");
  const price = (p: number) => formatPrice(p, options.tickSize);
  const won = Number(pyFixed(input.pnlQuote, 2)) >= 0;
  return [
    header("📊", t.positionClosed, input),
    won ? t.profit : t.loss,
    `${t.openPrice}: ${price(input.entryPrice)}`,
    `${t.closePrice}: ${price(input.exitPrice)}`,
    `${t.tpsHit}: ${input.tpHits}/6`,
    t.reason(t.exitReasons[input.exitReason] ?? input.exitReason),
    `${t.duration}: ${duration(input.exitTime - input.entryTime)}`,
    `${t.netPnl}: ${signed(input.pnlPct, 2)}% (${
      money(t, input.pnlQuote, input.symbol)
    })`,
  ].join("\n");
}

/**
 * A signal the portfolio refused (optional, off by default); in Russian the original
 * "cancelled" text `❌ ОТМЕНЁН — {SYM} {SIDE}` / `Причина: {reason}`.
 *
 * @param input The signal and the reason.
 * @param options Language.
 * @returns The message text.
 */
export function formatSignalRefused(
  input: RefusedInput,
  options: MessageOptions = {},
): string {
  const t = textsOf(options.language ?? "en");
  return [header("❌", t.refused, input), t.reason(input.reason)].join("\n");
}

/**
 * The daily summary (spec §11.2 `format_daily_summary`, losses signed), then signals, equity and
 * the open positions, one per line. Long summaries need {@link splitMessage}.
 *
 * @param input The day's figures.
 * @param options Language (prices use spec §11.1's rule: the lines mix symbols).
 * @returns The message text.
 * @throws {RangeError} When `date` is not `YYYY-MM-DD`.
 */
export function formatDailySummary(
  input: DailySummaryInput,
  options: MessageOptions = {},
): string {
  const t = textsOf(options.language ?? "en");
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(input.date);
  if (day === null) {
    throw new RangeError(
      `Cannot format the daily summary as 'date' must be YYYY-MM-DD: current value is ${input.date}`,
    );
  }
  const winRate = input.trades > 0 ? (input.wins / input.trades) * 100 : 0;
  const extreme = (label: string, e: DailySummaryInput["best"]) =>
    e === undefined ? [] : [`${label}: ${e.symbol} ${signed(e.pnlPct, 1)}%`];
  const pnlMoney = money(t, input.pnlQuote, "USDT");
  const equity = t.money("", pyFixed(input.equity, 2), "USDT");
  return [
    `📊 ${t.dailyHeader} — ${day[3]}.${day[2]}.${day[1]}`,
    "",
    `${t.trades}: ${input.trades}`,
    `Win Rate: ${pyFixed(winRate, 1)}%`,
    `PnL: ${signed(input.pnlPct, 2)}% (${pnlMoney})`,
    ...extreme(t.best, input.best),
    ...extreme(t.worst, input.worst),
    `${t.signals}: ${input.signals}`,
    `${t.equity}: ${equity}`,
    "",
    `${t.openPositions}: ${input.openPositions.length}`,
    ...input.openPositions.map((p) => {
      const tf = p.timeframe === undefined ? "" : ` ${p.timeframe}`;
      const pnl = p.unrealizedPct === undefined
        ? ""
        : ` (${signed(p.unrealizedPct, 1)}%)`;
      return `${formatPair(p.symbol)} ${p.side}${tf} @ ${
        formatPrice(p.entryPrice)
      }${pnl}`;
    }),
  ].join("\n");
}

const ALERT_ICONS: Readonly<Record<string, string>> = {
  error: "🔴",
  warning: "⚠️",
  info: "ℹ️",
  success: "✅",
};

/**
 * A system alert (spec §11.2 `format_system_alert`): `{icon} SYSTEM` then the message.
 *
 * @param input Level and message.
 * @param options Language.
 * @returns The message text (may exceed the limit if the message does: split it).
 */
export function formatSystemAlert(
  input: SystemAlertInput,
  options: MessageOptions = {},
): string {
  const t = textsOf(options.language ?? "en");
  return `${ALERT_ICONS[input.level] ?? "📢"} ${t.system}\n${input.message}`;
}

function utcMinute(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/**
 * A stale series (no closed candle for `intervals` intervals), or the all-clear when `resumed`.
 *
 * @param input The series and how long it has been silent.
 * @param options Language.
 * @returns The message text.
 */
export function formatStaleAlert(
  input: StaleAlertInput,
  options: MessageOptions = {},
): string {
  const t = textsOf(options.language ?? "en");
  const series = `${formatPair(input.symbol)} ${input.timeframe}`;
  const last = input.lastCloseTime === null
    ? t.noCandle
    : `${t.lastCandle}: ${utcMinute(input.lastCloseTime)}`;
  if (input.resumed === true) {
    return [`✅ ${t.resumedHeader} — ${series}`, last].join("\n");
  }
  return [`⚠️ ${t.staleHeader} — ${series}`, t.staleFor(input.intervals), last]
    .join("\n");
}

/**
 * Splits a text into messages of at most `limit` UTF-16 code units, at line boundaries; a single
 * line longer than the limit is cut (never inside a surrogate pair). Joining the parts with `\n`
 * gives back the text when no line was cut.
 *
 * @param text The text.
 * @param limit The limit; Telegram's 4096 when omitted.
 * @returns One or more parts, none empty unless the text is.
 * @throws {RangeError} When `limit` is not an integer ≥ 2.
 */
export function splitMessage(
  text: string,
  limit: number = TELEGRAM_MESSAGE_LIMIT,
): string[] {
  if (!(Number.isInteger(limit) && limit >= 2)) {
    throw new RangeError(
      `Cannot split a message as 'limit' must be an integer of at least 2: current value is ${limit}`,
    );
  }
  if (text.length <= limit) return [text];
  const parts: string[] = [];
  let current: string | null = null;
  for (let line of text.split("\n")) {
    while (line.length > limit) {
      if (current !== null) {
        parts.push(current);
        current = null;
      }
      let cut = limit;
      const code = line.charCodeAt(cut - 1);
      if (code >= 0xd800 && code <= 0xdbff) cut--;
      parts.push(line.slice(0, cut));
      line = line.slice(cut);
    }
    if (current === null) current = line;
    else if (current.length + 1 + line.length <= limit) current += `\n${line}`;
    else {
      parts.push(current);
      current = line;
    }
  }
  if (current !== null) parts.push(current);
  return parts;
}
