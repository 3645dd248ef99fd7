/**
 * JSON requests to the status API with the page's same-origin cookie. A 401 becomes an
 * {@link AuthError} so the shell can show how to open the page with a token.
 *
 * @module
 */

/** The server wants a token (HTTP 401). */
export class AuthError extends Error {
  constructor(path) {
    super(`Token required for ${path}`);
    this.name = "AuthError";
  }
}

/** Query string of the defined, non-empty parameters (with the leading `?`, or ``). */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) {
    if (v === undefined || v === null || v === "") continue;
    q.set(k, String(v));
  }
  const text = q.toString();
  return text === "" ? "" : `?${text}`;
}

/** GETs `path` with `params` and returns the parsed JSON. */
export async function getJson(path, params) {
  const url = `${path}${query(params)}`;
  const res = await fetch(url, {
    credentials: "same-origin",
    headers: { accept: "application/json" },
    cache: "no-store",
  });
  if (res.status === 401) throw new AuthError(path);
  if (!res.ok) {
    throw new Error(`GET ${url} answered HTTP ${res.status}`);
  }
  return await res.json();
}
