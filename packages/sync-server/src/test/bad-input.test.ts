/**
 * What the network can throw at the server: refused connections, garbage frames,
 * forbidden and schema-breaking updates, storage failures, bad awareness. After each,
 * the server is up, the board is unchanged, and another board keeps working.
 */
import * as encoding from 'lib0/encoding';
import { describe, expect, it, onTestFinished } from 'vitest';
import * as Y from 'yjs';
import {
  addActivity,
  createLane,
  deleteLane,
  demoLaneId,
  demoMunicipalityId,
  editActivity,
  editMunicipality,
  moveActivity,
  renameLane,
  roots,
  setBoardTitle,
  type ActivityId,
  type BoardView,
} from '@tabla/plan-model';
import { CloseCode } from '@tabla/sync-protocol';
import { generateToken, hashToken } from '../tokens.js';
import {
  awarenessFrame,
  awarenessPayload,
  documentFrames,
  frame,
  gcUpdate,
  parseServerFrame,
  sleep,
  updateFrame,
  waitFor,
  within,
  closeOf,
} from '@tabla/test-clients';
import {
  captureUpdate,
  nextWriteFails,
  prng,
  startTestServer,
  storedDoc,
  storedView,
  view,
  type TestBoard,
  type TestServer,
  type TestServerOptions,
} from './harness.js';

const MAX_FRAME = 64 * 1024;

interface Fixture {
  readonly h: TestServer;
  readonly initial: BoardView;
  readonly otherInitial: BoardView;
  /** A replica of the stored main board, to craft updates from. */
  doc(): Promise<Y.Doc>;
  /** The server is up, the main board is as stored at the start (plus `extraRows`), the other board works. */
  assertIntact(extraRows?: number): Promise<void>;
}

async function fixture(options: TestServerOptions = {}): Promise<Fixture> {
  const h = await startTestServer({ maxFrameBytes: MAX_FRAME, ...options });
  onTestFinished(() => h.stop());
  const initial = await storedView(h.storage, h.boardId);
  const otherInitial = await storedView(h.storage, h.other.boardId);
  return {
    h,
    initial,
    otherInitial,
    async doc() {
      const d = await storedDoc(h.storage, h.boardId);
      onTestFinished(() => d.destroy());
      return d;
    },
    async assertIntact(extraRows = 0) {
      expect(await h.storage.countUpdates(h.boardId)).toBe(extraRows);
      if (extraRows === 0) expect(await storedView(h.storage, h.boardId)).toEqual(initial);
      // A stock client still syncs the full board...
      const p = h.connect('viewer');
      await within(p.synced, 3000, 'stock client synced on the attacked board');
      expect(view(p.doc)).toEqual(await storedView(h.storage, h.boardId));
      if (extraRows === 0) expect(view(p.doc)).toEqual(initial);
      // ...and the other board still loads, relays and stores.
      const e = h.connect('editor', h.other);
      const v = h.connect('viewer', h.other);
      await within(Promise.all([e.synced, v.synced]), 3000, 'other board synced');
      expect(view(v.doc)).toEqual(otherInitial);
      const id = [...roots(e.doc).activities.keys()][0] as ActivityId;
      moveActivity(e.doc, id, demoLaneId('B'), 0);
      await waitFor(() => roots(v.doc).activities.get(id)?.get('laneId') === demoLaneId('B'), 5000, 'relay on the other board');
      p.destroy();
      e.destroy();
      v.destroy();
    },
  };
}

/** The close of `c`, within a deadline. */

/** Opens a connection, waits until the server has sent its sync step 1 (joined), and sends `data`. */
async function sendJoined(h: TestServer, role: 'facilitator' | 'editor' | 'viewer', data: Uint8Array | string, board: TestBoard = h) {
  const c = await h.raw(role, board);
  await waitFor(() => c.frames.length > 0 || c.closeInfo !== null, 5000, 'sync step 1');
  c.send(data);
  return c;
}

/** Runs `fn` on `items` with at most `n` at a time. */
async function pool<T>(items: readonly T[], n: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i]!, i);
      }
    }),
  );
}

const activityIds = (doc: Y.Doc): ActivityId[] => [...roots(doc).activities.keys()].sort() as ActivityId[];

// ---------------------------------------------------------------------------

describe('refused connections', () => {
  it('[R7][R11] bad, missing, replaced tokens and unknown or odd board ids: 4401 and not one frame, alike for every case', async () => {
    const f = await fixture();
    const { h } = f;
    // A replaced ("expired") token stops working.
    const oldEditor = h.tokens.editor;
    const newEditor = generateToken();
    await h.storage.replaceToken(h.boardId, { role: 'editor', tokenHash: hashToken(newEditor) });

    const cases: { name: string; boardId: string; token: string | null }[] = [
      { name: 'bad token', boardId: h.boardId, token: 'not-a-token' },
      { name: 'missing token', boardId: h.boardId, token: null },
      { name: 'empty token', boardId: h.boardId, token: '' },
      { name: 'overlong token', boardId: h.boardId, token: 'x'.repeat(5000) },
      { name: 'replaced token', boardId: h.boardId, token: oldEditor },
      { name: 'token of another board', boardId: h.boardId, token: h.other.tokens.facilitator },
      { name: 'unknown board, real token', boardId: 'nosuchboard0000', token: h.tokens.facilitator },
      { name: 'unknown board, bad token', boardId: 'nosuchboard0000', token: 'not-a-token' },
      { name: 'overlong board id', boardId: 'x'.repeat(500), token: h.tokens.facilitator },
      { name: 'NUL board id', boardId: '%00', token: h.tokens.facilitator },
      { name: 'encoded path traversal', boardId: '..%2Fetc', token: h.tokens.facilitator },
      { name: 'empty board id', boardId: '', token: h.tokens.facilitator },
      { name: 'non-ASCII board id', boardId: encodeURIComponent('ćevapi'), token: h.tokens.facilitator },
      { name: 'bad percent-encoding', boardId: '%E0%A4%A', token: h.tokens.facilitator },
      { name: 'board id with a space', boardId: encodeURIComponent(`${h.boardId} `), token: h.tokens.facilitator },
    ];
    const outcomes = new Map<string, string>();
    await Promise.all(
      cases.map(async ({ name, boardId, token }) => {
        const c = await h.raw({ boardId, token });
        // Garbage right after the upgrade must not change the answer.
        c.send(new Uint8Array([0, 0, 1, 0xff]));
        const info = await closeOf(c);
        expect(c.framesBeforeClose, name).toBe(0);
        expect(c.frames, name).toHaveLength(0);
        outcomes.set(name, c.httpStatus === null ? `${info.code} ${info.reason}` : `HTTP ${c.httpStatus}`);
      }),
    );
    // Malformed percent-encoding is a 400 before the upgrade; everything else is the same 4401.
    expect(outcomes.get('bad percent-encoding')).toBe('HTTP 400');
    outcomes.delete('bad percent-encoding');
    for (const [name, outcome] of outcomes) expect(outcome, name).toBe(`${CloseCode.unauthorized} unauthorized`);

    // The new token works; no board was loaded for the refused ones.
    expect(h.sync.loadedRoomCount).toBe(0);
    const ok = await h.raw({ boardId: h.boardId, token: newEditor });
    await waitFor(() => ok.frames.length > 0, 5000, 'frames for the new token');
    expect(ok.closeInfo).toBeNull();
    ok.terminate();
    await f.assertIntact();
  });

  it('[R11] a path that leaves /sync/ is refused with an HTTP error before the upgrade', async () => {
    const { h } = await fixture();
    const c = await h.raw({ boardId: '../etc', token: h.tokens.facilitator }); // ws normalizes to /etc
    expect(c.httpStatus).toBe(404);
    expect(c.frames).toHaveLength(0);
  });
});

describe('garbage frames', () => {
  it('[R7] seeded random frames, before and after the board loaded: 4400 each, server and board fine', async () => {
    const f = await fixture();
    const { h } = f;
    const rnd = prng(0x7ab1a);
    const randomFrame = () => rnd.bytes(1 + rnd.int(48));

    // Before: a cold board whose load is held back; every frame waits in the connection's queue.
    const load = h.storage.loadState.bind(h.storage);
    let loaded = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    h.storage.loadState = async (id) => {
      await gate;
      const state = await load(id);
      loaded++;
      return state;
    };
    const early = await Promise.all(Array.from({ length: 40 }, () => h.raw('facilitator')));
    try {
      for (const c of early) c.send(randomFrame());
      await sleep(30);
      expect(loaded).toBe(0);
      expect(early.filter((c) => c.closeInfo !== null)).toHaveLength(0); // judged only once loaded
    } finally {
      release(); // also when failing: a load that never ends would hold up the shutdown
    }
    const earlyCodes = await Promise.all(early.map(async (c) => (await closeOf(c)).code));
    expect(new Set(earlyCodes)).toEqual(new Set([CloseCode.badMessage]));
    expect(early.every((c) => documentFrames(c).every((fr) => fr.type === 'sync-step-1'))).toBe(true);

    // After: each frame on a connection that has joined the loaded room.
    const late = Array.from({ length: 80 }, randomFrame);
    const lateCodes: number[] = [];
    await pool(late, 12, async (bytes, i) => {
      const c = await sendJoined(h, 'facilitator', bytes);
      lateCodes[i] = (await closeOf(c)).code;
    });
    expect(new Set(lateCodes)).toEqual(new Set([CloseCode.badMessage]));
    expect(loaded).toBe(1);
    await f.assertIntact();
  });

  it('[R7] many random frames on one connection: closed at the first, nothing after it is read', async () => {
    const f = await fixture();
    const rnd = prng(99);
    const c = await f.h.raw('editor');
    for (let i = 0; i < 200; i++) c.send(rnd.bytes(1 + rnd.int(200)));
    expect((await closeOf(c)).code).toBe(CloseCode.badMessage);
    expect(f.h.sync.stats.refused).toEqual({ badMessage: 1 }); // the 199 after the first were ignored
    await f.assertIntact();
  });

  it('[R7] text, empty, unknown types and steps, gigabyte varints, lengths past the end, trailing bytes', async () => {
    const f = await fixture();
    const { h } = f;
    const bytes = (...b: number[]) => new Uint8Array(b);
    const cases: { name: string; data: Uint8Array | string; code: number }[] = [
      { name: 'text frame', data: 'hello', code: CloseCode.unsupportedData },
      { name: 'text frame that looks like a sync message', data: '\u0000\u0000\u0000', code: CloseCode.unsupportedData },
      { name: 'empty frame', data: bytes(), code: CloseCode.badMessage },
      { name: 'unknown message type 9', data: bytes(9), code: CloseCode.badMessage },
      { name: 'auth message (not spoken here)', data: bytes(2, 0, 0), code: CloseCode.badMessage },
      { name: 'unknown sync step', data: bytes(0, 7, 0), code: CloseCode.badMessage },
      { name: 'sync without step', data: bytes(0), code: CloseCode.badMessage },
      { name: 'update length claims 4 GiB', data: bytes(0, 2, 0xff, 0xff, 0xff, 0xff, 0x0f), code: CloseCode.badMessage },
      { name: 'awareness length claims 4 GiB', data: bytes(1, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2), code: CloseCode.badMessage },
      { name: 'length past the end (1000 of 3)', data: bytes(0, 2, 0xe8, 0x07, 1, 2, 3), code: CloseCode.badMessage },
      { name: 'varint longer than 53 bits', data: bytes(...Array<number>(12).fill(0xff), 1), code: CloseCode.badMessage },
      { name: 'unterminated varint', data: bytes(0x80), code: CloseCode.badMessage },
      { name: 'query-awareness with trailing bytes', data: bytes(3, 0), code: CloseCode.badMessage },
      { name: 'update with trailing bytes', data: bytes(0, 2, 2, 0, 0, 7), code: CloseCode.badMessage },
      { name: 'empty update payload', data: bytes(0, 2, 0), code: CloseCode.badMessage },
      { name: 'state vector claims 4G clients', data: bytes(0, 0, 5, 0xff, 0xff, 0xff, 0xff, 0x0f), code: CloseCode.badMessage },
      {
        name: 'update claims 4G structs',
        data: updateFrame(frame((e) => [1, 0xffffffff, 77, 0].forEach((n) => encoding.writeVarUint(e, n)))),
        code: CloseCode.badMessage,
      },
      {
        name: 'update claims 4G clients',
        data: updateFrame(frame((e) => encoding.writeVarUint(e, 0xffffffff))),
        code: CloseCode.badMessage,
      },
    ];
    const got: Record<string, number> = {};
    await Promise.all(
      cases.map(async ({ name, data }) => {
        const c = await sendJoined(h, 'facilitator', data);
        got[name] = (await closeOf(c)).code;
      }),
    );
    expect(got).toEqual(Object.fromEntries(cases.map((c) => [c.name, c.code])));
    await f.assertIntact();
  });

  it('[R7] a real update truncated at every length, each on a fresh connection: 4400/4422, nothing stored; the whole update is accepted', async () => {
    const f = await fixture();
    const { h } = f;
    const doc = await f.doc();
    const update = captureUpdate(doc, (d) => {
      const id = addActivity(
        d,
        { title: 'Nova aktivnost', description: 'opis'.repeat(5), leadId: demoMunicipalityId('mostar'), partners: [demoMunicipalityId('bugojno')], timeframe: '2024-Q1' },
        { laneId: demoLaneId('C'), index: 1 },
      );
      moveActivity(d, activityIds(d).find((x) => x !== id)!, demoLaneId('D'), 0);
    });
    expect(update.length).toBeGreaterThan(100);
    const watcher = await h.raw('viewer');
    const lengths = Array.from({ length: update.length }, (_, k) => k);
    const codes = new Map<number, number>();
    await pool(lengths, 16, async (k) => {
      const c = await sendJoined(h, 'editor', updateFrame(update.slice(0, k)));
      codes.set(k, (await closeOf(c)).code);
    });
    const unexpected = [...codes].filter(([, code]) => code !== CloseCode.badMessage && code !== CloseCode.invalidUpdate);
    expect(unexpected).toEqual([]);
    expect(codes.size).toBe(update.length);
    expect(documentFrames(watcher).filter((fr) => fr.type === 'update')).toHaveLength(0);
    await f.assertIntact();

    // The untruncated update is a valid editor change: stored and relayed.
    const c = await sendJoined(h, 'editor', updateFrame(update));
    await waitFor(() => documentFrames(watcher).some((fr) => fr.type === 'update'), 5000, 'relay of the whole update');
    expect(c.closeInfo).toBeNull();
    expect(await h.storage.countUpdates(h.boardId)).toBe(1);
  });

  it('[R8] frames over maxFrameBytes are refused with 1009; a garbage frame at the limit is an ordinary 4400', async () => {
    const f = await fixture();
    const { h } = f;
    const over = await sendJoined(h, 'facilitator', new Uint8Array(MAX_FRAME + 1));
    expect((await closeOf(over)).code).toBe(CloseCode.messageTooBig);
    // A well-formed but huge update frame: refused by size, before any decoding.
    const bigUpdate = await sendJoined(h, 'facilitator', updateFrame(new Uint8Array(4 * MAX_FRAME)));
    expect((await closeOf(bigUpdate)).code).toBe(CloseCode.messageTooBig);
    const atLimit = await sendJoined(h, 'facilitator', new Uint8Array(MAX_FRAME).fill(9));
    expect((await closeOf(atLimit)).code).toBe(CloseCode.badMessage);
    // Before the board loaded, too.
    const early = await h.raw('facilitator');
    early.send(new Uint8Array(MAX_FRAME + 1));
    expect((await closeOf(early)).code).toBe(CloseCode.messageTooBig);
    await f.assertIntact();
  });

  it('[R7][R13] too many frames while the board loads: 4429', async () => {
    const f = await fixture({ sync: { maxFramesBeforeLoad: 8 } });
    const { h } = f;
    const load = h.storage.loadState.bind(h.storage);
    h.storage.loadState = async (id) => {
      await sleep(50);
      return load(id);
    };
    const c = await h.raw('viewer');
    for (let i = 0; i < 9; i++) c.send(new Uint8Array([3])); // query-awareness: harmless, but too many
    expect((await closeOf(c)).code).toBe(CloseCode.tooManyRequests);
    expect(documentFrames(c)).toHaveLength(0);
    await f.assertIntact();
  });
});

describe('roles', () => {
  it('[R12] a viewer’s real update: 4403, not stored, never relayed (raw and stock viewer)', async () => {
    const f = await fixture();
    const { h } = f;
    const doc = await f.doc();
    const id = activityIds(doc).find((x) => roots(doc).activities.get(x)?.get('laneId') !== demoLaneId('D'))!;
    const update = captureUpdate(doc, (d) => moveActivity(d, id, demoLaneId('D'), 0));
    const watcher = await h.raw('editor');
    const other = h.connect('editor');
    await other.synced;

    const c = await sendJoined(h, 'viewer', updateFrame(update));
    expect((await closeOf(c)).code).toBe(CloseCode.forbidden);

    const stock = h.connect('viewer');
    await stock.synced;
    editActivity(stock.doc, id, { title: 'Viewer was here' });
    await waitFor(() => stock.closes.length > 0, 5000, 'stock viewer closed');
    expect(stock.closes[0]!.code).toBe(CloseCode.forbidden);
    await sleep(50);
    expect(stock.closes).toHaveLength(1); // 44xx: the stock client does not retry

    expect(documentFrames(watcher).filter((fr) => fr.type === 'update')).toHaveLength(0);
    expect(view(other.doc)).toEqual(f.initial);
    await f.assertIntact();

    // Content-free writes count as writes: a GC range of a new client, and structs that wait for missing ones.
    const gcOnly = await sendJoined(h, 'viewer', updateFrame(gcUpdate(987654, 0, 10)));
    expect((await closeOf(gcOnly)).code).toBe(CloseCode.forbidden);
    const pendingOnly = await sendJoined(h, 'viewer', updateFrame(gcUpdate(987655, 5, 1)));
    expect((await closeOf(pendingOnly)).code).toBe(CloseCode.forbidden);
    expect(await h.storage.countUpdates(h.boardId)).toBe(0);

    // A refusal leaves no trace in the server's replica: the very same bytes from an editor are new to it.
    const byEditor = await sendJoined(h, 'editor', updateFrame(update));
    await waitFor(() => roots(other.doc).activities.get(id)?.get('laneId') === demoLaneId('D'), 5000, 'same update from an editor relayed');
    expect(byEditor.closeInfo).toBeNull();
    expect(await h.storage.countUpdates(h.boardId)).toBe(1);
  });

  it('[R12] an editor may move activities but not touch lanes, municipalities or board settings', async () => {
    const f = await fixture();
    const { h } = f;
    const watcher = await h.raw('viewer');
    const forbidden: Record<string, (d: Y.Doc) => void> = {
      'rename a lane': (d) => renameLane(d, demoLaneId('A'), 'Preimenovano'),
      'create a lane': (d) => void createLane(d, { title: 'Nova' }),
      'delete a lane (activities move too)': (d) => deleteLane(d, demoLaneId('B')),
      'edit a municipality': (d) => editMunicipality(d, demoMunicipalityId('mostar'), { name: 'Grad X' }),
      'board title': (d) => setBoardTitle(d, 'Novi naslov'),
      'move an activity and rename a lane at once': (d) => {
        d.transact(() => {
          moveActivity(d, activityIds(d)[0]!, demoLaneId('D'), 0);
          renameLane(d, demoLaneId('D'), 'X');
        });
      },
    };
    const got: Record<string, number> = {};
    const refused: Uint8Array[] = [];
    for (const [name, change] of Object.entries(forbidden)) {
      const doc = await f.doc();
      const update = captureUpdate(doc, change);
      refused.push(update);
      const c = await sendJoined(h, 'editor', updateFrame(update));
      got[name] = (await closeOf(c)).code;
    }
    expect(got).toEqual(Object.fromEntries(Object.keys(forbidden).map((k) => [k, CloseCode.forbidden])));
    expect(documentFrames(watcher).filter((fr) => fr.type === 'update')).toHaveLength(0);
    await f.assertIntact();

    // After all those refusals, an editor's move is accepted, stored and relayed.
    const e = h.connect('editor');
    const v = h.connect('viewer');
    await Promise.all([e.synced, v.synced]);
    const id = activityIds(e.doc).find((x) => roots(e.doc).activities.get(x)?.get('laneId') !== demoLaneId('D'))!;
    moveActivity(e.doc, id, demoLaneId('D'), 0);
    await waitFor(() => roots(v.doc).activities.get(id)?.get('laneId') === demoLaneId('D'), 5000, 'editor move relayed');
    await waitFor(() => documentFrames(watcher).some((fr) => fr.type === 'update'), 5000, 'editor move at the raw watcher');
    expect(e.closes).toHaveLength(0);
    expect(await h.storage.countUpdates(h.boardId)).toBe(1);

    // Refusals leave no trace in the server's replica: the same bytes from the facilitator are accepted.
    const fac = await sendJoined(h, 'facilitator', updateFrame(refused[0]!)); // rename lane A
    await waitFor(() => roots(v.doc).lanes.get(demoLaneId('A'))?.get('title') === 'Preimenovano', 5000, 'facilitator rename relayed');
    expect(fac.closeInfo).toBeNull();
    expect(await h.storage.countUpdates(h.boardId)).toBe(2);
  });
});

describe('schema', () => {
  it('[R9] decodable updates that break schema v1, even from a facilitator: 4422, board still loads', async () => {
    const f = await fixture();
    const { h } = f;
    const watcher = await h.raw('viewer');
    const cases: Record<string, (d: Y.Doc) => void> = {
      'title as a number': (d) => d.getMap('meta').set('title', 42),
      'schemaVersion 2': (d) => d.getMap('meta').set('schemaVersion', 2),
      'unknown root (array)': (d) => d.getArray('evil').insert(0, [1, 2, 3]),
      'unknown root (map)': (d) => d.getMap('evil').set('x', 1),
      'list content in the lanes root': (d) => d.getArray('lanes').insert(0, ['x']),
      'list content in meta': (d) => d.getArray('meta').insert(0, [{ title: 'x' }]),
      'activity title as a number': (d) => (d.getMap('activities').get(activityIds(d)[0]!) as Y.Map<unknown>).set('title', 7),
      'activity without rank': (d) => (d.getMap('activities').get(activityIds(d)[0]!) as Y.Map<unknown>).delete('rank'),
      'lane as a plain object': (d) => d.getMap('lanes').set('l_x', { id: 'l_x', title: 'x', rank: 'a0' }),
      'nested map too deep': (d) => {
        const a = d.getMap('activities').get(activityIds(d)[0]!) as Y.Map<unknown>;
        const deep = new Y.Map<unknown>();
        deep.set('inner', new Y.Map());
        a.set('extra', deep);
      },
      'partner value not true': (d) => {
        const a = d.getMap('activities').get(activityIds(d)[0]!) as Y.Map<unknown>;
        (a.get('partners') as Y.Map<unknown>).set(demoMunicipalityId('mostar'), 'yes');
      },
    };
    const got: Record<string, number> = {};
    for (const [name, change] of Object.entries(cases)) {
      const doc = await f.doc(); // a fresh replica per case: roots are not yet typed as maps
      const c = await sendJoined(h, 'facilitator', updateFrame(captureUpdate(doc, change)));
      got[name] = (await closeOf(c)).code;
    }
    expect(got).toEqual(Object.fromEntries(Object.keys(cases).map((k) => [k, CloseCode.invalidUpdate])));
    expect(documentFrames(watcher).filter((fr) => fr.type === 'update')).toHaveLength(0);
    await f.assertIntact();

    // The same facilitator may make valid changes to everything afterwards.
    const doc = await f.doc();
    const ok = await sendJoined(h, 'facilitator', updateFrame(captureUpdate(doc, (d) => renameLane(d, demoLaneId('A'), 'Učešće'))));
    await waitFor(() => documentFrames(watcher).some((fr) => fr.type === 'update'), 5000, 'facilitator rename relayed');
    expect(ok.closeInfo).toBeNull();
  });
});

describe('storage failure', () => {
  it('[R4] a failed write is not relayed, closes the sender with 4500, stores nothing; the reconnecting client delivers it', async () => {
    const fault = nextWriteFails();
    const f = await fixture({ faultInjection: fault.faultInjection });
    const { h } = f;
    const a = h.connect('editor');
    const b = h.connect('editor');
    await Promise.all([a.synced, b.synced]);
    const watcher = await h.raw('viewer');
    await waitFor(() => watcher.frames.length > 0, 5000, 'watcher joined');
    const id = activityIds(a.doc).find((x) => roots(a.doc).activities.get(x)?.get('laneId') !== demoLaneId('D'))!;
    const laneAt = (d: Y.Doc) => roots(d).activities.get(id)?.get('laneId');

    fault.armed = true;
    moveActivity(a.doc, id, demoLaneId('D'), 0);
    await waitFor(() => a.closes.length > 0, 5000, 'a closed');
    expect(fault.failures).toBe(1);
    expect(a.closes[0]!.code).toBe(CloseCode.storageFailed);
    await sleep(50); // well inside the client's first reconnect delay (200 ms)
    expect(laneAt(b.doc)).not.toBe(demoLaneId('D'));
    expect(documentFrames(watcher).filter((fr) => fr.type === 'update')).toHaveLength(0);
    expect(await h.storage.countUpdates(h.boardId)).toBe(0);
    expect(await storedView(h.storage, h.boardId)).toEqual(f.initial);

    // The stock client reconnects by itself (4500 is "try again"), and its sync step 2 carries the move.
    await waitFor(() => laneAt(b.doc) === demoLaneId('D'), 3000, 'move relayed after reconnect');
    expect(await h.storage.countUpdates(h.boardId)).toBe(1);
    expect((await storedView(h.storage, h.boardId)).activityById.get(id)?.laneId).toBe(demoLaneId('D'));
    expect(view(b.doc)).toEqual(view(a.doc));
    expect(a.closes).toHaveLength(1);
    await f.assertIntact(1);
  });
});

describe('awareness', () => {
  it('[R7][R10] garbage awareness (seeded random bytes, broken JSON, non-object states, trailing bytes): 4400, others unaffected', async () => {
    const f = await fixture();
    const { h } = f;
    const b = h.connect('viewer');
    await b.synced;
    b.provider.awareness.setLocalStateField('user', { name: 'B' });
    const rnd = prng(0xa3a3);
    const payloads: Uint8Array[] = Array.from({ length: 40 }, () => rnd.bytes(1 + rnd.int(64)));
    const w = (fn: (e: encoding.Encoder) => void) => frame(fn);
    payloads.push(
      w((e) => {
        [1, 5, 1].forEach((n) => encoding.writeVarUint(e, n));
        encoding.writeVarString(e, '{nope');
      }),
      w((e) => encoding.writeVarUint(e, 0xffffffff)),
      w((e) => {
        [1, 5, 1].forEach((n) => encoding.writeVarUint(e, n));
        encoding.writeVarUint(e, 0xffffffff); // a string that claims 4 GiB
      }),
      awarenessPayload(5, 1, 42),
      awarenessPayload(6, 1, 'x'),
      awarenessPayload(7, 1, [1, 2]),
      w((e) => {
        encoding.writeVarUint(e, 0);
        encoding.writeUint8(e, 0xff); // trailing garbage after "no states"
      }),
      w((e) => {
        encoding.writeUint8Array(e, awarenessPayload(8, 1, { user: { name: 'x' } }));
        encoding.writeUint8(e, 0x13); // trailing garbage after a valid state
      }),
    );
    const codes: number[] = [];
    await pool(payloads, 8, async (p, i) => {
      const c = await sendJoined(h, 'editor', awarenessFrame(p));
      codes[i] = (await closeOf(c)).code;
    });
    expect(codes.map((code, i) => [i, code]).filter(([, code]) => code !== CloseCode.badMessage)).toEqual([]);
    // Nobody saw a state of the garbage senders.
    expect([...b.provider.awareness.getStates().keys()]).toEqual([b.doc.clientID]);
    await f.assertIntact();
  });

  it('[R10] an oversized awareness state is refused and never reaches others', async () => {
    const f = await fixture();
    const { h } = f;
    const b = h.connect('viewer');
    await b.synced;
    const big = awarenessPayload(31337, 1, { user: { name: 'x'.repeat(40 * 1024) } });
    expect(big.length).toBeLessThan(MAX_FRAME); // over the awareness limit, not the frame limit
    const c = await sendJoined(h, 'editor', awarenessFrame(big));
    expect((await closeOf(c)).code).toBe(CloseCode.messageTooBig);
    await sleep(30);
    expect(b.provider.awareness.getStates().has(31337)).toBe(false);
    expect(c.frames.map(parseServerFrame).some((fr) => fr.type === 'awareness' && fr.states.has(31337))).toBe(false);
    await f.assertIntact();
  });
});
