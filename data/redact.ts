/**
 * Secret redaction for log lines and error messages (the Telegram bot token): one place, used
 * by the daemon's log and by the Telegram adapters, and free of grammY so the daemon can load it
 * without loading Telegram.
 *
 * @module
 */

/**
 * Replaces a secret (plain and URL-encoded) in a text with `mark`.
 *
 * @param text Any text.
 * @param token The secret; an empty one changes nothing.
 * @param mark What stands in its place (default `[token]`).
 * @returns The text without the secret.
 */
export function redactToken(
  text: string,
  token: string,
  mark = "[token]",
): string {
  if (token === "") return text;
  let out = text;
  for (const form of new Set([token, encodeURIComponent(token)])) {
    out = out.split(form).join(mark);
  }
  return out;
}

/**
 * Replaces every one of several secrets in a text with `mark`.
 *
 * @param text Any text.
 * @param secrets The secrets (empty ones are ignored).
 * @param mark What stands in their place (default `[token]`).
 * @returns The text without them.
 */
export function redactSecrets(
  text: string,
  secrets: readonly string[],
  mark = "[token]",
): string {
  return secrets.reduce((out, s) => redactToken(out, s, mark), text);
}
