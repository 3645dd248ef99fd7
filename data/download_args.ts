/**
 * Arguments of the `download` command: the usage text and the checks of every option (symbols,
 * Binance intervals, dates, counts), resolved against the config into one request. Bad input
 * throws a `TypeError` or `RangeError` naming the option, before anything is fetched or written.
 *
 * @module
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { timeframeMs } from "../core/types.ts";
import { loadConfigFile } from "./config_file.ts";

/** Usage text of `download --help`. */
export const DOWNLOAD_USAGE = `Usage: deno task download [options]
  --symbols A,B         symbols (default: the config's pairs)
  --timeframes 30m,1h   Binance intervals (default: the config's timeframes)
  --from DATE           first day, YYYY-MM-DD UTC (default: --months before now)
  --months N            months of history when --from is absent (default 12)
  --to DATE             end, exclusive: that day's 00:00 UTC (default: the last closed candle)
  --update              never extend a stored series backwards: fetch only its holes and what
                        follows its last candle (series without a file get the whole window)
  --store DIR           candle store (default: the config's data.candles_dir)
  --concurrency N       series fetched at once, 1 to 16 (default 3)
  --config FILE         config file (default: config.yaml when it exists)
A series already in the store gets only the candles it lacks (holes and newer candles), so a
rerun after an interruption continues where the last one stopped. Exit 0 only when every series
succeeded; 1 when a symbol was refused or a series failed.`;

/** Binance kline intervals that the store can hold (weeks and months cannot). */
export const DOWNLOAD_INTERVALS: readonly string[] = [
  "1m",
  "3m",
  "5m",
  "15m",
  "30m",
  "1h",
  "2h",
  "4h",
  "6h",
  "8h",
  "12h",
  "1d",
  "3d",
];

const SYMBOL = /^[A-Z0-9]{2,32}$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Reads a `YYYY-MM-DD` date as 00:00 UTC.
 *
 * @param text The argument.
 * @param flag The option name for the message.
 * @returns Epoch ms.
 * @throws {TypeError} When the text is not a real calendar date.
 */
export function parseDay(text: string, flag: string): number {
  const match = DAY.exec(text);
  const time = match
    ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))
    : Number.NaN;
  if (
    !Number.isFinite(time) ||
    new Date(time).toISOString().slice(0, 10) !== text
  ) {
    throw new TypeError(
      `Cannot download as '${flag}' must be a date YYYY-MM-DD: current value is ${text}`,
    );
  }
  return time;
}

/**
 * Reads a whole number in a range.
 *
 * @param text The argument.
 * @param options Option name, smallest and largest value.
 * @returns The number.
 * @throws {RangeError} When it is not an integer in the range.
 */
export function parseCount(
  text: string,
  options: {
    readonly flag: string;
    readonly min: number;
    readonly max: number;
  },
): number {
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= options.min && value <= options.max)) {
    throw new RangeError(
      `Cannot download as '${options.flag}' must be an integer from ${options.min} to ${options.max}: current value is ${text}`,
    );
  }
  return value;
}

/**
 * Reads a comma-separated symbol list (upper-cased, duplicates dropped).
 *
 * @param text The argument.
 * @returns The symbols.
 * @throws {TypeError} When it is empty or a symbol is malformed.
 */
export function parseSymbols(text: string): string[] {
  const symbols = [
    ...new Set(
      text.split(",").map((s) => s.trim().toUpperCase()).filter((s) => s),
    ),
  ];
  const bad = symbols.find((s) => !SYMBOL.test(s));
  if (symbols.length === 0 || bad !== undefined) {
    throw new TypeError(
      `Cannot download as '--symbols' must list symbols of 2 to 32 letters or digits such as BTCUSDT,ETHUSDT: current value is ${
        bad ?? text
      }`,
    );
  }
  return symbols;
}

/**
 * Reads a comma-separated timeframe list, in order of length, duplicates dropped.
 *
 * @param text The argument.
 * @returns The timeframes.
 * @throws {RangeError} When it is empty or lists something that is not a Binance interval.
 */
export function parseTimeframes(text: string): string[] {
  const timeframes = [
    ...new Set(text.split(",").map((s) => s.trim()).filter((s) => s)),
  ];
  const bad = timeframes.find((tf) => !DOWNLOAD_INTERVALS.includes(tf));
  if (timeframes.length === 0 || bad !== undefined) {
    throw new RangeError(
      `Cannot download as '--timeframes' must list Binance intervals (${
        DOWNLOAD_INTERVALS.join(", ")
      }): current value is ${bad ?? text}`,
    );
  }
  return timeframes.sort((a, b) => timeframeMs(a) - timeframeMs(b));
}

/** The checked arguments, defaults resolved from the config. */
export interface DownloadRequest {
  readonly symbols: readonly string[];
  /** Ascending by length. */
  readonly timeframes: readonly string[];
  /** `--from` 00:00 UTC, epoch ms, when given. */
  readonly from: number | undefined;
  /** Months back from the server time when `--from` is absent. */
  readonly months: number;
  /** `--to` 00:00 UTC, epoch ms (exclusive), or Infinity. */
  readonly to: number;
  readonly update: boolean;
  readonly concurrency: number;
  /** Absolute store directory. */
  readonly storeDir: string;
  /** REST base URL of the config. */
  readonly restUrl: string;
}

/**
 * Checks the command's arguments and resolves the defaults from the config file.
 *
 * @param args Arguments after the command name.
 * @param options The working directory.
 * @returns The request, or `help` for `--help`.
 * @throws {TypeError|RangeError|ConfigError} For bad input.
 */
export function parseDownloadArgs(
  args: readonly string[],
  options: { readonly cwd: string },
): DownloadRequest | "help" {
  const { values } = parseArgs({
    args: [...args],
    options: {
      symbols: { type: "string" },
      timeframes: { type: "string" },
      from: { type: "string" },
      months: { type: "string" },
      to: { type: "string" },
      update: { type: "boolean", default: false },
      store: { type: "string" },
      concurrency: { type: "string", default: "3" },
      config: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return "help";
  const { config } = loadConfigFile(values.config, {
    cwd: options.cwd,
    mode: "tool",
  });
  if (values.from !== undefined && values.months !== undefined) {
    throw new TypeError(
      "Cannot download as '--from' and '--months' exclude each other",
    );
  }
  const from = values.from === undefined
    ? undefined
    : parseDay(values.from, "--from");
  const to = values.to === undefined ? Infinity : parseDay(values.to, "--to");
  if (from !== undefined && from >= to) {
    throw new RangeError(
      `Cannot download as '--from' must be before '--to' (${values.to}): current value is ${values.from}`,
    );
  }
  return {
    symbols: values.symbols === undefined
      ? [...config.pairs]
      : parseSymbols(values.symbols),
    timeframes: parseTimeframes(
      values.timeframes ?? config.timeframes.join(","),
    ),
    from,
    months: parseCount(values.months ?? "12", {
      flag: "--months",
      min: 1,
      max: 240,
    }),
    to,
    update: values.update,
    concurrency: parseCount(values.concurrency, {
      flag: "--concurrency",
      min: 1,
      max: 16,
    }),
    storeDir: resolve(options.cwd, values.store ?? config.data.candles_dir),
    restUrl: config.binance.rest_url,
  };
}
