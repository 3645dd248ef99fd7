/**
 * Tests of the Binance REST client against the replay exchange on 127.0.0.1, with a fake clock
 * that drives the exchange (auto-advance, so every wait takes simulated time only): pagination
 * equals the source row for row, the forming candle never comes back, weight and Retry-After
 * waits happen with no violation, transient failures are retried and refusals are not.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { CandleColumns } from "../../core/types.ts";
import { loadCandles } from "../../data/candle_loader.ts";
import {
  BinanceRequestError,
  BinanceRestClient,
} from "../../data/binance_rest.ts";
import type { BinanceRestOptions } from "../../data/binance_rest.ts";
import { backoffDelay, klinesWeight } from "../../data/binance_weight.ts";
import {
  type ReplayExchange,
  startReplayExchange,
} from "../../data/replay_exchange.ts";
import { FakeClock } from "../fakes/fake_clock.ts";
import {
  FIXTURES,
  NEEDS_SHARED,
  SHARED_DATA,
  sharedFile,
} from "../shared_data.ts";

const M30 = 1_800_000;
const BTC30 = loadCandles(`${FIXTURES}BTCUSDT-30m.csv.gz`, {
  timeframe: "30m",
});
const LAST = BTC30.openTime[BTC30.openTime.length - 1]!;
const FIRST = BTC30.openTime[0]!;
const AFTER_ALL = LAST + M30; // every fixture candle closed

interface Setup {
  readonly exchange: ReplayExchange;
  readonly clock: FakeClock;
  readonly client: BinanceRestClient;
}

async function withClient(
  run: (setup: Setup) => Promise<void>,
  options: {
    readonly start?: number;
    readonly candles?: CandleColumns;
    readonly client?: Partial<BinanceRestOptions>;
  } = {},
): Promise<void> {
  const start = options.start ?? AFTER_ALL;
  const exchange = await startReplayExchange({
    series: [{
      symbol: "BTCUSDT",
      timeframe: "30m",
      candles: options.candles ?? BTC30,
    }],
    startTime: start,
  });
  const clock = new FakeClock({
    start,
    autoAdvance: true,
    onAdvance: (time) => exchange.advanceTo(time),
  });
  const client = new BinanceRestClient({
    baseUrl: exchange.restUrl,
    clock,
    random: () => 0,
    backoff: { baseMs: 100, capMs: 1000 },
    ...options.client,
  });
  try {
    await run({ exchange, clock, client });
  } finally {
    await exchange.close();
  }
}

function assertSameCandles(
  actual: CandleColumns,
  expected: CandleColumns,
  rows: number,
): void {
  assert.equal(actual.openTime.length, rows);
  for (
    const key of ["openTime", "open", "high", "low", "close", "volume"] as const
  ) {
    assert.deepEqual(actual[key], expected[key].slice(0, rows), key);
  }
}

async function eventually(check: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !check(); waited += 5) {
    if (waited > 3000) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function sliceColumns(columns: CandleColumns, from: number): CandleColumns {
  return {
    openTime: columns.openTime.slice(from),
    open: columns.open.slice(from),
    high: columns.high.slice(from),
    low: columns.low.slice(from),
    close: columns.close.slice(from),
    volume: columns.volume.slice(from),
  };
}

Deno.test("klinesRange returns every candle of the fixture row for row in 1500-candle pages", async () => {
  await withClient(async ({ exchange, client }) => {
    const pages: number[] = [];
    const range = await client.klinesRange({
      symbol: "BTCUSDT",
      interval: "30m",
      from: FIRST - 10 * M30,
      onPage: (received) => pages.push(received),
    });
    assertSameCandles(range, BTC30, 3000);
    assert.deepEqual(
      range.closeTime.slice(0, 2),
      new Float64Array([FIRST + M30 - 1, FIRST + 2 * M30 - 1]),
    );
    assert.deepEqual(pages, [1500, 3000]);
    assert.equal(exchange.stats.requests, 3); // the third page is empty
    assert.equal(exchange.stats.weightUsed, 3 * klinesWeight(1500));
  });
});

Deno.test(
  `klinesRange returns over 5000 real candles row for row${NEEDS_SHARED}`,
  {
    ignore: SHARED_DATA === undefined,
  },
  async () => {
    const all = loadCandles(sharedFile("BTCUSDT-30m.csv.gz"), {
      timeframe: "30m",
    });
    const candles = sliceColumns(all, all.openTime.length - 6000);
    const end = candles.openTime[5999]! + M30;
    await withClient(async ({ client }) => {
      const range = await client.klinesRange({
        symbol: "BTCUSDT",
        interval: "30m",
        from: candles.openTime[0]!,
        to: end,
      });
      assertSameCandles(range, candles, 6000);
    }, { start: end, candles });
  },
);

Deno.test("klinesRange and klines never return the forming candle", async () => {
  const now = LAST + M30 / 2;
  await withClient(async ({ exchange, client }) => {
    const range = await client.klinesRange({
      symbol: "BTCUSDT",
      interval: "30m",
      from: LAST - 3 * M30,
    });
    assert.deepEqual([...range.openTime], [
      LAST - 3 * M30,
      LAST - 2 * M30,
      LAST - M30,
    ]);
    const page = await client.klines({
      symbol: "BTCUSDT",
      interval: "30m",
      limit: 3,
    });
    assert.deepEqual(page.map((k) => k.openTime), [LAST - 2 * M30, LAST - M30]);
    const raw = await (await fetch(
      `${exchange.restUrl}/fapi/v1/klines?symbol=BTCUSDT&interval=30m&limit=1`,
    )).json();
    assert.equal(raw[0][0], LAST); // the exchange does serve it
  }, { start: now });
});

Deno.test("klinesRange stops before the end bound and pages without duplicates", async () => {
  await withClient(async ({ client }) => {
    const range = await client.klinesRange({
      symbol: "BTCUSDT",
      interval: "30m",
      from: FIRST + 100 * M30,
      to: FIRST + 1700 * M30,
    });
    assertSameCandles(range, sliceColumns(BTC30, 100), 1600);
  });
});

Deno.test("client waits for the next minute when the weight budget is used up", async () => {
  await withClient(async ({ exchange, clock, client }) => {
    // Another process on the same IP used 20 weight this minute.
    for (let i = 0; i < 2; i++) {
      await (await fetch(
        `${exchange.restUrl}/fapi/v1/klines?symbol=BTCUSDT&interval=30m&limit=1500&startTime=${AFTER_ALL}`,
      )).text();
    }
    await client.klines({
      symbol: "BTCUSDT",
      interval: "30m",
      limit: 1500,
      startTime: AFTER_ALL,
    });
    assert.equal(client.usedWeight, 30);
    assert.deepEqual(clock.sleepLog, []);
    await client.klines({
      symbol: "BTCUSDT",
      interval: "30m",
      limit: 1500,
      startTime: AFTER_ALL,
    });
    const minuteEnd = (Math.floor(AFTER_ALL / 60_000) + 1) * 60_000;
    assert.deepEqual(clock.sleepLog, [minuteEnd - AFTER_ALL]);
    assert.equal(clock.now(), minuteEnd);
    assert.equal(client.usedWeight, 10);
    assert.equal(exchange.stats.rateLimited, 0);
  }, { client: { weightLimitPerMinute: 25 } });
});

for (const [status, seconds] of [[429, 7], [418, 120]] as const) {
  Deno.test(`client waits exactly Retry-After after a ${status} with no violation`, async () => {
    await withClient(async ({ exchange, clock, client }) => {
      exchange.faults.rateLimit({
        status,
        retryAfterSeconds: seconds,
        requests: 2,
      });
      const page = await client.klines({
        symbol: "BTCUSDT",
        interval: "30m",
        limit: 2,
      });
      assert.equal(page.length, 2);
      assert.deepEqual(clock.sleepLog, [seconds * 1000, seconds * 1000]);
      assert.equal(exchange.stats.rateLimited, 2);
      assert.equal(exchange.stats.rateLimitViolations, 0);
    });
  });
}

Deno.test("concurrent requests share one Retry-After wait with no violation", async () => {
  await withClient(async ({ exchange, clock, client }) => {
    clock.autoAdvance = false;
    exchange.faults.rateLimit({
      status: 429,
      retryAfterSeconds: 3,
      requests: 1,
    });
    const all = Promise.all(
      [1, 2, 3, 4].map((limit) =>
        client.klines({ symbol: "BTCUSDT", interval: "30m", limit })
      ),
    );
    await eventually(() => clock.pendingSleeps === 4, "4 requests waiting");
    assert.equal(exchange.stats.rateLimited, 4);
    await clock.advance(2999);
    assert.equal(clock.pendingSleeps, 4);
    await clock.advance(1);
    const pages = await all;
    assert.deepEqual(pages.map((p) => p.length), [1, 2, 3, 4]);
    assert.deepEqual(clock.sleepLog, [3000, 3000, 3000, 3000]);
    assert.equal(exchange.stats.rateLimitViolations, 0);
    assert.equal(exchange.stats.requests, 8);
  });
});

Deno.test("client retries 5xx and truncated JSON with jittered backoff, then succeeds", async () => {
  await withClient(async ({ exchange, clock, client }) => {
    exchange.faults.serverError({ status: 503, requests: 2 });
    exchange.faults.malformedJson({ requests: 2 });
    const page = await client.klines({
      symbol: "BTCUSDT",
      interval: "30m",
      limit: 5,
    });
    assert.equal(page.length, 5);
    // random() = 0: half of min(cap, base * 2^attempt)
    assert.deepEqual(clock.sleepLog, [50, 100, 200, 400]);
    assert.equal(exchange.stats.requests, 5);
  });
});

Deno.test("client retries a request that times out", async () => {
  await withClient(async ({ exchange, clock, client }) => {
    exchange.faults.delay({ ms: 400, requests: 1 });
    const page = await client.klines({
      symbol: "BTCUSDT",
      interval: "30m",
      limit: 1,
    });
    assert.equal(page.length, 1);
    assert.deepEqual(clock.sleepLog, [50]);
    assert.equal(exchange.stats.requests, 2);
  }, { client: { timeoutMs: 100 } });
});

Deno.test("client gives up after maxRetries with a BinanceRequestError", async () => {
  await withClient(async ({ exchange, client }) => {
    exchange.faults.serverError({ status: 502, requests: 10 });
    const error = await client.serverTime().catch((e: unknown) => e);
    assert(error instanceof BinanceRequestError);
    assert.equal(error.name, "BinanceRequestError");
    assert.equal(error.kind, "server_error");
    assert.equal(error.status, 502);
    assert.equal(error.code, -1001);
    assert.equal(error.attempts, 3);
    assert.equal(error.rejected, false);
    assert.equal(
      error.message,
      `Cannot GET ${exchange.restUrl}/fapi/v1/time as the server answered 502 (code -1001: Internal error; unable to process your request. Please try again.) after 3 attempts`,
    );
  }, { client: { maxRetries: 2 } });
});

Deno.test("client does not retry an unknown symbol and reports code -1121", async () => {
  await withClient(async ({ exchange, client }) => {
    const error = await client.klines({ symbol: "NOPEUSDT", interval: "30m" })
      .catch((e: unknown) => e);
    assert(error instanceof BinanceRequestError);
    assert.equal(error.kind, "rejected");
    assert.equal(error.rejected, true);
    assert.equal(error.status, 400);
    assert.equal(error.code, -1121);
    assert.equal(error.attempts, 1);
    assert.equal(
      error.message,
      `Cannot GET ${exchange.restUrl}/fapi/v1/klines?symbol=NOPEUSDT&interval=30m&limit=500 as the server answered 400 (code -1121: Invalid symbol.) after 1 attempt`,
    );
    assert.equal(exchange.stats.requests, 1);
  });
});

Deno.test("client reports a request that never completed as a network failure", async () => {
  const exchange = await startReplayExchange({ series: [], startTime: 0 });
  const baseUrl = exchange.restUrl;
  await exchange.close();
  const clock = new FakeClock({ autoAdvance: true });
  const client = new BinanceRestClient({
    baseUrl,
    clock,
    maxRetries: 1,
    random: () => 0,
  });
  const error = await client.serverTime().catch((e: unknown) => e);
  assert(error instanceof BinanceRequestError);
  assert.equal(error.kind, "network");
  assert.equal(error.status, undefined);
  assert.equal(error.attempts, 2);
  assert(error.cause !== undefined);
  assert.deepEqual(clock.sleepLog, [250]);
});

Deno.test("client reads exchange info with status, precision, tick and step size", async () => {
  await withClient(async ({ client }) => {
    const info = await client.exchangeInfo();
    assert.equal(info.serverTime, AFTER_ALL);
    assert.deepEqual(
      info.symbols.map((
        s,
      ) => [s.symbol, s.status, s.pricePrecision, s.tickSize, s.stepSize]),
      [["BTCUSDT", "TRADING", 1, 0.1, 0.001], [
        "MATICUSDT",
        "SETTLING",
        4,
        0.0001,
        1,
      ]],
    );
  });
});

Deno.test("client measures the server offset and judges closed candles by server time", async () => {
  const start = LAST + M30 / 2;
  const exchange = await startReplayExchange({
    series: [{ symbol: "BTCUSDT", timeframe: "30m", candles: BTC30 }],
    startTime: start,
  });
  try {
    const clock = new FakeClock({ start: start + M30 }); // local clock 30 min ahead
    const client = new BinanceRestClient({ baseUrl: exchange.restUrl, clock });
    assert.equal(await client.serverTime(), start);
    assert.equal(client.timeOffset, -M30);
    const page = await client.klines({
      symbol: "BTCUSDT",
      interval: "30m",
      limit: 2,
    });
    assert.deepEqual(page.map((k) => k.openTime), [LAST - M30]);
  } finally {
    await exchange.close();
  }
});

Deno.test("client rejects a malformed symbol, interval or limit before sending", async () => {
  const client = new BinanceRestClient({
    baseUrl: "http://127.0.0.1:9",
    clock: new FakeClock(),
  });
  await assert.rejects(
    () => client.klines({ symbol: "btcusdt", interval: "1h" }),
    {
      name: "TypeError",
      message:
        "Cannot request klines as 'symbol' must be 2 to 32 upper-case letters or digits: current value is 'btcusdt'",
    },
  );
  await assert.rejects(
    () => client.klines({ symbol: "BTCUSDT", interval: "1x" }),
    {
      name: "RangeError",
    },
  );
  await assert.rejects(
    () => client.klines({ symbol: "BTCUSDT", interval: "1h", limit: 1501 }),
    {
      name: "RangeError",
      message:
        "Cannot request klines as 'limit' must be an integer from 1 to 1500: current value is 1501",
    },
  );
});

Deno.test("backoff grows exponentially, is capped and jittered into [half, full)", () => {
  const options = { baseMs: 500, capMs: 4000 };
  assert.deepEqual(
    [0, 1, 2, 3, 4].map((a) =>
      backoffDelay(a, { ...options, random: () => 0 })
    ),
    [250, 500, 1000, 2000, 2000],
  );
  assert.equal(backoffDelay(4, { ...options, random: () => 0.999 }), 3998);
  assert.deepEqual([1, 99, 100, 499, 500, 1000, 1001, 1500].map(klinesWeight), [
    1,
    1,
    2,
    2,
    5,
    5,
    10,
    10,
  ]);
});
