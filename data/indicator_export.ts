/**
 * The `indicator` command: loads one candle file, computes one preset's Velas indicator and the
 * signal state machine over it, and writes one CSV row per input candle:
 * `open_time,hc,lc,mid,atr,sd,long_trigger,short_trigger,signal` (numbers at full precision,
 * empty where undefined; signal empty, `LONG` or `SHORT`). Users check it against a TradingView
 * chart; tests use it too.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { renameSync, writeFileSync } from "node:fs";
import { scanSignals, signalEvents, SignalOutcome } from "../core/signals.ts";
import type {
  CandleColumns,
  IndicatorParams,
  Semantics,
} from "../core/types.ts";
import { velasIndicator } from "../core/velas.ts";
import { indicatorPreset } from "../presets/indicator_presets.ts";
import { loadCandles } from "./candle_loader.ts";

const HEADER = "open_time,hc,lc,mid,atr,sd,long_trigger,short_trigger,signal";

function cell(value: number): string {
  return Number.isNaN(value) ? "" : String(value);
}

/**
 * Renders the indicator table of one preset as CSV text (header included, trailing newline).
 *
 * @param candles The series.
 * @param options The preset `params` and `semantics`.
 * @returns The CSV text.
 */
export function indicatorCsv(
  candles: CandleColumns,
  options: { readonly params: IndicatorParams; readonly semantics: Semantics },
): string {
  const columns = velasIndicator(candles, options);
  const n = candles.close.length;
  const events = signalEvents(n);
  scanSignals({ high: candles.high, low: candles.low, ...columns }, { events });
  const signal: string[] = new Array(n).fill("");
  for (let k = 0; k < events.count; k++) {
    signal[events.bar[k]!] = events.outcome[k] === SignalOutcome.Long
      ? "LONG"
      : "SHORT";
  }
  const lines = [HEADER];
  for (let t = 0; t < n; t++) {
    lines.push(
      `${candles.openTime[t]},${cell(columns.hc[t]!)},${cell(columns.lc[t]!)},${
        cell(columns.mid[t]!)
      },${cell(columns.atr[t]!)},${cell(columns.sd[t]!)},${
        cell(columns.longTrigger[t]!)
      },${cell(columns.shortTrigger[t]!)},${signal[t]}`,
    );
  }
  return lines.join("\n") + "\n";
}

const USAGE =
  "Usage: deno task indicator --data FILE --preset N [--semantics pine|velas-py] [--out FILE]";

/**
 * Runs the `indicator` command.
 *
 * @param args Command-line arguments after the command name.
 * @param io Where to write text.
 * @returns The exit code (0 ok, 2 bad input).
 * @throws {TypeError|RangeError} For bad arguments (the caller prints the message, exit 2).
 */
export async function runIndicatorCommand(
  args: readonly string[],
  io: {
    readonly stdout: (text: string) => void;
    readonly stderr: (line: string) => void;
  },
): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      data: { type: "string" },
      preset: { type: "string" },
      semantics: { type: "string", default: "pine" },
      out: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    io.stdout(USAGE + "\n");
    return 0;
  }
  if (values.data === undefined) {
    throw new TypeError(
      `Cannot run indicator as '--data' is missing. ${USAGE}`,
    );
  }
  if (values.preset === undefined) {
    throw new TypeError(
      `Cannot run indicator as '--preset' is missing. ${USAGE}`,
    );
  }
  const semantics = values.semantics;
  if (semantics !== "pine" && semantics !== "velas-py") {
    throw new TypeError(
      `Cannot run indicator as '--semantics' must be pine or velas-py: current value is ${semantics}`,
    );
  }
  if (!/^-?\d+$/.test(values.preset)) {
    throw new RangeError(
      `Cannot select indicator preset as '--preset' must be an integer from 0 to 59: current value is ${values.preset}`,
    );
  }
  const params = indicatorPreset(Number(values.preset));
  const candles = await loadCandles(values.data);
  const csv = indicatorCsv(candles, { params, semantics });
  if (values.out === undefined) {
    io.stdout(csv);
  } else {
    const temp = `${values.out}.tmp-${crypto.randomUUID()}`;
    writeFileSync(temp, csv);
    renameSync(temp, values.out);
    io.stderr(`wrote ${candles.close.length} rows to ${values.out}`);
  }
  return 0;
}
