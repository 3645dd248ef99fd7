/**
 * The header: mode, health badge, the daemon clock in the display time zone (ticking between
 * snapshots only in live mode; replay and demo show their own time), uptime, the live-updates
 * dot and the theme toggle (dark by default, or light when the system prefers it; the choice
 * is kept in localStorage).
 *
 * @module
 */
import { duration } from "./format.js";

const THEME_KEY = "velas-theme";

/** Draws the mode and health badges and the clock from `state.status`. */
export function renderHeader(state) {
  const st = state.status;
  if (!st) return;
  const mode = document.getElementById("mode");
  mode.textContent = st.mode;
  mode.className = `badge mode-${st.mode}`;
  mode.title = `Mode: ${st.mode}, version ${st.version}`;
  const health = document.getElementById("health");
  health.textContent = st.healthy ? "healthy" : "unhealthy";
  health.className = `badge ${st.healthy ? "ok" : "bad"}`;
  const notFresh = st.series.filter((x) => x.freshness !== "fresh").length;
  health.title = st.healthy
    ? "Every series is fresh"
    : `${notFresh} series not fresh`;
  tick(state);
}

/** Updates the clock and uptime (called every second). */
export function tick(state) {
  const st = state.status;
  if (!st) return;
  const elapsed = st.mode === "live" ? performance.now() - state.statusAt : 0;
  const now = st.now + elapsed;
  const fmt = state.fmt;
  const clock = document.getElementById("clock");
  const time = clock.querySelector("time");
  time.textContent = fmt.dateTimeSec(now);
  time.dateTime = new Date(now).toISOString();
  clock.querySelector(".zone").textContent = `${fmt.zone} (${
    fmt.zoneShort(now)
  })`;
  clock.title = st.mode === "live"
    ? "Daemon clock"
    : `Daemon clock (${st.mode} time)`;
  document.getElementById("uptime").textContent = `up ${
    duration(st.uptimeMs + elapsed)
  }`;
}

/** Shows the state of the event stream: `live`, `connecting` or `offline`. */
export function renderConn(conn) {
  const el = document.getElementById("conn");
  el.dataset.state = conn;
  el.setAttribute("aria-label", `Live updates: ${conn}`);
  el.title = `Live updates (/events): ${conn}`;
  el.querySelector("span").textContent = conn;
}

function storedTheme() {
  try {
    return localStorage.getItem(THEME_KEY);
  } catch {
    return null;
  }
}

function applyTheme(theme) {
  document.documentElement.dataset.theme = theme;
  const button = document.getElementById("theme");
  const next = theme === "dark" ? "light" : "dark";
  button.setAttribute("aria-label", `Switch to ${next} theme`);
  button.title = `Switch to ${next} theme`;
  button.textContent = theme === "dark" ? "☀" : "☾";
  const meta = document.querySelector('meta[name="theme-color"]');
  if (meta) meta.content = theme === "dark" ? "#0d1117" : "#ffffff";
}

/** Applies the stored or preferred theme and wires the toggle. */
export function initTheme() {
  const stored = storedTheme();
  const prefersLight = matchMedia("(prefers-color-scheme: light)").matches;
  applyTheme(
    stored === "light" || stored === "dark"
      ? stored
      : prefersLight
      ? "light"
      : "dark",
  );
  document.getElementById("theme").addEventListener("click", () => {
    const theme = document.documentElement.dataset.theme === "dark"
      ? "light"
      : "dark";
    try {
      localStorage.setItem(THEME_KEY, theme);
    } catch {
      // Private mode: the choice lasts until reload.
    }
    applyTheme(theme);
  });
}
