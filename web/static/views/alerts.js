/**
 * Alerts: the notification history (the Telegram outbox) with delivery state, attempts, the
 * last error and the text as sent; the first page reloads when an alert arrives.
 *
 * @module
 */
import { card, h, replace, table } from "../lib/dom.js";
import { loadInto, pager, throttle } from "../lib/kit.js";
import { badge } from "../lib/parts.js";

const LIMIT = 50;

/** Mounts the alerts view. */
export function mount(root, ctx) {
  const offset = Math.max(0, Number(ctx.params.offset) || 0);
  const box = h("div");
  replace(root, h("h1", null, "Alerts"), card("Notification history", box));
  const reload = loadInto(
    box,
    () => ctx.get("/api/alerts", { limit: LIMIT, offset }),
    (page) =>
      h(
        "div",
        null,
        table(
          [
            { label: "Created" },
            { label: "Kind" },
            { label: "State" },
            { label: "Sent" },
            { label: "Attempts", num: true },
            { label: "Last error" },
            { label: "Text" },
          ],
          page.rows.map((a) =>
            h(
              "tr",
              { "data-alert-id": String(a.id) },
              h("td", null, ctx.fmt.dateTime(a.createdAt)),
              h("td", null, a.kind),
              h("td", null, badge(a.state, `st-${a.state}`)),
              h(
                "td",
                null,
                a.sentAt === null ? "—" : ctx.fmt.dateTime(a.sentAt),
              ),
              h("td", { class: "num" }, String(a.attempts)),
              h(
                "td",
                { class: a.lastError ? "wrap bad" : "" },
                a.lastError ?? "—",
              ),
              h("td", null, h("pre", { class: "text" }, a.text)),
            )
          ),
          { label: "Notifications", empty: "No notifications yet" },
        ),
        pager(page, (o) => ctx.go("alerts", { offset: o || undefined })),
      ),
  );
  const later = throttle(reload, 1_000);
  ctx.listen("event", (ev) => {
    if (ev.type === "alert" && offset === 0) later();
  });
}
