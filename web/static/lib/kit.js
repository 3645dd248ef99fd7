/**
 * Helpers the data views share: loading into a box with an error message, a pager, filter
 * controls, throttling, and short summaries of preset evidence and parameters.
 *
 * @module
 */
import { h, replace } from "./dom.js";
import { int, num, pct } from "./format.js";
import { AuthError } from "./api.js";
import { tfMinutes } from "./parts.js";

/** A message box for a failed request. */
export function errorBox(error) {
  const text = error instanceof AuthError
    ? "Token required: open /?token=… to see this view."
    : `Cannot load: ${error?.message ?? error}`;
  return h("p", { class: "error-box", role: "alert" }, text);
}

/**
 * Loads with `load()` and draws the result with `draw(value)` into `box`; returns a function
 * that reloads (keeping the current content until the new one arrives). Results of stale
 * loads are dropped.
 */
export function loadInto(box, load, draw) {
  let generation = 0;
  const run = async (first) => {
    const mine = ++generation;
    if (first) replace(box, h("p", { class: "loading" }, "Loading…"));
    try {
      const value = await load();
      if (mine !== generation || !box.isConnected) return;
      replace(box, draw(value));
    } catch (error) {
      if (mine !== generation || !box.isConnected) return;
      replace(box, errorBox(error));
    }
  };
  run(true);
  return () => run(false);
}

/** Calls `fn` at most once per `ms`, the last call included. */
export function throttle(fn, ms) {
  let timer = 0;
  let last = 0;
  return () => {
    if (timer !== 0) return;
    const wait = Math.max(0, last + ms - Date.now());
    timer = setTimeout(() => {
      timer = 0;
      last = Date.now();
      fn();
    }, wait);
  };
}

/** `Rows 1–50 of 123` with previous and next buttons; `go(offset)` changes page. */
export function pager(page, go) {
  const { total, offset, limit, rows } = page;
  const from = rows.length === 0 ? 0 : offset + 1;
  const to = offset + rows.length;
  return h(
    "div",
    { class: "pager", role: "navigation", "aria-label": "Pages" },
    h(
      "button",
      {
        type: "button",
        disabled: offset <= 0,
        onclick: () => go(Math.max(0, offset - limit)),
      },
      "← Newer",
    ),
    h("span", null, `Rows ${int(from)}–${int(to)} of ${int(total)}`),
    h(
      "button",
      {
        type: "button",
        disabled: to >= total,
        onclick: () => go(offset + limit),
      },
      "Older →",
    ),
  );
}

/** A labelled `<select>`; `options` are strings or `[value, label]`. */
export function select(name, label, options, value) {
  return h(
    "label",
    null,
    label,
    h(
      "select",
      { name },
      options.map((o) => {
        const [v, text] = Array.isArray(o) ? o : [o, o];
        return h("option", { value: v, selected: v === (value ?? "") }, text);
      }),
    ),
  );
}

/** A labelled `<input>`. */
export function input(name, label, value, attrs = {}) {
  return h(
    "label",
    null,
    label,
    h("input", { name, value: value ?? "", ...attrs }),
  );
}

/** The symbols and timeframes of the watched series, sorted. */
export function seriesChoices(status) {
  const series = status?.series ?? [];
  const symbols = [...new Set(series.map((x) => x.symbol))].sort();
  const timeframes = [...new Set(series.map((x) => x.timeframe))].sort((a, b) =>
    tfMinutes(a) - tfMinutes(b)
  );
  return { symbols, timeframes };
}

/** A filter form: `fields` are controls; submit calls `apply(values)` with non-empty values. */
export function filterForm(fields, apply, extra) {
  const form = h(
    "form",
    { class: "filters", role: "search" },
    fields,
    h("button", { type: "submit" }, "Apply"),
    h("button", { type: "reset" }, "Clear"),
    extra,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const values = {};
    for (const [k, v] of new FormData(form)) {
      if (v !== "") values[k] = String(v);
    }
    apply(values);
  });
  form.addEventListener("reset", (event) => {
    event.preventDefault();
    apply({});
  });
  return form;
}

function field(evidence, key) {
  const v = evidence?.[key];
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

/** One line of the optimizer evidence of a preset (out-of-sample figures), or null. */
export function evidenceSummary(evidence) {
  if (evidence === null || typeof evidence !== "object") return null;
  const parts = [];
  const add = (key, text) => {
    const v = field(evidence, key);
    if (v !== null) parts.push(text(v));
  };
  add("test_sharpe", (v) => `Sharpe ${num(v, 2)}`);
  add("test_profit_factor", (v) => `PF ${num(v, 2)}`);
  add("test_winrate_tp1", (v) => `TP1 win ${pct(v)}`);
  add("test_max_drawdown", (v) => `max DD ${pct(v)}`);
  add("test_total_trades", (v) => `${int(v)} trades`);
  add("robustness_score", (v) => `robustness ${num(v, 0)}`);
  add("walk_forward_efficiency", (v) => `WFE ${num(v, 2)}`);
  const range = evidence.test_start && evidence.test_end
    ? `test ${evidence.test_start}…${evidence.test_end}`
    : "";
  if (parts.length === 0 && range === "") return genericSummary(evidence);
  return [parts.join(" · "), range].filter(Boolean).join("; ");
}

/** `a.b 1 · c 2`: the scalar leaves of an evidence object of another shape. */
function genericSummary(evidence) {
  const leaves = [];
  const walk = (value, path) => {
    if (value !== null && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) {
        walk(v, path === "" ? k : `${path}.${k}`);
      }
    } else if (value !== null && value !== undefined) {
      leaves.push(
        `${path} ${
          typeof value === "number"
            ? num(value, Number.isInteger(value) ? 0 : 2)
            : value
        }`,
      );
    }
  };
  walk(evidence, "");
  return leaves.length === 0 ? null : leaves.join(" · ");
}

/** `i1=… i2=…` of indicator parameters. */
export function paramsText(params) {
  return Object.entries(params ?? {}).map(([k, v]) =>
    `${k}=${typeof v === "object" ? JSON.stringify(v) : v}`
  )
    .join(" ");
}
