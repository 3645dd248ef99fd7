/**
 * The words of the Telegram messages in English (the default) and Russian (the original texts of
 * spec §11.2, with the sign of losses fixed). `telegram_format.ts` assembles the lines; this file
 * only holds the phrases, so a language is one table. The Cornix signal message is not here: it
 * is always English, because Cornix parses its keywords.
 *
 * English texts avoid the words Cornix reads as an entry (`Entry`, `Buy`), so no update message
 * can be mistaken for a new signal.
 *
 * @module
 */

/** Language of the messages (config `telegram.language`). */
export type Language = "en" | "ru";

/** Why a position was closed outside its ladder (`core/position_update.ts` `CloseReason`). */
export type CloseCause = "signal" | "end-of-data" | "manual";

/** The phrases of one language. Arguments are already formatted strings. */
export interface Texts {
  /** `Закрыто 20% по 42925.0 (+1.0%)`. */
  readonly closedAt: (share: string, price: string, pct: string) => string;
  /** `SL перемещён: → 42500.0 (БУ)`. */
  readonly stopMoved: (price: string, tag: string) => string;
  /** The tag of a stop at breakeven: `БУ`. */
  readonly breakevenTag: string;
  /** `Осталось: 80% позиции`. */
  readonly remaining: (pct: string) => string;
  /** Said instead of {@link Texts.remaining} when nothing remains. */
  readonly fullyClosed: string;
  /** `Результат: -$48.20`. */
  readonly result: (money: string) => string;
  /** A signed amount: `-$48.20` (ru, as the original) or `-48.20 USDT` (en). */
  readonly money: (sign: string, abs: string, quote: string) => string;
  /** Header word of a position closed outside the ladder, per cause. */
  readonly closedBy: Readonly<Record<CloseCause, string>>;
  /** Header word of a refused signal. */
  readonly refused: string;
  /** `Причина: {reason}`. */
  readonly reason: (text: string) => string;
  /** Header word of a system alert. */
  readonly system: string;
  /** Header word of a trade summary. */
  readonly positionClosed: string;
  /** Outcome line of a winning trade. */
  readonly profit: string;
  /** Outcome line of a losing trade. */
  readonly loss: string;
  /** Label of the entry fill price in a trade summary. */
  readonly openPrice: string;
  /** Label of the last exit fill price in a trade summary. */
  readonly closePrice: string;
  /** Label of the take-profits filled. */
  readonly tpsHit: string;
  /** Label of the holding time. */
  readonly duration: string;
  /** Label of the net PnL. */
  readonly netPnl: string;
  /** Exit reasons of `TradeRecord.exitReason`, in words. */
  readonly exitReasons: Readonly<Record<string, string>>;
  /** Header word of the daily summary. */
  readonly dailyHeader: string;
  /** Label of the number of trades closed in the day. */
  readonly trades: string;
  /** Label of the number of signals emitted in the day. */
  readonly signals: string;
  /** Label of the best trade. */
  readonly best: string;
  /** Label of the worst trade. */
  readonly worst: string;
  /** Label of the equity at the end of the day. */
  readonly equity: string;
  /** Label of the open positions. */
  readonly openPositions: string;
  /** Header word of a stale series. */
  readonly staleHeader: string;
  /** Header word of a series whose candles arrive again. */
  readonly resumedHeader: string;
  /** `No closed candle for 3 intervals`. */
  readonly staleFor: (intervals: number) => string;
  /** Label of the last closed candle's close time. */
  readonly lastCandle: string;
  /** Said when the series never had a closed candle. */
  readonly noCandle: string;
}

const RU_EXIT_REASONS: Readonly<Record<string, string>> = {
  tp6: "все тейк-профиты",
  tp: "тейк-профит",
  stop: "стоп",
  breakeven: "безубыток",
  "trailing-stop": "подтянутый стоп",
  signal: "противоположный сигнал",
  "end-of-data": "конец данных",
  manual: "вручную",
};

const EN_EXIT_REASONS: Readonly<Record<string, string>> = {
  tp6: "all take-profits",
  tp: "take-profit",
  stop: "stop",
  breakeven: "breakeven",
  "trailing-stop": "trailing stop",
  signal: "opposite signal",
  "end-of-data": "end of data",
  manual: "manual",
};

function ruIntervals(n: number): string {
  const mod10 = n % 10;
  const mod100 = n % 100;
  if (mod10 === 1 && mod100 !== 11) return "интервал";
  if (mod10 >= 2 && mod10 <= 4 && (mod100 < 12 || mod100 > 14)) {
    return "интервала";
  }
  return "интервалов";
}

/** Russian: the original texts of spec §11.2 and new ones in their style. */
const RU: Texts = Object.freeze({
  closedAt: (share: string, price: string, pct: string) =>
    `Закрыто ${share}% по ${price} (${pct}%)`,
  stopMoved: (price: string, tag: string) =>
    `SL перемещён: → ${price} (${tag})`,
  breakevenTag: "БУ",
  remaining: (pct: string) => `Осталось: ${pct}% позиции`,
  fullyClosed: "Позиция полностью закрыта",
  result: (money: string) => `Результат: ${money}`,
  money: (sign: string, abs: string) => `${sign}$${abs}`,
  closedBy: Object.freeze({
    signal: "ЗАКРЫТО ПРОТИВОПОЛОЖНЫМ СИГНАЛОМ",
    "end-of-data": "ЗАКРЫТО (КОНЕЦ ДАННЫХ)",
    manual: "ЗАКРЫТО ВРУЧНУЮ",
  }),
  refused: "ОТМЕНЁН",
  reason: (text: string) => `Причина: ${text}`,
  system: "СИСТЕМА",
  positionClosed: "ПОЗИЦИЯ ЗАКРЫТА",
  profit: "✅ PROFIT",
  loss: "❌ LOSS",
  openPrice: "Вход",
  closePrice: "Выход",
  tpsHit: "TP",
  duration: "Длительность",
  netPnl: "P&L",
  exitReasons: RU_EXIT_REASONS,
  dailyHeader: "ИТОГИ ДНЯ",
  trades: "Сделок",
  signals: "Сигналов",
  best: "Лучшая",
  worst: "Худшая",
  equity: "Капитал",
  openPositions: "Открытые позиции",
  staleHeader: "НЕТ ДАННЫХ",
  resumedHeader: "ДАННЫЕ ИДУТ",
  staleFor: (n: number) => `Нет закрытой свечи ${n} ${ruIntervals(n)}`,
  lastCandle: "Последняя свеча",
  noCandle: "Свечей ещё не было",
});

/** English, the default. */
const EN: Texts = Object.freeze({
  closedAt: (share: string, price: string, pct: string) =>
    `Closed ${share}% at ${price} (${pct}%)`,
  stopMoved: (price: string, tag: string) => `Stop moved: → ${price} (${tag})`,
  breakevenTag: "breakeven",
  remaining: (pct: string) => `Remaining: ${pct}% of the position`,
  fullyClosed: "Position fully closed",
  result: (money: string) => `Result: ${money}`,
  money: (sign: string, abs: string, quote: string) => `${sign}${abs} ${quote}`,
  closedBy: Object.freeze({
    signal: "CLOSED BY OPPOSITE SIGNAL",
    "end-of-data": "CLOSED (END OF DATA)",
    manual: "CLOSED MANUALLY",
  }),
  refused: "SIGNAL REFUSED",
  reason: (text: string) => `Reason: ${text}`,
  system: "SYSTEM",
  positionClosed: "POSITION CLOSED",
  profit: "✅ PROFIT",
  loss: "❌ LOSS",
  openPrice: "Open price",
  closePrice: "Close price",
  tpsHit: "TPs hit",
  duration: "Duration",
  netPnl: "Net PnL",
  exitReasons: EN_EXIT_REASONS,
  dailyHeader: "DAILY SUMMARY",
  trades: "Trades",
  signals: "Signals",
  best: "Best",
  worst: "Worst",
  equity: "Equity",
  openPositions: "Open positions",
  staleHeader: "STALE DATA",
  resumedHeader: "DATA RESUMED",
  staleFor: (n: number) =>
    `No closed candle for ${n} interval${n === 1 ? "" : "s"}`,
  lastCandle: "Last candle close",
  noCandle: "No candle yet",
});

/**
 * The phrases of a language.
 *
 * @param language `en` or `ru`.
 * @returns The frozen phrase table.
 */
export function textsOf(language: Language): Texts {
  return language === "ru" ? RU : EN;
}
