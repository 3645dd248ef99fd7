/**
 * Backtests: the backtest and optimizer reports in the data directory, newest first; a report
 * opens in place in a sandboxed frame (or in a new tab).
 *
 * @module
 */
import { card, h, replace, table } from "../lib/dom.js";
import { loadInto } from "../lib/kit.js";
import { badge } from "../lib/parts.js";

function frame(entry) {
  const el = h("iframe", {
    class: "report",
    src: entry.url,
    title: `Report ${entry.name}`,
    sandbox: "allow-scripts allow-popups allow-downloads",
  });
  el.addEventListener("load", () => el.setAttribute("data-loaded", "true"));
  return el;
}

/** Mounts the backtests view. */
export function mount(root, ctx) {
  const open = ctx.params.open;
  const list = h("div");
  const viewer = h("div");
  replace(root, h("h1", null, "Backtests"), card("Reports", list), viewer);
  loadInto(list, () => ctx.get("/api/backtests"), (entries) => {
    const sorted = [...entries].sort((a, b) => b.time - a.time);
    const chosen = sorted.find((e) => e.name === open);
    if (chosen) {
      replace(
        viewer,
        card(
          chosen.name,
          h(
            "div",
            { class: "row-actions" },
            h(
              "a",
              { href: chosen.url, target: "_blank", rel: "noopener" },
              "Open in a new tab",
            ),
            h("a", { href: ctx.href("backtests") }, "Close"),
          ),
          frame(chosen),
        ),
      );
    }
    return table(
      [{ label: "Time" }, { label: "Name" }, { label: "Kind" }, {
        label: "Report",
      }],
      sorted.map((e) =>
        h(
          "tr",
          {
            "data-name": e.name,
            class: e.name === open ? "selected" : undefined,
          },
          h("td", null, ctx.fmt.dateTime(e.time)),
          h("th", { scope: "row", class: "mono" }, e.name),
          h("td", null, badge(e.kind, e.kind === "optimize" ? "info" : "")),
          h(
            "td",
            null,
            h(
              "div",
              { class: "row-actions" },
              h("a", {
                href: ctx.href("backtests", { open: e.name }),
                "aria-label": `Open ${e.name} here`,
              }, "Open here"),
              h("a", {
                href: e.url,
                target: "_blank",
                rel: "noopener",
                "aria-label": `Open ${e.name} in a new tab`,
              }, "New tab"),
            ),
          ),
        )
      ),
      { label: "Reports", empty: "No reports in the data directory" },
    );
  });
}
