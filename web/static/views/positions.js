/**
 * Positions: one card per open position with its price rail, the take-profit ladder (prices,
 * distance from the entry, which TPs filled and when), the stop history and the fills.
 *
 * @module
 */
import { card, h, numCell, replace, table } from "../lib/dom.js";
import {
  money,
  num,
  pct,
  price,
  signedMoney,
  signedPct,
  tone,
} from "../lib/format.js";
import { badge, ladderSteps, sideBadge } from "../lib/parts.js";

function move(p, level) {
  const dir = p.side === "LONG" ? 1 : -1;
  return ((dir * (level - p.entryPrice)) / p.entryPrice) * 100;
}

/** A horizontal price rail with the stop, the entry, the TPs and the last price. */
function rail(p) {
  const levels = [p.stop, p.initialStop, p.entryPrice, ...p.tp];
  if (p.lastPrice !== null) levels.push(p.lastPrice);
  const lo = Math.min(...levels);
  const hi = Math.max(...levels);
  // LONG grows to the right; SHORT's profits are below the entry, so its rail is mirrored.
  const at = (v) => {
    const r = hi === lo ? 0.5 : (v - lo) / (hi - lo);
    return `${((p.side === "LONG" ? r : 1 - r) * 96 + 2).toFixed(2)}%`;
  };
  const marks = [
    h("span", {
      class: "mk stop",
      style: { left: at(p.stop) },
      title: `Stop ${price(p.stop)}`,
    }, "SL"),
    h("span", {
      class: "mk entry",
      style: { left: at(p.entryPrice) },
      title: `Entry ${price(p.entryPrice)}`,
    }, "E"),
    ...p.tp.map((v, i) =>
      h("span", {
        class: `mk tp${i < p.tpFilled ? " on" : ""}`,
        style: { left: at(v) },
        title: `TP${i + 1} ${price(v)}${i < p.tpFilled ? " filled" : ""}`,
      }, String(i + 1))
    ),
  ];
  if (p.lastPrice !== null) {
    marks.push(
      h("span", {
        class: "mk last",
        style: { left: at(p.lastPrice) },
        title: `Last ${price(p.lastPrice)}`,
      }, "▼"),
    );
  }
  return h(
    "div",
    { class: "rail", role: "img", "aria-label": railLabel(p) },
    h("span", { class: "rail-line" }),
    marks,
  );
}

function railLabel(p) {
  return `Stop ${price(p.stop)}, entry ${price(p.entryPrice)}, last ${
    price(p.lastPrice)
  }, take-profits ${p.tp.map(price).join(", ")}; ${p.tpFilled} filled`;
}

function ladderTable(p, fmt) {
  const tpFills = new Map(
    p.fills.filter((f) => f.kind === "tp").map((f) => [f.tpIndex, f]),
  );
  const rows = p.tp.map((level, i) => {
    const fill = tpFills.get(i + 1);
    const filled = i < p.tpFilled;
    return h(
      "tr",
      { class: filled ? "filled" : undefined },
      h("th", { scope: "row" }, `TP${i + 1}`),
      numCell("tp", level, price(level)),
      numCell("tpMove", move(p, level), signedPct(move(p, level))),
      h(
        "td",
        { class: filled ? "filled" : undefined },
        filled
          ? (fill
            ? `filled ${fmt.dateTime(fill.time)} @ ${price(fill.price)}`
            : "filled")
          : "open",
      ),
    );
  });
  rows.push(
    h(
      "tr",
      null,
      h("th", { scope: "row" }, "Stop"),
      numCell("stop", p.stop, price(p.stop)),
      numCell("stopMove", move(p, p.stop), signedPct(move(p, p.stop))),
      h(
        "td",
        null,
        p.stop === p.initialStop
          ? "initial"
          : `moved from ${price(p.initialStop)}`,
      ),
    ),
  );
  return table(
    [{ label: "Level" }, { label: "Price", num: true }, {
      label: "From entry",
      num: true,
    }, {
      label: "State",
    }],
    rows,
    { label: `${p.symbol} ladder` },
  );
}

function stopTable(p, fmt) {
  return table(
    [{ label: "Time" }, { label: "Stop", num: true }, { label: "Reason" }],
    p.stopHistory.map((m) =>
      h(
        "tr",
        null,
        h("td", null, fmt.dateTime(m.time)),
        numCell("stop", m.stop, price(m.stop)),
        h("td", null, m.reason),
      )
    ),
    { label: `${p.symbol} stop history`, empty: "No stop moves" },
  );
}

/** The fills of a trade as a table. */
export function fillsTable(fills, fmt, label) {
  return table(
    [
      { label: "Time" },
      { label: "Kind" },
      { label: "Price", num: true },
      { label: "Quantity", num: true },
      { label: "Fee", num: true },
      { label: "PnL (gross)", num: true },
    ],
    fills.map((f) =>
      h(
        "tr",
        null,
        h("td", null, fmt.dateTime(f.time)),
        h("td", null, f.kind === "tp" ? `TP${f.tpIndex ?? ""}` : f.kind),
        numCell("price", f.price, price(f.price)),
        numCell("quantity", f.quantity, String(f.quantity)),
        numCell("fee", f.fee, num(f.fee, 4)),
        numCell("pnl", f.pnl, signedMoney(f.pnl), { class: tone(f.pnl) }),
      )
    ),
    { label, empty: "No fills" },
  );
}

function positionCard(p, fmt, target) {
  return h(
    "article",
    {
      class: `card pos-card${target ? " target" : ""}`,
      id: `pos-${p.tradeId}`,
      "data-trade-id": p.tradeId,
      "aria-label": `${p.symbol} ${p.side} ${p.timeframe}`,
    },
    h(
      "div",
      { class: "pos-head" },
      h("h2", null, p.symbol),
      sideBadge(p.side),
      badge(p.timeframe),
      badge(p.sector),
      badge(`regime ${p.regime}`),
      ladderSteps(p.tpFilled, p.tp.length || 6),
    ),
    h(
      "dl",
      { class: "facts" },
      fact("Entry", `${price(p.entryPrice)} at ${fmt.dateTime(p.entryTime)}`),
      fact("Last price", price(p.lastPrice)),
      fact(
        "Unrealized",
        h("span", { class: tone(p.unrealizedPct) }, signedPct(p.unrealizedPct)),
      ),
      fact("Remaining", pct(p.remaining * 100)),
      fact("Quantity", `${p.quantity}`),
      fact("Notional", money(p.notional)),
      fact(
        "Realized (gross)",
        h(
          "span",
          { class: tone(p.realizedPnl) },
          `${signedMoney(p.realizedPnl)} USDT`,
        ),
      ),
      fact("Stop", `${price(p.stop)} (initial ${price(p.initialStop)})`),
    ),
    rail(p),
    h("h3", null, "Take-profit ladder"),
    ladderTable(p, fmt),
    h("h3", null, "Stop history"),
    stopTable(p, fmt),
    h("h3", null, "Fills"),
    fillsTable(p.fills, fmt, `${p.symbol} fills`),
  );
}

function fact(label, value) {
  return h("div", null, h("dt", null, label), h("dd", null, value));
}

/** Mounts the positions view. */
export function mount(root, ctx) {
  const box = h(
    "div",
    { class: "pos-cards" },
    h("p", { class: "loading" }, "Loading…"),
  );
  replace(root, h("h1", null, "Open positions"), box);
  let scrolled = false;
  const draw = () => {
    const list = ctx.state.positions;
    if (!list) return;
    if (list.length === 0) {
      replace(
        box,
        card(
          "No open positions",
          h("p", { class: "empty" }, "Nothing is open right now."),
        ),
      );
      return;
    }
    replace(
      box,
      ...list.map((p) => positionCard(p, ctx.fmt, p.tradeId === ctx.params.id)),
    );
    if (!scrolled && ctx.params.id) {
      scrolled = true;
      document.getElementById(`pos-${ctx.params.id}`)?.scrollIntoView({
        block: "start",
      });
    }
  };
  ctx.listen("positions", draw);
  draw();
}
