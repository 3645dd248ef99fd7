/**
 * A Binance-compatible replay exchange on 127.0.0.1: REST (`replay_rest.ts`) and combined kline
 * streams (`replay_ws.ts`) on one port, serving candles from files with a replay clock that moves
 * only through `advanceTo`, and faults on request (`replay_faults.ts`). The demo and `--replay`
 * modes run on it, and the tests of every market-data client.
 *
 * `advanceTo(t)` sets the clock to t first (so REST already sees candles whose events are still
 * being sent), then pushes every event of (previous time, t] in time order (`replay_market.ts`),
 * then pings: each connection gets a ping once 3 min of replay time have passed since its last one
 * and is dropped when a ping stays unanswered for 10 min of replay time and `pongWallGraceMs` of
 * wall time (a client gets a chance to answer even when the replay runs fast).
 *
 * Every wait the exchange imposes (429/418 `Retry-After`, the weight minute) runs on the replay
 * clock, so a client must use a `Clock` that reads it: in tests a `FakeClock` with
 * `onAdvance: (t) => exchange.advanceTo(t)`, in the demo a clock paced over `now()`.
 *
 * @module
 */
import { createServer, type IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import type { Buffer } from "node:buffer";
import { formatKlineEvent } from "./binance_kline.ts";
import {
  emptyStats,
  FaultState,
  type ReplayFaults,
  type ReplayStats,
} from "./replay_faults.ts";
import {
  type MarketSeries,
  ReplayMarket,
  type ReplaySeries,
} from "./replay_market.ts";
import { ReplayRest } from "./replay_rest.ts";
import {
  acceptUpgrade,
  serverFrame,
  textFrame,
  WsConnection,
} from "./replay_ws.ts";

export type { ReplaySeries } from "./replay_market.ts";
export type { ReplayFaults, ReplayStats } from "./replay_faults.ts";

/** Options of `startReplayExchange`. */
export interface ReplayExchangeOptions {
  readonly series: readonly ReplaySeries[];
  /** Initial replay time, epoch ms. */
  readonly startTime: number;
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  readonly port?: number;
  /** Most streams per WebSocket connection (default 200). */
  readonly streamLimit?: number;
  /** In-progress updates per candle before its closed event (default 3). */
  readonly updatesPerCandle?: number;
  /** Wall time a ping may stay unanswered besides the 10 replay minutes (default 1000 ms). */
  readonly pongWallGraceMs?: number;
}

/** A running replay exchange. */
export interface ReplayExchange {
  /** `http://127.0.0.1:PORT` */
  readonly restUrl: string;
  /** `ws://127.0.0.1:PORT` */
  readonly wsUrl: string;
  /** The replay clock, epoch ms. */
  now(): number;
  /** Moves the clock forward and pushes the events of the span (see the module doc). */
  advanceTo(time: number): Promise<void>;
  readonly faults: ReplayFaults;
  readonly stats: ReplayStats;
  /** Stops serving and closes every connection. */
  close(): Promise<void>;
}

const PING_INTERVAL_MS = 180_000;
const PONG_TIMEOUT_MS = 600_000;
const DAY_MS = 86_400_000;
const encoder = new TextEncoder();

function checkOptions(options: ReplayExchangeOptions): void {
  const checks: [string, unknown, boolean][] = [
    ["startTime", options.startTime, Number.isFinite(options.startTime)],
    [
      "port",
      options.port,
      options.port === undefined ||
      (Number.isInteger(options.port) && options.port >= 0 &&
        options.port < 65536),
    ],
    [
      "streamLimit",
      options.streamLimit,
      options.streamLimit === undefined ||
      (Number.isInteger(options.streamLimit) && options.streamLimit > 0),
    ],
    [
      "updatesPerCandle",
      options.updatesPerCandle,
      options.updatesPerCandle === undefined ||
      (Number.isInteger(options.updatesPerCandle) &&
        options.updatesPerCandle >= 0),
    ],
  ];
  for (const [field, value, ok] of checks) {
    if (!ok) {
      throw new RangeError(
        `Cannot start replay exchange as '${field}' must be a valid number: current value is ${value}`,
      );
    }
  }
}

class Exchange implements ReplayExchange {
  readonly restUrl: string;
  readonly wsUrl: string;
  readonly faults: FaultState;
  readonly stats = emptyStats();
  readonly #server: ReturnType<typeof createServer>;
  readonly #market: ReplayMarket;
  readonly #rest: ReplayRest;
  readonly #connections = new Set<WsConnection>();
  readonly #streamLimit: number;
  readonly #graceMs: number;
  #now: number;
  #busy: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(
    server: ReturnType<typeof createServer>,
    options: ReplayExchangeOptions & {
      readonly market: ReplayMarket;
      readonly port: number;
    },
  ) {
    this.#server = server;
    this.#market = options.market;
    this.#now = options.startTime;
    this.#streamLimit = options.streamLimit ?? 200;
    this.#graceMs = options.pongWallGraceMs ?? 1000;
    this.restUrl = `http://127.0.0.1:${options.port}`;
    this.wsUrl = `ws://127.0.0.1:${options.port}`;
    this.faults = new FaultState(
      () => this.#connections.forEach((c) => this.#closeConnection(c, 0, "")),
      (ms) =>
        this.#connections.forEach((c) => (c.stalledUntil = this.#now + ms)),
    );
    this.#rest = new ReplayRest({
      market: this.#market,
      faults: this.faults,
      stats: this.stats,
      now: () => this.#now,
    });
    server.on("request", (req, res) => this.#rest.handle(req, res));
    server.on(
      "upgrade",
      (req: IncomingMessage, socket: Socket, head: Buffer) =>
        this.#upgrade(req, socket, head),
    );
  }

  now(): number {
    return this.#now;
  }

  advanceTo(time: number): Promise<void> {
    const run = this.#busy.then(() => this.#advance(time));
    this.#busy = run.catch(() => {});
    return run;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#rest.close();
    for (const connection of this.#connections) connection.destroy();
    const closed = new Promise<void>((resolve) =>
      this.#server.close(() => resolve())
    );
    this.#server.closeAllConnections();
    await closed;
  }

  #upgrade(request: IncomingMessage, socket: Socket, head: Buffer): void {
    socket.on("error", () => socket.destroy());
    if (this.#closed) return void socket.destroy();
    const streams = acceptUpgrade(request, socket, this.#streamLimit);
    if (streams === undefined) return;
    const connection = new WsConnection(socket, {
      streams,
      streamLimit: this.#streamLimit,
      openedAt: this.#now,
      head,
      onPong: () => this.stats.pongsReceived++,
      onClosed: (c) => {
        if (this.#connections.delete(c)) this.stats.wsOpen--;
      },
    });
    connection.nextPingAt = this.#now + PING_INTERVAL_MS;
    this.#connections.add(connection);
    this.stats.wsConnections++;
    this.stats.wsOpen++;
  }

  #closeConnection(
    connection: WsConnection,
    code: number,
    reason: string,
  ): void {
    this.stats.connectionsClosed++;
    if (code === 0) connection.destroy();
    else connection.close(code, reason);
  }

  async #advance(time: number): Promise<void> {
    if (!(Number.isFinite(time) && time >= this.#now)) {
      throw new RangeError(
        `Cannot advance the replay clock as 'time' must not be earlier than now (${this.#now}): current value is ${time}`,
      );
    }
    const from = this.#now;
    this.#now = time;
    const wall = performance.now();
    for (const c of this.#connections) {
      const ping = c.pendingPing;
      if (
        ping && c.stalledUntil <= from &&
        time - ping.replayAt >= PONG_TIMEOUT_MS &&
        wall - ping.wallAt >= this.#graceMs
      ) this.#closeConnection(c, 0, "");
    }
    if (this.#connections.size === 0) return;
    this.#market.forEachEvent(from, {
      to: time,
      visit: (s, i, t, x) => this.#event(s, i, t, x),
    });
    for (const c of this.#connections) {
      if (this.faults.close24h && time >= c.openedAt + DAY_MS) {
        this.#closeConnection(c, 1001, "24h");
      } else if (time >= c.nextPingAt && time >= c.stalledUntil) {
        c.queue(serverFrame(9, encoder.encode(String(time))));
        this.stats.pingsSent++;
        c.pendingPing ??= { replayAt: time, wallAt: wall };
        c.nextPingAt = time + PING_INTERVAL_MS;
      }
    }
    await Promise.all([...this.#connections].map((c) => c.flush()));
  }

  #event(
    series: MarketSeries,
    index: number,
    time: number,
    closed: boolean,
  ): void {
    let frame: Uint8Array | undefined;
    let text = "";
    for (const c of this.#connections) {
      if (this.faults.close24h && time >= c.openedAt + DAY_MS) {
        this.#closeConnection(c, 1001, "24h");
        continue;
      }
      if (!c.streams.has(series.stream)) continue;
      if (time < c.stalledUntil) {
        this.stats.eventsStalled++;
        continue;
      }
      if (frame === undefined) {
        text = formatKlineEvent({
          stream: series.stream,
          eventTime: time,
          symbol: series.symbol,
          interval: series.timeframe,
          closed,
          kline: series.klineAt(index, time),
        }, series.decimals);
        frame = textFrame(text);
      }
      this.#send(c, frame, text);
    }
  }

  #send(c: WsConnection, frame: Uint8Array, text: string): void {
    const { faults, stats } = this;
    if (faults.take("malformedEvents")) {
      c.queue(textFrame(text.slice(0, text.length >> 1)));
      stats.eventsSent++;
      return;
    }
    if (c.held === undefined && faults.take("outOfOrder")) {
      c.held = frame;
      return;
    }
    const copies = faults.take("duplicates") ? 2 : 1;
    for (let i = 0; i < copies; i++) c.queue(frame);
    stats.eventsSent += copies;
    if (c.held !== undefined) {
      c.queue(c.held);
      c.held = undefined;
      stats.eventsSent++;
    }
  }
}

/**
 * Starts a replay exchange on 127.0.0.1.
 *
 * @param options Series, start time, port, stream limit.
 * @returns The running exchange; close it when done.
 * @throws {RangeError} When an option or a series is invalid.
 */
export async function startReplayExchange(
  options: ReplayExchangeOptions,
): Promise<ReplayExchange> {
  checkOptions(options);
  const market = new ReplayMarket(
    options.series,
    options.updatesPerCandle ?? 3,
  );
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null
    ? address.port
    : 0;
  return new Exchange(server, { ...options, market, port });
}
