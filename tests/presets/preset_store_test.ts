/** Tests of preset files on disk: YAML rendering, atomic save, load, listing and content hash. */
import { strict as assert } from "node:assert";
import { join } from "node:path";
import { DEFAULT_CONFIG } from "../../core/config.ts";
import { type PresetFile, validatePreset } from "../../core/preset.ts";
import { generateDefaultPresets } from "../../presets/generate.ts";
import {
  listPresetFiles,
  loadPresetDir,
  loadPresetFile,
  presetContentHash,
  renderPresetYaml,
  savePresetFile,
} from "../../presets/preset_store.ts";

const BTC_1H_NORMAL = generateDefaultPresets({
  ...DEFAULT_CONFIG,
  pairs: ["BTCUSDT"],
  timeframes: ["1h"],
  generatedAt: "2025-01-02T00:00:00.000Z",
})[1]!;

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "velas_presets_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function edited(
  preset: PresetFile,
  patch: Record<string, unknown>,
): PresetFile {
  return validatePreset({ ...preset, ...patch }, "edited.yaml");
}

Deno.test("preset YAML has the spec §5.2 key order in block style", () => {
  const text = renderPresetYaml(BTC_1H_NORMAL);
  const topKeys = text.split("\n").filter((l) => /^[a-z_]+:/.test(l)).map((l) =>
    l.split(":")[0]
  );
  assert.deepEqual(topKeys, [
    "symbol",
    "timeframe",
    "volatility_regime",
    "sector",
    "indicator",
    "tp_levels",
    "sl_percent",
    "tp_distribution",
    "optimization",
    "is_active",
    "notes",
  ]);
  assert.ok(
    text.startsWith(
      "symbol: BTCUSDT\ntimeframe: 1h\nvolatility_regime: normal\nsector: BTC\nindicator:\n  i1: 60\n",
    ),
  );
  assert.ok(text.includes('\n  version: "1.0"\n'));
  assert.ok(!text.includes("{"));
});

Deno.test("preset save then load keeps the preset, its id and its hash", async () => {
  await withTempDir(async (dir) => {
    const saved = await savePresetFile(join(dir, "nested"), BTC_1H_NORMAL);
    assert.equal(saved.path, join(dir, "nested", "BTCUSDT_1h_normal.yaml"));
    const loaded = await loadPresetFile(saved.path);
    assert.deepEqual(loaded.preset, BTC_1H_NORMAL);
    assert.equal(loaded.id, "BTCUSDT_1h_normal");
    assert.equal(loaded.hash, saved.hash);
    assert.equal(loaded.hash, presetContentHash(BTC_1H_NORMAL));
    const names = [];
    for await (const entry of Deno.readDir(join(dir, "nested"))) {
      names.push(entry.name);
    }
    assert.deepEqual(names, ["BTCUSDT_1h_normal.yaml"]);
  });
});

Deno.test("preset hash is 16 hex digits, ignores optimizer data and notes, changes with i1", () => {
  const hash = presetContentHash(BTC_1H_NORMAL);
  assert.match(hash, /^[0-9a-f]{16}$/);
  const optimized = edited(BTC_1H_NORMAL, {
    optimization: {
      ...BTC_1H_NORMAL.optimization,
      test_sharpe: 1.9,
      robustness_score: 85,
    },
    notes: "Optimized 2025-02",
  });
  assert.equal(presetContentHash(optimized), hash);
  const otherI1 = edited(BTC_1H_NORMAL, {
    indicator: { ...BTC_1H_NORMAL.indicator, i1: 61 },
  });
  assert.notEqual(presetContentHash(otherI1), hash);
  const otherSl = edited(BTC_1H_NORMAL, { sl_percent: 8 });
  assert.notEqual(presetContentHash(otherSl), hash);
});

Deno.test("preset load names the file when the YAML is not valid", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "BTCUSDT_1h_normal.yaml");
    await Deno.writeTextFile(path, "symbol: [BTCUSDT\n");
    await assert.rejects(loadPresetFile(path), (error: unknown) => {
      assert.ok(error instanceof SyntaxError);
      assert.match(
        error.message,
        /^Cannot load preset 'BTCUSDT_1h_normal\.yaml' as it is not valid YAML: .+/,
      );
      return true;
    });
  });
});

Deno.test("preset load lists every bad key with the file name", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "BTCUSDT_1h_normal.yaml");
    const text = renderPresetYaml(BTC_1H_NORMAL).replace("i1: 60", "i1: zero")
      .replace(
        "sl_percent: 8.5",
        "sl_percent: -2",
      );
    await Deno.writeTextFile(path, text);
    await assert.rejects(loadPresetFile(path), {
      name: "TypeError",
      message:
        "Cannot load preset 'BTCUSDT_1h_normal.yaml' as it has 2 problems:\n" +
        "- indicator.i1: must be an integer from 1 to 1000: current value is 'zero'\n" +
        "- sl_percent: must be a number greater than 0: current value is -2",
    });
  });
});

Deno.test("preset load refuses a file whose name does not match its content", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "ETHUSDT_1h_normal.yaml");
    await Deno.writeTextFile(path, renderPresetYaml(BTC_1H_NORMAL));
    await assert.rejects(loadPresetFile(path), {
      name: "TypeError",
      message:
        "Cannot load preset 'ETHUSDT_1h_normal.yaml' as its file name must be 'BTCUSDT_1h_normal.yaml' for its content",
    });
  });
});

Deno.test("preset load says when the file cannot be read", async () => {
  await withTempDir(async (dir) => {
    await assert.rejects(
      loadPresetFile(join(dir, "NOPE_1h_low.yaml")),
      (error: unknown) => {
        assert.ok(error instanceof Error);
        assert.match(
          error.message,
          /^Cannot load preset 'NOPE_1h_low\.yaml' as it cannot be read: /,
        );
        assert.ok(error.cause instanceof Deno.errors.NotFound);
        return true;
      },
    );
  });
});

Deno.test("preset listing skips hidden and non-YAML files and is empty for a missing directory", async () => {
  await withTempDir(async (dir) => {
    assert.deepEqual(await listPresetFiles(join(dir, "absent")), []);
    await Deno.writeTextFile(join(dir, "b.yaml"), "");
    await Deno.writeTextFile(join(dir, "a.yaml"), "");
    await Deno.writeTextFile(join(dir, ".a.yaml.tmp.yaml"), "");
    await Deno.writeTextFile(join(dir, "notes.txt"), "");
    assert.deepEqual(await listPresetFiles(dir), [
      join(dir, "a.yaml"),
      join(dir, "b.yaml"),
    ]);
  });
});

Deno.test("preset directory load keeps going past a bad file and reports it", async () => {
  await withTempDir(async (dir) => {
    await savePresetFile(dir, BTC_1H_NORMAL);
    await Deno.writeTextFile(join(dir, "AAAUSDT_1h_low.yaml"), "symbol: [\n");
    const { presets, failed } = await loadPresetDir(dir);
    assert.deepEqual(presets.map((p) => p.id), ["BTCUSDT_1h_normal"]);
    assert.equal(failed.length, 1);
    assert.equal(failed[0]!.path, join(dir, "AAAUSDT_1h_low.yaml"));
    assert.ok(failed[0]!.error instanceof SyntaxError);
  });
});
