/**
 * Preset files on disk: one YAML file per series and regime (`{SYMBOL}_{tf}_{regime}.yaml`, spec
 * §5.2), validated by `core/preset.ts`, written atomically, each with a content hash of its
 * trading-relevant fields.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { basename, join } from "node:path";
import { parse, stringify } from "yaml";
import {
  type PresetFile,
  presetFileName,
  presetHashInput,
  presetId,
  validatePreset,
} from "../core/preset.ts";

/** A preset read from disk. */
export interface LoadedPreset {
  readonly preset: PresetFile;
  /** `{SYMBOL}_{tf}_{regime}`. */
  readonly id: string;
  /** {@link presetContentHash} of the preset. */
  readonly hash: string;
  /** The file it came from. */
  readonly path: string;
}

/** The presets of a directory, and the files that could not be loaded. */
export interface LoadedPresetDir {
  readonly presets: readonly LoadedPreset[];
  readonly failed: readonly { readonly path: string; readonly error: Error }[];
}

/**
 * The content-hash id of a preset: the first 16 hex digits of the SHA-256 of its canonical
 * trading-relevant fields. Optimizer metadata, sector, notes and `is_active` do not change it.
 *
 * @param preset The preset.
 * @returns 16 lowercase hex digits.
 */
export function presetContentHash(preset: PresetFile): string {
  return createHash("sha256").update(presetHashInput(preset)).digest("hex")
    .slice(0, 16);
}

/**
 * The YAML text of a preset file: keys in the order of spec §5.2, block style.
 *
 * @param preset The preset.
 * @returns The YAML text, ending with a newline.
 */
export function renderPresetYaml(preset: PresetFile): string {
  const fileName = presetFileName(preset);
  const valid = validatePreset(preset, fileName);
  return stringify(valid, { lineWidth: 0, indentSeq: false });
}

function reason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (text.split("\n")[0] ?? text).replace(/:$/, "");
}

/**
 * Reads and validates one preset file. Its name must be its id plus `.yaml`.
 *
 * @param path The file.
 * @returns The preset, its id and its content hash.
 * @throws {Error} When the file cannot be read (the cause is kept).
 * @throws {SyntaxError} When it is not valid YAML.
 * @throws {TypeError} Listing every problem when the content is not a valid preset, or when the
 *   file name does not match the content.
 */
export async function loadPresetFile(path: string): Promise<LoadedPreset> {
  const name = basename(path);
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new Error(
      `Cannot load preset '${name}' as it cannot be read: ${reason(error)}`,
      { cause: error },
    );
  }
  let document: unknown;
  try {
    document = parse(text, { prettyErrors: true });
  } catch (error) {
    throw new SyntaxError(
      `Cannot load preset '${name}' as it is not valid YAML: ${reason(error)}`,
      { cause: error },
    );
  }
  const preset = validatePreset(document, name);
  const expected = presetFileName(preset);
  if (name !== expected) {
    throw new TypeError(
      `Cannot load preset '${name}' as its file name must be '${expected}' for its content`,
    );
  }
  return {
    preset,
    id: presetId(preset),
    hash: presetContentHash(preset),
    path,
  };
}

/**
 * Writes one preset file atomically (a temporary file in the same directory, then a rename),
 * creating the directory when needed.
 *
 * @param dir The presets directory.
 * @param preset The preset; it is validated before anything is written.
 * @returns The written file's path, the preset's id and its content hash.
 */
export async function savePresetFile(
  dir: string,
  preset: PresetFile,
): Promise<
  { readonly path: string; readonly id: string; readonly hash: string }
> {
  const text = renderPresetYaml(preset);
  const name = presetFileName(preset);
  await Deno.mkdir(dir, { recursive: true });
  const path = join(dir, name);
  const temp = join(dir, `.${name}.${crypto.randomUUID()}.tmp`);
  try {
    await Deno.writeTextFile(temp, text);
    await Deno.rename(temp, path);
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
  return { path, id: presetId(preset), hash: presetContentHash(preset) };
}

/**
 * The preset files of a directory (`*.yaml`, hidden files skipped), sorted by name.
 *
 * @param dir The presets directory.
 * @returns Their paths; empty when the directory does not exist.
 */
export async function listPresetFiles(dir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (
        entry.isFile && entry.name.endsWith(".yaml") &&
        !entry.name.startsWith(".")
      ) names.push(entry.name);
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  return names.sort().map((name) => join(dir, name));
}

/**
 * Loads every preset file of a directory. A file that cannot be loaded does not stop the others;
 * it is listed in `failed` with its error.
 *
 * @param dir The presets directory.
 * @returns The loaded presets (sorted by file name) and the failures.
 */
export async function loadPresetDir(dir: string): Promise<LoadedPresetDir> {
  const presets: LoadedPreset[] = [];
  const failed: { path: string; error: Error }[] = [];
  for (const path of await listPresetFiles(dir)) {
    try {
      presets.push(await loadPresetFile(path));
    } catch (error) {
      failed.push({
        path,
        error: error instanceof Error ? error : new Error(String(error)),
      });
    }
  }
  return { presets, failed };
}
