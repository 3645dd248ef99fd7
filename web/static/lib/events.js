/**
 * The `/events` stream: an EventSource that reports its state, hands over the `hello`
 * snapshot and every StatusEvent, and, when the server refuses it outright (EventSource then
 * stops retrying by itself), reconnects with a growing delay.
 *
 * @module
 */

const TYPES = [
  "signal",
  "fill",
  "trade",
  "health",
  "alert",
  "positions",
  "status",
];

function parse(event) {
  try {
    return JSON.parse(event.data);
  } catch {
    // deno-lint-ignore no-console -- the browser's console is this page's log
    console.warn("Ignoring an event whose data is not JSON", event.type);
    return null;
  }
}

/**
 * Opens the stream. `handlers`: `conn(state)`, `hello(status)`, `event(ev)`, `refused()`
 * (the stream closed for good), and `mayRetry()` (false while a token is missing).
 * Returns `{ ensure() }`, which reconnects when no stream is open.
 */
export function openEvents(handlers) {
  let source = null;
  let retryMs = 2_000;
  function connect() {
    if (source !== null) source.close();
    handlers.conn("connecting");
    const es = new EventSource("/events");
    source = es;
    es.addEventListener("open", () => {
      retryMs = 2_000;
      handlers.conn("live");
    });
    es.addEventListener("hello", (event) => {
      const status = parse(event);
      if (status !== null) handlers.hello(status);
      handlers.conn("live");
    });
    for (const type of TYPES) {
      es.addEventListener(type, (event) => {
        const ev = parse(event);
        if (ev !== null && typeof ev === "object") {
          handlers.event({ ...ev, type });
        }
      });
    }
    es.addEventListener("error", () => {
      if (es.readyState !== EventSource.CLOSED) {
        handlers.conn("connecting");
        return;
      }
      // Refused (a 401, or not an event stream): retry with backoff.
      handlers.conn("offline");
      es.close();
      if (source === es) source = null;
      handlers.refused();
      setTimeout(() => {
        if (source === null && handlers.mayRetry()) connect();
      }, retryMs);
      retryMs = Math.min(retryMs * 2, 60_000);
    });
  }
  connect();
  return {
    ensure() {
      if (source === null && handlers.mayRetry()) connect();
    },
  };
}
