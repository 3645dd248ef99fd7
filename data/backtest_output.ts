/**
 * Writes the files of a backtest run into an output directory: `trades.csv`, `fills.csv`,
 * `decisions.csv`, `equity.csv`, `summary.json` and, when given, `report.html`. The input is
 * plain data, so any engine can fill it. CSV files have a header line, RFC 4180 quoting and
 * `\n` line ends; times are epoch ms, numbers are written with `String(x)` (full precision).
 * Each file goes to a temporary name in the same directory and is renamed into place, so a
 * reader never sees half a file; a run creates the directory when needed and touches no other
 * file in it.
 *
 * @module
 */
import type {
  DecisionRecord,
  EquityPoint as DailyEquityPoint,
  FillRecord,
  TradeRecord,
} from "../core/backtest/records.ts";

/** One closed trade, as trades.csv needs it. */
export type BacktestTrade = Pick<
  TradeRecord,
  | "id"
  | "symbol"
  | "timeframe"
  | "side"
  | "entryTime"
  | "entryPrice"
  | "exitTime"
  | "exitPrice"
  | "exitReason"
  | "tpHits"
  | "pnlPct"
  | "pnlQuote"
  | "feesQuote"
  | "fundingQuote"
  | "presetHash"
>;

/** What a fill did to its position. */
export type FillKind = FillRecord["kind"];

/** One fill of a trade; `tpIndex` (1-6) only for `tp` fills, `pnl` in quote currency. */
export type BacktestFill = FillRecord;

/** One signal and what the portfolio did with it; `rule` is the refusing rule or "". */
export type BacktestDecision = DecisionRecord;

/** Equity at one time (daily); `drawdownPct` is the drop from the running peak, in %, >= 0. */
export type EquityPoint = DailyEquityPoint & { readonly drawdownPct: number };

/** Everything a run writes. `summary` must be JSON-able; its key order is kept. */
export interface BacktestOutput {
  readonly trades: readonly BacktestTrade[];
  readonly fills: readonly BacktestFill[];
  readonly decisions: readonly BacktestDecision[];
  readonly equity: readonly EquityPoint[];
  readonly summary: Readonly<Record<string, unknown>>;
}

/** Options of {@linkcode writeBacktestOutput}. */
export interface WriteBacktestOutputOptions {
  /** The rendered `report.html`; omitted means no report is written. */
  readonly reportHtml?: string;
}

/** Header of `trades.csv`. */
export const TRADES_HEADER =
  "id,symbol,timeframe,side,entry_time,entry_price,exit_time,exit_price,exit_reason,tp_hits,pnl_pct,pnl_quote,fees_quote,funding_quote,preset_hash";
/** Header of `fills.csv`. */
export const FILLS_HEADER =
  "trade_id,time,kind,tp_index,price,quantity,fee,pnl";
/** Header of `decisions.csv`. */
export const DECISIONS_HEADER =
  "time,signal_id,symbol,timeframe,side,accepted,rule,detail,heat_pct,open_positions";
/** Header of `equity.csv`. */
export const EQUITY_HEADER = "time,equity,drawdown_pct";

type Cell = string | number;

/**
 * Quotes one CSV field as RFC 4180 asks: fields holding a comma, a double quote, CR or LF are
 * enclosed in double quotes, with inner quotes doubled.
 *
 * @param value The field text.
 * @returns The field as it goes into the file.
 */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

class CsvBuilder {
  readonly #file: string;
  readonly #columns: readonly string[];
  readonly #lines: string[];

  constructor(file: string, header: string, rows: number) {
    this.#file = file;
    this.#columns = header.split(",");
    this.#lines = new Array<string>(rows + 1);
    this.#lines[0] = header;
  }

  add(row: number, cells: readonly Cell[]): void {
    const out = new Array<string>(cells.length);
    for (let k = 0; k < cells.length; k++) {
      const cell = cells[k]!;
      if (typeof cell === "number") {
        if (!Number.isFinite(cell)) {
          throw new RangeError(
            `Cannot write ${this.#file} as '${
              this.#columns[k]
            }' must be a finite number: current value is ${cell} at row ${
              row + 1
            }`,
          );
        }
        out[k] = String(cell);
      } else {
        out[k] = csvField(cell);
      }
    }
    this.#lines[row + 1] = out.join(",");
  }

  time(row: number, column: string, value: number): number {
    if (!Number.isSafeInteger(value)) {
      throw new RangeError(
        `Cannot write ${this.#file} as '${column}' must be epoch ms (a safe integer): current value is ${value} at row ${
          row + 1
        }`,
      );
    }
    return value;
  }

  text(): string {
    return this.#lines.join("\n") + "\n";
  }
}

/**
 * Renders `trades.csv`.
 *
 * @param trades The closed trades.
 * @returns The file text.
 * @throws {RangeError} When a number is not finite or a time is not a safe integer.
 */
export function tradesCsv(trades: readonly BacktestTrade[]): string {
  const csv = new CsvBuilder("trades.csv", TRADES_HEADER, trades.length);
  trades.forEach((t, i) =>
    csv.add(i, [
      t.id,
      t.symbol,
      t.timeframe,
      t.side,
      csv.time(i, "entry_time", t.entryTime),
      t.entryPrice,
      csv.time(i, "exit_time", t.exitTime),
      t.exitPrice,
      t.exitReason,
      t.tpHits,
      t.pnlPct,
      t.pnlQuote,
      t.feesQuote,
      t.fundingQuote,
      t.presetHash,
    ])
  );
  return csv.text();
}

/**
 * Renders `fills.csv`; `tp_index` is empty for fills other than take-profits.
 *
 * @param fills The fills in time order.
 * @returns The file text.
 * @throws {RangeError} When a number is not finite or a time is not a safe integer.
 */
export function fillsCsv(fills: readonly BacktestFill[]): string {
  const csv = new CsvBuilder("fills.csv", FILLS_HEADER, fills.length);
  fills.forEach((f, i) =>
    csv.add(i, [
      f.tradeId,
      csv.time(i, "time", f.time),
      f.kind,
      f.tpIndex ?? "",
      f.price,
      f.quantity,
      f.fee,
      f.pnl,
    ])
  );
  return csv.text();
}

/**
 * Renders `decisions.csv`; `accepted` is `true` or `false`.
 *
 * @param decisions Every signal's decision record.
 * @returns The file text.
 * @throws {RangeError} When a number is not finite or a time is not a safe integer.
 */
export function decisionsCsv(decisions: readonly BacktestDecision[]): string {
  const csv = new CsvBuilder(
    "decisions.csv",
    DECISIONS_HEADER,
    decisions.length,
  );
  decisions.forEach((d, i) =>
    csv.add(i, [
      csv.time(i, "time", d.time),
      d.signalId,
      d.symbol,
      d.timeframe,
      d.side,
      d.accepted ? "true" : "false",
      d.rule,
      d.detail,
      d.heatPct,
      d.openPositions,
    ])
  );
  return csv.text();
}

/**
 * Renders `equity.csv`.
 *
 * @param equity The daily equity points.
 * @returns The file text.
 * @throws {RangeError} When a number is not finite or a time is not a safe integer.
 */
export function equityCsv(equity: readonly EquityPoint[]): string {
  const csv = new CsvBuilder("equity.csv", EQUITY_HEADER, equity.length);
  equity.forEach((e, i) =>
    csv.add(i, [csv.time(i, "time", e.time), e.equity, e.drawdownPct])
  );
  return csv.text();
}

/**
 * Renders `summary.json`: two-space indentation, keys in the order given, final newline.
 *
 * @param summary A JSON-able object.
 * @returns The file text.
 * @throws {TypeError} When the summary is not a plain object or cannot be serialised.
 */
export function summaryJson(
  summary: Readonly<Record<string, unknown>>,
): string {
  if (
    typeof summary !== "object" || summary === null || Array.isArray(summary)
  ) {
    throw new TypeError(
      `Cannot write summary.json as 'summary' must be an object: current value is ${
        Array.isArray(summary) ? "an array" : String(summary)
      }`,
    );
  }
  try {
    return JSON.stringify(summary, null, 2) + "\n";
  } catch (cause) {
    throw new TypeError(
      `Cannot write summary.json as 'summary' must be JSON-able: current value fails with ${
        cause instanceof Error ? cause.message : String(cause)
      }`,
      { cause },
    );
  }
}

/**
 * Writes `text` to `path` through a temporary file in the same directory and a rename, so the
 * file is either the old one or the complete new one. The temporary file is removed on failure.
 *
 * @param path The target file.
 * @param text The content (UTF-8).
 */
export function writeTextAtomic(path: string, text: string): void {
  const slash = path.lastIndexOf("/");
  const tmp = `${path.slice(0, slash + 1)}.${
    path.slice(slash + 1)
  }.tmp-${Deno.pid}-${crypto.randomUUID().slice(0, 8)}`;
  try {
    Deno.writeTextFileSync(tmp, text);
    Deno.renameSync(tmp, path);
  } catch (error) {
    try {
      Deno.removeSync(tmp);
    } catch {
      // The temporary file was never created or is already gone.
    }
    throw error;
  }
}

/**
 * Writes the run's files into `dir` (created with its parents when missing). Every file is
 * rendered before the first one is written, so bad input leaves the directory untouched. Only
 * the run's own files are replaced; anything else in `dir` stays.
 *
 * @param dir The output directory.
 * @param output Trades, fills, decisions, equity and summary.
 * @param options `reportHtml` to write `report.html` too.
 * @returns The paths written, in order.
 * @throws {RangeError} When a number is not finite or a time is not a safe integer.
 * @throws {TypeError} When the summary is not a JSON-able object.
 */
export function writeBacktestOutput(
  dir: string,
  output: BacktestOutput,
  options: WriteBacktestOutputOptions = {},
): string[] {
  const files: [string, string][] = [
    ["trades.csv", tradesCsv(output.trades)],
    ["fills.csv", fillsCsv(output.fills)],
    ["decisions.csv", decisionsCsv(output.decisions)],
    ["equity.csv", equityCsv(output.equity)],
    ["summary.json", summaryJson(output.summary)],
  ];
  if (options.reportHtml !== undefined) {
    files.push(["report.html", options.reportHtml]);
  }
  Deno.mkdirSync(dir, { recursive: true });
  const base = dir.endsWith("/") ? dir : `${dir}/`;
  return files.map(([name, text]) => {
    const path = base + name;
    writeTextAtomic(path, text);
    return path;
  });
}
