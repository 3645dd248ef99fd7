/**
 * Pieces shared by several views: the health strip, side and state badges, the take-profit
 * ladder steps, the open-positions table and the signals table.
 *
 * @module
 */
import { h, numCell, table } from "./dom.js";
import { duration, pct, price, signedPct, tone } from "./format.js";

const TF_MINUTES = { m: 1, h: 60, d: 1440, w: 10080 };

/** Minutes of a timeframe such as `30m`, `2h` (unknown: +∞, sorted last). */
export function tfMinutes(tf) {
  const m = /^(\d+)([mhdw])$/.exec(tf ?? "");
  return m === null ? Infinity : Number(m[1]) * TF_MINUTES[m[2]];
}

/** `BTCUSDT` → `BTC`. */
export function base(symbol) {
  return symbol.endsWith("USDT") && symbol.length > 4
    ? symbol.slice(0, -4)
    : symbol;
}

/** `LONG`/`SHORT` badge. */
export function sideBadge(side) {
  return h(
    "span",
    { class: `badge side ${side === "LONG" ? "long" : "short"}` },
    side === "LONG" ? "▲ LONG" : "▼ SHORT",
  );
}

/** A small coloured badge with text. */
export function badge(text, kind) {
  return h("span", { class: `badge ${kind ?? ""}` }, text);
}

/** Freshness badge (`fresh`, `late`, `stale`, `waiting`). */
export function freshBadge(freshness) {
  return h("span", { class: `badge fr-${freshness}` }, freshness);
}

/** Six take-profit steps with the filled ones marked. */
export function ladderSteps(filled, total = 6) {
  const steps = [];
  for (let i = 1; i <= total; i++) {
    steps.push(
      h("i", {
        class: i <= filled ? "on" : "",
        title: `TP${i}${i <= filled ? " filled" : ""}`,
      }),
    );
  }
  return h(
    "span",
    {
      class: "ladder",
      role: "img",
      "aria-label": `${filled} of ${total} take-profits filled`,
      "data-field": "tpFilled",
      "data-value": String(filled),
    },
    h("span", { class: "steps" }, steps),
    h("span", { class: "ladder-n" }, `${filled}/${total}`),
  );
}

/** The health strip: one cell per series, one row per timeframe, coloured by freshness. */
export function healthStrip(series, fmt, now) {
  const groups = new Map();
  for (
    const sh of [...series].sort((a, b) =>
      tfMinutes(a.timeframe) - tfMinutes(b.timeframe)
    )
  ) {
    if (!groups.has(sh.timeframe)) groups.set(sh.timeframe, []);
    groups.get(sh.timeframe).push(sh);
  }
  const counts = { fresh: 0, late: 0, stale: 0, waiting: 0 };
  for (const sh of series) {
    counts[sh.freshness] = (counts[sh.freshness] ?? 0) + 1;
  }
  const rows = [...groups].map(([tf, list]) =>
    h(
      "div",
      { class: "hs-row" },
      h("span", { class: "hs-tf" }, tf),
      h(
        "ul",
        { class: "hs-cells", "aria-label": `${tf} series` },
        list.map((sh) => {
          const last = sh.lastCloseTime === null
            ? "no candle yet"
            : `last close ${fmt.dateTime(sh.lastCloseTime)}`;
          const lag = sh.lagMs > 0 ? `, lag ${duration(sh.lagMs)}` : "";
          const extra = [
            `actor ${sh.actor}`,
            sh.backfilling ? "backfilling" : "",
            sh.regime ? `regime ${sh.regime}` : "",
            sh.lastCloseTime === null
              ? ""
              : `(${agoText(now, sh.lastCloseTime)})`,
          ].filter(Boolean).join(", ");
          const text =
            `${sh.symbol} ${sh.timeframe}: ${sh.freshness}, ${last}${lag}; ${extra}`;
          return h(
            "li",
            {
              class: `cell fr-${sh.freshness}${
                sh.backfilling ? " backfill" : ""
              }`,
              title: text,
              "aria-label": text,
              "data-key": sh.key,
              "data-freshness": sh.freshness,
              tabindex: "0",
            },
            base(sh.symbol),
          );
        }),
      ),
    )
  );
  const legend = h(
    "p",
    { class: "hs-legend" },
    ["fresh", "late", "stale", "waiting"].map((f) =>
      h(
        "span",
        { class: "lg" },
        h("i", { class: `sw fr-${f}` }),
        `${counts[f]} ${f}`,
      )
    ),
  );
  return h(
    "div",
    { class: "health-strip" },
    rows.length > 0 ? rows : h("p", { class: "empty" }, "No series"),
    legend,
  );
}

function agoText(now, t) {
  return typeof now === "number" ? `${duration(Math.max(0, now - t))} ago` : "";
}

/** The open-positions table; every number cell carries the API's raw value. */
export function positionsTable(positions, options = {}) {
  const columns = [
    { label: "Symbol" },
    { label: "Side" },
    { label: "TF" },
    { label: "Entry", num: true },
    { label: "Last", num: true },
    { label: "Unrealized", num: true },
    { label: "TP ladder" },
    { label: "Stop", num: true },
    { label: "Remaining", num: true },
  ];
  const rows = positions.map((p) =>
    h(
      "tr",
      { "data-trade-id": p.tradeId },
      h(
        "th",
        { scope: "row" },
        h(
          "a",
          { href: `#/positions?id=${encodeURIComponent(p.tradeId)}` },
          p.symbol,
        ),
      ),
      h("td", null, sideBadge(p.side)),
      h("td", null, p.timeframe),
      numCell("entryPrice", p.entryPrice, price(p.entryPrice)),
      numCell("lastPrice", p.lastPrice, price(p.lastPrice)),
      numCell("unrealizedPct", p.unrealizedPct, signedPct(p.unrealizedPct), {
        class: tone(p.unrealizedPct),
      }),
      h("td", null, ladderSteps(p.tpFilled, p.tp.length || 6)),
      numCell("stop", p.stop, price(p.stop), {
        class: p.stop !== p.initialStop ? "moved" : "",
      }),
      numCell("remaining", p.remaining, pct(p.remaining * 100), { scale: 100 }),
    )
  );
  return table(columns, rows, {
    label: options.label ?? "Open positions",
    empty: "No open positions",
    class: "positions",
    stack: true,
  });
}

/** The decision of a signal as a cell. */
export function decisionCell(decision) {
  if (decision === null || decision === undefined) {
    return h("td", { "data-field": "decision" }, badge("pending", "muted"));
  }
  if (decision.accepted) {
    return h("td", { "data-field": "decision" }, badge("accepted", "ok"));
  }
  return h(
    "td",
    { "data-field": "decision" },
    badge("refused", "bad"),
    " ",
    h("span", { class: "rule" }, decision.rule),
    decision.detail
      ? h("span", { class: "detail" }, ` ${decision.detail}`)
      : null,
  );
}

/** The signals table; `fresh` marks ids that arrived live. */
export function signalsTable(signals, fmt, options = {}) {
  const columns = [
    { label: "Time" },
    { label: "Symbol" },
    { label: "TF" },
    { label: "Side" },
    { label: "Price", num: true },
    ...(options.more ? [{ label: "Regime" }, { label: "Preset" }] : []),
    { label: "Decision" },
  ];
  const rows = signals.map((sig) =>
    h(
      "tr",
      {
        "data-signal-id": sig.id,
        class: options.fresh?.has(sig.id) ? "flash" : undefined,
      },
      h(
        "td",
        null,
        h(
          "time",
          { datetime: new Date(sig.time).toISOString() },
          fmt.dateTime(sig.time),
        ),
      ),
      h("th", { scope: "row" }, sig.symbol),
      h("td", null, sig.timeframe),
      h("td", null, sideBadge(sig.side)),
      numCell("price", sig.price, price(sig.price)),
      options.more ? h("td", null, sig.regime) : null,
      options.more
        ? h(
          "td",
          { class: "mono", title: sig.presetHash },
          sig.presetHash.slice(0, 10),
        )
        : null,
      decisionCell(sig.decision),
    )
  );
  return table(columns, rows, {
    label: options.label ?? "Signals",
    empty: "No signals yet",
    class: "signals",
    stack: true,
  });
}

/** A progress bar of `value` out of `max` with a text label. */
export function meter(value, max, label) {
  const ratio = max > 0 ? Math.max(0, Math.min(1, value / max)) : 0;
  return h(
    "div",
    {
      class: `meter${ratio >= 1 ? " full" : ratio >= 0.8 ? " high" : ""}`,
      role: "meter",
      "aria-label": label,
      "aria-valuemin": "0",
      "aria-valuemax": String(max),
      "aria-valuenow": String(value),
    },
    h("span", { style: { width: `${(ratio * 100).toFixed(1)}%` } }),
  );
}
