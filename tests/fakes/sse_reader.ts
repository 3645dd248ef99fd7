/**
 * Reads a Server-Sent Events body frame by frame, for tests of `/events`: each frame's `event`,
 * `id`, joined `data` lines and comment lines (`: ping`).
 *
 * @module
 */

/** One frame (the lines up to a blank line). */
export interface SseFrame {
  readonly event: string | undefined;
  readonly id: string | undefined;
  /** The `data:` lines joined with line feeds; undefined when there is none. */
  readonly data: string | undefined;
  /** Comment lines without the leading `:` and one space. */
  readonly comments: readonly string[];
}

function parseFrame(text: string): SseFrame {
  let event: string | undefined;
  let id: string | undefined;
  const data: string[] = [];
  const comments: string[] = [];
  for (const line of text.split("\n")) {
    if (line.startsWith(":")) {
      comments.push(line.slice(1).replace(/^ /, ""));
      continue;
    }
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") event = value;
    else if (field === "id") id = value;
    else if (field === "data") data.push(value);
  }
  return {
    event,
    id,
    data: data.length === 0 ? undefined : data.join("\n"),
    comments,
  };
}

/** Pulls frames from an SSE body. */
export class SseReader {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #decoder = new TextDecoder();
  #buffer = "";

  constructor(body: ReadableStream<Uint8Array> | null) {
    if (body === null) {
      throw new TypeError(
        "Cannot read events as 'body' must be a stream: current value is null",
      );
    }
    this.#reader = body.getReader();
  }

  /**
   * The next frame.
   *
   * @returns The frame, or undefined when the stream ended.
   */
  async next(): Promise<SseFrame | undefined> {
    for (;;) {
      const end = this.#buffer.indexOf("\n\n");
      if (end >= 0) {
        const text = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 2);
        return parseFrame(text);
      }
      const { done, value } = await this.#reader.read();
      if (done) return undefined;
      this.#buffer += this.#decoder.decode(value, { stream: true });
    }
  }

  /**
   * The next frame that is an event (comments skipped).
   *
   * @returns The event frame; throws when the stream ends first.
   */
  async nextEvent(): Promise<SseFrame> {
    for (;;) {
      const frame = await this.next();
      if (frame === undefined) {
        throw new Error("Cannot read an event as the stream ended");
      }
      if (frame.event !== undefined || frame.data !== undefined) return frame;
    }
  }

  /** Cancels the body (the client goes away). */
  async cancel(): Promise<void> {
    await this.#reader.cancel();
  }
}

/**
 * Polls between macrotasks (no real waiting) until `check` holds.
 *
 * @param check The condition.
 * @param what What is awaited, for the timeout message.
 */
export async function eventually(
  check: () => boolean,
  what: string,
): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  throw new Error(`Timed out waiting for ${what}`);
}
