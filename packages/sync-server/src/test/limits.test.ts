/**
 * The server's limits, each at its edge with small values: document size, message rate,
 * connections per address, loaded boards, awareness size; slow readers [R14] and dead
 * connections [R15]; and closing a link's sessions when it is revoked (a role's general link,
 * or one municipality's coordinator link).
 */
import type { Socket } from 'node:net';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import type * as Y from 'yjs';
import { demoLaneId, demoMunicipalityId, editActivity, moveActivity, roots, type ActivityId } from '@tabla/plan-model';
import { CloseCode } from '@tabla/sync-protocol';
import { type Sender, UpdateGate } from '../gate/update-gate.js';
import {
  awarenessFrame,
  awarenessPayload,
  documentFrames,
  parseServerFrame,
  sleep,
  updateFrame,
  waitFor,
  within,
  type RawClient,
  closeOf,
} from '@tabla/test-clients';
import { captureUpdate, issueMunicipalityLink, storedDoc, type TestServer, testServer } from './harness.js';



/** Waits until the server has sent its sync step 1 (the connection joined its room), or closed. */
async function joined(c: RawClient): Promise<RawClient> {
  await waitFor(() => c.frames.length > 0 || c.closeInfo !== null, 5000, 'sync step 1');
  return c;
}

const updatesAt = (c: RawClient): number => documentFrames(c).filter((f) => f.type === 'update').length;
const awarenessAt = (c: RawClient): number => c.frames.map(parseServerFrame).filter((f) => f.type === 'awareness').length;

/** A query-awareness message: harmless, and the server answers each with one awareness frame. */
const QUERY_AWARENESS = new Uint8Array([3]);

/** The underlying TCP socket of a raw client, to stop reading from it. */
const tcp = (c: RawClient): Socket => (c.ws as unknown as { _socket: Socket })._socket;

/** A replica of a stored board whose local edits are written under `clientID`. */
async function replica(h: TestServer, clientID: number, boardId = h.boardId): Promise<Y.Doc> {
  const doc = await storedDoc(h.storage, boardId);
  doc.clientID = clientID; // before any local edit: fixed ids keep update sizes the same on every run
  onTestFinished(() => doc.destroy());
  return doc;
}

/** What the server counts as the board's stored size: snapshot + log. */
async function storedBytes(h: TestServer, boardId = h.boardId): Promise<number> {
  const state = await h.storage.loadState(boardId);
  if (!state) throw new Error(`no board ${boardId}`);
  return (state.snapshot?.length ?? 0) + state.updates.reduce((n, u) => n + u.length, 0);
}

const activityIds = (doc: Y.Doc): ActivityId[] => [...roots(doc).activities.keys()].sort() as ActivityId[];

/** An editor's title edit of the first activity, under `clientID`, whose update is exactly `bytes` long. */
async function titleEdit(h: TestServer, clientID: number, bytes: number): Promise<Uint8Array> {
  const edit = async (length: number) => {
    const doc = await replica(h, clientID);
    return captureUpdate(doc, (d) => editActivity(d, activityIds(d)[0]!, { title: 'x'.repeat(length) }));
  };
  const probe = await edit(10);
  const update = await edit(10 + bytes - probe.length);
  expect(update.length).toBe(bytes);
  return update;
}

/** Sends `update` on a fresh, joined editor connection. */
async function sendUpdate(h: TestServer, update: Uint8Array): Promise<RawClient> {
  const c = await joined(await h.raw('editor'));
  c.send(updateFrame(update));
  return c;
}

describe('maxDocumentBytes', () => {
  it('[R13] an update one byte over the limit is refused with 4413 and not stored; one exactly at the limit is stored; then nothing more fits', async () => {
    const h = await testServer();
    const base = await storedBytes(h);
    const room = 120;
    // The limit depends on the stored size, known only now; no board is loaded, so the restart changes nothing stored.
    await h.restart(undefined, { maxDocumentBytes: base + room });
    expect(await storedBytes(h)).toBe(base);
    const over = await titleEdit(h, 100_001, room + 1);
    const exact = await titleEdit(h, 100_002, room);
    const small = await titleEdit(h, 100_003, 50);
    const watcher = await joined(await h.raw('viewer'));

    const refused = await sendUpdate(h, over);
    expect(await closeOf(refused)).toEqual({ code: CloseCode.documentTooLarge, reason: 'board too large' });
    expect(await h.storage.countUpdates(h.boardId)).toBe(0);
    expect(await storedBytes(h)).toBe(base);

    const accepted = await sendUpdate(h, exact);
    await waitFor(() => updatesAt(watcher) === 1, 5000, 'the update at the limit relayed');
    expect(accepted.closeInfo).toBeNull();
    expect(await h.storage.countUpdates(h.boardId)).toBe(1);
    expect(await storedBytes(h)).toBe(base + room);

    // Full: even a small edit is refused now.
    const full = await sendUpdate(h, small);
    expect((await closeOf(full)).code).toBe(CloseCode.documentTooLarge);
    await sleep(20);
    expect(updatesAt(watcher)).toBe(1);
    // Nothing of it stored: the refusal only compacted the log (which might have made room).
    for (let i = 0; i < 100 && (await h.storage.countUpdates(h.boardId)) > 0; i++) await sleep(10);
    expect(await h.storage.countUpdates(h.boardId)).toBe(0);
    expect(accepted.closeInfo).toBeNull();
  });

  it('[R13] counts updates still being written: of two sent at once that only together pass the limit, the second is refused', async () => {
    const h = await testServer();
    const base = await storedBytes(h);
    const first = await titleEdit(h, 100_001, 60);
    const second = await titleEdit(h, 100_002, 60);
    await h.restart(undefined, { maxDocumentBytes: base + 119 });
    // Slow writes: the second update is judged while the first is still being written.
    const append = h.storage.appendUpdates.bind(h.storage);
    h.storage.appendUpdates = async (updates) => {
      await sleep(50);
      return append(updates);
    };
    const watcher = await joined(await h.raw('viewer'));
    const c = await joined(await h.raw('editor'));
    c.send(updateFrame(first));
    c.send(updateFrame(second));
    expect((await closeOf(c)).code).toBe(CloseCode.documentTooLarge);
    await waitFor(() => updatesAt(watcher) === 1, 5000, 'the first update relayed');
    await sleep(80);
    expect(updatesAt(watcher)).toBe(1);
    expect(await h.storage.countUpdates(h.boardId)).toBe(1);
    expect(await storedBytes(h)).toBe(base + 60);
  });
});

describe('message rate', () => {
  it('[R13] a burst of exactly messageBurst messages passes, the next one is closed with 4429; other connections are unaffected', async () => {
    const h = await testServer({ sync: { maxMessagesPerSecond: 1, messageBurst: 5 } });
    const c = await joined(await h.raw('viewer'));
    for (let i = 0; i < 5; i++) c.send(QUERY_AWARENESS);
    await waitFor(() => awarenessAt(c) === 5, 5000, 'five answers');
    expect(c.closeInfo).toBeNull();
    c.send(QUERY_AWARENESS);
    expect(await closeOf(c)).toEqual({ code: CloseCode.tooManyRequests, reason: 'too many messages' });
    expect(awarenessAt(c)).toBe(5);
    expect(h.sync.stats.refused).toEqual({ tooManyRequests: 1 });

    // The bucket is per connection.
    const d = await joined(await h.raw('viewer'));
    for (let i = 0; i < 5; i++) d.send(QUERY_AWARENESS);
    await waitFor(() => awarenessAt(d) === 5, 5000, 'five answers on another connection');
    expect(d.closeInfo).toBeNull();
  });

  it('[R13] a sustained rate under maxMessagesPerSecond stays open far past the burst; the same messages at once do not', async () => {
    const h = await testServer({ sync: { maxMessagesPerSecond: 50, messageBurst: 2 } });
    const paced = await joined(await h.raw('viewer'));
    // One message every >= 60 ms (under 17/s) against 50/s: each answered before the next is sent, so none bunch up.
    for (let i = 1; i <= 12; i++) {
      paced.send(QUERY_AWARENESS);
      await waitFor(() => awarenessAt(paced) === i || paced.closeInfo !== null, 5000, `answer ${i}`);
      expect(paced.closeInfo).toBeNull();
      await sleep(60);
    }
    expect(awarenessAt(paced)).toBe(12);

    const rushed = await joined(await h.raw('viewer'));
    for (let i = 0; i < 12; i++) rushed.send(QUERY_AWARENESS);
    expect((await closeOf(rushed)).code).toBe(CloseCode.tooManyRequests);
    // The burst, plus what refilled while the server read the rush (a token per 20 ms: on a busy machine, one or two).
    expect(awarenessAt(rushed)).toBeGreaterThanOrEqual(2);
    expect(awarenessAt(rushed)).toBeLessThan(6);
    expect(paced.closeInfo).toBeNull();
  });
});

describe('maxConnectionsPerIp', () => {
  it('[R13] the N-th connection from an address passes, the next is refused with 4429; once one closes, a new one passes', async () => {
    const h = await testServer({ sync: { maxConnectionsPerIp: 3 } });
    // Counted per address, across boards and roles.
    const open = [
      await joined(await h.raw('viewer')),
      await joined(await h.raw('editor')),
      await joined(await h.raw('viewer', h.other)),
    ];
    expect(open.map((c) => c.closeInfo)).toEqual([null, null, null]);

    const refused = await h.raw('viewer');
    expect(await closeOf(refused)).toEqual({ code: CloseCode.tooManyRequests, reason: 'too many connections from this address' });
    expect(refused.frames).toHaveLength(0);
    expect(h.sync.stats.connections).toBe(3);

    open[0]!.close();
    await closeOf(open[0]!);
    await waitFor(() => h.sync.stats.connections === 2, 1000, 'the server to count the close');
    // The refused connection did not take a slot either.
    const next = await joined(await h.raw('viewer'));
    expect(next.closeInfo).toBeNull();
    expect(documentFrames(next)[0]?.type).toBe('sync-step-1');
    await sleep(20);
    expect([open[1]!, open[2]!, next].map((c) => c.closeInfo)).toEqual([null, null, null]);
    // And the limit holds again.
    expect((await closeOf(await h.raw('editor'))).code).toBe(CloseCode.tooManyRequests);
  });
});

describe('maxLoadedRooms', () => {
  it('[R13] with 1: a second board is refused with 4503 while the first is loaded, and loads once the first unloaded', async () => {
    const h = await testServer({ sync: { maxLoadedRooms: 1 } });
    const a = await joined(await h.raw('viewer'));
    expect(h.sync.loadedRoomCount).toBe(1);

    const b = await h.raw('viewer', h.other);
    expect(await closeOf(b)).toEqual({ code: CloseCode.unavailable, reason: 'server busy: too many boards loaded' });
    expect(b.frames).toHaveLength(0);
    expect(h.sync.loadedRoomCount).toBe(1);
    // More connections to the loaded board are fine.
    const a2 = await joined(await h.raw('editor'));
    expect([a.closeInfo, a2.closeInfo]).toEqual([null, null]);

    a.close();
    a2.close();
    await waitFor(() => h.sync.loadedRoomCount === 0, 1000, 'the first board to unload');
    const b2 = await joined(await h.raw('viewer', h.other));
    expect(b2.closeInfo).toBeNull();
    expect(documentFrames(b2)[0]?.type).toBe('sync-step-1');
    expect(h.sync.loadedRoomCount).toBe(1);
    // Now the first board is the one that has to wait.
    expect((await closeOf(await h.raw('viewer'))).code).toBe(CloseCode.unavailable);
  });
});

describe('maxAwarenessBytes', () => {
  it('[R10][R13] a state of exactly the limit is relayed; one byte more is refused with 1009 and reaches nobody', async () => {
    const limit = 200;
    const h = await testServer({ sync: { maxAwarenessBytes: limit } });
    const sized = (clientID: number, bytes: number) => {
      // The JSON string's length prefix is two bytes from 128 characters on: stay above that.
      const probe = awarenessPayload(clientID, 1, { user: { name: 'x'.repeat(130) } });
      const payload = awarenessPayload(clientID, 1, { user: { name: 'x'.repeat(130 + bytes - probe.length) } });
      expect(payload.length).toBe(bytes);
      return payload;
    };
    const other = h.connect('viewer');
    await other.synced;

    const ok = await joined(await h.raw('editor'));
    ok.send(awarenessFrame(sized(5001, limit)));
    await waitFor(() => other.provider.awareness.getStates().has(5001), 5000, 'the state at the limit relayed');
    expect(ok.closeInfo).toBeNull();

    const big = await joined(await h.raw('editor'));
    big.send(awarenessFrame(sized(5002, limit + 1)));
    expect((await closeOf(big)).code).toBe(CloseCode.messageTooBig);
    await sleep(20);
    expect(other.provider.awareness.getStates().has(5002)).toBe(false);
    expect(ok.closeInfo).toBeNull();
  });
});

describe('slow and dead connections', () => {
  it('[R14] a client that stops reading is dropped once its unsent data passes maxBufferedBytes; sender and readers carry on', async () => {
    const maxBufferedBytes = 64 * 1024;
    const h = await testServer({ sync: { maxBufferedBytes, maxMessagesPerSecond: 10_000, messageBurst: 10_000 } });
    const reader = await joined(await h.raw('viewer'));
    const slow = await joined(await h.raw('viewer'));
    const sender = await joined(await h.raw('facilitator'));
    expect(h.sync.stats.connections).toBe(3);
    tcp(slow).pause();

    // Large legit updates: every activity gets a description of 4000 characters (~60 KB per update).
    const doc = await replica(h, 140_001);
    const ids = activityIds(doc);
    const started = Date.now();
    let rounds = 0;
    let largestFrame = 0;
    let peakBuffered = 0;
    while (h.sync.stats.connections === 3 && Date.now() - started < 5000) {
      const letter = String.fromCharCode(97 + (rounds % 26));
      const update = captureUpdate(doc, (d) => d.transact(() => ids.forEach((id) => editActivity(d, id, { description: letter.repeat(4000) }))));
      largestFrame = Math.max(largestFrame, updateFrame(update).length);
      sender.send(updateFrame(update));
      rounds++;
      await waitFor(() => updatesAt(reader) === rounds || sender.closeInfo !== null, 5000, `update ${rounds} at the reader`);
      for (const ws of h.wss.clients) peakBuffered = Math.max(peakBuffered, ws.bufferedAmount);
    }
    await waitFor(() => h.sync.stats.connections === 2, 1000, 'the slow client dropped');
    expect(largestFrame).toBeGreaterThan(50_000);
    expect(rounds).toBeGreaterThan(1); // the kernel's buffers took some before the server had to buffer
    // What the server held for the slow client stayed within the cap plus the frame that crossed it
    // (and its few header bytes); without the cap it would hold everything the kernel did not take.
    expect(peakBuffered).toBeGreaterThan(maxBufferedBytes / 2);
    expect(peakBuffered).toBeLessThanOrEqual(maxBufferedBytes + largestFrame + 16);
    expect(h.wss.clients.size).toBe(2);
    expect(sender.closeInfo).toBeNull();
    expect(reader.closeInfo).toBeNull();
    expect(await h.storage.countUpdates(h.boardId)).toBe(rounds);

    // Terminated, not closed: once the client reads again it finds the connection cut.
    tcp(slow).resume();
    expect((await closeOf(slow)).code).toBe(1006);
    // Everything still flows between the others.
    sender.send(updateFrame(captureUpdate(doc, (d) => moveActivity(d, ids[1]!, demoLaneId('D'), 0))));
    await waitFor(() => updatesAt(reader) === rounds + 1, 5000, 'a later update at the reader');
  });

  it('[R15] with pingIntervalMs 100, clients that do not answer pings are terminated within ~3 intervals; a live one stays', async () => {
    const interval = 100;
    const h = await testServer({ sync: { pingIntervalMs: interval } });
    const live = await joined(await h.raw('viewer'));
    const mute = await joined(await h.raw('viewer', h, { autoPong: false })); // reads, but never answers a ping
    const asleep = await joined(await h.raw('editor')); // reads nothing at all (a laptop lid closed)
    tcp(asleep).pause();
    const started = Date.now();
    expect(h.sync.stats.connections).toBe(3);

    expect((await within(mute.closed, 3 * interval + 200, 'the mute client terminated')).code).toBe(1006);
    await waitFor(() => h.sync.stats.connections === 1, 3 * interval + 200, 'the sleeping client terminated');
    expect(Date.now() - started).toBeLessThan(3 * interval + 200);

    // The live client answers every ping and outlasts several more intervals.
    await sleep(4 * interval);
    expect(live.closeInfo).toBeNull();
    expect(h.sync.stats.connections).toBe(1);
    live.send(QUERY_AWARENESS);
    await waitFor(() => awarenessAt(live) === 1, 1000, 'an answer on the live connection');
  });
});

describe('disconnect', () => {
  it('[R11] closes every session of that role on that board with 4401 and leaves other roles and boards connected', async () => {
    const h = await testServer();
    const editor = await joined(await h.raw('editor'));
    const stockEditor = h.connect('editor');
    const facilitator = await joined(await h.raw('facilitator'));
    const viewer = h.connect('viewer');
    const otherEditor = await joined(await h.raw('editor', h.other));
    await Promise.all([stockEditor.synced, viewer.synced]);
    expect(h.sync.stats.connections).toBe(5);

    expect(h.sync.disconnect(h.boardId, 'editor')).toBe(2);
    expect(await closeOf(editor)).toEqual({ code: CloseCode.unauthorized, reason: 'link revoked' });
    await waitFor(() => stockEditor.closes.length > 0, 5000, 'the stock editor closed');
    expect(stockEditor.closes[0]).toEqual({ code: CloseCode.unauthorized, reason: 'link revoked' });
    await waitFor(() => h.sync.stats.connections === 3, 1000, 'the server to count the closes');
    await sleep(250); // past the stock client's first reconnect delay: 44xx is final, it stays away
    expect(stockEditor.closes).toHaveLength(1);
    expect([facilitator.closeInfo, otherEditor.closeInfo, viewer.closes]).toEqual([null, null, []]);
    expect(h.sync.stats.connections).toBe(3);

    // Those left still work: the facilitator's move reaches the viewer.
    const doc = await replica(h, 150_001);
    const id = activityIds(doc).find((x) => roots(doc).activities.get(x)?.get('laneId') !== demoLaneId('D'))!;
    facilitator.send(updateFrame(captureUpdate(doc, (d) => moveActivity(d, id, demoLaneId('D'), 0))));
    await waitFor(() => roots(viewer.doc).activities.get(id)?.get('laneId') === demoLaneId('D'), 5000, 'a later move at the viewer');
    // No editor left there; the other board's editor was never one of them.
    expect(h.sync.disconnect(h.boardId, 'editor')).toBe(0);
    expect(h.sync.disconnect(h.other.boardId, 'viewer')).toBe(0);
    expect(otherEditor.closeInfo).toBeNull();
  });

  it('[R11] a municipality link’s sessions carry its municipality: disconnect closes that link’s sessions only', async () => {
    const h = await testServer();
    const MOSTAR = demoMunicipalityId('mostar');
    const TRNOVO = demoMunicipalityId('trnovoF');
    const mostarToken = await issueMunicipalityLink(h, MOSTAR);
    const trnovoToken = await issueMunicipalityLink(h, TRNOVO);
    const otherBoardMostar = await issueMunicipalityLink(h, MOSTAR, h.other);
    expect(await h.sync.authorize(h.boardId, mostarToken)).toEqual({ role: 'editor', municipalityId: MOSTAR });
    expect(await h.sync.authorize(h.boardId, h.tokens.editor)).toEqual({ role: 'editor', municipalityId: null });
    expect(await h.sync.authorize(h.other.boardId, mostarToken)).toBeNull();

    const mostar = await joined(await h.raw({ token: mostarToken }));
    const mostar2 = await joined(await h.raw({ token: mostarToken }));
    const trnovo = await joined(await h.raw({ token: trnovoToken }));
    const general = await joined(await h.raw('editor'));
    const elsewhere = await joined(await h.raw({ token: otherBoardMostar, boardId: h.other.boardId }));

    // The server hands the link's municipality to the update gate, whatever the client says.
    const inspect = vi.spyOn(UpdateGate.prototype, 'judge');
    onTestFinished(() => inspect.mockRestore());
    const doc = await replica(h, 150_002);
    const id = activityIds(doc).find((x) => roots(doc).activities.get(x)?.get('laneId') !== demoLaneId('D'))!;
    mostar.send(updateFrame(captureUpdate(doc, (d) => moveActivity(d, id, demoLaneId('D'), 0))));
    await waitFor(() => updatesAt(trnovo) > 0, 5000, 'the bound coordinator’s move relayed');
    const sender = inspect.mock.calls.at(-1)![1] satisfies Sender;
    expect({ role: sender.role, municipalityId: sender.municipalityId }).toEqual({ role: 'editor', municipalityId: MOSTAR });

    expect(h.sync.disconnect(h.boardId, 'editor', MOSTAR)).toBe(2);
    expect(await closeOf(mostar)).toEqual({ code: CloseCode.unauthorized, reason: 'link revoked' });
    expect(await closeOf(mostar2)).toEqual({ code: CloseCode.unauthorized, reason: 'link revoked' });
    // Without a municipality: the general link's sessions, not the municipalities'.
    expect(h.sync.disconnect(h.boardId, 'editor')).toBe(1);
    expect(await closeOf(general)).toEqual({ code: CloseCode.unauthorized, reason: 'link revoked' });
    expect([trnovo.closeInfo, elsewhere.closeInfo]).toEqual([null, null]);
    expect(h.sync.disconnect(h.boardId, 'editor', MOSTAR)).toBe(0);
    expect(h.sync.disconnect(h.boardId, 'editor', TRNOVO)).toBe(1);
    expect(await closeOf(trnovo)).toEqual({ code: CloseCode.unauthorized, reason: 'link revoked' });
    expect(elsewhere.closeInfo).toBeNull();
  });
});
