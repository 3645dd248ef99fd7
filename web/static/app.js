/**
 * The VELAS status page shell: theme, header, hash routing between the views, the shared state
 * (status, open positions, recent signals, equity) kept current by the `/events` stream with a
 * slow fallback poll, the token message on HTTP 401 and the service worker registration.
 *
 * @module
 */
import { AuthError, getJson } from "./lib/api.js";
import { h, replace } from "./lib/dom.js";
import { timeFormat } from "./lib/format.js";
import { openEvents } from "./lib/events.js";
import { initTheme, renderConn, renderHeader, tick } from "./lib/header.js";
import * as overview from "./views/overview.js";
import * as positions from "./views/positions.js";
import * as history from "./views/history.js";
import * as signals from "./views/signals.js";
import * as pairs from "./views/pairs.js";
import * as analytics from "./views/analytics.js";
import * as backtests from "./views/backtests.js";
import * as settings from "./views/settings.js";
import * as alerts from "./views/alerts.js";
import * as system from "./views/system.js";

const VIEWS = [
  { id: "overview", title: "Overview", view: overview },
  { id: "positions", title: "Positions", view: positions },
  { id: "history", title: "History", view: history },
  { id: "signals", title: "Signals", view: signals },
  { id: "pairs", title: "Pairs", view: pairs },
  { id: "analytics", title: "Analytics", view: analytics },
  { id: "backtests", title: "Backtests", view: backtests },
  { id: "settings", title: "Settings", view: settings },
  { id: "alerts", title: "Alerts", view: alerts },
  { id: "system", title: "System", view: system },
];
const RECENT_SIGNALS = 10;
const POLL_MS = 30_000;

const state = {
  status: null,
  statusAt: 0,
  positions: null,
  signals: null,
  equity: null,
  conn: "connecting",
  auth: false,
  liveIds: new Set(),
  zone: "UTC",
  fmt: timeFormat("UTC"),
};

// --- a tiny event bus; views listen through their context and are unsubscribed on leave

const listeners = new Map();
function emit(name, payload) {
  for (const fn of [...(listeners.get(name) ?? [])]) {
    try {
      fn(payload);
    } catch (error) {
      showError(error);
    }
  }
}
function on(name, fn) {
  if (!listeners.has(name)) listeners.set(name, new Set());
  listeners.get(name).add(fn);
  return () => listeners.get(name).delete(fn);
}

// --- banner: token required or a failed request

const banner = () => document.getElementById("banner");

/** When the last 401 came: only a request sent after it proves the token works again. */
let authFailedAt = -Infinity;

function showAuth() {
  authFailedAt = performance.now();
  if (state.auth) return;
  state.auth = true;
  const el = banner();
  replace(
    el,
    h("strong", null, "Token required: "),
    "open ",
    h("code", null, "/?token=…"),
    " with the daemon's status token (VELAS_WEB_TOKEN).",
  );
  el.className = "banner auth";
  el.hidden = false;
  setConn("offline");
}

function showError(error) {
  if (error instanceof AuthError) {
    showAuth();
    return;
  }
  if (state.auth) return;
  const el = banner();
  replace(
    el,
    h("strong", null, "Cannot load data: "),
    String(error?.message ?? error),
  );
  el.className = "banner error";
  el.hidden = false;
}

function clearError() {
  const el = banner();
  if (!state.auth && el.classList.contains("error")) el.hidden = true;
}

/** `getJson` that reports a 401 to the shell. */
async function get(path, params) {
  const sent = performance.now();
  try {
    const value = await getJson(path, params);
    if (state.auth && sent > authFailedAt) {
      state.auth = false;
      banner().hidden = true;
    }
    return value;
  } catch (error) {
    if (error instanceof AuthError) showAuth();
    throw error;
  }
}

// --- shared data

const loaders = {
  status: () => get("/api/status"),
  positions: () => get("/api/positions"),
  signals: () =>
    get("/api/signals", { limit: RECENT_SIGNALS }).then((p) => p.rows),
  equity: () => get("/api/equity"),
};

/** When an event last replaced shared data directly (newer than a fetch begun before it). */
const pushedAt = { status: -Infinity, series: -Infinity, positions: -Infinity };
/** Signals that came as events, with when: a fetch begun before one does not have it yet. */
let pushedSignals = [];

/** `list` with `extra` signals added: newest first, as /api/signals orders them, each once. */
function withSignals(list, extra) {
  const ids = new Set(extra.map((s) => s.id));
  return [...extra, ...(list ?? []).filter((s) => !ids.has(s.id))]
    .sort((a, b) => b.time - a.time || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
    .slice(0, RECENT_SIGNALS);
}

async function refresh(keys) {
  const started = performance.now();
  const results = await Promise.allSettled(keys.map((k) => loaders[k]()));
  let failed = null;
  results.forEach((r, i) => {
    const key = keys[i];
    if (r.status === "rejected") {
      failed = r.reason;
      return;
    }
    if (key === "signals") {
      const late = pushedSignals.filter((p) => p.at > started);
      state.signals = withSignals(r.value, late.map((p) => p.signal));
      emit("signals");
      return;
    }
    if (key === "positions" && pushedAt.positions > started) return;
    if (key === "status" && pushedAt.status > started) return;
    if (key === "status") {
      // A health event that came while this request was out is newer than its series.
      const status = pushedAt.series > started && state.status
        ? {
          ...r.value,
          series: state.status.series,
          healthy: state.status.healthy,
        }
        : r.value;
      setStatus(status);
      return;
    }
    state[key] = r.value;
    emit(key);
  });
  if (failed !== null) showError(failed);
  else clearError();
}

let pending = new Set();
let pendingTimer = 0;
/** Refreshes the given shared data soon, merging requests that come close together. */
function schedule(...keys) {
  for (const k of keys) pending.add(k);
  if (pendingTimer !== 0) return;
  pendingTimer = setTimeout(() => {
    const keys = [...pending];
    pending = new Set();
    pendingTimer = 0;
    refresh(keys);
  }, 150);
}

let routed = false;

function setStatus(status) {
  state.status = status;
  state.statusAt = performance.now();
  // (An unknown zone falls back to UTC, so compare with the zone asked for.)
  const zoneChanged = state.zone !== status.displayTimeZone;
  if (zoneChanged) {
    state.zone = status.displayTimeZone;
    state.fmt = timeFormat(status.displayTimeZone);
  }
  renderHeader(state);
  // A view drawn before the zone was known redraws in it.
  if (zoneChanged && routed) route(false);
  else emit("status");
}

// --- live updates

function setConn(conn) {
  state.conn = conn;
  renderConn(conn);
}

function handle(ev) {
  switch (ev.type) {
    case "signal": {
      const sig = ev.signal;
      state.liveIds.add(sig.id);
      const now = performance.now();
      pushedSignals = [
        ...pushedSignals.filter((p) => p.at > now - 60_000),
        { at: now, signal: sig },
      ].slice(-RECENT_SIGNALS);
      state.signals = withSignals(state.signals, [sig]);
      emit("signals");
      schedule("status");
      break;
    }
    case "fill":
      schedule("status", "positions");
      break;
    case "trade":
      schedule("status", "positions", "equity");
      break;
    case "health":
      pushedAt.series = performance.now();
      if (state.status) {
        state.status = {
          ...state.status,
          series: ev.series,
          healthy: ev.series.every((x) => x.freshness === "fresh"),
        };
        renderHeader(state);
        emit("status");
      }
      // A candle closed somewhere: last prices (and trailing stops) may have moved.
      schedule("positions");
      break;
    case "alert":
      schedule("status");
      break;
    case "status":
      // The daemon's figures after its last steps (sent at most once a second).
      pushedAt.status = performance.now();
      setStatus(ev.status);
      break;
    case "positions":
      // Marks, stops and fills as of the daemon's last step.
      pushedAt.positions = performance.now();
      state.positions = ev.positions;
      emit("positions");
      schedule("status");
      break;
  }
  emit("event", ev);
}

// --- routing

let leave = [];

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, "");
  const [path, qs] = raw.split("?");
  const entry = VIEWS.find((v) => v.id === (path || "overview")) ?? VIEWS[0];
  return { entry, params: Object.fromEntries(new URLSearchParams(qs ?? "")) };
}

/** `#/history?symbol=BTCUSDT`: the hash of a view with parameters. */
function href(id, params = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  }
  const qs = q.toString();
  return `#/${id === "overview" ? "" : id}${qs ? `?${qs}` : ""}`;
}

function route(focus) {
  routed = true;
  for (const off of leave) off();
  leave = [];
  const { entry, params } = parseHash();
  document.title = `${entry.title} · VELAS`;
  for (const a of document.querySelectorAll("nav.views a")) {
    if (a.dataset.view === entry.id) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  const main = document.getElementById("main");
  const root = h("div", {
    class: `view view-${entry.id}`,
    "data-view": entry.id,
  });
  replace(main, root);
  const ctx = {
    state,
    params,
    get fmt() {
      return state.fmt;
    },
    get,
    href,
    go: (id, p) => {
      location.hash = href(id, p);
    },
    listen: (name, fn) => leave.push(on(name, fn)),
    onLeave: (fn) => leave.push(fn),
    showError,
  };
  try {
    entry.view.mount(root, ctx);
  } catch (error) {
    showError(error);
  }
  if (focus) main.focus({ preventScroll: true });
}

function renderNav() {
  const nav = document.querySelector("nav.views ul");
  replace(
    nav,
    VIEWS.map((v) =>
      h("li", null, h("a", { href: href(v.id), "data-view": v.id }, v.title))
    ),
  );
}

// --- start

function start() {
  initTheme();
  renderNav();
  addEventListener("hashchange", () => route(true));
  // The first view waits for the status (its time zone), whatever the answer.
  refresh(["status", "positions", "signals", "equity"]).finally(() => {
    if (!routed) route(false);
  });
  const events = openEvents({
    conn: setConn,
    hello: (status) => {
      setStatus(status);
      // Whatever happened while disconnected: reload the shared data.
      schedule("positions", "signals", "equity");
    },
    event: handle,
    refused: () => schedule("status"),
    mayRetry: () => !state.auth,
  });
  setInterval(() => tick(state), 1000);
  setInterval(() => {
    schedule(
      ...(state.conn === "live"
        ? ["status", "positions"]
        : ["status", "positions", "signals"]),
    );
    events.ensure();
  }, POLL_MS);
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js").catch((error) => {
      // deno-lint-ignore no-console -- the browser's console is this page's log
      console.warn("Service worker not registered", error);
    });
  }
}

start();
