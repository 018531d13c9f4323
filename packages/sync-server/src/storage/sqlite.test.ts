import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { storageContractSuite } from './contract.js';
import { applyStoredState } from './document.js';
import { accessForToken, hashToken } from '../tokens.js';
import { DamagedDatabaseError, migrate, SCHEMA_VERSION, SqliteStorage, type SqliteStorageOptions } from './sqlite.js';
import type { StoredState, TokenRecord } from './types.js';

storageContractSuite('sqlite (file)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tabla-sqlite-'));
  const file = join(dir, 'not-yet-created', 'boards.db'); // open() must create the directory
  let first: SqliteStorage;
  try {
    first = SqliteStorage.open(file);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const opened: SqliteStorage[] = [first];
  return {
    storage: first,
    reopen: async () => {
      const storage = SqliteStorage.open(file);
      opened.push(storage);
      return storage;
    },
    cleanup: async () => {
      for (const storage of opened) await storage.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}, { persistent: true });

storageContractSuite(
  'sqlite (:memory:)',
  async () => {
    const storage = SqliteStorage.open(':memory:');
    return { storage, cleanup: () => storage.close() };
  },
  { persistent: false },
);

const TOKENS: TokenRecord[] = [{ role: 'facilitator', tokenHash: 'f'.repeat(64) }];

function rebuild(state: StoredState | null): Y.Doc {
  expect(state).not.toBeNull();
  const doc = new Y.Doc();
  applyStoredState(doc, state!);
  return doc;
}

/** A board document whose edits push n onto the array 'log'; returns one update per edit. */
function logDoc(): { doc: Y.Doc; initial: Uint8Array; push: (n: number) => Uint8Array } {
  const doc = new Y.Doc();
  doc.getMap('board').set('title', 'Log');
  const initial = Y.encodeStateAsUpdate(doc);
  return {
    doc,
    initial,
    push: (n) => {
      let update: Uint8Array | undefined;
      const onUpdate = (u: Uint8Array): void => {
        update = u;
      };
      doc.on('update', onUpdate);
      doc.getArray<number>('log').push([n]);
      doc.off('update', onUpdate);
      return update!;
    },
  };
}

describe('SqliteStorage (SQLite specifics)', () => {
  let dir: string;
  let file: string;
  const toClose: SqliteStorage[] = [];

  const open = (options?: SqliteStorageOptions): SqliteStorage => {
    const storage = SqliteStorage.open(file, options);
    toClose.push(storage);
    return storage;
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tabla-sqlite-'));
    file = join(dir, 'boards.db');
  });
  afterEach(async () => {
    for (const storage of toClose.splice(0)) await storage.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs in WAL mode with synchronous FULL, foreign keys, a busy timeout and the current schema', async () => {
    const storage = open();
    const db = storage.database;
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // 2 = FULL
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    const { initial } = logDoc();
    await storage.createBoard({ id: 'b', title: 'B', createdAt: 1 }, initial, TOKENS);
    expect(existsSync(`${file}-wal`)).toBe(true);
  });

  it('folds the WAL into the database once writes pause, not inside a commit', async () => {
    const storage = open();
    const { initial } = logDoc();
    await storage.createBoard({ id: 'b', title: 'B', createdAt: 1 }, initial, TOKENS);
    await new Promise((resolve) => setTimeout(resolve, 400)); // the board's own pages folded in
    const before = statSync(file).size;
    for (let i = 0; i < 100; i++) await storage.appendUpdates([{ boardId: 'b', update: randomBytes(2000) }]); // ~100 pages: under SQLite's own bound
    expect(statSync(file).size).toBe(before); // every commit went to the WAL only
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(statSync(file).size).toBeGreaterThan(before + 100 * 2000);
  });

  it('returns plain Uint8Array views, not Buffers', async () => {
    const storage = open();
    const { initial, push } = logDoc();
    await storage.createBoard({ id: 'b', title: 'B', createdAt: 1 }, initial, TOKENS);
    await storage.appendUpdates([{ boardId: 'b', update: push(1) }]);
    const state = (await storage.loadState('b'))!;
    expect(Object.getPrototypeOf(state.snapshot)).toBe(Uint8Array.prototype);
    expect(Object.getPrototypeOf(state.updates[0])).toBe(Uint8Array.prototype);
    expect(Buffer.isBuffer(state.updates[0])).toBe(false);
  });

  it('reads the log back byte for byte, in order, whatever the bytes and lengths (the log is read as one value)', async () => {
    const storage = open();
    const { initial } = logDoc();
    await storage.createBoard({ id: 'b', title: 'B', createdAt: 1 }, initial, TOKENS);
    await storage.createBoard({ id: 'other', title: 'O', createdAt: 2 }, initial, TOKENS);
    // Zero bytes, bytes that are not UTF-8, and lengths whose 4-byte prefix holds zeros and 0xff.
    const updates = [Uint8Array.of(0), Uint8Array.of(0xff, 0, 0xc3), new Uint8Array(256), randomBytes(255), randomBytes(70_000), Uint8Array.of(0xe2, 0x82)];
    for (const [i, update] of updates.entries()) {
      await storage.appendUpdates([{ boardId: 'b', update }]);
      if (i % 2 === 0) await storage.appendUpdates([{ boardId: 'other', update: Uint8Array.of(7, i) }]);
    }
    expect((await storage.loadState('b'))!.updates.map((u) => Buffer.from(u).toString('hex'))).toEqual(updates.map((u) => Buffer.from(u).toString('hex')));
    expect((await storage.loadState('other'))!.updates.map((u) => [...u])).toEqual([[7, 0], [7, 2], [7, 4]]);
    // After a compaction the log after the snapshot is empty: none, not one empty update.
    await storage.compact('b', initial, await storage.latestSeqs(['b']).then((m) => m.get('b')!));
    expect((await storage.loadState('b'))!.updates).toEqual([]);
  });

  it('refuses to open a database written by a newer schema version', () => {
    const raw = new Database(file);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    expect(() => open()).toThrow(/newer/);
  });

  it('migrates a v2 database (before municipality links): its tokens keep working, bound links can be added', async () => {
    const { initial } = logDoc();
    const raw = new Database(file);
    migrate(raw, 2);
    expect(raw.pragma('user_version', { simple: true })).toBe(2);
    raw.prepare('INSERT INTO boards (id, title, created_at) VALUES (?, ?, ?)').run('b', 'B', 1);
    raw.prepare('INSERT INTO board_snapshots (board_id, data, through_seq, updated_at) VALUES (?, ?, 0, 1)').run('b', initial);
    const insert = raw.prepare('INSERT INTO board_tokens (board_id, role, token_hash, created_at, revoked_at) VALUES (?, ?, ?, ?, ?)');
    insert.run('b', 'editor', hashToken('old-editor'), 10, 20); // rotated before the upgrade
    for (const role of ['facilitator', 'editor', 'viewer']) insert.run('b', role, hashToken(`v2-${role}`), 20, null);
    raw.close();

    const storage = open({ now: () => 1_000 });
    expect(storage.database.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    const records = await storage.getTokens('b');
    expect(records).toEqual([
      { role: 'editor', tokenHash: hashToken('v2-editor'), createdAt: 20 },
      { role: 'facilitator', tokenHash: hashToken('v2-facilitator'), createdAt: 20 },
      { role: 'viewer', tokenHash: hashToken('v2-viewer'), createdAt: 20 },
    ]);
    expect(accessForToken('v2-editor', records)).toEqual({ role: 'editor', municipalityId: null });
    expect(accessForToken('old-editor', records)).toBeNull();

    // One active token per (role, municipality): a bound link beside the general one, replaced alone.
    await storage.replaceToken('b', { role: 'editor', municipalityId: 'm_mostar', tokenHash: hashToken('mostar-1') });
    await storage.replaceToken('b', { role: 'editor', municipalityId: 'm_mostar', tokenHash: hashToken('mostar-2') });
    const after = await storage.getTokens('b');
    expect(accessForToken('v2-editor', after)).toEqual({ role: 'editor', municipalityId: null });
    expect(accessForToken('mostar-2', after)).toEqual({ role: 'editor', municipalityId: 'm_mostar' });
    expect(accessForToken('mostar-1', after)).toBeNull();
    // The index still allows only one active general link per role, whatever the code does.
    expect(() =>
      storage.database
        .prepare("INSERT INTO board_tokens (board_id, role, token_hash, created_at) VALUES ('b', 'editor', 'x', 1)")
        .run(),
    ).toThrow(/UNIQUE/);
    expect(() =>
      storage.database
        .prepare("INSERT INTO board_tokens (board_id, role, token_hash, municipality_id, created_at) VALUES ('b', 'viewer', 'x', 'm_mostar', 1)")
        .run(),
    ).toThrow(/CHECK/);
  });

  it('[ST9] migrates a v3 database (before presence bindings): everything kept, presence binds', async () => {
    const { initial } = logDoc();
    const raw = new Database(file);
    migrate(raw, 3);
    expect(raw.pragma('user_version', { simple: true })).toBe(3);
    raw.prepare('INSERT INTO boards (id, title, created_at) VALUES (?, ?, ?)').run('b', 'B', 1);
    raw.prepare('INSERT INTO board_snapshots (board_id, data, through_seq, updated_at) VALUES (?, ?, 0, 1)').run('b', initial);
    raw.prepare('INSERT INTO board_clients (board_id, client_id, key_hash) VALUES (?, ?, ?)').run('b', 5, 'k5');
    raw.close();

    const storage = open();
    expect(storage.database.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    const before = (await storage.loadState('b'))!;
    expect([...before.clientOwners]).toEqual([[5, 'k5']]);
    expect(before.presenceOwners.size).toBe(0);
    await storage.bindPresence('b', [{ clientId: 5, keyHash: 'k-presence' }]);
    expect([...(await storage.loadState('b'))!.presenceOwners]).toEqual([[5, 'k-presence']]);
    // STRICT, like the other tables.
    expect(() =>
      storage.database.prepare("INSERT INTO board_presence (board_id, client_id, key_hash) VALUES ('b', 'six', 'k')").run(),
    ).toThrow(/cannot store TEXT value in INTEGER column/);
  });

  it('[ST19] migrates a v4 database (before versions): everything kept, versions save in a STRICT table', async () => {
    const { initial } = logDoc();
    const raw = new Database(file);
    migrate(raw, 4);
    raw.prepare('INSERT INTO boards (id, title, created_at) VALUES (?, ?, ?)').run('b', 'B', 1);
    raw.prepare('INSERT INTO board_snapshots (board_id, data, through_seq, updated_at) VALUES (?, ?, 0, 1)').run('b', initial);
    raw.close();

    const storage = open();
    expect(storage.database.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(await storage.listVersions('b')).toEqual([]);
    await storage.saveVersion('b', { id: 'v1', name: 'V', createdAt: 2, by: 'f', auto: false, summary: 's', snapshot: initial });
    expect((await storage.getVersion('b', 'v1'))?.snapshot).toEqual(initial);
    expect(() =>
      storage.database
        .prepare("INSERT INTO board_versions (board_id, id, name, created_at, by, auto, summary, snapshot) VALUES ('b', 'v2', 'n', 'late', 'f', 0, 's', x'00')")
        .run(),
    ).toThrow(/cannot store TEXT value in INTEGER column/);
  });

  it('[R4][ST4] a fault injected in appendUpdates leaves no row of the batch', async () => {
    let armed = false;
    let seenSeqs: readonly number[] = [];
    const storage = open({
      faultInjection: {
        beforeAppendCommit: (seqs) => {
          seenSeqs = seqs;
          if (armed) throw new Error('injected append failure');
        },
      },
    });
    const a = logDoc();
    const b = logDoc();
    await storage.createBoard({ id: 'a', title: 'A', createdAt: 1 }, a.initial, TOKENS);
    await storage.createBoard({ id: 'b', title: 'B', createdAt: 2 }, b.initial, TOKENS);
    await storage.appendUpdates([{ boardId: 'a', update: a.push(0) }]);
    const beforeA = (await storage.loadState('a'))!;
    const rowsBefore = storage.database.prepare('SELECT COUNT(*) AS n FROM board_updates').get();

    armed = true;
    const batch = [
      { boardId: 'a', update: a.push(1) },
      { boardId: 'b', update: b.push(2) },
      { boardId: 'a', update: a.push(3) },
    ];
    await expect(storage.appendUpdates(batch)).rejects.toThrow('injected append failure');
    expect(seenSeqs).toHaveLength(3); // the rows had been inserted before the rollback

    expect(storage.database.prepare('SELECT COUNT(*) AS n FROM board_updates').get()).toEqual(rowsBefore);
    const afterA = (await storage.loadState('a'))!;
    expect(afterA.updates.map((u) => Array.from(u))).toEqual(beforeA.updates.map((u) => Array.from(u)));
    expect(afterA.lastSeq).toBe(beforeA.lastSeq);
    expect((await storage.loadState('b'))!.updates).toHaveLength(0);
    expect(rebuild(afterA).getArray('log').toJSON()).toEqual([0]);

    armed = false;
    await storage.appendUpdates(batch);
    expect(rebuild(await storage.loadState('a')).getArray('log').toJSON()).toEqual([0, 1, 3]);
    expect(rebuild(await storage.loadState('b')).getArray('log').toJSON()).toEqual([2]);
  });

  it('[R5][ST5] a fault injected during compaction (before commit) keeps the old snapshot and every row', async () => {
    let armed = true;
    let deletedRows = -1;
    const storage = open({
      faultInjection: {
        beforeCompactCommit: (info) => {
          deletedRows = info.deletedRows;
          if (armed) throw new Error('injected compaction failure');
        },
      },
    });
    const { initial, push, doc } = logDoc();
    await storage.createBoard({ id: 'b', title: 'B', createdAt: 1 }, initial, TOKENS);
    await storage.appendUpdates([0, 1, 2, 3, 4].map((n) => ({ boardId: 'b', update: push(n) })));
    const before = (await storage.loadState('b'))!;

    await expect(storage.compact('b', Y.encodeStateAsUpdate(doc), before.lastSeq)).rejects.toThrow(
      'injected compaction failure',
    );
    expect(deletedRows).toBe(5); // the delete had run before the rollback

    const after = (await storage.loadState('b'))!;
    expect(Array.from(after.snapshot!)).toEqual(Array.from(initial));
    expect(after.updates).toHaveLength(5);
    expect(after.lastSeq).toBe(before.lastSeq);
    expect(await storage.countUpdates('b')).toBe(5);
    expect(rebuild(after).getArray('log').toJSON()).toEqual([0, 1, 2, 3, 4]);

    armed = false;
    await storage.compact('b', Y.encodeStateAsUpdate(doc), before.lastSeq);
    expect(await storage.countUpdates('b')).toBe(0);
    expect(rebuild(await storage.loadState('b')).getArray('log').toJSON()).toEqual([0, 1, 2, 3, 4]);
  });

  it('[R1] a kill -9 during writes loses no committed update', async () => {
    const { initial } = logDoc();
    const setup = open();
    await setup.createBoard({ id: 'b', title: 'B', createdAt: 1 }, initial, TOKENS);
    await setup.close();

    const script = fileURLToPath(new URL('./test-fixtures/kill-writer.mjs', import.meta.url));
    const child = spawn(process.execPath, [script, file, 'b'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const commits: { seq: number; first: number; last: number }[] = [];
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
      child.on('exit', (code, signal) => resolve(signal ?? code)),
    );

    let buffered = '';
    const killed = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`child too slow: ${commits.length} commits; ${stderr}`)), 2500);
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        buffered += chunk;
        const lines = buffered.split('\n');
        buffered = lines.pop()!;
        for (const line of lines) {
          if (line === 'ready') continue;
          const [seq, first, last] = line.split(' ').map(Number) as [number, number, number];
          commits.push({ seq, first, last });
        }
        if (commits.length >= 150) {
          clearTimeout(timer);
          child.kill('SIGKILL'); // mid-stream: the child is writing in a tight loop
          resolve();
        }
      });
      child.on('exit', () => reject(new Error(`child exited early: ${stderr}`)));
    });
    try {
      await killed;
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); // no orphan on failure
    }
    expect(await exited).toBe('SIGKILL');

    const storage = open();
    expect(storage.database.pragma('integrity_check', { simple: true })).toBe('ok');
    const state = (await storage.loadState('b'))!;
    const log = rebuild(state).getArray<number>('log').toJSON() as number[];
    const lastPrinted = commits[commits.length - 1]!;
    // Every update whose commit was reported is there...
    expect(log.length).toBeGreaterThanOrEqual(lastPrinted.last + 1);
    expect(state.lastSeq).toBeGreaterThanOrEqual(lastPrinted.seq);
    // ...and the log is a gap-free prefix 0..k: no transaction was half-applied.
    expect(log).toEqual(Array.from({ length: log.length }, (_, i) => i));
    // Seqs printed after each commit are all present as rows.
    const seqs = new Set(
      storage.database
        .prepare<[string], { seq: number }>('SELECT seq FROM board_updates WHERE board_id = ?')
        .all('b')
        .map((r) => r.seq),
    );
    for (const c of commits) expect(seqs.has(c.seq)).toBe(true);
  });
});

describe('sqlite: a damaged file, a disk that refuses writes', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tabla-sqlite-health-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('open refuses a file that is not SQLite, or a damaged one, with DamagedDatabaseError (and writes nothing to it)', async () => {
    const garbage = join(dir, 'garbage.db');
    writeFileSync(garbage, randomBytes(16 * 1024));
    expect(() => SqliteStorage.open(garbage)).toThrow(DamagedDatabaseError);
    expect(() => SqliteStorage.open(garbage)).toThrow(/is damaged \(file is not a database\)/);

    const cut = join(dir, 'cut.db');
    const storage = SqliteStorage.open(cut);
    for (let i = 0; i < 20; i++) await storage.createBoard({ id: `b${i}`, title: 't', createdAt: i }, randomBytes(8 * 1024), []);
    await storage.close();
    const half = Math.floor(statSync(cut).size / 2);
    truncateSync(cut, half);
    expect(() => SqliteStorage.open(cut)).toThrow(DamagedDatabaseError);
    expect(statSync(cut).size).toBe(half);
    expect(existsSync(`${cut}-wal`)).toBe(false);
  });

  it('checkWritable commits a real write in the database and leaves no probe file behind; a refused write rejects', async () => {
    let refuse = false;
    const storage = SqliteStorage.open(join(dir, 'tabla.db'), {
      faultInjection: {
        beforeWriteProbeCommit: () => {
          if (refuse) throw Object.assign(new Error('attempt to write a readonly database'), { code: 'SQLITE_READONLY' });
        },
      },
    });
    try {
      // Another connection sees the probe's write: it was committed, not only made.
      const applicationIdSeenByOthers = () => {
        const other = new Database(join(dir, 'tabla.db'), { readonly: true });
        try {
          return other.pragma('application_id', { simple: true });
        } finally {
          other.close();
        }
      };
      expect(applicationIdSeenByOthers()).toBe(0);
      await storage.checkWritable();
      expect(applicationIdSeenByOthers()).toBe(0x5441424c);
      expect(readdirSync(dir).filter((f) => f.includes('probe'))).toEqual([]);
      refuse = true;
      await expect(storage.checkWritable()).rejects.toMatchObject({ code: 'SQLITE_READONLY' });
    } finally {
      await storage.close();
    }
  });
});
