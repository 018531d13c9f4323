/**
 * Several built servers (`dist/main.js`) sharing boards through PostgreSQL and Redis Streams
 * (RELIABILITY.md R21), as deployed: each its own process and DATA_DIR, one PostgreSQL schema and
 * one Redis key prefix per test (removed after it). Crashes are `kill -9`; the instance killed
 * between its commit and its XADD kills itself there (TABLA_TEST_FANOUT_FAULTS, src/fanout-faults.ts).
 *
 * Skipped, saying why, without PostgreSQL or Redis; failed instead when CI requires them
 * (`REQUIRE_SERVICES`, set by .ci/run).
 */
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { type ActivityId, demoLaneId, editActivity, type LaneId, moveActivity, readBoard } from '@tabla/plan-model';
import { applyStoredState, PostgresStorage } from '@tabla/sync-server';
import { connectRawReader, connectStock, parseServerFrame, rawClient, type RawReader, type StockClient, updateFrame, waitFor, within } from '@tabla/test-clients';
import { type CreatedBoard, SpawnedServer } from './spawned-server.js';

const databaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const required = (name: string) => new RegExp(`\\b${name}\\b`, 'i').test(process.env.REQUIRE_SERVICES ?? '');

async function postgresProblem(): Promise<string | null> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (err) {
    return `PostgreSQL at ${databaseUrl.replace(/:[^:@/]*@/, ':***@')} is not reachable (${(err as Error).message})`;
  } finally {
    await client.end().catch(() => {});
  }
}

/** PING over a plain socket (this app has no Redis client of its own). */
function redisProblem(): Promise<string | null> {
  const url = new URL(redisUrl);
  return new Promise((resolve) => {
    const socket = connect(Number(url.port || 6379), url.hostname || '127.0.0.1');
    const done = (problem: string | null) => {
      socket.destroy();
      resolve(problem);
    };
    socket.setTimeout(2_000, () => done(`Redis at ${url.host} did not answer`));
    socket.on('error', (err) => done(`Redis at ${url.host} is not reachable (${err.message})`));
    socket.on('connect', () => socket.write(url.password ? `AUTH ${decodeURIComponent(url.password)}\r\nPING\r\n` : 'PING\r\n'));
    socket.on('data', (data) => done(data.toString().includes('+PONG') ? null : `Redis at ${url.host} answered ${JSON.stringify(data.toString().slice(0, 40))}`));
  });
}

async function servicesProblem(): Promise<string | null> {
  const problems: string[] = [];
  for (const [name, check] of [
    ['postgres', postgresProblem],
    ['redis', redisProblem],
  ] as const) {
    const problem = await check();
    if (problem && required(name)) throw new Error(`${problem}, and this CI run requires it (REQUIRE_SERVICES=${process.env.REQUIRE_SERVICES})`);
    if (problem) problems.push(problem);
  }
  if (problems.length === 0) return null;
  console.warn(`${problems.join('; ')}: the scale-out tests of the built server are SKIPPED. Set TEST_DATABASE_URL / TEST_REDIS_URL to run them.`);
  return problems.join('; ');
}

const problem = await servicesProblem();
const suite = problem === null ? 'several built servers sharing boards' : `several built servers sharing boards (SKIPPED: ${problem})`;

let cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

interface Shared {
  readonly schema: string;
  readonly env: Record<string, string>;
  /** The board as PostgreSQL has it now. */
  stored(boardId: string): Promise<Y.Doc>;
  storedUpdates(boardId: string): Promise<number>;
}

/** A schema and a key prefix of the test's own, and the environment that points a server at them. */
async function shared(): Promise<Shared> {
  const id = randomBytes(6).toString('hex');
  const schema = `tabla_test_${id}`;
  const keyPrefix = `tabla_test_${id}:`;
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const storage = await PostgresStorage.open(databaseUrl, { schema });
  cleanups.push(async () => {
    await storage.close();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
    await deleteKeys(keyPrefix);
  });
  const url = `${databaseUrl}${databaseUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  return {
    schema,
    env: { DATABASE_URL: url, REDIS_URL: redisUrl, REDIS_KEY_PREFIX: keyPrefix },
    async stored(boardId) {
      const doc = new Y.Doc();
      applyStoredState(doc, (await storage.loadState(boardId))!);
      cleanups.push(() => doc.destroy());
      return doc;
    },
    async storedUpdates(boardId) {
      return (await storage.latestSeqs([boardId])).get(boardId) ?? -1;
    },
  };
}

/** Deletes the test's keys (SCAN + DEL over a plain socket, never anything outside the prefix). */
async function deleteKeys(prefix: string): Promise<void> {
  const url = new URL(redisUrl);
  const command = (args: string[]) => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
  const lua = `local n = 0 for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('DEL', k) n = n + 1 end return n`;
  await new Promise<void>((resolve) => {
    const socket = connect(Number(url.port || 6379), url.hostname || '127.0.0.1');
    socket.setTimeout(2_000, () => socket.destroy());
    socket.on('error', () => resolve());
    socket.on('close', () => resolve());
    socket.on('connect', () => socket.end(command(['EVAL', lua, '0', `${prefix}*`])));
    socket.on('data', () => socket.destroy());
  });
}

async function start(env: Record<string, string>, extra: Record<string, string> = {}): Promise<SpawnedServer> {
  const server = await SpawnedServer.start({ env: { ...env, ...extra } });
  cleanups.push(() => server.dispose());
  return server;
}

function stock(server: SpawnedServer, board: CreatedBoard, role: 'editor' | 'viewer'): StockClient {
  const client = connectStock(server.wsUrl, board.id, board.tokens[role]);
  cleanups.push(() => client.destroy());
  return client;
}

async function reader(server: SpawnedServer, board: CreatedBoard): Promise<RawReader> {
  const r = await connectRawReader(server.wsUrl, board.id, board.tokens.viewer);
  cleanups.push(() => r.ws.terminate());
  return r;
}

const LANES: (LaneId | null)[] = [demoLaneId('A'), demoLaneId('B'), demoLaneId('C'), demoLaneId('D'), null];

/** `count` moves and title edits, 10 per event-loop turn, until `stop()`. */
async function burst(doc: Y.Doc, count: number, tag: string, stop: () => boolean = () => false): Promise<number> {
  const ids = [...readBoard(doc).activityById.keys()].sort() as ActivityId[];
  let done = 0;
  while (done < count && !stop()) {
    for (const end = Math.min(count, done + 10); done < end; done++) {
      const id = ids[done % ids.length]!;
      if (done % 2 === 0) moveActivity(doc, id, LANES[Math.floor(done / 2) % LANES.length]!, done % 3);
      else editActivity(doc, id, { title: `${tag} ${done}` });
    }
    await new Promise((r) => setImmediate(r));
  }
  return done;
}

/** How many of `updates` the document does not (fully) hold. */
function missingFrom(doc: Y.Doc, updates: readonly Uint8Array[]): number {
  const snapshot = Y.snapshot(doc);
  return updates.filter((u) => !Y.snapshotContainsUpdate(snapshot, u)).length;
}

const json = (doc: Y.Doc): string => JSON.stringify([...readBoard(doc).activityById.values()].map((a) => [a.id, a.title, a.laneId, a.rank]).sort());

describe.skipIf(problem !== null)(suite, () => {
  it('[R21] kill -9 of an instance in and after a burst loses nothing any client of another instance was sent', async () => {
    const s = await shared();
    const [a, b] = await Promise.all([start(s.env, { CATCH_UP_INTERVAL_MS: '300' }), start(s.env, { CATCH_UP_INTERVAL_MS: '300' })]);
    const board = await a.createBoard('R21 kill -9');
    for (const killAt of [40, 120]) {
      const writer = stock(a, board, 'editor');
      await writer.untilSynced();
      const seen = await reader(b, board); // relayed from a through Redis
      let killed = false;
      seen.onUpdate = (count) => {
        if (count === killAt && !killed) {
          killed = true;
          a.kill('SIGKILL'); // the moment another instance's client has it
        }
      };
      const BURST = killAt === 120 ? 120 : 150; // 120: killed right after the last update reached b
      await burst(writer.doc, BURST, `burst ${killAt}`, () => killed);
      await waitFor(() => killed, 10_000, `b's reader to see ${killAt} updates`);
      expect((await within(a.exited(), 5_000, 'the exit')).signal).toBe('SIGKILL');
      writer.destroy(); // its reconnect would send its edits again and hide a loss
      expect(missingFrom(await s.stored(board.id), seen.updates)).toBe(0);
      expect(seen.closeInfo).toBeNull(); // b served on
      await a.restart({ env: { ...s.env, CATCH_UP_INTERVAL_MS: '300' } });
    }
    // After the restarts every instance serves the stored board.
    const fresh = [stock(a, board, 'viewer'), stock(b, board, 'viewer')];
    await Promise.all(fresh.map((c) => c.untilSynced()));
    const stored = json(await s.stored(board.id));
    await waitFor(() => fresh.every((c) => json(c.doc) === stored), 5_000, 'both instances serve the stored board');
  });

  it('[R21] an instance killed between commit and XADD: the others find the update by their periodic check, or when its sender reconnects to them', async () => {
    const s = await shared();
    const [a, b, c] = await Promise.all([
      start(s.env, { TABLA_TEST_FANOUT_FAULTS: 'crash-before-publish:1' }),
      // b's periodic check is ten minutes away: only the sender's reconnect can bring it the update.
      start(s.env, { CATCH_UP_INTERVAL_MS: '600000' }),
      start(s.env, { CATCH_UP_INTERVAL_MS: '500' }),
    ]);
    const board = await b.createBoard('R21 commit, then crash');
    const [atB, atC] = await Promise.all([reader(b, board), reader(c, board)]);
    const writer = stock(a, board, 'editor');
    await writer.untilSynced();
    const id = [...readBoard(writer.doc).activityById.keys()][0] as ActivityId;
    const titleAt = (r: RawReader) => readBoard(r.doc).activityById.get(id)?.title;
    const before = await s.storedUpdates(board.id);
    editActivity(writer.doc, id, { title: 'committed, never published' });
    expect((await within(a.exited(), 5_000, 'a to kill itself')).signal).toBe('SIGKILL');
    writer.provider.disconnect();
    expect(await s.storedUpdates(board.id)).toBe(before + 1); // committed before the crash

    // Nobody reconnects to c and nothing else is written: c's periodic check brings it.
    await waitFor(() => titleAt(atC) === 'committed, never published', 5_000, 'c to find the update in PostgreSQL');
    expect(titleAt(atB)).not.toBe('committed, never published');

    // What the stock client does when it reconnects (through the balancer, now to b): it answers
    // the server's sync step 1 with everything the server lacks.
    const again = await rawClient(b.wsUrl, board.id, board.tokens.editor);
    cleanups.push(() => again.terminate());
    await waitFor(() => again.frames.length > 0, 5_000, 'b’s sync step 1');
    const step1 = again.frames.map(parseServerFrame).find((f) => f.type === 'sync-step-1');
    if (!step1 || step1.type !== 'sync-step-1') throw new Error('no sync step 1 from b');
    again.send(updateFrame(Y.encodeStateAsUpdate(writer.doc, step1.payload)));
    await waitFor(() => titleAt(atB) === 'committed, never published', 5_000, 'the update at b’s reader');
    // b's write of it met the stored one (a seq conflict): b caught up, and the repeat was nothing new.
    expect(await s.storedUpdates(board.id)).toBe(before + 1);
    expect(again.closeInfo).toBeNull();
  });
});
