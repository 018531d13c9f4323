/**
 * The sync server with the stock y-websocket client: relay, awareness, durability,
 * room lifecycle, cold-start races and compaction.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import * as Y from 'yjs';
import { demoLaneId, moveActivity, roots, seedDemoBoard, setBoardTitle, type ActivityId, type LaneId } from '@tabla/plan-model';
import { generateRoleTokens } from '../tokens.js';
import { awarenessFrame, awarenessPayload, connectRawReader, parseServerFrame, sleep, syncStep1Frame, waitFor, within } from '@tabla/test-clients';
import { storedDoc, storedView, view, testServer } from './harness.js';


const activityIds = (doc: Y.Doc): ActivityId[] => [...roots(doc).activities.keys()].sort() as ActivityId[];
const laneOf = (doc: Y.Doc, id: ActivityId): unknown => roots(doc).activities.get(id)?.get('laneId');
const LANE_D: LaneId = demoLaneId('D');
const LANE_A: LaneId = demoLaneId('A');

describe('relay with the stock client', () => {
  it('two providers load the full demo board, and a move in one appears in the other, stored', async () => {
    const h = await testServer();
    const stored = await storedView(h.storage, h.boardId);
    expect(stored.activityById.size).toBe(15);
    const a = h.connect('editor');
    const b = h.connect('viewer');
    await within(Promise.all([a.synced, b.synced]), 3000, 'both synced');
    expect(view(a.doc)).toEqual(stored);
    expect(view(b.doc)).toEqual(stored);

    const id = activityIds(a.doc).find((x) => laneOf(a.doc, x) !== LANE_D)!;
    moveActivity(a.doc, id, LANE_D, 0);
    await waitFor(() => laneOf(b.doc, id) === LANE_D, 5000, 'the move to reach b');
    expect(view(b.doc)).toEqual(view(a.doc));
    // Relayed means stored first.
    expect(await h.storage.countUpdates(h.boardId)).toBe(1);
    expect((await storedView(h.storage, h.boardId)).activityById.get(id)?.laneId).toBe(LANE_D);
  });

  it('updates stored in one write reach a reader together (one frame per run of one sender), each stored', async () => {
    const h = await testServer();
    const a = h.connect('editor');
    await within(a.synced, 3000, 'synced');
    const reader = await connectRawReader(h.url, h.boardId, h.tokens.viewer);
    onTestFinished(() => reader.terminate());
    const ids = activityIds(a.doc);
    // Thirty transactions in one tick: thirty frames, which reach the server while the first is being written.
    for (let i = 0; i < 30; i++) moveActivity(a.doc, ids[i % ids.length]!, i % 2 === 0 ? LANE_D : LANE_A, 0);
    await waitFor(() => h.sync.stats.updatesStored === 30, 5000, 'thirty stored');
    await waitFor(() => JSON.stringify(view(reader.doc)) === JSON.stringify(view(a.doc)), 5000, 'the reader to converge');
    expect(reader.updates.length).toBeLessThan(30);
    expect(await h.storage.countUpdates(h.boardId)).toBe(30);
  });

  it('[R10] awareness reaches the others, is echoed to its sender, and is removed when the sender leaves', async () => {
    const h = await testServer();
    const a = h.connect('editor');
    const b = h.connect('viewer');
    await Promise.all([a.synced, b.synced]);

    // Stock client -> stock client.
    a.provider.awareness.setLocalStateField('user', { name: 'A', municipalityId: 'm_mostar', color: '#123456', role: 'editor' });
    const aId = a.doc.clientID;
    await waitFor(() => (b.provider.awareness.getStates().get(aId) as { user?: { name?: string } } | undefined)?.user?.name === 'A', 5000, 'a’s state at b');

    // Raw client: its own state comes back to it (the stock client relies on that echo).
    const r = await h.raw('viewer');
    await waitFor(() => r.frames.length > 0, 5000, 'first frame');
    // It was told about a, who was there before it.
    await waitFor(() => r.frames.map(parseServerFrame).some((f) => f.type === 'awareness' && f.states.has(aId)), 5000, 'a at r');
    const before = r.frames.length;
    const rId = 424242;
    r.send(awarenessFrame(awarenessPayload(rId, 1, { user: { name: 'R' } })));
    await waitFor(
      () => r.frames.slice(before).map(parseServerFrame).some((f) => f.type === 'awareness' && f.states.get(rId)?.clock === 1),
      2000,
      'echo of r’s own awareness',
    );
    await waitFor(() => b.provider.awareness.getStates().has(rId), 5000, 'r at b');
    await waitFor(() => a.provider.awareness.getStates().has(rId), 5000, 'r at a');

    // A dropped connection (no goodbye message): the server removes what it announced.
    r.terminate();
    await waitFor(() => !b.provider.awareness.getStates().has(rId), 5000, 'r removed at b');
    await waitFor(() => !a.provider.awareness.getStates().has(rId), 5000, 'r removed at a');

    // A stock client that leaves.
    a.destroy();
    await waitFor(() => !b.provider.awareness.getStates().has(aId), 5000, 'a removed at b');
  });
});

describe('durability', () => {
  it('[R2][R6] a relayed change survives a graceful restart on the same file; offline edits converge after it', async () => {
    const h = await testServer();
    const a = h.connect('editor');
    const b = h.connect('editor');
    await Promise.all([a.synced, b.synced]);
    const [first, second] = activityIds(a.doc).filter((x) => laneOf(a.doc, x) !== LANE_D);
    moveActivity(a.doc, first!, LANE_D, 0);
    await waitFor(() => laneOf(b.doc, first!) === LANE_D, 5000, 'relay before restart');

    // While the server is down, b edits offline.
    await h.restart(async () => {
      moveActivity(b.doc, second!, LANE_D, 0);
    });

    const fresh = h.connect('viewer');
    await within(fresh.synced, 3000, 'fresh client synced after restart');
    expect(laneOf(fresh.doc, first!)).toBe(LANE_D);
    // b reconnects by itself and delivers what it did offline; everyone converges.
    await waitFor(() => laneOf(fresh.doc, second!) === LANE_D, 4000, 'offline edit after reconnect');
    await waitFor(() => laneOf(a.doc, second!) === LANE_D, 4000, 'offline edit at a');
    expect(view(a.doc)).toEqual(view(b.doc));
    expect(view(fresh.doc)).toEqual(view(b.doc));
    expect(await storedView(h.storage, h.boardId)).toEqual(view(b.doc));
  });
});

describe('rooms', () => {
  it('[R5] unload when empty (compacted), and load again', async () => {
    const h = await testServer();
    expect(h.sync.loadedRoomCount).toBe(0);
    const a = h.connect('editor');
    await a.synced;
    expect(h.sync.loadedRoomCount).toBe(1);
    const id = activityIds(a.doc).find((x) => laneOf(a.doc, x) !== LANE_D)!;
    moveActivity(a.doc, id, LANE_D, 0);
    await waitFor(() => h.sync.stats.updatesStored === 1, 5000, 'stored');
    a.destroy();
    await waitFor(() => h.sync.loadedRoomCount === 0, 1000, 'room unloaded');
    await waitFor(() => h.sync.stats.rooms === 0, 1000, 'room freed');
    // Unloading compacts: the log is folded into the snapshot.
    expect(await h.storage.countUpdates(h.boardId)).toBe(0);

    const b = h.connect('viewer');
    await within(b.synced, 5000, 'synced after reload');
    expect(h.sync.loadedRoomCount).toBe(1);
    expect(laneOf(b.doc, id)).toBe(LANE_D);
  });

  it('a client that leaves while its board loads does not keep the room loaded', async () => {
    const h = await testServer();
    const load = h.storage.loadState.bind(h.storage);
    let loads = 0;
    h.storage.loadState = async (boardId) => {
      loads++;
      await sleep(60);
      return load(boardId);
    };
    const r = await h.raw('editor');
    r.terminate();
    await waitFor(() => loads === 1, 1000, 'load started');
    await sleep(60 + 20 + 100); // load + unloadDelayMs + slack
    expect(h.sync.loadedRoomCount).toBe(0);
    expect(h.sync.stats.rooms).toBe(0);
  });

  it('[R3] simultaneous first connections to a cold board share one document and converge', async () => {
    const h = await testServer();
    const load = h.storage.loadState.bind(h.storage);
    let loads = 0;
    h.storage.loadState = async (boardId) => {
      loads++;
      await sleep(40);
      return load(boardId);
    };
    const clients = Array.from({ length: 5 }, (_, i) => h.connect(i === 0 ? 'facilitator' : 'editor'));
    await within(Promise.all(clients.map((c) => c.synced)), 3000, 'all synced');
    // Fresh clients may be synced from the stored state before the room is built (cold-answer.ts).
    await waitFor(() => h.sync.stats.rooms === 1, 3000, 'the room built');
    expect(loads).toBe(1);
    expect(h.sync.loadedRoomCount).toBe(1);

    const ids = activityIds(clients[0]!.doc).filter((x) => laneOf(clients[0]!.doc, x) !== LANE_D);
    clients.forEach((c, i) => moveActivity(c.doc, ids[i]!, LANE_D, 0));
    await waitFor(() => clients.every((c) => ids.slice(0, 5).every((id) => laneOf(c.doc, id) === LANE_D)), 3000, 'all moves everywhere');
    const expected = view(clients[0]!.doc);
    for (const c of clients) {
      expect(view(c.doc)).toEqual(expected);
      expect(Y.decodeStateVector(Y.encodeStateVector(c.doc))).toEqual(Y.decodeStateVector(Y.encodeStateVector(clients[0]!.doc)));
    }
    expect(await storedView(h.storage, h.boardId)).toEqual(expected);
  });

  it('[R3] sends nothing before the stored state is loaded; then a fresh client gets exactly the stored state, and sync step 1 of the stored document', async () => {
    const h = await testServer();
    // Give the board a log after its snapshot, so the stored state is snapshot + updates.
    const a = h.connect('editor');
    await a.synced;
    const id = activityIds(a.doc).find((x) => laneOf(a.doc, x) !== LANE_D)!;
    moveActivity(a.doc, id, LANE_D, 0);
    await waitFor(() => h.sync.stats.updatesStored === 1, 5000, 'stored');
    a.destroy();
    await waitFor(() => h.sync.loadedRoomCount === 0, 1000, 'unloaded');

    const load = h.storage.loadState.bind(h.storage);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    h.storage.loadState = async (boardId) => {
      await gate;
      return load(boardId);
    };
    const r = await h.raw('viewer');
    r.send(syncStep1Frame(Y.encodeStateVector(new Y.Doc()))); // what a client sends first: "I have nothing"
    const p = h.connect('viewer');
    try {
      await sleep(80);
      expect(r.frames).toHaveLength(0);
      expect(r.closeInfo).toBeNull();
      expect(p.provider.synced).toBe(false);
    } finally {
      release(); // also when failing: a load that never ends would hold up the shutdown
    }
    await waitFor(() => r.frames.map(parseServerFrame).some((f) => f.type === 'sync-step-1'), 5000, 'sync step 1');
    const stored = await storedDoc(h.storage, h.boardId);
    onTestFinished(() => stored.destroy());
    const frames = r.frames.map(parseServerFrame);
    const step1 = frames.findIndex((f) => f.type === 'sync-step-1');
    // Before it, the answer from the stored state (cold-answer.ts), ending with sync step 2.
    expect(frames.slice(0, step1).map((f) => f.type).at(-1)).toBe('sync-step-2');
    const replica = new Y.Doc();
    onTestFinished(() => replica.destroy());
    for (const f of frames.slice(0, step1)) if (f.type === 'update' || f.type === 'sync-step-2') Y.applyUpdate(replica, f.payload);
    expect(view(replica)).toEqual(view(stored));
    expect(laneOf(replica, id)).toBe(LANE_D);
    const first = frames[step1]!;
    if (first.type !== 'sync-step-1') return;
    expect(Y.decodeStateVector(first.payload)).toEqual(Y.decodeStateVector(Y.encodeStateVector(stored)));
    expect(Y.decodeStateVector(first.payload).size).toBeGreaterThan(1); // seed client + a's move

    await within(p.synced, 5000, 'provider synced');
    expect(view(p.doc)).toEqual(view(stored));
  });
  it('a compacted board answers the first cold client with its stored snapshot, and the board as changed after that', async () => {
    const h = await testServer();
    // A snapshot laid out unlike the document's own encoding (the demo's updates merged, one overwriting another), so the
    // answer shows whether it was sent as stored or encoded again.
    const seeded = new Y.Doc();
    const updates: Uint8Array[] = [];
    seeded.on('update', (u: Uint8Array) => updates.push(u));
    seedDemoBoard(seeded);
    setBoardTitle(seeded, 'Merged');
    setBoardTitle(seeded, 'Merged again');
    const snapshot = Y.mergeUpdates(updates);
    expect(Buffer.from(snapshot).equals(Buffer.from(Y.encodeStateAsUpdate(seeded)))).toBe(false);
    const { tokens, records } = generateRoleTokens();
    await h.storage.createBoard({ id: 'merged-snapshot', title: 'Merged', createdAt: Date.now() }, snapshot, records);
    const board = { boardId: 'merged-snapshot', tokens };
    const cold = await h.raw('viewer', board);
    cold.send(syncStep1Frame(Y.encodeStateVector(new Y.Doc())));
    // From the room, or from storage while the room is built (cold-answer.ts): the same bytes.
    await waitFor(() => cold.frames.map(parseServerFrame).some((f) => f.type === 'sync-step-2'), 5000, 'step 2');
    const answer = cold.frames.map(parseServerFrame).find((f) => f.type === 'sync-step-2');
    if (answer?.type !== 'sync-step-2') return;
    expect(Buffer.from(answer.payload).equals(Buffer.from(snapshot))).toBe(true);

    // A change: the next cold client gets the board with it, not the snapshot.
    const a = h.connect('editor', board);
    await a.synced;
    const id = activityIds(a.doc).find((x) => laneOf(a.doc, x) !== LANE_D)!;
    moveActivity(a.doc, id, LANE_D, 0);
    await waitFor(() => h.sync.stats.updatesStored === 1, 5000, 'stored');
    const later = h.connect('viewer', board);
    await within(later.synced, 5000, 'synced');
    expect(laneOf(later.doc, id)).toBe(LANE_D);
  });
});

describe('compaction', () => {
  it('[R5] with compactAfterUpdates 5, twenty moves leave fewer than five rows and a fresh client sees the final state', async () => {
    const h = await testServer({ sync: { compactAfterUpdates: 5 } });
    const a = h.connect('editor');
    const b = h.connect('viewer');
    await Promise.all([a.synced, b.synced]);
    const id = activityIds(a.doc)[0]!;
    for (let i = 0; i < 20; i++) {
      const lane = i % 2 === 0 ? LANE_D : LANE_A;
      moveActivity(a.doc, id, lane, i % 3);
      // One update per write batch: each stored, applied and relayed before the next.
      await waitFor(() => h.sync.stats.updatesStored === i + 1 && laneOf(b.doc, id) === lane, 5000, `move ${i}`);
    }
    const rows = await h.storage.countUpdates(h.boardId);
    expect(rows).toBeLessThan(5);
    const state = await h.storage.loadState(h.boardId);
    expect(state?.updates).toHaveLength(rows);

    const final = view(a.doc);
    expect(final.activityById.get(id)?.laneId).toBe(LANE_A);
    expect(await storedView(h.storage, h.boardId)).toEqual(final);
    const fresh = h.connect('viewer');
    await within(fresh.synced, 5000, 'fresh synced');
    expect(view(fresh.doc)).toEqual(final);
  });
});
