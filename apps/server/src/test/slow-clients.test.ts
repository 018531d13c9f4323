/**
 * Slow and silent clients over real sockets (issue 9): the built server with small timeouts and
 * caps from the environment (the wiring of main.ts), and, for an authorization that never
 * finishes, an in-process server composed like main.ts with a sync core that never answers.
 */
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { attachSyncServer, SqliteStorage, SyncServer } from '@tabla/sync-server';
import { httpTimeouts, limitPendingConnections } from '../slow-clients.js';
import { ADMIN_TOKEN, SpawnedServer } from './spawned-server.js';

let cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function startServer(env: Record<string, string>): Promise<SpawnedServer> {
  const server = await SpawnedServer.start({ env });
  cleanups.push(() => server.dispose());
  return server;
}

interface RawSocket {
  /** What the server sent so far. */
  received(): string;
  /** Resolves when the server closed the socket: ms since it connected, and what it sent. */
  readonly closed: Promise<{ ms: number; received: string }>;
  write(data: string): void;
  /** Ends it as a vanished peer would (a TCP reset). */
  reset(): void;
}

/** A plain TCP connection that sends only what the test writes. */
function rawSocket(port: number): Promise<RawSocket> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let received = '';
    const socket = connect(port, '127.0.0.1');
    socket.on('data', (d) => (received += d.toString('latin1')));
    socket.on('error', () => {}); // a reset by the server is one way to be closed
    const closed = new Promise<{ ms: number; received: string }>((done) =>
      socket.on('close', () => done({ ms: Math.round(performance.now() - started), received })),
    );
    cleanups.push(() => void socket.destroy());
    socket.once('connect', () =>
      resolve({ received: () => received, closed, write: (data) => socket.write(data), reset: () => socket.resetAndDestroy() }),
    );
    socket.once('error', reject);
  });
}

/** The headers of a WebSocket upgrade to the sync endpoint (the socket then waits for the answer). */
const upgradeRequest = (port: number, boardId = 'demo', token = 'some-token') =>
  `GET /sync/${boardId}?token=${token} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('slow clients against the built server', () => {
  it('[R13] closes a socket that sends half a request line, or nothing, after HEADER_TIMEOUT_MS (408)', async () => {
    const server = await startServer({ HEADER_TIMEOUT_MS: '300', REQUEST_TIMEOUT_MS: '600' });
    const partial = await rawSocket(server.port);
    partial.write('GET /healthz HTTP/1.1\r\nHost: 127.0');
    const silent = await rawSocket(server.port);
    for (const socket of [partial, silent]) {
      const { ms, received } = await socket.closed;
      expect(received).toMatch(/^HTTP\/1\.1 408 /);
      // Node looks for late sockets every 100 ms here (a tenth of the timeout, at least 100 ms).
      expect(ms).toBeGreaterThanOrEqual(250);
      expect(ms).toBeLessThan(1_500);
    }
    // The server itself is fine: a whole request is answered.
    expect((await fetch(`${server.baseUrl}/healthz`, { headers: { connection: 'close' } })).status).toBe(200);
  });

  it('[R13] closes a request whose body never finishes after REQUEST_TIMEOUT_MS, and leaves WebSockets alone', async () => {
    const server = await startServer({ HEADER_TIMEOUT_MS: '300', REQUEST_TIMEOUT_MS: '600' });
    const board = await server.createBoard('Slow', 'empty');
    const ws = new WebSocket(`${server.wsUrl}/${board.id}?token=${board.tokens.viewer}`);
    cleanups.push(() => ws.terminate());
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    let wsClosed = false;
    ws.on('close', () => (wsClosed = true));

    const slowBody = await rawSocket(server.port);
    // Authorized, so the API waits for the body it will never get whole.
    slowBody.write(
      `POST /api/boards HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${ADMIN_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"ti`,
    );
    const { ms, received } = await slowBody.closed;
    expect(received).toMatch(/^HTTP\/1\.1 408 /);
    expect(ms).toBeGreaterThanOrEqual(550);
    expect(ms).toBeLessThan(2_000);

    await settle(400); // the socket has now lived twice the request timeout
    expect(wsClosed).toBe(false);
    expect(ws.readyState).toBe(WebSocket.OPEN);
  });

  it('[R13] answers 429 to a connection over MAX_PENDING_CONNECTIONS_PER_IP sockets that sent no request yet', async () => {
    const server = await startServer({ MAX_PENDING_CONNECTIONS_PER_IP: '3' });
    const waiting = [await rawSocket(server.port), await rawSocket(server.port), await rawSocket(server.port)];
    await settle(100); // the server has accepted them
    const refused = await rawSocket(server.port);
    const { received } = await refused.closed;
    expect(received).toMatch(/^HTTP\/1\.1 429 /);

    // A socket that completes its request stops counting, as does one that leaves.
    waiting[0]!.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    waiting[1]!.reset();
    await settle(100);
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${server.baseUrl}/healthz`, { headers: { connection: 'close' } });
      expect(res.status).toBe(200);
    }
    expect(waiting[0]!.received()).toMatch(/^HTTP\/1\.1 200 /);
  });
});

describe('WebSocket upgrades whose authorization does not finish', () => {
  /** Composed like main.ts, with a sync core whose authorization never answers. */
  async function stalledServer(options: { maxPending: number; authorizeTimeoutMs: number }) {
    const storage = SqliteStorage.open(':memory:');
    const sync = new SyncServer({ storage });
    const authorize = vi.spyOn(sync, 'authorize').mockImplementation(() => new Promise(() => {}));
    const server: Server = createServer(httpTimeouts(10_000, 30_000), (_req, res) => res.end('ok'));
    limitPendingConnections(server, options.maxPending);
    attachSyncServer(server, sync, { maxPendingUpgradesPerIp: options.maxPending, authorizeTimeoutMs: options.authorizeTimeoutMs });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await sync.close();
      await storage.close();
    });
    return { port: (server.address() as AddressInfo).port, authorize };
  }

  const upgrade = async (port: number) => {
    const socket = await rawSocket(port);
    socket.write(upgradeRequest(port));
    return socket;
  };

  it('[R13] answers 429 before the upgrade over the cap of pending upgrades per address, 503 at the deadline', async () => {
    const { port, authorize } = await stalledServer({ maxPending: 2, authorizeTimeoutMs: 400 });
    const pending = [await upgrade(port), await upgrade(port)];
    await vi.waitFor(() => expect(authorize).toHaveBeenCalledTimes(2));

    const over = await upgrade(port);
    expect((await over.closed).received).toMatch(/^HTTP\/1\.1 429 /);
    expect(authorize).toHaveBeenCalledTimes(2); // refused before any storage work

    // Pending upgrades no longer count as silent sockets: a plain request still gets through.
    expect((await fetch(`http://127.0.0.1:${port}/`, { headers: { connection: 'close' } })).status).toBe(200);

    for (const socket of pending) {
      const { ms, received } = await socket.closed;
      expect(received).toMatch(/^HTTP\/1\.1 503 /);
      expect(ms).toBeGreaterThanOrEqual(350);
      expect(ms).toBeLessThan(2_000);
    }
    // Their slots are free again.
    await upgrade(port);
    await vi.waitFor(() => expect(authorize).toHaveBeenCalledTimes(3));
  });

  it('a client that leaves (even with a reset) while its upgrade waits frees its slot, and the server lives on', async () => {
    const { port, authorize } = await stalledServer({ maxPending: 1, authorizeTimeoutMs: 10_000 });
    const first = await upgrade(port);
    await vi.waitFor(() => expect(authorize).toHaveBeenCalledTimes(1));
    first.reset();
    await settle(100);
    const second = await upgrade(port);
    await vi.waitFor(() => expect(authorize).toHaveBeenCalledTimes(2));
    expect(second.received()).toBe(''); // waiting, not refused
  });
});
