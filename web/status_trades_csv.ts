/**
 * The trades CSV of `/api/trades?format=csv`: a header of the {@link TradeRecord} field names,
 * then one row per trade, RFC 4180 (CRLF line ends; a field with a comma, quote, CR or LF is
 * quoted with its quotes doubled). Numbers are plain JavaScript number text (`String(n)`), so
 * they parse back to the same values. Pure.
 *
 * @module
 */
import type { TradeRecord } from "../core/backtest/records.ts";

/** The columns, in order: every field of a trade record. */
export const TRADE_CSV_COLUMNS = [
  "id",
  "seriesKey",
  "symbol",
  "timeframe",
  "side",
  "entryTime",
  "entryPrice",
  "exitTime",
  "exitPrice",
  "exitReason",
  "tpHits",
  "pnlQuote",
  "pnlPct",
  "feesQuote",
  "fundingQuote",
  "notional",
  "barsHeld",
  "sameBarDecided",
  "regime",
  "presetHash",
] as const satisfies readonly (keyof TradeRecord)[];

/** The download's file name (`Content-Disposition`). */
export const TRADE_CSV_FILENAME = "velas-trades.csv";

/**
 * Quotes one CSV field when RFC 4180 requires it.
 *
 * @param text The field's text.
 * @returns The text, quoted with doubled quotes when it holds a comma, quote, CR or LF.
 */
export function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Renders trades as CSV.
 *
 * @param trades The rows, in the order given.
 * @returns The header and one line per trade, each ending with CRLF.
 */
export function renderTradesCsv(trades: readonly TradeRecord[]): string {
  const lines = [TRADE_CSV_COLUMNS.join(",")];
  for (const trade of trades) {
    lines.push(
      TRADE_CSV_COLUMNS.map((column) => csvField(String(trade[column]))).join(
        ",",
      ),
    );
  }
  return lines.join("\r\n") + "\r\n";
}
