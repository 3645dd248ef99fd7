/**
 * Settings (read-only): the resolved configuration as key paths and values (secrets arrive
 * masked from the server), and the preset files per series and regime.
 *
 * @module
 */
import { card, h, replace, table } from "../lib/dom.js";
import { evidenceSummary, loadInto, paramsText } from "../lib/kit.js";
import { badge, tfMinutes } from "../lib/parts.js";

/** `[path, value]` leaves of a JSON value; arrays of scalars stay one leaf. */
function flatten(value, path, out) {
  if (Array.isArray(value)) {
    if (value.every((x) => x === null || typeof x !== "object")) {
      out.push([path, value.length === 0 ? "[]" : value.map(show).join(", ")]);
    } else value.forEach((x, i) => flatten(x, `${path}[${i}]`, out));
  } else if (value !== null && typeof value === "object") {
    const entries = Object.entries(value);
    if (entries.length === 0) out.push([path, "{}"]);
    for (const [k, v] of entries) {
      flatten(v, path === "" ? k : `${path}.${k}`, out);
    }
  } else out.push([path, show(value)]);
  return out;
}

function show(v) {
  return v === null ? "null" : typeof v === "string" ? v : String(v);
}

function configTable(config) {
  const rows = flatten(config, "", []);
  const body = rows.map(([path, value]) => {
    const dot = path.lastIndexOf(".");
    return h(
      "tr",
      { "data-path": path },
      h(
        "th",
        { scope: "row", class: "mono" },
        dot > 0 ? h("span", { class: "detail" }, path.slice(0, dot + 1)) : null,
        dot > 0 ? path.slice(dot + 1) : path,
      ),
      h("td", { class: "mono wrap" }, value),
    );
  });
  return table([{ label: "Key" }, { label: "Value" }], body, {
    label: "Configuration",
    empty: "No configuration",
  });
}

function presetTable(presets, symbol) {
  const shown = presets
    .filter((p) => symbol === "" || p.symbol === symbol)
    .sort((a, b) =>
      a.symbol.localeCompare(b.symbol) ||
      tfMinutes(a.timeframe) - tfMinutes(b.timeframe) ||
      ["low", "normal", "high"].indexOf(a.regime) -
        ["low", "normal", "high"].indexOf(b.regime)
    );
  return table(
    [
      { label: "Series" },
      { label: "Regime" },
      { label: "State" },
      { label: "Grid" },
      { label: "Parameters" },
      { label: "Evidence (out of sample)" },
      { label: "Hash" },
    ],
    shown.map((p) =>
      h(
        "tr",
        null,
        h("th", { scope: "row" }, `${p.symbol} ${p.timeframe}`),
        h("td", null, p.regime),
        h(
          "td",
          null,
          p.active ? badge("active", "ok") : badge("fallback", "warn"),
        ),
        h("td", null, p.presetIndex === null ? "user" : `#${p.presetIndex}`),
        h("td", { class: "mono" }, paramsText(p.params)),
        h(
          "td",
          { class: "wrap" },
          evidenceSummary(p.evidence) ?? "—",
          p.notes.length > 0
            ? h("div", { class: "detail" }, p.notes.join(" "))
            : null,
        ),
        h("td", { class: "mono", title: p.hash }, p.hash.slice(0, 10)),
      )
    ),
    { label: "Presets", empty: "No preset files" },
  );
}

/** Mounts the settings view. */
export function mount(root, ctx) {
  const config = h("div");
  const presets = h("div");
  replace(
    root,
    h("h1", null, "Settings"),
    card("Configuration (read-only, secrets masked)", config),
    card("Presets", presets),
  );
  loadInto(config, () => ctx.get("/api/config"), configTable);
  loadInto(presets, () => ctx.get("/api/presets"), (list) => {
    const symbols = [...new Set(list.map((p) => p.symbol))].sort();
    const out = h("div");
    const picker = h(
      "select",
      { name: "symbol", "aria-label": "Preset symbol" },
      h("option", { value: "" }, `all (${list.length} files)`),
      symbols.map((sym) => h("option", { value: sym }, sym)),
    );
    const draw = () => replace(out, presetTable(list, picker.value));
    picker.addEventListener("change", draw);
    draw();
    return h(
      "div",
      null,
      h("div", { class: "filters" }, h("label", null, "Symbol", picker)),
      out,
    );
  });
}
