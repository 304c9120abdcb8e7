{% autoescape off %}// Ducha's service worker, served at /sw.js (supervision/views.py: service_worker; docs/security.md →
// "Offline pages"). What it keeps:
// - the static files (hashed names in production, so a new release brings new names and a new worker);
// - the pages a view marks with the X-Ducha-Offline header (the inspection round being filled in),
//   in one cache named after the session that loaded them. A page carrying another session's key,
//   a page saying "session" with another key or none (log-out, the log-in page) drops every other
//   session's pages, so one session's page (and its CSRF token) is never shown to another.
// It never keeps a POST, an answer or a photo: those wait in the page's own queue (static/js/inspections.js).
"use strict";
const CONFIG = {{ config }};
const STATIC = "ducha-static-" + CONFIG.version;
const PAGES = "ducha-pages-";

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(STATIC).then((cache) => cache.addAll(CONFIG.precache)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names.filter((n) => n.startsWith("ducha-static-") && n !== STATIC).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()));
});

// Drop the pages of every session but `key`'s ("" drops them all).
async function dropPagesBut(key) {
  const names = await caches.keys();
  await Promise.all(names.filter((n) => n.startsWith(PAGES) && n !== PAGES + key).map((n) => caches.delete(n)));
}

// The one session's pages there may be.
async function pages() {
  const names = (await caches.keys()).filter((n) => n.startsWith(PAGES));
  return names.length === 1 ? caches.open(names[0]) : null;
}

function pageUrl(raw) {
  const url = new URL(raw);
  url.hash = "";
  url.search = "";
  return url.href;
}

// After a page came from the server: kept if its view says so (for its session), forgotten if it no
// longer does (the round was submitted or discarded).
async function remember(url, response) {
  if (response.status !== 200 || response.redirected || response.type !== "basic") { return; }
  const key = response.headers.get(CONFIG.header);
  if (!key) {  // (the body is not read here)
    const cache = await pages();
    if (cache) { await cache.delete(url); }
    return;
  }
  await dropPagesBut(key);
  const cache = await caches.open(PAGES + key);
  await cache.put(url, response);
}

async function kept(url) {
  const cache = await pages();
  return cache ? cache.match(url, { ignoreVary: true }) : undefined;
}

async function page(event) {
  const url = pageUrl(event.request.url);
  let response;
  try {
    response = await fetch(event.request);
  } catch (error) {
    const copy = await kept(url);
    if (copy) { return copy; }
    throw error;
  }
  // A gateway that answers for a server it cannot reach (the ward's proxy): the kept copy if any.
  if ([502, 503, 504].includes(response.status)) { return (await kept(url)) || response; }
  // Copied only when kept (a download passing through is not held in memory twice).
  event.waitUntil(remember(url, response.headers.has(CONFIG.header) ? response.clone() : response));
  return response;
}

async function staticFile(request) {
  const cache = await caches.open(STATIC);
  if (CONFIG.hashed) {
    const kept = await cache.match(request, { ignoreSearch: true });
    if (kept) { return kept; }
  }
  try {
    const response = await fetch(request);
    if (response.status === 200 && response.type === "basic") { await cache.put(request, response.clone()); }
    return response;
  } catch (error) {
    const kept = await cache.match(request, { ignoreSearch: true });
    if (kept) { return kept; }
    throw error;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") { return; }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (url.pathname.startsWith(CONFIG.static)) { event.respondWith(staticFile(request)); return; }
  // Only the pages that may be kept go through the worker; the others (downloads too) are the browser's.
  if (request.mode === "navigate" && CONFIG.pages.some((prefix) => url.pathname.startsWith(prefix))) {
    event.respondWith(page(event));
  }
});

// From the pages (static/js/ducha.js, static/js/inspections.js).
self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "session") {
    event.waitUntil(dropPagesBut(typeof data.key === "string" ? data.key : ""));
  } else if (data.type === "keep" && typeof data.url === "string") {
    // Keep (or bring up to date) this page's copy: the first visit, before the worker controlled
    // the page, and after the queue was sent, so a reload offline shows what the server holds.
    const url = new URL(data.url, self.location.origin);
    if (url.origin !== self.location.origin) { return; }
    event.waitUntil(
      fetch(url.href, { credentials: "same-origin", cache: "no-store" })
        .then((response) => remember(pageUrl(url.href), response))
        .catch(() => undefined));
  }
});
{% endautoescape %}
