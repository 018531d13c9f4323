/**
 * BoardSession against a scripted server: a stand-in WebSocket that records what the client
 * sends and delivers what the test plays as the server (sync step 2, updates, flush answers).
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { messageFlush } from '@tabla/sync-protocol';
import { type ActivityId, demoLaneId, editActivity, readBoard, seedDemoBoard, setLaneLocked } from '@tabla/plan-model';
import { BoardSession } from './board-session.js';
import { heldBackUpdate, loadHeldBack } from './held-back.js';
import { cachedAccess, hasPendingChanges, pendingChangeCount } from './offline-store.js';

class FakeSocket {
  static readonly instances: FakeSocket[] = [];
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 3;
  readonly OPEN = 1;
  readyState = 0;
  binaryType = 'blob';
  readonly sent: Uint8Array[] = [];
  onopen: ((e: unknown) => void) | null = null;
  onmessage: ((e: { data: ArrayBuffer }) => void) | null = null;
  onclose: ((e: { code: number; reason: string }) => void) | null = null;
  onerror: ((e: unknown) => void) | null = null;

  constructor(readonly url: string) {
    FakeSocket.instances.push(this);
  }

  send(data: Uint8Array): void {
    this.sent.push(new Uint8Array(data));
  }

  close(): void {
    this.readyState = 3;
  }

  // --- the scripted server

  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  receive(frame: Uint8Array): void {
    this.onmessage?.({ data: frame.slice().buffer });
  }

  /** The server's sync step 2: the client has synced. */
  sync(update: Uint8Array = Y.encodeStateAsUpdate(new Y.Doc())): void {
    this.receive(frame((e) => (encoding.writeVarUint(e, 0), encoding.writeVarUint(e, 1), encoding.writeVarUint8Array(e, update))));
  }

  /** The server's sync step 1: its state vector (the client answers with what the server lacks). */
  step1(stateVector: Uint8Array): void {
    this.receive(frame((e) => (encoding.writeVarUint(e, 0), encoding.writeVarUint(e, 0), encoding.writeVarUint8Array(e, stateVector))));
  }

  /** The connection drops (or an attempt fails). */
  drop(): void {
    this.closeWith(1006);
  }

  /** The server closes the connection with a code (a refusal, a limit, a fault). */
  closeWith(code: number, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }

  /** The sync updates (step 2 or update) the client sent on this socket. */
  get updates(): Uint8Array[] {
    return this.sent.filter((f) => f[0] === 0 && (f[1] === 1 || f[1] === 2)).map((f) => {
      const d = decoding.createDecoder(f);
      decoding.readVarUint(d);
      decoding.readVarUint(d);
      return decoding.readVarUint8Array(d);
    });
  }

  /** The n of each flush the client sent on this socket. */
  get flushes(): number[] {
    return this.sent.filter((f) => f[0] === messageFlush).map((f) => {
      const d = decoding.createDecoder(f);
      decoding.readVarUint(d);
      return decoding.readVarUint(d);
    });
  }
}

const frame = (write: (e: encoding.Encoder) => void): Uint8Array => {
  const e = encoding.createEncoder();
  write(e);
  return encoding.toUint8Array(e);
};
const ackFrame = (n: number) => frame((e) => (encoding.writeVarUint(e, messageFlush), encoding.writeVarUint(e, n)));
const updateFrame = (update: Uint8Array) =>
  frame((e) => (encoding.writeVarUint(e, 0), encoding.writeVarUint(e, 2), encoding.writeVarUint8Array(e, update)));

const base = { protocol: 'http:', host: 'board.test' };
let sessions: BoardSession[] = [];
let boards = 0;

const options = { WebSocketPolyfill: FakeSocket as unknown as typeof WebSocket, persist: false };

function open(role: unknown = 'editor', municipalityId: unknown = undefined): BoardSession {
  const link = { boardId: `b${++boards}-${Date.now()}`, token: 'editor-token' };
  vi.stubGlobal('fetch', vi.fn(async () => ({ status: 200, ok: true, json: async () => ({ role, municipalityId }) })));
  const s = new BoardSession(link, base, options);
  sessions.push(s);
  return s;
}

const socket = () => FakeSocket.instances.at(-1)!;
const edit = (s: BoardSession, value: string) => s.doc.getMap('test').set('k', value);

beforeEach(() => {
  FakeSocket.instances.length = 0;
  localStorage.clear();
});

afterEach(() => {
  for (const s of sessions) s.destroy();
  sessions = [];
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('BoardSession: have my changes reached the server?', () => {
  it('saving after a local change, one flush after the burst, saved when the server answers it', async () => {
    const s = open();
    socket().open();
    socket().sync();
    expect(s.getState()).toMatchObject({ connection: 'connected', synced: true, saved: 'saved' });
    expect(socket().flushes).toEqual([]); // nothing to confirm

    edit(s, 'a');
    edit(s, 'b');
    expect(s.getState().saved).toBe('saving');
    expect(hasPendingChanges(s.link.boardId, s.link.token)).toBe(true);
    await vi.waitFor(() => expect(socket().flushes).toEqual([1]));
    // The flush goes after the updates it covers.
    const flushAt = socket().sent.findIndex((f) => f[0] === messageFlush);
    expect(socket().sent.slice(0, flushAt).filter((f) => f[0] === 0 && f[1] === 2)).toHaveLength(2);

    socket().receive(ackFrame(1));
    expect(s.getState().saved).toBe('saved');
    expect(hasPendingChanges(s.link.boardId, s.link.token)).toBe(false);
  });

  it('changes from the server are not this person’s: no flush, still saved', async () => {
    const s = open();
    socket().open();
    socket().sync();
    const remote = new Y.Doc();
    remote.getMap('test').set('k', 'theirs');
    socket().receive(updateFrame(Y.encodeStateAsUpdate(remote)));
    expect(s.doc.getMap('test').get('k')).toBe('theirs');
    expect(s.getState().saved).toBe('saved');
    await new Promise((r) => setTimeout(r, 150));
    expect(socket().flushes).toEqual([]);
  });

  it('a change after the flush keeps it saving until a later flush is answered', async () => {
    const s = open();
    socket().open();
    socket().sync();
    edit(s, 'a');
    await vi.waitFor(() => expect(socket().flushes).toEqual([1]));
    edit(s, 'b');
    socket().receive(ackFrame(1));
    expect(s.getState().saved).toBe('saving');
    await vi.waitFor(() => expect(socket().flushes).toEqual([1, 2]));
    socket().receive(ackFrame(2));
    expect(s.getState().saved).toBe('saved');
  });

  it('offline: waiting; after the reconnect’s sync a new flush, and saved once answered', async () => {
    const s = open();
    const first = socket();
    first.open();
    first.sync();
    edit(s, 'a');
    await vi.waitFor(() => expect(first.flushes).toEqual([1]));
    first.drop(); // before the answer: it never comes
    expect(s.getState()).toMatchObject({ connection: 'reconnecting', saved: 'unsaved-offline' });
    edit(s, 'b');
    expect(s.getState().saved).toBe('unsaved-offline');

    await vi.waitFor(() => expect(FakeSocket.instances.length).toBe(2), { timeout: 3000 });
    const second = socket();
    second.open();
    expect(s.getState().saved).toBe('saving');
    await new Promise((r) => setTimeout(r, 150));
    expect(second.flushes).toEqual([]); // not before the sync: it is what sends the offline changes
    second.sync();
    await vi.waitFor(() => expect(second.flushes).toEqual([2]));
    second.receive(ackFrame(1)); // an n from the old connection: ignored
    expect(s.getState().saved).toBe('saving');
    second.receive(ackFrame(2));
    expect(s.getState().saved).toBe('saved');
  });

  it('counts the changes that wait, here and across a reload, until the server confirms them', async () => {
    const s = open();
    socket().open();
    socket().sync();
    socket().drop();
    edit(s, 'a');
    edit(s, 'b');
    edit(s, 'c');
    expect(s.getState()).toMatchObject({ saved: 'unsaved-offline', pending: 3 });
    expect(pendingChangeCount(s.link.boardId, s.link.token)).toBe(3);

    // Kept on the device: a reload (its copy in IndexedDB) starts from this count (SaveTracker).

    await vi.waitFor(() => expect(FakeSocket.instances).toHaveLength(2), { timeout: 3000 });
    const back = socket();
    back.open();
    back.sync();
    await vi.waitFor(() => expect(back.flushes).toHaveLength(1));
    back.receive(ackFrame(back.flushes[0]!));
    expect(s.getState()).toMatchObject({ saved: 'saved', pending: 0 });
    expect(pendingChangeCount(s.link.boardId, s.link.token)).toBe(0);
  });

  it('the browser says the network is gone: offline at once (not at the socket’s timeout), and back at once when it returns', async () => {
    let online = true;
    vi.spyOn(navigator, 'onLine', 'get').mockImplementation(() => online);
    const s = open();
    const first = socket();
    first.open();
    first.sync();
    expect(s.getState().connection).toBe('connected');

    online = false;
    window.dispatchEvent(new Event('offline'));
    expect(s.getState()).toMatchObject({ connection: 'offline', saved: 'saved', pending: 0 });
    expect(first.readyState).toBe(FakeSocket.CLOSED); // not left to time out
    edit(s, 'a');
    expect(s.getState()).toMatchObject({ connection: 'offline', saved: 'unsaved-offline', pending: 1 });
    await sleep(400);
    expect(FakeSocket.instances).toHaveLength(1); // no attempts while the browser knows there is no network

    online = true;
    window.dispatchEvent(new Event('online'));
    expect(FakeSocket.instances).toHaveLength(2); // at once, not after a backoff
    expect(s.getState().connection).toBe('reconnecting');
    socket().open();
    socket().sync();
    await vi.waitFor(() => expect(socket().flushes).toEqual([1]));
    socket().receive(ackFrame(1));
    expect(s.getState()).toMatchObject({ connection: 'connected', saved: 'saved', pending: 0 });
  });

  it('network events leave a refused link alone', () => {
    const s = open();
    socket().closeWith(4401, 'link revoked');
    window.dispatchEvent(new Event('online'));
    expect(FakeSocket.instances).toHaveLength(1);
    expect(s.getState().connection).toBe('refused');
  });

  it('a failed first attempt shows reconnecting, not connecting forever', () => {
    const s = open();
    expect(s.getState().connection).toBe('connecting');
    socket().drop();
    expect(s.getState().connection).toBe('reconnecting');
  });
});

describe('BoardSession: the role on this device', () => {
  it('is remembered per board and link, and known at once on the next visit, even offline', async () => {
    const s = open('facilitator');
    await vi.waitFor(() => expect(s.getState().role).toBe('facilitator'));
    expect(cachedAccess(s.link.boardId, s.link.token)).toEqual({ role: 'facilitator', municipalityId: null });
    expect(cachedAccess(s.link.boardId, 'another-token')).toBeNull();
    expect(JSON.stringify({ ...localStorage })).not.toContain(s.link.token);

    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('offline'))));
    const again = new BoardSession(s.link, base, { WebSocketPolyfill: FakeSocket as unknown as typeof WebSocket, persist: false });
    sessions.push(again);
    expect(again.getState().role).toBe('facilitator');
  });

  it('presence names a picked municipality only once the server has said the link is bound to none', async () => {
    const s = open('editor', null);
    const user = () => s.awareness.getLocalState()?.user as { municipalityId: string | null; role: string | null };
    s.announce({ name: 'Amra', municipalityId: 'm_picked' }, '#123456');
    expect(user()).toMatchObject({ municipalityId: null, role: null }); // not yet known: speak for none
    await vi.waitFor(() => expect(s.getState().role).toBe('editor'));
    expect(user()).toMatchObject({ municipalityId: 'm_picked', role: 'editor' });
  });

  it('a coordinator link bound to a municipality speaks for it in presence, whatever was picked', async () => {
    const s = open('editor', 'm_mostar');
    s.announce({ name: 'Amra', municipalityId: 'm_other' }, '#123456');
    await vi.waitFor(() => expect(s.getState().municipalityId).toBe('m_mostar'));
    expect((s.awareness.getLocalState()?.user as { municipalityId: string }).municipalityId).toBe('m_mostar');
    expect(cachedAccess(s.link.boardId, s.link.token)).toEqual({ role: 'editor', municipalityId: 'm_mostar' });
    s.announce({ name: 'Amra', municipalityId: 'm_other' }, '#123456');
    expect((s.awareness.getLocalState()?.user as { municipalityId: string }).municipalityId).toBe('m_mostar');
  });

  it('a projector says it is one, with its role and no name; stepping out of it, nobody until a person says who', async () => {
    const s = open('viewer');
    s.announceProjector();
    expect(s.awareness.getLocalState()?.user).toEqual({ projector: true, role: null }); // the role not known yet
    await vi.waitFor(() => expect(s.getState().role).toBe('viewer'));
    expect(s.awareness.getLocalState()?.user).toEqual({ projector: true, role: 'viewer' });
    s.awareness.setLocalStateField('editing', null);
    s.withdraw();
    expect(s.awareness.getLocalState()).toEqual({ editing: null });
    s.announce({ name: 'posmatrač', municipalityId: null }, '#5b6770');
    expect(s.awareness.getLocalState()?.user).toMatchObject({ name: 'posmatrač', role: 'viewer' });
  });
});

describe('BoardSession: a change the server refuses', () => {
  it('stops retrying, shows "rejected", and forgets the pending mark so a reload starts from the server', async () => {
    const s = open();
    socket().open();
    socket().sync();
    edit(s, 'refused');
    expect(hasPendingChanges(s.link.boardId, s.link.token)).toBe(true);
    const refused = socket();
    refused.readyState = 3;
    refused.onclose?.({ code: 4403, reason: 'activity a_1 is in a locked lane' });
    expect(s.getState().connection).toBe('rejected');
    expect(hasPendingChanges(s.link.boardId, s.link.token)).toBe(false);
    await new Promise((r) => setTimeout(r, 300));
    expect(FakeSocket.instances.at(-1)).toBe(refused); // no new attempt that would be refused again
  });
});

const LANE_A = demoLaneId('A');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const activityTitled = (doc: Y.Doc, title: string): ActivityId => [...readBoard(doc).activityById.values()].find((a) => a.title === title)!.id;

/** The scripted server's whole sync on a fresh socket: its state vector, then its state. */
function syncWith(ws: FakeSocket, server: Y.Doc): void {
  ws.open();
  ws.step1(Y.encodeStateVector(server));
  ws.sync(Y.encodeStateAsUpdate(server));
}

describe('BoardSession: honest clients keep their work (a refused change)', () => {
  it('keeps aside what the server refused, goes on from the server’s state in a new session, and says what was not accepted', async () => {
    const server = new Y.Doc();
    seedDemoBoard(server);
    const s = open();
    syncWith(socket(), server);
    const id = activityTitled(s.doc, 'Odluka o LDP-u kao savjetodavnom tijelu');

    // Offline, the coordinator renames a card; meanwhile the facilitator locks its lane.
    socket().drop();
    editActivity(s.doc, id, { title: 'Odluka o LDP-u (nacrt)', notes: 'Nacrt do juna' });
    setLaneLocked(server, LANE_A, true);
    await vi.waitFor(() => expect(FakeSocket.instances).toHaveLength(2), { timeout: 3000 });
    const refused = socket();
    syncWith(refused, server);
    expect(refused.updates.length).toBeGreaterThan(0); // the offline change went out in the sync
    refused.closeWith(4403, `activity ${id} is in a locked lane`);

    const state = s.getState();
    expect(state.connection).toBe('rejected');
    expect(state.heldBack).toHaveLength(1);
    expect(state.heldBack[0]).toMatchObject({ code: 4403, reason: `activity ${id} is in a locked lane`, summary: null });
    // Only what the server did not have (it sent its state vector): not the whole board again.
    expect(heldBackUpdate(state.heldBack[0]!).length).toBeLessThan(Y.encodeStateAsUpdate(server).length / 4);
    // Kept on this device before the copy goes; the pending mark goes, or a reload would send it again.
    expect(loadHeldBack(s.link.boardId, s.link.token)).toEqual(state.heldBack);
    expect(hasPendingChanges(s.link.boardId, s.link.token)).toBe(false);
    await sleep(300);
    expect(FakeSocket.instances.at(-1)).toBe(refused); // no new attempt that would be refused again

    // A new session on the same link: the server's board, and what was not accepted, explained.
    const next = await s.reopen();
    sessions.push(next);
    expect(FakeSocket.instances).toHaveLength(3);
    const fresh = socket();
    syncWith(fresh, server);
    expect(next.getState()).toMatchObject({ connection: 'connected', synced: true, saved: 'saved' });
    expect(readBoard(next.doc).activityById.get(id)).toMatchObject({ title: 'Odluka o LDP-u kao savjetodavnom tijelu' });
    expect(readBoard(next.doc).activityById.get(id)?.notes).toBeUndefined();
    expect(fresh.updates.every((u) => Y.decodeUpdate(u).structs.length === 0)).toBe(true); // nothing refused goes out again
    const [kept] = next.getState().heldBack;
    expect(kept!.summary).toEqual({
      activities: [
        {
          id,
          change: 'changed',
          title: 'Odluka o LDP-u (nacrt)',
          lane: 'Učešće građana u odlučivanju',
          fields: [
            { field: 'title', before: 'Odluka o LDP-u kao savjetodavnom tijelu', after: 'Odluka o LDP-u (nacrt)' },
            { field: 'notes', before: null, after: 'Nacrt do juna' },
          ],
        },
      ],
      other: [],
      lockedLane: 'Učešće građana u odlučivanju',
    });

    // It goes on: a change the server allows is sent and confirmed as usual.
    editActivity(next.doc, activityTitled(next.doc, 'Dijalog sa mladima'), { notes: 'ponovo' });
    await vi.waitFor(() => expect(fresh.flushes).toEqual([1]));
    fresh.receive(ackFrame(1));
    expect(next.getState().saved).toBe('saved');

    // A reload of the page: still there (from this device's storage), until dismissed.
    const reloaded = new BoardSession(s.link, base, options);
    sessions.push(reloaded);
    expect(reloaded.getState().heldBack).toEqual(next.getState().heldBack);
    reloaded.dismissHeldBack(kept!.id);
    expect(reloaded.getState().heldBack).toEqual([]);
    expect(loadHeldBack(s.link.boardId, s.link.token)).toEqual([]);
  });

  it('kept aside even where storage fails: it travels to the new session in memory', async () => {
    const server = new Y.Doc();
    seedDemoBoard(server);
    const s = open();
    syncWith(socket(), server);
    vi.spyOn(Storage.prototype, 'setItem').mockImplementation(() => {
      throw new DOMException('full', 'QuotaExceededError');
    });
    try {
      editActivity(s.doc, activityTitled(s.doc, 'Dijalog sa mladima'), { title: 'Dijalog sa mladima 2' });
      socket().closeWith(4422, 'activity a_1: title too long');
      expect(s.getState().connection).toBe('rejected');
      const next = await s.reopen();
      sessions.push(next);
      syncWith(socket(), server);
      expect(next.getState().heldBack).toHaveLength(1);
      expect(next.getState().heldBack[0]!.summary!.activities[0]).toMatchObject({ change: 'changed', title: 'Dijalog sa mladima 2' });
    } finally {
      vi.restoreAllMocks();
    }
  });
});

describe('BoardSession: closes that reconnecting cannot fix', () => {
  it.each([
    [1009, 'Max payload size exceeded'],
    [4400, 'malformed message'],
  ])('%i: stops reconnecting, says so, and tries again only when asked', async (code, reason) => {
    const s = open();
    socket().open();
    socket().sync();
    socket().closeWith(code, reason);
    expect(s.getState()).toMatchObject({ connection: 'stopped', stopped: { code, reason } });
    await sleep(400);
    expect(FakeSocket.instances).toHaveLength(1);

    s.retry();
    expect(FakeSocket.instances).toHaveLength(2);
    expect(s.getState()).toMatchObject({ connection: 'reconnecting', stopped: null });
    socket().open();
    socket().sync();
    expect(s.getState().connection).toBe('connected');
  });

  it('4401 (link revoked): refused, and no new attempt', async () => {
    const s = open();
    socket().open();
    socket().sync();
    socket().closeWith(4401, 'link revoked');
    expect(s.getState()).toMatchObject({ connection: 'refused', refusal: 'revoked' });
    await sleep(400);
    expect(FakeSocket.instances).toHaveLength(1);
  });

  it('4401 for a link the server does not know: refused, without saying more than the server did', async () => {
    const s = open();
    socket().closeWith(4401, 'unauthorized');
    expect(s.getState()).toMatchObject({ connection: 'refused', refusal: 'unknown' });
    const again = open();
    vi.stubGlobal('fetch', vi.fn(async () => ({ status: 401, ok: false, json: async () => ({ error: 'this link is not valid' }) })));
    const third = new BoardSession({ boardId: again.link.boardId, token: 'gone' }, base, options);
    sessions.push(third);
    await vi.waitFor(() => expect(third.getState()).toMatchObject({ connection: 'refused', refusal: 'unknown' }));
  });

  it.each([4429, 4500, 4503])('%i is transient: retried with backoff', async (code) => {
    const s = open();
    socket().open();
    socket().sync();
    socket().closeWith(code, 'busy');
    expect(s.getState()).toMatchObject({ connection: 'reconnecting', stopped: null });
    await vi.waitFor(() => expect(FakeSocket.instances).toHaveLength(2), { timeout: 3000 });
  });

  it('1009 in answer to its own sync (offline changes too big to send): the work can be kept aside and the board loaded', async () => {
    const server = new Y.Doc();
    seedDemoBoard(server);
    const s = open();
    syncWith(socket(), server);
    socket().drop();
    const id = activityTitled(s.doc, 'Mapa prostora za mlade');
    editActivity(s.doc, id, { description: 'dugačak opis' });
    await vi.waitFor(() => expect(FakeSocket.instances).toHaveLength(2), { timeout: 3000 });
    syncWith(socket(), server);
    socket().closeWith(1009, 'Max payload size exceeded');
    expect(s.getState().connection).toBe('stopped');

    s.setAsideLocalWork();
    expect(s.getState()).toMatchObject({ connection: 'rejected', heldBack: [{ code: 1009, summary: null }] });
    const next = await s.reopen();
    sessions.push(next);
    syncWith(socket(), server);
    expect(next.getState().heldBack[0]!.summary!.activities).toEqual([
      { id, change: 'changed', title: 'Mapa prostora za mlade', lane: 'Položaj mladih u lokalnoj zajednici', fields: [{ field: 'description', before: null, after: 'dugačak opis' }] },
    ]);
  });
});
