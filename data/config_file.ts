/**
 * Reads the optional `config.yaml`: a given path must exist; without one, `config.yaml` in the
 * working directory is used when it exists, else every default. Unreadable files and invalid YAML
 * throw a TypeError naming the file; schema problems throw the `ConfigError` of `parseConfig`.
 *
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse } from "yaml";
import { type Config, type ConfigMode, parseConfig } from "../core/config.ts";

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split(
    "\n",
  )[0] ?? "";
}

/**
 * Loads and validates the config file.
 *
 * @param given The `--config` value, if any.
 * @param options Working directory, the mode (for mode-dependent rules) and whether a Telegram
 *   token is set.
 * @returns The resolved config and where it came from (a path or `defaults`).
 */
export function loadConfigFile(
  given: string | undefined,
  options: {
    readonly cwd: string;
    readonly mode: ConfigMode;
    readonly telegramTokenSet?: boolean;
  },
): { config: Config; source: string } {
  const path = resolve(options.cwd, given ?? "config.yaml");
  if (given === undefined && !existsSync(path)) {
    // The defaults still go through the mode's rules (a token without a chat id is an error).
    return {
      config: parseConfig({}, {
        mode: options.mode,
        telegramTokenSet: options.telegramTokenSet ?? false,
      }),
      source: "defaults",
    };
  }
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new TypeError(
      `Cannot load config '${path}' as it cannot be read: ${firstLine(error)}`,
    );
  }
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new TypeError(
      `Cannot load config '${path}' as it is not valid YAML: ${
        firstLine(error)
      }`,
    );
  }
  return {
    config: parseConfig(document, {
      mode: options.mode,
      telegramTokenSet: options.telegramTokenSet ?? false,
    }),
    source: path,
  };
}
