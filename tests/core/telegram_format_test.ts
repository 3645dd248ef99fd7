/**
 * Tests of the Telegram texts: the Cornix signal (spec §11.1 plus the Exchanges line), checked by
 * a parser that follows Cornix's keyword rules; the update messages in English and Russian (spec
 * §11.2, losses signed); and splitting under Telegram's 4096-character limit.
 */
import { strict as assert } from "node:assert";
import {
  DEFAULT_LADDER,
  ladderPrices,
  regimeLadder,
} from "../../core/ladder.ts";
import {
  formatClose,
  formatDailySummary,
  formatPair,
  formatPrice,
  formatSignal,
  formatSignalRefused,
  formatStaleAlert,
  formatStopHit,
  formatStopMoved,
  formatSystemAlert,
  formatTpHit,
  formatTradeSummary,
  type Language,
  type OpenPositionLine,
  pyFixed,
  type SignalMessageInput,
  splitMessage,
  TELEGRAM_MESSAGE_LIMIT,
} from "../../core/telegram_format.ts";
import { REGIMES, type Side } from "../../core/types.ts";

/** What Cornix reads from a message. */
interface CornixSignal {
  readonly pair: string;
  readonly side: "long" | "short";
  readonly entries: number[];
  readonly targets: number[];
  readonly stops: number[];
  readonly leverage: number | null;
  readonly margin: "cross" | "isolated" | null;
}

type Section = "entry" | "targets" | "stop";

/**
 * Reads a message as Cornix's free-text parser does (help.cornix.io "Signal Posting"): a full
 * pair `BASE/QUOTE`; the `Buy`/`Entry` keyword is required; `Stop` or a take-profit keyword
 * (`Take Profit`, `Target`, `TP`, `Sell`) is required; prices follow their keyword on the same line
 * or on the next lines (list numbers like `1)` are not prices) until an empty or other line;
 * leverage after `Leverage`/`Lev` as `10x`; the side is the word Long/Short, else inferred from
 * the prices. `Stop` is tested first, so `Stop Targets` is the stop.
 *
 * @returns The signal, or null when the message is not a signal.
 */
function cornixParse(text: string): CornixSignal | null {
  const pairMatch = /#?\b([A-Z0-9]{2,})\/([A-Z0-9]{2,})\b/.exec(text);
  const found: Record<Section, number[]> = { entry: [], targets: [], stop: [] };
  const seen = new Set<Section>();
  let leverage: number | null = null;
  let margin: CornixSignal["margin"] = null;
  let section: Section | null = null;
  const numbers = (s: string) =>
    [...s.matchAll(/\d+(?:\.\d+)?/g)].map((m) => Number(m[0]));
  for (const line of text.split("\n")) {
    const keywords: [Section, RegExp][] = [
      ["stop", /\bstop\b/i],
      ["targets", /\b(take[\s-]?profits?|targets?|tp\d*|sell)\b/i],
      ["entry", /\b(entry|buy)\b/i],
    ];
    const lev = /\b(leverage|lev)\b/i.exec(line);
    if (lev !== null) {
      const x = /(\d+)\s*x\b/i.exec(line.slice(lev.index));
      leverage = x === null ? null : Number(x[1]);
      const mode = /\b(cross|isolated)\b/i.exec(line);
      margin = mode === null
        ? null
        : (mode[1]!.toLowerCase() as "cross" | "isolated");
      section = null;
      continue;
    }
    const hit = keywords
      .map(([s, re]) => [s, re.exec(line)] as const)
      .find(([, m]) => m !== null);
    if (hit !== undefined && hit[1] !== null) {
      section = hit[0];
      seen.add(section);
      found[section].push(
        ...numbers(line.slice(hit[1].index + hit[1][0].length)),
      );
      continue;
    }
    const values = numbers(line.replace(/^\s*\d+\)\s*/, ""));
    if (section === null || line.trim() === "" || values.length === 0) {
      section = null;
      continue;
    }
    found[section].push(...values);
  }
  if (pairMatch === null || !seen.has("entry")) return null;
  if (!seen.has("stop") && !seen.has("targets")) return null;
  const word = /\b(long|short)\b/i.exec(text);
  const side = word !== null
    ? (word[1]!.toLowerCase() as "long" | "short")
    : (found.targets[0] ?? 0) > (found.entry[0] ?? 0)
    ? "long"
    : "short";
  return {
    pair: `${pairMatch[1]}/${pairMatch[2]}`,
    side,
    entries: found.entry,
    targets: found.targets,
    stops: found.stop,
    leverage,
    margin,
  };
}

/** Checks what Cornix needs: keywords, one entry, stop on the correct side, targets in order. */
function assertCornixValid(text: string, side: Side, pair: string): void {
  const parsed = cornixParse(text);
  assert.ok(parsed !== null, `Cornix cannot parse:\n${text}`);
  assert.equal(parsed.pair, pair);
  assert.equal(parsed.side, side === "LONG" ? "long" : "short");
  assert.equal(parsed.entries.length, 1, text);
  assert.equal(parsed.stops.length, 1, text);
  assert.ok(parsed.targets.length >= 1 && parsed.targets.length <= 10, text);
  assert.equal(parsed.leverage, 10);
  const entry = parsed.entries[0]!;
  const dir = side === "LONG" ? 1 : -1;
  assert.ok(dir * (entry - parsed.stops[0]!) > 0, `stop side:\n${text}`);
  const chain = [entry, ...parsed.targets];
  chain.slice(1).forEach((v, i) =>
    assert.ok(dir * (v - chain[i]!) > 0, `targets order:\n${text}`)
  );
}

const SPEC_EXAMPLE: SignalMessageInput = {
  signal: { symbol: "BTCUSDT", side: "LONG" },
  entry: 42500,
  tps: [42925, 43350, 43988, 44625, 45900, 47600],
  stop: 41225,
};

Deno.test("formatSignal prints spec §11.1's example with the Exchanges line after the header", () => {
  assert.equal(
    formatSignal(SPEC_EXAMPLE),
    [
      "⚡⚡ #BTC/USDT ⚡⚡",
      "Exchanges: Binance Futures",
      "",
      "Signal Type: Regular (Long)",
      "",
      "Leverage: Cross (10X)",
      "",
      "Entry Zone:",
      "42500.0",
      "",
      "Take-Profit Targets:",
      "1) 42925.0",
      "2) 43350.0",
      "3) 43988.0",
      "4) 44625.0",
      "5) 45900.0",
      "6) 47600.0",
      "",
      "Stop Targets:",
      "1) 41225.0",
    ].join("\n"),
  );
  assertCornixValid(formatSignal(SPEC_EXAMPLE), "LONG", "BTC/USDT");
});

Deno.test("formatSignal prints a SHORT with targets below and the stop above, rounded to the tick", () => {
  const levels = ladderPrices("SHORT", 1.2793, DEFAULT_LADDER);
  const text = formatSignal(
    {
      signal: { symbol: "ARBUSDT", side: "SHORT" },
      entry: 1.2793,
      tps: levels.tp,
      stop: levels.stop,
    },
    { tickSize: 0.0001 },
  );
  assert.equal(
    text,
    [
      "⚡⚡ #ARB/USDT ⚡⚡",
      "Exchanges: Binance Futures",
      "",
      "Signal Type: Regular (Short)",
      "",
      "Leverage: Cross (10X)",
      "",
      "Entry Zone:",
      "1.2793",
      "",
      "Take-Profit Targets:",
      "1) 1.2665",
      "2) 1.2537",
      "3) 1.2409",
      "4) 1.2281",
      "5) 1.1834",
      "6) 1.1002",
      "",
      "Stop Targets:",
      "1) 1.3880",
    ].join("\n"),
  );
  assertCornixValid(text, "SHORT", "ARB/USDT");
});

Deno.test("every formatted signal parses with Cornix's keywords, the stop on its side and targets in order", () => {
  const prices = [0.0123, 0.5, 1.31, 99.99, 2300.5, 42500, 65000.12];
  const ticks = [undefined, 0.0000001, 0.00001, 0.0001, 0.01, 0.1, 0.5];
  let checked = 0;
  for (const side of ["LONG", "SHORT"] as const) {
    for (const price of prices) {
      for (const regime of REGIMES) {
        const levels = ladderPrices(
          side,
          price,
          regimeLadder(DEFAULT_LADDER, regime),
        );
        for (const tickSize of ticks) {
          if (tickSize !== undefined && tickSize > price / 100) continue;
          const text = formatSignal(
            {
              signal: { symbol: "ETHUSDT", side },
              entry: price,
              tps: levels.tp,
              stop: levels.stop,
            },
            tickSize === undefined ? {} : { tickSize },
          );
          assertCornixValid(text, side, "ETH/USDT");
          checked++;
        }
      }
    }
  }
  assert.ok(checked > 100);
});

Deno.test("formatSignal pushes levels a tick apart when the tick is coarser than the ladder", () => {
  const levels = ladderPrices("LONG", 0.0123, DEFAULT_LADDER);
  const text = formatSignal(
    {
      signal: { symbol: "DOGEUSDT", side: "LONG" },
      entry: 0.0123,
      tps: levels.tp,
      stop: levels.stop,
    },
    { tickSize: 0.001 },
  );
  const parsed = cornixParse(text);
  assert.deepEqual(parsed?.entries, [0.012]);
  assert.deepEqual(parsed?.targets, [0.013, 0.014, 0.015, 0.016, 0.017, 0.018]);
  assert.deepEqual(parsed?.stops, [0.011]);
  assertCornixValid(text, "LONG", "DOGE/USDT");
});

Deno.test("formatSignal adds decimals only when spec §11.1's rule would print two levels equal", () => {
  const levels = ladderPrices("SHORT", 0.00001234, DEFAULT_LADDER);
  const text = formatSignal({
    signal: { symbol: "PEPEUSDT", side: "SHORT" },
    entry: 0.00001234,
    tps: levels.tp,
    stop: levels.stop,
  });
  assert.ok(text.includes("Entry Zone:\n0.0000123\n"), text);
  assertCornixValid(text, "SHORT", "PEPE/USDT");
});

Deno.test("formatSignal states isolated margin, another leverage, and omits an empty exchange line", () => {
  const text = formatSignal(
    { ...SPEC_EXAMPLE, leverage: 20 },
    { marginMode: "isolated", exchangeLine: "" },
  );
  assert.ok(text.startsWith("⚡⚡ #BTC/USDT ⚡⚡\n\nSignal Type"), text);
  assert.ok(text.includes("\nLeverage: Isolated (20X)\n"));
  const parsed = cornixParse(text);
  assert.equal(parsed?.leverage, 20);
  assert.equal(parsed?.margin, "isolated");
  assert.ok(
    formatSignal(SPEC_EXAMPLE, { exchangeLine: "Bybit USDT" }).includes(
      "\nExchanges: Bybit USDT\n",
    ),
  );
});

Deno.test("formatSignal refuses a stop on the wrong side of the entry", () => {
  assert.throws(
    () => formatSignal({ ...SPEC_EXAMPLE, stop: 43000 }),
    new RangeError(
      "Cannot format the signal as 'stop' must be below 'entry' (42500) for a LONG: current value is 43000",
    ),
  );
  assert.throws(
    () =>
      formatSignal({
        ...SPEC_EXAMPLE,
        signal: { symbol: "BTCUSDT", side: "SHORT" },
        stop: 43000,
      }),
    new RangeError(
      "Cannot format the signal as 'tps' must be descending below 'entry' (42500) for a SHORT: current value is 42925, 43350, 43988, 44625, 45900, 47600",
    ),
  );
  assert.throws(
    () => formatSignal({ ...SPEC_EXAMPLE, leverage: 0 }),
    new RangeError(
      "Cannot format the signal as 'leverage' must be an integer from 1 to 125: current value is 0",
    ),
  );
});

Deno.test("formatPrice follows spec §11.1's examples, Python's ties to even, and the tick size", () => {
  assert.equal(formatPrice(42500.5), "42500.5");
  assert.equal(formatPrice(42500), "42500.0");
  assert.equal(formatPrice(2300.5), "2300.50");
  assert.equal(formatPrice(1.2345), "1.2345");
  assert.equal(formatPrice(1.31), "1.3100");
  assert.equal(formatPrice(0.000123), "0.000123");
  assert.equal(pyFixed(0.125, 2), "0.12");
  assert.equal(pyFixed(0.375, 2), "0.38");
  assert.equal(pyFixed(2.5, 0), "2");
  assert.equal(pyFixed(1.005, 2), "1.00");
  assert.equal(formatPrice(42925.123, 0.1), "42925.1");
  assert.equal(formatPrice(1.38804, 0.0001), "1.3880");
  assert.equal(formatPrice(0.00012345678, 0.0000001), "0.0001235");
  assert.equal(formatPrice(100.3, 0.5), "100.5");
  assert.equal(formatPrice(64999.96, 1), "65000");
  assert.throws(
    () => formatPrice(1, 0),
    new RangeError(
      "Cannot format a price as 'tickSize' must be a positive finite number: current value is 0",
    ),
  );
});

Deno.test("formatPair splits by the first quote suffix of spec §11.1", () => {
  assert.equal(formatPair("BTCUSDT"), "BTC/USDT");
  assert.equal(formatPair("ETHBTC"), "ETH/BTC");
  assert.equal(formatPair("1000PEPEUSDT"), "1000PEPE/USDT");
  assert.equal(formatPair("USDT"), "USDT");
  assert.equal(formatPair("FOOBAR"), "FOOBAR");
});

Deno.test("Russian TP-hit text matches spec §11.2's example", () => {
  assert.equal(
    formatTpHit(
      {
        symbol: "BTCUSDT",
        side: "LONG",
        tpIndex: 1,
        price: 42925,
        entryPrice: 42500,
        closedPct: 20,
        remainingPct: 80,
        newStop: { price: 42500, level: "breakeven" },
      },
      { language: "ru" },
    ),
    "✅ TP1 HIT — BTC/USDT LONG\nЗакрыто 20% по 42925.0 (+1.0%)\nSL перемещён: → 42500.0 (БУ)\nОсталось: 80% позиции",
  );
});

Deno.test("Russian SL-hit text matches spec §11.2's example with the loss signed", () => {
  assert.equal(
    formatStopHit(
      {
        symbol: "ARBUSDT",
        side: "SHORT",
        price: 1.31,
        entryPrice: 1.2793,
        pnlQuote: -48.2,
      },
      { language: "ru" },
    ),
    "⛔ SL HIT — ARB/USDT SHORT\nЗакрыто 100% по 1.3100 (-2.4%)\nРезультат: -$48.20",
  );
});

Deno.test("a losing SL message carries a minus on the percent and the amount", () => {
  const text = formatStopHit({
    symbol: "BTCUSDT",
    side: "LONG",
    timeframe: "4h",
    price: 38887.5,
    entryPrice: 42500,
    pnlQuote: -120.456,
  });
  assert.equal(
    text,
    "⛔ SL HIT — BTC/USDT LONG 4h\nClosed 100% at 38887.5 (-8.5%)\nResult: -120.46 USDT",
  );
});

Deno.test("an SL at breakeven or after the cascade says so, and a tiny loss never prints -0.0", () => {
  assert.equal(
    formatStopHit(
      {
        symbol: "BTCUSDT",
        side: "LONG",
        price: 42499.9,
        entryPrice: 42500,
        closedPct: 80,
        pnlQuote: -0.5,
        level: "breakeven",
      },
      { language: "ru" },
    ),
    "⛔ SL HIT (БУ) — BTC/USDT LONG\nЗакрыто 80% по 42499.9 (+0.0%)\nРезультат: -$0.50",
  );
  assert.ok(
    formatStopHit({
      symbol: "BTCUSDT",
      side: "SHORT",
      price: 41650,
      entryPrice: 42500,
      closedPct: 60,
      pnlQuote: 30,
      level: { tp: 2 },
    }).startsWith(
      "⛔ SL HIT (TP2) — BTC/USDT SHORT\nClosed 60% at 41650.0 (+2.0%)",
    ),
  );
});

Deno.test("a TP hit that empties the position says it is fully closed", () => {
  assert.equal(
    formatTpHit({
      symbol: "ETHUSDT",
      side: "SHORT",
      tpIndex: 6,
      price: 1978.43,
      entryPrice: 2300.5,
      closedPct: 15,
      remainingPct: 0,
    }),
    "✅ TP6 HIT — ETH/USDT SHORT\nClosed 15% at 1978.43 (+14.0%)\nPosition fully closed",
  );
});

Deno.test("stop moved texts name breakeven and the cascade level", () => {
  const ref = { symbol: "BTCUSDT", side: "LONG", timeframe: "1h" } as const;
  assert.equal(
    formatStopMoved({ ...ref, stop: 42500, level: "breakeven" }),
    "📊 BTC/USDT LONG 1h\nStop moved: → 42500.0 (breakeven)",
  );
  assert.equal(
    formatStopMoved({ ...ref, stop: 42925, level: { tp: 1 } }, {
      language: "ru",
    }),
    "📊 BTC/USDT LONG 1h\nSL перемещён: → 42925.0 (TP1)",
  );
});

Deno.test("a position closed by an opposite signal shows the share, price and signed result", () => {
  const input = {
    symbol: "SOLUSDT",
    side: "SHORT",
    reason: "signal",
    price: 101.5,
    entryPrice: 100,
    closedPct: 60,
    pnlQuote: -9,
  } as const;
  assert.equal(
    formatClose(input),
    "🔄 CLOSED BY OPPOSITE SIGNAL — SOL/USDT SHORT\nClosed 60% at 101.50 (-1.5%)\nResult: -9.00 USDT",
  );
  assert.equal(
    formatClose(input, { language: "ru" }),
    "🔄 ЗАКРЫТО ПРОТИВОПОЛОЖНЫМ СИГНАЛОМ — SOL/USDT SHORT\nЗакрыто 60% по 101.50 (-1.5%)\nРезультат: -$9.00",
  );
});

const TRADE = {
  symbol: "BTCUSDT",
  side: "LONG",
  timeframe: "1h",
  entryPrice: 42500,
  exitPrice: 42500,
  exitReason: "breakeven",
  tpHits: 1,
  pnlQuote: 3.456,
  pnlPct: 0.2,
  entryTime: Date.UTC(2024, 0, 15, 14),
  exitTime: Date.UTC(2024, 0, 15, 19, 30),
} as const;

Deno.test("trade summary prints the net PnL in percent and USDT with its sign", () => {
  assert.equal(
    formatTradeSummary(TRADE),
    [
      "📊 POSITION CLOSED — BTC/USDT LONG 1h",
      "✅ PROFIT",
      "Open price: 42500.0",
      "Close price: 42500.0",
      "TPs hit: 1/6",
      "Reason: breakeven",
      "Duration: 5.5h",
      "Net PnL: +0.20% (+3.46 USDT)",
    ].join("\n"),
  );
  const loss = formatTradeSummary(
    {
      ...TRADE,
      exitReason: "stop",
      tpHits: 0,
      pnlQuote: -12.5,
      pnlPct: -1.25,
      exitTime: TRADE.entryTime + 3 * 86_400_000,
    },
    { language: "ru" },
  );
  assert.ok(loss.includes("\n❌ LOSS\n"), loss);
  assert.ok(loss.includes("\nПричина: стоп\nДлительность: 3.0d\n"), loss);
  assert.ok(loss.endsWith("\nP&L: -1.25% (-$12.50)"), loss);
});

Deno.test("refused signals, system alerts and stale series use the original's headers in Russian", () => {
  assert.equal(
    formatSignalRefused(
      { symbol: "BTCUSDT", side: "LONG", reason: "max-positions: 5 of 5" },
      { language: "ru" },
    ),
    "❌ ОТМЕНЁН — BTC/USDT LONG\nПричина: max-positions: 5 of 5",
  );
  assert.equal(
    formatSystemAlert({ level: "error", message: "Binance WS down" }, {
      language: "ru",
    }),
    "🔴 СИСТЕМА\nBinance WS down",
  );
  assert.equal(
    formatSystemAlert({ level: "other", message: "x" }),
    "📢 SYSTEM\nx",
  );
  const last = Date.UTC(2024, 0, 15, 14);
  const stale = { symbol: "BTCUSDT", timeframe: "1h", lastCloseTime: last };
  assert.equal(
    formatStaleAlert({ ...stale, intervals: 3 }),
    "⚠️ STALE DATA — BTC/USDT 1h\nNo closed candle for 3 intervals\nLast candle close: 2024-01-15 14:00 UTC",
  );
  const ru = (intervals: number) =>
    formatStaleAlert({ ...stale, intervals }, { language: "ru" }).split(
      "\n",
    )[1];
  assert.equal(ru(2), "Нет закрытой свечи 2 интервала");
  assert.equal(ru(5), "Нет закрытой свечи 5 интервалов");
  assert.equal(ru(21), "Нет закрытой свечи 21 интервал");
  assert.equal(
    formatStaleAlert({ ...stale, intervals: 0, resumed: true }),
    "✅ DATA RESUMED — BTC/USDT 1h\nLast candle close: 2024-01-15 14:00 UTC",
  );
});

const DAY = {
  date: "2024-01-15",
  signals: 52,
  trades: 47,
  wins: 34,
  pnlPct: 8.92,
  pnlQuote: 892.5,
  equity: 10892.5,
  best: { symbol: "BTCUSDT", pnlPct: 3.5 },
  worst: { symbol: "ARBUSDT", pnlPct: -2.1 },
  openPositions: [
    { symbol: "BTCUSDT", side: "LONG", timeframe: "1h", entryPrice: 42500 },
  ] as OpenPositionLine[],
};

Deno.test("daily summary keeps spec §11.2's lines in Russian and signs a losing day", () => {
  assert.equal(
    formatDailySummary(DAY, { language: "ru" }),
    [
      "📊 ИТОГИ ДНЯ — 15.01.2024",
      "",
      "Сделок: 47",
      "Win Rate: 72.3%",
      "PnL: +8.92% (+$892.50)",
      "Лучшая: BTCUSDT +3.5%",
      "Худшая: ARBUSDT -2.1%",
      "Сигналов: 52",
      "Капитал: $10892.50",
      "",
      "Открытые позиции: 1",
      "BTC/USDT LONG 1h @ 42500.0",
    ].join("\n"),
  );
  const losing = formatDailySummary({
    ...DAY,
    trades: 0,
    wins: 0,
    pnlPct: -1.5,
    pnlQuote: -150,
    openPositions: [],
  });
  assert.ok(losing.includes("\nWin Rate: 0.0%\nPnL: -1.50% (-150.00 USDT)\n"));
  assert.ok(losing.endsWith("\nOpen positions: 0"));
  assert.throws(
    () => formatDailySummary({ ...DAY, date: "15.01.2024" }),
    new RangeError(
      "Cannot format the daily summary as 'date' must be YYYY-MM-DD: current value is 15.01.2024",
    ),
  );
});

Deno.test("a long daily summary splits at line boundaries under Telegram's limit", () => {
  const openPositions: OpenPositionLine[] = Array.from(
    { length: 400 },
    (_, i) => ({
      symbol: `COIN${i}USDT`,
      side: i % 2 === 0 ? "LONG" : "SHORT",
      timeframe: "15m",
      entryPrice: 1.2345 + i,
      unrealizedPct: i % 3 - 1,
    }),
  );
  const text = formatDailySummary({ ...DAY, openPositions });
  assert.ok(text.length > TELEGRAM_MESSAGE_LIMIT);
  const parts = splitMessage(text);
  assert.ok(parts.length >= 3);
  for (const part of parts) assert.ok(part.length <= TELEGRAM_MESSAGE_LIMIT);
  assert.equal(parts.join("\n"), text);
});

Deno.test("splitMessage cuts an over-long line without breaking a surrogate pair", () => {
  assert.deepEqual(splitMessage("short"), ["short"]);
  assert.deepEqual(
    splitMessage("x".repeat(10_000)).map((p) => p.length),
    [4096, 4096, 1808],
  );
  const parts = splitMessage(`a${"😀".repeat(3000)}`);
  assert.deepEqual(parts.map((p) => p.length), [4095, 1906]);
  for (const part of parts) assert.ok(part.isWellFormed());
  assert.deepEqual(splitMessage("ab\ncd\nef", 5), ["ab\ncd", "ef"]);
  assert.throws(
    () => splitMessage("x", 1),
    new RangeError(
      "Cannot split a message as 'limit' must be an integer of at least 2: current value is 1",
    ),
  );
});

Deno.test("no update message reads as a new Cornix signal and none exceeds the limit", () => {
  const messages = (language: Language) => [
    formatTpHit({
      symbol: "BTCUSDT",
      side: "LONG",
      tpIndex: 1,
      price: 42925,
      entryPrice: 42500,
      closedPct: 20,
      remainingPct: 80,
      newStop: { price: 42500, level: "breakeven" },
    }, { language }),
    formatStopHit({
      symbol: "BTCUSDT",
      side: "LONG",
      price: 38887.5,
      entryPrice: 42500,
      pnlQuote: -1,
    }, { language }),
    formatStopMoved({
      symbol: "BTCUSDT",
      side: "LONG",
      stop: 42925,
      level: { tp: 1 },
    }, { language }),
    formatClose({
      symbol: "BTCUSDT",
      side: "LONG",
      reason: "signal",
      price: 43000,
      entryPrice: 42500,
      closedPct: 100,
      pnlQuote: 5,
    }, { language }),
    formatTradeSummary(TRADE, { language }),
    formatSignalRefused({ symbol: "BTCUSDT", side: "LONG", reason: "heat" }, {
      language,
    }),
    formatDailySummary(DAY, { language }),
    formatSystemAlert({ level: "warning", message: "restart" }, { language }),
    formatStaleAlert({
      symbol: "BTCUSDT",
      timeframe: "1h",
      intervals: 2,
      lastCloseTime: null,
    }, { language }),
  ];
  for (const language of ["en", "ru"] as const) {
    for (const text of messages(language)) {
      assert.equal(cornixParse(text), null, text);
      assert.ok(text.length <= TELEGRAM_MESSAGE_LIMIT);
    }
  }
});
