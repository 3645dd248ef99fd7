/**
 * Tests of the kline WebSocket client against the replay exchange on 127.0.0.1, with a fake
 * clock that drives the exchange: the test steps the clock, waits until the client has caught up
 * (or has gone quiet, when a fault keeps it waiting for the clock), and in the end compares
 * every delivered candle with the source: each closed candle exactly once, in order.
 *
 * @module
 */
import assert from "node:assert/strict";
import { type AddressInfo, createServer, type Socket } from "node:net";
import type { CandleColumns } from "../../core/types.ts";
import type { Kline } from "../../data/binance_kline.ts";
import { BinanceRestClient } from "../../data/binance_rest.ts";
import {
  KlineStream,
  type KlineStreamEvent,
  type KlineStreamOptions,
} from "../../data/binance_ws.ts";
import { loadCandles } from "../../data/candle_loader.ts";
import {
  type ReplayExchange,
  type ReplaySeries,
  startReplayExchange,
} from "../../data/replay_exchange.ts";
import { FakeClock } from "../fakes/fake_clock.ts";
import { FIXTURES } from "../shared_data.ts";

const M15 = 900_000;
const M30 = 1_800_000;
const H1 = 3_600_000;
const TF: Record<string, number> = { "30m": M30, "1h": H1, "2h": 2 * H1 };

function fixture(name: string, timeframe: string): CandleColumns {
  return loadCandles(`${FIXTURES}${name}-${timeframe}.csv.gz`, { timeframe });
}

const BTC1H = fixture("BTCUSDT", "1h");
const ETH1H = fixture("ETHUSDT", "1h");
const BTC30 = fixture("BTCUSDT", "30m");
/** 2026-04-01 00:00 UTC: inside every fixture used here. */
const T0 = Date.UTC(2026, 3, 1);

const SERIES: readonly ReplaySeries[] = [
  { symbol: "BTCUSDT", timeframe: "1h", candles: BTC1H },
  { symbol: "ETHUSDT", timeframe: "1h", candles: ETH1H },
  { symbol: "BTCUSDT", timeframe: "30m", candles: BTC30 },
];

interface Harness {
  readonly exchange: ReplayExchange;
  readonly clock: FakeClock;
  readonly stream: KlineStream;
  readonly series: readonly ReplaySeries[];
  /** Open time of the last candle each series had before the start. */
  readonly resume: ReadonlyMap<string, number>;
  readonly got: Map<string, Kline[]>;
  readonly events: KlineStreamEvent[];
  /** Deliveries that were not strictly after the previous one of their series. */
  readonly disorder: string[];
}

interface SetupOptions {
  readonly series?: readonly ReplaySeries[];
  readonly start?: number;
  readonly updatesPerCandle?: number;
  /** Streams the exchange accepts per connection. */
  readonly streamLimit?: number;
  readonly stream?: Partial<KlineStreamOptions>;
  /** Runs before `start()` (faults that hit the initial backfill). */
  readonly before?: (exchange: ReplayExchange) => void;
  /** `onCandle` throws after recording a candle for which this is true. */
  readonly failOn?: (key: string, kline: Kline) => boolean;
}

const keyOf = (s: ReplaySeries) => `${s.symbol}:${s.timeframe}`;

async function withStream(
  run: (h: Harness) => Promise<void>,
  options: SetupOptions = {},
): Promise<void> {
  const series = options.series ?? SERIES;
  const start = options.start ?? T0;
  const exchange = await startReplayExchange({
    series,
    startTime: start,
    updatesPerCandle: options.updatesPerCandle ?? 3,
    ...(options.streamLimit === undefined
      ? {}
      : { streamLimit: options.streamLimit }),
  });
  const clock = new FakeClock({
    start,
    onAdvance: (time) => exchange.advanceTo(time),
  });
  const rest = new BinanceRestClient({
    baseUrl: exchange.restUrl,
    clock,
    random: () => 0.5,
    backoff: { baseMs: 100, capMs: 1000 },
  });
  const got = new Map<string, Kline[]>(series.map((s) => [keyOf(s), []]));
  const events: KlineStreamEvent[] = [], disorder: string[] = [];
  const stream = new KlineStream({
    wsUrl: exchange.wsUrl,
    series: series.map(({ symbol, timeframe }) => ({ symbol, timeframe })),
    rest,
    clock,
    onCandle: (key, kline) => {
      const list = got.get(key)!;
      const last = list[list.length - 1];
      if (last !== undefined && !(kline.openTime > last.openTime)) {
        disorder.push(`${key} ${kline.openTime} after ${last.openTime}`);
      }
      list.push(kline);
      if (options.failOn?.(key, kline)) throw new Error("consumer failed");
    },
    onStatus: (event) => events.push(event),
    random: () => 0.5,
    backoff: { baseMs: 1000, capMs: 30_000 },
    idleTimeoutMs: 40 * 60_000,
    lateAfterMs: 20 * 60_000,
    ...options.stream,
  });
  const lastClosed = options.stream?.lastClosed;
  const resume = new Map(series.map((s) => {
    const tf = TF[s.timeframe]!;
    const key = keyOf(s);
    return [key, lastClosed?.get(key) ?? Math.floor(start / tf) * tf - tf];
  }));
  options.before?.(exchange);
  try {
    await stream.start();
    await run({
      exchange,
      clock,
      stream,
      series,
      resume,
      got,
      events,
      disorder,
    });
  } finally {
    await stream.stop();
    await exchange.close();
  }
}

/** Source open times of a series closed by `time`, after the resume point. */
function expected(h: Harness, s: ReplaySeries, time: number): number[] {
  const tf = TF[s.timeframe]!;
  const from = h.resume.get(keyOf(s))!;
  return [...s.candles.openTime].filter((t) => t > from && t + tf <= time);
}

function caughtUp(h: Harness, time: number): boolean {
  return h.series.every((s) => {
    const want = expected(h, s, time);
    const list = h.got.get(keyOf(s))!;
    return list.length >= want.length &&
      list[list.length - 1]?.openTime === want[want.length - 1];
  });
}

function progress(h: Harness): number {
  const s = h.stream.stats;
  return s.frames + s.delivered + s.backfillRequests + s.connects +
    h.exchange.stats.requests + h.exchange.stats.wsConnections;
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

function busy(h: Harness): boolean {
  const status = h.stream.status();
  return status.connections.some((c) =>
    c.state === "connecting" || c.state === "replacing"
  ) || status.series.some((s) => s.backfilling);
}

/** Waits until the client has caught up with `time` and is idle, or has shown no progress for a while. */
async function settle(h: Harness, time: number): Promise<void> {
  let last = -1, quiet = 0;
  for (let i = 0; i < 3000 && (busy(h) || !caughtUp(h, time)); i++) {
    const now = progress(h);
    if (now !== last) [last, quiet] = [now, 0];
    else if (++quiet >= 8) return;
    await tick();
  }
}

async function eventually(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; !check(); i++) {
    if (i > 5000) throw new Error(`Timed out waiting for ${what}`);
    await tick();
  }
}

/** Steps the clock to `until` by `step`, calling `at` before each step. */
async function drive(
  h: Harness,
  until: number,
  options: { step?: number; at?: (time: number) => void } = {},
): Promise<void> {
  const step = options.step ?? M15;
  for (let t = h.clock.now() + step; t <= until; t += step) {
    options.at?.(t - step);
    await h.clock.advanceTo(t);
    await settle(h, t);
  }
}

/** Asserts every candle closed by `time` arrived exactly once, in order, equal to the source. */
async function assertExactlyOnce(h: Harness, time: number): Promise<void> {
  await eventually(() => caughtUp(h, time), "every closed candle");
  assert.deepEqual(h.disorder, []);
  for (const s of h.series) {
    const key = keyOf(s);
    const want = expected(h, s, time);
    const list = h.got.get(key)!.filter((k) =>
      k.openTime + TF[s.timeframe]! <= time
    );
    assert.deepEqual(list.map((k) => k.openTime), want, key);
    const c = s.candles;
    let i = c.openTime.indexOf(want[0]!);
    for (const k of list) {
      assert.deepEqual(
        [k.open, k.high, k.low, k.close, k.volume, k.closeTime],
        [
          c.open[i],
          c.high[i],
          c.low[i],
          c.close[i],
          c.volume[i],
          k.openTime + TF[s.timeframe]! - 1,
        ],
        `${key} ${k.openTime}`,
      );
      i++;
    }
  }
}

const ofType = <T extends KlineStreamEvent["type"]>(h: Harness, type: T) =>
  h.events.filter((e): e is Extract<KlineStreamEvent, { type: T }> =>
    e.type === type
  );

Deno.test("kline stream delivers every closed candle of several series once, in order, with no REST request", async () => {
  await withStream(async (h) => {
    const end = T0 + 20 * H1;
    await drive(h, end);
    await assertExactlyOnce(h, end);
    assert.equal(h.got.get("BTCUSDT:30m")!.length, 40);
    assert.equal(h.got.get("ETHUSDT:1h")!.length, 20);
    assert.equal(h.stream.stats.delivered, 40 + 20 + 20);
    assert.equal(h.stream.stats.updates, 3 * (40 + 20 + 20));
    assert.equal(h.stream.stats.duplicates, 0);
    assert.equal(h.stream.stats.backfillRequests, 0);
    assert.equal(h.exchange.stats.requests, 0);
    assert.equal(h.stream.stats.connects, 1);
    assert.deepEqual(ofType(h, "connected").map((e) => e.streams), [3]);
    assert(h.exchange.stats.pingsSent >= 80); // at least one per 15-minute step
    await eventually(
      () => h.exchange.stats.pongsReceived === h.exchange.stats.pingsSent,
      "a pong for every ping",
    );
    assert.equal(h.exchange.stats.connectionsClosed, 0);
  });
});

function withoutRows(
  columns: CandleColumns,
  from: number,
  to: number,
): CandleColumns {
  const keep = (_: number, i: number) => i < from || i >= to;
  return {
    openTime: columns.openTime.filter(keep),
    open: columns.open.filter(keep),
    high: columns.high.filter(keep),
    low: columns.low.filter(keep),
    close: columns.close.filter(keep),
    volume: columns.volume.filter(keep),
  };
}

Deno.test("kline stream backfills from the resume point before live candles, through a 418", async () => {
  const lastClosed = new Map([
    ["BTCUSDT:1h", T0 - 101 * H1],
    ["ETHUSDT:1h", T0 - H1],
    ["BTCUSDT:30m", T0 - 31 * M30],
  ]);
  await withStream(async (h) => {
    const end = T0 + 6 * H1;
    await drive(h, end);
    await assertExactlyOnce(h, end);
    assert.equal(h.got.get("BTCUSDT:1h")![0]!.openTime, T0 - 100 * H1);
    assert.equal(h.got.get("BTCUSDT:1h")!.length, 106);
    assert.equal(h.got.get("BTCUSDT:30m")!.length, 30 + 12);
    assert.equal(h.stream.stats.backfilled, 100 + 30);
    assert.deepEqual(
      ofType(h, "backfilled").map((e) => [e.series, e.candles, e.from, e.to])
        .sort(),
      [
        ["BTCUSDT:1h", 100, T0 - 100 * H1, T0 - H1],
        ["BTCUSDT:30m", 30, T0 - 30 * M30, T0 - M30],
      ],
    );
    assert(h.exchange.stats.rateLimited >= 1);
    assert.equal(h.exchange.stats.rateLimitViolations, 0);
  }, {
    stream: { lastClosed },
    before: (exchange) =>
      exchange.faults.rateLimit({
        status: 418,
        retryAfterSeconds: 120,
        requests: 1,
      }),
  });
});

Deno.test("kline stream reconnects after dropped connections and backfills what closed meanwhile", async () => {
  await withStream(async (h) => {
    const end = T0 + 12 * H1;
    const drops = [T0 + 3 * H1, T0 + 6 * H1 + M15, T0 + 9 * H1 + M30];
    await drive(h, end, {
      at: (t) => drops.includes(t) && h.exchange.faults.dropConnections(),
    });
    await assertExactlyOnce(h, end);
    assert.deepEqual(
      ofType(h, "disconnected").map((e) => [e.reason, e.code]),
      [["closed", 1006], ["closed", 1006], ["closed", 1006]], // cut, no close frame
    );
    assert.equal(h.stream.stats.connects, 4);
    assert(h.stream.stats.backfilled >= 3, "candles closed while away");
    assert.equal(h.exchange.stats.wsOpen, 1);
  }, { stream: { backoff: { baseMs: H1, capMs: H1 } } }); // reconnect after 45 min
});

Deno.test("kline stream backfills what closed while away right after reconnecting, before the next live candle", async () => {
  await withStream(async (h) => {
    await drive(h, T0 + 3 * H1);
    h.exchange.faults.dropConnections();
    await eventually(() => ofType(h, "disconnected").length === 1, "the drop");
    await drive(h, T0 + 3 * H1 + 45 * 60_000); // reconnects at 3:45
    assert.equal(ofType(h, "connected").length, 2);
    // BTCUSDT:30m 3:00 closed at 3:30 while away; no live event until 4:00
    assert.deepEqual(
      h.got.get("BTCUSDT:30m")!.slice(-2).map((k) => (k.openTime - T0) / M30),
      [5, 6],
    );
    assert.equal(h.stream.stats.backfilled, 1);
    await drive(h, T0 + 5 * H1);
    await assertExactlyOnce(h, T0 + 5 * H1);
  }, { stream: { backoff: { baseMs: H1, capMs: H1 } } }); // 45 min with random 0.5
});

Deno.test("kline stream spreads series over connections of at most streamsPerConnection", async () => {
  await withStream(async (h) => {
    const end = T0 + 4 * H1;
    await drive(h, end, {
      at: (t) => t === T0 + H1 && h.exchange.faults.dropConnections(),
    });
    await assertExactlyOnce(h, end);
    assert.deepEqual(
      h.stream.status().connections.map((c) => [c.id, c.streams, c.state]),
      [[0, 2, "open"], [1, 1, "open"]],
    );
    assert.equal(h.exchange.stats.wsConnections, 4);
  }, { stream: { streamsPerConnection: 2 } });
});

Deno.test("kline stream fills the hole left by a stall from REST on the next closed candle", async () => {
  await withStream(async (h) => {
    const end = T0 + 6 * H1;
    await drive(h, end, {
      at: (t) =>
        t === T0 + 2 * H1 && h.exchange.faults.stall({ ms: 35 * 60_000 }),
    });
    await assertExactlyOnce(h, end);
    assert(h.exchange.stats.eventsStalled >= 3);
    assert.equal(h.stream.stats.connects, 1);
    assert.equal(h.stream.stats.backfilled, 1); // BTCUSDT:30m closing at 2:30
  }, { stream: { idleTimeoutMs: H1 } });
});

Deno.test("kline stream replaces a connection that stays silent for idleTimeoutMs", async () => {
  await withStream(async (h) => {
    const end = T0 + 8 * H1;
    await drive(h, end, {
      at: (t) => t === T0 + 2 * H1 && h.exchange.faults.stall({ ms: 3 * H1 }),
    });
    await assertExactlyOnce(h, end);
    assert.deepEqual(
      ofType(h, "disconnected").map((e) => [e.reason, e.code]),
      [["idle", 4000]],
    );
    assert.equal(h.stream.stats.connects, 2);
    assert(h.stream.stats.backfilled >= 1);
  });
});

Deno.test("kline stream drops duplicated events", async () => {
  await withStream(async (h) => {
    const end = T0 + 6 * H1;
    await drive(h, end, {
      at: (t) => t === T0 + H1 && h.exchange.faults.duplicateEvents(40),
    });
    await assertExactlyOnce(h, end);
    assert(h.stream.stats.duplicates >= 8, `${h.stream.stats.duplicates}`);
    assert.equal(h.stream.stats.backfillRequests, 0);
  });
});

Deno.test("kline stream orders out-of-order closed candles with a REST fill and drops the late copies", async () => {
  await withStream(async (h) => {
    const end = T0 + 12 * H1;
    await drive(h, end, {
      step: H1,
      at: (t) => t === T0 + 2 * H1 && h.exchange.faults.outOfOrderEvents(3),
    });
    await assertExactlyOnce(h, end);
    assert(h.stream.stats.backfillRequests >= 1);
    assert(h.stream.stats.duplicates >= 3);
  }, {
    series: [SERIES[0]!],
    updatesPerCandle: 0,
    stream: { idleTimeoutMs: Infinity, lateAfterMs: 2 * H1 },
  });
});

Deno.test("kline stream reports malformed frames, keeps the connection and loses no candle", async () => {
  await withStream(async (h) => {
    const end = T0 + 6 * H1;
    await drive(h, end, {
      at: (t) =>
        t === T0 + H1 + M15 && h.exchange.faults.malformedJson({ events: 12 }),
    });
    await assertExactlyOnce(h, end);
    const malformed = ofType(h, "malformed");
    assert.equal(malformed.length, 12);
    assert(malformed.every((e) => e.stream?.includes("@kline_")));
    assert.equal(h.stream.stats.connects, 1);
    assert(h.stream.stats.backfilled >= 1);
  });
});

Deno.test("kline stream reconnects when the server closes at 24 h", async () => {
  await withStream(async (h) => {
    h.exchange.faults.closeAt24h(true);
    const end = T0 + 27 * H1;
    await drive(h, end);
    await assertExactlyOnce(h, end);
    assert.deepEqual(
      ofType(h, "disconnected").map((e) => [e.reason, e.code]),
      [["closed", 1001]],
    );
    assert.equal(h.exchange.stats.connectionsClosed, 1);
  }, { stream: { maxConnectionAgeMs: 30 * H1 } });
});

Deno.test("kline stream reconnects before 24 h with the new connection open before the old one closes", async () => {
  const start = T0 + 5 * 60_000;
  await withStream(async (h) => {
    h.exchange.faults.closeAt24h(true);
    const end = start + 27 * H1;
    await drive(h, start + 23.5 * H1);
    await eventually(
      () => ofType(h, "disconnected").length === 1,
      "the old connection closed",
    );
    await drive(h, end);
    await assertExactlyOnce(h, end);
    assert.deepEqual(ofType(h, "connected").map((e) => e.at), [
      start,
      start + 23.5 * H1,
    ]);
    assert.deepEqual(
      ofType(h, "disconnected").map((e) => [e.reason, e.code]),
      [["planned", 1000]],
    );
    assert.equal(h.exchange.stats.connectionsClosed, 0);
    assert.equal(h.stream.stats.backfilled, 0);
  }, { start });
});

for (const status of [429, 418] as const) {
  Deno.test(`kline stream waits out a ${status} during the backfill after a reconnect`, async () => {
    await withStream(async (h) => {
      const end = T0 + 5 * H1;
      await drive(h, end, {
        at: (t) => {
          if (t !== T0 + 2 * H1) return;
          h.exchange.faults.rateLimit({
            status,
            retryAfterSeconds: 90,
            requests: 2,
          });
          h.exchange.faults.dropConnections();
        },
      });
      await assertExactlyOnce(h, end);
      assert(h.exchange.stats.rateLimited >= 2);
      assert.equal(h.exchange.stats.rateLimitViolations, 0);
      assert(h.stream.stats.backfilled >= 1);
    }, { stream: { backoff: { baseMs: H1, capMs: H1 } } });
  });
}

Deno.test("kline stream reports a series stale after two intervals without a candle and recovered after", async () => {
  const holed = withoutRows(BTC1H, 0, 0);
  const first = holed.openTime.indexOf(T0 + 3 * H1);
  const series = [{
    symbol: "BTCUSDT",
    timeframe: "1h",
    candles: withoutRows(BTC1H, first, first + 4), // no candles 3:00-6:00
  }];
  await withStream(async (h) => {
    const end = T0 + 10 * H1;
    await drive(h, end);
    await assertExactlyOnce(h, end);
    assert.deepEqual(
      h.events.filter((e) => e.type === "stale" || e.type === "recovered"),
      [
        {
          type: "stale",
          series: "BTCUSDT:1h",
          lastOpenTime: T0 + 2 * H1,
          at: T0 + 5 * H1,
        },
        {
          type: "recovered",
          series: "BTCUSDT:1h",
          lastOpenTime: T0 + 7 * H1,
          at: T0 + 8 * H1,
        },
      ],
    );
  }, { series });
});

Deno.test("kline stream reports a throwing consumer and goes on with the next candle", async () => {
  await withStream(async (h) => {
    const end = T0 + 3 * H1;
    await drive(h, end);
    await assertExactlyOnce(h, end);
    assert.deepEqual(
      ofType(h, "handler_error").map((e) => [e.series, e.openTime, e.error]),
      [["ETHUSDT:1h", T0 + H1, "Error: consumer failed"]],
    );
    assert.equal(h.stream.stats.handlerErrors, 1);
  }, {
    failOn: (key, kline) => key === "ETHUSDT:1h" && kline.openTime === T0 + H1,
  });
});

Deno.test("kline stream status shows each series' last candle, staleness and connection", async () => {
  await withStream(async (h) => {
    await drive(h, T0 + 2 * H1);
    const status = h.stream.status();
    assert.deepEqual(
      status.series.map((
        s,
      ) => [s.key, s.lastOpenTime, s.stale, s.backfilling, s.connection]),
      [
        ["BTCUSDT:1h", T0 + H1, false, false, "open"],
        ["ETHUSDT:1h", T0 + H1, false, false, "open"],
        ["BTCUSDT:30m", T0 + H1 + M30, false, false, "open"],
      ],
    );
    assert.deepEqual(status.connections, [{
      id: 0,
      streams: 3,
      state: "open",
      openedAt: T0,
    }]);
  });
});

Deno.test("kline stream stop closes every connection and cancels pending waits and requests", async () => {
  await withStream(async (h) => {
    await drive(h, T0 + H1);
    h.exchange.faults.rateLimit({
      status: 429,
      retryAfterSeconds: 600,
      requests: 1,
    });
    h.exchange.faults.dropConnections();
    await drive(h, T0 + 2 * H1); // reconnected; the backfill waits for the 429
    assert(h.stream.status().series.some((s) => s.backfilling));
    const stopping = h.stream.stop();
    assert.equal(h.stream.stop(), stopping);
    await stopping;
    assert.equal(h.clock.pendingSleeps, 0);
    await eventually(() => h.exchange.stats.wsOpen === 0, "server side closed");
    assert.deepEqual(
      h.stream.status().connections.map((c) => c.state),
      ["stopped"],
    );
    const delivered = h.stream.stats.delivered;
    await h.clock.advanceTo(T0 + 4 * H1);
    assert.equal(h.stream.stats.delivered, delivered);
  }, { stream: { backoff: { baseMs: H1, capMs: H1 } } });
});

Deno.test("kline stream retries a refused connection with capped jittered backoff", async () => {
  await withStream(async (h) => {
    await drive(h, T0 + 6 * 60_000, { step: 60_000 });
    const failed = ofType(h, "connect_failed");
    assert.deepEqual(
      failed.slice(0, 5).map((e) => [e.attempt, e.retryInMs]),
      [[1, 750], [2, 1500], [3, 3000], [4, 6000], [5, 12000]],
    );
    assert.equal(h.stream.stats.connects, 0);
    assert.equal(h.exchange.stats.wsConnections, 0);
    assert.equal(h.stream.status().connections[0]!.state, "backoff");
  }, { streamLimit: 2, stream: { backoff: { baseMs: 1000, capMs: 16_000 } } });
});

Deno.test("kline stream gives up a connection that does not open within connectTimeoutMs", async () => {
  const sockets: Socket[] = [];
  const server = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const clock = new FakeClock();
  const events: KlineStreamEvent[] = [];
  const stream = new KlineStream({
    wsUrl: `ws://127.0.0.1:${port}`,
    series: [{ symbol: "BTCUSDT", timeframe: "1h" }],
    rest: new BinanceRestClient({ baseUrl: "http://127.0.0.1:9", clock }),
    clock,
    onCandle: () => {},
    onStatus: (event) => events.push(event),
    connectTimeoutMs: 50,
  });
  try {
    await stream.start();
    assert.deepEqual(events.map((e) => e.type), ["connect_failed"]);
  } finally {
    await stream.stop();
    sockets.forEach((socket) => socket.destroy());
    await new Promise((resolve) => server.close(resolve));
  }
});

Deno.test("kline stream stop ends a connection attempt that has not opened yet", async () => {
  const sockets: Socket[] = [];
  const server = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const clock = new FakeClock();
  const stream = new KlineStream({
    wsUrl: `ws://127.0.0.1:${port}`,
    series: [{ symbol: "BTCUSDT", timeframe: "1h" }],
    rest: new BinanceRestClient({ baseUrl: "http://127.0.0.1:9", clock }),
    clock,
    onCandle: () => {},
  });
  try {
    const starting = stream.start();
    await eventually(() => sockets.length === 1, "the TCP connection");
    assert.equal(stream.status().connections[0]!.state, "connecting");
    await stream.stop();
    await starting;
    assert.equal(stream.status().connections[0]!.state, "stopped");
    assert.equal(clock.pendingSleeps, 0);
  } finally {
    sockets.forEach((socket) => socket.destroy());
    await new Promise((resolve) => server.close(resolve));
  }
});

Deno.test("kline stream refuses to start twice", async () => {
  await withStream(async (h) => {
    await assert.rejects(() => h.stream.start(), {
      name: "TypeError",
      message:
        "Cannot start kline stream as it must be started only once: current value is started",
    });
  });
});

Deno.test("kline stream rejects bad options with the field and value", () => {
  const clock = new FakeClock();
  const rest = new BinanceRestClient({ baseUrl: "http://127.0.0.1:9", clock });
  const base: KlineStreamOptions = {
    wsUrl: "ws://127.0.0.1:9",
    series: [{ symbol: "BTCUSDT", timeframe: "1h" }],
    rest,
    clock,
    onCandle: () => {},
  };
  const cases: [Partial<KlineStreamOptions>, string, string][] = [
    [
      { wsUrl: "http://x" },
      "TypeError",
      "Cannot create kline stream as 'wsUrl' must be a ws:// or wss:// URL: current value is 'http://x'",
    ],
    [
      { streamsPerConnection: 201 },
      "RangeError",
      "Cannot create kline stream as 'streamsPerConnection' must be an integer from 1 to 200: current value is 201",
    ],
    [
      { series: [] },
      "RangeError",
      "Cannot create kline stream as 'series' must be a non-empty list: current value is []",
    ],
    [
      { series: [{ symbol: "btc", timeframe: "1h" }] },
      "TypeError",
      "Cannot create kline stream as 'symbol' must be 2 to 32 upper-case letters or digits: current value is 'btc'",
    ],
    [
      {
        series: [
          { symbol: "BTCUSDT", timeframe: "1h" },
          { symbol: "BTCUSDT", timeframe: "1h" },
        ],
      },
      "RangeError",
      "Cannot create kline stream as 'series' must be unique: current value is 'BTCUSDT:1h' twice",
    ],
    [
      { series: [{ symbol: "BTCUSDT", timeframe: "1x" }] },
      "RangeError",
      "Cannot read timeframe as it must look like '30m', '1h' or '1d': current value is '1x'",
    ],
    [
      { lastClosed: new Map([["BTCUSDT:1h", 1.5]]) },
      "RangeError",
      "Cannot create kline stream as 'lastClosed.BTCUSDT:1h' must be an integer open time: current value is 1.5",
    ],
    [
      { backoff: { baseMs: 10, capMs: 5 } },
      "RangeError",
      "Cannot create kline stream as 'backoff.capMs' must be at least baseMs: current value is 5",
    ],
    [
      { staleAfterIntervals: 0 },
      "RangeError",
      "Cannot create kline stream as 'staleAfterIntervals' must be a positive number: current value is 0",
    ],
  ];
  for (const [options, name, message] of cases) {
    assert.throws(() => new KlineStream({ ...base, ...options }), {
      name,
      message,
    });
  }
});
