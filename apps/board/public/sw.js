/*
 * Tabla's service worker: the board app opens without a network (venue Wi-Fi). Hand-written,
 * no build step; registered once the board is shown (src/session/after-board-shown.ts), in production builds only. The board's data never
 * goes through here: the document lives in IndexedDB and syncs over the WebSocket.
 *
 * - Page loads (navigations): the network first, with the last index.html as the fallback
 *   when it fails or is slow. Every page of the app is the same index.html.
 * - /assets/* (content-hashed names, never change): the cache first.
 * - /api, /sync, /healthz, /readyz, /metrics: never touched (not even passed through).
 * - Anything else (favicon, this file): the browser's own way.
 */
const CACHE = 'tabla-shell-v1';
const SHELL = '/index.html';
/** After this long, a page load uses the cached app and the network answer only refreshes the cache. */
const NETWORK_TIMEOUT_MS = 4000;
const NEVER = /^\/(?:api|sync|healthz|readyz|metrics)(?:\/|$)/;

/** The hashed files a page references (its script, styles, preloads, and the lazy chunks its <template id="lazy-assets"> lists). */
const assetsOf = (html) => [...new Set([...html.matchAll(/(?:src|href)="(\/assets\/[^"?#]+)"/g)].map((m) => m[1]))];

/**
 * Caches a fresh index.html and, when it is a new version, the assets it references, then
 * drops the assets no version in use references any more. Run on install and after each
 * successful page load.
 */
async function keepShell(response) {
  const cache = await caches.open(CACHE);
  const html = await response.clone().text();
  const previous = await cache.match(SHELL);
  const previousHtml = previous ? await previous.text() : null;
  if (html === previousHtml) return;
  const assets = assetsOf(html);
  // Assets first: a cached page must never reference an asset the cache does not have.
  await Promise.all(
    assets.map(async (path) => {
      if (await cache.match(path)) return;
      const res = await fetch(path, { cache: 'no-cache' });
      if (res.ok) await cache.put(path, res);
    }),
  );
  await cache.put(SHELL, response);
  const keep = new Set(assets.map((path) => new URL(path, self.location.origin).href));
  for (const request of await cache.keys()) {
    if (new URL(request.url).pathname.startsWith('/assets/') && !keep.has(request.url)) await cache.delete(request);
  }
}

const isHtml = (response) => response.ok && (response.headers.get('content-type') ?? '').includes('text/html');

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const response = await fetch(SHELL, { cache: 'no-cache' });
      if (!isHtml(response)) throw new Error(`${SHELL}: ${response.status}`);
      await keepShell(response);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) if (key.startsWith('tabla-') && key !== CACHE) await caches.delete(key);
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || NEVER.test(url.pathname)) return;
  if (request.mode === 'navigate') event.respondWith(navigate(event));
  else if (url.pathname.startsWith('/assets/')) event.respondWith(asset(request));
});

async function navigate(event) {
  const network = fetch(event.request).then((response) => {
    if (isHtml(response)) event.waitUntil(keepShell(response.clone()).catch(() => undefined));
    return response;
  });
  const cached = caches.open(CACHE).then((cache) => cache.match(SHELL));
  const timeout = new Promise((resolve) => setTimeout(resolve, NETWORK_TIMEOUT_MS));
  try {
    // The network's answer, unless it fails or takes longer than the timeout while a cached app exists.
    const first = await Promise.race([network, timeout.then(() => cached)]);
    if (first) return first;
    return await network;
  } catch {
    const fallback = await cached;
    if (fallback) return fallback;
    return Response.error();
  }
}

async function asset(request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(request);
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok) await cache.put(request, response.clone());
  return response;
}
