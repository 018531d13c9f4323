/**
 * The update gate alone, in memory (no socket, no storage): every class of costly update from
 * RELIABILITY R16-R18 is refused before it touches a replica, with its work counted, not timed.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { type ActivityId, demoLaneId, moveActivity, readBoard, roots, seedDemoBoard, setBoardTitle, setLaneLocked } from '@tabla/plan-model';
import { CloseCode } from '@tabla/sync-protocol';
import {
  deleteRanges,
  deletedRun,
  everyOtherDeleted,
  longStringEntry,
  manyClients,
  manyKeysEntry,
  manyValuesEntry,
  repeatedDelete,
} from '@tabla/test-clients';
import { defaultLimits } from '../sync-server.js';
import { type GateLimits, type Sender, UpdateGate } from './update-gate.js';
import { readUpdateShape } from './update-shape.js';

const coordinator: Sender = { role: 'editor', municipalityId: null, keyHash: 'k-coordinator' };
const facilitator: Sender = { role: 'facilitator', municipalityId: null, keyHash: 'k-facilitator' };
const viewer: Sender = { role: 'viewer', municipalityId: null, keyHash: 'k-viewer' };

function demo(): Y.Doc {
  const doc = new Y.Doc();
  seedDemoBoard(doc);
  return doc;
}

function gateFor(doc: Y.Doc, limits: Partial<GateLimits> = {}): UpdateGate {
  return new UpdateGate({ doc, clientOwners: new Map(), storedBytes: Y.encodeStateAsUpdate(doc).length, limits: { ...defaultLimits, ...limits } });
}

/** The item holding the first activity's map: where crafted entries go. */
function firstActivity(doc: Y.Doc): { id: string; item: { client: number; clock: number } } {
  const [id, entry] = [...roots(doc).activities.entries()][0]!;
  return { id, item: (entry as Y.Map<unknown>)._item!.id };
}

/** An update made by a fresh replica of `doc` with its own client id. */
function changeOf(doc: Y.Doc, change: (replica: Y.Doc) => void, clientID = 9_001): Uint8Array {
  const replica = new Y.Doc();
  replica.clientID = clientID;
  Y.applyUpdate(replica, Y.encodeStateAsUpdate(doc));
  const before = Y.encodeStateVector(replica);
  change(replica);
  return Y.encodeStateAsUpdate(replica, before);
}

/** A coordinator's client on `doc` (with its own client id) moving the first activity: each call, one update. */
function mover(doc: Y.Doc, clientID: number): (lane: 'A' | 'B' | 'C' | 'D') => Uint8Array {
  const writer = new Y.Doc();
  writer.clientID = clientID;
  Y.applyUpdate(writer, Y.encodeStateAsUpdate(doc));
  const id = firstActivity(doc).id as never;
  return (lane) => {
    const before = Y.encodeStateVector(writer);
    moveActivity(writer, id, demoLaneId(lane), 0);
    return Y.encodeStateAsUpdate(writer, before);
  };
}

describe('update gate', () => {
  it('[R16] accepts an honest move and ignores its replay without applying it again', () => {
    const doc = demo();
    const gate = gateFor(doc);
    const id = firstActivity(doc).id;
    const move = changeOf(doc, (d) => moveActivity(d, id as never, demoLaneId('D'), 0));
    const first = gate.judge(move, coordinator);
    expect(first).toMatchObject({ ok: true, noop: false });
    expect(gate.judge(move, coordinator)).toMatchObject({ ok: true, noop: true });
    expect(gate.rebuilds).toBe(1); // the first shadow, built lazily
  });

  it('prepare builds the first shadow ahead of the first update, once: the update then costs no build', () => {
    const doc = demo();
    const gate = gateFor(doc);
    gate.prepare();
    expect(gate.rebuilds).toBe(1);
    gate.prepare();
    expect(gate.rebuilds).toBe(1);
    const id = firstActivity(doc).id;
    const move = changeOf(doc, (d) => moveActivity(d, id as never, demoLaneId('D'), 0));
    const verdict = gate.judge(move, coordinator);
    expect(verdict).toMatchObject({ ok: true, noop: false });
    // Not charged for a rebuild (the board's stored size), which a gate without prepare charges.
    const unprepared = gateFor(doc).judge(move, coordinator);
    expect(unprepared.work - verdict.work).toBe(Y.encodeStateAsUpdate(doc).length);
    expect(gate.rebuilds).toBe(1);
  });

  it('[R16] refuses structures no Tabla client makes, before any replica: long strings, many values, gaps, unsorted deletes', () => {
    const doc = demo();
    const gate = gateFor(doc);
    const { item } = firstActivity(doc);
    const cases: [string, Uint8Array][] = [
      ['a long string item', longStringEntry(77, 0, item, 'x', 10_000)],
      ['several values in one item', manyValuesEntry(77, 0, item, 'x', 10_000)],
      ['overlapping delete ranges', repeatedDelete(doc.clientID, 0, 10, 50)],
      ['unsorted delete ranges', deleteRanges(doc.clientID, [[5, 1], [1, 1]])],
    ];
    for (const [what, update] of cases) {
      const verdict = gate.judge(update, facilitator);
      expect(verdict.ok, what).toBe(false);
      expect(verdict, what).toMatchObject({ code: CloseCode.invalidUpdate });
      expect(verdict.work, what).toBe(update.length); // read once, nothing walked or applied
    }
    expect(gate.rebuilds).toBe(0);
  });

  it('[R16] a long deleted run is fine (honest sync answers carry them), and deleting inside it costs no splits', () => {
    const doc = demo();
    const gate = gateFor(doc);
    const { item } = firstActivity(doc);
    const run = deletedRun(77, 0, item, 'gone', 5_000);
    expect(gate.judge(run, coordinator)).toMatchObject({ ok: true, noop: false });
    Y.applyUpdate(doc, run); // stored: the deletes below are judged against the document, no replica built
    const deletes = everyOtherDeleted(77, 0, 5_000);
    const verdict = gate.judge(deletes, coordinator);
    expect(verdict).toMatchObject({ ok: true, noop: true }); // all already deleted
    expect(verdict.work).toBeLessThanOrEqual(deletes.length + 2_500); // one struct looked at per range: no splits, no walks
  });

  it('[R16][R17] new client ids are bounded per update, per device key and per board; the facilitator is not held by the board bound', () => {
    const doc = demo();
    const gate = gateFor(doc, { maxNewClientsPerUpdate: 4, maxClientsPerKey: 6, maxClientsPerBoard: 8 });
    expect(gate.judge(manyClients(1_000, 5), coordinator)).toMatchObject({ ok: false, code: CloseCode.invalidUpdate });
    expect(gate.judge(manyClients(1_000, 4), coordinator)).toMatchObject({ ok: true });
    // Per key: 4 + 3 > 6.
    expect(gate.judge(manyClients(2_000, 3), coordinator)).toMatchObject({ ok: false, code: CloseCode.documentTooLarge });
    expect(gate.judge(manyClients(2_000, 2), coordinator)).toMatchObject({ ok: true });
    // Per board: 6 + 3 > 8, whoever the key.
    const other: Sender = { ...coordinator, keyHash: 'k-other' };
    expect(gate.judge(manyClients(3_000, 3), other)).toMatchObject({ ok: false, code: CloseCode.documentTooLarge, reason: 'board has too many client ids' });
    expect(gate.judge(manyClients(3_000, 3), facilitator)).toMatchObject({ ok: true });
  });

  it('[R17] a board at its size limit refuses growth but accepts deletions, from a coordinator and from the facilitator', () => {
    const doc = demo();
    const bytes = Y.encodeStateAsUpdate(doc).length;
    const gate = gateFor(doc, { maxDocumentBytes: bytes + 200 });
    const { item } = firstActivity(doc);
    expect(gate.judge(manyKeysEntry(77, 0, item, 8, 'a'), coordinator)).toMatchObject({ ok: true, noop: false });
    const more = manyKeysEntry(77, 8, item, 8, 'b');
    expect(gate.judge(more, coordinator)).toMatchObject({ ok: false, code: CloseCode.documentTooLarge });
    // At the limit: deleting what was added (a pure delete set) is still taken.
    expect(gate.judge(deleteRanges(77, [[0, 8]]), coordinator)).toMatchObject({ ok: true, noop: false });
    const id = [...roots(doc).activities.keys()][1]!;
    const removal = changeOf(doc, (d) => roots(d).activities.delete(id), 9_100);
    expect(gate.judge(removal, facilitator)).toMatchObject({ ok: true, noop: false });
    // At its limit, a facilitator's change that removes more than it adds passes; one that only adds does not.
    const full = gateFor(doc, { maxDocumentBytes: bytes });
    const [laneId] = [...roots(doc).lanes.keys()];
    const [other] = [...roots(doc).activities.keys()].slice(2);
    const tidy = changeOf(doc, (d) => {
      roots(d).activities.delete(other!);
      (roots(d).lanes.get(laneId!) as Y.Map<unknown>).set('archived', true);
    }, 9_101);
    expect(full.judge(tidy, facilitator)).toMatchObject({ ok: true, noop: false });
    expect(full.judge(changeOf(doc, (d) => setBoardTitle(d, 'Novi naslov'), 9_102), facilitator)).toMatchObject({ ok: false, code: CloseCode.documentTooLarge });
  });

  it('[R17] the number of items a board holds is bounded too (tiny unknown keys cost little on the wire, much in memory)', () => {
    const doc = demo();
    const gate = gateFor(doc, { maxDocumentStructs: 0 });
    const before = gate.structs;
    const limited = gateFor(doc, { maxDocumentStructs: before + 10 });
    const { item } = firstActivity(doc);
    expect(limited.judge(manyKeysEntry(77, 0, item, 11), coordinator)).toMatchObject({ ok: false, reason: 'board holds too many items' });
    expect(limited.judge(manyKeysEntry(77, 0, item, 10), coordinator).ok).toBe(true);
    void gate;
  });

  it('[R18] a viewer’s frame is judged without applying it: nothing new is ignored, anything new refused, no rebuild either way', () => {
    const doc = demo();
    const gate = gateFor(doc);
    const whole = Y.encodeStateAsUpdate(doc);
    const echo = gate.judge(whole, viewer);
    expect(echo).toMatchObject({ ok: true, noop: true });
    const { id } = firstActivity(doc);
    const removal = changeOf(doc, (d) => roots(d).activities.delete(id));
    expect(gate.judge(removal, viewer)).toMatchObject({ ok: false, code: CloseCode.forbidden });
    const title = changeOf(doc, (d) => setBoardTitle(d, 'x'));
    expect(gate.judge(title, viewer)).toMatchObject({ ok: false, code: CloseCode.forbidden });
    expect(gate.rebuilds).toBe(0);
  });

  it('[R18] a refusal after the shadow costs at most one lazy rebuild (by the next update that needs it); refusals before it cost none', () => {
    const doc = demo();
    const gate = gateFor(doc);
    const title = changeOf(doc, (d) => setBoardTitle(d, 'not yours'));
    expect(gate.judge(title, coordinator)).toMatchObject({ ok: false, code: CloseCode.forbidden });
    expect(gate.rebuilds).toBe(1); // the shadow it was applied to is dropped, not rebuilt now
    for (let i = 0; i < 20; i++) expect(gate.judge(title, viewer)).toMatchObject({ ok: false, code: CloseCode.forbidden });
    expect(gate.judge(repeatedDelete(doc.clientID, 0, 10, 5), coordinator).ok).toBe(false);
    expect(gate.rebuilds).toBe(1);
    const honest = changeOf(doc, (d) => moveActivity(d, firstActivity(d).id as never, demoLaneId('D'), 0), 9_002);
    const verdict = gate.judge(honest, coordinator);
    expect(verdict).toMatchObject({ ok: true, noop: false });
    expect(gate.rebuilds).toBe(2);
    // Its work includes the rebuild, charged to the connection that needed it.
    expect(verdict.work).toBeGreaterThan(Y.encodeStateAsUpdate(doc).length);
  });

  it('[R16] judged against the document once it holds every accepted update, against the document plus those in flight while it does not', () => {
    const doc = demo();
    const gate = gateFor(doc);
    let next = mover(doc, 9_003);
    const first = next('B');
    expect(gate.judge(first, coordinator)).toMatchObject({ ok: true, noop: false });
    // Still being written: the next move builds on it, its replay is nothing new.
    const second = next('C');
    expect(gate.judge(second, coordinator)).toMatchObject({ ok: true, noop: false });
    expect(gate.judge(first, coordinator)).toMatchObject({ ok: true, noop: true });
    // Both stored and applied; compaction finds nothing in flight.
    Y.applyUpdate(doc, first);
    Y.applyUpdate(doc, second);
    gate.resize(Y.encodeStateAsUpdate(doc).length, 0);
    expect(gate.judge(second, coordinator)).toMatchObject({ ok: true, noop: true });
    const third = next('D');
    expect(gate.judge(third, coordinator)).toMatchObject({ ok: true, noop: false });
    // Its write fails: without it, a move that builds on it depends on what the server does not have.
    gate.rollBack([], [], Y.encodeStateAsUpdate(doc).length);
    expect(gate.judge(next('A'), coordinator)).toMatchObject({ ok: false, code: CloseCode.invalidUpdate });
    expect(gate.judge(third, coordinator)).toMatchObject({ ok: true, noop: false });
    // Stored and applied this time: what comes next is judged against the document alone.
    Y.applyUpdate(doc, third);
    expect(gate.judge(third, coordinator)).toMatchObject({ ok: true, noop: true });
    next = mover(doc, 9_004); // the refused writer reconnected, under a new client id
    expect(gate.judge(next('B'), coordinator)).toMatchObject({ ok: true, noop: false });
  });

  it('[R18] the accepted-state replica an overlapping write needs is charged to that update, once; an empty update builds none', () => {
    const doc = demo();
    const gate = gateFor(doc);
    const board = Y.encodeStateAsUpdate(doc).length;
    const next = mover(doc, 9_005);
    gate.prepare(); // the shadow, built when the editor joined: not this test's question
    const alone = gate.judge(next('B'), coordinator);
    expect(alone).toMatchObject({ ok: true, noop: false });
    expect(alone.work).toBeLessThan(board); // judged against the document: nothing built
    // A viewer's empty sync step 2 meanwhile holds nothing: nothing new, and no replica built to say so.
    expect(gate.judge(Y.encodeStateAsUpdate(new Y.Doc()), viewer)).toMatchObject({ ok: true, noop: true });
    expect(gate.replicaBuilds).toBe(0);
    const overlapping = gate.judge(next('C'), coordinator); // the first is still being written
    expect(overlapping).toMatchObject({ ok: true, noop: false });
    expect(overlapping.work).toBeGreaterThan(board); // the replica of the board, built for it
    expect(gate.replicaBuilds).toBe(1);
    const third = gate.judge(next('D'), coordinator);
    expect(third.work).toBeLessThan(board); // the replica is there already
  });

  it('[R16][PM24] while writes overlap, a change to a card one in flight changed is judged against the state with it (a replica); a change to another card against the document, with none', () => {
    const doc = demo();
    setLaneLocked(doc, demoLaneId('A'), true); // stored before the gate was made
    const gate = gateFor(doc);
    gate.prepare(); // the shadow, built when the editor joined
    const [card, other] = [...readBoard(doc).activityById.values()].filter((a) => a.laneId !== demoLaneId('A')).map((a) => a.id as ActivityId);
    // The facilitator (whom locks do not hold) puts a card into the locked lane; its write is still in flight.
    const intoLocked = changeOf(doc, (d) => moveActivity(d, card!, demoLaneId('A'), 0), 9_010);
    expect(gate.judge(intoLocked, facilitator)).toMatchObject({ ok: true, noop: false });
    // Another card meanwhile: what it was is in the document; nothing is built.
    const another = changeOf(doc, (d) => moveActivity(d, other!, demoLaneId('C'), 0), 9_020);
    const judged = gate.judge(another, coordinator);
    expect(judged).toMatchObject({ ok: true, noop: false });
    expect(gate.replicaBuilds).toBe(0);
    expect(judged.work).toBeLessThan(Y.encodeStateAsUpdate(doc).length);
    // The same card, by a coordinator who had not seen it move (its change wins the lane under Yjs' order):
    // it is in the locked lane now, which the document does not say yet, so taking it out is refused.
    const outOfLocked = changeOf(doc, (d) => moveActivity(d, card!, demoLaneId('C'), 0), 9_030);
    expect(gate.judge(outOfLocked, coordinator)).toMatchObject({ ok: false, code: CloseCode.forbidden });
    expect(gate.replicaBuilds).toBe(1);
  });

  it('[R16] forged dependencies are refused without applying: gaps in a client’s clocks, deletes of what the server lacks', () => {
    const doc = demo();
    const gate = gateFor(doc);
    const { item } = firstActivity(doc);
    expect(gate.judge(manyKeysEntry(77, 5, item, 1), coordinator)).toMatchObject({ ok: false, code: CloseCode.invalidUpdate });
    expect(gate.judge(deleteRanges(doc.clientID, [[0, 1_000_000]]), coordinator)).toMatchObject({ ok: false, code: CloseCode.invalidUpdate });
    expect(gate.rebuilds).toBe(0);
  });
});

describe('update shape limits, each at its edge', () => {
  const limits = { maxStructs: 10, maxDeleteRanges: 6, maxClients: 3, maxKeysPerEntry: 8 };
  it('[R16] items per update (MAX_UPDATE_ITEMS)', () => {
    const { item } = firstActivity(demo());
    const roomy = { ...limits, maxKeysPerEntry: 100 };
    expect(readUpdateShape(manyKeysEntry(77, 0, item, 10), roomy).ok).toBe(true);
    expect(readUpdateShape(manyKeysEntry(77, 0, item, 11), roomy)).toEqual({ ok: false, reason: 'update holds over 10 structs' });
  });
  it('[R16][R17] new keys into one entry per update (MAX_UPDATE_KEYS_PER_ENTRY)', () => {
    const { item } = firstActivity(demo());
    expect(readUpdateShape(manyKeysEntry(77, 0, item, 8), limits).ok).toBe(true);
    expect(readUpdateShape(manyKeysEntry(77, 0, item, 9), limits)).toEqual({ ok: false, reason: 'update writes over 8 keys into one entry' });
  });
  it('[R16] delete ranges per update (MAX_UPDATE_DELETE_RANGES)', () => {
    const ranges = (n: number) => Array.from({ length: n }, (_, i): [number, number] => [i * 2, 1]);
    expect(readUpdateShape(deleteRanges(1, ranges(6)), limits).ok).toBe(true);
    expect(readUpdateShape(deleteRanges(1, ranges(7)), limits)).toEqual({ ok: false, reason: 'delete set over 6 ranges' });
  });
  it('[R16] client ids per update (MAX_UPDATE_CLIENT_IDS)', () => {
    expect(readUpdateShape(manyClients(1, 3), limits).ok).toBe(true);
    expect(readUpdateShape(manyClients(1, 4), limits)).toEqual({ ok: false, reason: 'update writes for 4 client ids (limit 3)' });
  });
  it('[R7] counts larger than the bytes left are undecodable (4400), not a budget question', () => {
    expect(readUpdateShape(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f]), limits)).toEqual({ ok: false, reason: 'undecodable update' });
  });
});
