import react from '@vitejs/plugin-react';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

/**
 * Lazy chunks (set-up panel, projector panel, …) and what they share as <link rel="prefetch"> in index.html: the
 * browser fetches them when idle, while the venue's Wi-Fi still works, and the service worker
 * (public/sw.js) keeps every asset the page references, so they open offline too.
 */
function prefetchLazyChunks(): Plugin {
  return {
    name: 'tabla-prefetch-lazy-chunks',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler: (html, ctx) => {
        // Every chunk and stylesheet the page does not already load: the lazy entries, and what
        // they share among themselves (a chunk two panels import), which offline would be missing.
        const files = Object.values(ctx.bundle ?? {})
          .filter((f) => (f.type === 'chunk' ? !f.isEntry : f.fileName.endsWith('.css')))
          .map((f) => `/${f.fileName}`)
          .filter((href) => !html.includes(`"${href}"`));
        return files.map((href) => ({ tag: 'link', attrs: { rel: 'prefetch', href }, injectTo: 'head' as const }));
      },
    },
  };
}

// `npm run dev`: the Vite dev server with hot reload, proxying the API and the sync
// socket to the Node server (PORT, default 8787).
const target = `http://127.0.0.1:${process.env.PORT ?? 8787}`;

export default defineConfig({
  plugins: [react(), prefetchLazyChunks()],
  build: { target: 'es2022', sourcemap: true },
  server: {
    port: Number(process.env.VITE_PORT ?? 5173),
    proxy: {
      '/api': { target },
      '/healthz': { target },
      '/sync': { target, ws: true },
    },
  },
  // Component tests render whole panels in jsdom: allow for a busy two-core machine.
  test: { environment: 'jsdom', testTimeout: 20_000 },
});
