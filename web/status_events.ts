/**
 * The Server-Sent Events stream of `/events`: a `hello` event with the status snapshot, then
 * every {@link StatusEvent} of the source as `event: <type>` with its JSON, each with an `id:`
 * sequence number, and a `: ping` comment every heartbeat. The subscription and the heartbeat
 * end when the client goes away (the body is cancelled or the request's signal aborts); a
 * client that stops reading is dropped once its queue is full, instead of buffering without
 * bound (EventSource reconnects by itself).
 *
 * @module
 */
import type {
  StatusEvent,
  StatusSnapshot,
  StatusSource,
} from "./status_types.ts";

/** Default heartbeat period, ms. */
export const DEFAULT_HEARTBEAT_MS = 15_000;

/** Frames a slow client may have queued before it is dropped. */
export const MAX_QUEUED_FRAMES = 1024;

/** One log line of the stream. */
export type EventStreamLog = (line: {
  readonly level: "info" | "warn" | "error";
  readonly msg: string;
  readonly [field: string]: unknown;
}) => void;

/** Options of {@link statusEventStream}. */
export interface EventStreamOptions {
  /** The `: ping` comment period, ms. */
  readonly heartbeatMs: number;
  /** Aborts when the client disconnects (the request's signal). */
  readonly signal: AbortSignal;
  readonly log: EventStreamLog;
  /** Frames a client may have queued before it is dropped (default {@link MAX_QUEUED_FRAMES}). */
  readonly maxQueued?: number;
}

/**
 * Formats one SSE frame.
 *
 * @param event The event name (no line breaks).
 * @param options The data (serialised as one line of JSON) and the sequence number.
 * @returns `event: …\nid: …\ndata: …\n\n`.
 */
export function sseFrame(
  event: string,
  options: { readonly data: unknown; readonly id: number },
): string {
  if (/[\r\n]/.test(event)) {
    throw new RangeError(
      `Cannot write an SSE frame as 'event' must be one line: current value is ${
        JSON.stringify(event)
      }`,
    );
  }
  return `event: ${event}\nid: ${options.id}\ndata: ${
    JSON.stringify(options.data)
  }\n\n`;
}

/**
 * Opens the event stream of one client. It subscribes first and then reads the snapshot for
 * `hello`, so an event emitted meanwhile is sent right after `hello` instead of being lost. A
 * failing snapshot unsubscribes and throws here (and the route answers 500).
 *
 * @param source The status source.
 * @param options Heartbeat, disconnect signal and log.
 * @returns The response body.
 */
export async function statusEventStream(
  source: StatusSource,
  options: EventStreamOptions,
): Promise<ReadableStream<Uint8Array>> {
  const early: StatusEvent[] = [];
  let deliver: (event: StatusEvent) => void = (event) => early.push(event);
  const off = source.subscribe((event) => deliver(event));
  let hello: StatusSnapshot;
  try {
    hello = await source.status();
  } catch (error) {
    off();
    throw error;
  }
  const encoder = new TextEncoder();
  const maxQueued = options.maxQueued ?? MAX_QUEUED_FRAMES;
  const { signal, log } = options;
  let seq = 0;
  let open = true;
  const cleanups: (() => void)[] = [off];
  const stop = () => {
    if (!open) return;
    open = false;
    for (const cleanup of cleanups.splice(0)) cleanup();
  };

  return new ReadableStream<Uint8Array>({
    start(controller) {
      cleanups.push(() => {
        try {
          controller.close();
        } catch {
          // Already cancelled by the client.
        }
      });
      const send = (text: string) => {
        if (!open) return;
        if ((controller.desiredSize ?? 0) <= 0) {
          log({
            level: "warn",
            msg: "status events client dropped: it does not read",
            queued: maxQueued,
          });
          return stop();
        }
        controller.enqueue(encoder.encode(text));
      };
      const sendEvent = (event: StatusEvent) =>
        send(sseFrame(event.type, { data: event, id: ++seq }));
      send(sseFrame("hello", { data: hello, id: ++seq }));
      for (const event of early.splice(0)) sendEvent(event);
      deliver = sendEvent;
      if (!open) return;
      const timer = setInterval(() => send(": ping\n\n"), options.heartbeatMs);
      cleanups.unshift(() => clearInterval(timer));
      if (signal.aborted) return stop();
      signal.addEventListener("abort", stop, { once: true });
      cleanups.unshift(() => signal.removeEventListener("abort", stop));
    },
    cancel() {
      stop();
    },
  }, new CountQueuingStrategy({ highWaterMark: maxQueued }));
}
