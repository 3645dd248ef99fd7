/** Tests of the portfolio book's in-progress updates (live tracking between candle closes). */
import { strict as assert } from "node:assert";
import { ZERO_COSTS } from "../../core/costs.ts";
import { DEFAULT_LADDER } from "../../core/ladder.ts";
import { DEFAULT_PORTFOLIO_LIMITS } from "../../core/portfolio.ts";
import {
  type BookSeries,
  type EngineOptions,
  PortfolioBook,
} from "../../core/portfolio_book.ts";

const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);

const SERIES: BookSeries = {
  symbol: "BTCUSDT",
  timeframe: "1h",
  timeframeMs: HOUR,
  sector: "BTC",
  ladders: [DEFAULT_LADDER, DEFAULT_LADDER, DEFAULT_LADDER],
  presetHashes: ["low", "normal", "high"],
};

const OPTIONS: EngineOptions = {
  mode: "independent",
  initialBalance: 10_000,
  limits: DEFAULT_PORTFOLIO_LIMITS,
  sizing: {
    riskPercent: 2,
    maxNotionalPercent: 20,
    minNotional: 10,
    leverage: 10,
  },
  costs: ZERO_COSTS,
  rule: "stop-first",
  gapFills: true,
  entry: "close",
};

const candle = (t: number, o: number, h: number, l: number, c: number) => ({
  openTime: T0 + t * HOUR,
  open: o,
  high: h,
  low: l,
  close: c,
  volume: 1,
});

/** A LONG at 100 on bar 0's close; the ladder's TP1 is 101, the stop 91.5. */
function longAt100(): PortfolioBook {
  const book = new PortfolioBook([SERIES], OPTIONS);
  book.onBar(0, {
    candle: candle(0, 100, 100, 100, 100),
    signal: 1,
    regime: 1,
  });
  assert.ok(book.open[0] !== undefined);
  return book;
}

// Bar 1 goes up to 101.2 (TP1 at 101 fills, the cascade moves the stop to the entry), then down
// to 99 (the moved stop at 100 fills), and closes at 99.5.
const BAR1 = candle(1, 100, 101.2, 99, 99.5);
const UP = {
  openTime: BAR1.openTime,
  time: BAR1.openTime + 600_000,
  open: 100,
  high: 101.2,
  low: 100,
  close: 101.1,
};
const DOWN = {
  openTime: BAR1.openTime,
  time: BAR1.openTime + 1_800_000,
  open: 100,
  high: 101.2,
  low: 99,
  close: 99.2,
};

Deno.test("without updates the closed bar is judged by the same-bar rule: TP1 fills, the moved stop waits for the next bar", () => {
  const book = longAt100();
  book.onBar(0, { candle: BAR1, signal: 0, regime: 1 });
  const { fills, trades } = book.drain();
  assert.deepEqual(fills.map((f) => [f.kind, f.price]), [["entry", 100], [
    "tp",
    101,
  ]]);
  assert.equal(trades.length, 0);
  assert.equal(book.open[0]!.position.stop, 100);
});

Deno.test("in-progress updates fill TP1 and then the moved stop in the order prices came, at the update times", () => {
  const book = longAt100();
  assert.equal(book.onUpdate(0, UP), true);
  assert.equal(book.onUpdate(0, DOWN), true);
  book.onBar(0, { candle: BAR1, signal: 0, regime: 1 });
  const { fills, trades } = book.drain();
  assert.deepEqual(
    fills.map((f) => [f.kind, f.price, f.time]),
    [
      ["entry", 100, T0 + HOUR],
      ["tp", 101, UP.time],
      ["stop", 100, DOWN.time],
    ],
  );
  assert.equal(trades.length, 1);
  assert.equal(trades[0]!.tpHits, 1);
  assert.equal(book.open[0], undefined);
});

Deno.test("the closed bar applies only what came after the last update; an update that reaches nothing fills nothing", () => {
  const book = longAt100();
  assert.equal(
    book.onUpdate(0, { ...UP, high: 100.5, close: 100.4 }),
    false,
  );
  // The bar then reaches 101.2 after that update: TP1 fills at the close.
  book.onBar(0, { candle: BAR1, signal: 0, regime: 1 });
  const { fills } = book.drain();
  assert.deepEqual(fills.map((f) => [f.kind, f.price]), [["entry", 100], [
    "tp",
    101,
  ]]);
  assert.equal(book.open[0]!.position.barsHeld, 1, "the bar counts once");
});

Deno.test("a book restored from a snapshot taken between updates ends the bar like one that ran on", () => {
  const a = longAt100();
  a.onUpdate(0, UP);
  const b = new PortfolioBook([SERIES], OPTIONS, a.snapshot());
  a.drain();
  for (const book of [a, b]) {
    book.onUpdate(0, DOWN);
    book.onBar(0, { candle: BAR1, signal: 0, regime: 1 });
  }
  assert.deepEqual(b.drain().fills, a.drain().fills);
  assert.equal(b.balance, a.balance);
});

Deno.test("updates of the bar the position opened on, and stale updates, are ignored", () => {
  const book = new PortfolioBook([SERIES], OPTIONS);
  assert.equal(book.onUpdate(0, UP), false, "no position");
  book.onBar(0, {
    candle: candle(0, 100, 100, 100, 100),
    signal: 1,
    regime: 1,
  });
  assert.equal(
    book.onUpdate(0, { ...UP, openTime: T0, time: T0 + 100 }),
    false,
    "the entry bar itself",
  );
  assert.equal(
    book.onUpdate(0, { ...DOWN, high: 100.5 }),
    false,
    "nothing reached yet",
  );
  assert.equal(
    book.onUpdate(0, UP),
    false,
    "older than the last update (it would reach TP1)",
  );
});
