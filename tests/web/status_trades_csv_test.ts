/**
 * Tests of the trades CSV export: `/api/trades?format=csv` sends every matching trade (limit
 * and offset ignored) as an attachment that parses back to the same records, and fields are
 * quoted as RFC 4180 requires.
 *
 * @module
 */
import { strict as assert } from "node:assert";
import type { TradeRecord } from "../../core/backtest/records.ts";
import { createStatusApp } from "../../web/status_app.ts";
import {
  csvField,
  renderTradesCsv,
  TRADE_CSV_COLUMNS,
} from "../../web/status_trades_csv.ts";
import { FakeStatusSource } from "../fakes/fake_status_source.ts";

/** A strict RFC 4180 parser (CRLF records, quoted fields with doubled quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (ch === '"') {
        quoted = false;
        i++;
        assert.ok(
          /^(,|\r\n|$)/.test(text.slice(i, i + 2)),
          `junk after quote at ${i}`,
        );
      } else {
        field += ch;
        i++;
      }
    } else if (ch === '"' && field === "") {
      quoted = true;
      i++;
    } else if (ch === ",") {
      row.push(field);
      field = "";
      i++;
    } else if (ch === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i += 2;
    } else {
      assert.ok(
        ch !== '"' && ch !== "\r" && ch !== "\n",
        `bare ${JSON.stringify(ch)} at ${i}`,
      );
      field += ch;
      i++;
    }
  }
  assert.equal(quoted, false, "unterminated quote");
  assert.equal(
    row.length + field.length,
    0,
    "the last record must end with CRLF",
  );
  return rows;
}

const NUMERIC = new Set([
  "entryTime",
  "entryPrice",
  "exitTime",
  "exitPrice",
  "tpHits",
  "pnlQuote",
  "pnlPct",
  "feesQuote",
  "fundingQuote",
  "notional",
  "barsHeld",
  "sameBarDecided",
]);

function toTrades(rows: string[][]): TradeRecord[] {
  const [header, ...body] = rows;
  assert.deepEqual(header, [...TRADE_CSV_COLUMNS]);
  return body.map((cells) =>
    Object.fromEntries(
      TRADE_CSV_COLUMNS.map((column, i) => [
        column,
        NUMERIC.has(column) ? Number(cells[i]) : cells[i],
      ]),
    ) as unknown as TradeRecord
  );
}

Deno.test("trades CSV export sends every matching trade as an attachment that parses back to the same trades", async () => {
  const source = new FakeStatusSource();
  const app = createStatusApp({ source });
  const res = await app.request(
    "/api/trades?format=csv&limit=2&offset=5&side=LONG&from=2026-08-01",
  );
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "text/csv; charset=utf-8");
  assert.equal(
    res.headers.get("content-disposition"),
    'attachment; filename="velas-trades.csv"',
  );
  assert.equal(res.headers.get("x-content-type-options"), "nosniff");
  const expected = new FakeStatusSource().allTrades({
    side: "LONG",
    from: Date.UTC(2026, 7, 1),
  });
  assert.ok(expected.length > 2, "the filter must leave more than one page");
  assert.deepEqual(toTrades(parseCsv(await res.text())), expected);
  assert.deepEqual(source.calls.at(-1), {
    method: "allTrades",
    args: [{ side: "LONG", from: Date.UTC(2026, 7, 1) }],
  });
});

Deno.test("trades CSV export of every trade parses back to all of the fake's trades", async () => {
  const source = new FakeStatusSource();
  const res = await createStatusApp({ source }).request(
    "/api/trades?format=csv",
  );
  const trades = toTrades(parseCsv(await res.text()));
  assert.equal(trades.length, source.data.trades.length);
  assert.deepEqual(trades, source.data.trades);
});

Deno.test("trades CSV quotes fields with commas, quotes and line breaks as RFC 4180 requires", () => {
  assert.equal(csvField("tp6"), "tp6");
  assert.equal(csvField("a,b"), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField("two\nlines"), '"two\nlines"');
  assert.equal(csvField("cr\rhere"), '"cr\rhere"');

  const trade = new FakeStatusSource().data.trades[0]!;
  const odd: TradeRecord = {
    ...trade,
    exitReason: 'manual, "forced"\r\nby operator',
    pnlQuote: -0.000001234,
    pnlPct: 1e21,
  };
  const text = renderTradesCsv([odd]);
  assert.ok(text.endsWith("\r\n"));
  assert.deepEqual(toTrades(parseCsv(text)), [odd]);
  assert.ok(text.includes(",-0.000001234,1e+21,"), text);
});

Deno.test("trades CSV of no trades is the header line alone", () => {
  assert.equal(renderTradesCsv([]), TRADE_CSV_COLUMNS.join(",") + "\r\n");
});
