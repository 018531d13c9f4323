import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addProgressNote, demoMunicipalityId, readBoard, ROOTS, roots } from '@tabla/plan-model';
import { applyStoredState, SqliteStorage, SyncServer } from '@tabla/sync-server';
import { createApp } from './app.js';
import { BACKUP_FORMAT, type Backup, MAX_BACKUP_BYTES } from './backup.js';
import { createLogger } from './logger.js';

const ADMIN = 'admin-token-for-tests-0123456789';
type Created = { id: string; title: string; tokens: Record<'facilitator' | 'editor' | 'viewer', string>; links: Record<string, string>; versions?: number };

/** The versions engineer's storage methods, when this tree has them (asked at runtime, as backup.ts does). */
type WithVersions = {
  saveVersion?: (boardId: string, v: { id: string; name: string; createdAt: number; by: string; auto: boolean; summary: string; snapshot: Uint8Array }) => Promise<void>;
};

describe('backup and import', () => {
  let storage: SqliteStorage;
  let sync: SyncServer;
  let app: ReturnType<typeof createApp>;

  beforeEach(() => {
    storage = SqliteStorage.open(':memory:');
    sync = new SyncServer({ storage });
    app = createApp({ storage, sync, adminToken: ADMIN, publicUrl: null, logger: createLogger('silent'), boardDist: null, boardsPerMinute: 100 });
  });
  afterEach(async () => {
    await sync.close();
    await storage.close();
  });

  const createDemo = async (): Promise<Created> => {
    const res = await app.request('http://board.example/api/boards', {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Igman 2022', template: 'demo' }),
    });
    expect(res.status).toBe(201);
    return (await res.json()) as Created;
  };
  const storedDoc = async (id: string): Promise<Y.Doc> => {
    const doc = new Y.Doc();
    applyStoredState(doc, (await storage.loadState(id))!);
    return doc;
  };
  const backupOf = (id: string, query = '', headers: Record<string, string> = {}) =>
    app.request(`http://board.example/api/boards/${id}/backup.json${query}`, { headers });
  const importBackup = (body: string, token = ADMIN) =>
    app.request('http://board.example/api/boards/import', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body,
    });
  /** Every root as JSON: the content of a document, whatever order its updates came in. */
  const content = (doc: Y.Doc) => Object.fromEntries(ROOTS.map((name) => [name, roots(doc)[name].toJSON()]));

  it('a round trip is exact: the imported board holds the same document, its versions come back, with new links', async () => {
    const board = await createDemo();
    // A change after creation (in the log, not the snapshot), and a saved version if storage keeps versions.
    const live = await storedDoc(board.id);
    const activityId = [...readBoard(live).activityById.keys()][0]!;
    const updates: Uint8Array[] = [];
    live.on('update', (u: Uint8Array) => updates.push(u));
    addProgressNote(live, activityId, { text: 'Prvi sastanak održan', percent: 20, status: 'in_progress', by: demoMunicipalityId('mostar'), at: 1_700_000_000_000 });
    await storage.appendUpdates(updates.map((update) => ({ boardId: board.id, update })));
    const versionStore = storage as unknown as WithVersions;
    if (versionStore.saveVersion) {
      await versionStore.saveVersion(board.id, {
        id: 'v_first', name: 'Usaglašeni plan', createdAt: 1_700_000_100_000, by: 'facilitatorica', auto: false, summary: '15 aktivnosti', snapshot: Y.encodeStateAsUpdate(live),
      });
    }

    const res = await backupOf(board.id, `?token=${board.tokens.facilitator}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="tabla-.*\.json"$/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const text = await res.text();
    const backup = JSON.parse(text) as Backup;
    expect(backup).toMatchObject({ format: BACKUP_FORMAT, formatVersion: 1, schemaVersion: 1, board: { id: board.id, title: 'Igman 2022' } });
    expect(Date.parse(backup.exportedAt)).not.toBeNaN();
    expect(backup.versions).toHaveLength(versionStore.saveVersion ? 1 : 0);

    const imported = await importBackup(text);
    expect(imported.status).toBe(201);
    const created = (await imported.json()) as Created;
    expect(created.id).not.toBe(board.id);
    expect(created.title).toBe('Igman 2022');
    for (const role of ['facilitator', 'editor', 'viewer'] as const) {
      expect(created.tokens[role]).not.toBe(board.tokens[role]);
      expect(created.links[role]).toBe(`http://board.example/b/${created.id}?token=${created.tokens[role]}`);
      expect(await sync.authorize(created.id, created.tokens[role])).toEqual({ role, municipalityId: null });
    }
    // The old links do not open the copy.
    expect(await sync.authorize(created.id, board.tokens.facilitator)).toBeNull();

    const original = await storedDoc(board.id);
    const copy = await storedDoc(created.id);
    expect(content(copy)).toEqual(content(original));
    expect(readBoard(copy)).toEqual(readBoard(original));
    expect(Y.encodeStateVector(copy)).toEqual(Y.encodeStateVector(original));
    expect(readBoard(copy).activityById.get(activityId as never)!.progress![0]!.text).toBe('Prvi sastanak održan');

    // Backing the copy up again gives the same document and the same versions.
    const again = (await (await backupOf(created.id, `?token=${created.tokens.facilitator}`)).json()) as Backup;
    const copyDoc = new Y.Doc();
    Y.applyUpdate(copyDoc, Buffer.from(again.document, 'base64'));
    expect(content(copyDoc)).toEqual(content(original));
    expect(again.versions).toEqual(backup.versions);
    expect(created.versions).toBe(backup.versions.length);
  });

  it('only the board\'s facilitator link or the admin backs a board up; only the admin imports', async () => {
    const board = await createDemo();
    expect((await backupOf(board.id)).status).toBe(401);
    expect((await backupOf(board.id, `?token=${board.tokens.editor}`)).status).toBe(401);
    expect((await backupOf(board.id, `?token=${board.tokens.viewer}`)).status).toBe(401);
    expect((await backupOf(board.id, '', { authorization: `Bearer ${ADMIN}` })).status).toBe(200);
    expect((await backupOf(board.id, '', { authorization: `Bearer ${board.tokens.facilitator}` })).status).toBe(200);
    expect((await backupOf('no-such-board', '', { authorization: `Bearer ${ADMIN}` })).status).toBe(404);
    const text = await (await backupOf(board.id, `?token=${board.tokens.facilitator}`)).text();
    expect((await importBackup(text, board.tokens.facilitator)).status).toBe(401);
    expect((await importBackup(text, 'wrong')).status).toBe(401);
  });

  it('refuses, with 400 and a clear message, what is not a valid backup', async () => {
    const board = await createDemo();
    const good = (await (await backupOf(board.id, `?token=${board.tokens.facilitator}`)).json()) as Backup;
    const bad = new Y.Doc();
    bad.getArray('stray').push([1]);
    const broken = new Y.Doc();
    broken.getMap('activities').set('a_1', 'not a map');
    const half = Y.encodeStateAsUpdate(await storedDoc(board.id)).slice(0, 40);
    const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');
    const cases: [string, string | object, RegExp][] = [
      ['not JSON', '{"format": "tabla-backup",', /not JSON/],
      ['a JSON list', [good], /"format" must be "tabla-backup"/],
      ['another format', { ...good, format: 'trello' }, /"format" must be "tabla-backup"/],
      ['a newer format', { ...good, formatVersion: 2 }, /backup is from a newer Tabla/],
      ['a newer schema', { ...good, schemaVersion: 2 }, /backup is from a newer Tabla/],
      ['no versions numbers', { ...good, formatVersion: '1' }, /whole numbers/],
      ['a document that is not base64', { ...good, document: '%%%' }, /"document" is not a board/],
      ['half a document', { ...good, document: b64(half) }, /"document" is not a board/],
      ['an unknown root', { ...good, document: b64(Y.encodeStateAsUpdate(bad)) }, /breaks schema v1: unknown root "stray"/],
      ['an entry that is not a map', { ...good, document: b64(Y.encodeStateAsUpdate(broken)) }, /breaks schema v1/],
      ['versions that are not a list', { ...good, versions: {} }, /"versions" must be a list/],
      ['a version without a snapshot', { ...good, versions: [{ id: 'v', name: 'n', createdAt: 1, by: 'x', auto: false, snapshot: '' }] }, /version 1 of the backup/],
    ];
    for (const [what, body, message] of cases) {
      const res = await importBackup(typeof body === 'string' ? body : JSON.stringify(body));
      expect(res.status, what).toBe(400);
      expect(((await res.json()) as { error: string }).error, what).toMatch(message);
    }
    const huge = await importBackup(JSON.stringify({ ...good, padding: 'x'.repeat(MAX_BACKUP_BYTES) }));
    expect(huge.status).toBe(400);
    expect(((await huge.json()) as { error: string }).error).toMatch(/too large/);
    expect((await storage.listBoards()).length).toBe(1); // nothing was created
  });
});
