/**
 * VELAS composition root: parses the command, builds the adapters and runs. Kept thin; each
 * command lives with its adapters. Known input errors print one clear line and exit 2 (no stack
 * trace); anything else is a bug and prints its stack with exit 1.
 *
 * Commands: `live`, `demo`, `backtest`, `download`, `indicator`, `presets`.
 *
 * @module
 */
// deno-lint-ignore-file no-console
import { runBacktestCommand } from "./data/backtest_command.ts";
import { runDownloadCommand } from "./data/download_command.ts";
import { runIndicatorCommand } from "./data/indicator_export.ts";
import { CandleDataError } from "./data/candle_loader.ts";
import { ConfigError } from "./core/config.ts";
import { runPresetsCommand } from "./presets/presets_command.ts";
import { runLiveCommand } from "./data/live_command.ts";
import { DatabaseLockedError } from "./data/state_store.ts";

type Command = (args: string[]) => Promise<number>;

const stderr = (line: string) => console.error(line);

const COMMANDS: Readonly<Record<string, Command>> = {
  backtest: (args) =>
    runBacktestCommand(args, {
      stdout: (line) => console.log(line),
      stderr,
      now: () => Date.now(),
      cwd: Deno.cwd(),
      ...(Deno.stderr.isTerminal() ? { progress: progressLine } : {}),
    }),
  download: (args) =>
    runDownloadCommand(args, {
      stdout: (line) => console.log(line),
      stderr,
      now: () => Date.now(),
      cwd: Deno.cwd(),
      ...(Deno.stderr.isTerminal() ? { progress: progressLine } : {}),
    }),
  indicator: (args) =>
    runIndicatorCommand(args, {
      stdout: writeAll,
      stderr,
    }),
  live: (args) => runLiveCommand(args, liveIo(), "live"),
  demo: (args) => runLiveCommand(args, liveIo(), "demo"),
  presets: (args) =>
    runPresetsCommand(args, {
      stdout: (line) => console.log(line),
      stderr,
      now: () => Date.now(),
      cwd: Deno.cwd(),
    }),
};

/** Output and the stop signal of the daemon commands: SIGTERM or SIGINT asks for a clean stop. */
function liveIo() {
  const stopSignal = new Promise<void>((resolve) => {
    for (const name of ["SIGTERM", "SIGINT"] as const) {
      Deno.addSignalListener(name, () => resolve());
    }
  });
  return {
    stdout: (line: string) => console.log(line),
    stderr,
    cwd: Deno.cwd(),
    stopSignal,
  };
}

/** Rewrites one status line on the terminal (an empty text clears it). */
function progressLine(text: string): void {
  const line = text === "" ? "\r\x1b[2K" : `\r\x1b[2K${text.slice(0, 100)}`;
  Deno.stderr.writeSync(new TextEncoder().encode(line));
}

function writeAll(text: string): void {
  const bytes = new TextEncoder().encode(text);
  let written = 0;
  while (written < bytes.length) {
    written += Deno.stdout.writeSync(bytes.subarray(written));
  }
}

/** Errors that mean "bad input": one line, exit 2. */
function isInputError(error: unknown): error is Error {
  return error instanceof CandleDataError || error instanceof ConfigError ||
    error instanceof DatabaseLockedError ||
    error instanceof TypeError || error instanceof RangeError ||
    error instanceof SyntaxError;
}

/**
 * Runs one command line.
 *
 * @param argv The arguments after `main.ts`.
 * @returns The process exit code.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = name === undefined ? undefined : COMMANDS[name];
  if (command === undefined) {
    console.error(
      `${
        name === undefined ? "No command given" : `Unknown command '${name}'`
      }. Commands: ${Object.keys(COMMANDS).join(", ")}`,
    );
    return 2;
  }
  try {
    return await command(rest);
  } catch (error) {
    if (isInputError(error)) {
      console.error(`error: ${error.message}`);
      return 2;
    }
    throw error;
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
