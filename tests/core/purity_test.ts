/** The core/ purity check, as a test, and a check that the checker itself catches violations. */
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { CORE_DIR, findImpurities } from "../tools/check_core_purity.ts";

Deno.test("core imports nothing from node:, npm:, data/, actors/ or web/ and reads no clock", () => {
  assert.deepEqual(findImpurities(CORE_DIR), []);
});

Deno.test("purity check reports each kind of violation with file and line", () => {
  const dir = mkdtempSync(join(tmpdir(), "velas-purity-"));
  try {
    writeFileSync(
      join(dir, "bad.ts"),
      [
        'import { readFileSync } from "node:fs";',
        'import { x } from "../data/candle_loader.ts";',
        "const t = Date.now();",
        "Deno.exit(1);",
        "console.log(t);",
        "// Date.now() in a comment is fine",
      ].join("\n"),
    );
    const problems = findImpurities(dir);
    assert.equal(problems.length, 5);
    assert.match(problems[0]!, /bad\.ts:1: imports an I\/O or package module/);
    assert.match(
      problems[1]!,
      /bad\.ts:2: imports from data\/, actors\/ or web\//,
    );
    assert.match(problems[2]!, /bad\.ts:3: reads the wall clock/);
  } finally {
    rmSync(dir, { recursive: true });
  }
});
