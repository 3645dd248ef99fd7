// deno-lint-ignore-file no-console
/**
 * `deno task bench optimize [--data DIR] [--workers N]`: the whole optimizer pipeline
 * (walk-forward over the 60 presets, out-of-sample robustness of 242 neighbours per choice, Monte
 * Carlo, preset files and report) over every futures series of `../shared/data/binance` (series
 * shorter than the walk-forward needs are skipped by the pipeline itself, as a user's run would).
 *
 * Without `--workers` it runs itself twice in fresh processes, with 1 and with 2 workers, and
 * reports wall time, peak RSS, the speed-up and whether the two runs wrote identical preset files
 * (apart from `generated_at`). With `--workers N` it runs once in this process and prints one
 * JSON line.
 *
 * @module
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { runOptimizeCommand } from "../../data/optimize_command.ts";
import { symbolsIn } from "../../data/backtest_inputs.ts";
import { SHARED_DATA } from "../shared_data.ts";
import { peakRssMiB } from "./peak_rss.ts";

interface RunFigures {
  readonly workers: number;
  readonly seconds: number;
  readonly peakRssMiB: number;
  readonly optimized: number;
  readonly skipped: number;
  readonly out: string;
}

async function runOnce(
  dir: string,
  workers: number,
  out: string,
): Promise<RunFigures> {
  const lines: string[] = [];
  const started = performance.now();
  const code = await runOptimizeCommand([
    "--data",
    dir,
    "--symbols",
    symbolsIn(dir).join(","),
    "--out",
    join(out, "presets"),
    "--report",
    join(out, "report"),
    "--workers",
    String(workers),
  ], {
    stdout: (line) => lines.push(line),
    stderr: (line) => lines.push(line),
    now: () => Date.now(),
    cwd: Deno.cwd(),
  });
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) {
    throw new Error(`optimize exited ${code}:\n${lines.join("\n")}`);
  }
  const total = lines.find((l) => / series optimized/.test(l)) ?? "";
  const optimized = Number(/(\d+) series optimized/.exec(total)?.[1] ?? NaN);
  const skipped = Number(/(\d+) skipped/.exec(total)?.[1] ?? NaN);
  return {
    workers,
    seconds,
    peakRssMiB: peakRssMiB(),
    optimized,
    skipped,
    out,
  };
}

function presetTexts(dir: string): Map<string, string> {
  const texts = new Map<string, string>();
  for (const name of readdirSync(dir).sort()) {
    texts.set(
      name,
      readFileSync(join(dir, name), "utf8").replace(/generated_at: .*\n/, ""),
    );
  }
  return texts;
}

async function child(
  dir: string,
  workers: number,
  out: string,
): Promise<RunFigures> {
  const command = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      new URL("./main.ts", import.meta.url).pathname,
      "optimize",
      "--data",
      dir,
      "--workers",
      String(workers),
      "--out",
      out,
    ],
    stdout: "piped",
    stderr: "inherit",
  });
  const result = await command.output();
  const text = new TextDecoder().decode(result.stdout);
  const json = text.split("\n").find((l) => l.startsWith("{"));
  if (!result.success || json === undefined) {
    throw new Error(
      `benchmark child with ${workers} worker(s) failed:\n${text}`,
    );
  }
  return JSON.parse(json) as RunFigures;
}

/**
 * Runs the benchmark.
 *
 * @param args Options after `optimize`.
 * @returns The exit code.
 */
export async function benchOptimize(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      data: { type: "string" },
      workers: { type: "string" },
      out: { type: "string" },
    },
    strict: true,
  });
  const dir = values.data ?? SHARED_DATA;
  if (dir === undefined) {
    console.error(
      "Cannot run the benchmark as ../shared/data/binance is absent: pass --data DIR",
    );
    return 2;
  }
  if (values.workers !== undefined) {
    const out = values.out ?? mkdtempSync(join(tmpdir(), "velas-opt-bench-"));
    console.log(
      JSON.stringify(await runOnce(dir, Number(values.workers), out)),
    );
    return 0;
  }
  const base = mkdtempSync(join(tmpdir(), "velas-opt-bench-"));
  try {
    const one = await child(dir, 1, join(base, "w1"));
    const two = await child(dir, 2, join(base, "w2"));
    const a = presetTexts(join(one.out, "presets"));
    const b = presetTexts(join(two.out, "presets"));
    const identical = a.size === b.size &&
      [...a].every(([name, text]) => b.get(name) === text);
    console.log(
      `optimizer over ${dir}: ${one.optimized} series optimized, ${one.skipped} skipped (too short or no data)`,
    );
    for (const r of [one, two]) {
      console.log(
        `  ${r.workers} worker(s): ${r.seconds.toFixed(1)} s wall, peak RSS ${
          r.peakRssMiB.toFixed(0)
        } MiB (targets: < 60 s, < 2048 MiB)`,
      );
    }
    console.log(
      `  speed-up 1 -> 2 workers: ${
        (one.seconds / two.seconds).toFixed(2)
      }x (target >= 1.8)`,
    );
    console.log(
      `  preset files identical with 1 and 2 workers: ${
        identical ? "yes" : "NO"
      } (${a.size} files)`,
    );
    return identical ? 0 : 1;
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}
