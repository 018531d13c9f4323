/**
 * Boards shared by several SyncServer instances over the real services (RELIABILITY.md R21):
 * PostgreSQL is the record (each instance its own pool on one schema), Redis Streams the pipe
 * (each instance its own RedisFanout on one key prefix). Every test has a schema and a key prefix
 * of its own, removed after it. Service failures use a redis-server of the test's own and a TCP
 * proxy in front of PostgreSQL, never the machine's shared services.
 *
 * Skipped, saying why, when PostgreSQL or Redis does not answer; failed instead when CI requires
 * them (`REQUIRE_SERVICES`, set by .ci/run).
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { editActivity, readBoard, type ActivityId } from '@tabla/plan-model';
import { CloseCode, encodeFlush } from '@tabla/sync-protocol';
import { closeOf, connectStock, type StockClient, updateFrame, waitFor } from '@tabla/test-clients';
import { Redis } from 'ioredis';
import { applyStoredState } from '../storage/document.js';
import { PostgresStorage } from '../storage/postgres.js';
import { type Cluster, content, converged, randomChange, startCluster, startInstance, clusterDefaults, type SyncOptions } from '../test/cluster.js';
import { storeDemoBoard } from '../test/demo-board.js';
import { captureUpdate, prng } from '../test/harness.js';
import { postgresUrl, redisUrl, sandbox, servicesProblem, startPrivateRedis, startTcpProxy } from '../test/services.js';
import { encodeEntry } from './codec.js';
import { RedisFanout, type RedisFanoutOptions } from './redis.js';

const problem = await servicesProblem('the scale-out tests (sync-server, PostgreSQL + Redis)');
const suite = problem === null ? 'shared boards over PostgreSQL and Redis Streams' : `shared boards over PostgreSQL and Redis Streams (SKIPPED: ${problem})`;

let cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch((err: unknown) => console.error('cleanup failed', err));
  cleanups = [];
});

interface Setup {
  readonly instances?: number;
  readonly pgUrl?: string;
  readonly redis?: string;
  readonly sync?: SyncOptions;
  readonly fanout?: Partial<RedisFanoutOptions>;
}

async function cluster(setup: Setup = {}): Promise<{ c: Cluster; pipes: RedisFanout[]; keyPrefix: string; schema: string }> {
  const box = await sandbox();
  cleanups.push(() => box.cleanup());
  const storages: PostgresStorage[] = [];
  for (let i = 0; i < (setup.instances ?? 2); i++) storages.push(await PostgresStorage.open(setup.pgUrl ?? postgresUrl, { schema: box.schema, connectionTimeoutMs: 2_000, maxConnections: 4 }));
  const pipes: RedisFanout[] = [];
  const c = await startCluster(storages, (i) => (pipes[i] = new RedisFanout({ url: setup.redis ?? redisUrl, keyPrefix: box.keyPrefix, instanceId: `i${i}`, blockMs: 1_000, ...setup.fanout })), setup.sync ?? {});
  cleanups.push(() => c.stop());
  await Promise.all(pipes.map((p) => p.ready()));
  return { c, pipes, keyPrefix: box.keyPrefix, schema: box.schema };
}

const idOf = (doc: Y.Doc, title: string) => [...readBoard(doc).activityById.values()].find((a) => a.title === title)!.id as ActivityId;
const titleOf = (doc: Y.Doc, id: ActivityId) => readBoard(doc).activityById.get(id)?.title;

async function synced(...clients: StockClient[]): Promise<void> {
  await Promise.all(clients.map((c) => c.synced));
}

describe.skipIf(problem !== null)(suite, () => {
  it.each([2, 3])('[R21] %i instances converge under a seeded random load from many clients', async (n) => {
    const { c } = await cluster({ instances: n, sync: { compactAfterUpdates: 50 } });
    const random = prng(100 + n);
    const clients = Array.from({ length: 4 * n }, (_, i) => c.connect(i % n, 'editor'));
    await synced(...clients);
    let changes = 0;
    for (let round = 0; round < 25; round++) {
      for (const client of clients) {
        if (random.next() < 0.6) continue;
        randomChange(client.doc, random.next, `r${round}`);
        changes++;
      }
      await new Promise((r) => setTimeout(r, random.int(4)));
    }
    const stored = await converged(c, clients);
    expect(changes).toBeGreaterThan(40);
    expect(JSON.stringify(stored)).toBe(JSON.stringify(content(clients[0]!.doc)));
    expect(clients.every((x) => x.closes.length === 0)).toBe(true);
    // Every update was stored once, and the others heard it through Redis (not only from storage).
    const stats = c.instances.map((i) => i.sync.stats);
    const seqs = await c.instances[0]!.storage.latestSeqs([c.board.boardId]);
    expect(seqs.get(c.board.boardId)).toBe(stats.reduce((sum, s) => sum + s.updatesStored, 0));
    expect(stats.every((s) => s.remoteApplied > 0)).toBe(true);
  });

  it('[R21] a lagging instance (reader paused) catches up from PostgreSQL, deletes nothing, and skips what Redis brings late', async () => {
    const { c, pipes, schema, keyPrefix } = await cluster({ sync: { catchUpIntervalMs: 200 } });
    const lagging = c.connect(0, 'viewer');
    const writer = c.connect(1, 'editor');
    await synced(lagging, writer);
    pipes[0]!.pauseReading();
    const random = prng(5);
    for (let i = 0; i < 30; i++) randomChange(writer.doc, random.next, `w${i}`);
    await converged(c, [lagging, writer], 10_000);
    expect(c.instances[0]!.sync.stats.catchUps).toBeGreaterThan(0);
    const applied = c.instances[0]!.sync.stats.remoteApplied;
    pipes[0]!.resumeReading();
    await new Promise((r) => setTimeout(r, 300));
    expect(c.instances[0]!.sync.stats.remoteApplied).toBe(applied); // all duplicates
    expect(readBoard(lagging.doc).activityById.size).toBe(15);

    // A restarted instance (stopped, then a new one over the same schema and prefix) has everything the others wrote.
    await c.instances[0]!.stop();
    for (let i = 0; i < 5; i++) randomChange(writer.doc, random.next, `x${i}`);
    await waitFor(() => c.instances[1]!.sync.stats.updatesStored === 35, 5_000, 'written while 0 was down');
    c.instances[0] = await startInstance(
      await PostgresStorage.open(postgresUrl, { schema, maxConnections: 4 }),
      new RedisFanout({ url: redisUrl, keyPrefix, instanceId: 'i0-again', blockMs: 1_000 }),
      { ...clusterDefaults, catchUpIntervalMs: 200 },
    );
    const again = c.connect(0, 'viewer');
    await synced(again);
    randomChange(writer.doc, random.next, 'after the restart');
    await converged(c, [again, writer], 10_000);
  });

  it('[R21] a trimmed stream and a stream Redis lost: the gaps are filled from PostgreSQL', async () => {
    const { c, pipes, keyPrefix } = await cluster({ sync: { catchUpIntervalMs: 60_000, gapGraceMs: 20 }, fanout: { maxLen: 5 } });
    const reader = c.connect(0, 'viewer');
    const writer = c.connect(1, 'editor');
    await synced(reader, writer);
    pipes[0]!.pauseReading();
    const random = prng(9);
    for (let i = 0; i < 150; i++) randomChange(writer.doc, random.next, `w${i}`);
    await waitFor(() => c.instances[1]!.sync.stats.updatesStored === 150, 10_000, 'the changes stored');
    const redis = new Redis(redisUrl);
    cleanups.push(async () => void redis.disconnect());
    const key = `${keyPrefix}s:${c.board.boardId}`;
    expect(await redis.xlen(key)).toBeLessThan(150); // trimmed: instance 0's position is gone
    pipes[0]!.resumeReading();
    // Only the next entry shows the gap (the periodic check is an hour away): one more change.
    randomChange(writer.doc, random.next, 'after');
    await converged(c, [reader, writer], 10_000);
    expect(c.instances[0]!.sync.stats.catchUps).toBeGreaterThan(0);

    // Redis loses the stream: the instances go on (the next entry starts a new one).
    await redis.del(key);
    const id = [...readBoard(writer.doc).activityById.keys()][0]! as ActivityId;
    editActivity(writer.doc, id, { description: 'after the stream was lost' });
    await waitFor(() => readBoard(reader.doc).activityById.get(id)?.description === 'after the stream was lost', 5_000, 'relayed after the loss');
    await converged(c, [reader, writer]);
  });

  it('[R21] a malformed stream entry is skipped with a log line; delivery goes on, for its board and the others', async () => {
    const { c, pipes, keyPrefix } = await cluster();
    const reader = c.connect(0, 'viewer');
    const writer = c.connect(1, 'editor');
    await synced(reader, writer);
    const redis = new Redis(redisUrl);
    cleanups.push(async () => void redis.disconnect());
    const key = `${keyPrefix}s:${c.board.boardId}`;
    await redis.xadd(key, '*', 'd', Buffer.from([1, 2, 3]));
    await redis.xadd(key, '*', 'x', 'no data field');
    // Well formed, but its update is garbage and storage has no such seq: skipped, and dropped after a catch-up.
    await redis.xadd(key, '*', 'd', encodeEntry({ seq: 999, instanceId: 'forger', owners: [], update: Uint8Array.of(0xff, 0xff, 0xff) }));
    const id = idOf(writer.doc, 'Dijalog sa mladima');
    editActivity(writer.doc, id, { title: 'after the garbage' });
    await waitFor(() => titleOf(reader.doc, id) === 'after the garbage', 5_000, 'delivery after malformed entries');
    expect(pipes[0]!.status().malformed).toBe(2);
    await converged(c, [reader, writer]);

    // Another board read by the same XREAD goes on too, garbage in its neighbour's stream or not.
    const other = await storeDemoBoard(c.instances[0]!.storage, 'Other');
    const otherReader = connectStock(c.instances[0]!.url, other.boardId, other.tokens.viewer);
    const otherWriter = connectStock(c.instances[1]!.url, other.boardId, other.tokens.editor);
    cleanups.push(async () => {
      otherReader.destroy();
      otherWriter.destroy();
    });
    await synced(otherReader, otherWriter);
    await redis.xadd(key, '*', 'd', Buffer.from('garbage again'));
    const otherId = idOf(otherWriter.doc, 'Dijalog sa mladima');
    for (let i = 0; i < 3; i++) {
      editActivity(otherWriter.doc, otherId, { title: `other board ${i}` });
      await waitFor(() => titleOf(otherReader.doc, otherId) === `other board ${i}`, 5_000, 'delivery on the other board');
    }
    expect(pipes[0]!.status().malformed).toBe(3);
  });

  it('[R21] Redis stopped and started (and emptied): writes commit and reach the other instance from PostgreSQL, then through Redis again', async () => {
    const redis = await startPrivateRedis();
    cleanups.push(() => redis.stop());
    const { c, pipes } = await cluster({ redis: redis.url, sync: { catchUpIntervalMs: 200 } });
    const reader = c.connect(0, 'viewer');
    const writer = c.connect(1, 'editor');
    await synced(reader, writer);
    const id = idOf(writer.doc, 'Dijalog sa mladima');
    editActivity(writer.doc, id, { title: 'before' });
    await waitFor(() => titleOf(reader.doc, id) === 'before', 5_000, 'relayed through Redis');

    await redis.stop();
    await waitFor(() => pipes.every((p) => p.status().state === 'down'), 5_000, 'the pipes see Redis down');
    editActivity(writer.doc, id, { title: 'while Redis is down' });
    await waitFor(() => titleOf(reader.doc, id) === 'while Redis is down', 5_000, 'caught up from PostgreSQL');
    expect(writer.closes).toEqual([]);
    expect(pipes[1]!.status().unpublished).toBeGreaterThan(0);

    await redis.start(); // empty: Redis lost everything
    await waitFor(() => pipes.every((p) => p.status().state === 'ready'), 10_000, 'the pipes see Redis back');
    const catchUps = c.instances[0]!.sync.stats.catchUps;
    editActivity(writer.doc, id, { title: 'after Redis came back' });
    await waitFor(() => titleOf(reader.doc, id) === 'after Redis came back', 5_000, 'relayed again');
    await converged(c, [reader, writer]);
    expect(c.instances[0]!.sync.stats.remoteApplied).toBeGreaterThan(0);
    expect(catchUps).toBeGreaterThan(0);
  });

  it('[R21] PostgreSQL unreachable: writes are refused (4500, no flush answer), never relayed; then stored and converged', async () => {
    const proxy = await startTcpProxy();
    cleanups.push(() => proxy.close());
    const { c } = await cluster({ pgUrl: proxy.url, sync: { catchUpIntervalMs: 200 } });
    const reader = c.connect(0, 'viewer');
    const writer = c.connect(1, 'editor');
    await synced(reader, writer);
    const id = idOf(writer.doc, 'Dijalog sa mladima');
    const stored = c.instances[1]!.sync.stats.updatesStored;

    const raw = await c.raw(1, 'editor', { key: 'raw-device-key-0123456789' });
    await waitFor(() => raw.frames.length > 0, 3_000, 'joined');
    proxy.cut();
    // A raw client asks whether its change is stored: the answer is a close, never an acknowledgement.
    const replica = new Y.Doc();
    applyStoredState(replica, { snapshot: Y.encodeStateAsUpdate(writer.doc), updates: [] });
    raw.send(updateFrame(captureUpdate(replica, (d) => editActivity(d, id, { description: 'raw while down' }))));
    raw.send(encodeFlush(1));
    expect((await closeOf(raw)).code).toBe(CloseCode.storageFailed);
    expect(raw.frames.some((f) => f[0] === 100)).toBe(false);
    // The stock client is refused too, and keeps its change.
    editActivity(writer.doc, id, { title: 'while PostgreSQL is away' });
    await waitFor(() => writer.closes.some((x) => x.code === CloseCode.storageFailed), 5_000, 'the writer refused');
    await new Promise((r) => setTimeout(r, 300));
    expect(titleOf(reader.doc, id)).not.toBe('while PostgreSQL is away');
    expect(c.instances[1]!.sync.stats.updatesStored).toBe(stored);

    proxy.restore();
    // The stock client reconnects on its own and sends what the server lacks.
    await waitFor(() => titleOf(reader.doc, id) === 'while PostgreSQL is away', 15_000, 'stored and relayed after PostgreSQL came back');
    await converged(c, [reader, writer]);
    replica.destroy();
  });
});
