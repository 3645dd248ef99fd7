/**
 * History: closed trades with filters (symbol, timeframe, side, exit reason, exit date range in
 * the display zone), pages of 50, each trade's fills on demand, and a CSV export of the same
 * filters. Filters and page live in the hash, so a filtered view can be linked.
 *
 * @module
 */
import { card, h, numCell, replace, table } from "../lib/dom.js";
import { num, price, signedMoney, signedPct, tone } from "../lib/format.js";
import { query } from "../lib/api.js";
import {
  filterForm,
  input,
  loadInto,
  pager,
  select,
  seriesChoices,
  throttle,
} from "../lib/kit.js";
import { sideBadge } from "../lib/parts.js";
import { fillsTable } from "./positions.js";

const LIMIT = 50;
const REASONS = [
  "tp6",
  "tp",
  "stop",
  "breakeven",
  "trailing-stop",
  "signal",
  "end-of-data",
  "manual",
];

function apiFilters(params, fmt) {
  const from = params.from ? fmt.startOfDay(params.from) : undefined;
  const toStart = params.to ? fmt.startOfDay(params.to) : undefined;
  // `to` is the last day shown, inclusive: the API's `to` is exclusive, so send the next day.
  const to = toStart === undefined
    ? undefined
    : fmt.startOfDay(nextDay(params.to)) ?? toStart + 86_400_000;
  return {
    symbol: params.symbol,
    timeframe: params.timeframe,
    side: params.side,
    reason: params.reason,
    from,
    to,
  };
}

function nextDay(text) {
  const d = new Date(`${text}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

function tradeRows(t, fmt, ctx) {
  const detail = h(
    "tr",
    { class: "fills-row", hidden: true },
    h("td", { colspan: 14 }),
  );
  const button = h("button", {
    type: "button",
    "aria-expanded": "false",
    "aria-label": `Fills of ${t.id}`,
  }, "Fills");
  button.addEventListener("click", async () => {
    const open = button.getAttribute("aria-expanded") === "true";
    button.setAttribute("aria-expanded", String(!open));
    detail.hidden = open;
    if (open) return;
    const cell = detail.firstChild;
    replace(cell, h("p", { class: "loading" }, "Loading…"));
    try {
      const fills = await ctx.get(
        `/api/trades/${encodeURIComponent(t.id)}/fills`,
      );
      replace(cell, fillsTable(fills, fmt, `Fills of ${t.id}`));
    } catch (error) {
      replace(
        cell,
        h(
          "p",
          { class: "error-box" },
          `Cannot load the fills: ${error.message}`,
        ),
      );
    }
  });
  return [
    h(
      "tr",
      { "data-trade-id": t.id },
      h("td", null, fmt.dateTime(t.exitTime)),
      h("th", { scope: "row" }, t.symbol),
      h("td", null, t.timeframe),
      h("td", null, sideBadge(t.side)),
      h("td", null, fmt.dateTime(t.entryTime)),
      numCell("entryPrice", t.entryPrice, price(t.entryPrice)),
      numCell("exitPrice", t.exitPrice, price(t.exitPrice)),
      h("td", null, t.exitReason),
      numCell("tpHits", t.tpHits, `${t.tpHits}/6`),
      numCell("pnlQuote", t.pnlQuote, signedMoney(t.pnlQuote), {
        class: tone(t.pnlQuote),
      }),
      numCell("pnlPct", t.pnlPct, signedPct(t.pnlPct), {
        class: tone(t.pnlPct),
      }),
      numCell("feesQuote", t.feesQuote, num(t.feesQuote, 2)),
      numCell("notional", t.notional, num(t.notional, 2)),
      h("td", null, button),
    ),
    detail,
  ];
}

/** Mounts the history view. */
export function mount(root, ctx) {
  const params = ctx.params;
  const offset = Math.max(0, Number(params.offset) || 0);
  const { symbols, timeframes } = seriesChoices(ctx.state.status);
  const filters = apiFilters(params, ctx.fmt);
  const csv = `/api/trades${query({ format: "csv", ...filters })}`;
  const form = filterForm(
    [
      select("symbol", "Symbol", [["", "all"], ...symbols], params.symbol),
      select(
        "timeframe",
        "Timeframe",
        [["", "all"], ...timeframes],
        params.timeframe,
      ),
      select("side", "Side", [["", "all"], "LONG", "SHORT"], params.side),
      select("reason", "Exit reason", [["", "all"], ...REASONS], params.reason),
      input("from", `Exit from (${ctx.fmt.zone})`, params.from, {
        type: "date",
      }),
      input("to", "Exit to (inclusive)", params.to, { type: "date" }),
    ],
    (values) => ctx.go("history", values),
    h(
      "a",
      { class: "button", href: csv, download: "velas_trades.csv" },
      "Export CSV",
    ),
  );
  const box = h("div");
  replace(
    root,
    h("h1", null, "Trade history"),
    card("Closed trades", form, box),
  );
  const reload = loadInto(
    box,
    () => ctx.get("/api/trades", { ...filters, limit: LIMIT, offset }),
    (page) =>
      h(
        "div",
        null,
        table(
          [
            { label: "Exit" },
            { label: "Symbol" },
            { label: "TF" },
            { label: "Side" },
            { label: "Entry time" },
            { label: "Entry", num: true },
            { label: "Exit price", num: true },
            { label: "Reason" },
            { label: "TPs", num: true },
            { label: "PnL (USDT)", num: true },
            { label: "PnL", num: true },
            { label: "Fees", num: true },
            { label: "Notional", num: true },
            { label: "" },
          ],
          page.rows.flatMap((t) => tradeRows(t, ctx.fmt, ctx)),
          { label: "Closed trades", empty: "No trades match" },
        ),
        pager(page, (o) =>
          ctx.go("history", { ...params, offset: o || undefined })),
      ),
  );
  const later = throttle(reload, 2_000);
  ctx.listen("event", (ev) => {
    if (ev.type === "trade" && offset === 0) later();
  });
}
