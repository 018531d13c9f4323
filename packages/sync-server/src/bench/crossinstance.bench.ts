/**
 * Cross-instance relay against one instance, in the same run (RELIABILITY.md targets; the issue's
 * "figures in the benchmarks"). Prints one JSON object:
 * - `oneInstance`: a writer and readers on one SyncServer over PostgreSQL (no Redis);
 * - `twoInstances`: the writer on one instance, the readers on another, sharing the board through
 *   PostgreSQL (the record) and Redis Streams (the pipe): every update is committed, published,
 *   read by the other instance's one XREAD and relayed there;
 *   each with relay latency p50 / p99 (closed loop: one change, wait until every reader has it) and
 *   burst throughput (a burst of changes, until every reader has them all);
 * - `coldLoad`: a board with 10,000 logged edits in PostgreSQL, opened by a client on an instance
 *   that has not loaded it: ms to a synced client over the socket.
 *
 * Needs PostgreSQL and Redis (TEST_DATABASE_URL, TEST_REDIS_URL; defaults are the local ones); uses
 * a schema and key prefix of its own, removed at the end. Run after a build:
 *   npx turbo run build --filter=@tabla/sync-server && node packages/sync-server/dist/bench/crossinstance.bench.js
 * The two set-ups run in alternating rounds (BENCH_ROUNDS, default 3; the order flips each round) and
 * each figure is the median of its rounds, so a busy moment of the machine does not land on one side.
 * Options (environment): BENCH_ROUNDS, BENCH_CHANGES (closed-loop changes per round, default 200),
 * BENCH_BURST (per round, default 500), BENCH_READERS (default 5), BENCH_COLD_EDITS (default 10000).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import pg from 'pg';
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import { type ActivityId, demoLaneId, editActivity, type LaneId, moveActivity, roots, seedDemoBoard } from '@tabla/plan-model';
import { encodeSyncStep1 } from '@tabla/sync-protocol';
import { changeClocks, connectStock, parseServerFrame, type StockClient } from '@tabla/test-clients';
import { RedisFanout } from '../fanout/redis.js';
import type { Fanout } from '../fanout/types.js';
import { PostgresStorage } from '../storage/postgres.js';
import { SyncServer } from '../sync-server.js';
import { generateRoleTokens } from '../tokens.js';
import { attachSyncServer } from '../ws-adapter.js';
import { deleteKeysOf } from '../fanout/delete-keys.js';

const databaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CHANGES = Number(process.env.BENCH_CHANGES ?? 200);
const BURST = Number(process.env.BENCH_BURST ?? 500);
const READERS = Number(process.env.BENCH_READERS ?? 5);
const COLD_EDITS = Number(process.env.BENCH_COLD_EDITS ?? 10_000);

/** Limits out of the way of a bench from one address (as the built server's lifted limits). */
const LIFTED = {
  maxMessagesPerSecond: 1_000_000,
  messageBurst: 10_000_000,
  maxConnectionsPerIp: 1_000_000,
  maxWorkPerSecond: 1024 ** 3,
  workBurst: 16 * 1024 ** 3,
  maxAddressWorkPerSecond: 16 * 1024 ** 3,
  addressWorkBurst: 64 * 1024 ** 3,
  compactAfterUpdates: 300,
};

interface Instance {
  readonly url: string;
  readonly sync: SyncServer;
  close(): Promise<void>;
}

async function instance(schema: string, fanout?: Fanout): Promise<Instance> {
  const storage = await PostgresStorage.open(databaseUrl, { schema });
  const sync = new SyncServer({ storage, ...LIFTED, ...(fanout ? { fanout } : {}) });
  const http: Server = createServer();
  attachSyncServer(http, sync, { maxPendingUpgradesPerIp: 1_000_000 });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}/sync`,
    sync,
    async close() {
      await sync.close();
      await fanout?.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await storage.close();
    },
  };
}

/** The writer a reader counts the changes of. */
interface Followed {
  readonly clientId: number;
  readonly clocks: readonly number[];
}

/**
 * Raw socket that asks for the board once, then timestamps the followed writer's changes as update
 * frames bring them: the changes one write stored come in one frame, so each frame's clock for the
 * writer (Y.parseUpdateMeta, no document) says which.
 */
class Reader {
  readonly arrivals: number[] = [];
  private synced = false;
  private constructor(
    readonly ws: WebSocket,
    writer: Followed,
  ) {
    ws.on('message', (data: Buffer) => {
      if (data[0] !== 0) return; // sync messages only
      if (data[1] === 1 && !this.synced) this.synced = true;
      else if (data[1] === 2 && this.synced) {
        const now = performance.now();
        const frame = parseServerFrame(data);
        const clock = frame.type === 'update' ? (Y.parseUpdateMeta(frame.payload).to.get(writer.clientId) ?? 0) : 0;
        while (this.arrivals.length < writer.clocks.length && writer.clocks[this.arrivals.length]! <= clock) this.arrivals.push(now);
      }
    });
  }
  static async open(url: string, boardId: string, token: string, writer: Followed = { clientId: 0, clocks: [] }): Promise<Reader> {
    const ws = new WebSocket(`${url}/${boardId}?token=${token}`);
    const reader = new Reader(ws, writer);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.send(encodeSyncStep1(Y.encodeStateVector(new Y.Doc())));
    await until(() => reader.synced, 10_000, 'reader sync');
    return reader;
  }
}

async function until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!predicate()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

const LANES: LaneId[] = (['A', 'B', 'C', 'D'] as const).map((k) => demoLaneId(k));
function change(doc: Y.Doc, ids: readonly ActivityId[], i: number): void {
  const id = ids[i % ids.length]!;
  if (i % 4 === 3) editActivity(doc, id, { title: `izmjena ${i}` });
  else moveActivity(doc, id, LANES[i % LANES.length]!, i % 3);
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

async function createBoard(schema: string): Promise<{ id: string; tokens: Record<'facilitator' | 'editor' | 'viewer', string> }> {
  const storage = await PostgresStorage.open(databaseUrl, { schema });
  try {
    const doc = new Y.Doc();
    seedDemoBoard(doc);
    const id = `bench${randomBytes(6).toString('hex')}`;
    const { tokens, records } = generateRoleTokens();
    await storage.createBoard({ id, title: 'bench', createdAt: Date.now() }, Y.encodeStateAsUpdate(doc), records);
    doc.destroy();
    return { id, tokens: tokens as Record<'facilitator' | 'editor' | 'viewer', string> };
  } finally {
    await storage.close();
  }
}

/** Closed-loop latency and burst throughput, writer on `writerAt`, readers on `readersAt`. */
async function measure(schema: string, writerAt: Instance, readersAt: Instance): Promise<{ p50Ms: number; p99Ms: number; burstUpdatesPerSecond: number }> {
  const board = await createBoard(schema);
  const writer: StockClient = connectStock(writerAt.url, board.id, board.tokens.editor);
  await writer.synced;
  const followed: Followed = { clientId: writer.doc.clientID, clocks: changeClocks(writer.doc) };
  const readers = await Promise.all(Array.from({ length: READERS }, () => Reader.open(readersAt.url, board.id, board.tokens.viewer, followed)));
  const ids = [...roots(writer.doc).activities.keys()] as ActivityId[];
  try {
    const latencies: number[] = [];
    const warmup = 20;
    for (let i = 0; i < warmup + CHANGES; i++) {
      const started = performance.now();
      change(writer.doc, ids, i);
      await until(() => readers.every((r) => r.arrivals.length > i), 10_000, `change ${i}`);
      if (i >= warmup) for (const r of readers) latencies.push(r.arrivals[i]! - started);
    }
    const before = readers.map((r) => r.arrivals.length);
    const started = performance.now();
    for (let i = 0; i < BURST; i += 10) {
      for (let j = i; j < Math.min(BURST, i + 10); j++) change(writer.doc, ids, warmup + CHANGES + j);
      await new Promise((r) => setImmediate(r));
    }
    await until(() => readers.every((r, k) => r.arrivals.length >= before[k]! + BURST), 120_000, 'the burst');
    const seconds = (Math.max(...readers.map((r) => r.arrivals[r.arrivals.length - 1]!)) - started) / 1000;
    return { p50Ms: round(percentile(latencies, 50)), p99Ms: round(percentile(latencies, 99)), burstUpdatesPerSecond: Math.round(BURST / seconds) };
  } finally {
    writer.destroy();
    for (const r of readers) r.ws.terminate();
  }
}

/** A board with `edits` updates in its log (no snapshot since), opened cold on `at`. */
async function coldLoad(schema: string, at: Instance): Promise<{ edits: number; ms: number }> {
  const board = await createBoard(schema);
  const storage = await PostgresStorage.open(databaseUrl, { schema });
  try {
    const state = await storage.loadState(board.id);
    const doc = new Y.Doc();
    Y.applyUpdate(doc, state!.snapshot!);
    const ids = [...roots(doc).activities.keys()] as ActivityId[];
    const updates: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => updates.push(u));
    for (let i = 0; i < COLD_EDITS; i++) change(doc, ids, i);
    for (let i = 0; i < updates.length; i += 1000) await storage.appendUpdates(updates.slice(i, i + 1000).map((update) => ({ boardId: board.id, update })));
    doc.destroy();
  } finally {
    await storage.close();
  }
  const started = performance.now();
  const reader = await Reader.open(at.url, board.id, board.tokens.viewer);
  const ms = performance.now() - started;
  reader.ws.terminate();
  return { edits: COLD_EDITS, ms: round(ms, 1) };
}

async function main(): Promise<void> {
  const id = randomBytes(6).toString('hex');
  const schema = `tabla_bench_${id}`;
  const keyPrefix = `tabla_bench_${id}:`;
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  const opened: Instance[] = [];
  try {
    // Migrate once before the instances open their pools.
    await (await PostgresStorage.open(databaseUrl, { schema })).close();
    const solo = await instance(schema);
    opened.push(solo);
    const fanouts = [0, 1].map((i) => new RedisFanout({ url: redisUrl, keyPrefix, instanceId: `bench${i}` }));
    const a = await instance(schema, fanouts[0]);
    const b = await instance(schema, fanouts[1]);
    opened.push(a, b);
    await Promise.all(fanouts.map((f) => f.ready()));

    type Figures = Awaited<ReturnType<typeof measure>>;
    const rounds: { one: Figures[]; two: Figures[] } = { one: [], two: [] };
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 === 0 ? (['one', 'two'] as const) : (['two', 'one'] as const);
      for (const which of order) rounds[which].push(which === 'one' ? await measure(schema, solo, solo) : await measure(schema, a, b));
    }
    const median = (list: Figures[]): Figures => ({
      p50Ms: percentile(list.map((f) => f.p50Ms), 50),
      p99Ms: percentile(list.map((f) => f.p99Ms), 50),
      burstUpdatesPerSecond: percentile(list.map((f) => f.burstUpdatesPerSecond), 50),
    });
    const one = median(rounds.one);
    const two = median(rounds.two);
    const cold = await coldLoad(schema, b);
    const result = {
      bench: 'cross-instance relay (sync-server)',
      when: new Date().toISOString(),
      machine: { cpus: cpus().length, loadavg: loadavg().map((n) => round(n)), node: process.version },
      params: { rounds: ROUNDS, changes: CHANGES, burst: BURST, readers: READERS, storage: 'postgresql', pipe: 'redis streams' },
      oneInstance: one,
      twoInstances: two,
      ratio: { p50: round(two.p50Ms / one.p50Ms), p99: round(two.p99Ms / one.p99Ms), burst: round(two.burstUpdatesPerSecond / one.burstUpdatesPerSecond) },
      rounds,
      coldLoad: cold,
      stats: { remoteApplied: b.sync.stats.remoteApplied, catchUps: b.sync.stats.catchUps, seqConflicts: a.sync.stats.seqConflicts + b.sync.stats.seqConflicts },
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    for (const i of opened) await i.close().catch(() => {});
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
    await admin.end();
    await deleteKeysOf(redisUrl, keyPrefix).catch(() => {});
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${String((err as Error)?.stack ?? err)}\n`);
    process.exit(1);
  },
);
