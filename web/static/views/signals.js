/**
 * Signals: every emitted signal with the portfolio's decision, in pages of 50, filtered by
 * decision, symbol, timeframe and side; the first page reloads when a new signal arrives.
 *
 * @module
 */
import { card, h, numCell, replace, table } from "../lib/dom.js";
import { pct, price } from "../lib/format.js";
import {
  filterForm,
  loadInto,
  pager,
  select,
  seriesChoices,
  throttle,
} from "../lib/kit.js";
import { decisionCell, sideBadge } from "../lib/parts.js";

const LIMIT = 50;

/** Mounts the signals view. */
export function mount(root, ctx) {
  const params = ctx.params;
  const offset = Math.max(0, Number(params.offset) || 0);
  const { symbols, timeframes } = seriesChoices(ctx.state.status);
  const form = filterForm(
    [
      select("accepted", "Decision", [["", "all"], ["true", "accepted"], [
        "false",
        "refused",
      ]], params.accepted),
      select("symbol", "Symbol", [["", "all"], ...symbols], params.symbol),
      select(
        "timeframe",
        "Timeframe",
        [["", "all"], ...timeframes],
        params.timeframe,
      ),
      select("side", "Side", [["", "all"], "LONG", "SHORT"], params.side),
    ],
    (values) => ctx.go("signals", values),
  );
  const box = h("div");
  replace(
    root,
    h("h1", null, "Signals"),
    card("Signals and decisions", form, box),
  );
  const fresh = ctx.state.liveIds;
  const reload = loadInto(
    box,
    () =>
      ctx.get("/api/signals", {
        limit: LIMIT,
        offset,
        symbol: params.symbol,
        timeframe: params.timeframe,
        side: params.side,
        accepted: params.accepted,
      }),
    (page) =>
      h(
        "div",
        null,
        table(
          [
            { label: "Time" },
            { label: "Symbol" },
            { label: "TF" },
            { label: "Side" },
            { label: "Price", num: true },
            { label: "Regime" },
            { label: "Preset" },
            { label: "Decision" },
            { label: "Heat before", num: true },
            { label: "Open before", num: true },
          ],
          page.rows.map((sig) =>
            h(
              "tr",
              {
                "data-signal-id": sig.id,
                class: fresh.has(sig.id) ? "flash" : undefined,
              },
              h("td", null, ctx.fmt.dateTime(sig.time)),
              h("th", { scope: "row" }, sig.symbol),
              h("td", null, sig.timeframe),
              h("td", null, sideBadge(sig.side)),
              numCell("price", sig.price, price(sig.price)),
              h("td", null, sig.regime),
              h(
                "td",
                { class: "mono", title: sig.presetHash },
                sig.presetHash.slice(0, 10),
              ),
              decisionCell(sig.decision),
              numCell(
                "heatPct",
                sig.decision?.heatPct,
                pct(sig.decision?.heatPct),
              ),
              numCell(
                "openPositions",
                sig.decision?.openPositions,
                sig.decision ? String(sig.decision.openPositions) : "—",
              ),
            )
          ),
          { label: "Signals", empty: "No signals match" },
        ),
        pager(page, (o) =>
          ctx.go("signals", { ...params, offset: o || undefined })),
      ),
  );
  const later = throttle(reload, 1_000);
  ctx.listen("event", (ev) => {
    if (ev.type === "signal" && offset === 0) later();
  });
}
