/**
 * Runs VELAS's `main.ts` in a subprocess as `deno task <name>` would: the permission flags come
 * from the task entry of deno.json, so a test cannot grant more than users get.
 *
 * @module
 */
import { strict as assert } from "node:assert";
import { fileURLToPath } from "node:url";

/** Absolute path of `main.ts`. */
export const MAIN: string = fileURLToPath(
  new URL("../../main.ts", import.meta.url),
);
const DENO_JSON = fileURLToPath(new URL("../../deno.json", import.meta.url));

/**
 * The permission flags of one `deno task` entry: the words between `deno run` and `main.ts`.
 *
 * @param task The task name, e.g. `live` or `demo`.
 * @returns The `--allow-*` flags.
 */
export function taskPermissions(task: string): string[] {
  const tasks = (JSON.parse(Deno.readTextFileSync(DENO_JSON)) as {
    tasks: Record<string, string>;
  }).tasks;
  const words = (tasks[task] ?? "").split(/\s+/);
  const from = words.indexOf("run");
  const to = words.indexOf("main.ts");
  assert.ok(
    from >= 0 && to > from,
    `deno.json task '${task}' is not 'deno run ... main.ts'`,
  );
  const flags = words.slice(from + 1, to);
  assert.ok(flags.every((f) => f.startsWith("--allow-")), flags.join(" "));
  return flags;
}

/**
 * The arguments of `deno run` for a VELAS command with a task's permissions.
 *
 * @param task Whose permissions (`demo` is offline: network on 127.0.0.1 only).
 * @param command The command and its arguments, e.g. `["live", "--replay", dir]`.
 * @returns `run`, the flags, `main.ts` and the command.
 */
export function runArgs(task: string, command: readonly string[]): string[] {
  return ["run", ...taskPermissions(task), MAIN, ...command];
}
