import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SqliteStorage } from '../storage/sqlite.js';
import { SyncServer, type SyncServerOptions } from '../sync-server.js';
import { attachSyncServer, type WsAdapterOptions } from '../ws-adapter.js';
import { storeDemoBoard } from './demo-board.js';

/** The Node adapter's own policies: Origin allow-list, client addresses, frame size. */
describe('attachSyncServer', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function serve(adapter: WsAdapterOptions, sync: Partial<SyncServerOptions> = {}) {
    const dir = mkdtempSync(join(tmpdir(), 'tabla-adapter-'));
    const storage = SqliteStorage.open(join(dir, 'b.db'));
    const server = new SyncServer({ storage, unloadDelayMs: 10, ...sync });
    const http: Server = createServer();
    attachSyncServer(http, server, adapter);
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const { boardId, tokens } = await storeDemoBoard(storage, 't');
    cleanups.push(async () => {
      await server.close();
      http.closeAllConnections();
      await new Promise((r) => http.close(r));
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/sync/${boardId}?token=${tokens.editor}`;
    return { url, server };
  }

  /** Resolves with the HTTP status of a refused upgrade, or 101 and the socket once open. */
  const attempt = (url: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; ws: WebSocket }>((resolve) => {
      const ws = new WebSocket(url, { headers });
      ws.on('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0, ws }));
      ws.on('open', () => resolve({ status: 101, ws }));
      ws.on('error', () => {});
    });

  it('refuses a page of another origin with 403 before the upgrade; its own origin and listed ones pass', async () => {
    const { url } = await serve({ allowOrigin: (origin, req) => origin === undefined || origin === 'https://partner.example' || new URL(origin).host === req.headers.host });
    const host = new URL(url).host;
    expect((await attempt(url, { origin: 'https://evil.example' })).status).toBe(403);
    const own = await attempt(url, { origin: `http://${host}` });
    expect(own.status).toBe(101);
    const listed = await attempt(url, { origin: 'https://partner.example' });
    expect(listed.status).toBe(101);
    own.ws.close();
    listed.ws.close();
  });

  it('counts connections per client address, from X-Forwarded-For only when the proxy is trusted', async () => {
    const closeCode = (ws: WebSocket) => new Promise<number>((r) => ws.on('close', (code) => r(code)));
    const trusted = await serve({ trustProxy: true }, { maxConnectionsPerIp: 1 });
    const a = await attempt(trusted.url, { 'x-forwarded-for': '10.0.0.1' });
    const b = await attempt(trusted.url, { 'x-forwarded-for': '10.0.0.2, 172.16.0.1' });
    const c = await attempt(trusted.url, { 'x-forwarded-for': '10.0.0.1' });
    expect(await closeCode(c.ws)).toBe(4429);
    expect(a.ws.readyState).toBe(WebSocket.OPEN);
    expect(b.ws.readyState).toBe(WebSocket.OPEN);
    a.ws.close();
    b.ws.close();

    const untrusted = await serve({}, { maxConnectionsPerIp: 1 });
    const d = await attempt(untrusted.url, { 'x-forwarded-for': '10.0.0.1' });
    const e = await attempt(untrusted.url, { 'x-forwarded-for': '10.0.0.2' }); // same real address
    expect(await closeCode(e.ws)).toBe(4429);
    d.ws.close();
  });

  it('[R7][R8] memory stays bounded under a flood of hostile frames (each refused)', async () => {
    const { url } = await serve({ maxFrameBytes: 64 * 1024 }, { maxConnectionsPerIp: 10_000, freeRefusalsPerAddress: Infinity });
    let seed = 7;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const flood = async (n: number) => {
      let refused = 0;
      for (let i = 0; i < n; i += 25) {
        await Promise.all(
          Array.from({ length: 25 }, async () => {
            const { ws, status } = await attempt(url);
            if (status !== 101) return;
            const big = random() < 0.2;
            const frame = Buffer.alloc(big ? 128 * 1024 : Math.floor(random() * 2048) + 1, Math.floor(random() * 256));
            frame[0] = Math.floor(random() * 4); // a known message type with a garbage body
            const code = await new Promise<number>((r) => {
              ws.on('close', (c) => r(c));
              ws.send(frame);
              setTimeout(() => ws.terminate(), 3_000);
            });
            if (code === 4400 || code === 4422 || code === 1009 || code === 4403) refused++;
          }),
        );
      }
      return refused;
    };
    await flood(100); // warm up allocators and JIT
    global.gc?.();
    const before = process.memoryUsage().heapUsed;
    const refused = await flood(500);
    global.gc?.();
    const growthMb = (process.memoryUsage().heapUsed - before) / 1024 / 1024;
    expect(refused).toBeGreaterThan(480); // a random frame may, rarely, be a valid message
    expect(growthMb).toBeLessThan(64);
  }, 60_000);
});
