/**
 * Parses and validates the VELAS configuration against {@link CONFIG_SCHEMA}: pass 1 checks shape
 * and ranges and fills defaults, pass 2 (only when pass 1 is clean) checks cross-field rules.
 * Every problem is collected with its key path and reported in one {@link ConfigError}. The
 * result is a frozen, fully resolved {@link Config}. {@link renderConfigExample} writes the
 * commented example file from the same schema.
 *
 * @module
 */
import { CONFIG_SCHEMA, FORBIDDEN_KEYS } from "./config_schema.ts";
import type { Infer } from "./schema.ts";
import { renderSchemaYaml } from "./schema_render.ts";
import { showValue } from "./schema_rules.ts";
import { deepFreeze, isRecord, validateSchema } from "./schema_validate.ts";

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
  const pass1 = validateSchema(CONFIG_SCHEMA, input, {
    forbiddenKeys: FORBIDDEN_KEYS,
  });
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
 * Renders `config.example.yaml`: every key with its default and a one-line comment.
 *
 * @returns The YAML text, ending with a newline.
 */
export function renderConfigExample(): string {
  return renderSchemaYaml(CONFIG_SCHEMA, [
    "# VELAS configuration: every key with its default value.",
    "# Every key is optional: copy this file to config.yaml and keep only what you change.",
    "# Unknown keys are errors. Sections merge into the defaults; lists and sectors replace them.",
    "# The Telegram bot token is read only from the environment variable VELAS_TELEGRAM_TOKEN.",
  ]);
}
