/**
 * Client-id ownership. Yjs trusts client ids, so the server binds each one to the device key
 * (`?key=`) of the connection that first wrote under it ('' for keyless connections), stored
 * with the update. Adding a clock range under a client id bound to another key, or under one
 * that has content but no owner (the seed's), is refused with 4403 and stores nothing.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import * as Y from 'yjs';
import { demoLaneId, editActivity, moveActivity, roots, type ActivityId, type Role } from '@tabla/plan-model';
import { CloseCode } from '@tabla/sync-protocol';
import { hashToken } from '../tokens.js';
import { documentFrames, gcUpdate, sleep, updateFrame, waitFor, type RawClient, closeOf } from '@tabla/test-clients';
import { captureUpdate, nextWriteFails, storedDoc, storedView, view, type TestServer, testServer } from './harness.js';


/** Device keys: 16-128 characters of [A-Za-z0-9_-]. */
const KEY = {
  victim: 'victim-device-key-0001',
  attacker: 'attacker-device-key-01',
  a: 'device-a-0123456789abcdef',
  b: 'device-b-0123456789abcdef',
} as const;

const FOREIGN = { code: CloseCode.forbidden, reason: 'writes under another client id' };


async function joined(c: RawClient): Promise<RawClient> {
  await waitFor(() => c.frames.length > 0 || c.closeInfo !== null, 5000, 'sync step 1');
  return c;
}

const updatesAt = (c: RawClient): number => documentFrames(c).filter((f) => f.type === 'update').length;

/** Sends `update` on a fresh, joined connection of `role`, with device key `key` (none if undefined). */
async function send(h: TestServer, update: Uint8Array, key: string | undefined, role: Role = 'editor'): Promise<RawClient> {
  const c = await joined(await h.raw(role, h, key === undefined ? {} : { key }));
  c.send(updateFrame(update));
  return c;
}

/** A replica of the main board as stored now. */
async function stored(h: TestServer): Promise<Y.Doc> {
  const doc = await storedDoc(h.storage, h.boardId);
  onTestFinished(() => doc.destroy());
  return doc;
}

/** A replica of the stored main board whose local edits are written under `clientID`. */
async function replica(h: TestServer, clientID: number): Promise<Y.Doc> {
  const doc = await stored(h);
  doc.clientID = clientID; // before any local edit
  return doc;
}

/** Client id -> owner key hash, as stored. */
async function owners(h: TestServer): Promise<ReadonlyMap<number, string>> {
  const state = await h.storage.loadState(h.boardId);
  if (!state) throw new Error('no board');
  return state.clientOwners;
}

const LANE_D = demoLaneId('D');
const laneOf = (doc: Y.Doc, id: ActivityId): unknown => roots(doc).activities.get(id)?.get('laneId');
/** Activities not in lane D, so moving one there is a change. */
const movable = (doc: Y.Doc): ActivityId[] => ([...roots(doc).activities.keys()] as ActivityId[]).filter((id) => laneOf(doc, id) !== LANE_D).sort();
const moveToD = (id: ActivityId) => (d: Y.Doc) => moveActivity(d, id, LANE_D, 0);

describe('device keys', () => {
  it('a malformed key is refused with HTTP 400 before the upgrade; keys of 16 and of 128 allowed characters are accepted', async () => {
    const h = await testServer();
    const bad = ['', 'fifteen-chars15', 'x'.repeat(129), 'dots.are.not.allowed', 'no spaces in a key!', 'ključ-ključ-ključ-1', 'a+b/c=d0123456789'];
    const statuses = await Promise.all(bad.map(async (key) => (await h.raw('editor', h, { key })).httpStatus));
    expect(statuses).toEqual(bad.map(() => 400));
    expect(h.sync.loadedRoomCount).toBe(0);
    for (const key of ['a'.repeat(16), 'Az09_-'.repeat(21) + 'xy']) {
      const c = await joined(await h.raw('editor', h, { key }));
      expect(c.httpStatus).toBeNull();
      expect(c.closeInfo).toBeNull();
      expect(documentFrames(c)[0]?.type).toBe('sync-step-1');
    }
  });
});

describe('client-id ownership', () => {
  it('an editor that claims another device’s next clock range (its real offline update, or a GC-only range) is refused 4403; the owner’s edits still arrive', async () => {
    const h = await testServer();
    const watcher = await joined(await h.raw('viewer'));
    const other = h.connect('viewer');
    const victim = h.connect('editor', h, { key: KEY.victim });
    await Promise.all([victim.synced, other.synced]);
    const [first, second] = movable(victim.doc);

    // The victim's first write binds its client id to its key.
    moveToD(first!)(victim.doc);
    await waitFor(() => updatesAt(watcher) === 1, 5000, 'the victim’s first move');
    const victimId = victim.doc.clientID;
    expect((await owners(h)).get(victimId)).toBe(hashToken(KEY.victim));

    // Offline, it makes a second move: the attacker gets hold of exactly those bytes.
    victim.provider.disconnect();
    await waitFor(() => h.sync.stats.connections === 2, 1000, 'the victim gone');
    const nextClock = Y.getState(victim.doc.store, victimId);
    const offline = captureUpdate(victim.doc, moveToD(second!));
    expect(Y.parseUpdateMeta(offline).from.get(victimId)).toBe(nextClock);

    expect(await closeOf(await send(h, offline, KEY.attacker))).toEqual(FOREIGN);
    // Without any content: ten GC'd clocks where the victim writes next. Accepted, they would
    // make the server drop the victim's real edit at those clocks as already known.
    expect(await closeOf(await send(h, gcUpdate(victimId, nextClock, 10), KEY.attacker))).toEqual(FOREIGN);
    expect(await closeOf(await send(h, gcUpdate(victimId, nextClock, 10), undefined))).toEqual(FOREIGN);
    expect(await closeOf(await send(h, gcUpdate(victimId, nextClock, 10), KEY.attacker, 'facilitator'))).toEqual(FOREIGN);
    // A range past a gap is a claim too.
    expect(await closeOf(await send(h, gcUpdate(victimId, nextClock + 5, 1), KEY.attacker))).toEqual(FOREIGN);
    await sleep(20);
    expect(updatesAt(watcher)).toBe(1);
    expect(await h.storage.countUpdates(h.boardId)).toBe(1);
    expect(laneOf(other.doc, second!)).not.toBe(LANE_D);

    // The victim reconnects with its key: its offline move is stored and relayed.
    victim.provider.connect();
    await waitFor(() => laneOf(other.doc, second!) === LANE_D, 3000, 'the victim’s offline move relayed');
    expect(await h.storage.countUpdates(h.boardId)).toBe(2);
    expect((await storedView(h.storage, h.boardId)).activityById.get(second!)?.laneId).toBe(LANE_D);
    expect(view(other.doc)).toEqual(view(victim.doc));
    expect(victim.closes).toEqual([]);
  });

  it('a keyed device extends its own client id across reconnects; another key, no key or another role’s link with another key cannot', async () => {
    const h = await testServer();
    const watcher = await joined(await h.raw('viewer'));
    const doc = await replica(h, 424_242);
    const [a, b] = movable(doc);

    const firstWrite = captureUpdate(doc, moveToD(a!));
    const c1 = await send(h, firstWrite, KEY.a);
    await waitFor(() => updatesAt(watcher) === 1, 5000, 'the first write relayed');
    expect(c1.closeInfo).toBeNull();
    expect((await owners(h)).get(424_242)).toBe(hashToken(KEY.a));
    c1.close();

    const next = captureUpdate(doc, moveToD(b!));
    expect(await closeOf(await send(h, next, KEY.b))).toEqual(FOREIGN);
    expect(await closeOf(await send(h, next, undefined))).toEqual(FOREIGN);
    expect(await closeOf(await send(h, next, KEY.b, 'facilitator'))).toEqual(FOREIGN);
    expect(await h.storage.countUpdates(h.boardId)).toBe(1);

    // Ranges the server already has are no write at all: a replay by anyone is a no-op, not a refusal.
    const replay = await send(h, firstWrite, KEY.b);
    await sleep(30);
    expect(replay.closeInfo).toBeNull();
    expect(await h.storage.countUpdates(h.boardId)).toBe(1);

    // Reconnecting with its own key (any role that may write the change), it goes on.
    const c2 = await send(h, next, KEY.a);
    await waitFor(() => updatesAt(watcher) === 2, 5000, 'the second write relayed');
    expect(c2.closeInfo).toBeNull();
    expect(await h.storage.countUpdates(h.boardId)).toBe(2);
    expect((await owners(h)).get(424_242)).toBe(hashToken(KEY.a));
    expect(updatesAt(watcher)).toBe(2);
  });

  it('keyless stock clients each write under their own new client id, again and again (bound to the empty key)', async () => {
    const h = await testServer();
    const a = h.connect('editor');
    const b = h.connect('editor');
    await Promise.all([a.synced, b.synced]);
    const [x, y, z, w] = movable(a.doc);
    const titleOf = (doc: Y.Doc, id: ActivityId): unknown => roots(doc).activities.get(id)?.get('title');

    moveToD(x!)(a.doc);
    moveToD(y!)(b.doc);
    await waitFor(() => laneOf(b.doc, x!) === LANE_D && laneOf(a.doc, y!) === LANE_D, 5000, 'the first writes relayed');
    // The second write of each extends the client id its first one bound to ''.
    editActivity(a.doc, z!, { title: 'Od A' });
    editActivity(b.doc, w!, { title: 'Od B' });
    await waitFor(() => titleOf(b.doc, z!) === 'Od A' && titleOf(a.doc, w!) === 'Od B', 5000, 'the second writes relayed');

    expect([a.closes, b.closes]).toEqual([[], []]);
    expect(await h.storage.countUpdates(h.boardId)).toBe(4);
    const o = await owners(h);
    expect([o.get(a.doc.clientID), o.get(b.doc.clientID)]).toEqual(['', '']);
    expect(await storedView(h.storage, h.boardId)).toEqual(view(a.doc));
    expect(view(b.doc)).toEqual(view(a.doc));
    // Bound to no key is still bound: a keyed device cannot take over a keyless client's id.
    const claim = gcUpdate(a.doc.clientID, Y.getState(a.doc.store, a.doc.clientID), 1);
    expect(await closeOf(await send(h, claim, KEY.a))).toEqual(FOREIGN);
    expect(await h.storage.countUpdates(h.boardId)).toBe(4);
  });

  it('ownership survives a server restart: another key is still refused, the owner still goes on', async () => {
    const h = await testServer();
    const doc = await replica(h, 515_151);
    const [x, y] = movable(doc);
    const c = await send(h, captureUpdate(doc, moveToD(x!)), KEY.a);
    await waitFor(() => h.sync.stats.updatesStored === 1, 5000, 'the first write stored');
    expect(c.closeInfo).toBeNull();

    await h.restart(); // compacts the board into a snapshot on the way down
    expect(await h.storage.countUpdates(h.boardId)).toBe(0);
    expect((await owners(h)).get(515_151)).toBe(hashToken(KEY.a));

    const next = captureUpdate(doc, moveToD(y!));
    expect(await closeOf(await send(h, next, KEY.b))).toEqual(FOREIGN);
    expect(await closeOf(await send(h, next, undefined))).toEqual(FOREIGN);
    expect(h.sync.stats.updatesStored).toBe(0);
    const ok = await send(h, next, KEY.a);
    await waitFor(() => h.sync.stats.updatesStored === 1, 5000, 'the owner’s write after the restart stored');
    expect(ok.closeInfo).toBeNull();
    expect((await storedView(h.storage, h.boardId)).activityById.get(y!)?.laneId).toBe(LANE_D);
  });

  it('the seed’s client id (content, no owner) cannot be extended by anyone, whatever the role or key', async () => {
    const h = await testServer();
    const sv = [...Y.decodeStateVector(Y.encodeStateVector(await stored(h)))];
    expect(sv).toHaveLength(1); // the board was seeded by one client
    const [[seedId, seedClock]] = sv as [[number, number]];
    expect((await owners(h)).size).toBe(0);

    const watcher = await joined(await h.raw('viewer'));
    const forged = await replica(h, seedId);
    const [x] = movable(forged);
    const update = captureUpdate(forged, moveToD(x!));
    expect(Y.parseUpdateMeta(update).from.get(seedId)).toBe(seedClock);
    const attempts: [string | undefined, Role][] = [
      [KEY.a, 'facilitator'],
      [undefined, 'facilitator'],
      [KEY.b, 'editor'],
    ];
    for (const [key, role] of attempts) expect(await closeOf(await send(h, update, key, role))).toEqual(FOREIGN);
    expect(await closeOf(await send(h, gcUpdate(seedId, seedClock, 1), KEY.a, 'facilitator'))).toEqual(FOREIGN);
    await sleep(20);
    expect(updatesAt(watcher)).toBe(0);
    expect(await h.storage.countUpdates(h.boardId)).toBe(0);
    expect((await owners(h)).size).toBe(0);

    // The same move under the device's own new client id is fine: the refusal was about the id.
    const own = await replica(h, 616_161);
    const ok = await send(h, captureUpdate(own, moveToD(x!)), KEY.a, 'facilitator');
    await waitFor(() => updatesAt(watcher) === 1, 5000, 'the move under a new id relayed');
    expect(ok.closeInfo).toBeNull();
    expect([...(await owners(h))]).toEqual([[616_161, hashToken(KEY.a)]]);
  });

  it('[R4][R9][R12] a refused update binds nothing (role, schema, another id in the same update, failed write): the id stays free for the next writer', async () => {
    const fault = nextWriteFails();
    const h = await testServer({ faultInjection: fault.faultInjection });
    const watcher = await joined(await h.raw('viewer'));
    const [x, y, z, w] = movable(await stored(h));
    const ownerOf = async (clientId: number) => (await owners(h)).get(clientId);
    const accepted = async (update: Uint8Array, key: string, relayed: number) => {
      const c = await send(h, update, key);
      await waitFor(() => updatesAt(watcher) === relayed, 5000, `update ${relayed} relayed`);
      expect(c.closeInfo).toBeNull();
    };

    // Refused for the role: a viewer's first write under a new id.
    const byViewer = captureUpdate(await replica(h, 700_001), moveToD(x!));
    expect(await closeOf(await send(h, byViewer, KEY.a, 'viewer'))).toEqual({ code: CloseCode.forbidden, reason: 'viewers cannot write' });
    expect(await ownerOf(700_001)).toBeUndefined();
    await accepted(byViewer, KEY.b, 1);
    expect(await ownerOf(700_001)).toBe(hashToken(KEY.b));

    // Refused for the schema.
    const broken = captureUpdate(await replica(h, 700_002), (d) => (roots(d).activities.get(y!) as Y.Map<unknown>).set('title', 7));
    expect((await closeOf(await send(h, broken, KEY.a, 'facilitator'))).code).toBe(CloseCode.invalidUpdate);
    await accepted(captureUpdate(await replica(h, 700_002), (d) => editActivity(d, y!, { title: 'Ispravno' })), KEY.b, 2);
    expect(await ownerOf(700_002)).toBe(hashToken(KEY.b));

    // Refused for another client's range in the same update; the new id in it is judged first.
    const fresh = captureUpdate(await replica(h, 700_004), moveToD(z!));
    const ownedNext = Y.decodeStateVector(Y.encodeStateVector(await stored(h))).get(700_001)!;
    const mixed = Y.mergeUpdates([fresh, gcUpdate(700_001, ownedNext, 1)]);
    expect([...Y.parseUpdateMeta(mixed).to.keys()]).toEqual([700_004, 700_001]);
    expect(await closeOf(await send(h, mixed, KEY.a))).toEqual(FOREIGN);
    expect(await ownerOf(700_004)).toBeUndefined();
    await accepted(fresh, KEY.b, 3);
    expect(await ownerOf(700_004)).toBe(hashToken(KEY.b));

    // Accepted but not stored: the binding goes with the update.
    fault.armed = true;
    const lost = captureUpdate(await replica(h, 700_003), moveToD(w!));
    expect((await closeOf(await send(h, lost, KEY.a))).code).toBe(CloseCode.storageFailed);
    expect(await ownerOf(700_003)).toBeUndefined();
    await accepted(lost, KEY.b, 4);
    expect(await ownerOf(700_003)).toBe(hashToken(KEY.b));
    expect(await h.storage.countUpdates(h.boardId)).toBe(4);
  });
});
