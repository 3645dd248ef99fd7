/**
 * Tests of `deploy/velas.service`: the restart policy, stop handling and hardening keys are
 * set, and `systemd-analyze verify` accepts the unit once ExecStart and User/Group point at
 * this machine's deno binary and user (verify checks that both exist).
 */
import { strict as assert } from "node:assert";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const UNIT_PATH = fileURLToPath(
  new URL("../../deploy/velas.service", import.meta.url),
);
const UNIT = readFileSync(UNIT_PATH, "utf8");

const ANALYZE = "/usr/bin/systemd-analyze";
const HAS_ANALYZE = existsSync(ANALYZE);
const NEEDS_ANALYZE = HAS_ANALYZE
  ? ""
  : ` (skipped: ${ANALYZE} is absent; apt-get install systemd)`;

/** Section name → key → every value assigned to it, in order. */
type Unit = Map<string, Map<string, string[]>>;

function parseUnit(text: string): Unit {
  const unit: Unit = new Map();
  let section: Map<string, string[]> | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header !== null) {
      section = new Map();
      unit.set(header[1]!, section);
      continue;
    }
    const eq = line.indexOf("=");
    assert.ok(section !== undefined && eq > 0, `bad unit line: ${line}`);
    const key = line.slice(0, eq).trim();
    const values = section.get(key) ?? [];
    values.push(line.slice(eq + 1).trim());
    section.set(key, values);
  }
  return unit;
}

function value(unit: Unit, section: string, key: string): string | undefined {
  return unit.get(section)?.get(key)?.at(-1);
}

function replaceLine(text: string, pattern: RegExp, line: string): string {
  const lines = text.split("\n");
  const hits = lines.filter((l) => pattern.test(l)).length;
  assert.equal(hits, 1, `expected one line matching ${pattern}`);
  return lines.map((l) => pattern.test(l) ? line : l).join("\n");
}

async function idName(flag: "-un" | "-gn"): Promise<string> {
  try {
    const { code, stdout } = await new Deno.Command("id", { args: [flag] })
      .output();
    const name = new TextDecoder().decode(stdout).trim();
    return code === 0 && name !== "" ? name : "root";
  } catch {
    return "root";
  }
}

/** Lines of verify's stderr that point at a problem in our unit. */
function problems(stderr: string, unitFile: string): string[] {
  return stderr.split("\n").filter((l) =>
    /Unknown key|Unknown section|Unknown lvalue|Failed/i.test(l) ||
    l.includes(unitFile) || l.includes("velas.service")
  );
}

async function verify(dir: string, text: string): Promise<string[]> {
  const file = join(dir, "velas.service");
  await Deno.writeTextFile(file, text);
  const { code, stderr } = await new Deno.Command(ANALYZE, {
    args: ["verify", file],
    env: { SYSTEMD_COLORS: "0", SYSTEMD_PAGER: "" },
  }).output();
  const err = new TextDecoder().decode(stderr);
  const found = problems(err, file);
  if (code !== 0 && found.length === 0) found.push(`exit ${code}: ${err}`);
  return found;
}

Deno.test("velas.service restarts on failure and stops with SIGTERM within 30 s", () => {
  const unit = parseUnit(UNIT);
  assert.deepEqual([...unit.keys()], ["Unit", "Service", "Install"]);
  const expected: Record<string, string> = {
    Type: "simple",
    Restart: "on-failure",
    RestartSec: "5",
    KillSignal: "SIGTERM",
    KillMode: "mixed",
    TimeoutStopSec: "30",
    User: "velas",
    Group: "velas",
    WorkingDirectory: "/opt/velas",
    EnvironmentFile: "-/etc/velas/velas.env",
    ExecStart: "/usr/local/bin/deno task live",
    LimitNOFILE: "65536",
  };
  for (const [key, v] of Object.entries(expected)) {
    assert.equal(value(unit, "Service", key), v, `[Service] ${key}`);
  }
  assert.ok(
    unit.get("Service")?.get("Environment")?.includes(
      "DENO_DIR=/opt/velas/.deno",
    ),
  );
  assert.match(value(unit, "Unit", "StartLimitIntervalSec") ?? "", /^\d+$/);
  assert.match(value(unit, "Unit", "StartLimitBurst") ?? "", /^\d+$/);
  assert.equal(value(unit, "Install", "WantedBy"), "multi-user.target");
  // No sd_notify in Deno: a notify type or a watchdog would kill a healthy daemon.
  for (const key of ["WatchdogSec", "NotifyAccess"]) {
    assert.equal(value(unit, "Service", key), undefined, key);
  }
});

Deno.test("velas.service sets every hardening key and leaves W+X memory to V8", () => {
  const unit = parseUnit(UNIT);
  const hardening: Record<string, string> = {
    NoNewPrivileges: "yes",
    ProtectSystem: "strict",
    ReadWritePaths: "/opt/velas/data /opt/velas/.deno /opt/velas/node_modules",
    ProtectHome: "yes",
    PrivateTmp: "yes",
    PrivateDevices: "yes",
    ProtectKernelTunables: "yes",
    ProtectKernelModules: "yes",
    ProtectControlGroups: "yes",
    RestrictAddressFamilies: "AF_INET AF_INET6 AF_UNIX",
    RestrictNamespaces: "yes",
    LockPersonality: "yes",
    RestrictRealtime: "yes",
    SystemCallArchitectures: "native",
    CapabilityBoundingSet: "",
    AmbientCapabilities: "",
    UMask: "0077",
  };
  for (const [key, v] of Object.entries(hardening)) {
    assert.equal(value(unit, "Service", key), v, `[Service] ${key}`);
  }
  assert.equal(value(unit, "Service", "MemoryDenyWriteExecute"), undefined);
});

Deno.test({
  name:
    `systemd-analyze verify accepts velas.service with this machine's deno and user${NEEDS_ANALYZE}`,
  ignore: !HAS_ANALYZE,
  async fn() {
    const [user, group] = [await idName("-un"), await idName("-gn")];
    let text = replaceLine(
      UNIT,
      /^ExecStart=\S+ /,
      `ExecStart=${Deno.execPath()} task live`,
    );
    text = replaceLine(text, /^User=/, `User=${user}`);
    text = replaceLine(text, /^Group=/, `Group=${group}`);
    const dir = await Deno.makeTempDir({ prefix: "velas_service_" });
    try {
      assert.deepEqual(await verify(dir, text), []);
      // The check must see a typo: a misspelt key is only a warning, exit code 0.
      const typo = text.replace("ProtectHome=yes", "ProtectHom=yes");
      const found = await verify(dir, typo);
      assert.ok(found.some((l) => l.includes("Unknown key")), found.join("\n"));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
