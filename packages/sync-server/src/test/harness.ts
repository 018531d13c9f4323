/**
 * Integration-test harness: a real SyncServer on a real SQLite file behind a real
 * node:http server on 127.0.0.1:<port 0>, with the stock and raw clients of
 * @tabla/test-clients. Every test starts its own server and registers its own teardown.
 */
import { onTestFinished } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WebSocketServer } from 'ws';
import * as Y from 'yjs';
import { readBoard, type BoardView, type Role } from '@tabla/plan-model';
import { type ClientOptions, connectStock, type RawClient, type RawClientOptions, rawClient, type StockClient, waitFor } from '@tabla/test-clients';
import { applyStoredState } from '../storage/document.js';
import { SqliteStorage, type SqliteFaultInjection } from '../storage/sqlite.js';
import type { BoardStorage } from '../storage/types.js';
import { SyncServer, type SyncServerOptions } from '../sync-server.js';
import { generateToken, hashToken } from '../tokens.js';
import { attachSyncServer } from '../ws-adapter.js';
import { storeDemoBoard, type TestBoard } from './demo-board.js';

export type { TestBoard };

export interface TestServerOptions {
  /** Overrides of the SyncServer options (the harness defaults to unloadDelayMs: 20). */
  readonly sync?: SyncOptions;
  /** Passed to attachSyncServer. */
  readonly maxFrameBytes?: number;
  /** SQLite test seam (hooks inside the write transactions). */
  readonly faultInjection?: SqliteFaultInjection;
}

export type SyncOptions = Partial<Omit<SyncServerOptions, 'storage'>>;

export interface TestServer extends TestBoard {
  readonly url: string;
  readonly port: number;
  /** A second demo board, to show that trouble on one board does not reach another. */
  readonly other: TestBoard;
  readonly dataFile: string;
  /** Current storage and sync server (replaced by `restart`). */
  storage: SqliteStorage;
  sync: SyncServer;
  /** The current server's WebSocketServer (its `clients` are the server ends of the sockets). */
  readonly wss: WebSocketServer;
  /** Stock client on the main board (or another), destroyed by `stop`. */
  connect(role: Role, board?: TestBoard, options?: ClientOptions): StockClient;
  /** Raw client on the main board (or another), terminated by `stop`. */
  raw(role: Role | { token: string | null; boardId?: string }, board?: TestBoard, options?: RawClientOptions): Promise<RawClient>;
  /**
   * Graceful shutdown of sync server, HTTP server and storage, then a new server on the same
   * file and port. `whileDown` runs in between (e.g. offline edits); `sync` overrides
   * SyncServer options from then on (e.g. a limit computed from the stored boards).
   */
  restart(whileDown?: () => void | Promise<void>, sync?: SyncOptions): Promise<void>;
  /** Closes everything and removes the temp dir. Idempotent. */
  stop(): Promise<void>;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dir = await mkdtemp(join(tmpdir(), 'tabla-sync-test-'));
  const dataFile = join(dir, 'boards.db');
  const clients: { destroy(): void }[] = [];

  const openStorage = () => SqliteStorage.open(dataFile, { faultInjection: options.faultInjection });
  // Suites refuse hundreds of connections from one address on purpose: backoff has its own tests.
  let syncOptions: SyncOptions = { unloadDelayMs: 20, freeRefusals: Infinity, freeRefusalsPerAddress: Infinity, ...options.sync };
  const openServer = (storage: SqliteStorage) => new SyncServer({ ...syncOptions, storage });

  let storage = openStorage();
  const main = await storeDemoBoard(storage, 'Test');
  const other = await storeDemoBoard(storage, 'Other');
  let sync = openServer(storage);
  let { http, wss } = attach(sync, options.maxFrameBytes);
  const port = await listen(http, 0);

  async function closeServer(): Promise<void> {
    await sync.close();
    // Let the 1001 close handshakes finish, then cut whatever is left.
    await waitFor(() => wss.clients.size === 0, 300).catch(() => undefined);
    for (const ws of wss.clients) ws.terminate();
    wss.close();
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
    await storage.close();
  }

  let stopped = false;
  const h: TestServer = {
    url: `ws://127.0.0.1:${port}/sync`,
    port,
    ...main,
    other,
    dataFile,
    storage,
    sync,
    get wss() {
      return wss;
    },
    connect(role, board = h, clientOptions = {}) {
      const p = connectStock(h.url, board.boardId, board.tokens[role], clientOptions);
      clients.push(p);
      return p;
    },
    async raw(who, board = h, clientOptions = {}) {
      const { token, boardId } =
        typeof who === 'string' ? { token: board.tokens[who], boardId: board.boardId } : { boardId: board.boardId, ...who };
      const c = await rawClient(h.url, boardId, token, clientOptions);
      clients.push({ destroy: () => c.terminate() });
      return c;
    },
    async restart(whileDown, overrides) {
      await closeServer();
      await whileDown?.();
      if (overrides) syncOptions = { ...syncOptions, ...overrides };
      storage = h.storage = openStorage();
      sync = h.sync = openServer(storage);
      ({ http, wss } = attach(sync, options.maxFrameBytes));
      await listen(http, port);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const c of clients.splice(0)) c.destroy();
      try {
        await closeServer();
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
  return h;
}

function attach(sync: SyncServer, maxFrameBytes: number | undefined): { http: Server; wss: WebSocketServer } {
  const http = createServer((_req, res) => {
    res.statusCode = 404;
    res.end();
  });
  const wss = attachSyncServer(http, sync, maxFrameBytes === undefined ? {} : { maxFrameBytes });
  return { http, wss };
}

function listen(http: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, '127.0.0.1', () => {
      http.off('error', reject);
      resolve((http.address() as AddressInfo).port);
    });
  });
}

/**
 * Issues a coordinator link bound to `municipalityId` on a board (replacing that municipality's
 * link, as `POST /api/boards/:id/links/editor/:municipalityId` does) and returns its token.
 */
export async function issueMunicipalityLink(h: TestServer, municipalityId: string, board: TestBoard = h): Promise<string> {
  const token = generateToken();
  await h.storage.replaceToken(board.boardId, { role: 'editor', municipalityId, tokenHash: hashToken(token) });
  return token;
}

// ---------------------------------------------------------------------------
// Documents

/** A fresh replica of a board as stored (snapshot + updates). */
export async function storedDoc(storage: BoardStorage, boardId: string): Promise<Y.Doc> {
  const state = await storage.loadState(boardId);
  if (!state) throw new Error(`no board ${boardId}`);
  const doc = new Y.Doc();
  applyStoredState(doc, state);
  return doc;
}

/** The board as plain data, for equality checks. */
export const view = (doc: Y.Doc): BoardView => readBoard(doc);

/** The stored board as plain data. */
export async function storedView(storage: BoardStorage, boardId: string): Promise<BoardView> {
  const doc = await storedDoc(storage, boardId);
  try {
    return readBoard(doc);
  } finally {
    doc.destroy();
  }
}

/** Runs `change` on `doc` and returns exactly the update it produced. */
export function captureUpdate(doc: Y.Doc, change: (doc: Y.Doc) => void): Uint8Array {
  const before = Y.encodeStateVector(doc);
  change(doc);
  return Y.encodeStateAsUpdate(doc, before);
}

// ---------------------------------------------------------------------------
// Test lifetime and inputs

/** A test server that stops when the current test finishes. */
export async function testServer(options: TestServerOptions = {}): Promise<TestServer> {
  const h = await startTestServer(options);
  onTestFinished(() => h.stop());
  return h;
}

/** mulberry32: a small seeded PRNG, so random inputs are the same on every run. */
export function prng(seed: number): { next(): number; int(n: number): number; bytes(n: number): Uint8Array } {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, bytes: (n) => Uint8Array.from({ length: n }, () => int(256)) };
}

/** A storage fault for tests: once `armed`, the next write fails and rolls back (`failures` counts them). */
export function nextWriteFails(): { armed: boolean; failures: number; readonly faultInjection: SqliteFaultInjection } {
  const fault = {
    armed: false,
    failures: 0,
    faultInjection: {
      beforeAppendCommit: () => {
        if (!fault.armed) return;
        fault.armed = false;
        fault.failures++;
        throw new Error('injected write failure');
      },
    },
  };
  return fault;
}
