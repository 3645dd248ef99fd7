/**
 * The WebSocket side of the replay exchange, written on the raw socket (RFC 6455) so faults can
 * be exact: abrupt drops without a close frame, truncated text frames, server pings on the replay
 * clock. Clients connect to `/market/stream?streams=a/b/...` (at most `streamLimit` streams) and
 * may send `SUBSCRIBE`, `UNSUBSCRIBE` and `LIST_SUBSCRIPTIONS` requests as on Binance. Frames are
 * queued and written in one batch per `flush()`, which waits while the socket's buffer is full.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const encoder = new TextEncoder();

/**
 * An unmasked server frame.
 *
 * @param opcode 1 text, 8 close, 9 ping, 10 pong.
 * @param payload The payload bytes.
 * @returns The frame bytes.
 */
export function serverFrame(opcode: number, payload: Uint8Array): Uint8Array {
  const n = payload.length;
  const head = n < 126 ? 2 : n < 65536 ? 4 : 10;
  const frame = new Uint8Array(head + n);
  frame[0] = 0x80 | opcode;
  if (n < 126) frame[1] = n;
  else if (n < 65536) {
    frame[1] = 126;
    frame[2] = n >>> 8;
    frame[3] = n & 0xff;
  } else {
    frame[1] = 127;
    new DataView(frame.buffer).setBigUint64(2, BigInt(n));
  }
  frame.set(payload, head);
  return frame;
}

/**
 * A text frame.
 *
 * @param text The message.
 * @returns The frame bytes.
 */
export function textFrame(text: string): Uint8Array {
  return serverFrame(1, encoder.encode(text));
}

/** Options of `WsConnection`. */
export interface WsConnectionOptions {
  readonly streams: readonly string[];
  readonly streamLimit: number;
  /** Replay time at which the connection opened. */
  readonly openedAt: number;
  /** Bytes read past the handshake. */
  readonly head: Buffer;
  readonly onPong: () => void;
  readonly onClosed: (connection: WsConnection) => void;
}

/** One client connection. */
export class WsConnection {
  readonly streams: Set<string>;
  readonly openedAt: number;
  /** Replay time until which this connection sends nothing. */
  stalledUntil = Number.NEGATIVE_INFINITY;
  /** Replay time of the next ping. */
  nextPingAt: number;
  /** The unanswered ping: replay and wall time it was sent. */
  pendingPing:
    | { readonly replayAt: number; readonly wallAt: number }
    | undefined;
  /** A frame held back by the out-of-order fault. */
  held: Uint8Array | undefined;
  readonly #socket: Socket;
  readonly #options: WsConnectionOptions;
  #queue: Uint8Array[] = [];
  #input: Buffer = Buffer.alloc(0);
  #fragments: Buffer[] = [];
  #closed = false;

  constructor(socket: Socket, options: WsConnectionOptions) {
    this.#socket = socket;
    this.#options = options;
    this.streams = new Set(options.streams);
    this.openedAt = options.openedAt;
    this.nextPingAt = options.openedAt;
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.#read(chunk));
    socket.on("error", () => this.destroy());
    socket.on("close", () => this.#finish());
    if (options.head.length > 0) this.#read(options.head);
  }

  /** True once closed or dropped. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Queues a frame for the next flush.
   *
   * @param frame Frame bytes.
   */
  queue(frame: Uint8Array): void {
    if (!this.#closed) this.#queue.push(frame);
  }

  /**
   * Writes the queued frames; resolves once the socket accepts more (or is gone).
   *
   * @returns A promise for the write.
   */
  flush(): Promise<void> {
    if (this.#closed || this.#queue.length === 0) return Promise.resolve();
    const bytes = Buffer.concat(this.#queue);
    this.#queue = [];
    if (this.#socket.write(bytes)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.#socket.off("drain", done);
        this.#socket.off("close", done);
        resolve();
      };
      this.#socket.on("drain", done);
      this.#socket.on("close", done);
    });
  }

  /**
   * Sends a close frame and ends the connection.
   *
   * @param code Close code.
   * @param reason Close reason.
   */
  close(code: number, reason: string): void {
    if (this.#closed) return;
    const text = encoder.encode(reason);
    const payload = new Uint8Array(2 + text.length);
    payload[0] = code >>> 8;
    payload[1] = code & 0xff;
    payload.set(text, 2);
    this.#queue.push(serverFrame(8, payload));
    void this.flush();
    this.#socket.end();
    this.#finish();
  }

  /** Cuts the TCP connection without a close frame. */
  destroy(): void {
    this.#socket.destroy();
    this.#finish();
  }

  #finish(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue = [];
    this.held = undefined;
    this.#options.onClosed(this);
  }

  #read(chunk: Buffer): void {
    this.#input = this.#input.length === 0
      ? chunk
      : Buffer.concat([this.#input, chunk]);
    for (;;) {
      const input = this.#input;
      if (input.length < 2) return;
      const fin = (input[0]! & 0x80) !== 0, opcode = input[0]! & 0x0f;
      const masked = (input[1]! & 0x80) !== 0;
      let length = input[1]! & 0x7f, offset = 2;
      if (length === 126) {
        if (input.length < 4) return;
        length = input.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (input.length < 10) return;
        length = Number(input.readBigUInt64BE(2));
        offset = 10;
      }
      if (!masked) return this.close(1002, "client frames must be masked");
      if (input.length < offset + 4 + length) return;
      const mask = input.subarray(offset, offset + 4);
      const payload = Buffer.from(
        input.subarray(offset + 4, offset + 4 + length),
      );
      for (let i = 0; i < length; i++) payload[i]! ^= mask[i & 3]!;
      this.#input = input.subarray(offset + 4 + length);
      this.#frame(opcode, fin, payload);
      if (this.#closed) return;
    }
  }

  #frame(opcode: number, fin: boolean, payload: Buffer): void {
    if (opcode === 0x9) {
      this.queue(serverFrame(0xa, payload));
      void this.flush();
    } else if (opcode === 0xa) {
      this.pendingPing = undefined;
      this.#options.onPong();
    } else if (opcode === 0x8) {
      this.close(1000, "");
    } else if (opcode === 0x1 || opcode === 0x0) {
      this.#fragments.push(payload);
      if (!fin) return;
      const text = Buffer.concat(this.#fragments).toString("utf8");
      this.#fragments = [];
      this.#request(text);
    }
  }

  #request(text: string): void {
    let message: { method?: unknown; params?: unknown; id?: unknown };
    try {
      message = JSON.parse(text);
    } catch {
      message = {};
    }
    const id = message.id ?? null;
    const params = Array.isArray(message.params)
      ? message.params.filter((p): p is string => typeof p === "string")
      : [];
    let reply: unknown;
    if (message.method === "SUBSCRIBE") {
      const next = new Set([...this.streams, ...params]);
      if (next.size > this.#options.streamLimit) {
        reply = {
          error: {
            code: 4,
            msg: `Too many streams (limit ${this.#options.streamLimit})`,
          },
          id,
        };
      } else {
        for (const p of params) this.streams.add(p);
        reply = { result: null, id };
      }
    } else if (message.method === "UNSUBSCRIBE") {
      for (const p of params) this.streams.delete(p);
      reply = { result: null, id };
    } else if (message.method === "LIST_SUBSCRIPTIONS") {
      reply = { result: [...this.streams], id };
    } else {
      reply = { error: { code: 2, msg: "Invalid request" }, id };
    }
    this.queue(textFrame(JSON.stringify(reply)));
    void this.flush();
  }
}

/**
 * Answers a WebSocket upgrade request: the handshake, or an HTTP error for a wrong path, a
 * missing key or too many streams.
 *
 * @param request The upgrade request.
 * @param socket Its socket.
 * @param streamLimit Most streams per connection.
 * @returns The requested streams, or undefined when the request was refused.
 */
export function acceptUpgrade(
  request: IncomingMessage,
  socket: Socket,
  streamLimit: number,
): string[] | undefined {
  const url = new URL(request.url ?? "/", "http://replay");
  const key = request.headers["sec-websocket-key"];
  const streams = (url.searchParams.get("streams") ?? "").split("/").filter((
    s,
  ) => s !== "");
  const refuse = (status: string, body: string) => {
    socket.end(
      `HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`,
    );
    return undefined;
  };
  if (url.pathname !== "/market/stream") {
    return refuse("404 Not Found", `{"code":-1000,"msg":"Unknown path."}`);
  }
  if (typeof key !== "string") {
    return refuse("400 Bad Request", `{"code":-1000,"msg":"Missing key."}`);
  }
  if (streams.length > streamLimit) {
    return refuse(
      "400 Bad Request",
      `{"code":-1000,"msg":"Too many streams (limit ${streamLimit})."}`,
    );
  }
  const accept = createHash("sha1").update(key + GUID).digest("base64");
  socket.write(
    `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
  );
  return streams;
}
