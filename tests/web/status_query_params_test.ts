/**
 * Tests of the query parameter parsers: defaults, filters, the accepted time forms, and the
 * error (class, parameter and message) for each kind of bad input.
 *
 * @module
 */
import { strict as assert } from "node:assert";
import {
  parseNoParams,
  parsePageParams,
  parseQueryTime,
  parseSignalParams,
  parseTradeParams,
  QueryParamError,
} from "../../web/query_params.ts";

function q(text: string): URLSearchParams {
  return new URLSearchParams(text);
}

function assertBad(run: () => unknown, parameter: string, message: string) {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof QueryParamError, String(error));
    assert.equal(error.name, "QueryParamError");
    assert.equal(error.parameter, parameter);
    assert.equal(error.message, message);
    return;
  }
  assert.fail(`expected a QueryParamError for '${parameter}'`);
}

Deno.test("query params default to limit 50 and offset 0 and omit absent filters", () => {
  assert.deepEqual(parseSignalParams(q("")), { limit: 50, offset: 0 });
  assert.deepEqual(parseTradeParams(q("")), {
    query: { limit: 50, offset: 0 },
    format: "json",
  });
  assert.deepEqual(parsePageParams(q("limit=1000&offset=0")), {
    limit: 1000,
    offset: 0,
  });
});

Deno.test("query params treat an empty value as absent", () => {
  assert.deepEqual(
    parseSignalParams(q("symbol=&side=&accepted=&limit=")),
    { limit: 50, offset: 0 },
  );
});

Deno.test("query params parse every trade filter", () => {
  assert.deepEqual(
    parseTradeParams(
      q("symbol=SOLUSDT&timeframe=30m&side=SHORT&reason=trailing-stop&from=1790000000000&to=2026-12-01&format=csv"),
    ),
    {
      query: {
        limit: 50,
        offset: 0,
        symbol: "SOLUSDT",
        timeframe: "30m",
        side: "SHORT",
        reason: "trailing-stop",
        from: 1790000000000,
        to: Date.UTC(2026, 11, 1),
      },
      format: "csv",
    },
  );
});

Deno.test("query times accept epoch ms, an ISO date, and a full ISO time with Z or an offset", () => {
  assert.equal(parseQueryTime("0"), 0);
  assert.equal(parseQueryTime("1793491200000"), 1793491200000);
  assert.equal(parseQueryTime("2026-11-24"), Date.UTC(2026, 10, 24));
  assert.equal(
    parseQueryTime("2026-11-24T10:15Z"),
    Date.UTC(2026, 10, 24, 10, 15),
  );
  assert.equal(
    parseQueryTime("2026-11-24T10:15:30.5Z"),
    Date.UTC(2026, 10, 24, 10, 15, 30, 500),
  );
  assert.equal(
    parseQueryTime("2026-11-24T10:15:00+02:00"),
    Date.UTC(2026, 10, 24, 8, 15),
  );
  assert.equal(
    parseQueryTime("2026-11-24T10:15:00-05:30"),
    Date.UTC(2026, 10, 24, 15, 45),
  );
  // An unencoded `+` arrives as a space.
  assert.equal(
    parseQueryTime("2026-11-24T10:15:00 02:00"),
    Date.UTC(2026, 10, 24, 8, 15),
  );
});

Deno.test("query times refuse impossible dates, local times and other text", () => {
  for (
    const text of [
      "2026-02-30",
      "2026-13-01",
      "2026-11-24T24:00Z",
      "2026-11-24T10:15:00",
      "24.11.2026",
      "-5",
      "1e12",
      "99999999999999999",
      "now",
    ]
  ) {
    assert.ok(Number.isNaN(parseQueryTime(text)), text);
  }
});

Deno.test("query params refuse each kind of bad input naming the parameter", () => {
  assertBad(
    () => parseSignalParams(q("limit=1.5")),
    "limit",
    "bad query parameter 'limit': expected an integer 1..1000, got '1.5'",
  );
  assertBad(
    () => parsePageParams(q("offset=abc")),
    "offset",
    "bad query parameter 'offset': expected an integer 0 or more, got 'abc'",
  );
  assertBad(
    () => parseSignalParams(q("symbol=BTC/USDT")),
    "symbol",
    "bad query parameter 'symbol': expected a symbol of letters and digits such as BTCUSDT, got 'BTC/USDT'",
  );
  assertBad(
    () => parseSignalParams(q("timeframe=hour")),
    "timeframe",
    "bad query parameter 'timeframe': expected a timeframe such as 30m, 1h or 2h, got 'hour'",
  );
  assertBad(
    () => parseTradeParams(q("reason=TP6")),
    "reason",
    "bad query parameter 'reason': expected an exit reason such as tp6, stop or breakeven, got 'TP6'",
  );
  assertBad(
    () => parseTradeParams(q("to=2026-02-30")),
    "to",
    "bad query parameter 'to': expected epoch ms or an ISO date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ), got '2026-02-30'",
  );
  assertBad(
    () => parseTradeParams(q("from=2026-11-02&to=2026-11-01")),
    "to",
    "bad query parameter 'to': expected a time not before 'from', got '2026-11-01'",
  );
  assertBad(
    () => parsePageParams(q("symbol=BTCUSDT")),
    "symbol",
    "unknown query parameter 'symbol': expected one of limit, offset",
  );
  assertBad(
    () => parseNoParams(q("x=1")),
    "x",
    "unknown query parameter 'x': this route takes no query parameters",
  );
  assertBad(
    () => parseSignalParams(q("side=LONG&side=SHORT")),
    "side",
    "bad query parameter 'side': expected one value, got 2",
  );
});

Deno.test("query params shorten a long bad value in the message", () => {
  const long = "x".repeat(500);
  assertBad(
    () => parseSignalParams(q(`limit=${long}`)),
    "limit",
    `bad query parameter 'limit': expected an integer 1..1000, got '${
      "x".repeat(60)
    }…'`,
  );
});
