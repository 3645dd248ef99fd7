/**
 * Fault injection and counters of the replay exchange. Faults happen only when asked, each for a
 * number of requests or events, or for a span of replay time:
 *
 * - `rateLimit`: the next N REST requests are answered 429 or 418 with `Retry-After`; until that
 *   has passed on the replay clock every request is answered the same way, and one sent by a
 *   client that could know of the wait is counted in `stats.rateLimitViolations` (see
 *   `replay_rest.ts` for how "could know" is judged).
 * - `serverError`: the next N REST requests get 500, 502 or 503.
 * - `malformedJson`: the next N successful REST bodies, or the next N event frames, are cut in
 *   half (still a valid HTTP response / WebSocket text frame, but truncated JSON).
 * - `delay`: the next N REST responses (default 1) are held for `ms` of wall time, because client
 *   timeouts measure wall time.
 * - `dropConnections`: every WebSocket connection is cut at once (TCP closed, no close frame).
 * - `stall`: the connections open now send nothing, not even pings, for `ms` of replay time (their
 *   events of that span are lost); connections opened later are not stalled.
 * - `duplicateEvents(n)`: the next n event frames are each sent twice in a row.
 * - `outOfOrderEvents(n)`: the next n event frames are each held back and sent right after the
 *   following frame of the same connection.
 * - `closeAt24h(true)`: every connection is closed (close frame 1001) once it has been open for
 *   24 h of replay time.
 *
 * @module
 */

/** Fault controls of the replay exchange. */
export interface ReplayFaults {
  rateLimit(
    options: {
      readonly status: 429 | 418;
      readonly retryAfterSeconds: number;
      readonly requests: number;
    },
  ): void;
  serverError(
    options: { readonly status: 500 | 502 | 503; readonly requests: number },
  ): void;
  malformedJson(
    options: { readonly requests?: number; readonly events?: number },
  ): void;
  delay(options: { readonly ms: number; readonly requests?: number }): void;
  dropConnections(): void;
  stall(options: { readonly ms: number }): void;
  duplicateEvents(count: number): void;
  outOfOrderEvents(count: number): void;
  closeAt24h(enabled: boolean): void;
  /** Cancels every pending fault (counts, delays, stalls, the 24 h close). */
  clear(): void;
}

/** Counters of the replay exchange. */
export interface ReplayStats {
  /** REST requests received. */
  readonly requests: number;
  /** Request weight charged (requests answered by the endpoints). */
  readonly weightUsed: number;
  /** 429/418 answers sent (faults, weight limit and answers during a wait). */
  readonly rateLimited: number;
  /** Requests from a client that knew a 429/418 wait was in force. Must stay 0. */
  readonly rateLimitViolations: number;
  /** 5xx answers sent. */
  readonly serverErrors: number;
  /** WebSocket connections opened. */
  readonly wsConnections: number;
  /** WebSocket connections open now. */
  readonly wsOpen: number;
  /** Kline event frames sent (duplicates and truncated frames included). */
  readonly eventsSent: number;
  /** Events lost to a stall. */
  readonly eventsStalled: number;
  readonly pingsSent: number;
  readonly pongsReceived: number;
  /** Connections closed by the server (drops, missed pongs, 24 h). */
  readonly connectionsClosed: number;
}

/** Mutable counters (the exchange exposes them as `ReplayStats`). */
export type MutableStats = {
  -readonly [K in keyof ReplayStats]: ReplayStats[K];
};

/**
 * A fresh set of counters.
 *
 * @returns All counters at 0.
 */
export function emptyStats(): MutableStats {
  return {
    requests: 0,
    weightUsed: 0,
    rateLimited: 0,
    rateLimitViolations: 0,
    serverErrors: 0,
    wsConnections: 0,
    wsOpen: 0,
    eventsSent: 0,
    eventsStalled: 0,
    pingsSent: 0,
    pongsReceived: 0,
    connectionsClosed: 0,
  };
}

function count(value: number, field: string): number {
  if (!(Number.isInteger(value) && value >= 0)) {
    throw new RangeError(
      `Cannot inject fault as '${field}' must be a non-negative integer: current value is ${value}`,
    );
  }
  return value;
}

/** Pending faults, consumed by the REST and WebSocket sides. */
export class FaultState implements ReplayFaults {
  rateLimitStatus: 429 | 418 = 429;
  retryAfterSeconds = 0;
  rateLimitRequests = 0;
  serverErrorStatus: 500 | 502 | 503 = 500;
  serverErrorRequests = 0;
  malformedRequests = 0;
  malformedEvents = 0;
  delayMs = 0;
  delayRequests = 0;
  duplicates = 0;
  outOfOrder = 0;
  close24h = false;
  readonly #onDrop: () => void;
  readonly #onStall: (ms: number) => void;

  /**
   * @param onDrop Cuts every connection.
   * @param onStall Stalls the open connections for `ms` of replay time.
   */
  constructor(onDrop: () => void, onStall: (ms: number) => void) {
    this.#onDrop = onDrop;
    this.#onStall = onStall;
  }

  rateLimit(
    options: {
      readonly status: 429 | 418;
      readonly retryAfterSeconds: number;
      readonly requests: number;
    },
  ): void {
    if (options.status !== 429 && options.status !== 418) {
      throw new RangeError(
        `Cannot inject fault as 'status' must be 429 or 418: current value is ${options.status}`,
      );
    }
    this.rateLimitStatus = options.status;
    this.retryAfterSeconds = count(
      options.retryAfterSeconds,
      "retryAfterSeconds",
    );
    this.rateLimitRequests = count(options.requests, "requests");
  }

  serverError(
    options: { readonly status: 500 | 502 | 503; readonly requests: number },
  ): void {
    if (![500, 502, 503].includes(options.status)) {
      throw new RangeError(
        `Cannot inject fault as 'status' must be 500, 502 or 503: current value is ${options.status}`,
      );
    }
    this.serverErrorStatus = options.status;
    this.serverErrorRequests = count(options.requests, "requests");
  }

  malformedJson(
    options: { readonly requests?: number; readonly events?: number },
  ): void {
    this.malformedRequests = count(options.requests ?? 0, "requests");
    this.malformedEvents = count(options.events ?? 0, "events");
  }

  delay(options: { readonly ms: number; readonly requests?: number }): void {
    this.delayMs = count(options.ms, "ms");
    this.delayRequests = count(options.requests ?? 1, "requests");
  }

  dropConnections(): void {
    this.#onDrop();
  }

  stall(options: { readonly ms: number }): void {
    this.#onStall(count(options.ms, "ms"));
  }

  duplicateEvents(n: number): void {
    this.duplicates = count(n, "count");
  }

  outOfOrderEvents(n: number): void {
    this.outOfOrder = count(n, "count");
  }

  closeAt24h(enabled: boolean): void {
    this.close24h = enabled;
  }

  clear(): void {
    this.rateLimitRequests = this.serverErrorRequests = 0;
    this.malformedRequests = this.malformedEvents = 0;
    this.delayRequests = this.duplicates = this.outOfOrder = 0;
    this.close24h = false;
    this.#onStall(0);
  }

  /**
   * Takes one unit of a counted fault when any is left.
   *
   * @param name The counter.
   * @returns True when the fault applies to this request or event.
   */
  take(
    name:
      | "rateLimitRequests"
      | "serverErrorRequests"
      | "malformedRequests"
      | "malformedEvents"
      | "delayRequests"
      | "duplicates"
      | "outOfOrder",
  ): boolean {
    if (this[name] <= 0) return false;
    this[name]--;
    return true;
  }
}
