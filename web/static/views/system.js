/**
 * System: the daemon's actors and their states, the WebSocket connections, recent events,
 * memory, candle-to-commit latency and the database; reloads every 15 s while shown.
 *
 * @module
 */
import { card, h, replace, table } from "../lib/dom.js";
import { bytes, duration, int } from "../lib/format.js";
import { loadInto } from "../lib/kit.js";
import { badge } from "../lib/parts.js";

const STATE_KIND = {
  running: "ok",
  open: "ok",
  starting: "warn",
  connecting: "warn",
  restarting: "warn",
  degraded: "bad",
  failed: "bad",
  closed: "bad",
  stopped: "",
};

function fact(label, value) {
  return h("div", null, h("dt", null, label), h("dd", null, value));
}

function draw(sys, ctx) {
  const st = ctx.state.status;
  const fmt = ctx.fmt;
  const ms = (v) => (v === null ? "—" : `${int(v)} ms`);
  return h(
    "div",
    { class: "view-stack" },
    card(
      "Daemon",
      h(
        "dl",
        { class: "facts" },
        st ? fact("Mode", `${st.mode} (version ${st.version})`) : null,
        st ? fact("Started", fmt.dateTimeSec(st.startedAt)) : null,
        st ? fact("Uptime", duration(st.uptimeMs)) : null,
        fact("Memory (RSS)", bytes(sys.memory.rssBytes)),
        fact("Heap used", bytes(sys.memory.heapUsedBytes)),
        fact("Latency p50", ms(sys.latency.p50Ms)),
        fact("Latency p99", ms(sys.latency.p99Ms)),
        fact("Latency samples", int(sys.latency.samples)),
        fact("Database", h("span", { class: "mono" }, sys.database.path)),
        fact("Database size", bytes(sys.database.sizeBytes)),
        st ? fact("Candles received", int(st.stream.candles)) : null,
        st ? fact("WS reconnects", int(st.stream.reconnects)) : null,
        st ? fact("Stored candles", int(st.counts.candles)) : null,
        st ? fact("Unsent messages", int(st.counts.unsent)) : null,
      ),
      h(
        "p",
        { class: "detail" },
        "Prometheus figures: ",
        h("a", { href: "/metrics" }, "/metrics"),
      ),
    ),
    h(
      "div",
      { class: "grid-2" },
      card(
        "Actors",
        table(
          [{ label: "Actor" }, { label: "State" }],
          sys.actors.map((a) =>
            h(
              "tr",
              null,
              h("th", { scope: "row" }, a.name),
              h("td", null, badge(a.state, STATE_KIND[a.state])),
            )
          ),
          { label: "Actors", empty: "No actors" },
        ),
      ),
      card(
        "WebSocket connections",
        table(
          [{ label: "Id", num: true }, { label: "Streams", num: true }, {
            label: "State",
          }, { label: "Opened" }],
          sys.connections.map((c) =>
            h(
              "tr",
              null,
              h("td", { class: "num" }, String(c.id)),
              h("td", { class: "num" }, int(c.streams)),
              h("td", null, badge(c.state, STATE_KIND[c.state])),
              h(
                "td",
                null,
                c.openedAt === null ? "—" : fmt.dateTimeSec(c.openedAt),
              ),
            )
          ),
          { label: "WebSocket connections", empty: "No connections" },
        ),
      ),
    ),
    card(
      "Recent events",
      table(
        [{ label: "Time" }, { label: "Level" }, { label: "Kind" }, {
          label: "Message",
        }],
        sys.events.map((e) =>
          h(
            "tr",
            null,
            h("td", null, fmt.dateTimeSec(e.time)),
            h(
              "td",
              null,
              badge(
                e.level,
                e.level === "error" ? "bad" : e.level === "warn" ? "warn" : "",
              ),
            ),
            h("td", null, e.kind),
            h("td", { class: "wrap" }, e.message),
          )
        ),
        { label: "Recent events", empty: "No events" },
      ),
    ),
  );
}

/** Mounts the system view. */
export function mount(root, ctx) {
  const box = h("div");
  replace(root, h("h1", null, "System"), box);
  const reload = loadInto(
    box,
    () => ctx.get("/api/system"),
    (sys) => draw(sys, ctx),
  );
  const timer = setInterval(reload, 15_000);
  ctx.onLeave(() => clearInterval(timer));
}
