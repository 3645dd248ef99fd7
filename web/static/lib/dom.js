/**
 * DOM building without innerHTML: `h("td", { class: "num" }, text)` creates elements whose
 * string children become text nodes, so text from the API is never parsed as HTML.
 *
 * @module
 */

const SVG_NS = "http://www.w3.org/2000/svg";

function apply(el, attrs) {
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      el.addEventListener(name.slice(2), value);
    } else if (name === "style" && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) {
        if (v !== undefined && v !== null) el.style.setProperty(k, String(v));
      }
    } else if (value === true) {
      el.setAttribute(name, "");
    } else {
      el.setAttribute(name, String(value));
    }
  }
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.append(child);
    else el.append(document.createTextNode(String(child)));
  }
}

/** An HTML element with attributes (`onclick` etc. as listeners) and children. */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  apply(el, attrs);
  append(el, children);
  return el;
}

/** An SVG element with attributes and children. */
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  apply(el, attrs);
  append(el, children);
  return el;
}

/** Replaces the children of `el`. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A table inside a scrolling container: `columns` are `{ label, num? }`, `rows` are `<tr>`s. */
export function table(columns, rows, options = {}) {
  const head = h(
    "tr",
    null,
    columns.map((c) =>
      h("th", { scope: "col", class: c.num ? "num" : undefined }, c.label)
    ),
  );
  if (options.stack) {
    // Labels for the stacked (card) layout of narrow screens.
    for (const row of rows) {
      if (row.children.length !== columns.length) continue;
      [...row.children].forEach((cell, i) => {
        if (columns[i].label && !cell.hasAttribute("data-label")) {
          cell.setAttribute("data-label", columns[i].label);
        }
      });
    }
  }
  const body = rows.length > 0 ? rows : [
    h(
      "tr",
      null,
      h(
        "td",
        { colspan: columns.length, class: "empty" },
        options.empty ?? "Nothing yet",
      ),
    ),
  ];
  return h(
    "div",
    {
      class: "table-wrap",
      tabindex: "0",
      role: "region",
      "aria-label": options.label,
    },
    h(
      "table",
      {
        class:
          [options.class, options.stack ? "stack" : ""].filter(Boolean).join(
            " ",
          ) || undefined,
      },
      options.caption ? h("caption", null, options.caption) : null,
      h("thead", null, head),
      h("tbody", null, body),
    ),
  );
}

/** A numeric cell that keeps the API's raw value in `data-value` (and the display scale). */
export function numCell(field, value, text, options = {}) {
  return h(
    "td",
    {
      class: ["num", options.class].filter(Boolean).join(" "),
      "data-field": field,
      "data-value": value === null || value === undefined ? "" : String(value),
      "data-scale": options.scale,
    },
    text,
  );
}

/** A section card with a heading. */
export function card(title, ...children) {
  const id = `h-${title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  return h(
    "section",
    { class: "card", "aria-labelledby": id },
    h("h2", { id }, title),
    ...children,
  );
}
