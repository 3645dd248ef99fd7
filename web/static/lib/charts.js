/**
 * Hand-drawn SVG charts: a time series (line or area below zero) with a hover read-out, and
 * bars around zero. Each chart fills its container's width and redraws when it changes.
 *
 * @module
 */
import { h, replace, s } from "./dom.js";

const M = { top: 12, right: 14, bottom: 26, left: 62 };

/** The chart's `<svg>`: `width` × `height`, labelled `label` for screen readers. */
function chartSvg(width, height, label, ...children) {
  return s(
    "svg",
    {
      class: "chart",
      width,
      height,
      viewBox: `0 0 ${width} ${height}`,
      role: "img",
      "aria-label": label,
    },
    s("title", null, label),
    ...children,
  );
}

function niceTicks(min, max, count) {
  if (!(max > min)) {
    const pad = Math.abs(min) > 0 ? Math.abs(min) * 0.01 : 1;
    min -= pad;
    max += pad;
  }
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const err = raw / mag;
  const step = (err >= 7.5 ? 10 : err >= 3.5 ? 5 : err >= 1.5 ? 2 : 1) * mag;
  const first = Math.floor(min / step);
  const last = Math.ceil(max / step);
  const ticks = [];
  // Multiples of the step (no accumulated error); + 0 turns -0 into 0.
  for (let i = first; i <= last; i++) {
    ticks.push(Number((i * step).toPrecision(12)) + 0);
  }
  return { lo: ticks[0], hi: ticks[ticks.length - 1], ticks };
}

const observers = new WeakMap();

/** Calls `draw(width)` now and whenever the container's width changes. */
function responsive(container, draw) {
  let last = -1;
  const run = () => {
    const width = Math.max(260, Math.floor(container.clientWidth || 640));
    if (width === last) return;
    last = width;
    draw(width);
  };
  run();
  observers.get(container)?.disconnect();
  if (typeof ResizeObserver === "function") {
    const observer = new ResizeObserver(() => {
      if (!container.isConnected) observer.disconnect();
      else run();
    });
    observer.observe(container);
    observers.set(container, observer);
  }
}

/**
 * A time series chart. `points` are `{ t, v }`; options: `label` (accessible name), `height`,
 * `area` (fill to zero), `tone` (`accent`, `neg`), `formatY(v)`, `formatX(t)`, `formatTip(p)`.
 */
export function timeChart(container, points, options) {
  const {
    label,
    height = 200,
    area = false,
    tone = "accent",
    formatY = (v) => String(v),
    formatX = (t) => String(t),
    formatTip = (p) => `${formatX(p.t)}  ${formatY(p.v)}`,
    zero = false,
  } = options;
  if (points.length === 0) {
    observers.get(container)?.disconnect();
    replace(container, h("p", { class: "empty" }, "No data yet"));
    return;
  }
  responsive(container, (width) => {
    const values = points.map((p) => p.v);
    let min = Math.min(...values);
    let max = Math.max(...values);
    if (zero) {
      min = Math.min(min, 0);
      max = Math.max(max, 0);
    }
    const { lo, hi, ticks } = niceTicks(min, max, 4);
    const t0 = points[0].t;
    const t1 = points[points.length - 1].t;
    const iw = width - M.left - M.right;
    const ih = height - M.top - M.bottom;
    const x = (t) =>
      M.left + (t1 === t0 ? iw / 2 : ((t - t0) / (t1 - t0)) * iw);
    const y = (v) => M.top + (hi === lo ? ih / 2 : ((hi - v) / (hi - lo)) * ih);
    const line = points.map((p, i) =>
      `${i === 0 ? "M" : "L"}${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`
    )
      .join("");
    const base = y(Math.min(Math.max(0, lo), hi));
    const grid = ticks.map((v) =>
      s(
        "g",
        { class: "tick" },
        s("line", { x1: M.left, x2: width - M.right, y1: y(v), y2: y(v) }),
        s(
          "text",
          { x: M.left - 6, y: y(v) + 4, "text-anchor": "end" },
          formatY(v),
        ),
      )
    );
    const xCount = Math.max(2, Math.min(points.length, Math.floor(iw / 110)));
    const xTicks = [];
    for (let i = 0; i < xCount; i++) {
      const p =
        points[Math.round((i * (points.length - 1)) / Math.max(1, xCount - 1))];
      if (xTicks.some((q) => q.t === p.t)) continue;
      xTicks.push(p);
    }
    const xLabels = xTicks.map((p, i) =>
      s("text", {
        x: x(p.t),
        y: height - 6,
        "text-anchor": xTicks.length === 1
          ? "middle"
          : i === 0
          ? "start"
          : i === xTicks.length - 1
          ? "end"
          : "middle",
      }, formatX(p.t))
    );
    const shapes = [];
    if (area && points.length > 1) {
      const fill = `${line}L${x(t1).toFixed(1)},${base.toFixed(1)}L${
        x(t0).toFixed(1)
      },${base.toFixed(1)}Z`;
      shapes.push(s("path", { d: fill, class: `area ${tone}` }));
    }
    shapes.push(s("path", { d: line, class: `line ${tone}` }));
    if (points.length === 1) {
      shapes.push(
        s("circle", {
          cx: x(t0),
          cy: y(points[0].v),
          r: 3,
          class: `dot ${tone}`,
        }),
      );
    }
    const cursor = s("line", {
      class: "cursor",
      y1: M.top,
      y2: M.top + ih,
      x1: -10,
      x2: -10,
    });
    const marker = s("circle", {
      class: `dot ${tone}`,
      r: 3.5,
      cx: -10,
      cy: -10,
    });
    const tipText = s("text", { class: "tip-text", x: 0, y: 0 });
    const tipBox = s("rect", { class: "tip-box", rx: 4, width: 0, height: 20 });
    const tip = s("g", { class: "tip", visibility: "hidden" }, tipBox, tipText);
    const overlay = s("rect", {
      class: "overlay",
      x: M.left,
      y: M.top,
      width: iw,
      height: ih,
    });
    const move = (event) => {
      const box = svg.getBoundingClientRect();
      const px = ((event.clientX - box.left) / box.width) * width;
      let best = points[0];
      for (const p of points) {
        if (Math.abs(x(p.t) - px) < Math.abs(x(best.t) - px)) best = p;
      }
      const cx = x(best.t);
      const cy = y(best.v);
      cursor.setAttribute("x1", cx);
      cursor.setAttribute("x2", cx);
      marker.setAttribute("cx", cx);
      marker.setAttribute("cy", cy);
      const text = formatTip(best);
      tipText.textContent = text;
      const tw = text.length * 6.6 + 12;
      const tx = Math.min(Math.max(cx - tw / 2, M.left), width - M.right - tw);
      tipBox.setAttribute("x", tx);
      tipBox.setAttribute("y", M.top);
      tipBox.setAttribute("width", tw);
      tipText.setAttribute("x", tx + 6);
      tipText.setAttribute("y", M.top + 14);
      tip.setAttribute("visibility", "visible");
    };
    const leave = () => {
      tip.setAttribute("visibility", "hidden");
      cursor.setAttribute("x1", -10);
      cursor.setAttribute("x2", -10);
      marker.setAttribute("cx", -10);
    };
    const svg = chartSvg(
      width,
      height,
      label,
      grid,
      xLabels,
      shapes,
      cursor,
      marker,
      tip,
      overlay,
    );
    overlay.addEventListener("pointermove", move);
    overlay.addEventListener("pointerleave", leave);
    replace(container, svg);
  });
}

/**
 * Bars around zero. `items` are `{ label, value }`; options: `label`, `height`, `formatY`.
 */
export function barChart(container, items, options) {
  const { label, height = 200, formatY = (v) => String(v) } = options;
  if (items.length === 0) {
    observers.get(container)?.disconnect();
    replace(container, h("p", { class: "empty" }, "No data yet"));
    return;
  }
  responsive(container, (width) => {
    const values = items.map((d) => d.value);
    const { lo, hi, ticks } = niceTicks(
      Math.min(0, ...values),
      Math.max(0, ...values),
      4,
    );
    const iw = width - M.left - M.right;
    const ih = height - M.top - M.bottom;
    const y = (v) => M.top + ((hi - v) / (hi - lo)) * ih;
    const slot = iw / items.length;
    const bw = Math.max(2, Math.min(40, slot * 0.7));
    const every = Math.ceil(items.length / Math.max(1, Math.floor(iw / 64)));
    const grid = ticks.map((v) =>
      s(
        "g",
        { class: v === 0 ? "tick zero" : "tick" },
        s("line", { x1: M.left, x2: width - M.right, y1: y(v), y2: y(v) }),
        s(
          "text",
          { x: M.left - 6, y: y(v) + 4, "text-anchor": "end" },
          formatY(v),
        ),
      )
    );
    const bars = items.map((d, i) => {
      const cx = M.left + slot * i + slot / 2;
      const top = y(Math.max(0, d.value));
      const bottom = y(Math.min(0, d.value));
      return s(
        "g",
        null,
        s(
          "rect",
          {
            class: `bar ${d.value >= 0 ? "pos" : "neg"}`,
            x: cx - bw / 2,
            y: top,
            width: bw,
            height: Math.max(1, bottom - top),
          },
          s("title", null, `${d.label}: ${formatY(d.value)}`),
        ),
        i % every === 0
          ? s(
            "text",
            { x: cx, y: height - 6, "text-anchor": "middle" },
            d.label,
          )
          : null,
      );
    });
    replace(
      container,
      chartSvg(width, height, label, grid, bars),
    );
  });
}
