/**
 * Secret redaction for log lines and error messages (the Telegram bot token): one place, used
 * by the daemon's log and by the Telegram adapters, and free of grammY so the daemon can load it
 * without loading Telegram.
 *
 * @module
 */

/**
 * Replaces a secret (plain and URL-encoded) in a text with `[token]`.
 *
 * @param text Any text.
 * @param token The secret; an empty one changes nothing.
 * @returns The text without the secret.
 */
export function redactToken(text: string, token: string): string {
  if (token === "") return text;
  let out = text;
  for (const form of new Set([token, encodeURIComponent(token)])) {
    out = out.split(form).join("[token]");
  }
  return out;
}
