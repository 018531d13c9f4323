import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import {
  demoLaneId,
  readBoard,
  revealVote,
  openVote,
  setBoardLocked,
  setLaneLocked,
  setTimer,
  timerTransitions,
  type VersionMoment,
} from '@tabla/plan-model';
import { MemoryStorage, SyncServer } from '@tabla/sync-server';
import { createApp } from './app.js';
import { createBoard } from './boards.js';
import { createLogger } from './logger.js';
import { VersionKeeper } from './version-keeper.js';
import { saveBoardVersion } from './versions.js';

describe('versions over HTTP', () => {
  let storage: MemoryStorage;
  let sync: SyncServer;
  let app: ReturnType<typeof createApp>;
  let id: string;
  let tokens: Record<'facilitator' | 'editor' | 'viewer', string>;

  beforeEach(async () => {
    storage = MemoryStorage.open();
    sync = new SyncServer({ storage });
    app = createApp({ storage, sync, adminToken: 'admin-token-for-tests-0123456789', publicUrl: null, logger: createLogger('silent'), boardDist: null });
    ({
      board: { id },
      tokens,
    } = await createBoard(storage, { title: 'Igman', template: 'demo' }));
  });
  afterEach(async () => {
    await sync.close();
    await storage.close();
  });

  const save = (body: unknown, token = tokens.facilitator) =>
    app.request(`/api/boards/${id}/versions?token=${token}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const list = (token: string) => app.request(`/api/boards/${id}/versions?token=${token}`);

  it('the facilitator saves a named version of the live board; every link lists it and reads its snapshot', async () => {
    const res = await save({ name: '  Usaglašeni plan  ', by: 'facilitatorica' });
    expect(res.status).toBe(201);
    const record = (await res.json()) as Record<string, unknown>;
    expect(record).toEqual({
      id: expect.stringMatching(/^v_/),
      name: 'Usaglašeni plan',
      createdAt: expect.any(Number),
      by: 'facilitatorica',
      auto: false,
      summary: '15 aktivnosti u 4 oblasti, 8 općina',
    });
    for (const token of Object.values(tokens)) {
      const listed = await list(token);
      expect(listed.status).toBe(200);
      expect(await listed.json()).toEqual([record]);
      const snap = await app.request(`/api/boards/${id}/versions/${record.id as string}/snapshot?token=${token}`);
      expect(snap.status).toBe(200);
      expect(snap.headers.get('content-type')).toBe('application/octet-stream');
      const doc = new Y.Doc();
      Y.applyUpdate(doc, new Uint8Array(await snap.arrayBuffer()));
      expect(readBoard(doc).activityById.size).toBe(15);
    }
    const second = (await (await save({ name: 'Drugi' })).json()) as { id: string; by: string };
    expect(second.by).toBe('');
    expect(((await (await list(tokens.viewer)).json()) as { id: string }[]).map((v) => v.id)[0]).toBe(second.id);
  });

  it('refuses a bad name (400), a coordinator or viewer (403), a bad link (401), an unknown version (404)', async () => {
    for (const body of [{ name: '   ' }, { name: 'x'.repeat(121) }, {}, { name: 7 }, 'not json', { name: 'ok', by: 3 }]) {
      const res = await save(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { error: string }).error).toBeTruthy();
    }
    expect((await save({ name: 'x'.repeat(120) })).status).toBe(201);
    expect((await save({ name: 'Moja' }, tokens.editor)).status).toBe(403);
    expect((await save({ name: 'Moja' }, tokens.viewer)).status).toBe(403);
    expect((await save({ name: 'Moja' }, 'nope')).status).toBe(401);
    expect((await list('nope')).status).toBe(401);
    expect((await app.request(`/api/boards/unknown/versions?token=${tokens.viewer}`)).status).toBe(401);
    expect((await app.request(`/api/boards/${id}/versions/v_nope/snapshot?token=${tokens.viewer}`)).status).toBe(404);
    expect((await app.request(`/api/boards/${id}/versions/v_nope/snapshot?token=bad`)).status).toBe(401);
  });
});

describe('VersionKeeper', () => {
  let clock = 1_790_000_000_000;
  let saved: { boardId: string; moment: VersionMoment; name: string; id: string }[];
  let keeper: VersionKeeper;
  beforeEach(() => {
    clock = 1_790_000_000_000;
    saved = [];
    keeper = new VersionKeeper({
      save: async (boardId, moment, name, id) => saved.push({ boardId, moment, name, id }),
      now: () => clock,
      hourlyMs: 3_600_000,
      minGapMs: 60_000,
    });
  });
  afterEach(() => keeper.close());

  const demo = async () => {
    const storage = MemoryStorage.open();
    await createBoard(storage, { title: 'T', template: 'demo', id: 'b' });
    const doc = new Y.Doc();
    Y.applyUpdate(doc, (await storage.loadState('b'))!.snapshot!);
    keeper.documentChanged('b', doc); // the board loads
    return doc;
  };
  const changed = async (doc: Y.Doc) => {
    keeper.documentChanged('b', doc);
    await keeper.settled();
  };

  it('saves at a vote revealed, a lane locked, the board locked; at most once per kind per minute', async () => {
    const doc = await demo();
    const vote = openVote(doc, { laneId: null, dots: 3 }, clock);
    await changed(doc);
    expect(saved).toEqual([]);
    revealVote(doc, vote);
    await changed(doc);
    setLaneLocked(doc, demoLaneId('A'), true);
    setBoardLocked(doc, true);
    await changed(doc);
    expect(saved.map((s) => s.name)).toEqual(['Automatski: glasanje otkriveno', 'Automatski: oblast zaključana', 'Automatski: tabla zaključana']);

    clock += 30_000;
    setLaneLocked(doc, demoLaneId('B'), true);
    await changed(doc);
    expect(saved).toHaveLength(3); // within the minute
    clock += 31_000;
    setLaneLocked(doc, demoLaneId('C'), true);
    await changed(doc);
    expect(saved.map((s) => s.moment).slice(3)).toEqual(['laneLocked']);
    // Ids every instance watching the board gives the same moment alike: the moment and its minute.
    expect(saved[0]!.id).toBe(`auto_voteRevealed_${Math.floor(1_790_000_000_000 / 60_000)}`);
  });

  it('an automatic version another instance saved already is found, not saved twice', async () => {
    const storage = MemoryStorage.open();
    await createBoard(storage, { title: 'T', template: 'demo', id: 'b' });
    const state = (await storage.loadState('b'))!;
    const sync = { authorize: async () => null, currentState: async () => state.snapshot };
    const first = await saveBoardVersion({ storage, sync }, 'b', { name: 'Automatski: oblast zaključana', by: 'Tabla', auto: true, id: 'auto_laneLocked_1' });
    const second = await saveBoardVersion({ storage, sync }, 'b', { name: 'Automatski: oblast zaključana', by: 'Tabla', auto: true, id: 'auto_laneLocked_1' });
    expect(second).toEqual(first);
    expect((await storage.listVersions('b')).map((v) => v.id)).toEqual(['auto_laneLocked_1']);
  });

  it('saves hourly while the board changes, and when a running timer ends', async () => {
    const doc = await demo();
    setLaneLocked(doc, demoLaneId('A'), false); // no change: nothing written
    doc.getMap('meta').set('title', 'Prvi');
    await changed(doc);
    clock += 3_600_000;
    doc.getMap('meta').set('title', 'Drugi');
    await changed(doc);
    expect(saved.map((s) => s.moment)).toEqual(['hourly']);

    const endsAt = Date.now() + 30;
    clock = Date.now();
    keeper.close();
    keeper = new VersionKeeper({ save: async (boardId, moment, name, id) => saved.push({ boardId, moment, name, id }) });
    keeper.documentChanged('b', doc);
    setTimer(doc, { ...timerTransitions.set(30), endsAt });
    await new Promise((resolve) => setImmediate(resolve));
    keeper.documentChanged('b', doc);
    await new Promise((resolve) => setTimeout(resolve, 80));
    await keeper.settled();
    expect(saved.map((s) => s.name)).toEqual(['Automatski: svaki sat', 'Automatski: tajmer istekao']);
  });
});
