/**
 * Parsing and validation of the status API's query parameters. Each route names the parameters
 * it takes; an unknown, repeated or malformed one is a {@link QueryParamError} that the app
 * answers with 400 naming the parameter. An empty value (`?symbol=`) counts as absent, so a form
 * may send every field. Pure: no I/O, no clock.
 *
 * @module
 */
import type { Side } from "../core/types.ts";
import type { SignalQuery, TradeQuery } from "./status_types.ts";

/** `limit` when the query has none. */
export const DEFAULT_LIMIT = 50;
/** The largest `limit` a page may ask for. */
export const MAX_LIMIT = 1000;

/** A query parameter that is unknown, repeated or malformed: the app answers 400 naming it. */
export class QueryParamError extends Error {
  override name = "QueryParamError";
  /** The parameter at fault, as it appeared in the query. */
  readonly parameter: string;

  /**
   * @param parameter The parameter at fault.
   * @param message The whole message, naming the parameter and what was expected.
   */
  constructor(parameter: string, message: string) {
    super(message);
    this.parameter = parameter;
  }
}

/** Limit and offset of a page. */
export interface PageParams {
  readonly limit: number;
  readonly offset: number;
}

/** `/api/trades` parameters: the filters and the answer's format. */
export interface TradeParams {
  readonly query: TradeQuery;
  readonly format: "json" | "csv";
}

const SIGNAL_PARAMS = [
  "limit",
  "offset",
  "symbol",
  "timeframe",
  "side",
  "accepted",
] as const;
const TRADE_PARAMS = [
  "limit",
  "offset",
  "symbol",
  "timeframe",
  "side",
  "reason",
  "from",
  "to",
  "format",
] as const;
const PAGE_PARAMS = ["limit", "offset"] as const;

const MAX_ECHO = 60;
const MAX_TIME = 8_640_000_000_000_000;

function echo(value: string): string {
  return value.length > MAX_ECHO ? `${value.slice(0, MAX_ECHO)}…` : value;
}

function bad(parameter: string, expected: string, value: string): never {
  throw new QueryParamError(
    parameter,
    `bad query parameter '${parameter}': expected ${expected}, got '${
      echo(value)
    }'`,
  );
}

/**
 * Checks that every parameter is one of `allowed` and appears once, and returns the non-empty
 * values by name.
 */
function collect(
  params: URLSearchParams,
  allowed: readonly string[],
): Map<string, string> {
  const values = new Map<string, string>();
  const seen = new Set<string>();
  for (const [name, value] of params) {
    if (!allowed.includes(name)) {
      const expected = allowed.length === 0
        ? "this route takes no query parameters"
        : `expected one of ${allowed.join(", ")}`;
      throw new QueryParamError(
        name,
        `unknown query parameter '${echo(name)}': ${expected}`,
      );
    }
    if (seen.has(name)) {
      throw new QueryParamError(
        name,
        `bad query parameter '${name}': expected one value, got ${
          params.getAll(name).length
        }`,
      );
    }
    seen.add(name);
    if (value !== "") values.set(name, value);
  }
  return values;
}

function integer(
  values: Map<string, string>,
  options: { name: string; min: number; max: number; fallback: number },
): number {
  const text = values.get(options.name);
  if (text === undefined) return options.fallback;
  const value = /^\d{1,15}$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= options.min && value <= options.max)) {
    const range = options.max === Number.MAX_SAFE_INTEGER
      ? `an integer ${options.min} or more`
      : `an integer ${options.min}..${options.max}`;
    bad(options.name, range, text);
  }
  return value;
}

function page(values: Map<string, string>): PageParams {
  return {
    limit: integer(values, {
      name: "limit",
      min: 1,
      max: MAX_LIMIT,
      fallback: DEFAULT_LIMIT,
    }),
    offset: integer(values, {
      name: "offset",
      min: 0,
      max: Number.MAX_SAFE_INTEGER,
      fallback: 0,
    }),
  };
}

function matching(
  values: Map<string, string>,
  name: string,
  pattern: RegExp,
  expected: string,
): string | undefined {
  const text = values.get(name);
  if (text !== undefined && !pattern.test(text)) bad(name, expected, text);
  return text;
}

/** The series filters shared by signals and trades (absent ones omitted). */
function seriesFilters(values: Map<string, string>): {
  symbol?: string;
  timeframe?: string;
  side?: Side;
} {
  const out: { symbol?: string; timeframe?: string; side?: Side } = {};
  const symbol = matching(
    values,
    "symbol",
    /^[A-Za-z0-9]{1,32}$/,
    "a symbol of letters and digits such as BTCUSDT",
  );
  if (symbol !== undefined) out.symbol = symbol;
  const timeframe = matching(
    values,
    "timeframe",
    /^[1-9]\d{0,3}[smhdwM]$/,
    "a timeframe such as 30m, 1h or 2h",
  );
  if (timeframe !== undefined) out.timeframe = timeframe;
  const side = matching(values, "side", /^(LONG|SHORT)$/, "LONG or SHORT");
  if (side !== undefined) out.side = side as Side;
  return out;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+ -]\d{2}:\d{2})$/;

/** Epoch ms of a UTC wall time, or NaN when a field is out of range (e.g. 2026-02-30). */
function utc(parts: readonly number[]): number {
  const [y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, ms = 0] = parts;
  const time = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const date = new Date(time);
  const valid = date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 &&
    date.getUTCDate() === d && h < 24 && mi < 60 && s < 60;
  return valid ? time : Number.NaN;
}

/**
 * Parses a time given as epoch ms, `YYYY-MM-DD` (00:00 UTC) or a full ISO time with `Z` or an
 * offset (a `+` decoded to a space in an unencoded query is read as `+`).
 *
 * @param text The parameter's value.
 * @returns Epoch ms, or NaN when the text is none of those forms.
 */
export function parseQueryTime(text: string): number {
  if (/^\d{1,16}$/.test(text)) {
    const ms = Number(text);
    return ms <= MAX_TIME ? ms : Number.NaN;
  }
  const date = ISO_DATE.exec(text);
  if (date !== null) return utc(date.slice(1).map(Number));
  const time = ISO_TIME.exec(text);
  if (time === null) return Number.NaN;
  const [, y, mo, d, h, mi, s = "0", frac = "0", zone = "Z"] = time;
  const ms = Number(frac.padEnd(3, "0"));
  const wall = utc([y, mo, d, h, mi, s].map(Number).concat(ms));
  if (zone === "Z") return wall;
  const offH = Number(zone.slice(1, 3));
  const offM = Number(zone.slice(4, 6));
  if (offH > 23 || offM > 59) return Number.NaN;
  const sign = zone.startsWith("-") ? -1 : 1;
  return wall - sign * (offH * 60 + offM) * 60_000;
}

function time(values: Map<string, string>, name: string): number | undefined {
  const text = values.get(name);
  if (text === undefined) return undefined;
  const ms = parseQueryTime(text);
  if (Number.isNaN(ms)) {
    bad(
      name,
      "epoch ms or an ISO date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)",
      text,
    );
  }
  return ms;
}

/**
 * Checks that a route without parameters got none.
 *
 * @param params The request's query.
 * @throws {QueryParamError} Naming the first parameter given.
 */
export function parseNoParams(params: URLSearchParams): void {
  collect(params, []);
}

/**
 * Parses `limit` and `offset` (`/api/alerts`).
 *
 * @param params The request's query.
 * @returns The page, with defaults for absent values.
 * @throws {QueryParamError} For an unknown, repeated or malformed parameter.
 */
export function parsePageParams(params: URLSearchParams): PageParams {
  return page(collect(params, PAGE_PARAMS));
}

/**
 * Parses the parameters of `/api/signals`.
 *
 * @param params The request's query.
 * @returns The query for {@link StatusSource.signals}, absent filters omitted.
 * @throws {QueryParamError} For an unknown, repeated or malformed parameter.
 */
export function parseSignalParams(params: URLSearchParams): SignalQuery {
  const values = collect(params, SIGNAL_PARAMS);
  const query: { -readonly [K in keyof SignalQuery]: SignalQuery[K] } = {
    ...page(values),
    ...seriesFilters(values),
  };
  const accepted = matching(
    values,
    "accepted",
    /^(true|false)$/,
    "true or false",
  );
  if (accepted !== undefined) query.accepted = accepted === "true";
  return query;
}

/**
 * Parses the parameters of `/api/trades`.
 *
 * @param params The request's query.
 * @returns The query for {@link StatusSource.trades}, absent filters omitted, and the format.
 * @throws {QueryParamError} For an unknown, repeated or malformed parameter, or `to` before
 * `from`.
 */
export function parseTradeParams(params: URLSearchParams): TradeParams {
  const values = collect(params, TRADE_PARAMS);
  const query: { -readonly [K in keyof TradeQuery]: TradeQuery[K] } = {
    ...page(values),
    ...seriesFilters(values),
  };
  const reason = matching(
    values,
    "reason",
    /^[a-z][a-z0-9-]{0,31}$/,
    "an exit reason such as tp6, stop or breakeven",
  );
  if (reason !== undefined) query.reason = reason;
  const from = time(values, "from");
  if (from !== undefined) query.from = from;
  const to = time(values, "to");
  if (to !== undefined) {
    if (from !== undefined && to < from) {
      bad("to", "a time not before 'from'", values.get("to") ?? "");
    }
    query.to = to;
  }
  const format = matching(values, "format", /^(json|csv)$/, "json or csv");
  return { query, format: format === "csv" ? "csv" : "json" };
}
