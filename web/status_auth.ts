/**
 * Token authentication of the status app. A request carries the token as
 * `Authorization: Bearer <token>` or in the `velas_token` cookie; a browser user opens
 * `/?token=<token>` once, which answers 303 to `/` and sets the cookie (HttpOnly, SameSite=Strict),
 * so the page and its EventSource work from then on. Tokens are compared as SHA-256 digests in
 * constant time. `/health` needs no token. Nothing here logs or echoes the token.
 *
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";

/** The cookie that carries the token. */
export const TOKEN_COOKIE = "velas_token";

/** Paths that answer without a token. */
const OPEN_PATHS = new Set(["/health"]);

const encoder = new TextEncoder();

async function digest(text: string): Promise<Uint8Array> {
  return new Uint8Array(
    await crypto.subtle.digest("SHA-256", encoder.encode(text)),
  );
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

/**
 * Compares two secrets in time independent of where they differ (and of their lengths: both
 * are hashed first).
 *
 * @param given The token the request carries.
 * @param expected The configured token.
 * @returns True when they are equal.
 */
export async function tokensEqual(
  given: string,
  expected: string,
): Promise<boolean> {
  const [a, b] = await Promise.all([digest(given), digest(expected)]);
  return sameBytes(a, b);
}

/** What a browser opening the page without the token sees (no data, only how to get in). */
const TOKEN_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>VELAS: token required</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body>
<h1>Token required</h1>
<p>This status page is served on a network address, so it needs the token set in
<code>VELAS_WEB_TOKEN</code>. Open <code>/?token=&lt;your token&gt;</code> once; the browser
then keeps it in a cookie.</p>
</body></html>
`;

function unauthorized(c: Context): Response {
  c.header("WWW-Authenticate", "Bearer");
  c.header("Cache-Control", "no-store");
  if (
    c.req.path === "/" && (c.req.header("Accept") ?? "").includes("text/html")
  ) {
    return c.html(TOKEN_PAGE, 401);
  }
  return c.json({ error: "unauthorized" }, 401);
}

function bearer(header: string | undefined): string | undefined {
  const match = header === undefined
    ? null
    : /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return match?.[1];
}

/**
 * A middleware that lets a request through only with the token (except on `/health`).
 *
 * @param token The configured token, non-empty.
 * @returns The middleware; it answers 401 `{error:"unauthorized"}` with
 * `WWW-Authenticate: Bearer` when the token is missing or wrong.
 */
export function tokenAuth(token: string): MiddlewareHandler {
  if (token === "") {
    throw new RangeError(
      "Cannot require a token as 'token' must be non-empty: current value is empty",
    );
  }
  const expected = digest(token);
  const matches = async (given: string | undefined) =>
    given !== undefined && sameBytes(await digest(given), await expected);

  return async (c, next) => {
    if (OPEN_PATHS.has(c.req.path)) return await next();
    const fromQuery = c.req.path === "/" && c.req.method === "GET"
      ? c.req.query("token")
      : undefined;
    if (fromQuery !== undefined) {
      if (!await matches(fromQuery)) return unauthorized(c);
      setCookie(c, TOKEN_COOKIE, token, {
        httpOnly: true,
        sameSite: "Strict",
        path: "/",
      });
      c.header("Cache-Control", "no-store");
      return c.redirect("/", 303);
    }
    if (
      await matches(bearer(c.req.header("Authorization"))) ||
      await matches(getCookie(c, TOKEN_COOKIE))
    ) {
      return await next();
    }
    return unauthorized(c);
  };
}
