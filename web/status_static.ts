/**
 * Files of the status page shell (`web/static`) and of backtest reports. A URL path is split
 * into segments and each is percent-decoded once; a segment that is empty, `.`, `..`, hidden
 * (starts with a dot) or holds a slash, backslash or NUL is refused, and the file's real path
 * (symbolic links resolved) must stay inside the directory. Anything refused or missing is
 * `undefined`, which the routes answer with 404.
 *
 * @module
 */
import { resolve, sep } from "node:path";

const TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".webmanifest": "application/manifest+json",
  ".json": "application/json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
};

/** A file read for a response. */
export interface StaticFile {
  readonly body: Uint8Array<ArrayBuffer>;
  readonly type: string;
}

/**
 * The `Content-Type` of a file name by its extension.
 *
 * @param name A file name or path.
 * @returns The type; `application/octet-stream` for an unknown extension.
 */
export function contentTypeFor(name: string): string {
  const dot = name.lastIndexOf(".");
  const ext = dot < 0 ? "" : name.slice(dot).toLowerCase();
  return TYPES[ext] ?? "application/octet-stream";
}

/**
 * Splits a raw (still percent-encoded) URL path into safe, decoded segments.
 *
 * @param rawPath The path after the route's prefix, e.g. `css/app.css`.
 * @returns The segments, or undefined when any is unsafe or badly encoded.
 */
export function safeSegments(rawPath: string): string[] | undefined {
  const segments: string[] = [];
  for (const raw of rawPath.split("/")) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (segment === "" || segment.startsWith(".") || /[/\\\0]/.test(segment)) {
      return undefined;
    }
    segments.push(segment);
  }
  return segments.length === 0 ? undefined : segments;
}

async function realPath(path: string): Promise<string | undefined> {
  try {
    return await Deno.realPath(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/**
 * Reads a file under a directory.
 *
 * @param dir The directory served.
 * @param segments Safe segments from {@link safeSegments}.
 * @returns The file and its type, or undefined when it is missing, not a regular file, or its
 * real path leaves the directory.
 */
export async function readStaticFile(
  dir: string,
  segments: readonly string[],
): Promise<StaticFile | undefined> {
  const root = await realPath(dir);
  if (root === undefined) return undefined;
  const path = await realPath(resolve(root, ...segments));
  if (path === undefined || !path.startsWith(root + sep)) return undefined;
  const info = await Deno.stat(path);
  if (!info.isFile) return undefined;
  return { body: await Deno.readFile(path), type: contentTypeFor(path) };
}
