/** Tests of the `presets` command, run in-process against temporary directories. */
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { listPresetFiles, loadPresetDir } from "../../presets/preset_store.ts";
import { runPresetsCommand } from "../../presets/presets_command.ts";

const NOW = Date.UTC(2025, 0, 2, 3, 4, 5);

interface Run {
  readonly code: number;
  readonly out: string[];
  readonly err: string[];
}

async function run(args: string[], cwd: string): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runPresetsCommand(args, {
    stdout: (line) => out.push(line),
    stderr: (line) => err.push(line),
    now: () => NOW,
    cwd,
  });
  return { code, out, err };
}

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "velas_presets_cmd_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

function line(lines: readonly string[], prefix: string): string {
  const found = lines.find((l) => l.startsWith(prefix));
  assert.ok(
    found !== undefined,
    `no line starting with '${prefix}' in:\n${lines.join("\n")}`,
  );
  return found;
}

Deno.test("presets --dry-run lists 180 file names and writes nothing", async () => {
  await withTempDir(async (cwd) => {
    const { code, out, err } = await run(["--dry-run"], cwd);
    assert.equal(code, 0);
    assert.deepEqual(err, []);
    assert.equal(out[0], "20 pairs x 3 timeframes x 3 regimes = 180 presets");
    const names = out.filter((l) => l.endsWith(".yaml"));
    assert.equal(names.length, 180);
    assert.equal(new Set(names).size, 180);
    assert.equal(names[0], "BTCUSDT_30m_low.yaml");
    assert.equal(
      out.at(-1),
      `Dry run: 180 files would be written to ${join(cwd, "data", "presets")}`,
    );
    assert.equal(await exists(join(cwd, "data")), false);
  });
});

Deno.test("presets --dry-run --summary counts by symbol, timeframe, regime and sector", async () => {
  await withTempDir(async (cwd) => {
    const { code, out } = await run(["--dry-run", "--summary"], cwd);
    assert.equal(code, 0);
    line(out, "Summary of 180 presets that would be written:");
    const bySymbol = line(out, "  by symbol: ").slice("  by symbol: ".length)
      .split(", ");
    assert.equal(bySymbol.length, 20);
    for (const entry of bySymbol) assert.match(entry, /^[A-Z]+USDT 9$/);
    assert.equal(
      line(out, "  by timeframe: "),
      "  by timeframe: 30m 60, 1h 60, 2h 60",
    );
    assert.equal(
      line(out, "  by regime: "),
      "  by regime: low 60, normal 60, high 60",
    );
    assert.equal(
      line(out, "  by sector: "),
      "  by sector: BTC 9, ETH 9, L1 45, L2 27, DEFI 27, OLD 45, MEME 9, CEX 9",
    );
  });
});

Deno.test("presets writes 180 files into the output directory that all load back", async () => {
  await withTempDir(async (cwd) => {
    const { code, out, err } = await run(["-o", "out/presets"], cwd);
    assert.equal(code, 0);
    assert.deepEqual(err, []);
    const dir = join(cwd, "out", "presets");
    assert.equal(out.filter((l) => l.startsWith("wrote ")).length, 180);
    assert.equal(out.at(-1), `Wrote 180 presets to ${dir}`);
    assert.equal((await listPresetFiles(dir)).length, 180);
    const { presets, failed } = await loadPresetDir(dir);
    assert.deepEqual(failed, []);
    assert.equal(presets.length, 180);
    assert.equal(new Set(presets.map((p) => p.hash)).size, 180);
    for (const { preset } of presets) {
      assert.equal(
        preset.optimization.generated_at,
        "2025-01-02T03:04:05.000Z",
      );
    }
  });
});

Deno.test("presets --summary counts the existing files and says so when there are none", async () => {
  await withTempDir(async (cwd) => {
    const empty = await run(["--summary"], cwd);
    assert.equal(empty.code, 0);
    assert.deepEqual(empty.out, [
      `No preset files in ${join(cwd, "data", "presets")}`,
    ]);
    assert.equal(await exists(join(cwd, "data")), false);
    assert.equal((await run(["--symbol", "SOLUSDT"], cwd)).code, 0);
    assert.equal((await run(["-s", "ETHUSDT"], cwd)).code, 0);
    const { code, out } = await run(["--summary"], cwd);
    assert.equal(code, 0);
    assert.deepEqual(out, [
      `Summary of 18 preset files in ${join(cwd, "data", "presets")}:`,
      "  by symbol: ETHUSDT 9, SOLUSDT 9",
      "  by timeframe: 30m 6, 1h 6, 2h 6",
      "  by regime: low 6, normal 6, high 6",
      "  by sector: ETH 9, L1 9",
    ]);
  });
});

Deno.test("presets --symbol writes only that pair's 9 presets", async () => {
  await withTempDir(async (cwd) => {
    const { code, out } = await run(["--symbol", "POLUSDT"], cwd);
    assert.equal(code, 0);
    assert.equal(out[0], "1 pair x 3 timeframes x 3 regimes = 9 presets");
    const files = await listPresetFiles(join(cwd, "data", "presets"));
    assert.equal(files.length, 9);
    for (const file of files) {
      assert.match(file, /POLUSDT_(30m|1h|2h)_(low|normal|high)\.yaml$/);
    }
  });
});

Deno.test("presets --symbol NOPE exits 1 naming NOPE and the configured pairs", async () => {
  await withTempDir(async (cwd) => {
    const { code, out, err } = await run(["--symbol", "NOPE"], cwd);
    assert.equal(code, 1);
    assert.deepEqual(out, []);
    assert.equal(err.length, 1);
    assert.ok(
      err[0]!.startsWith(
        "Cannot generate presets as 'NOPE' is not one of the configured pairs: BTCUSDT, ETHUSDT, BNBUSDT,",
      ),
      err[0],
    );
    assert.ok(err[0]!.endsWith("OPUSDT, INJUSDT"));
  });
});

Deno.test("presets --skip-existing keeps a modified file and writes the rest", async () => {
  await withTempDir(async (cwd) => {
    assert.equal((await run(["-s", "BTCUSDT"], cwd)).code, 0);
    const path = join(cwd, "data", "presets", "BTCUSDT_1h_normal.yaml");
    const modified = (await Deno.readTextFile(path)).replace(
      "i1: 60",
      "i1: 77",
    );
    await Deno.writeTextFile(path, modified);
    await Deno.remove(join(cwd, "data", "presets", "BTCUSDT_2h_high.yaml"));
    const { code, out } = await run(["-s", "BTCUSDT", "--skip-existing"], cwd);
    assert.equal(code, 0);
    assert.ok(out.includes("kept BTCUSDT_1h_normal.yaml"));
    assert.deepEqual(out.filter((l) => l.startsWith("wrote ")), [
      "wrote BTCUSDT_2h_high.yaml",
    ]);
    assert.equal(
      out.at(-1),
      `Wrote 1 preset to ${join(cwd, "data", "presets")}, kept 8 existing`,
    );
    assert.equal(await Deno.readTextFile(path), modified);
    const again = await run(["-s", "BTCUSDT"], cwd);
    assert.equal(again.code, 0);
    assert.notEqual(await Deno.readTextFile(path), modified);
  });
});

Deno.test("presets exits 2 with one line for an unknown flag, a missing value or a positional", async () => {
  await withTempDir(async (cwd) => {
    assert.deepEqual(await run(["--bogus"], cwd), {
      code: 2,
      out: [],
      err: [
        "Cannot run presets as '--bogus' is not a known option: see --help",
      ],
    });
    const missing = await run(["--output"], cwd);
    assert.equal(missing.code, 2);
    assert.equal(missing.err.length, 1);
    assert.match(
      missing.err[0]!,
      /^Cannot run presets as option '-o, --output <value>' argument missing/,
    );
    const positional = await run(["extra"], cwd);
    assert.equal(positional.code, 2);
    assert.deepEqual(positional.err, [
      "Cannot run presets as unexpected argument 'extra'",
    ]);
  });
});

Deno.test("presets reads --config and exits 2 with the ConfigError message when it is wrong", async () => {
  await withTempDir(async (cwd) => {
    await Deno.writeTextFile(
      join(cwd, "small.yaml"),
      "pairs: [BTCUSDT, ETHUSDT]\ntimeframes: [1h]\ndata:\n  presets_dir: ./p\n",
    );
    const ok = await run(["--config", "small.yaml", "--dry-run"], cwd);
    assert.equal(ok.code, 0);
    assert.equal(ok.out[0], "2 pairs x 1 timeframe x 3 regimes = 6 presets");
    assert.equal(
      ok.out.at(-1),
      `Dry run: 6 files would be written to ${join(cwd, "p")}`,
    );
    await Deno.writeTextFile(
      join(cwd, "bad.yaml"),
      "pairs: [btc]\nweb:\n  prot: 1\n",
    );
    const bad = await run(["--config", "bad.yaml"], cwd);
    assert.equal(bad.code, 2);
    assert.deepEqual(bad.err, [
      "Cannot load config as it has 2 problems:\n" +
      "- pairs[0]: must be a symbol like 'BTCUSDT': current value is 'btc'\n" +
      "- web.prot: unknown key (did you mean 'port'?)",
    ]);
    const absent = await run(["--config", "absent.yaml"], cwd);
    assert.equal(absent.code, 2);
    assert.match(
      absent.err[0]!,
      /^Cannot load config '.*absent\.yaml' as it cannot be read: /,
    );
  });
});

Deno.test("presets uses config.yaml in the working directory when --config is not given", async () => {
  await withTempDir(async (cwd) => {
    await Deno.writeTextFile(join(cwd, "config.yaml"), "pairs: [DOGEUSDT]\n");
    const { code, out } = await run(["--dry-run"], cwd);
    assert.equal(code, 0);
    assert.equal(out[0], "1 pair x 3 timeframes x 3 regimes = 9 presets");
  });
});

Deno.test("presets --help prints the usage and exits 0", async () => {
  await withTempDir(async (cwd) => {
    const { code, out } = await run(["--help"], cwd);
    assert.equal(code, 0);
    assert.match(out[0]!, /^Usage: presets \[options\]/);
    assert.match(out[0]!, /--skip-existing/);
  });
});
