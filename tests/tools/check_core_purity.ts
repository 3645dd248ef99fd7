/**
 * Fails when `core/` stops being pure: an import from `node:`, `npm:`, `jsr:`, a URL, or from
 * `data/`, `actors/` or `web/`; any use of the `Deno` namespace, the wall clock (`Date.now()`,
 * `new Date()` without argument, `performance.now()`), `console`, timers or `fetch`.
 * Run by `deno task ok`; `tests/core/purity_test.ts` runs the same check in the test suite.
 *
 * @module
 */
// deno-lint-ignore-file no-console
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const RULES: readonly { readonly pattern: RegExp; readonly what: string }[] = [
  {
    pattern: /from\s+["'](node:|npm:|jsr:|https?:)/,
    what: "imports an I/O or package module",
  },
  {
    pattern: /import\(\s*["'](node:|npm:|jsr:|https?:)/,
    what: "imports an I/O or package module",
  },
  {
    pattern: /from\s+["'](\.\.\/)+(data|actors|web)\//,
    what: "imports from data/, actors/ or web/",
  },
  { pattern: /\bDeno\./, what: "uses the Deno namespace" },
  { pattern: /\bDate\.now\(/, what: "reads the wall clock" },
  { pattern: /new Date\(\s*\)/, what: "reads the wall clock" },
  { pattern: /\bperformance\.now\(/, what: "reads the wall clock" },
  { pattern: /\bconsole\./, what: "writes to the console" },
  {
    pattern: /\b(setTimeout|setInterval|queueMicrotask)\(/,
    what: "uses timers",
  },
  { pattern: /\bfetch\(/, what: "does network I/O" },
];

function listFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) files.push(...listFiles(path));
    else if (path.endsWith(".ts")) files.push(path);
  }
  return files;
}

/**
 * Finds every impure line under a directory.
 *
 * @param dir The directory to check (normally `core/`).
 * @returns One `file:line: what: text` entry per violation.
 */
export function findImpurities(dir: string): string[] {
  const problems: string[] = [];
  for (const file of listFiles(dir)) {
    const lines = readFileSync(file, "utf8").split("\n");
    lines.forEach((line, i) => {
      const code = line.replace(/^\s*(\*|\/\/).*$/, "");
      for (const rule of RULES) {
        if (rule.pattern.test(code)) {
          problems.push(`${file}:${i + 1}: ${rule.what}: ${line.trim()}`);
        }
      }
    });
  }
  return problems;
}

/** The project's `core/` directory. */
export const CORE_DIR = fileURLToPath(new URL("../../core/", import.meta.url));

if (import.meta.main) {
  const problems = findImpurities(CORE_DIR);
  if (problems.length > 0) {
    console.error(
      `core/ is not pure (${problems.length} problems):\n${
        problems.join("\n")
      }`,
    );
    Deno.exit(1);
  }
  console.log(
    "core/ is pure: no I/O imports, no Deno namespace, no clock, no console",
  );
}
