/**
 * Service worker of the status page: it caches the shell only (the page, its modules, styles,
 * icons and manifest), network first, so the newest shell is used whenever the daemon answers
 * and the cached one only when it does not. The API, the event stream, metrics and reports
 * are never intercepted or cached.
 */

const CACHE = "velas-shell-v1";

/** Every file of the shell (kept in step with web/static by a test). */
const SHELL = [
  "/",
  "/manifest.webmanifest",
  "/static/app.css",
  "/static/app.js",
  "/static/icon.svg",
  "/static/icon-maskable.svg",
  "/static/lib/api.js",
  "/static/lib/charts.js",
  "/static/lib/dom.js",
  "/static/lib/events.js",
  "/static/lib/format.js",
  "/static/lib/header.js",
  "/static/lib/kit.js",
  "/static/lib/parts.js",
  "/static/views/alerts.js",
  "/static/views/analytics.js",
  "/static/views/backtests.js",
  "/static/views/history.js",
  "/static/views/overview.js",
  "/static/views/pairs.js",
  "/static/views/positions.js",
  "/static/views/settings.js",
  "/static/views/signals.js",
  "/static/views/system.js",
];

/** True for shell paths; `/api`, `/events`, `/metrics`, `/reports` and the worker are not. */
function isShell(path) {
  return path === "/" || path === "/index.html" ||
    path === "/manifest.webmanifest" ||
    path.startsWith("/static/");
}

async function save(cache, path) {
  const response = await fetch(path, {
    cache: "no-store",
    credentials: "same-origin",
  });
  if (response.ok) await cache.put(path, response);
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE)
      .then((cache) =>
        Promise.allSettled(SHELL.map((path) => save(cache, path)))
      )
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) =>
        Promise.all(
          keys.filter((k) => k !== CACHE).map((k) => caches.delete(k)),
        )
      )
      .then(() => self.clients.claim()),
  );
});

async function networkFirst(request, key) {
  try {
    const response = await fetch(request);
    if (response.ok && response.type === "basic") {
      const copy = response.clone();
      caches.open(CACHE).then((cache) => cache.put(key, copy)).catch(() => {});
    }
    return response;
  } catch (error) {
    const hit = await caches.match(key);
    if (hit) return hit;
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || !isShell(url.pathname)) return;
  // `/?token=…` and `/` share one cached page.
  const key = url.pathname === "/index.html" ? "/" : url.pathname;
  event.respondWith(networkFirst(request, key));
});
