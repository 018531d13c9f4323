/**
 * The SQLite -> PostgreSQL copy against a real PostgreSQL (TEST_DATABASE_URL, or the local one),
 * in a schema of its own per case. Skipped with the reason when none answers, unless CI requires
 * the service (`CI` and `REQUIRE_SERVICES` naming postgres): then it fails.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyStoredState, PostgresStorage, SqliteStorage, type BoardStorage, type TokenRecord } from '@tabla/sync-server';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { copyToPostgresCommand, parseCopyArgs } from './copy-to-postgres.js';

const url = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const required = Boolean(process.env.CI) && /\bpostgres\b/i.test(process.env.REQUIRE_SERVICES ?? '');

async function whyUnreachable(): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (err) {
    return String((err as Error).message || err);
  } finally {
    await client.end().catch(() => {});
  }
}

const unreachable = await whyUnreachable();
const shownUrl = url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
if (unreachable !== null) {
  const message = `PostgreSQL at ${shownUrl} is not reachable (${unreachable})`;
  if (required) throw new Error(`${message}, and this CI run requires it (REQUIRE_SERVICES=${process.env.REQUIRE_SERVICES})`);
  console.warn(`${message}: the copy-to-postgres tests are SKIPPED. Set TEST_DATABASE_URL to run them.`);
}
const admin = unreachable === null ? new pg.Pool({ connectionString: url, max: 2 }) : null;
afterAll(async () => {
  await admin?.end();
});

/** `url` with every connection's search_path in `schema`, as an operator would give a schema. */
const inSchema = (schema: string): string =>
  `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;

const tokenHash = (c: string): string => c.repeat(64);

/** What a reader of the storage sees of a board: record, document, tokens, bindings, versions. */
async function everything(storage: BoardStorage, boardId: string) {
  const state = (await storage.loadState(boardId))!;
  const doc = new Y.Doc();
  applyStoredState(doc, state);
  const versions = await storage.listVersions(boardId);
  return {
    board: await storage.getBoard(boardId),
    document: doc.getMap('board').toJSON(),
    items: doc.getArray('items').toJSON(),
    lastSeq: state.lastSeq,
    clientOwners: [...state.clientOwners].sort(),
    presenceOwners: [...state.presenceOwners].sort(),
    tokens: await storage.getTokens(boardId),
    versions,
    snapshots: await Promise.all(versions.map(async (v) => Array.from((await storage.getVersion(boardId, v.id))!.snapshot))),
  };
}

describe('parseCopyArgs', () => {
  it('takes a data directory or a database file, relative to where npm was run, and the target URL', () => {
    const env = { INIT_CWD: '/srv/tabla', DATABASE_URL: 'postgres://db/tabla' };
    expect(parseCopyArgs([], env)).toEqual({ from: '/srv/tabla/data/tabla.db', to: 'postgres://db/tabla' });
    expect(parseCopyArgs(['--from', '/old/boards.db', '--to=postgresql://x/y'], env)).toEqual({ from: '/old/boards.db', to: 'postgresql://x/y' });
    expect(parseCopyArgs(['--from=old.db'], { ...env, DATA_DIR: 'ignored' })).toEqual({ from: '/srv/tabla/old.db', to: 'postgres://db/tabla' });
    expect(parseCopyArgs([], { INIT_CWD: '/srv', DATA_DIR: 'd' })).toEqual(new Error('no target: give --to postgres://… or set DATABASE_URL'));
    expect(parseCopyArgs(['--to', 'mysql://x'], env)).toBeInstanceOf(Error);
    expect(parseCopyArgs(['--from'], env)).toBeInstanceOf(Error);
    expect(parseCopyArgs(['--into', 'x'], env)).toBeInstanceOf(Error);
  });
});

describe.skipIf(unreachable !== null)(
  unreachable === null ? 'copy-to-postgres' : `copy-to-postgres (SKIPPED: ${shownUrl} not reachable: ${unreachable})`,
  () => {
    let dir: string;
    let schema: string;
    const lines: string[] = [];
    const run = (argv: string[]) =>
      copyToPostgresCommand(argv, { INIT_CWD: dir }, (line) => lines.push(line), (line) => lines.push(`ERR ${line}`));

    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'tabla-copy-'));
      schema = `tabla_test_${randomBytes(6).toString('hex')}`;
      await admin!.query(`CREATE SCHEMA ${schema}`);
      lines.length = 0;
    });
    afterEach(async () => {
      await admin!.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await rm(dir, { recursive: true, force: true });
    });

    /** Two boards in SQLite with everything a board can have: compacted and loose updates, links, bindings, versions. */
    async function seedSqlite(): Promise<void> {
      let now = 1_000;
      const source = SqliteStorage.open(join(dir, 'data', 'tabla.db'), { now: () => now });
      try {
        for (const [id, title] of [
          ['plan', 'Plan Igman'],
          ['second', 'Drugi'],
        ] as const) {
          const doc = new Y.Doc();
          doc.getMap('board').set('title', title);
          const tokens: TokenRecord[] = [
            { role: 'facilitator', tokenHash: tokenHash('f') },
            { role: 'editor', tokenHash: tokenHash('e') },
            { role: 'editor', municipalityId: 'm1', tokenHash: tokenHash('1') },
            { role: 'viewer', tokenHash: tokenHash('v') },
          ];
          await source.createBoard({ id, title, createdAt: now }, Y.encodeStateAsUpdate(doc), tokens);
          const updates: Uint8Array[] = [];
          doc.on('update', (u: Uint8Array) => updates.push(u));
          for (let i = 0; i < 6; i++) doc.getArray('items').push([`${id}-${i}`]);
          const seqs = await source.appendUpdates(
            updates.map((update, i) => ({ boardId: id, update, ...(i === 0 ? { newOwners: [{ clientId: doc.clientID, keyHash: 'device' }] } : {}) })),
          );
          // Half compacted, half loose: the copy must fold both.
          await source.compact(id, Y.encodeStateAsUpdate(doc), seqs[2]!);
          await source.bindPresence(id, [{ clientId: 77, keyHash: 'device' }, { clientId: 78, keyHash: '' }]);
          now = 2_000;
          await source.replaceToken(id, { role: 'viewer', tokenHash: tokenHash('w') }); // the old viewer link is revoked
          await source.revokeToken(id, 'editor');
          await source.saveVersion(id, { id: 'v1', name: 'Prva', createdAt: 1_500, by: 'facilitator', auto: false, summary: '6 aktivnosti', snapshot: Y.encodeStateAsUpdate(doc) });
          await source.saveVersion(id, { id: 'v2', name: 'Auto', createdAt: 1_600, by: 'Tabla', auto: true, summary: '', snapshot: new Uint8Array([0, 0]) });
        }
      } finally {
        await source.close();
      }
    }

    it('copies every board whole: document, seq, working links with their dates, bindings, versions', async () => {
      await seedSqlite();
      expect(await run(['--from', 'data', '--to', inSchema(schema)])).toBe(0);
      expect(lines).toEqual([
        expect.stringMatching(/^Copying the boards of .*tabla\.db to postgres/),
        '  copied plan',
        '  copied second',
        'Done: 2 copied, 0 already there.',
      ]);

      const source = SqliteStorage.open(join(dir, 'data', 'tabla.db'));
      const target = await PostgresStorage.open(url, { schema });
      try {
        expect(await target.listBoards()).toEqual(await source.listBoards());
        for (const id of ['plan', 'second']) {
          const there = await everything(target, id);
          expect(there).toEqual(await everything(source, id));
          expect(there.items).toHaveLength(6);
          expect(there.tokens.map((t) => t.tokenHash).sort()).toEqual([tokenHash('1'), tokenHash('f'), tokenHash('w')]);
          expect(there.versions.map((v) => v.id)).toEqual(['v2', 'v1']);
          // The board goes on from its last seq, and everything copied is folded into the snapshot.
          expect(await target.countUpdates(id)).toBe(0);
          const [next] = await target.appendUpdates([{ boardId: id, update: new Uint8Array([0, 0]) }]);
          expect(next).toBe(there.lastSeq + 1);
        }
      } finally {
        await source.close();
        await target.close();
      }
    });

    it('copies again only what is missing, and never overwrites a board the target has', async () => {
      await seedSqlite();
      const target = await PostgresStorage.open(url, { schema });
      try {
        await target.createBoard({ id: 'second', title: 'Already in PostgreSQL', createdAt: 5 }, Y.encodeStateAsUpdate(new Y.Doc()), []);
        expect(await run(['--from', join(dir, 'data', 'tabla.db'), '--to', inSchema(schema)])).toBe(0);
        expect(lines.slice(1)).toEqual(['  copied plan', '  second: already there, left as it is', 'Done: 1 copied, 1 already there.']);
        expect((await target.getBoard('second'))!.title).toBe('Already in PostgreSQL');

        lines.length = 0;
        expect(await run(['--to', inSchema(schema)])).toBe(0); // the default source: ./data where npm ran
        expect(lines.at(-1)).toBe('Done: 0 copied, 2 already there.');
      } finally {
        await target.close();
      }
    });

    it('refuses a source that does not exist instead of creating an empty one', async () => {
      expect(await run(['--from', 'nowhere', '--to', inSchema(schema)])).toBe(1);
      expect(lines).toEqual([`ERR copy-to-postgres: no SQLite database at ${join(dir, 'nowhere', 'tabla.db')}`]);
      expect(await run(['--from', 'nowhere'])).toBe(2);
    });
  },
);
