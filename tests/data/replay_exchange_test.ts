/**
 * Tests of the replay exchange over real HTTP and WebSocket on 127.0.0.1: REST answers as
 * Binance gives them (forming candle, weights, errors, exchange info), kline events pushed in
 * order with Binance's JSON shape, and every WebSocket fault.
 *
 * @module
 */
import assert from "node:assert/strict";
import { loadCandles } from "../../data/candle_loader.ts";
import { parseKlineEvent } from "../../data/binance_kline.ts";
import {
  type ReplayExchange,
  type ReplayExchangeOptions,
  startReplayExchange,
} from "../../data/replay_exchange.ts";
import { FIXTURES } from "../shared_data.ts";

const H1 = 3_600_000;
const BTC = loadCandles(`${FIXTURES}BTCUSDT-1h.csv.gz`, { timeframe: "1h" });
const ETH = loadCandles(`${FIXTURES}ETHUSDT-1h.csv.gz`, { timeframe: "1h" });
const T0 = BTC.openTime[0]!; // 2026-01-12T08:00:00Z, same first candle for ETH
const START = T0 + 5 * H1; // candles 0..4 closed, candle 5 opens
const STREAMS = "btcusdt@kline_1h/ethusdt@kline_1h";

async function withExchange(
  run: (exchange: ReplayExchange) => Promise<void>,
  options: Partial<ReplayExchangeOptions> = {},
): Promise<void> {
  const exchange = await startReplayExchange({
    series: [
      { symbol: "BTCUSDT", timeframe: "1h", candles: BTC },
      { symbol: "ETHUSDT", timeframe: "1h", candles: ETH },
    ],
    startTime: START,
    ...options,
  });
  try {
    await run(exchange);
  } finally {
    await exchange.close();
  }
}

async function eventually(check: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !check(); waited += 5) {
    if (waited > 3000) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

interface Client {
  readonly socket: WebSocket;
  readonly messages: string[];
  readonly closed: Promise<CloseEvent>;
}

async function connect(
  exchange: ReplayExchange,
  streams = STREAMS,
): Promise<Client> {
  const socket = new WebSocket(
    `${exchange.wsUrl}/market/stream?streams=${streams}`,
  );
  const messages: string[] = [];
  socket.onmessage = (event) => messages.push(event.data);
  const closed = new Promise<CloseEvent>((
    resolve,
  ) => (socket.onclose = resolve));
  await new Promise((resolve, reject) => {
    socket.onopen = resolve;
    socket.onerror = reject;
  });
  return { socket, messages, closed };
}

async function disconnect(client: Client): Promise<void> {
  client.socket.close();
  await client.closed;
}

async function getJson(exchange: ReplayExchange, path: string) {
  const response = await fetch(exchange.restUrl + path);
  return {
    status: response.status,
    weight: response.headers.get("x-mbx-used-weight-1m"),
    retryAfter: response.headers.get("retry-after"),
    body: JSON.parse(await response.text()),
  };
}

Deno.test("replay exchange serves closed klines exactly and the forming one built up to now", async () => {
  await withExchange(async (exchange) => {
    await exchange.advanceTo(START + 45 * 60_000);
    const { status, body } = await getJson(
      exchange,
      `/fapi/v1/klines?symbol=BTCUSDT&interval=1h&startTime=${T0 + 4 * H1}`,
    );
    assert.equal(status, 200);
    assert.deepEqual(body, [
      [
        T0 + 4 * H1,
        "90573.9",
        "90828.2",
        "90573.8",
        "90741.6",
        "2101.420",
        T0 + 5 * H1 - 1,
        "0",
        0,
        "0.000",
        "0",
        "0",
      ],
      // open 90741.6, high 90788, low 90490.9, close 90596.8 (close < open: O -> H -> L -> C);
      // at 3/4 the price is a quarter up the last leg: 90490.9 + 105.9 / 4 = 90517.375 -> .4
      [
        T0 + 5 * H1,
        "90741.6",
        "90788.0",
        "90490.9",
        "90517.4",
        "2739.419",
        T0 + 6 * H1 - 1,
        "0",
        0,
        "0.000",
        "0",
        "0",
      ],
    ]);
    assert.equal(BTC.close[4], 90741.6);
  });
});

Deno.test("replay exchange selects klines by start, end and limit like Binance", async () => {
  await withExchange(async (exchange) => {
    const times = async (query: string) =>
      (await getJson(
        exchange,
        `/fapi/v1/klines?symbol=ETHUSDT&interval=1h${query}`,
      ))
        .body.map((row: number[]) => (row[0]! - T0) / H1);
    assert.deepEqual(await times(""), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(await times("&limit=2"), [4, 5]);
    assert.deepEqual(await times(`&startTime=${T0 + H1}&limit=2`), [1, 2]);
    assert.deepEqual(await times(`&endTime=${T0 + 2 * H1}&limit=2`), [1, 2]);
    assert.deepEqual(await times(`&startTime=${T0 + 9 * H1}`), []);
    assert.deepEqual(
      (await getJson(exchange, "/fapi/v1/klines?symbol=MATICUSDT&interval=1h"))
        .body,
      [],
    );
  });
});

Deno.test("replay exchange answers Binance errors for bad kline requests", async () => {
  await withExchange(async (exchange) => {
    const cases: [string, number, number][] = [
      ["symbol=DOGEUSDT&interval=1h", 400, -1121],
      ["interval=1h", 400, -1102],
      ["symbol=BTCUSDT&interval=7h", 400, -1120],
      ["symbol=BTCUSDT&interval=1h&limit=1501", 400, -1130],
      ["symbol=BTCUSDT&interval=1h&startTime=-5", 400, -1100],
    ];
    for (const [query, status, code] of cases) {
      const answer = await getJson(exchange, `/fapi/v1/klines?${query}`);
      assert.equal(answer.status, status, query);
      assert.equal(answer.body.code, code, query);
    }
    assert.deepEqual(
      (await getJson(exchange, "/fapi/v1/klines?symbol=X1&interval=1h")).body,
      {
        code: -1121,
        msg: "Invalid symbol.",
      },
    );
  });
});

Deno.test("replay exchange counts weight per limit band in the used-weight header by minute", async () => {
  await withExchange(async (exchange) => {
    const weights: (string | null)[] = [];
    for (const limit of [99, 100, 499, 500, 1000, 1001]) {
      weights.push(
        (await getJson(
          exchange,
          `/fapi/v1/klines?symbol=BTCUSDT&interval=1h&limit=${limit}`,
        ))
          .weight,
      );
    }
    weights.push((await getJson(exchange, "/fapi/v1/time")).weight);
    assert.deepEqual(weights, ["1", "3", "5", "10", "15", "25", "26"]);
    await exchange.advanceTo(START + 60_000);
    assert.equal((await getJson(exchange, "/fapi/v1/time")).weight, "1");
    assert.equal(exchange.stats.weightUsed, 27);
  });
});

Deno.test("replay exchange answers 429 with Retry-After to the minute once 2400 weight is used", async () => {
  await withExchange(async (exchange) => {
    const far =
      `/fapi/v1/klines?symbol=BTCUSDT&interval=1h&limit=1500&startTime=${
        START + H1
      }`;
    for (let i = 0; i < 240; i++) {
      assert.equal((await getJson(exchange, far)).status, 200);
    }
    const refused = await getJson(exchange, far);
    assert.equal(refused.status, 429);
    assert.equal(refused.retryAfter, "60"); // START is on a minute boundary
    assert.equal(refused.body.code, -1003);
    await exchange.advanceTo(START + 60_000);
    assert.equal((await getJson(exchange, far)).status, 200);
    assert.equal(exchange.stats.rateLimitViolations, 0);
  });
});

Deno.test("replay exchange counts a request on an answered connection during a 429 wait as a violation", async () => {
  await withExchange(async (exchange) => {
    exchange.faults.rateLimit({
      status: 429,
      retryAfterSeconds: 5,
      requests: 1,
    });
    const first = await getJson(exchange, "/fapi/v1/time");
    assert.equal(first.status, 429);
    assert.equal(first.retryAfter, "5");
    const second = await getJson(exchange, "/fapi/v1/time");
    assert.equal(second.status, 429);
    assert.equal(exchange.stats.rateLimitViolations, 1);
    await exchange.advanceTo(START + 5000);
    assert.equal((await getJson(exchange, "/fapi/v1/time")).status, 200);
    assert.equal(exchange.stats.rateLimitViolations, 1);
    assert.equal(exchange.stats.rateLimited, 2);
  });
});

Deno.test("replay exchange lists served symbols as TRADING and MATICUSDT as SETTLING", async () => {
  await withExchange(async (exchange) => {
    const { body } = await getJson(exchange, "/fapi/v1/exchangeInfo");
    assert.equal(body.serverTime, START);
    const summary = body.symbols.map((s: Record<string, unknown>) => [
      s.symbol,
      s.status,
      s.pricePrecision,
      (s.filters as Record<string, string>[]).map((f) =>
        f.tickSize ?? f.stepSize
      ),
    ]);
    assert.deepEqual(summary, [
      ["BTCUSDT", "TRADING", 1, ["0.1", "0.001"]],
      ["ETHUSDT", "TRADING", 2, ["0.01", "0.001"]],
      ["MATICUSDT", "SETTLING", 4, ["0.0001", "1"]],
    ]);
  });
});

Deno.test("replay exchange pushes in-progress then closed kline events in time order", async () => {
  await withExchange(async (exchange) => {
    const client = await connect(exchange);
    await exchange.advanceTo(START + H1);
    await eventually(() => client.messages.length >= 8, "8 events");
    const events = client.messages.map((m) => parseKlineEvent(m));
    assert.deepEqual(
      events.map((e) => [e.symbol, (e.eventTime - START) / 60_000, e.closed]),
      [
        ["BTCUSDT", 15, false],
        ["ETHUSDT", 15, false],
        ["BTCUSDT", 30, false],
        ["ETHUSDT", 30, false],
        ["BTCUSDT", 45, false],
        ["ETHUSDT", 45, false],
        ["BTCUSDT", 60, true],
        ["ETHUSDT", 60, true],
      ],
    );
    const raw = JSON.parse(client.messages[6]!);
    assert.equal(raw.stream, "btcusdt@kline_1h");
    assert.deepEqual(Object.keys(raw.data), ["e", "E", "s", "k"]);
    assert.deepEqual(
      Object.keys(raw.data.k),
      [
        "t",
        "T",
        "s",
        "i",
        "f",
        "L",
        "o",
        "c",
        "h",
        "l",
        "v",
        "n",
        "x",
        "q",
        "V",
        "Q",
        "B",
      ],
    );
    assert.deepEqual(
      [raw.data.k.o, raw.data.k.h, raw.data.k.l, raw.data.k.c, raw.data.k.v],
      ["90741.6", "90788.0", "90490.9", "90596.8", "3652.559"],
    );
    const closed = events[7]!.kline;
    assert.deepEqual(
      [
        closed.openTime,
        closed.open,
        closed.high,
        closed.low,
        closed.close,
        closed.volume,
      ],
      [
        ETH.openTime[5],
        ETH.open[5],
        ETH.high[5],
        ETH.low[5],
        ETH.close[5],
        ETH.volume[5],
      ],
    );
    assert.equal(closed.closeTime, START + H1 - 1);
    assert.equal(exchange.stats.eventsSent, 8);
    await disconnect(client);
  });
});

Deno.test("replay exchange sends only subscribed streams and takes SUBSCRIBE requests", async () => {
  await withExchange(async (exchange) => {
    const client = await connect(exchange, "ethusdt@kline_1h");
    await exchange.advanceTo(START + H1);
    await eventually(() => client.messages.length >= 4, "4 events");
    client.socket.send(
      JSON.stringify({
        method: "SUBSCRIBE",
        params: ["btcusdt@kline_1h"],
        id: 7,
      }),
    );
    await eventually(() => client.messages.length >= 5, "the reply");
    assert.deepEqual(JSON.parse(client.messages[4]!), { result: null, id: 7 });
    await exchange.advanceTo(START + H1 + 15 * 60_000);
    await eventually(() => client.messages.length >= 7, "2 more events");
    assert.deepEqual(
      client.messages.map((m) => JSON.parse(m).stream),
      [
        ...Array(4).fill("ethusdt@kline_1h"),
        undefined,
        "btcusdt@kline_1h",
        "ethusdt@kline_1h",
      ],
    );
    await disconnect(client);
  });
});

Deno.test("replay exchange refuses a connection with more streams than the limit", async () => {
  await withExchange(async (exchange) => {
    await assert.rejects(() =>
      connect(exchange, "a@kline_1h/b@kline_1h/c@kline_1h")
    );
    assert.equal(exchange.stats.wsConnections, 0);
  }, { streamLimit: 2 });
});

Deno.test("replay exchange drops every connection abruptly on dropConnections", async () => {
  await withExchange(async (exchange) => {
    const client = await connect(exchange);
    exchange.faults.dropConnections();
    const event = await client.closed;
    assert.equal(event.wasClean, false);
    assert.equal(exchange.stats.wsOpen, 0);
    assert.equal(exchange.stats.connectionsClosed, 1);
  });
});

Deno.test("replay exchange duplicates the next events when asked", async () => {
  await withExchange(async (exchange) => {
    const client = await connect(exchange, "btcusdt@kline_1h");
    exchange.faults.duplicateEvents(2);
    await exchange.advanceTo(START + H1);
    await eventually(() => client.messages.length >= 6, "6 frames");
    const seen = client.messages.map((m) =>
      (JSON.parse(m).data.E - START) / 60_000
    );
    assert.deepEqual(seen, [15, 15, 30, 30, 45, 60]);
    await disconnect(client);
  });
});

Deno.test("replay exchange swaps each held event with the next one when asked", async () => {
  await withExchange(async (exchange) => {
    const client = await connect(exchange, "btcusdt@kline_1h");
    exchange.faults.outOfOrderEvents(2);
    await exchange.advanceTo(START + 2 * H1);
    await eventually(() => client.messages.length >= 8, "8 frames");
    const seen = client.messages.map((m) =>
      (JSON.parse(m).data.E - START) / 60_000
    );
    assert.deepEqual(seen, [30, 15, 60, 45, 75, 90, 105, 120]);
    await disconnect(client);
  });
});

Deno.test("replay exchange truncates the next event frames when asked for malformed JSON", async () => {
  await withExchange(async (exchange) => {
    const client = await connect(exchange, "btcusdt@kline_1h");
    exchange.faults.malformedJson({ events: 1 });
    await exchange.advanceTo(START + 30 * 60_000);
    await eventually(() => client.messages.length >= 2, "2 frames");
    assert.throws(() => parseKlineEvent(client.messages[0]!), SyntaxError);
    assert.equal(
      parseKlineEvent(client.messages[1]!).eventTime,
      START + 30 * 60_000,
    );
    await disconnect(client);
  });
});

Deno.test("replay exchange sends nothing on a stalled connection, then resumes", async () => {
  await withExchange(async (exchange) => {
    const client = await connect(exchange, "btcusdt@kline_1h");
    exchange.faults.stall({ ms: H1 });
    await exchange.advanceTo(START + H1 - 1);
    const late = await connect(exchange, "btcusdt@kline_1h");
    await exchange.advanceTo(START + H1 + 15 * 60_000);
    await eventually(
      () => client.messages.length >= 2,
      "events after the stall",
    );
    const minutes = (c: Client) =>
      c.messages.map((m) => (JSON.parse(m).data.E - START) / 60_000);
    assert.deepEqual(minutes(client), [60, 75]);
    assert.deepEqual(minutes(late), [60, 75]);
    assert.equal(exchange.stats.eventsStalled, 3);
    assert.equal(exchange.stats.pingsSent, 2);
    await disconnect(client);
    await disconnect(late);
  });
});

Deno.test("replay exchange pings on the replay clock and Deno's client answers", async () => {
  await withExchange(async (exchange) => {
    const client = await connect(exchange, "btcusdt@kline_1h");
    await exchange.advanceTo(START + 3 * 60_000);
    assert.equal(exchange.stats.pingsSent, 1);
    await eventually(() => exchange.stats.pongsReceived === 1, "a pong");
    await exchange.advanceTo(START + 30 * 60_000);
    assert.equal(exchange.stats.wsOpen, 1);
    await disconnect(client);
  });
});

Deno.test("replay exchange drops a client that does not answer pings for 10 minutes", async () => {
  await withExchange(async (exchange) => {
    const port = Number(new URL(exchange.restUrl).port);
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    await conn.write(new TextEncoder().encode(
      "GET /market/stream?streams=btcusdt@kline_1h HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n" +
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    ));
    const buffer = new Uint8Array(256);
    const read = await conn.read(buffer);
    assert.match(
      new TextDecoder().decode(buffer.subarray(0, read ?? 0)),
      /^HTTP\/1.1 101/,
    );
    await exchange.advanceTo(START + 3 * 60_000);
    await exchange.advanceTo(START + 12 * 60_000);
    assert.equal(exchange.stats.wsOpen, 1);
    await exchange.advanceTo(START + 13 * 60_000);
    assert.equal(exchange.stats.wsOpen, 0);
    assert.equal(exchange.stats.connectionsClosed, 1);
    conn.close();
  }, { pongWallGraceMs: 0 });
});

Deno.test("replay exchange closes each connection 24 h after it opened when asked", async () => {
  await withExchange(async (exchange) => {
    exchange.faults.closeAt24h(true);
    const client = await connect(exchange, "btcusdt@kline_1h");
    await exchange.advanceTo(START + 24 * H1);
    const event = await client.closed;
    assert.equal(event.code, 1001);
    const closedEvents = client.messages.filter((m) =>
      JSON.parse(m).data.k.x
    ).length;
    assert.equal(closedEvents, 23);
    assert.equal(exchange.stats.connectionsClosed, 1);
  }, { updatesPerCandle: 0 });
});

Deno.test("replay exchange refuses to move its clock back", async () => {
  await withExchange(async (exchange) => {
    await assert.rejects(() => exchange.advanceTo(START - 1), {
      name: "RangeError",
      message:
        `Cannot advance the replay clock as 'time' must not be earlier than now (${START}): current value is ${
          START - 1
        }`,
    });
    assert.equal(exchange.now(), START);
  });
});
