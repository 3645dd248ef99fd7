/**
 * Overview: the health strip, the key figures, open positions, recent signals (new ones arrive
 * live) and the equity and drawdown charts. Everything comes from the shell's shared state.
 *
 * @module
 */
import { card, h, replace } from "../lib/dom.js";
import { timeChart } from "../lib/charts.js";
import { ago, int, num, pct, signedPct, tone } from "../lib/format.js";
import {
  healthStrip,
  meter,
  positionsTable,
  signalsTable,
} from "../lib/parts.js";

function kpi(label, value, ...sub) {
  return h(
    "div",
    { class: "kpi", role: "group", "aria-label": label },
    h("div", { class: "kpi-label" }, label),
    h("div", { class: "kpi-value" }, value),
    ...sub,
  );
}

function kpis(status) {
  const p = status.portfolio;
  const t = status.telegram;
  const change = p.initialEquity > 0
    ? (p.equity / p.initialEquity - 1) * 100
    : null;
  const sectors = p.sectors.filter((x) => x.open > 0);
  return [
    kpi(
      "Equity (USDT)",
      h(
        "span",
        { "data-field": "equity", "data-value": String(p.equity) },
        num(p.equity, 2),
      ),
      h(
        "div",
        { class: `kpi-sub ${tone(change)}` },
        `${signedPct(change)} since start (${num(p.initialEquity, 2)})`,
      ),
    ),
    kpi(
      "Drawdown",
      h("span", {
        "data-field": "drawdownPct",
        "data-value": String(p.drawdownPct),
      }, pct(p.drawdownPct)),
      h("div", { class: "kpi-sub" }, "below the equity peak"),
    ),
    kpi(
      "Open positions",
      `${int(p.openPositions)} / ${int(p.maxPositions)}`,
      h("div", { class: "kpi-sub" }, `max ${int(p.maxPositions)}`),
      meter(p.openPositions, p.maxPositions, "Open positions of the maximum"),
    ),
    kpi(
      "Heat",
      pct(p.heatPct),
      h(
        "div",
        { class: "kpi-sub" },
        `risk to the stops; max ${pct(p.maxHeatPct)}`,
      ),
      meter(p.heatPct, p.maxHeatPct, "Portfolio heat of the maximum"),
    ),
    kpi(
      "Sectors in use",
      sectors.length === 0 ? "none" : String(sectors.length),
      h(
        "div",
        { class: "chips" },
        sectors.map((x) =>
          h("span", {
            class: `chip${x.open >= x.max ? " full" : ""}`,
            title: `${x.sector}: ${x.open} of ${x.max}`,
          }, `${x.sector} ${x.open}/${x.max}`)
        ),
      ),
    ),
    kpi(
      "Telegram",
      t.enabled ? `${int(t.queued)} queued` : "off",
      h(
        "div",
        { class: "kpi-sub" },
        `${int(t.sent)} sent · ${int(t.failed)} failed`,
      ),
      t.lastError === null ? null : h(
        "div",
        { class: "kpi-sub bad clamp", title: t.lastError },
        `Last error ${ago(status.now, t.lastErrorAt)}: ${t.lastError}`,
      ),
    ),
    kpi(
      "New positions",
      p.paused ? h("span", { class: "warn-text" }, "Paused") : "Open",
      h(
        "div",
        { class: "kpi-sub" },
        p.paused
          ? "after /pause: no new positions"
          : "signals may open positions",
      ),
    ),
    kpi(
      "Totals",
      `${int(status.counts.signals)} signals`,
      h(
        "div",
        { class: "kpi-sub" },
        `${int(status.counts.trades)} trades · ${
          int(status.counts.candles)
        } candles`,
      ),
    ),
  ];
}

/** Draws the equity and drawdown charts of an {@link EquityView} into two boxes. */
export function equityCharts(equity, fmt, boxes) {
  const points = equity?.points ?? [];
  timeChart(boxes.equity, points.map((p) => ({ t: p.time, v: p.equity })), {
    label: "Equity per day, USDT",
    height: 200,
    formatY: (v) => num(v, Math.abs(v) >= 1000 ? 0 : 2),
    formatX: (t) => fmt.date(t),
    formatTip: (p) => `${fmt.date(p.t)}  ${num(p.v, 2)} USDT`,
  });
  timeChart(
    boxes.drawdown,
    points.map((p) => ({ t: p.time, v: -p.drawdownPct })),
    {
      label: "Drawdown below the running peak, percent",
      height: 130,
      area: true,
      zero: true,
      tone: "neg",
      formatY: (v) => `${num(v, 1)}%`,
      formatX: (t) => fmt.date(t),
      formatTip: (p) => `${fmt.date(p.t)}  ${pct(-p.v)} drawdown`,
    },
  );
}

/** Mounts the overview into `root`. */
export function mount(root, ctx) {
  const strip = h(
    "div",
    { "aria-live": "off" },
    h("p", { class: "loading" }, "Loading…"),
  );
  const figures = h("div", { class: "kpis" });
  const positions = h("div", null, h("p", { class: "loading" }, "Loading…"));
  const signals = h("div", null, h("p", { class: "loading" }, "Loading…"));
  const boxes = {
    equity: h("div", { class: "chart-box" }),
    drawdown: h("div", { class: "chart-box" }),
  };
  replace(
    root,
    h("h1", { class: "sr-only" }, "Overview"),
    card("Series health", strip),
    h("section", { class: "kpis-wrap", "aria-label": "Key figures" }, figures),
    h(
      "div",
      { class: "grid-2" },
      card("Open positions", positions),
      card("Recent signals", signals),
    ),
    card("Equity", boxes.equity, h("h3", null, "Drawdown"), boxes.drawdown),
  );
  const drawStatus = () => {
    const st = ctx.state.status;
    if (!st) return;
    replace(strip, healthStrip(st.series, ctx.fmt, st.now));
    replace(figures, ...kpis(st));
  };
  const drawPositions = () => {
    if (ctx.state.positions) {
      replace(positions, positionsTable(ctx.state.positions));
    }
  };
  const drawSignals = () => {
    if (ctx.state.signals) {
      replace(
        signals,
        signalsTable(ctx.state.signals, ctx.fmt, {
          label: "Recent signals",
          fresh: ctx.state.liveIds,
        }),
      );
    }
  };
  const drawEquity = () => {
    if (ctx.state.equity) equityCharts(ctx.state.equity, ctx.fmt, boxes);
  };
  ctx.listen("status", drawStatus);
  ctx.listen("positions", drawPositions);
  ctx.listen("signals", drawSignals);
  ctx.listen("equity", drawEquity);
  drawStatus();
  drawPositions();
  drawSignals();
  drawEquity();
}
