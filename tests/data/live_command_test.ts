/**
 * The `live` and `demo` commands as a user runs them: `deno run main.ts live|demo` in a
 * subprocess with the permissions of the `deno task live|demo` entries of deno.json, in a
 * temporary working directory. Binance is never contacted: every run also denies its hosts, and
 * `live` without `--replay` is only run on paths that stop before any network use.
 */
import { strict as assert } from "node:assert";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { FIXTURES } from "../shared_data.ts";
import { MAIN, taskPermissions } from "../fakes/task_command.ts";

const TOKEN = "123456:SECRET-TOKEN-abc";
/** Belt and braces: a regression that reaches for Binance fails instead of going online. */
const DENY_BINANCE =
  "--deny-net=fapi.binance.com,fstream.binance.com,api.telegram.org";

/** The parent environment without VELAS_* variables, plus `extra`. */
function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env = Object.fromEntries(
    Object.entries(Deno.env.toObject()).filter(([k]) =>
      !k.startsWith("VELAS_")
    ),
  );
  return { ...env, NO_COLOR: "1", ...extra };
}

function command(
  task: "live" | "demo",
  args: string[],
  cwd: string,
  env: Record<string, string>,
): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...taskPermissions(task),
      DENY_BINANCE,
      MAIN,
      task,
      // Any free port: a daemon or demo on 8080 must not change these tests.
      "--port",
      "0",
      ...args,
    ],
    cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    clearEnv: true,
    env: childEnv(env),
  });
}

async function run(
  task: "live" | "demo",
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
) {
  const output = await command(task, args, cwd, env).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

function withTempDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), "velas-live-"));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

/** Exit 2 with `error: ...` matching `pattern` on stderr in exactly `lines` lines, no stack. */
function assertInputError(
  result: { code: number; stderr: string },
  pattern: RegExp,
  lines = 1,
): void {
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /^error: /);
  assert.match(result.stderr, pattern);
  assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
  assert.equal(result.stderr.trim().split("\n").length, lines, result.stderr);
}

type Line = { time: string; level: string; msg: string; [k: string]: unknown };

function logLines(stdout: string): Line[] {
  return stdout.trim().split("\n").map((text) => {
    const line = JSON.parse(text) as Line;
    assert.equal(typeof line.time, "string", text);
    assert.equal(typeof line.level, "string", text);
    assert.equal(typeof line.msg, "string", text);
    return line;
  });
}

Deno.test(
  "demo runs offline to a summary with signals and trades, writes data/demo.db and starts fresh each run",
  withTempDir(async (dir) => {
    const summaries: Line[] = [];
    for (const _ of [1, 2]) {
      const result = await run("demo", [
        "--speed",
        "max",
        "--after-end",
        "exit",
      ], dir);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stderr, "");
      const lines = logLines(result.stdout);
      const signals = lines.filter((l) => l.msg === "signal");
      assert.ok(signals.length > 0, "at least one signal line");
      const last = lines[lines.length - 1]!;
      assert.equal(last.msg, "summary");
      assert.ok(typeof last.signals === "number" && last.signals > 0);
      assert.ok(typeof last.trades === "number" && last.trades > 0);
      assert.equal(last.signals, signals.length, "one log line per signal");
      assert.ok(existsSync(join(dir, "data", "demo.db")));
      summaries.push(last);
    }
    const [first, second] = summaries.map(({ time: _, ...rest }) => rest);
    assert.deepEqual(
      second,
      first,
      "the second run does not continue the first",
    );
  }),
);

for (
  const [what, yaml, key] of [
    [
      "an unknown key",
      "portfolio:\n  max_positon: 5\n",
      /portfolio\.max_positon: unknown key/,
    ],
    ["a wrong type", "web:\n  port: abc\n", /web\.port: must be an integer/],
  ] as const
) {
  Deno.test(
    `live refuses a config with ${what}: exit 2 naming the key, no stack trace, nothing written`,
    withTempDir(async (dir) => {
      writeFileSync(join(dir, "config.yaml"), yaml);
      const result = await run("live", [], dir);
      // ConfigError prints a header line then one line per problem.
      assertInputError(result, key, 2);
      assert.match(result.stderr, /has 1 problem:/);
      assert.equal(result.stdout, "");
      assert.equal(existsSync(join(dir, "data")), false);
    }),
  );
}

Deno.test(
  "a second daemon on a locked database exits 2 naming it; SIGTERM stops the first cleanly",
  withTempDir(async (dir) => {
    const db = join(dir, "state", "x.db");
    writeFileSync(
      join(dir, "config.yaml"),
      'telegram:\n  chat_id: "-100123"\n',
    );
    const args = ["--replay", FIXTURES, "--speed", "1", "--db", db];
    // Telegram is on (token and chat): its API points at a closed local port, never online.
    const first = command("live", args, dir, {
      VELAS_TELEGRAM_TOKEN: TOKEN,
      VELAS_TELEGRAM_API: "http://127.0.0.1:9",
    }).spawn();
    let out = "";
    let err = "";
    const collect = async (
      stream: ReadableStream<Uint8Array>,
      add: (text: string) => void,
    ) => {
      for await (const text of stream.pipeThrough(new TextDecoderStream())) {
        add(text);
      }
    };
    const reading = Promise.all([
      collect(first.stdout, (t) => out += t),
      collect(first.stderr, (t) => err += t),
    ]);
    let exited = false;
    const status = first.status.finally(() => exited = true);
    try {
      const started = Date.now();
      while (!out.includes('"msg":"daemon started"')) {
        assert.ok(!exited, `the first daemon exited early: ${err}`);
        assert.ok(Date.now() - started < 15_000, `no start: ${out}${err}`);
        await new Promise((r) => setTimeout(r, 50));
      }

      const second = await run("live", args, dir, {
        VELAS_TELEGRAM_TOKEN: TOKEN,
        VELAS_TELEGRAM_API: "http://127.0.0.1:9",
      });
      assertInputError(second, /another VELAS process/);
      assert.ok(second.stderr.includes(db), second.stderr);

      first.kill("SIGTERM");
      const stopped = await Promise.race([
        status,
        new Promise<undefined>((r) => setTimeout(() => r(undefined), 10_000)),
      ]);
      assert.ok(stopped !== undefined, "stopped within 10 s of SIGTERM");
      await reading;
      assert.equal(stopped.code, 0, err);
      assert.equal(err, "");
      const lines = logLines(out);
      assert.ok(lines.some((l) => l.msg === "daemon stopped"), out);
      assert.equal(lines[lines.length - 1]!.msg, "summary");
      assert.ok(!out.includes(TOKEN), "the token never appears in the log");
    } finally {
      if (!exited) {
        first.kill("SIGKILL");
        await status;
      }
      await reading.catch(() => {});
    }
  }),
);

Deno.test(
  "live --replay of a directory without candle files exits 2 saying so",
  withTempDir(async (dir) => {
    mkdirSync(join(dir, "empty"));
    const result = await run("live", ["--replay", "empty"], dir);
    assertInputError(
      result,
      /Cannot replay as '.*empty' has no candle file of the configured pairs and timeframes/,
    );
    assert.equal(existsSync(join(dir, "data")), false);
  }),
);

Deno.test(
  "live --replay exits 2 when no configured pair has a file in the replay directory",
  withTempDir(async (dir) => {
    writeFileSync(join(dir, "config.yaml"), "pairs: [XRPUSDT, ADAUSDT]\n");
    const result = await run("live", ["--replay", FIXTURES], dir);
    assertInputError(result, /has no candle file of the configured pairs/);
    assert.equal(existsSync(join(dir, "data")), false);
  }),
);

Deno.test(
  "live --dry-run-config prints the resolved config as YAML and never shows the Telegram token",
  withTempDir(async (dir) => {
    writeFileSync(
      join(dir, "config.yaml"),
      'pairs: [ETHUSDT]\ntelegram:\n  chat_id: "-100123"\n',
    );
    const result = await run("live", ["--dry-run-config"], dir, {
      VELAS_TELEGRAM_TOKEN: TOKEN,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^# resolved config \(.*config\.yaml\)\n/);
    assert.match(result.stdout, /^pairs:\n {2}- ETHUSDT\n/m);
    assert.match(result.stdout, /^ {2}chat_id: "-100123"$/m);
    assert.match(
      result.stdout,
      /^ {2}warmup_bars: 500$/m,
      "defaults filled in",
    );
    assert.ok(!result.stdout.includes(TOKEN), "token not in stdout");
    assert.ok(!result.stderr.includes(TOKEN), "token not in stderr");
    assert.ok(!result.stdout.includes("SECRET"), "no part of the token either");
    assert.equal(existsSync(join(dir, "data")), false);
  }),
);

for (const option of ["speed", "workers"] as const) {
  Deno.test(
    `live --${option} 0 exits 2 naming '--${option}'`,
    withTempDir(async (dir) => {
      const result = await run("live", [`--${option}`, "0"], dir);
      assertInputError(
        result,
        new RegExp(`'--${option}' must be .*: current value is 0`),
      );
      assert.equal(result.stdout, "");
      assert.equal(existsSync(join(dir, "data")), false);
    }),
  );
}

Deno.test(
  "a chat id without VELAS_TELEGRAM_TOKEN is a clear start-up error",
  withTempDir(async (dir) => {
    writeFileSync(
      join(dir, "config.yaml"),
      'telegram:\n  chat_id: "-100123"\n',
    );
    const result = await run("live", ["--replay", FIXTURES], dir);
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /^error: Cannot start the daemon as 'telegram\.chat_id' is set but VELAS_TELEGRAM_TOKEN is not/,
    );
  }),
);

Deno.test(
  "a status page on a network address needs VELAS_WEB_TOKEN, and the offline demo may not listen there",
  withTempDir(async (dir) => {
    writeFileSync(join(dir, "config.yaml"), "web:\n  host: 0.0.0.0\n");
    assertInputError(
      await run("live", ["--replay", FIXTURES], dir),
      /^error: Cannot start the daemon as 'web\.host' is 0\.0\.0\.0 \(not loopback\) and VELAS_WEB_TOKEN is not set/,
    );
    assertInputError(
      await run("demo", [], dir, { VELAS_WEB_TOKEN: "a-long-web-token" }),
      /^error: Cannot serve the status page on 0\.0\.0\.0:0 as this task may not listen there/,
    );
  }),
);
