/**
 * A small Chrome DevTools Protocol driver for tests that use a page, not just look at it.
 * {@linkcode launchBrowser} starts headless Chromium (`CHROMIUM` from `chromium.ts`) with a fresh
 * temporary profile and `--remote-debugging-port=0`, reads the DevTools WebSocket address from
 * its stderr and connects with Deno's `WebSocket`. {@linkcode Browser.newPage} opens a page
 * target on the same socket (flattened sessions); a {@linkcode Page} navigates and waits for
 * `load`, evaluates expressions (promises awaited, values returned as JSON), polls a condition
 * with a timeout, emulates a viewport or colour scheme, saves PNG screenshots and records every
 * console error, uncaught exception and error log entry in {@linkcode Page.problems}.
 * {@linkcode Browser.close} always ends the browser (politely, then SIGKILL) and removes the
 * profile.
 *
 * @module
 */
import { CHROMIUM } from "./chromium.ts";

/** Options of {@linkcode launchBrowser}. */
export interface LaunchOptions {
  /** Window size (default 1280×900). */
  readonly width?: number;
  readonly height?: number;
  /** Wait at most this long for the DevTools address (default 30 000 ms). */
  readonly timeoutMs?: number;
}

/** A console error, uncaught exception or error log entry of a page. */
export interface PageProblem {
  readonly kind: "console" | "exception" | "log";
  readonly text: string;
}

/** Options of {@linkcode Page.waitFor}. */
export interface WaitOptions {
  /** Default 10 000 ms. */
  readonly timeoutMs?: number;
  /** Default 50 ms. */
  readonly intervalMs?: number;
  /** What is awaited, for the timeout message (default: the expression). */
  readonly what?: string;
}

/** A DevTools target as `Target.getTargets` lists it. */
export interface TargetInfo {
  readonly targetId: string;
  /** `page`, `iframe`, `service_worker`, `browser_ui`, ... */
  readonly type: string;
  readonly url: string;
  readonly title: string;
}

type Params = Record<string, unknown>;
type Listener = (method: string, params: Params) => void;
interface Pending {
  resolve(value: Params): void;
  reject(error: Error): void;
  method: string;
}

const DEVTOOLS = /DevTools listening on (ws:\/\/\S+)/;

/** A DevTools connection to one browser: commands by id, events by session. */
class Connection {
  #socket: WebSocket;
  #nextId = 1;
  #pending = new Map<number, Pending>();
  #listeners = new Map<string, Set<Listener>>();

  constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.onmessage = (event) => this.#receive(String(event.data));
    socket.onclose = () => this.#failAll("the DevTools socket closed");
  }

  send(method: string, params: Params = {}, sessionId = ""): Promise<Params> {
    const id = this.#nextId++;
    const message: Params = { id, method, params };
    if (sessionId !== "") message.sessionId = sessionId;
    return new Promise((resolve, reject) => {
      if (this.#socket.readyState !== WebSocket.OPEN) {
        reject(new Error(`Cannot send '${method}' as the socket is closed`));
        return;
      }
      this.#pending.set(id, { resolve, reject, method });
      this.#socket.send(JSON.stringify(message));
    });
  }

  on(sessionId: string, listener: Listener): () => void {
    const set = this.#listeners.get(sessionId) ?? new Set();
    set.add(listener);
    this.#listeners.set(sessionId, set);
    return () => set.delete(listener);
  }

  async close(): Promise<void> {
    if (this.#socket.readyState === WebSocket.CLOSED) return;
    const closed = new Promise((resolve) => {
      this.#socket.addEventListener("close", resolve, { once: true });
    });
    this.#socket.close();
    await closed;
  }

  #receive(text: string): void {
    const message = JSON.parse(text);
    if (typeof message.id === "number") {
      const pending = this.#pending.get(message.id);
      if (pending === undefined) return;
      this.#pending.delete(message.id);
      if (message.error !== undefined) {
        pending.reject(
          new Error(`CDP ${pending.method} failed: ${message.error.message}`),
        );
      } else pending.resolve(message.result ?? {});
      return;
    }
    for (const listener of this.#listeners.get(message.sessionId ?? "") ?? []) {
      listener(message.method, message.params ?? {});
    }
  }

  #failAll(reason: string): void {
    for (const pending of this.#pending.values()) {
      pending.reject(new Error(`CDP ${pending.method} failed: ${reason}`));
    }
    this.#pending.clear();
  }
}

/** A headless Chromium with its DevTools connection; close it in a `finally`. */
export class Browser {
  #child: Deno.ChildProcess;
  #connection: Connection;
  #profile: string;
  #drained: Promise<void>;
  #closed = false;

  constructor(
    parts: {
      child: Deno.ChildProcess;
      connection: Connection;
      profile: string;
      drained: Promise<void>;
    },
  ) {
    this.#child = parts.child;
    this.#connection = parts.connection;
    this.#profile = parts.profile;
    this.#drained = parts.drained;
  }

  /** Opens a blank page target with console capture on. */
  async newPage(): Promise<Page> {
    const { targetId } = await this.#connection.send("Target.createTarget", {
      url: "about:blank",
    });
    const { sessionId } = await this.#connection.send("Target.attachToTarget", {
      targetId,
      flatten: true,
    });
    const page = new Page(this.#connection, String(sessionId));
    await page.send("Page.enable");
    await page.send("Runtime.enable");
    await page.send("Log.enable");
    return page;
  }

  /** Every target (pages, frames in their own process, workers) with its type and URL. */
  async targets(): Promise<TargetInfo[]> {
    const { targetInfos } = await this.#connection.send("Target.getTargets");
    return targetInfos as TargetInfo[];
  }

  /** Attaches to an existing target, e.g. an out-of-process `iframe`, as a {@linkcode Page}. */
  async attach(targetId: string): Promise<Page> {
    const { sessionId } = await this.#connection.send("Target.attachToTarget", {
      targetId,
      flatten: true,
    });
    const page = new Page(this.#connection, String(sessionId));
    await page.send("Runtime.enable");
    return page;
  }

  /** Ends the browser (Browser.close, then SIGKILL after 5 s) and removes the profile. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await Promise.race([
        this.#connection.send("Browser.close").catch(() => undefined),
        new Promise((resolve) => setTimeout(resolve, 2_000)),
      ]);
      await this.#connection.close();
    } finally {
      await stopChild(this.#child);
      await this.#drained;
      await Deno.remove(this.#profile, { recursive: true }).catch(() => {});
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** One page target of a {@linkcode Browser}. */
export class Page {
  #connection: Connection;
  #sessionId: string;
  #problems: PageProblem[] = [];

  constructor(connection: Connection, sessionId: string) {
    this.#connection = connection;
    this.#sessionId = sessionId;
    connection.on(sessionId, (method, params) => this.#record(method, params));
  }

  /** Console errors, uncaught exceptions and error log entries, oldest first. */
  get problems(): readonly PageProblem[] {
    return this.#problems;
  }

  /** Forgets the recorded problems. */
  clearProblems(): void {
    this.#problems = [];
  }

  /** Sends a raw CDP command to this page. */
  send(method: string, params: Params = {}): Promise<Params> {
    return this.#connection.send(method, params, this.#sessionId);
  }

  /** Navigates and waits for the `load` event (default timeout 15 000 ms). */
  async navigate(url: string, timeoutMs = 15_000): Promise<void> {
    const loaded = this.#nextEvent("Page.loadEventFired", timeoutMs);
    const result = await this.send("Page.navigate", { url });
    if (typeof result.errorText === "string" && result.errorText !== "") {
      loaded.cancel();
      throw new Error(`Cannot navigate to '${url}': ${result.errorText}`);
    }
    await loaded.promise;
  }

  /** Evaluates `expression` in the page, awaits a promise result and returns it as JSON. */
  async evaluate<T = unknown>(expression: string): Promise<T> {
    const result = await this.send("Runtime.evaluate", {
      expression,
      awaitPromise: true,
      returnByValue: true,
    });
    const details = result.exceptionDetails as
      | { text: string; exception?: { description?: string } }
      | undefined;
    if (details !== undefined) {
      throw new Error(
        `Cannot evaluate '${expression.slice(0, 120)}': ${
          details.exception?.description ?? details.text
        }`,
      );
    }
    return (result.result as { value?: T }).value as T;
  }

  /** Polls `expression` until it is truthy and returns that value; throws on timeout. */
  async waitFor<T = unknown>(
    expression: string,
    options: WaitOptions = {},
  ): Promise<T> {
    const { timeoutMs = 10_000, intervalMs = 50, what = expression } = options;
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    while (true) {
      last = await this.evaluate(expression);
      if (last) return last as T;
      if (Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
    const problems = this.#problems.map((p) => `${p.kind}: ${p.text}`);
    throw new Error(
      `Timed out after ${timeoutMs} ms waiting for ${what}: last value ${
        JSON.stringify(last)
      }${
        problems.length > 0 ? `; page problems:\n${problems.join("\n")}` : ""
      }`,
    );
  }

  /** Sets the viewport in CSS pixels; `mobile` also emulates touch-style viewport rules. */
  async setViewport(
    width: number,
    height: number,
    options: { mobile?: boolean; scale?: number } = {},
  ): Promise<void> {
    await this.send("Emulation.setDeviceMetricsOverride", {
      width,
      height,
      deviceScaleFactor: options.scale ?? 1,
      mobile: options.mobile ?? false,
    });
  }

  /** Emulates `prefers-color-scheme`. */
  async emulateColorScheme(scheme: "dark" | "light"): Promise<void> {
    await this.send("Emulation.setEmulatedMedia", {
      features: [{ name: "prefers-color-scheme", value: scheme }],
    });
  }

  /** Saves a PNG of the viewport, or of the whole page with `fullPage`. */
  async screenshot(
    path: string,
    options: { fullPage?: boolean } = {},
  ): Promise<void> {
    const params: Params = { format: "png" };
    if (options.fullPage === true) {
      const metrics = await this.send("Page.getLayoutMetrics");
      const size = metrics.cssContentSize as { width: number; height: number };
      params.captureBeyondViewport = true;
      params.clip = {
        x: 0,
        y: 0,
        width: Math.ceil(size.width),
        height: Math.min(Math.ceil(size.height), 8_000),
        scale: 1,
      };
    }
    const { data } = await this.send("Page.captureScreenshot", params);
    const binary = atob(String(data));
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    await Deno.writeFile(path, bytes);
  }

  #nextEvent(
    method: string,
    timeoutMs: number,
  ): { promise: Promise<void>; cancel(): void } {
    let off = () => {};
    let timer: ReturnType<typeof setTimeout> | undefined;
    const promise = new Promise<void>((resolve, reject) => {
      off = this.#connection.on(this.#sessionId, (name) => {
        if (name !== method) return;
        off();
        clearTimeout(timer);
        resolve();
      });
      timer = setTimeout(() => {
        off();
        reject(
          new Error(`Timed out after ${timeoutMs} ms waiting for ${method}`),
        );
      }, timeoutMs);
    });
    return {
      promise,
      cancel: () => {
        off();
        clearTimeout(timer);
        promise.catch(() => {});
      },
    };
  }

  #record(method: string, params: Params): void {
    if (method === "Runtime.consoleAPICalled" && params.type === "error") {
      const args = (params.args ?? []) as {
        value?: unknown;
        description?: string;
      }[];
      const text = args.map((a) => a.description ?? String(a.value)).join(" ");
      this.#problems.push({ kind: "console", text });
    } else if (method === "Runtime.exceptionThrown") {
      const details = params.exceptionDetails as {
        text: string;
        exception?: { description?: string };
      };
      this.#problems.push({
        kind: "exception",
        text: details.exception?.description ?? details.text,
      });
    } else if (method === "Log.entryAdded") {
      const entry = params.entry as {
        level: string;
        text: string;
        url?: string;
      };
      if (entry.level === "error") {
        const url = entry.url === undefined ? "" : ` (${entry.url})`;
        this.#problems.push({ kind: "log", text: `${entry.text}${url}` });
      }
    }
  }
}

async function stopChild(child: Deno.ChildProcess): Promise<void> {
  const exited = child.status.then(() => true);
  const timer = new Promise<boolean>((resolve) =>
    setTimeout(() => resolve(false), 5_000)
  );
  const done = await Promise.race([exited, timer]);
  if (!done) {
    try {
      child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
    await child.status;
  }
}

/** Reads stderr to the end, resolving `address` with the DevTools URL once it appears. */
function drainStderr(
  stream: ReadableStream<Uint8Array>,
  onAddress: (url: string) => void,
  tail: string[],
): Promise<void> {
  return (async () => {
    let text = "";
    let found = false;
    for await (
      const chunk of stream.pipeThrough(new TextDecoderStream())
    ) {
      if (found) continue;
      text += chunk;
      const match = DEVTOOLS.exec(text);
      if (match?.[1] !== undefined) {
        found = true;
        onAddress(match[1]);
      }
      tail.splice(0, tail.length, ...text.split("\n").slice(-8));
    }
  })();
}

/**
 * Starts headless Chromium with a temporary profile and connects to its DevTools socket.
 *
 * @param options Window size and start-up timeout.
 * @returns The browser; call {@linkcode Browser.close} in a `finally`.
 * @throws {Error} When Chromium is absent, exits or prints no DevTools address in time.
 */
export async function launchBrowser(
  options: LaunchOptions = {},
): Promise<Browser> {
  if (CHROMIUM === undefined) throw new Error("Chromium is absent");
  const { width = 1280, height = 900, timeoutMs = 30_000 } = options;
  const profile = await Deno.makeTempDir({ prefix: "velas_cdp_" });
  const child = new Deno.Command(CHROMIUM, {
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--no-default-browser-check",
      "--no-proxy-server",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-extensions",
      "--disable-dev-shm-usage",
      "--hide-scrollbars",
      "--mute-audio",
      "--remote-debugging-port=0",
      `--user-data-dir=${profile}`,
      `--window-size=${width},${height}`,
      "about:blank",
    ],
    env: { HOME: profile },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const tail: string[] = [];
  let onAddress = (_url: string) => {};
  const address = new Promise<string>((resolve) => (onAddress = resolve));
  const drained = drainStderr(child.stderr, (url) => onAddress(url), tail);
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const url = await Promise.race([
      address,
      child.status.then((s) => {
        throw new Error(`chromium exited with ${s.code}`);
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no DevTools address after ${timeoutMs} ms`)),
          timeoutMs,
        );
      }),
    ]);
    clearTimeout(timer);
    const socket = new WebSocket(url);
    await new Promise((resolve, reject) => {
      socket.onopen = resolve;
      socket.onerror = () => reject(new Error(`cannot connect to ${url}`));
    });
    return new Browser({
      child,
      connection: new Connection(socket),
      profile,
      drained,
    });
  } catch (error) {
    clearTimeout(timer);
    try {
      child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
    await child.status;
    await drained;
    await Deno.remove(profile, { recursive: true }).catch(() => {});
    throw new Error(
      `Cannot start chromium with a DevTools port: ${
        (error as Error).message
      }\n${tail.join("\n")}`,
      { cause: error },
    );
  }
}
