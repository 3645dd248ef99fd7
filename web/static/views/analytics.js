/**
 * Analytics: equity and drawdown, compounded monthly returns, closed trades per pair and the
 * correlation heat-map of daily returns, all as computed by the daemon (`/api/analytics`).
 *
 * @module
 */
import { card, h, numCell, replace, table } from "../lib/dom.js";
import { barChart } from "../lib/charts.js";
import { int, num, pct, signedMoney, signedPct, tone } from "../lib/format.js";
import { loadInto } from "../lib/kit.js";
import { base } from "../lib/parts.js";
import { equityCharts } from "./overview.js";

function perPair(rows) {
  return table(
    [
      { label: "Symbol" },
      { label: "Trades", num: true },
      { label: "Win rate", num: true },
      { label: "PnL (USDT)", num: true },
      { label: "Profit factor", num: true },
    ],
    rows.map((r) =>
      h(
        "tr",
        null,
        h("th", { scope: "row" }, r.symbol),
        numCell("trades", r.trades, int(r.trades)),
        numCell("winRatePct", r.winRatePct, pct(r.winRatePct)),
        numCell("pnlQuote", r.pnlQuote, signedMoney(r.pnlQuote), {
          class: tone(r.pnlQuote),
        }),
        r.profitFactor === null
          ? h("td", { class: "num", title: "No losing trade" }, "no loss")
          : numCell("profitFactor", r.profitFactor, num(r.profitFactor, 2)),
      )
    ),
    { label: "Closed trades per pair", empty: "No closed trades yet" },
  );
}

function heatCell(v, a, b) {
  if (v === null || v === undefined) {
    return h("td", { title: `${a} / ${b}: fewer than 20 common days` }, "—");
  }
  // At most 55 % of the colour, so the text colour keeps its contrast in both themes.
  const strength = Math.round(Math.min(1, Math.abs(v)) * 55);
  const colour = v >= 0 ? "var(--heat-pos)" : "var(--heat-neg)";
  return h(
    "td",
    {
      title: `${a} / ${b}: ${num(v, 2)}`,
      "data-value": String(v),
      style: {
        background:
          `color-mix(in srgb, ${colour} ${strength}%, var(--surface-2))`,
      },
    },
    num(v, 2),
  );
}

function heatMap(corr) {
  if (corr.symbols.length === 0) {
    return h("p", { class: "empty" }, "No candles stored yet");
  }
  const head = h(
    "tr",
    null,
    h("th", { scope: "col" }, h("span", { class: "sr-only" }, "Symbol")),
    corr.symbols.map((sym) => h("th", { scope: "col", title: sym }, base(sym))),
  );
  const rows = corr.symbols.map((a, i) =>
    h(
      "tr",
      null,
      h("th", { scope: "row", title: a }, base(a)),
      corr.symbols.map((b, j) => heatCell(corr.matrix[i]?.[j] ?? null, a, b)),
    )
  );
  const about = `Pearson correlation of daily close-to-close returns over ${
    int(corr.days)
  } common days`;
  return h(
    "div",
    null,
    h("p", { class: "detail" }, about),
    h(
      "div",
      {
        class: "table-wrap",
        tabindex: "0",
        role: "region",
        "aria-label": "Correlation heat-map",
      },
      h(
        "table",
        { class: "heat" },
        h("caption", { class: "sr-only" }, about),
        h("thead", null, head),
        h("tbody", null, rows),
      ),
    ),
    h(
      "div",
      { class: "heat-legend" },
      "−1",
      h("span", { class: "ramp" }),
      "+1",
    ),
  );
}

/** Mounts the analytics view. */
export function mount(root, ctx) {
  const boxes = {
    equity: h("div", { class: "chart-box" }),
    drawdown: h("div", { class: "chart-box" }),
  };
  const curve = h(
    "div",
    null,
    boxes.equity,
    h("h3", null, "Drawdown"),
    boxes.drawdown,
  );
  const monthly = h("div", { class: "chart-box" });
  const pairs = h("div");
  const corr = h("div");
  replace(
    root,
    h("h1", null, "Analytics"),
    card("Equity", curve),
    card("Monthly returns", monthly),
    h(
      "div",
      { class: "grid-2" },
      card("Per pair", pairs),
      card("Correlation", corr),
    ),
  );
  const drawCurve = () => {
    if (ctx.state.equity) equityCharts(ctx.state.equity, ctx.fmt, boxes);
  };
  ctx.listen("equity", drawCurve);
  drawCurve();
  if (!ctx.state.equity) {
    replace(boxes.equity, h("p", { class: "loading" }, "Loading…"));
  }
  loadInto(pairs, () => ctx.get("/api/analytics"), (a) => {
    barChart(
      monthly,
      a.monthly.map((m) => ({ label: m.month, value: m.returnPct })),
      {
        label: "Compounded return per calendar month, percent",
        formatY: (v) => signedPct(v).replace(" %", "%"),
      },
    );
    replace(corr, heatMap(a.correlation));
    return perPair(a.perPair);
  });
}
