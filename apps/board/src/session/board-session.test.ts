/**
 * BoardSession against a scripted server: a stand-in WebSocket that records what the client
 * sends and delivers what the test plays as the server (sync step 2, updates, flush answers).
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { messageFlush } from '@tabla/sync-server/protocol';
import { BoardSession } from './board-session.js';
import { cachedAccess, hasPendingChanges } from './offline-store.js';

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

  /** The connection drops (or an attempt fails). */
  drop(): void {
    this.readyState = 3;
    this.onclose?.({ code: 1006, reason: '' });
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

function open(role: unknown = 'editor', municipalityId: unknown = undefined): BoardSession {
  const link = { boardId: `b${++boards}-${Date.now()}`, token: 'editor-token' };
  vi.stubGlobal('fetch', vi.fn(async () => ({ status: 200, ok: true, json: async () => ({ role, municipalityId }) })));
  const s = new BoardSession(link, base, { WebSocketPolyfill: FakeSocket as unknown as typeof WebSocket, persist: false });
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
