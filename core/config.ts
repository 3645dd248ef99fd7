/**
 * Parses and validates the VELAS configuration against {@link CONFIG_SCHEMA}: pass 1 checks shape
 * and ranges and fills defaults, pass 2 (only when pass 1 is clean) checks cross-field rules.
 * Every problem is collected with its key path and reported in one {@link ConfigError}. The
 * result is a frozen, fully resolved {@link Config}. {@link renderConfigExample} writes the
 * commented example file from the same schema.
 *
 * @module
 */
import {
  CONFIG_SCHEMA,
  FORBIDDEN_KEYS,
  type GroupsNode,
  type Infer,
  type LeafRule,
  type ListNode,
  type SchemaNode,
  type SectionNode,
  type StringFormat,
} from "./config_schema.ts";

/** The fully resolved, deeply readonly configuration. */
export type Config = Infer<typeof CONFIG_SCHEMA>;

/** What the program is about to do; some keys are required only in some modes. */
export type ConfigMode = "live" | "backtest" | "tool";

/** Options of {@link parseConfig}. */
export interface ParseConfigOptions {
  /** Default `tool`. */
  readonly mode?: ConfigMode;
  /** Whether the environment variable VELAS_TELEGRAM_TOKEN is set. Default false. */
  readonly telegramTokenSet?: boolean;
}

/** The configuration could not be loaded; `problems` lists every problem with its key path. */
export class ConfigError extends Error {
  /** One line per problem: `<key path>: <what is wrong>`. */
  readonly problems: readonly string[];

  /**
   * @param problems The problems, at least one.
   */
  constructor(problems: readonly string[]) {
    const n = problems.length;
    super(
      `Cannot load config as it has ${n} problem${n === 1 ? "" : "s"}:\n` +
        problems.map((p) => `- ${p}`).join("\n"),
    );
    this.name = "ConfigError";
    this.problems = Object.freeze([...problems]);
  }
}

const FORMATS: {
  readonly [F in StringFormat]: {
    readonly rule: string;
    readonly test: (value: string) => boolean;
  };
} = {
  "symbol": {
    rule: "must be a symbol like 'BTCUSDT'",
    test: (v) => /^[A-Z0-9]{2,20}USDT$/.test(v),
  },
  "timeframe": {
    rule: "must be a Binance interval such as '30m', '1h' or '2h'",
    test: (v) => /^(?:(?:1|3|5|15|30)m|(?:1|2|4|6|8|12)h|[13]d)$/.test(v),
  },
  "time-zone": {
    rule: "must be an IANA time zone such as 'UTC' or 'Europe/Moscow'",
    test: isTimeZone,
  },
  "hh-mm": {
    rule: "must be a time of day as 'HH:MM'",
    test: (v) => /^(?:[01][0-9]|2[0-3]):[0-5][0-9]$/.test(v),
  },
  "http-url": {
    rule: "must be an http(s) URL such as 'https://fapi.binance.com'",
    test: (v) => /^https?:\/\/[^\s/]+(?:\/\S*)?$/.test(v),
  },
  "ws-url": {
    rule: "must be a ws(s) URL such as 'wss://fstream.binance.com'",
    test: (v) => /^wss?:\/\/[^\s/]+(?:\/\S*)?$/.test(v),
  },
  "chat-id": {
    rule: "must be a numeric chat id or an '@channel' name",
    test: (v) => /^(?:-?[1-9][0-9]*|@[A-Za-z][A-Za-z0-9_]{3,})$/.test(v),
  },
  "sector": {
    rule: "must be a name of letters, digits, '_' or '-'",
    test: (v) => /^[A-Za-z][A-Za-z0-9_-]*$/.test(v),
  },
  "non-empty": { rule: "must be a non-empty string", test: (v) => v !== "" },
};

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: value });
    return value !== "";
  } catch {
    return false;
  }
}

function numberRuleText(
  rule: Extract<LeafRule, { kind: "number" }>,
  short: boolean,
): string {
  const base = rule.integer === true ? "integer" : "number";
  const { min, gt, max } = rule;
  const lower = gt !== undefined
    ? (short ? `> ${gt}` : `greater than ${gt}`)
    : min !== undefined
    ? (short ? `>= ${min}` : `greater than or equal to ${min}`)
    : undefined;
  if (min !== undefined && max !== undefined) {
    return `${base} from ${min} to ${max}`;
  }
  if (lower !== undefined && max !== undefined) {
    return `${base} ${lower} and at most ${max}`;
  }
  if (lower !== undefined) return `${base} ${lower}`;
  if (max !== undefined) return `${base} at most ${max}`;
  return base;
}

function ruleText(rule: LeafRule): string {
  switch (rule.kind) {
    case "number": {
      const text = numberRuleText(rule, false);
      return `must be ${rule.integer === true ? "an" : "a"} ${text}`;
    }
    case "string":
      return rule.format === undefined
        ? "must be a string"
        : FORMATS[rule.format].rule;
    case "choice":
      return `must be one of ${rule.values.map((v) => `'${v}'`).join(", ")}`;
    case "boolean":
      return "must be true or false";
  }
}

/**
 * Shows a value in a problem message: strings quoted, long values cut.
 *
 * @param value Any value.
 * @returns A short text.
 */
export function showValue(value: unknown): string {
  let text: string;
  if (typeof value === "string") text = `'${value}'`;
  else if (value === undefined || typeof value === "bigint") {
    text = String(value);
  } else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

type Leaf = string | number | boolean;

function checkLeaf(
  rule: LeafRule,
  input: unknown,
  where: { readonly path: string; readonly problems: string[] },
): Leaf | undefined {
  let value: Leaf | undefined;
  switch (rule.kind) {
    case "number":
      if (
        typeof input === "number" && Number.isFinite(input) &&
        (rule.integer !== true || Number.isInteger(input)) &&
        (rule.min === undefined || input >= rule.min) &&
        (rule.gt === undefined || input > rule.gt) &&
        (rule.max === undefined || input <= rule.max)
      ) value = input;
      break;
    case "string": {
      const text = rule.acceptInteger === true && Number.isSafeInteger(input)
        ? String(input)
        : input;
      if (
        typeof text === "string" &&
        (rule.format === undefined ||
          (rule.allowEmpty === true && text === "") ||
          FORMATS[rule.format].test(text))
      ) value = text;
      break;
    }
    case "choice":
      if (typeof input === "string" && rule.values.includes(input)) {
        value = input;
      }
      break;
    case "boolean":
      if (typeof input === "boolean") value = input;
      break;
  }
  if (value === undefined) {
    where.problems.push(
      `${where.path}: ${ruleText(rule)}: current value is ${showValue(input)}`,
    );
  }
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1;
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + cost,
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

function unknownKeyProblem(
  path: string,
  key: string,
  known: readonly string[],
): string {
  const forbidden = FORBIDDEN_KEYS[path];
  if (forbidden !== undefined) return `${path}: ${forbidden}`;
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const candidate of known) {
    const distance = editDistance(key, candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best === undefined
    ? `${path}: unknown key`
    : `${path}: unknown key (did you mean '${best}'?)`;
}

function join(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

function resolveList(
  node: ListNode | GroupsNode,
  input: unknown,
  where: Where,
): Leaf[] | undefined {
  if (!Array.isArray(input)) {
    where.problems.push(
      `${where.path}: must be a list: current value is ${showValue(input)}`,
    );
    return undefined;
  }
  if (node.kind === "list") {
    if (node.length !== undefined && input.length !== node.length) {
      where.problems.push(
        `${where.path}: must have exactly ${node.length} items: current value has ${input.length}`,
      );
    }
    if (node.minLength !== undefined && input.length < node.minLength) {
      where.problems.push(
        `${where.path}: must have at least ${node.minLength} item${
          node.minLength === 1 ? "" : "s"
        }: current value has ${input.length}`,
      );
    }
  }
  return input.map((item, i) =>
    checkLeaf(node.item, item, {
      ...where,
      path: `${where.path}[${i}]`,
    }) as Leaf
  );
}

interface Where {
  readonly path: string;
  readonly problems: string[];
  /** Name of the document in a problem about the root itself. */
  readonly root: string;
}

function resolveNode(node: SchemaNode, input: unknown, where: Where): unknown {
  if (
    input === undefined && (node.kind === "leaf" || node.kind === "section") &&
    node.required === true
  ) {
    where.problems.push(`${where.path}: missing required key`);
    return node.kind === "leaf" ? node.default : {};
  }
  switch (node.kind) {
    case "leaf":
      if (input === undefined) return node.default;
      return checkLeaf(node.rule, input, where) ?? node.default;
    case "list":
      if (input === undefined) return [...node.default];
      return resolveList(node, input, where) ?? [...node.default];
    case "groups": {
      if (input === undefined) return copyGroups(node.default);
      if (!isRecord(input)) {
        where.problems.push(
          `${where.path}: must be a mapping of names to lists: current value is ${
            showValue(input)
          }`,
        );
        return copyGroups(node.default);
      }
      const out: Record<string, Leaf[]> = {};
      for (const [name, members] of Object.entries(input)) {
        const path = join(where.path, name);
        checkLeaf(node.key, name, { ...where, path });
        out[name] = resolveList(node, members, { ...where, path }) ?? [];
      }
      return out;
    }
    case "section":
      return resolveSection(node, input, where);
  }
}

function copyGroups(
  groups: { readonly [name: string]: readonly unknown[] },
): Record<string, unknown[]> {
  return Object.fromEntries(
    Object.entries(groups).map(([k, v]) => [k, [...v]]),
  );
}

function resolveSection(
  node: SectionNode,
  input: unknown,
  where: Where,
): Record<string, unknown> {
  const { root } = where;
  let { problems } = where;
  let given: Record<string, unknown> = {};
  if (isRecord(input)) given = input;
  else if (input !== undefined && input !== null) {
    problems.push(
      `${
        where.path === "" ? root : where.path
      }: must be a mapping: current value is ${showValue(input)}`,
    );
    problems = []; // the defaults fill in; missing required keys would only repeat the problem
  }
  const known = Object.keys(node.fields);
  for (const key of Object.keys(given)) {
    if (node.unknownKeys !== "drop" && !Object.hasOwn(node.fields, key)) {
      problems.push(unknownKeyProblem(join(where.path, key), key, known));
    }
  }
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(node.fields)) {
    const path = join(where.path, key);
    out[key] = resolveNode(child, given[key], { path, problems, root });
  }
  return out;
}

/**
 * Validates a document against any schema section (pass 1 only: shape and ranges) and fills
 * defaults. Used for the config and for preset files, so both follow the same rules.
 *
 * @param schema The root section.
 * @param input The parsed document (`undefined`/`null` means all defaults).
 * @param options `root`: the document's name in a problem about the root itself (default `config`).
 * @returns The resolved value (not frozen), or every problem with its key path.
 */
export function validateSchema<S extends SectionNode>(
  schema: S,
  input: unknown,
  options: { readonly root?: string } = {},
):
  | { readonly ok: true; readonly value: Infer<S> }
  | { readonly ok: false; readonly problems: readonly string[] } {
  const problems: string[] = [];
  const value = resolveSection(schema, input, {
    path: "",
    problems,
    root: options.root ?? "config",
  });
  return problems.length === 0
    ? { ok: true, value: value as Infer<S> }
    : { ok: false, problems };
}

function duplicates(values: readonly string[]): string[] {
  return values.filter((v, i) => values.indexOf(v) !== i)
    .filter((v, i, all) => all.indexOf(v) === i);
}

function crossFieldProblems(
  c: Config,
  options: ParseConfigOptions,
): string[] {
  const problems: string[] = [];
  const { ladder, portfolio, regimes, telegram } = c;
  if (
    ladder.tp_percents.some((p, i) => i > 0 && p <= ladder.tp_percents[i - 1]!)
  ) {
    problems.push(
      `ladder.tp_percents: must be strictly ascending: current value is ${
        showValue(ladder.tp_percents)
      }`,
    );
  }
  if (!(ladder.shares.reduce((a, b) => a + b, 0) > 0)) {
    problems.push(
      `ladder.shares: must have a sum greater than 0: current value is ${
        showValue(ladder.shares)
      }`,
    );
  }
  for (const key of ["pairs", "timeframes"] as const) {
    for (const value of duplicates(c[key])) {
      problems.push(
        `${key}: must not list an item twice: '${value}' is listed more than once`,
      );
    }
  }
  const sectorOfPair = new Map<string, string>();
  for (const [sector, members] of Object.entries(c.sectors)) {
    members.forEach((symbol, i) => {
      const path = `sectors.${sector}[${i}]`;
      const other = sectorOfPair.get(symbol);
      if (!c.pairs.includes(symbol)) {
        problems.push(
          `${path}: must be one of the pairs: current value is '${symbol}'`,
        );
      } else if (other !== undefined) {
        problems.push(
          `${path}: must not also be in sector '${other}': current value is '${symbol}'`,
        );
      } else sectorOfPair.set(symbol, sector);
    });
  }
  if (portfolio.max_per_sector > portfolio.max_positions) {
    problems.push(
      `portfolio.max_per_sector: must be at most portfolio.max_positions (${portfolio.max_positions}): current value is ${portfolio.max_per_sector}`,
    );
  }
  if (regimes.low_below >= regimes.high_above) {
    problems.push(
      `regimes.low_below: must be less than regimes.high_above (${regimes.high_above}): current value is ${regimes.low_below}`,
    );
  }
  const session = c.signals.filters.session;
  if (session.start === session.end) {
    problems.push(
      `signals.filters.session.end: must differ from signals.filters.session.start: current value is '${session.end}'`,
    );
  }
  if (
    options.mode === "live" && options.telegramTokenSet === true &&
    telegram.chat_id === ""
  ) {
    problems.push(
      "telegram.chat_id: must be set in live mode when VELAS_TELEGRAM_TOKEN is set: current value is ''",
    );
  }
  return problems;
}

/**
 * Freezes a value and everything it contains.
 *
 * @param value A plain-data value.
 * @returns The same value, frozen.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/**
 * Validates a configuration document and fills every default.
 *
 * Sections are merged key by key into the defaults; lists and `sectors` replace the default
 * value. When `sectors` is not given, the default sectors are restricted to the configured pairs.
 * Ladder shares are normalised to sum 100.
 *
 * @param input The parsed document (`undefined`/`null` means all defaults).
 * @param options The mode and whether a Telegram token is set.
 * @returns The frozen, fully resolved config.
 * @throws {ConfigError} Listing every problem with its key path.
 */
export function parseConfig(
  input: unknown,
  options: ParseConfigOptions = {},
): Config {
  const pass1 = validateSchema(CONFIG_SCHEMA, input);
  if (!pass1.ok) throw new ConfigError(pass1.problems);
  const config = pass1.value;
  const sectorsGiven = isRecord(input) && input.sectors !== undefined;
  const mutable = config as unknown as {
    sectors: Record<string, string[]>;
    ladder: { shares: number[] };
  };
  if (!sectorsGiven) {
    const kept = Object.entries(mutable.sectors)
      .map(([name, members]) =>
        [name, members.filter((s) => config.pairs.includes(s))] as const
      )
      .filter(([, members]) => members.length > 0);
    mutable.sectors = Object.fromEntries(kept);
  }
  const problems = crossFieldProblems(config, options);
  if (problems.length > 0) throw new ConfigError(problems);
  const shares = mutable.ladder.shares;
  const sum = shares.reduce((a, b) => a + b, 0);
  if (sum !== 100) mutable.ladder.shares = shares.map((s) => (s * 100) / sum);
  return deepFreeze(config);
}

/** The configuration with every default: `parseConfig({})`. */
export const DEFAULT_CONFIG: Config = parseConfig({});

/**
 * The sector of a symbol.
 *
 * @param config The config (its `sectors`).
 * @param symbol A symbol such as `BTCUSDT`.
 * @returns The sector name, or `UNKNOWN` when no sector lists the symbol.
 */
export function sectorOf(
  config: Pick<Config, "sectors">,
  symbol: string,
): string {
  for (const [name, members] of Object.entries(config.sectors)) {
    if (members.includes(symbol)) return name;
  }
  return "UNKNOWN";
}

const RESERVED = /^(?:true|false|null|yes|no|on|off|y|n|~)$/i;

function yamlScalar(value: Leaf): string {
  if (typeof value !== "string") return String(value);
  return /^[A-Za-z][A-Za-z0-9_.\/-]*$/.test(value) && !RESERVED.test(value)
    ? value
    : JSON.stringify(value);
}

function flowList(values: readonly Leaf[]): string {
  return `[${values.map(yamlScalar).join(", ")}]`;
}

function hint(node: SchemaNode): string {
  if (node.kind === "list" && node.length !== undefined) {
    return ` (${node.length} items)`;
  }
  if (node.kind !== "leaf") return "";
  const { rule } = node;
  if (rule.kind === "choice") return ` (${rule.values.join(" | ")})`;
  if (rule.kind === "number") return ` (${numberRuleText(rule, true)})`;
  return "";
}

function renderNode(
  key: string,
  node: SchemaNode,
  indent: string,
): string[] {
  const lines = [`${indent}# ${node.doc}${hint(node)}`];
  switch (node.kind) {
    case "leaf":
      lines.push(`${indent}${key}: ${yamlScalar(node.default)}`);
      break;
    case "list": {
      const flow = `${indent}${key}: ${flowList(node.default)}`;
      if (flow.length <= 100) lines.push(flow);
      else {
        lines.push(`${indent}${key}:`);
        for (const item of node.default) {
          lines.push(`${indent}  - ${yamlScalar(item)}`);
        }
      }
      break;
    }
    case "groups":
      lines.push(`${indent}${key}:`);
      for (const [name, members] of Object.entries(node.default)) {
        lines.push(`${indent}  ${yamlScalar(name)}: ${flowList(members)}`);
      }
      break;
    case "section":
      lines.push(`${indent}${key}:`);
      for (const [child, childNode] of Object.entries(node.fields)) {
        lines.push(...renderNode(child, childNode, `${indent}  `));
      }
      break;
  }
  return lines;
}

/**
 * Renders `config.example.yaml`: every key with its default and a one-line comment.
 *
 * @returns The YAML text, ending with a newline.
 */
export function renderConfigExample(): string {
  const lines = [
    "# VELAS configuration: every key with its default value.",
    "# Every key is optional: copy this file to config.yaml and keep only what you change.",
    "# Unknown keys are errors. Sections merge into the defaults; lists and sectors replace them.",
    "# The Telegram bot token is read only from the environment variable VELAS_TELEGRAM_TOKEN.",
  ];
  for (const [key, node] of Object.entries(CONFIG_SCHEMA.fields)) {
    lines.push("", ...renderNode(key, node, ""));
  }
  return `${lines.join("\n")}\n`;
}
