/**
 * How VELAS's grammY bots connect to the Bot API: one connection per request (see
 * {@link freshConnections}).
 *
 * @module
 */
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";

/**
 * grammY's fetch options for a new connection per request. Over a kept-alive connection that
 * drops after Telegram took a message, the HTTP client sends the request again by itself
 * (measured under Deno with grammY's npm build: a duplicate message and no error); without reuse
 * the drop is an error, which the notifier actor checks before any resend.
 *
 * @param apiRoot The Bot API root (default Telegram's, https).
 * @returns The `client.baseFetchConfig` to pass to grammY's `Bot`.
 */
export function freshConnections(
  apiRoot = "https://api.telegram.org",
): { readonly agent: HttpAgent } {
  return {
    agent: apiRoot.startsWith("http:")
      ? new HttpAgent({ keepAlive: false })
      : new HttpsAgent({ keepAlive: false }),
  };
}
