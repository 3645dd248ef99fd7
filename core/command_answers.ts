/**
 * Answers of the Telegram bot commands (DESIGN §2 Telegram, issue 8 item 4): `/status`,
 * `/positions`, `/signals [n]`, `/profit`, `/daily [n]`, `/pause`, `/resume` and `/help`, built
 * from plain snapshots of the daemon's state. Pure: the caller reads the state store and the
 * clock; times print in UTC, amounts in USDT with their sign, prices with spec §11.1's rule.
 * Plain text (no parse mode); long answers need `splitMessage` of `telegram_format.ts`.
 *
 * @module
 */
import { eventDay } from "./backtest/daily_equity.ts";
import type { DecisionRecord, EquityPoint } from "./backtest/records.ts";
import { positionRisk } from "./portfolio.ts";
import type { SignalRecord } from "./state_types.ts";
import { formatPair, formatPrice, pyFixed } from "./telegram_format.ts";
import { type Side, timeframeMs } from "./types.ts";

/** Health of one series: its last processed closed candle and whether it is stale. */
export interface SeriesHealth {
  /** `SYMBOL:tf`. */
  readonly key: string;
  /** Open time of the last closed candle processed, or null before the first. */
  readonly lastOpenTime: number | null;
  /** No closed candle for 2 intervals (DESIGN §2 Live data). */
  readonly stale: boolean;
}

/** One open position as the answers print it. */
export interface PositionSnapshot {
  readonly symbol: string;
  readonly timeframe: string;
  readonly side: Side;
  /** The ladder's entry (the signal price the TPs and breakeven are measured from). */
  readonly entryPrice: number;
  /** The stop in force. */
  readonly stop: number;
  readonly tpFilled: number;
  readonly tpCount: number;
  /** Share of the position still open, percent. */
  readonly remainingPct: number;
  /** Notional still open at the entry price, USDT. */
  readonly remainingNotional: number;
}

/** What `/status` shows. */
export interface StatusInput {
  /** Now, epoch ms. */
  readonly now: number;
  readonly series: readonly SeriesHealth[];
  readonly positions: readonly PositionSnapshot[];
  /** Current equity, USDT; heat is omitted when null. */
  readonly equity: number | null;
  /** Whether opening new positions is paused. */
  readonly paused: boolean;
}

/** A stored signal with its decision, when there is one. */
export type SignalLine =
  & Pick<SignalRecord, "symbol" | "timeframe" | "side" | "time" | "price">
  & {
    readonly decision?: Pick<DecisionRecord, "accepted" | "rule" | "detail">;
  };

/** What `/profit` shows. */
export interface ProfitInput {
  /** Net PnL of every closed trade, USDT. */
  readonly tradePnls: readonly number[];
  /** Equity now, USDT, or null when unknown. */
  readonly equity: number | null;
  /** Equity at the start of trading, USDT. */
  readonly initialEquity: number;
}

/** What `/daily` shows. */
export interface DailyInput {
  /** Completed daily equity points, ascending. */
  readonly points: readonly EquityPoint[];
  /** Equity before the first point, USDT. */
  readonly initialEquity: number;
  /** Exit times of the closed trades, epoch ms (counted per day). */
  readonly tradeExitTimes: readonly number[];
  /** How many days, newest last. */
  readonly days: number;
}

/** A command the bot answers. */
export interface CommandInfo {
  readonly command: string;
  /** `/signals [n]`. */
  readonly usage: string;
  readonly description: string;
}

/** Count limits of `/signals` and `/daily`. */
export const COUNT_LIMITS = {
  signals: { default: 10, max: 50 },
  daily: { default: 7, max: 90 },
} as const;

const { signals: SIG, daily: DAY } = COUNT_LIMITS;

/** The commands, in `/help` order (also what `setMyCommands` registers). */
export const COMMANDS: readonly CommandInfo[] = ([
  ["status", "", "Series health, open positions, heat, paused or not"],
  ["positions", "", "Open positions: entry, stop, TPs hit, remaining"],
  [
    "signals",
    " [n]",
    `Last n signals, decisions (${SIG.default}, max ${SIG.max})`,
  ],
  ["profit", "", "Closed trades, win rate, net PnL, equity"],
  ["daily", " [n]", `Last n days of equity (${DAY.default}, max ${DAY.max})`],
  ["pause", "", "Stop opening new positions (open ones stay tracked)"],
  ["resume", "", "Open new positions again"],
  ["help", "", "This list"],
] as const).map(([command, args, description]) => ({
  command,
  usage: `/${command}${args}`,
  description,
}));

/** A parsed count argument, or the usage text to answer instead. */
export type CountArg =
  | { readonly ok: true; readonly count: number }
  | { readonly ok: false; readonly answer: string };

/**
 * Parses the `[n]` of `/signals` or `/daily`: empty gives the default, a positive integer is
 * capped at the maximum, anything else gives the usage text.
 *
 * @param text The text after the command.
 * @param command Which command.
 * @returns The count, or the answer to send instead.
 */
export function parseCount(
  text: string,
  command: keyof typeof COUNT_LIMITS,
): CountArg {
  const limits = COUNT_LIMITS[command];
  const arg = text.trim();
  if (arg === "") return { ok: true, count: limits.default };
  if (/^[0-9]{1,9}$/.test(arg) && Number(arg) >= 1) {
    return { ok: true, count: Math.min(Number(arg), limits.max) };
  }
  return {
    ok: false,
    answer: `Usage: /${command} [n], n a whole number from 1 to ${limits.max}`,
  };
}

/** `+1.23` / `-1.23`: the sign of the rounded value, `+` for zero. */
function signed(x: number, digits: number): string {
  const text = pyFixed(Math.abs(x), digits);
  return Number(text) === 0 || x >= 0 ? `+${text}` : `-${text}`;
}

/** `1 day`, `3 days`. */
function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function usdt(x: number): string {
  return `${pyFixed(x, 2)} USDT`;
}

function utcMinute(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** `45s`, `12m`, `3h 05m`, `2d 04h`. */
function duration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${String(m % 60).padStart(2, "0")}m`;
  return `${Math.floor(h / 24)}d ${String(h % 24).padStart(2, "0")}h`;
}

function splitKey(key: string): { symbol: string; timeframe: string } {
  const at = key.includes(":") ? key.lastIndexOf(":") : key.length;
  return { symbol: key.slice(0, at), timeframe: key.slice(at + 1) };
}

function tfMs(timeframe: string): number {
  return /^[1-9][0-9]*[mhd]$/.test(timeframe) ? timeframeMs(timeframe) : NaN;
}

function seriesLines(now: number, series: readonly SeriesHealth[]): string[] {
  const byTf = new Map<string, SeriesHealth[]>();
  for (const s of series) {
    const tf = splitKey(s.key).timeframe;
    byTf.set(tf, [...(byTf.get(tf) ?? []), s]);
  }
  const tfs = [...byTf.keys()].sort((a, b) =>
    (tfMs(a) - tfMs(b)) || a.localeCompare(b)
  );
  const stale = series.filter((s) => s.stale);
  const lines = [`Series: ${series.length} (${stale.length} stale)`];
  for (const tf of tfs) {
    const members = byTf.get(tf)!;
    const opens = members.flatMap((s) =>
      s.lastOpenTime === null ? [] : [s.lastOpenTime]
    );
    const head = `${tf} (${members.length})`;
    if (opens.length === 0 || Number.isNaN(tfMs(tf))) {
      lines.push(`${head}: no closed candle yet`);
      continue;
    }
    const close = Math.max(...opens) + tfMs(tf);
    lines.push(
      `${head}: last close ${utcMinute(close)}, lag ${duration(now - close)}`,
    );
  }
  const names = stale.map((s) => {
    const { symbol, timeframe } = splitKey(s.key);
    return `${formatPair(symbol)} ${timeframe}`;
  });
  return stale.length === 0 ? lines : [...lines, `Stale: ${names.join(", ")}`];
}

/**
 * The `/status` answer: trading paused or not, per timeframe the last closed candle and its lag,
 * stale series by name, open positions and heat (Σ remaining notional × distance from entry to
 * the current stop / equity; omitted without a positive equity).
 *
 * @param input The snapshot.
 * @returns The text.
 */
export function answerStatus(input: StatusInput): string {
  // Heat as the portfolio's rule computes it: breakeven or better counts 0.
  const risk = input.positions.reduce((sum, p) => sum + positionRisk(p), 0);
  const heat = input.equity !== null && input.equity > 0
    ? risk / input.equity * 100
    : null;
  return [
    `📊 VELAS status — ${utcMinute(input.now)}`,
    input.paused
      ? "Trading: ⏸ paused (no new positions; open ones stay tracked)"
      : "Trading: ▶️ active",
    ...seriesLines(input.now, input.series),
    `Open positions: ${input.positions.length}`,
    ...(heat === null ? [] : [`Heat: ${pyFixed(heat, 2)}% of equity`]),
  ].join("\n");
}

/**
 * The `/positions` answer: per open position the pair, timeframe, side, entry, current stop, TPs
 * hit and the share still open.
 *
 * @param positions The open positions, in opening order.
 * @returns The text (may exceed Telegram's limit: split it).
 */
export function answerPositions(
  positions: readonly PositionSnapshot[],
): string {
  if (positions.length === 0) return "📈 No open positions";
  const blocks = positions.map((p) => {
    const breakeven = p.stop === p.entryPrice ? " (breakeven)" : "";
    return [
      `${formatPair(p.symbol)} ${p.timeframe} ${p.side}`,
      `Entry ${formatPrice(p.entryPrice)} · Stop ${
        formatPrice(p.stop)
      }${breakeven}`,
      `TPs hit ${p.tpFilled}/${p.tpCount} · Remaining ${
        pyFixed(p.remainingPct, 0)
      }%`,
    ].join("\n");
  });
  return [`📈 Open positions: ${positions.length}`, ...blocks].join("\n\n");
}

const DETAIL_MAX = 120;

function decisionText(d: SignalLine["decision"]): string {
  if (d === undefined) return "⏸ no decision";
  if (d.accepted) return "✅ accepted";
  const detail = d.detail.length > DETAIL_MAX
    ? `${d.detail.slice(0, DETAIL_MAX - 1)}…`
    : d.detail;
  return `❌ refused: ${d.rule}${detail === "" ? "" : ` (${detail})`}`;
}

/**
 * The `/signals` answer: one line per signal, newest first, with the decision and its rule.
 *
 * @param signals The signals, newest first (already limited to n).
 * @returns The text.
 */
export function answerSignals(signals: readonly SignalLine[]): string {
  if (signals.length === 0) return "📡 No signals yet";
  return [
    `📡 Last ${count(signals.length, "signal")} (newest first)`,
    ...signals.map((s) => {
      const what = `${formatPair(s.symbol)} ${s.timeframe} ${s.side}`;
      const at = `${what} @ ${formatPrice(s.price)}`;
      return `${utcMinute(s.time)} · ${at} · ${decisionText(s.decision)}`;
    }),
  ].join("\n");
}

/**
 * The `/profit` answer: closed trades, win rate (net PnL > 0), net PnL and equity against the
 * start, all signed.
 *
 * @param input Trade PnLs and equity.
 * @returns The text.
 */
export function answerProfit(input: ProfitInput): string {
  const n = input.tradePnls.length;
  const wins = input.tradePnls.filter((p) => p > 0).length;
  const net = input.tradePnls.reduce((sum, p) => sum + p, 0);
  const lines = [
    "💰 Profit",
    `Closed trades: ${n}`,
    n === 0
      ? "Win rate: n/a"
      : `Win rate: ${pyFixed(wins / n * 100, 1)}% (${wins} of ${n})`,
    `Net PnL: ${signed(net, 2)} USDT`,
  ];
  if (input.equity !== null) {
    const change = input.initialEquity > 0
      ? `, ${signed((input.equity / input.initialEquity - 1) * 100, 2)}%`
      : "";
    lines.push(
      `Equity: ${usdt(input.equity)} (start ${
        usdt(input.initialEquity)
      }${change})`,
    );
  }
  return lines.join("\n");
}

/**
 * The `/daily` answer: the last n completed UTC days, each with its closing equity, the change
 * against the day before (the start equity for the first day) and the trades closed in it.
 *
 * @param input Equity points, start equity, trade exit times and n.
 * @returns The text.
 */
export function answerDaily(input: DailyInput): string {
  const { points } = input;
  if (points.length === 0) {
    return "📅 No completed day yet: equity is recorded at the end of each UTC day";
  }
  const perDay = new Map<number, number>();
  for (const t of input.tradeExitTimes) {
    const day = eventDay(t);
    perDay.set(day, (perDay.get(day) ?? 0) + 1);
  }
  const first = Math.max(0, points.length - input.days);
  const lines: string[] = [];
  for (let i = first; i < points.length; i++) {
    const point = points[i]!;
    const before = i === 0 ? input.initialEquity : points[i - 1]!.equity;
    const change = point.equity - before;
    const pct = before > 0 ? `, ${signed(change / before * 100, 2)}%` : "";
    const day = new Date(point.time).toISOString().slice(0, 10);
    const trades = count(perDay.get(point.time) ?? 0, "trade");
    const move = `${signed(change, 2)} USDT${pct}`;
    lines.push(`${day}: ${usdt(point.equity)} (${move}) · ${trades}`);
  }
  const days = count(points.length - first, "day");
  return [`📅 Last ${days} (UTC)`, ...lines].join("\n");
}

/**
 * The `/pause` and `/resume` answers.
 *
 * @param paused The new state: true after `/pause`.
 * @param wasPaused The state before.
 * @returns The text.
 */
export function answerPaused(paused: boolean, wasPaused: boolean): string {
  if (paused) {
    return `⏸ ${
      wasPaused ? "Already paused" : "Paused"
    }: no new positions will be opened; open positions stay tracked. /resume to continue`;
  }
  return `▶️ ${
    wasPaused ? "Resumed" : "Not paused"
  }: new signals may open positions`;
}

/**
 * The `/help` answer: every command with its usage.
 *
 * @returns The text.
 */
export function answerHelp(): string {
  const lines = COMMANDS.map((c) => `${c.usage} — ${c.description}`);
  return ["VELAS commands", ...lines].join("\n");
}
