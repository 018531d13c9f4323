import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// `npm run dev`: the Vite dev server with hot reload, proxying the API and the sync
// socket to the Node server (PORT, default 8787).
const target = `http://127.0.0.1:${process.env.PORT ?? 8787}`;

export default defineConfig({
  plugins: [react()],
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
