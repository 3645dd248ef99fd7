/**
 * How requests to the Binance USDT-M public API are spent, shared by the REST client and the
 * replay exchange: request weights by endpoint and kline limit band; the client's per-minute
 * weight tracking (fixed minute windows, as the `X-MBX-USED-WEIGHT-1M` header counts); the gate
 * that holds every request after a 429/418 until `Retry-After` has passed; and the transport
 * that sends GET requests through that gate with a wall-time timeout, retrying network errors,
 * timeouts, 5xx and unreadable bodies with capped jittered backoff (other 4xx are final).
 *
 * @module
 */
import type { Clock } from "../core/clock.ts";

/** Header carrying the weight used in the current minute. */
export const USED_WEIGHT_HEADER = "x-mbx-used-weight-1m";
/** Binance's default per-minute weight limit for USDT-M futures. */
export const DEFAULT_WEIGHT_LIMIT = 2400;
/** Default and maximum `limit` of `/fapi/v1/klines`. */
export const KLINES_DEFAULT_LIMIT = 500;
/** Largest `limit` of `/fapi/v1/klines`. */
export const KLINES_MAX_LIMIT = 1500;
/** Weight of `/fapi/v1/time` and `/fapi/v1/exchangeInfo`. */
export const SIMPLE_WEIGHT = 1;

const MINUTE_MS = 60_000;

/**
 * Request weight of `/fapi/v1/klines` for a limit: [1, 100) 1, [100, 500) 2, [500, 1000] 5,
 * above 1000 10.
 *
 * @param limit The request's limit.
 * @returns The weight.
 */
export function klinesWeight(limit: number): number {
  if (limit < 100) return 1;
  if (limit < 500) return 2;
  if (limit <= 1000) return 5;
  return 10;
}

/** Backoff settings: the first delay and the cap, ms. */
export interface Backoff {
  readonly baseMs: number;
  readonly capMs: number;
}

/**
 * Capped exponential backoff with jitter: `min(cap, base · 2^attempt)` scaled by a factor in
 * [0.5, 1), so retries of many clients spread out but never fire at once.
 *
 * @param attempt 0 for the first retry.
 * @param options The backoff settings and the random source (values in [0, 1)).
 * @returns The delay in ms.
 */
export function backoffDelay(
  attempt: number,
  options: Backoff & { readonly random: () => number },
): number {
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** attempt);
  return Math.round(ceiling * (0.5 + 0.5 * options.random()));
}

/**
 * Per-client gate in front of every request: waits while a `Retry-After` is in force, and
 * reserves weight in the current minute, waiting for the next minute when the limit would be
 * exceeded. Concurrent requests share it, so one 429 holds all of them.
 */
export class RequestGate {
  readonly #clock: Clock;
  readonly #limit: number;
  #minute = Number.NEGATIVE_INFINITY;
  #used = 0;
  #blockedUntil = Number.NEGATIVE_INFINITY;

  /**
   * @param clock Time source (should read server time).
   * @param weightLimitPerMinute The weight budget per minute.
   */
  constructor(clock: Clock, weightLimitPerMinute: number) {
    this.#clock = clock;
    this.#limit = weightLimitPerMinute;
  }

  /** Weight used in the current minute, as far as this client knows. */
  get usedWeight(): number {
    this.#roll(this.#clock.now());
    return this.#used;
  }

  /** Time until which no request may be sent (−Infinity when free). */
  get blockedUntil(): number {
    return this.#blockedUntil;
  }

  /**
   * Waits until a request of `weight` may be sent, then books it.
   *
   * @param weight The request's weight.
   * @param signal Aborts the wait.
   */
  async acquire(weight: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      const now = this.#clock.now();
      if (now < this.#blockedUntil) {
        await this.#clock.sleep(this.#blockedUntil - now, signal);
        continue;
      }
      this.#roll(now);
      if (this.#used > 0 && this.#used + weight > this.#limit) {
        await this.#clock.sleep((this.#minute + 1) * MINUTE_MS - now, signal);
        continue;
      }
      this.#used += weight;
      return;
    }
  }

  /**
   * Takes the server's count of used weight (never lowers the client's own bookings).
   *
   * @param used The `X-MBX-USED-WEIGHT-1M` value.
   */
  recordUsedWeight(used: number): void {
    this.#roll(this.#clock.now());
    if (used > this.#used) this.#used = used;
  }

  /**
   * Holds every request for `ms` from now (a 429/418 `Retry-After`).
   *
   * @param ms The wait in ms.
   */
  blockFor(ms: number): void {
    this.#blockedUntil = Math.max(this.#blockedUntil, this.#clock.now() + ms);
  }

  #roll(now: number): void {
    const minute = Math.floor(now / MINUTE_MS);
    if (minute !== this.#minute) {
      this.#minute = minute;
      this.#used = 0;
    }
  }
}

/**
 * Why a request failed: `rejected` = the server said no (4xx with a Binance code, not retried);
 * `rate_limited` = 429/418 after every retry; the others mean it never completed usefully.
 */
export type BinanceRequestFailure =
  | "rejected"
  | "rate_limited"
  | "server_error"
  | "timeout"
  | "network"
  | "bad_response";

/** What is known about a failed request. */
export interface RequestFailure {
  readonly kind: BinanceRequestFailure;
  /** HTTP status, when an answer came. */
  readonly status: number | undefined;
  /** Binance error code of the body, when there was one. */
  readonly code: number | undefined;
  /** Why, in words (`the server answered 400 (code -1121: Invalid symbol.)`). */
  readonly detail: string;
  readonly cause?: unknown;
}

/** A request that failed for good. `url` carries no secrets (no credentials, no signature). */
export class BinanceRequestError extends Error {
  override readonly name = "BinanceRequestError";
  readonly kind: BinanceRequestFailure;
  readonly status: number | undefined;
  readonly code: number | undefined;
  readonly url: string;
  readonly attempts: number;

  constructor(failure: RequestFailure, url: string, attempts: number) {
    super(
      `Cannot GET ${url} as ${failure.detail} after ${attempts} attempt${
        attempts === 1 ? "" : "s"
      }`,
      failure.cause === undefined ? undefined : { cause: failure.cause },
    );
    this.kind = failure.kind;
    this.status = failure.status;
    this.code = failure.code;
    this.url = url;
    this.attempts = attempts;
  }

  /** True when the server answered and refused (4xx, 429, 418); false when it never completed. */
  get rejected(): boolean {
    return this.kind === "rejected" || this.kind === "rate_limited";
  }
}

/** Options of `BinanceTransport` (and of `BinanceRestClient`). */
export interface TransportOptions {
  /** Base URL such as `https://fapi.binance.com` (no trailing path). */
  readonly baseUrl: string;
  readonly clock: Clock;
  readonly fetch?: typeof fetch;
  /** Weight budget per minute (default 2400). */
  readonly weightLimitPerMinute?: number;
  /** Wall-time limit of one attempt, ms (default 10 000). */
  readonly timeoutMs?: number;
  /** Retries after the first attempt (default 5). */
  readonly maxRetries?: number;
  /** Backoff of transient failures (default 500 ms doubling, capped at 30 s). */
  readonly backoff?: Backoff;
  /** Random source in [0, 1) for backoff jitter (default `Math.random`). */
  readonly random?: () => number;
}

/** Options of one GET. */
export interface GetOptions {
  readonly params?: Readonly<Record<string, string>>;
  readonly weight: number;
  readonly signal?: AbortSignal | undefined;
}

type Attempt =
  | { readonly body: unknown; readonly failure?: undefined }
  | { readonly failure: RequestFailure; readonly retryAfterMs?: number };

const SECRET_PARAMS = /^(signature|apikey|api_key|listenkey|token)$/i;

function publicUrl(url: URL): string {
  const copy = new URL(url);
  copy.username = copy.password = "";
  for (const key of [...copy.searchParams.keys()]) {
    if (SECRET_PARAMS.test(key)) copy.searchParams.delete(key);
  }
  return copy.toString();
}

function failed(
  kind: BinanceRequestFailure,
  detail: string,
  extra: { status?: number; code?: number | undefined; cause?: unknown } = {},
): RequestFailure {
  return {
    kind,
    detail,
    status: extra.status,
    code: extra.code,
    cause: extra.cause,
  };
}

/** Sends GET requests through the gate, with timeout and retries; answers decoded JSON. */
export class BinanceTransport {
  /** Server time minus the clock's time (set by whoever measured it). */
  offset = 0;
  readonly #base: string;
  readonly #clock: Clock;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;
  readonly #backoff: Backoff & { readonly random: () => number };
  readonly #gate: RequestGate;

  constructor(options: TransportOptions) {
    const clock = options.clock;
    this.#base = options.baseUrl.replace(/\/+$/, "");
    this.#clock = clock;
    this.#fetch = options.fetch ?? fetch;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#maxRetries = options.maxRetries ?? 5;
    this.#backoff = {
      ...(options.backoff ?? { baseMs: 500, capMs: 30_000 }),
      random: options.random ?? Math.random,
    };
    this.#gate = new RequestGate({
      now: () => clock.now() + this.offset,
      sleep: (ms, signal) => clock.sleep(ms, signal),
    }, options.weightLimitPerMinute ?? DEFAULT_WEIGHT_LIMIT);
  }

  /** The gate every request passes. */
  get gate(): RequestGate {
    return this.#gate;
  }

  /** The clock's time corrected by `offset`. */
  now(): number {
    return this.#clock.now() + this.offset;
  }

  /**
   * GET with retries.
   *
   * @param path Path such as `/fapi/v1/time`.
   * @param options Query parameters, request weight and abort signal.
   * @returns The decoded JSON body.
   * @throws {BinanceRequestError} When the request fails for good.
   */
  async get(path: string, options: GetOptions): Promise<unknown> {
    const { weight, signal } = options;
    const url = new URL(this.#base + path);
    for (const [key, value] of Object.entries(options.params ?? {})) {
      url.searchParams.set(key, value);
    }
    for (let attempt = 0;; attempt++) {
      await this.#gate.acquire(weight, signal);
      const outcome = await this.#attempt(url, signal);
      if (outcome.failure === undefined) return outcome.body;
      const { failure } = outcome;
      if (outcome.retryAfterMs !== undefined) {
        this.#gate.blockFor(outcome.retryAfterMs);
      }
      if (failure.kind === "rejected" || attempt >= this.#maxRetries) {
        throw new BinanceRequestError(failure, publicUrl(url), attempt + 1);
      }
      if (outcome.retryAfterMs === undefined) {
        await this.#clock.sleep(backoffDelay(attempt, this.#backoff), signal);
      }
    }
  }

  async #attempt(url: URL, signal: AbortSignal | undefined): Promise<Attempt> {
    signal?.throwIfAborted();
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.#timeoutMs);
    try {
      const response = await this.#fetch(url, { signal: controller.signal });
      const used = Number(response.headers.get(USED_WEIGHT_HEADER) ?? "x");
      if (Number.isFinite(used)) this.#gate.recordUsedWeight(used);
      return this.#judge(response, await response.text());
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      return {
        failure: timedOut
          ? failed("timeout", `no answer came within ${this.#timeoutMs} ms`, {
            cause: error,
          })
          : failed("network", `the request failed (${error})`, {
            cause: error,
          }),
      };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    }
  }

  #judge(response: Response, text: string): Attempt {
    const status = response.status;
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      const kind = status >= 500 ? "server_error" : "bad_response";
      if (status < 400 || status >= 500) {
        return {
          failure: failed(kind, `the ${status} body is not JSON (${error})`, {
            status,
            cause: error,
          }),
        };
      }
    }
    const { code, msg } = (body ?? {}) as { code?: unknown; msg?: unknown };
    const extra = { status, code: typeof code === "number" ? code : undefined };
    const said = `the server answered ${status}${
      extra.code === undefined ? "" : ` (code ${extra.code}: ${msg})`
    }`;
    if (status === 429 || status === 418) {
      const seconds = Number(response.headers.get("retry-after") ?? "x");
      return {
        failure: failed("rate_limited", said, extra),
        retryAfterMs: Number.isFinite(seconds) && seconds >= 0
          ? seconds * 1000
          : 60_000 - (this.now() % 60_000),
      };
    }
    if (status >= 500) return { failure: failed("server_error", said, extra) };
    if (status >= 400) return { failure: failed("rejected", said, extra) };
    if (status >= 300 || status < 200) {
      return { failure: failed("bad_response", said, extra) };
    }
    return { body };
  }
}
