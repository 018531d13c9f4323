import react from '@vitejs/plugin-react';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

/**
 * Lazy chunks (set-up panel, projector panel, …) as <link rel="prefetch"> in index.html: the
 * browser fetches them when idle, while the venue's Wi-Fi still works, and the service worker
 * (public/sw.js) keeps every asset the page references, so they open offline too.
 */
function prefetchLazyChunks(): Plugin {
  return {
    name: 'tabla-prefetch-lazy-chunks',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler: (_html, ctx) => {
        const lazy = Object.values(ctx.bundle ?? {}).filter((c) => c.type === 'chunk' && c.isDynamicEntry);
        return lazy.map((chunk) => ({ tag: 'link', attrs: { rel: 'prefetch', href: `/${chunk.fileName}` }, injectTo: 'head' as const }));
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
