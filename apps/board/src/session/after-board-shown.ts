/**
 * What the first load leaves until the board is shown. On venue Wi-Fi (200 KB/s) every byte fetched
 * before then delays the board itself: the service worker (public/sw.js), which keeps the app shell
 * and every lazy chunk that index.html lists for offline use, and, where there is no service worker,
 * prefetches of those chunks. Both start once the board is on screen and the browser is idle.
 */

/** The `<template>` in the built index.html with a prefetch link for each lazy chunk (vite.config.ts). */
const LAZY_ASSETS_ID = 'lazy-assets';
const IDLE_TIMEOUT_MS = 2_000;

let started = false;

/** Idempotent: the first call schedules the work, later ones (a new session, a remount) do nothing. */
export function afterBoardShown(): void {
  if (started) return;
  started = true;
  const idle = (run: () => void) => (typeof requestIdleCallback === 'function' ? requestIdleCallback(run, { timeout: IDLE_TIMEOUT_MS }) : setTimeout(run, 0));
  idle(() => {
    // Not in development: Vite serves changing modules there (and lists no lazy chunks).
    if (!import.meta.env.PROD) return;
    if (!('serviceWorker' in navigator)) return prefetchLazyChunks();
    navigator.serviceWorker.register('/sw.js').catch(prefetchLazyChunks);
  });
}

/** Without a service worker the lazy chunks are at least in the HTTP cache before the Wi-Fi drops. */
function prefetchLazyChunks(): void {
  const template = document.getElementById(LAZY_ASSETS_ID);
  if (template instanceof HTMLTemplateElement) document.head.append(template.content.cloneNode(true));
}
