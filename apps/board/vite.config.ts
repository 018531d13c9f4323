import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';
import react from '@vitejs/plugin-react';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

/**
 * Lazy chunks (set-up panel, projector panel, …) and what they share, listed in index.html as prefetch
 * links inside an inert <template id="lazy-assets">: the browser fetches nothing of it during the
 * first load, where on venue Wi-Fi every byte delays the board. The service worker (public/sw.js),
 * registered once the board is shown, keeps every asset the page references, these too, so they
 * open offline; without a service worker the page adds the links then (src/session/after-board-shown.ts).
 */
function listLazyChunks(): Plugin {
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
        const links = files.map((href) => ({ tag: 'link', attrs: { rel: 'prefetch', href } }));
        return [{ tag: 'template', attrs: { id: 'lazy-assets' }, children: links, injectTo: 'head' as const }];
      },
    },
  };
}

/** Text the server sends compressed; source maps are left out: only developers fetch them. */
const COMPRESSIBLE = /\.(?:js|css|html|svg|json|webmanifest)$/;
/** Below this, compression saves less than a packet. */
const COMPRESS_MIN_BYTES = 1_024;

/**
 * Writes `x.br` and `x.gz` beside every compressible file of the built app (assets, index.html, the
 * service worker), once at build time, at the highest levels: the server (`serveStatic` with
 * `precompressed`) picks one by Accept-Encoding instead of compressing each request. Venue Wi-Fi
 * makes the first load a matter of bytes: 580 KB of JavaScript is about 150 KB in brotli.
 */
function precompressBuiltFiles(): Plugin {
  const brotli = promisify(brotliCompress);
  const gz = promisify(gzip);
  let outDir = 'dist';
  return {
    name: 'tabla-precompress',
    apply: 'build',
    configResolved: (config) => {
      outDir = resolve(config.root, config.build.outDir);
    },
    // closeBundle, not writeBundle: the public files (sw.js) are in outDir by then too.
    closeBundle: async () => {
      const files = (await readdir(outDir, { recursive: true })).filter((f) => COMPRESSIBLE.test(f));
      await Promise.all(
        files.map(async (file) => {
          const path = join(outDir, file);
          const bytes = await readFile(path);
          if (bytes.length < COMPRESS_MIN_BYTES) return;
          const [br, gzipped] = await Promise.all([
            brotli(bytes, {
              params: {
                [zlib.BROTLI_PARAM_QUALITY]: zlib.BROTLI_MAX_QUALITY,
                [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT,
                [zlib.BROTLI_PARAM_SIZE_HINT]: bytes.length,
              },
            }),
            gz(bytes, { level: zlib.Z_BEST_COMPRESSION }),
          ]);
          await Promise.all([writeFile(`${path}.br`, br), writeFile(`${path}.gz`, gzipped)]);
        }),
      );
    },
  };
}

// `npm run dev`: the Vite dev server with hot reload, proxying the API and the sync
// socket to the Node server (PORT, default 8787).
const target = `http://127.0.0.1:${process.env.PORT ?? 8787}`;

export default defineConfig({
  plugins: [react(), listLazyChunks(), precompressBuiltFiles()],
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
