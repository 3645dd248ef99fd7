/**
 * Pairs: every watched series with its sector, regime, freshness, the preset in force with the
 * optimizer's out-of-sample evidence, and the last candle. Reloads (at most every 5 s) when the
 * health of the series changes.
 *
 * @module
 */
import { card, h, numCell, replace, table } from "../lib/dom.js";
import { num, price } from "../lib/format.js";
import { evidenceSummary, loadInto, throttle } from "../lib/kit.js";
import { badge, freshBadge, tfMinutes } from "../lib/parts.js";

function presetCell(pair) {
  const p = pair.preset;
  if (p === null) {
    return h(
      "td",
      null,
      pair.presetHash
        ? h("span", { class: "mono" }, pair.presetHash.slice(0, 10))
        : "—",
    );
  }
  return h(
    "td",
    null,
    p.presetIndex === null ? "user grid point" : `#${p.presetIndex}`,
    " ",
    p.active ? badge("active", "ok") : badge("fallback", "warn"),
    " ",
    h("span", { class: "mono", title: p.hash }, p.hash.slice(0, 10)),
  );
}

function evidenceCell(pair) {
  const p = pair.preset;
  const summary = p ? evidenceSummary(p.evidence) : null;
  const notes = p?.notes?.length ? p.notes.join(" ") : "";
  return h(
    "td",
    { class: "wrap" },
    summary ?? h("span", { class: "empty" }, p ? "no optimizer evidence" : "—"),
    notes ? h("div", { class: "detail" }, notes) : null,
  );
}

/** Mounts the pairs view. */
export function mount(root, ctx) {
  const box = h("div");
  replace(
    root,
    h("h1", null, "Pairs"),
    card("Series, regimes and presets", box),
  );
  const reload = loadInto(box, () => ctx.get("/api/pairs"), (pairs) => {
    const sorted = [...pairs].sort((a, b) =>
      a.symbol.localeCompare(b.symbol) ||
      tfMinutes(a.timeframe) - tfMinutes(b.timeframe)
    );
    return table(
      [
        { label: "Series" },
        { label: "Sector" },
        { label: "Regime" },
        { label: "Freshness" },
        { label: "Preset in force" },
        { label: "Evidence (out of sample)" },
        { label: "Last candle (open)" },
        { label: "Close", num: true },
        { label: "High", num: true },
        { label: "Low", num: true },
        { label: "Volume", num: true },
      ],
      sorted.map((pair) => {
        const c = pair.lastCandle;
        return h(
          "tr",
          { "data-key": pair.key },
          h("th", { scope: "row" }, `${pair.symbol} ${pair.timeframe}`),
          h("td", null, pair.sector),
          h("td", null, pair.regime ?? "—"),
          h("td", null, freshBadge(pair.freshness)),
          presetCell(pair),
          evidenceCell(pair),
          h("td", null, c ? ctx.fmt.dateTime(c.openTime) : "—"),
          numCell("close", c?.close, c ? price(c.close) : "—"),
          numCell("high", c?.high, c ? price(c.high) : "—"),
          numCell("low", c?.low, c ? price(c.low) : "—"),
          numCell("volume", c?.volume, c ? num(c.volume, 0) : "—"),
        );
      }),
      { label: "Pairs", empty: "No series" },
    );
  });
  const later = throttle(reload, 5_000);
  ctx.listen("event", (ev) => {
    if (ev.type === "health") later();
  });
}
