/**
 * Valid-looking input whose price is far above its size (RELIABILITY R16-R19), over real sockets:
 * refused before it touches a replica, nothing stored, the board usable, other boards unaffected.
 * The gate's own accounting is tested in memory (gate/update-gate.test.ts); here, the whole path.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { type ActivityId, demoLaneId, editActivity, moveActivity, roots } from '@tabla/plan-model';
import { CloseCode } from '@tabla/sync-protocol';
import {
  awarenessFrame,
  awarenessPayload,
  closeOf,
  deleteRanges,
  documentFrames,
  everyOtherDeleted,
  longStringEntry,
  manyClients,
  manyKeysEntry,
  parseServerFrame,
  type RawClient,
  sleep,
  syncStep1Frame,
  updateFrame,
  waitFor,
} from '@tabla/test-clients';
import { type SocketLike, TOO_MUCH_WORK } from '../connection.js';
import { UpdateGate } from '../gate/update-gate.js';
import { defaultLimits } from '../sync-server.js';
import { captureUpdate, storedDoc, storedView, testServer, type TestServer } from './harness.js';

const KEY = { a: 'device-aaaa-0123456789', b: 'device-bbbb-0123456789' } as const;

/** The item holding an activity's map, as stored: where crafted entries go. */
async function firstActivity(h: TestServer): Promise<{ id: ActivityId; item: { client: number; clock: number } }> {
  const doc = await storedDoc(h.storage, h.boardId);
  const [id, entry] = [...roots(doc).activities.entries()][0]!;
  return { id: id as ActivityId, item: (entry as Y.Map<unknown>)._item!.id };
}

async function joined(c: RawClient): Promise<RawClient> {
  await waitFor(() => c.frames.length > 0 || c.closeInfo !== null, 5000, 'sync step 1');
  return c;
}

const updatesAt = (c: RawClient) => documentFrames(c).filter((f) => f.type === 'update').length;

/** A move on the other board, relayed to a watcher there: trouble on one board must not reach another. */
async function otherBoardRelays(h: TestServer): Promise<void> {
  const writer = h.connect('editor', h.other);
  const reader = h.connect('viewer', h.other);
  await Promise.all([writer.synced, reader.synced]);
  const id = [...roots(writer.doc).activities.keys()][0]! as ActivityId;
  moveActivity(writer.doc, id, demoLaneId('D'), 0);
  await waitFor(() => roots(reader.doc).activities.get(id)?.get('laneId') === demoLaneId('D'), 5000, 'relay on the other board');
}

/** A socket-like the test drives: what the core sent, frames handed to it, and how much it reports unsent. */
function fakeSocket(): { socket: SocketLike; sent: Uint8Array[]; receive: (frame: Uint8Array) => void; behind: (bytes: number) => void } {
  const sent: Uint8Array[] = [];
  let buffered = 0;
  const handlers: Record<string, ((...args: never[]) => void)[]> = {};
  const socket: SocketLike = {
    readyState: 1,
    get bufferedAmount() {
      return buffered;
    },
    send: (data) => void sent.push(data),
    close: () => {},
    terminate: () => {},
    ping: () => {},
    on: (event: string, listener: (...args: never[]) => void) => ((handlers[event] ??= []).push(listener), undefined),
  };
  const receive = (frame: Uint8Array) => handlers.message?.forEach((l) => (l as (data: unknown, isBinary: boolean) => void)(Buffer.from(frame), true));
  return { socket, sent, receive, behind: (bytes) => (buffered = bytes) };
}

describe('cost of valid-looking input', () => {
  it('[R16] a long string item, then a delete set splitting it: refused at the first, nothing stored or relayed', async () => {
    const h = await testServer();
    const watcher = await joined(await h.raw('viewer'));
    const { item } = await firstActivity(h);
    const long = await joined(await h.raw('editor'));
    long.send(updateFrame(longStringEntry(4242, 0, item, 'x', 60_000)));
    expect(await closeOf(long)).toMatchObject({ code: CloseCode.invalidUpdate, reason: 'content the schema never uses (kind 4)' });
    const splits = await joined(await h.raw('editor'));
    splits.send(updateFrame(everyOtherDeleted(4242, 0, 60_000)));
    expect((await closeOf(splits)).code).toBe(CloseCode.invalidUpdate); // deletes what the server does not have
    expect(await h.storage.countUpdates(h.boardId)).toBe(0);
    await sleep(20);
    expect(updatesAt(watcher)).toBe(0);
    await otherBoardRelays(h);
  });

  it('[R16][R17] new client ids are bounded per update and per board: the state vector every device sends stays small', async () => {
    const h = await testServer({ sync: { maxClientsPerBoard: 20 } });
    const flood = await joined(await h.raw('editor'));
    flood.send(updateFrame(manyClients(10_000, 5_000)));
    expect(await closeOf(flood)).toMatchObject({ code: CloseCode.invalidUpdate });
    // Eight at a time are taken, until the board's bound.
    for (let i = 0; i < 2; i++) {
      const c = await joined(await h.raw('editor'));
      c.send(updateFrame(manyClients(20_000 + i * 8, 8)));
      c.send(syncStep1Frame(new Uint8Array([0])));
      await waitFor(() => documentFrames(c).length > 1, 5000, 'answer after the update');
      expect(c.closeInfo).toBeNull();
    }
    const over = await joined(await h.raw('editor'));
    over.send(updateFrame(manyClients(30_000, 8)));
    expect(await closeOf(over)).toMatchObject({ code: CloseCode.documentTooLarge, reason: 'board has too many client ids' });
    // Every device can still sync, and its state vector is a few hundred bytes.
    const fresh = h.connect('viewer');
    await fresh.synced;
    expect(Y.encodeStateVector(fresh.doc).length).toBeLessThan(400);
  });

  it('[R17] a board at its size limit still takes deletions from a coordinator and repairs from the facilitator; every device reconnects', async () => {
    const h = await testServer();
    const { item } = await firstActivity(h);
    const stored = (await h.storage.loadState(h.boardId))!;
    const size = (stored.snapshot?.length ?? 0) + stored.updates.reduce((n, u) => n + u.length, 0);
    const first = manyKeysEntry(5151, 0, item, 12, 'a');
    await h.restart(undefined, { maxDocumentBytes: size + first.length + 10 });
    const filler = await joined(await h.raw('editor', h, { key: KEY.a }));
    filler.send(updateFrame(first));
    filler.send(syncStep1Frame(new Uint8Array([0])));
    await waitFor(() => documentFrames(filler).length > 1, 5000, 'first keys taken');
    filler.send(updateFrame(manyKeysEntry(5151, 12, item, 4, 'b')));
    expect(await closeOf(filler)).toMatchObject({ code: CloseCode.documentTooLarge });
    // The refusal compacts the log (its garbage collected snapshot may make room again).
    for (let i = 0; i < 100 && (await h.storage.countUpdates(h.boardId)) > 0; i++) await sleep(10);
    expect(await h.storage.countUpdates(h.boardId)).toBe(0);
    // A coordinator deletes the junk it can reach (a pure delete set), at the limit.
    const cleaner = await joined(await h.raw('editor', h, { key: KEY.a }));
    cleaner.send(updateFrame(deleteRanges(5151, [[0, 12]])));
    await sleep(50);
    expect(cleaner.closeInfo).toBeNull();
    // The facilitator removes an activity: a repair that makes the board smaller.
    const facilitator = h.connect('facilitator');
    await facilitator.synced;
    const victim = [...roots(facilitator.doc).activities.keys()][1]!;
    roots(facilitator.doc).activities.delete(victim);
    const fresh = h.connect('viewer');
    await fresh.synced;
    await waitFor(() => !roots(fresh.doc).activities.has(victim), 5000, 'the repair relayed');
  });

  it('[R18] asking for the whole board again and again is charged as O(board) work each time: refused past the work budget', async () => {
    const h = await testServer({ sync: { workBurst: 1024 * 1024, maxWorkPerSecond: 1_000 } });
    const asker = await joined(await h.raw('viewer'));
    const staleVector = new Uint8Array([1, 99, 0]); // {99: 0}: not a cold client, never answered from the cache
    let answers = 0;
    for (let i = 0; i < 200 && asker.closeInfo === null; i++) {
      asker.send(syncStep1Frame(staleVector));
      await sleep(1);
      answers = documentFrames(asker).filter((f) => f.type === 'sync-step-2').length;
    }
    expect(await closeOf(asker)).toMatchObject({ code: CloseCode.tooManyRequests });
    expect(answers).toBeLessThanOrEqual(5); // 1 MiB of burst at 256 KiB each, the last one overdrawn
    await otherBoardRelays(h);
  });

  it('[R18] an update from a connection that has spent its work budget is refused before it is judged: its replay from another connection is stored', async () => {
    const h = await testServer();
    const stored = await storedDoc(h.storage, h.boardId);
    const device = new Y.Doc();
    device.clientID = 4_401;
    Y.applyUpdate(device, Y.encodeStateAsUpdate(stored));
    const [first, second] = [...roots(device).activities.keys()] as ActivityId[];
    const moveFirst = captureUpdate(device, (d) => moveActivity(d, first!, demoLaneId('D'), 0));
    const moveSecond = captureUpdate(device, (d) => moveActivity(d, second!, demoLaneId('D'), 0)); // builds on the first
    // What judging the first move costs the server (the same gate, its shadow built when the editor joined):
    // the budget leaves 10 units after it, so the second move's frame is read (it overdraws) but not judged.
    const probe = new UpdateGate({ doc: stored, clientOwners: new Map(), storedBytes: Y.encodeStateAsUpdate(stored).length, limits: defaultLimits });
    probe.prepare();
    const firstWork = probe.judge(moveFirst, { role: 'editor', municipalityId: null, keyHash: '' }).work;
    await h.restart(undefined, { workBurst: updateFrame(moveFirst).length + firstWork + 10, maxWorkPerSecond: 1 });

    const spender = await joined(await h.raw('editor'));
    spender.send(updateFrame(moveFirst));
    spender.send(updateFrame(moveSecond));
    expect(await closeOf(spender)).toEqual({ code: CloseCode.tooManyRequests, reason: TOO_MUCH_WORK });
    // Nothing of the second move stayed in the server's accepted state: sent again, it is judged anew, and stored.
    const replayer = await joined(await h.raw('editor'));
    replayer.send(updateFrame(moveSecond));
    await waitFor(() => h.sync.stats.updatesStored === 2, 5000, 'both moves stored');
    expect((await storedView(h.storage, h.boardId)).activityById.get(second!)?.laneId).toBe(demoLaneId('D'));
    expect(replayer.closeInfo).toBeNull();
  });

  it('[R18] a burst of sync step 1 in one read is answered one per turn of the event loop, in order, the frames after it too', async () => {
    const h = await testServer();
    // Frames the test hands over all at once, as ws does with one read of many frames.
    const { socket, sent, receive } = fakeSocket();
    h.sync.handleConnection(socket, h.boardId, { role: 'viewer', municipalityId: null }, { ip: '10.0.0.8' });
    await waitFor(() => sent.length > 0, 5000, 'joined');
    const answers = () => sent.map(parseServerFrame).filter((f) => f.type === 'sync-step-2').length;
    const echoes = () => sent.map(parseServerFrame).filter((f) => f.type === 'awareness' && f.states.has(7300)).length;
    const staleVector = new Uint8Array([1, 99, 0]);
    for (let i = 0; i < 5; i++) receive(syncStep1Frame(staleVector));
    receive(awarenessFrame(awarenessPayload(7300, 1, { user: { name: 'after' } })));
    expect(answers()).toBe(1);
    for (let turn = 2; turn <= 5; turn++) {
      await new Promise((r) => setImmediate(r));
      expect(answers()).toBe(turn);
    }
    expect(echoes()).toBe(0); // the frame after them waits its turn, then is read
    await waitFor(() => echoes() === 1, 2000, 'the presence frame after them');
    expect(answers()).toBe(5);
  });

  it('[R18] repeated refusals back off: a device key refused past its free refusals waits before it may connect again', async () => {
    const h = await testServer({ sync: { freeRefusals: 2 } });
    const forged = await storedDoc(h.storage, h.boardId);
    const title = captureUpdate(forged, (d) => roots(d).meta.set('title', 'not yours'));
    for (let i = 0; i < 3; i++) {
      const c = await joined(await h.raw('editor', h, { key: KEY.a }));
      c.send(updateFrame(title));
      expect((await closeOf(c)).code).toBe(CloseCode.forbidden);
    }
    const waiting = await h.raw('editor', h, { key: KEY.a });
    expect(await closeOf(waiting)).toMatchObject({ code: CloseCode.tooManyRequests, reason: expect.stringMatching(/^refused too often: retry in \d+ s$/) });
    // Another device on the same address is not held back (the address allows more).
    const other = await joined(await h.raw('editor', h, { key: KEY.b }));
    expect(other.closeInfo).toBeNull();
  });

  it('[R19] presence: a state over 2 KiB is refused, a flood of changes is refused past its rate', async () => {
    const h = await testServer();
    const big = await joined(await h.raw('viewer'));
    big.send(awarenessFrame(awarenessPayload(9001, 1, { user: { name: 'x'.repeat(3_000) } })));
    expect(await closeOf(big)).toMatchObject({ code: CloseCode.presenceRefused, reason: 'presence state too large' });
    const ok = await joined(await h.raw('viewer'));
    ok.send(awarenessFrame(awarenessPayload(9002, 1, { user: { name: 'x'.repeat(1_900) } })));
    await sleep(150);
    expect(ok.closeInfo).toBeNull();
    const chatty = await joined(await h.raw('viewer'));
    for (let clock = 1; clock <= 100; clock++) chatty.send(awarenessFrame(awarenessPayload(9003, clock, { user: { name: `n${clock}` } })));
    expect(await closeOf(chatty)).toMatchObject({ code: CloseCode.tooManyRequests, reason: 'presence changes too often' });
  });

  it('[R19] presence broadcasts are coalesced per board: many changes within an interval reach a listener as one frame', async () => {
    const h = await testServer({ sync: { presenceIntervalMs: 200 } });
    const listener = await joined(await h.raw('viewer'));
    const talkers = await Promise.all([1, 2, 3, 4, 5].map(async () => joined(await h.raw('viewer'))));
    const before = listener.frames.length;
    talkers.forEach((t, i) => t.send(awarenessFrame(awarenessPayload(8000 + i, 1, { user: { name: `t${i}` } }))));
    await waitFor(() => listener.frames.slice(before).some((f) => parseServerFrame(f).type === 'awareness'), 5000, 'a broadcast');
    await sleep(50);
    const frames = listener.frames.slice(before).map(parseServerFrame).filter((f) => f.type === 'awareness');
    expect(frames).toHaveLength(1);
    expect(frames[0]!.type === 'awareness' && [...frames[0]!.states.keys()].sort()).toEqual([8000, 8001, 8002, 8003, 8004]);
  });

  it('[R19] a client that is behind misses presence (it is not dropped) and gets the whole picture once it catches up', async () => {
    const h = await testServer({ sync: { presenceIntervalMs: 0, presenceSkipBytes: 1_000 } });
    // A socket-like that reports a full buffer on demand: the core needs nothing more.
    const { socket: slow, sent, behind } = fakeSocket();
    h.sync.handleConnection(slow, h.boardId, { role: 'viewer', municipalityId: null }, { ip: '10.0.0.9' });
    await waitFor(() => sent.length > 0, 5000, 'joined');
    behind(50_000);
    const talker = await joined(await h.raw('viewer'));
    const presenceFrames = () => sent.map(parseServerFrame).filter((f) => f.type === 'awareness');
    talker.send(awarenessFrame(awarenessPayload(7100, 1, { user: { name: 'a' } })));
    talker.send(awarenessFrame(awarenessPayload(7100, 2, { user: { name: 'b' } })));
    await sleep(100);
    expect(presenceFrames()).toHaveLength(0);
    behind(0);
    const other = await joined(await h.raw('viewer'));
    other.send(awarenessFrame(awarenessPayload(7200, 1, { user: { name: 'c' } })));
    await waitFor(() => presenceFrames().length > 0, 5000, 'presence after catching up');
    const [whole] = presenceFrames();
    expect(whole!.type === 'awareness' && whole!.states.get(7100)?.clock).toBe(2);
    expect(whole!.type === 'awareness' && whole!.states.has(7200)).toBe(true);
  });

  it('[R19] a presence id stays its device’s through a flood of short-lived connections and a restart', async () => {
    const h = await testServer();
    const victim = await joined(await h.raw('editor', h, { key: KEY.a }));
    victim.send(awarenessFrame(awarenessPayload(7007, 1, { user: { name: 'Mostar', role: 'editor' } })));
    await sleep(150);
    victim.terminate();
    // More short-lived devices than any in-memory bound of "ids that left" used to keep.
    for (let i = 0; i < 1_100; i += 50) {
      await Promise.all(
        Array.from({ length: 50 }, async (_, j) => {
          const c = await joined(await h.raw('viewer', h, { key: `flood-${String(i + j).padStart(6, '0')}-0123456789` }));
          c.send(awarenessFrame(awarenessPayload(100_000 + i + j, 1, { user: { name: 'f' } })));
          await sleep(5);
          c.terminate();
        }),
      );
    }
    const forged = await storedDoc(h.storage, h.boardId);
    forged.clientID = 7007;
    const id = [...roots(forged).activities.keys()][0]! as ActivityId;
    const attempt = async () => {
      const attacker = await joined(await h.raw('editor', h, { key: KEY.b }));
      attacker.send(updateFrame(captureUpdate(forged, (d) => editActivity(d, id, { notes: `tuđe ime ${Math.random()}` }))));
      return closeOf(attacker);
    };
    expect(await attempt()).toMatchObject({ code: CloseCode.forbidden, reason: 'writes under another client id' });
    await h.restart();
    expect(await attempt()).toMatchObject({ code: CloseCode.forbidden, reason: 'writes under another client id' });
  }, 60_000);
});
