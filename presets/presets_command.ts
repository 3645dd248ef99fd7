/**
 * The `presets` command (spec §5.5): writes the default preset files (pair x timeframe x
 * regime), lists what it would write (`--dry-run`) or counts presets (`--summary`). All output
 * goes through the `io` callbacks, so tests run it in-process.
 *
 * @module
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { type Config, ConfigError } from "../core/config.ts";
import { type PresetFile, presetFileName } from "../core/preset.ts";
import { REGIMES, timeframeMs } from "../core/types.ts";
import { loadConfigFile } from "../data/config_file.ts";
import { generateDefaultPresets } from "./generate.ts";
import { loadPresetDir, savePresetFile } from "./preset_store.ts";

/** The command's side channels. */
export interface PresetsCommandIo {
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  /** Epoch ms, written into `generated_at`. */
  readonly now: () => number;
  /** Relative paths are resolved against it. */
  readonly cwd: string;
}

const USAGE = `Usage: presets [options]

Writes the default preset files, one per pair x timeframe x regime.

Options:
  -o, --output DIR     target directory (default: the config's data.presets_dir)
  -s, --symbol SYMBOL  only the 9 presets of one pair
      --skip-existing  keep files that already exist
      --dry-run        list the files that would be written; write nothing
      --summary        count presets by symbol, timeframe, regime and sector: of the
                       existing files, or with --dry-run of the files that would be written
      --config FILE    config file (default: config.yaml when it exists)
  -h, --help           show this help`;

const OPTIONS = {
  output: { type: "string", short: "o" },
  symbol: { type: "string", short: "s" },
  "skip-existing": { type: "boolean" },
  "dry-run": { type: "boolean" },
  summary: { type: "boolean" },
  config: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** Exit codes: 0 done, 1 the work failed, 2 bad usage or config. */
const USAGE_ERROR = 2;

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (text.split("\n")[0] ?? text).replace(/:$/, "");
}

function usageProblem(error: unknown): string {
  const text = firstLine(error);
  const unknown = /^Unknown option '([^']+)'/.exec(text);
  if (unknown !== null) {
    return `Cannot run presets as '${
      unknown[1]
    }' is not a known option: see --help`;
  }
  const sentence = text.split(". ")[0] ?? text;
  return `Cannot run presets as ${sentence.charAt(0).toLowerCase()}${
    sentence.slice(1)
  }`;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function counts(
  values: readonly string[],
  order: (a: string, b: string) => number,
): string {
  const tally = new Map<string, number>();
  for (const v of values) tally.set(v, (tally.get(v) ?? 0) + 1);
  return [...tally].sort(([a], [b]) => order(a, b))
    .map(([k, n]) => `${k} ${n}`).join(", ");
}

function byList(list: readonly string[]): (a: string, b: string) => number {
  const rank = (v: string) => {
    const i = list.indexOf(v);
    return i === -1 ? list.length : i;
  };
  return (a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

function summaryLines(
  presets: readonly PresetFile[],
  config: Config,
): string[] {
  const timeframes = [...new Set(presets.map((p) => p.timeframe))]
    .sort((a, b) => timeframeMs(a) - timeframeMs(b));
  return [
    `  by symbol: ${
      counts(presets.map((p) => p.symbol), byList(config.pairs))
    }`,
    `  by timeframe: ${
      counts(presets.map((p) => p.timeframe), byList(timeframes))
    }`,
    `  by regime: ${
      counts(presets.map((p) => p.volatility_regime), byList(REGIMES))
    }`,
    `  by sector: ${
      counts(presets.map((p) => p.sector), byList(Object.keys(config.sectors)))
    }`,
  ];
}

async function summariseExisting(
  dir: string,
  config: Config,
  io: PresetsCommandIo,
): Promise<number> {
  const { presets, failed } = await loadPresetDir(dir);
  for (const { error } of failed) {
    for (const line of error.message.split("\n")) io.stderr(line);
  }
  if (presets.length === 0) {
    io.stdout(`No preset files in ${dir}`);
  } else {
    io.stdout(`Summary of ${plural(presets.length, "preset file")} in ${dir}:`);
    for (const line of summaryLines(presets.map((p) => p.preset), config)) {
      io.stdout(line);
    }
  }
  return failed.length === 0 ? 0 : 1;
}

/**
 * Runs the `presets` command.
 *
 * @param args The arguments after `presets`.
 * @param io Output callbacks, clock and working directory.
 * @returns The exit code: 0 done, 1 the work failed (unknown symbol, unreadable or unwritable
 *   files), 2 bad usage or config.
 */
export async function runPresetsCommand(
  args: string[],
  io: PresetsCommandIo,
): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: OPTIONS,
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    io.stderr(usageProblem(error));
    return USAGE_ERROR;
  }
  if (values.help === true) {
    io.stdout(USAGE);
    return 0;
  }
  let config: Config;
  try {
    ({ config } = loadConfigFile(values.config, { cwd: io.cwd, mode: "tool" }));
  } catch (error) {
    io.stderr(error instanceof ConfigError ? error.message : firstLine(error));
    return USAGE_ERROR;
  }
  const dir = resolve(io.cwd, values.output ?? config.data.presets_dir);
  let pairs = config.pairs;
  if (values.symbol !== undefined) {
    const symbol = values.symbol.toUpperCase();
    if (!config.pairs.includes(symbol)) {
      io.stderr(
        `Cannot generate presets as '${values.symbol}' is not one of the configured pairs: ${
          config.pairs.join(", ")
        }`,
      );
      return 1;
    }
    pairs = [symbol];
  }
  const dryRun = values["dry-run"] === true;
  if (values.summary === true && !dryRun) {
    return await summariseExisting(dir, config, io);
  }
  const presets = generateDefaultPresets({
    ...config,
    pairs,
    generatedAt: new Date(io.now()).toISOString(),
  });
  io.stdout(
    `${plural(pairs.length, "pair")} x ${
      plural(config.timeframes.length, "timeframe")
    } x ${plural(REGIMES.length, "regime")} = ${
      plural(presets.length, "preset")
    }`,
  );
  const skipExisting = values["skip-existing"] === true;
  const existing = new Set<string>();
  for (const preset of presets) {
    const name = presetFileName(preset);
    if (skipExisting && await exists(resolve(dir, name))) existing.add(name);
  }
  if (dryRun) {
    const toWrite = presets.filter((p) => !existing.has(presetFileName(p)));
    for (const preset of toWrite) io.stdout(presetFileName(preset));
    io.stdout(
      `Dry run: ${plural(toWrite.length, "file")} would be written to ${dir}` +
        (existing.size > 0 ? `, ${existing.size} existing kept` : ""),
    );
    if (values.summary === true && toWrite.length > 0) {
      io.stdout(
        `Summary of ${plural(toWrite.length, "preset")} that would be written:`,
      );
      for (const line of summaryLines(toWrite, config)) io.stdout(line);
    }
    return 0;
  }
  let written = 0;
  for (const preset of presets) {
    const name = presetFileName(preset);
    if (existing.has(name)) {
      io.stdout(`kept ${name}`);
      continue;
    }
    try {
      await savePresetFile(dir, preset);
    } catch (error) {
      io.stderr(
        `Cannot write preset '${name}' to ${dir} as ${firstLine(error)}`,
      );
      return 1;
    }
    written++;
    io.stdout(`wrote ${name}`);
  }
  io.stdout(
    `Wrote ${plural(written, "preset")} to ${dir}` +
      (existing.size > 0 ? `, kept ${existing.size} existing` : ""),
  );
  return 0;
}
