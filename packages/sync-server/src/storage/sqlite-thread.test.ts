import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { storageContractSuite } from './contract.js';
import { DamagedDatabaseError, SqliteStorage } from './sqlite.js';
import { packByteLists, SqliteThreadStorage, type SqliteThreadStorageOptions, unpackByteLists } from './sqlite-thread.js';
import { SeqConflictError, type TokenRecord } from './types.js';
import { SLOW_COMMIT_MS } from '../test/sqlite-thread-faults.js';

storageContractSuite('sqlite (worker thread)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tabla-sqlite-thread-'));
  const file = join(dir, 'boards.db');
  let first: SqliteThreadStorage;
  try {
    first = await SqliteThreadStorage.open(file);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const opened: SqliteThreadStorage[] = [first];
  return {
    storage: first,
    reopen: async () => {
      const storage = await SqliteThreadStorage.open(file);
      opened.push(storage);
      return storage;
    },
    cleanup: async () => {
      for (const storage of opened) await storage.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}, { persistent: true });

const TOKENS: TokenRecord[] = [{ role: 'facilitator', tokenHash: 'f'.repeat(64) }];
const FAULTS = new URL('../test/sqlite-thread-faults.ts', import.meta.url);

/** A board's initial state and one update to it. */
const { initial, update } = ((): { initial: Uint8Array; update: Uint8Array } => {
  const doc = new Y.Doc();
  doc.getMap('board').set('title', 'Thread');
  const initial = Y.encodeStateAsUpdate(doc);
  const before = Y.encodeStateVector(doc);
  doc.getArray<number>('log').push([1]);
  return { initial, update: Y.encodeStateAsUpdate(doc, before) };
})();

describe('SqliteThreadStorage (the worker thread)', () => {
  let dir: string;
  let file: string;
  const toClose: SqliteThreadStorage[] = [];

  const open = async (options?: SqliteThreadStorageOptions): Promise<SqliteThreadStorage> => {
    const storage = await SqliteThreadStorage.open(file, options);
    toClose.push(storage);
    return storage;
  };

  /**
   * A storage whose compactions misbehave by board (test/sqlite-thread-faults.ts), with those boards,
   * and `compact(boardId)` that folds each one's single update into its snapshot.
   */
  const openWithFaults = async (options: SqliteThreadStorageOptions = {}) => {
    const storage = await open({ ...options, faultInjectionModule: FAULTS });
    const seqs = new Map<string, number>();
    for (const id of ['conflict', 'slow', 'crash']) {
      await storage.createBoard({ id, title: id, createdAt: 1 }, initial, TOKENS);
      seqs.set(id, (await storage.appendUpdates([{ boardId: id, update }]))[0]!);
    }
    const compact = (boardId: string): Promise<void> => storage.compact(boardId, Y.mergeUpdates([initial, update]), seqs.get(boardId)!);
    return { storage, compact };
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tabla-sqlite-thread-'));
    file = join(dir, 'boards.db');
  });

  afterEach(async () => {
    for (const storage of toClose.splice(0)) await storage.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('errors cross with the class and properties callers rely on', async () => {
    const { storage, compact } = await openWithFaults();

    const conflict = compact('conflict');
    await expect(conflict).rejects.toBeInstanceOf(SeqConflictError);
    await expect(conflict).rejects.toMatchObject({ boardIds: ['conflict'] });
    await expect(storage.appendUpdates([{ boardId: 'slow', update: new Uint8Array([0, 0]), expectSeq: 1 }])).rejects.toBeInstanceOf(RangeError);
    await expect(storage.checkWritable()).rejects.toMatchObject({ code: 'SQLITE_READONLY', message: expect.stringMatching(/readonly/) });
    await expect(storage.getTokens('conflict')).resolves.toHaveLength(1); // an error is one call's, not the storage's

    writeFileSync(join(dir, 'damaged.db'), 'this is not an SQLite database, it only ends in .db\n'.repeat(100));
    const damaged = SqliteThreadStorage.open(join(dir, 'damaged.db'));
    await expect(damaged).rejects.toBeInstanceOf(DamagedDatabaseError);
    await expect(damaged).rejects.toMatchObject({ file: join(dir, 'damaged.db'), problem: expect.stringMatching(/not a database/) });
  });

  it('a slow commit blocks the worker, not the calling thread', async () => {
    const { compact } = await openWithFaults();
    const started = performance.now();
    const slow = compact('slow');
    // Timers keep firing on time while the worker's transaction is held open.
    let latest = 0;
    for (let i = 0; i < 10; i++) {
      const asked = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 10));
      latest = Math.max(latest, performance.now() - asked);
    }
    await slow;
    expect(performance.now() - started).toBeGreaterThanOrEqual(SLOW_COMMIT_MS - 20);
    expect(latest).toBeLessThan(SLOW_COMMIT_MS / 2);
  });

  it('sends copies of exactly the caller\'s bytes, which it keeps, and gives back what was stored', async () => {
    const storage = await open();
    await storage.createBoard({ id: 'b', title: 'B', createdAt: 1 }, initial, TOKENS);
    // An update as it arrives: a view into a larger received frame.
    const frame = new Uint8Array(update.length + 16).fill(7);
    frame.set(update, 8);
    const view = frame.subarray(8, 8 + update.length);
    // As the update writer passes it: its queue entry, with the functions that settle it.
    const queued = { boardId: 'b', update: view, newOwners: [{ clientId: 5, keyHash: 'k' }], resolve: () => {}, reject: () => {} };
    await storage.appendUpdates([queued]);
    expect(frame.byteLength).toBe(update.length + 16); // not detached: the caller still relays it
    expect([...view]).toEqual([...update]);
    const state = await storage.loadState('b');
    expect(state?.updates).toEqual([update]);
    expect(state?.snapshot).toEqual(initial);
    expect(state?.clientOwners).toEqual(new Map([[5, 'k']]));
  });

  it("a board's log crosses as one buffer: every update back, in order, as views into it", async () => {
    const storage = await open();
    await storage.createBoard({ id: 'b', title: 'B', createdAt: 1 }, initial, TOKENS);
    const updates = [Uint8Array.of(1), Uint8Array.of(2, 2), update, Uint8Array.of(3, 3, 3)];
    for (const u of updates) await storage.appendUpdates([{ boardId: 'b', update: u }]);
    const state = await storage.loadState('b');
    expect(state?.updates.map((u) => [...u])).toEqual(updates.map((u) => [...u]));
    expect(new Set(state?.updates.map((u) => u.buffer)).size).toBe(1);
    expect(Object.getPrototypeOf(state?.updates[0])).toBe(Uint8Array.prototype);
    // Lists of other things, and single byte arrays, cross as they are.
    expect(unpackByteLists(packByteLists({ a: [1, 2], b: [Uint8Array.of(9)], c: [] }))).toEqual({ a: [1, 2], b: [Uint8Array.of(9)], c: [] });
  });

  it('a worker that dies fails every pending and later call, and says so once', async () => {
    const exits: Error[] = [];
    const { storage, compact } = await openWithFaults({ onWorkerExit: (err) => exits.push(err) });
    const pending = [compact('crash'), storage.getBoard('slow'), storage.listBoards()];
    for (const call of pending) await expect(call).rejects.toThrow(/SQLite worker stopped \(exit code 7\)/);
    await expect(storage.getBoard('slow')).rejects.toThrow(/SQLite worker stopped/);
    expect(exits.map((err) => err.message)).toEqual(['the SQLite worker stopped (exit code 7)']);
    await storage.close(); // nothing left to close, but it resolves

    // Died inside the transaction: nothing of it was committed, and the database opens again.
    const again = await open();
    expect(await again.loadState('crash')).toMatchObject({ snapshot: initial, updates: [update] });
  });

  it('close answers every call made before it, then ends the worker; later calls reject', async () => {
    const exits: Error[] = [];
    const storage = await open({ onWorkerExit: (err) => exits.push(err) });
    const created = storage.createBoard({ id: 'b', title: 'B', createdAt: 1 }, initial, TOKENS);
    const appends = Array.from({ length: 20 }, () => storage.appendUpdates([{ boardId: 'b', update }]));
    const closed = storage.close();
    expect(storage.close()).toBe(closed);
    await created;
    expect((await Promise.all(appends)).flat()).toHaveLength(20);
    await closed;
    await expect(storage.countUpdates('b')).rejects.toThrow(/closed/);
    expect(exits).toEqual([]); // an asked-for end is no crash

    const reopened = SqliteStorage.open(file);
    try {
      expect(await reopened.countUpdates('b')).toBe(20);
    } finally {
      await reopened.close();
    }
  });
});
