/**
 * One WebSocket connection slot of the kline stream (`data/binance_ws.ts`): a combined-stream
 * connection for up to 200 series, kept open for as long as the stream runs.
 *
 * - Connects, and after every (re)connect asks each of its series for a backfill round (free when
 *   no candle can have closed meanwhile) before live candles resume: live candles that arrive
 *   during the round are held by the series and merged in order.
 * - Frames: in-progress events (`"x":false`) are only counted; closed events go to their series.
 *   A frame that is not a kline event (truncated JSON, ...) is reported as `malformed` and
 *   skipped, and its series (every series of the connection when the stream name is unreadable)
 *   runs a backfill round, so a lost closed candle comes from REST at once; the connection stays.
 * - Reconnects with capped jittered backoff after a close, an error or a connection that does not
 *   open within `connectTimeoutMs` (the attempt count resets once a connection receives a
 *   frame). A connection that receives nothing for `idleTimeoutMs` is
 *   closed and replaced: the built-in WebSocket answers pings by itself but never shows them, so
 *   silence is the only sign of a dead (half-open) connection.
 * - Planned reconnect: at `maxConnectionAgeMs` (before Binance's 24 h cut) a new connection for
 *   the same streams is opened first and the old one closed only once the new one is open, so
 *   no candle falls between them (the series drop the doubles).
 *
 * The built-in WebSocket cannot force a close: `close()` waits for the server's close frame. An
 * abandoned (idle) connection is therefore closed without waiting, and `stop()` waits for closes
 * at most `closeWaitMs` of wall time.
 *
 * @module
 */
import type { Clock } from "../core/clock.ts";
import {
  type Kline,
  type KlineEvent,
  parseKlineEvent,
} from "./binance_kline.ts";
import { type Backoff, backoffDelay } from "./binance_weight.ts";
import type { MutableStreamStats, SeriesFeed } from "./stream_backfill.ts";

/** Why a connection ended. */
export type DisconnectReason = "closed" | "idle" | "planned" | "stopped";

/** Where a connection slot is. */
export type ConnectionState =
  | "idle"
  | "connecting"
  | "open"
  | "replacing"
  | "backoff"
  | "stopped";

/** Events of a connection slot (plain data; `at` is the clock's time). */
export type ConnectionEvent =
  | {
    readonly type: "connected";
    readonly connection: number;
    readonly streams: number;
    readonly at: number;
  }
  | {
    readonly type: "disconnected";
    readonly connection: number;
    readonly reason: DisconnectReason;
    /** The server's close code, 1006 when cut, ours when we closed it. */
    readonly code: number;
    readonly at: number;
  }
  | {
    readonly type: "connect_failed";
    readonly connection: number;
    readonly attempt: number;
    readonly retryInMs: number;
    readonly at: number;
  }
  | {
    /** A frame that is not a kline event; `stream` when its name is readable. */
    readonly type: "malformed";
    readonly connection: number;
    readonly stream: string | null;
    readonly detail: string;
    readonly at: number;
  };

/** A WebSocket constructor (the built-in one by default). */
export type WebSocketConstructor = new (url: string) => WebSocket;

/** Options of `StreamSlot`. */
export interface StreamSlotOptions {
  readonly id: number;
  /** Full URL with the `streams` query. */
  readonly url: string;
  readonly feeds: readonly SeriesFeed[];
  readonly clock: Clock;
  /** Aborted when the stream stops. */
  readonly signal: AbortSignal;
  readonly WebSocket: WebSocketConstructor;
  readonly backoff: Backoff & { readonly random: () => number };
  readonly maxConnectionAgeMs: number;
  readonly idleTimeoutMs: number;
  /** Wall time a connection may take to open. */
  readonly connectTimeoutMs: number;
  readonly report: (event: ConnectionEvent) => void;
  readonly stats: MutableStreamStats;
  /** In-progress updates (`"x":false`) of a series' forming candle; omitted: only counted. */
  readonly onUpdate?: (seriesKey: string, kline: Kline) => void;
}

type Outcome = "closed" | "idle" | "aged" | "stopped";

const IN_PROGRESS = '"x":false';
const STREAM_PREFIX = /^\{"stream":"([^"]+)"/;

/** Resolves "stopped" when the signal aborts. */
function aborted(signal: AbortSignal): Promise<Outcome> {
  return new Promise((resolve) => {
    const stop = () => resolve("stopped");
    if (signal.aborted) stop();
    else signal.addEventListener("abort", stop, { once: true });
  });
}

/** One WebSocket with the promises of its life. */
class Socket {
  readonly ws: WebSocket;
  readonly opened: Promise<boolean>;
  readonly closed: Promise<number>;
  isClosed = false;
  heard = false;
  openedAt = Number.NaN;
  lastFrameAt = Number.NaN;

  constructor(
    ws: WebSocket,
    options: {
      signal: AbortSignal;
      onFrame: (socket: Socket, data: unknown) => void;
    },
  ) {
    this.ws = ws;
    const { signal, onFrame } = options;
    const stop = () => ws.close(1000, "stopped");
    signal.addEventListener("abort", stop, { once: true });
    this.closed = new Promise((resolve) => {
      ws.onclose = (event) => {
        this.isClosed = true;
        signal.removeEventListener("abort", stop);
        resolve(event.wasClean ? event.code : 1006);
      };
    });
    this.opened = new Promise((resolve) => {
      ws.onopen = () => resolve(true);
      void this.closed.then(() => resolve(false));
    });
    ws.onerror = () => {}; // a close event follows every error
    ws.onmessage = (event) => onFrame(this, event.data);
  }
}

/** One connection slot: connect, watch, reconnect, replace. */
export class StreamSlot {
  readonly id: number;
  readonly feeds: readonly SeriesFeed[];
  /** Where the slot is now. */
  state: ConnectionState = "idle";
  /** Clock time the current connection opened (NaN when none is open). */
  openedAt = Number.NaN;
  readonly #o: StreamSlotOptions;
  readonly #byStream = new Map<string, SeriesFeed>();
  readonly #sockets = new Set<Socket>();
  #attempt = 0;

  constructor(options: StreamSlotOptions, streams: readonly string[]) {
    this.#o = options;
    this.id = options.id;
    this.feeds = options.feeds;
    options.feeds.forEach((feed, i) => this.#byStream.set(streams[i]!, feed));
  }

  /** Every socket not yet closed (for `stop()`). */
  get closing(): Promise<number>[] {
    return [...this.#sockets].map((s) => s.closed);
  }

  /**
   * Runs the slot until the stream stops.
   *
   * @param firstAttempt Called once the first connection attempt has settled.
   * @returns A promise that resolves when the slot has stopped.
   */
  async run(firstAttempt: () => void): Promise<void> {
    const { signal } = this.#o;
    let socket: Socket | undefined;
    try {
      while (!signal.aborted) {
        if (socket === undefined) {
          this.state = "connecting";
          socket = await this.#connect();
          firstAttempt();
          if (socket === undefined) {
            this.state = "backoff";
            await this.#pause("connecting");
            continue;
          }
        }
        const outcome = await this.#watch(socket);
        if (outcome === "stopped") break;
        if (outcome === "aged") {
          this.state = "replacing";
          const next = await this.#connect();
          if (next === undefined) {
            this.state = "open";
            await this.#pause("replacing");
            continue;
          }
          this.#retire(socket, "planned");
          socket = next;
          continue;
        }
        if (outcome === "idle") this.#retire(socket, "idle");
        else this.#disconnected("closed", await socket.closed);
        socket = undefined;
        this.openedAt = Number.NaN;
        this.state = "backoff";
        await this.#pause("reconnecting");
      }
    } catch (error) {
      if (!signal.aborted) throw error;
    } finally {
      firstAttempt();
      if (socket !== undefined && !socket.isClosed) {
        this.#retire(socket, "stopped");
      }
      this.state = "stopped";
    }
  }

  async #connect(): Promise<Socket | undefined> {
    const { clock, signal, stats } = this.#o;
    if (signal.aborted) return undefined;
    const socket = new Socket(new this.#o.WebSocket(this.#o.url), {
      signal,
      onFrame: (s, data) => this.#frame(s, data),
    });
    this.#sockets.add(socket);
    void socket.closed.then(() => this.#sockets.delete(socket));
    const timer = setTimeout(
      () => socket.ws.close(),
      this.#o.connectTimeoutMs,
    );
    const opened = await socket.opened;
    clearTimeout(timer);
    if (!opened || signal.aborted) return undefined;
    socket.openedAt = socket.lastFrameAt = this.openedAt = clock.now();
    this.state = "open";
    stats.connects++;
    this.#o.report({
      type: "connected",
      connection: this.id,
      streams: this.feeds.length,
      at: socket.openedAt,
    });
    for (const feed of this.feeds) feed.requestBackfill();
    return socket;
  }

  async #pause(
    phase: "connecting" | "replacing" | "reconnecting",
  ): Promise<void> {
    if (this.#o.signal.aborted) return;
    const retryInMs = backoffDelay(this.#attempt++, this.#o.backoff);
    if (phase !== "reconnecting") {
      this.#o.report({
        type: "connect_failed",
        connection: this.id,
        attempt: this.#attempt,
        retryInMs,
        at: this.#o.clock.now(),
      });
    }
    await this.#o.clock.sleep(retryInMs, this.#o.signal);
  }

  async #watch(socket: Socket): Promise<Outcome> {
    const { clock, maxConnectionAgeMs, signal } = this.#o;
    if (socket.isClosed) return "closed";
    if (clock.now() >= socket.openedAt + maxConnectionAgeMs) return "aged";
    const done = new AbortController();
    const stop = () => done.abort();
    signal.addEventListener("abort", stop, { once: true });
    try {
      return await Promise.race([
        socket.closed.then((): Outcome => "closed"),
        this.#ageTimer(socket, done.signal),
        this.#idleTimer(socket, done.signal),
        aborted(done.signal),
      ]);
    } finally {
      signal.removeEventListener("abort", stop);
      done.abort();
    }
  }

  async #ageTimer(socket: Socket, signal: AbortSignal): Promise<Outcome> {
    const { clock, maxConnectionAgeMs } = this.#o;
    if (!Number.isFinite(maxConnectionAgeMs)) return aborted(signal);
    try {
      await clock.sleep(
        socket.openedAt + maxConnectionAgeMs - clock.now(),
        signal,
      );
      return "aged";
    } catch {
      return "stopped";
    }
  }

  async #idleTimer(socket: Socket, signal: AbortSignal): Promise<Outcome> {
    const { clock, idleTimeoutMs } = this.#o;
    if (!Number.isFinite(idleTimeoutMs)) return aborted(signal);
    try {
      for (;;) {
        const left = socket.lastFrameAt + idleTimeoutMs - clock.now();
        if (left <= 0) return "idle";
        await clock.sleep(left, signal);
      }
    } catch {
      return "stopped";
    }
  }

  #retire(socket: Socket, reason: DisconnectReason): void {
    const code = reason === "idle" ? 4000 : 1000;
    socket.ws.close(code, reason);
    void socket.closed.then(() => this.#disconnected(reason, code));
  }

  #disconnected(reason: DisconnectReason, code: number): void {
    this.#o.stats.disconnects++;
    this.#o.report({
      type: "disconnected",
      connection: this.id,
      reason,
      code,
      at: this.#o.clock.now(),
    });
  }

  #frame(socket: Socket, data: unknown): void {
    const { stats, signal } = this.#o;
    if (signal.aborted) return;
    stats.frames++;
    socket.lastFrameAt = this.#o.clock.now();
    if (!socket.heard) {
      socket.heard = true;
      this.#attempt = 0;
    }
    if (typeof data !== "string") return;
    const onUpdate = this.#o.onUpdate;
    if (onUpdate === undefined && data.includes(IN_PROGRESS)) {
      stats.updates++;
      return;
    }
    let event: KlineEvent;
    try {
      event = parseKlineEvent(data);
    } catch (error) {
      this.#malformed(data, error);
      return;
    }
    const feed = this.#byStream.get(event.stream);
    if (!event.closed) {
      stats.updates++;
      if (feed !== undefined) onUpdate?.(feed.key, event.kline);
      return;
    }
    if (feed === undefined) return;
    stats.closedEvents++;
    feed.live(event.kline);
  }

  #malformed(text: string, error: unknown): void {
    this.#o.stats.malformed++;
    const stream = STREAM_PREFIX.exec(text)?.[1];
    const feed = stream === undefined ? undefined : this.#byStream.get(stream);
    this.#o.report({
      type: "malformed",
      connection: this.id,
      stream: stream ?? null,
      detail: String(error).slice(0, 200),
      at: this.#o.clock.now(),
    });
    for (const f of feed === undefined ? this.feeds : [feed]) {
      f.requestBackfill();
    }
  }
}
