/**
 * The storage contract and PostgreSQL's own rules against a real server: TEST_DATABASE_URL, or the
 * local one every development machine and CI has. Each case gets its own schema, dropped after it.
 *
 * Without a reachable server the whole file is skipped and says why, unless the run requires the
 * service (`REQUIRE_SERVICES` naming postgres, as .ci/run sets once it has started one): then a
 * missing server fails the run instead of passing it with nothing tested (test/services.ts).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { storageContractSuite } from './contract.js';
import { applyStoredState } from './document.js';
import { POSTGRES_SCHEMA_VERSION, PostgresStorage, type PostgresStorageOptions } from './postgres.js';
import type { StoredState, TokenRecord } from './types.js';
import { postgresUnavailable, postgresUrl } from '../test/services.js';

const url = postgresUrl;
const unreachable = await postgresUnavailable('the PostgreSQL storage tests');
const suite = unreachable === null ? 'PostgresStorage' : `PostgresStorage (SKIPPED: ${unreachable})`;

/** Drops the schemas the cases made; one small pool for the whole file. */
const admin = unreachable === null ? new pg.Pool({ connectionString: url, max: 2 }) : null;
afterAll(async () => {
  await admin?.end();
});

const newSchema = (): string => `tabla_test_${randomBytes(6).toString('hex')}`;
const dropSchema = async (schema: string): Promise<void> => {
  await admin!.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
};

const TOKENS: TokenRecord[] = [{ role: 'facilitator', tokenHash: 'f'.repeat(64) }];

function rebuild(state: StoredState | null): Y.Doc {
  expect(state).not.toBeNull();
  const doc = new Y.Doc();
  applyStoredState(doc, state!);
  return doc;
}

/** A document of its own (its own Yjs client) whose edits push `${name}-${n}` onto the array 'log'. */
function writer(name: string): { push: (n: number) => Uint8Array } {
  const doc = new Y.Doc();
  return {
    push: (n) => {
      let update: Uint8Array | undefined;
      const onUpdate = (u: Uint8Array): void => {
        update = u;
      };
      doc.on('update', onUpdate);
      doc.getArray<string>('log').push([`${name}-${n}`]);
      doc.off('update', onUpdate);
      return update!;
    },
  };
}

const logOf = (state: StoredState | null): string[] => [...rebuild(state).getArray<string>('log').toArray()].sort();
const initial = Y.encodeStateAsUpdate(new Y.Doc());
const board = (id: string) => ({ id, title: id.toUpperCase(), createdAt: 1 });

describe.skipIf(unreachable !== null)(suite, () => {
  storageContractSuite(
    'postgres',
    async () => {
      const schema = newSchema();
      const opened: PostgresStorage[] = [];
      const open = async (): Promise<PostgresStorage> => {
        const storage = await PostgresStorage.open(url, { schema });
        opened.push(storage);
        return storage;
      };
      return {
        storage: await open(),
        // A restart: a new pool over the same schema.
        reopen: open,
        cleanup: async () => {
          for (const storage of opened) await storage.close();
          await dropSchema(schema);
        },
      };
    },
    { persistent: true },
  );

  describe('PostgreSQL specifics', () => {
    let schema: string | undefined;
    const toClose: PostgresStorage[] = [];

    /** Another instance over the current case's schema: its own pool, as a second server process has. */
    const instance = async (options: PostgresStorageOptions = {}): Promise<PostgresStorage> => {
      schema ??= newSchema();
      const storage = await PostgresStorage.open(url, { schema, ...options });
      toClose.push(storage);
      return storage;
    };

    afterEach(async () => {
      for (const storage of toClose.splice(0)) await storage.close();
      if (schema) await dropSchema(schema);
      schema = undefined;
    });

    it('numbers each board apart: gap-free from 1, and a rolled-back append uses up no seq', async () => {
      let failNext = false;
      const storage = await instance({
        faultInjection: {
          beforeAppendCommit: () => {
            if (failNext) throw new Error('injected append failure');
          },
        },
      });
      await storage.createBoard(board('a'), initial, TOKENS);
      await storage.createBoard(board('b'), initial, TOKENS);
      const w = writer('w');
      expect(await storage.appendUpdates([{ boardId: 'a', update: w.push(1) }, { boardId: 'a', update: w.push(2) }])).toEqual([1, 2]);
      expect(await storage.appendUpdates([{ boardId: 'b', update: w.push(3) }, { boardId: 'a', update: w.push(4) }])).toEqual([1, 3]);
      failNext = true;
      await expect(storage.appendUpdates([{ boardId: 'a', update: w.push(5) }])).rejects.toThrow('injected');
      failNext = false;
      expect(await storage.appendUpdates([{ boardId: 'a', update: w.push(6) }])).toEqual([4]);
      // Compaction keeps the counter: the next seq continues after it.
      const state = await storage.loadState('a');
      await storage.compact('a', Y.encodeStateAsUpdate(rebuild(state)), state!.lastSeq);
      expect(await storage.appendUpdates([{ boardId: 'a', update: w.push(7) }])).toEqual([5]);
    });

    it('two instances appending to one board at once get distinct, increasing, gap-free seqs and lose nothing', async () => {
      const one = await instance();
      const two = await instance();
      await one.createBoard(board('a'), initial, TOKENS);
      const perInstance = 60;
      const run = async (storage: PostgresStorage, name: string): Promise<number[]> => {
        const w = writer(name);
        const seqs: number[] = [];
        for (let i = 0; i < perInstance; i++) {
          // Mostly one update per transaction, as a quiet server writes; every fifth a batch of three.
          const batch = Array.from({ length: i % 5 === 0 ? 3 : 1 }, (_, j) => ({ boardId: 'a', update: w.push(i * 10 + j) }));
          seqs.push(...(await storage.appendUpdates(batch)));
        }
        return seqs;
      };
      const [seqsOne, seqsTwo] = await Promise.all([run(one, 'one'), run(two, 'two')]);
      for (const seqs of [seqsOne, seqsTwo]) expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      const all = [...seqsOne, ...seqsTwo].sort((x, y) => x - y);
      expect(all).toEqual(Array.from({ length: all.length }, (_, i) => i + 1));
      // Interleaved, so the row lock was actually contended (not one instance after the other).
      expect(Math.min(...seqsTwo)).toBeLessThan(Math.max(...seqsOne));
      expect(Math.min(...seqsOne)).toBeLessThan(Math.max(...seqsTwo));

      const state = await two.loadState('a');
      expect(state!.updates).toHaveLength(all.length);
      expect(state!.lastSeq).toBe(all.length);
      expect(logOf(state)).toHaveLength(all.length);
    });

    it('batches spanning the same boards in opposite orders from two instances do not deadlock', async () => {
      const one = await instance();
      const two = await instance();
      for (const id of ['a', 'b', 'c']) await one.createBoard(board(id), initial, TOKENS);
      const w1 = writer('one');
      const w2 = writer('two');
      const rounds = 30;
      await Promise.all([
        (async () => {
          for (let i = 0; i < rounds; i++) {
            await one.appendUpdates(['a', 'b', 'c'].map((boardId, j) => ({ boardId, update: w1.push(i * 3 + j) })));
          }
        })(),
        (async () => {
          for (let i = 0; i < rounds; i++) {
            await two.appendUpdates(['c', 'b', 'a'].map((boardId, j) => ({ boardId, update: w2.push(i * 3 + j) })));
          }
        })(),
      ]);
      for (const id of ['a', 'b', 'c']) {
        const state = await one.loadState(id);
        expect(state!.lastSeq).toBe(2 * rounds);
        expect(state!.updates).toHaveLength(2 * rounds);
      }
    });

    it('a compaction in one instance neither blocks nor loses the appends of another', async () => {
      let release!: () => void;
      let entered!: () => void;
      const inCompaction = new Promise<void>((resolve) => {
        entered = resolve;
      });
      const compactor = await instance({
        faultInjection: {
          // Holds the compaction's transaction open, its rows written, until the other instance appended.
          beforeCompactCommit: () => {
            entered();
            return new Promise<void>((resolve) => {
              release = resolve;
            });
          },
        },
      });
      const appender = await instance();
      await appender.createBoard(board('a'), initial, TOKENS);
      const w = writer('w');
      for (let i = 0; i < 10; i++) await appender.appendUpdates([{ boardId: 'a', update: w.push(i) }]);

      const seen = await compactor.loadState('a');
      const compaction = compactor.compact('a', Y.encodeStateAsUpdate(rebuild(seen)), seen!.lastSeq);
      await inCompaction;
      const during: number[] = [];
      for (let i = 10; i < 20; i++) during.push(...(await appender.appendUpdates([{ boardId: 'a', update: w.push(i) }])));
      expect(during).toEqual(Array.from({ length: 10 }, (_, i) => 11 + i));
      // A second compaction of the same board waits for the first, then finds nothing to do.
      const again = appender.compact('a', Y.encodeStateAsUpdate(rebuild(seen)), seen!.lastSeq);
      release();
      await compaction;
      await again;

      const state = await appender.loadState('a');
      expect(state!.updates).toHaveLength(10);
      expect(state!.lastSeq).toBe(20);
      expect(logOf(state)).toEqual(Array.from({ length: 20 }, (_, i) => `w-${i}`).sort());
    });

    it('keeps everything while instances append and compact at random', async () => {
      const instances = [await instance(), await instance(), await instance()];
      await instances[0]!.createBoard(board('a'), initial, TOKENS);
      const perWriter = 40;
      const writing = instances.slice(0, 2).map(async (storage, k) => {
        const w = writer(`w${k}`);
        for (let i = 0; i < perWriter; i++) await storage.appendUpdates([{ boardId: 'a', update: w.push(i) }]);
      });
      let compactions = 0;
      const compacting = (async () => {
        const storage = instances[2]!;
        for (let i = 0; i < 15; i++) {
          const state = await storage.loadState('a');
          await storage.compact('a', Y.encodeStateAsUpdate(rebuild(state)), state!.lastSeq);
          compactions++;
        }
      })();
      await Promise.all([...writing, compacting]);
      expect(compactions).toBe(15);
      const state = await instances[1]!.loadState('a');
      expect(state!.lastSeq).toBe(2 * perWriter);
      expect(logOf(state)).toHaveLength(2 * perWriter);
    });

    it('migrates once when instances start at once, and again is a no-op', async () => {
      schema = newSchema();
      const started = await Promise.all([0, 1, 2, 3].map(() => PostgresStorage.open(url, { schema })));
      toClose.push(...started);
      const { rows } = await admin!.query<{ version: number }>(`SELECT version FROM ${schema}.schema_migrations ORDER BY version`);
      expect(rows.map((r) => r.version)).toEqual(Array.from({ length: POSTGRES_SCHEMA_VERSION }, (_, i) => i + 1));
      // All of them work on the same tables.
      await started[0]!.createBoard(board('a'), initial, TOKENS);
      expect(await started[3]!.getBoard('a')).toEqual(board('a'));
      await instance();
      expect((await admin!.query(`SELECT 1 FROM ${schema}.schema_migrations`)).rowCount).toBe(POSTGRES_SCHEMA_VERSION);
    });

    it('refuses a schema newer than it knows, an unsafe schema name, and commits that are not durable', async () => {
      await instance();
      await admin!.query(`INSERT INTO ${schema}.schema_migrations (version, applied_at) VALUES (99, 0)`);
      await expect(PostgresStorage.open(url, { schema })).rejects.toThrow(/newer than this server supports/);
      await expect(PostgresStorage.open(url, { schema: 'Robert"); DROP' })).rejects.toThrow(/invalid schema name/);
      const asyncCommit = `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c synchronous_commit=off -c search_path=${schema}`)}`;
      await expect(PostgresStorage.open(asyncCommit)).rejects.toThrow(/synchronous_commit/);
    });

    it('stores ids bytewise ordered, client ids up to 2^32 - 1, and large updates whole', async () => {
      const storage = await instance();
      for (const id of ['b', 'B', 'a-1', 'a_1']) await storage.createBoard(board(id), initial, []);
      expect((await storage.listBoards()).map((b) => b.id)).toEqual(['B', 'a-1', 'a_1', 'b']);
      const big = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 7) % 256);
      await storage.appendUpdates([{ boardId: 'b', update: big, newOwners: [{ clientId: 2 ** 32 - 1, keyHash: 'k' }] }]);
      await storage.bindPresence('b', [{ clientId: 2 ** 32 - 2, keyHash: 'p' }]);
      const state = (await storage.loadState('b'))!;
      expect(Buffer.from(state.updates[0]!).equals(Buffer.from(big))).toBe(true);
      expect([...state.clientOwners]).toEqual([[2 ** 32 - 1, 'k']]);
      expect([...state.presenceOwners]).toEqual([[2 ** 32 - 2, 'p']]);
    });

    it('checkWritable commits a write, and rolls back when the probe fails', async () => {
      let fail = false;
      const storage = await instance({
        faultInjection: {
          beforeWriteProbeCommit: () => {
            if (fail) throw new Error('injected probe failure');
          },
        },
      });
      await expect(storage.checkWritable()).resolves.toBeUndefined();
      fail = true;
      await expect(storage.checkWritable()).rejects.toThrow('injected probe failure');
      fail = false;
      await expect(storage.checkWritable()).resolves.toBeUndefined();
    });

    it('importBoard writes a whole board once, keeping its seq, tokens’ dates, bindings and versions', async () => {
      const storage = await instance();
      const w = writer('w');
      const source = new Y.Doc();
      Y.applyUpdate(source, w.push(1));
      const copy = {
        board: board('a'),
        snapshot: Y.encodeStateAsUpdate(source),
        lastSeq: 41,
        clientOwners: new Map([[7, 'k7']]),
        presenceOwners: new Map([[8, '']]),
        tokens: [{ role: 'editor' as const, tokenHash: 'e'.repeat(64), municipalityId: 'm1', createdAt: 123 }],
        versions: [{ id: 'v1', name: 'V', createdAt: 5, by: 'f', auto: true, summary: 's', snapshot: new Uint8Array([0, 0]) }],
      };
      expect(await storage.importBoard(copy)).toBe(true);
      expect(await storage.importBoard({ ...copy, board: { ...copy.board, title: 'other' }, lastSeq: 0 })).toBe(false);
      expect(await storage.getBoard('a')).toEqual(board('a'));
      expect(await storage.getTokens('a')).toEqual(copy.tokens);
      const state = (await storage.loadState('a'))!;
      expect(state.lastSeq).toBe(41);
      expect(logOf(state)).toEqual(['w-1']);
      expect([...state.clientOwners]).toEqual([[7, 'k7']]);
      expect([...state.presenceOwners]).toEqual([[8, '']]);
      expect(await storage.listVersions('a')).toEqual([{ id: 'v1', name: 'V', createdAt: 5, by: 'f', auto: true, summary: 's' }]);
      expect(await storage.appendUpdates([{ boardId: 'a', update: w.push(2) }])).toEqual([42]);
    });
  });
});
