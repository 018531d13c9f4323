/**
 * Several SyncServer instances in one process sharing boards, as separate server processes would:
 * each its own node:http server on 127.0.0.1:<port 0>, its own storage handle (a pool of its own
 * for PostgreSQL; the same MemoryStorage data for memory) and its own end of the pipe (fan-out).
 * Clients are the stock and raw clients of @tabla/test-clients, pointed at one instance each.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebSocketServer } from 'ws';
import * as Y from 'yjs';
import { type ActivityId, demoLaneId, editActivity, type LaneId, moveActivity, readBoard, type Role, roots } from '@tabla/plan-model';
import { type ClientOptions, connectStock, type RawClientOptions, rawClient, type RawClient, type StockClient, waitFor } from '@tabla/test-clients';
import type { Fanout } from '../fanout/types.js';
import { applyStoredState } from '../storage/document.js';
import type { BoardStorage } from '../storage/types.js';
import { SyncServer, type SyncServerOptions } from '../sync-server.js';
import { attachSyncServer } from '../ws-adapter.js';
import { storeDemoBoard, type TestBoard } from './demo-board.js';

export type SyncOptions = Partial<Omit<SyncServerOptions, 'storage' | 'fanout'>>;

export interface ClusterInstance {
  readonly sync: SyncServer;
  readonly storage: BoardStorage;
  readonly fanout: Fanout;
  readonly url: string;
  readonly wss: WebSocketServer;
  /** Closes this instance (sync server, sockets, HTTP server); its storage handle and pipe end too. */
  stop(): Promise<void>;
  stopped: boolean;
}

export interface Cluster {
  readonly instances: ClusterInstance[];
  readonly board: TestBoard;
  /** A stock client on instance `i`. */
  connect(i: number, role: Role, options?: ClientOptions): StockClient;
  raw(i: number, role: Role, options?: RawClientOptions): Promise<RawClient>;
  stop(): Promise<void>;
}

/** Options every instance of a test cluster gets (limits out of the way of a load from one address). */
export const clusterDefaults: SyncOptions = {
  unloadDelayMs: 50,
  freeRefusals: Infinity,
  freeRefusalsPerAddress: Infinity,
  maxMessagesPerSecond: 100_000,
  messageBurst: 1_000_000,
  maxConnectionsPerIp: 100_000,
  maxWorkPerSecond: 1024 ** 3,
  workBurst: 16 * 1024 ** 3,
  maxAddressWorkPerSecond: 16 * 1024 ** 3,
  addressWorkBurst: 64 * 1024 ** 3,
  catchUpIntervalMs: 300,
  gapGraceMs: 20,
};

/**
 * Starts one instance per storage handle, the first one creating a demo board. `fanout(i)` gives
 * instance i its end of the pipe; `sync` its options (merged over `clusterDefaults`).
 */
export async function startCluster(
  storages: readonly BoardStorage[],
  fanout: (i: number) => Fanout,
  sync: SyncOptions | ((i: number) => SyncOptions) = {},
): Promise<Cluster> {
  const board = await storeDemoBoard(storages[0]!, 'Cluster');
  const instances: ClusterInstance[] = [];
  for (const [i, storage] of storages.entries()) instances.push(await startInstance(storage, fanout(i), { ...clusterDefaults, ...(typeof sync === 'function' ? sync(i) : sync) }));
  const clients: { destroy(): void }[] = [];
  return {
    instances,
    board,
    connect(i, role, options = {}) {
      const c = connectStock(instances[i]!.url, board.boardId, board.tokens[role], options);
      clients.push(c);
      return c;
    },
    async raw(i, role, options = {}) {
      const c = await rawClient(instances[i]!.url, board.boardId, board.tokens[role], options);
      clients.push({ destroy: () => c.terminate() });
      return c;
    },
    async stop() {
      for (const c of clients.splice(0)) c.destroy();
      for (const instance of instances) await instance.stop();
    },
  };
}

export async function startInstance(storage: BoardStorage, fanout: Fanout, options: SyncOptions): Promise<ClusterInstance> {
  const sync = new SyncServer({ ...options, storage, fanout });
  const http: Server = createServer((_req, res) => {
    res.statusCode = 404;
    res.end();
  });
  const wss = attachSyncServer(http, sync, { maxPendingUpgradesPerIp: 100_000 });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const instance: ClusterInstance = {
    sync,
    storage,
    fanout,
    url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}/sync`,
    wss,
    stopped: false,
    async stop() {
      if (instance.stopped) return;
      instance.stopped = true;
      await sync.close();
      await waitFor(() => wss.clients.size === 0, 300).catch(() => undefined);
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await fanout.close();
      await storage.close();
    },
  };
  return instance;
}

// ---------------------------------------------------------------------------
// Load and convergence

const LANES: (LaneId | null)[] = [demoLaneId('A'), demoLaneId('B'), demoLaneId('C'), demoLaneId('D'), null];

export const activityIds = (doc: Y.Doc): ActivityId[] => [...roots(doc).activities.keys()].sort() as ActivityId[];

/** One random change a coordinator may make: a move or a title edit of a demo activity. */
export function randomChange(doc: Y.Doc, random: () => number, tag: string): void {
  const ids = activityIds(doc);
  const id = ids[Math.floor(random() * ids.length)]!;
  if (random() < 0.5) moveActivity(doc, id, LANES[Math.floor(random() * LANES.length)]!, Math.floor(random() * 4));
  else editActivity(doc, id, { title: `${tag} ${Math.floor(random() * 1e6)}` });
}

/** The board's content as plain data, for equality checks. */
export const content = (doc: Y.Doc): unknown => {
  const board = readBoard(doc);
  return [...board.activityById.values()].map((a) => [a.id, a.title, a.laneId, a.rank]).sort();
};

/** The board as storage has it now. */
export async function storedContent(storage: BoardStorage, boardId: string): Promise<unknown> {
  const state = await storage.loadState(boardId);
  if (!state) throw new Error(`no board ${boardId}`);
  const doc = new Y.Doc();
  try {
    applyStoredState(doc, state);
    return content(doc);
  } finally {
    doc.destroy();
  }
}

/** Waits until every client and every running instance's loaded room holds what storage holds. */
export async function converged(cluster: Cluster, clients: readonly StockClient[], timeoutMs = 15_000): Promise<unknown> {
  const { boardId } = cluster.board;
  const storage = cluster.instances.find((i) => !i.stopped)!.storage;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stored = await storedContent(storage, boardId);
    const want = JSON.stringify(stored);
    const rooms = await Promise.all(cluster.instances.filter((i) => !i.stopped).map((i) => i.sync.loadedRoom(boardId)));
    const views = [...clients.map((c) => content(c.doc)), ...rooms.filter((r) => r !== null).map((r) => content(r.doc))];
    const behind = views.filter((v) => JSON.stringify(v) !== want).length;
    if (behind === 0) return stored;
    if (Date.now() > deadline) throw new Error(`not converged after ${timeoutMs} ms: ${behind} of ${views.length} replicas differ from storage`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
