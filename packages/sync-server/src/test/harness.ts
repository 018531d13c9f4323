/**
 * Integration-test harness: a real SyncServer on a real SQLite file behind a real
 * node:http server on 127.0.0.1:<port 0>, plus stock (`y-websocket`) and raw (`ws`)
 * clients. Every test starts its own server and registers its own teardown.
 */
import { onTestFinished } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { WebSocket, type WebSocketServer } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { readBoard, type BoardView, type Role } from '@tabla/plan-model';
import { createBoard } from '../boards.js';
import { SqliteStorage, type SqliteFaultInjection } from '../storage/sqlite.js';
import { SyncServer, type SyncServerOptions } from '../sync-server.js';
import { generateToken, hashToken } from '../tokens.js';
import { attachSyncServer } from '../ws-adapter.js';

export interface TestServerOptions {
  /** Overrides of the SyncServer options (the harness defaults to unloadDelayMs: 20). */
  readonly sync?: SyncOptions;
  /** Passed to attachSyncServer. */
  readonly maxFrameBytes?: number;
  /** SQLite test seam (hooks inside the write transactions). */
  readonly faultInjection?: SqliteFaultInjection;
}

/** How a test client presents itself, beyond its role token. */
export interface ClientOptions {
  /** The device's client key, sent as `?key=` (binds the Yjs client ids it writes under). */
  readonly key?: string;
}

export interface RawClientOptions extends ClientOptions {
  /** `ws` answers pings by itself unless this is false (a client that looks dead). */
  readonly autoPong?: boolean;
}

export type SyncOptions = Partial<Omit<SyncServerOptions, 'storage'>>;

export interface TestBoard {
  readonly boardId: string;
  readonly tokens: Record<Role, string>;
}

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
  connect(role: Role, board?: TestBoard, options?: ClientOptions): TestProvider;
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
  let syncOptions: SyncOptions = { unloadDelayMs: 20, ...options.sync };
  const openServer = (storage: SqliteStorage) => new SyncServer({ ...syncOptions, storage });

  let storage = openStorage();
  const main = await createBoard(storage, { title: 'Test', template: 'demo' });
  const second = await createBoard(storage, { title: 'Other', template: 'demo' });
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
    boardId: main.board.id,
    tokens: main.tokens,
    other: { boardId: second.board.id, tokens: second.tokens },
    dataFile,
    storage,
    sync,
    get wss() {
      return wss;
    },
    connect(role, board = h, clientOptions = {}) {
      const p = connectProvider(h.url, board.boardId, board.tokens[role], clientOptions);
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
// Stock client

export interface TestProvider {
  readonly doc: Y.Doc;
  readonly provider: WebsocketProvider;
  /** Resolves when the provider has synced (received the server's sync step 2). */
  readonly synced: Promise<void>;
  /** Close events the provider saw, in order. */
  readonly closes: { code: number; reason: string }[];
  destroy(): void;
}

type Polyfill = NonNullable<ConstructorParameters<typeof WebsocketProvider>[3]>['WebSocketPolyfill'];

export function connectProvider(url: string, boardId: string, token: string, options: ClientOptions = {}): TestProvider {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(url, boardId, doc, {
    params: options.key === undefined ? { token } : { token, key: options.key },
    WebSocketPolyfill: WebSocket as unknown as Polyfill,
    disableBc: true,
    // The stock default is 2500 ms; shorter keeps reconnect tests fast (first retry is still 200 ms).
    maxBackoffTime: 300,
  });
  const closes: { code: number; reason: string }[] = [];
  provider.on('connection-close', (event) => {
    if (event) closes.push({ code: event.code, reason: event.reason });
  });
  const synced = new Promise<void>((resolve) => {
    const onSync = (state: boolean) => {
      if (!state) return;
      provider.off('sync', onSync);
      resolve();
    };
    provider.on('sync', onSync);
  });
  let destroyed = false;
  return {
    doc,
    provider,
    synced,
    closes,
    destroy() {
      if (destroyed) return;
      destroyed = true;
      provider.destroy();
      provider.awareness.destroy();
      doc.destroy();
    },
  };
}

// ---------------------------------------------------------------------------
// Raw client

export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
}

export interface RawClient {
  readonly ws: WebSocket;
  /** Binary frames received, in order. */
  readonly frames: Uint8Array[];
  /** Text frames received (the server should never send any). */
  readonly texts: string[];
  /** Set once closed; `code` -1 when the server answered the upgrade with an HTTP error. */
  closeInfo: CloseInfo | null;
  /** The HTTP status when the upgrade was refused. */
  httpStatus: number | null;
  /** Number of frames received before the close (for "nothing before the refusal"). */
  framesBeforeClose: number;
  readonly closed: Promise<CloseInfo>;
  send(data: Uint8Array | string): void;
  close(code?: number): void;
  terminate(): void;
}

/**
 * Opens a raw `ws` connection to `${url}/${boardId}?token=…&key=…`; resolves on open, or when
 * the upgrade is refused with an HTTP status (then `httpStatus` is set and it is closed).
 */
export function rawClient(url: string, boardId: string, token: string | null, options: RawClientOptions = {}): Promise<RawClient> {
  const params = new URLSearchParams();
  if (token !== null) params.set('token', token);
  if (options.key !== undefined) params.set('key', options.key);
  const query = params.size === 0 ? '' : `?${params.toString()}`;
  const ws = new WebSocket(`${url}/${boardId}${query}`, { autoPong: options.autoPong ?? true });
  let resolveClosed!: (info: CloseInfo) => void;
  const closed = new Promise<CloseInfo>((r) => (resolveClosed = r));
  const client: RawClient = {
    ws,
    frames: [],
    texts: [],
    closeInfo: null,
    httpStatus: null,
    framesBeforeClose: 0,
    closed,
    send(data) {
      if (ws.readyState === WebSocket.OPEN) ws.send(data, () => undefined);
    },
    close(code = 1000) {
      ws.close(code);
    },
    terminate() {
      ws.terminate();
    },
  };
  const finish = (info: CloseInfo) => {
    if (client.closeInfo) return;
    client.closeInfo = info;
    client.framesBeforeClose = client.frames.length + client.texts.length;
    resolveClosed(info);
  };
  ws.on('message', (data, isBinary) => {
    const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    if (isBinary) client.frames.push(new Uint8Array(buf)); // a copy
    else client.texts.push(buf.toString('utf8'));
  });
  ws.on('close', (code, reason) => finish({ code, reason: reason.toString('utf8') }));
  ws.on('error', () => undefined); // reported through `closed`; an unheard 'error' would throw
  return new Promise<RawClient>((resolve, reject) => {
    ws.once('open', () => resolve(client));
    ws.once('unexpected-response', (_req, res) => {
      client.httpStatus = res.statusCode ?? 0;
      res.resume();
      ws.terminate();
      finish({ code: -1, reason: `HTTP ${client.httpStatus}` });
      resolve(client);
    });
    ws.once('error', (err) => {
      if (client.httpStatus !== null) return;
      finish({ code: -2, reason: err.message });
      reject(err);
    });
  });
}

// ---------------------------------------------------------------------------
// Frames (y-websocket protocol)

export const frame = (write: (e: encoding.Encoder) => void): Uint8Array => {
  const e = encoding.createEncoder();
  write(e);
  return encoding.toUint8Array(e);
};

export const updateFrame = (update: Uint8Array): Uint8Array =>
  frame((e) => {
    encoding.writeVarUint(e, 0);
    encoding.writeVarUint(e, 2);
    encoding.writeVarUint8Array(e, update);
  });

export const syncStep1Frame = (stateVector: Uint8Array): Uint8Array =>
  frame((e) => {
    encoding.writeVarUint(e, 0);
    encoding.writeVarUint(e, 0);
    encoding.writeVarUint8Array(e, stateVector);
  });

export const awarenessFrame = (payload: Uint8Array): Uint8Array =>
  frame((e) => {
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint8Array(e, payload);
  });

/** An awareness update (the payload of an awareness frame) for one client. */
export const awarenessPayload = (clientID: number, clock: number, state: unknown): Uint8Array =>
  frame((e) => {
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint(e, clientID);
    encoding.writeVarUint(e, clock);
    encoding.writeVarString(e, JSON.stringify(state));
  });

/**
 * An update holding one GC struct of `client` covering clocks [clock, clock + length): no
 * content, yet it claims that clock range (update format v1: clients, then per client the
 * struct count, client id and first clock, the structs (GC = info byte 0 and a length), then
 * an empty delete set).
 */
export const gcUpdate = (client: number, clock: number, length: number): Uint8Array =>
  frame((e) => {
    for (const n of [1, 1, client, clock]) encoding.writeVarUint(e, n); // 1 client, 1 struct, client, clock
    encoding.writeUint8(e, 0); // GC
    encoding.writeVarUint(e, length);
    encoding.writeVarUint(e, 0); // empty delete set
  });

export type ServerFrame =
  | { readonly type: 'sync-step-1'; readonly payload: Uint8Array }
  | { readonly type: 'sync-step-2'; readonly payload: Uint8Array }
  | { readonly type: 'update'; readonly payload: Uint8Array }
  | { readonly type: 'awareness'; readonly states: Map<number, { clock: number; state: unknown }> }
  | { readonly type: 'other'; readonly raw: Uint8Array };

/** Decodes a frame the server sent. */
export function parseServerFrame(data: Uint8Array): ServerFrame {
  const d = decoding.createDecoder(data);
  const type = decoding.readVarUint(d);
  if (type === 0) {
    const step = decoding.readVarUint(d);
    const payload = decoding.readVarUint8Array(d);
    if (step === 0) return { type: 'sync-step-1', payload };
    if (step === 1) return { type: 'sync-step-2', payload };
    if (step === 2) return { type: 'update', payload };
  }
  if (type === 1) {
    const a = decoding.createDecoder(decoding.readVarUint8Array(d));
    const states = new Map<number, { clock: number; state: unknown }>();
    const n = decoding.readVarUint(a);
    for (let i = 0; i < n; i++) {
      const clientID = decoding.readVarUint(a);
      const clock = decoding.readVarUint(a);
      states.set(clientID, { clock, state: JSON.parse(decoding.readVarString(a)) });
    }
    return { type: 'awareness', states };
  }
  return { type: 'other', raw: data };
}

/** Frames of the server that carry document data (sync steps and updates). */
export const documentFrames = (c: RawClient): ServerFrame[] =>
  c.frames.map(parseServerFrame).filter((f) => f.type === 'sync-step-1' || f.type === 'sync-step-2' || f.type === 'update');

// ---------------------------------------------------------------------------
// Documents

/** A fresh replica of a board as stored (snapshot + updates). */
export async function storedDoc(storage: SqliteStorage, boardId: string): Promise<Y.Doc> {
  const state = await storage.loadState(boardId);
  if (!state) throw new Error(`no board ${boardId}`);
  const doc = new Y.Doc();
  for (const u of [state.snapshot, ...state.updates]) if (u) Y.applyUpdate(doc, u);
  return doc;
}

/** The board as plain data, for equality checks. */
export const view = (doc: Y.Doc): BoardView => readBoard(doc);

/** The stored board as plain data. */
export async function storedView(storage: SqliteStorage, boardId: string): Promise<BoardView> {
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
// Time

export async function waitFor(predicate: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(5);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Rejects if `p` does not settle within `ms`. */
/** A test server that stops when the current test finishes. */
export async function testServer(options: TestServerOptions = {}): Promise<TestServer> {
  const h = await startTestServer(options);
  onTestFinished(() => h.stop());
  return h;
}

/** The close the server gives a raw client, within a deadline. */
export const closeOf = (c: RawClient, ms = 5000): Promise<CloseInfo> => within(c.closed, ms, 'the server to close the connection');

export function within<T>(p: Promise<T>, ms: number, what = 'promise'): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
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
