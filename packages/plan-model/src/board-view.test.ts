import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { readBoard } from './board-view.js';
import { DEMO_TITLE, demoLaneId, demoMunicipalityId, seedDemoBoard } from './demo.js';
import { asActivityId, asLaneId } from './ids.js';
import {
  addActivity,
  createLane,
  deleteLane,
  editActivity,
  editMunicipality,
  moveActivity,
  renameLane,
  setBoardTitle,
} from './operations.js';
import { compareRanks } from './ordering.js';
import { roots } from './schema.js';

function demoDoc(): Y.Doc {
  const doc = new Y.Doc();
  seedDemoBoard(doc);
  return doc;
}

/** Writes raw entries, bypassing the operations (as another client might). */
function rawActivity(doc: Y.Doc, id: string, fields: Record<string, unknown>): void {
  const m = new Y.Map<unknown>();
  m.set('id', id);
  for (const [k, v] of Object.entries(fields)) m.set(k, v);
  roots(doc).activities.set(id, m);
}
function rawLane(doc: Y.Doc, id: string, rank: string): void {
  const m = new Y.Map<unknown>();
  m.set('id', id);
  m.set('title', id);
  m.set('rank', rank);
  roots(doc).lanes.set(id, m);
}

describe('readBoard', () => {
  it('reads the meta, the municipalities sorted by name, and the lanes in rank order', () => {
    const view = readBoard(demoDoc());
    expect(view.meta).toEqual({ schemaVersion: 1, title: DEMO_TITLE, locked: false });
    const names = view.municipalities.map((m) => m.name);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, 'bs')));
    expect(view.lanes.map((l) => l.lane.id)).toEqual(['l_A', 'l_B', 'l_C', 'l_D']);
    expect(view.municipalityById.get(demoMunicipalityId('mostar'))?.name).toBe('Grad Mostar');
  });

  it('[PM8] sorts lanes and a lane\'s activities by (rank, id), ties broken by id', () => {
    const doc = new Y.Doc();
    rawLane(doc, 'l_2', 'a1');
    rawLane(doc, 'l_1', 'a1');
    rawLane(doc, 'l_0', 'a2');
    rawActivity(doc, 'a_c', { title: 'c', laneId: 'l_1', rank: 'a0' });
    rawActivity(doc, 'a_b', { title: 'b', laneId: 'l_1', rank: 'a5' });
    rawActivity(doc, 'a_a', { title: 'a', laneId: 'l_1', rank: 'a5' });
    rawActivity(doc, 'a_0', { title: '0', laneId: 'l_1', rank: 'a9' });
    const view = readBoard(doc);
    expect(view.lanes.map((l) => l.lane.id)).toEqual(['l_1', 'l_2', 'l_0']);
    expect(view.lanes[0]!.activities.map((a) => a.id)).toEqual(['a_c', 'a_a', 'a_b', 'a_0']);
  });

  it('[PM3] every activity appears exactly once, in its lane or in the pool', () => {
    const view = readBoard(demoDoc());
    const placed = view.lanes.flatMap((l) => l.activities.map((a) => a.id));
    const all = [...placed, ...view.unplaced.map((a) => a.id)];
    expect(all).toHaveLength(15);
    expect(new Set(all).size).toBe(15);
    expect(new Set(all)).toEqual(new Set(view.activityById.keys()));
    for (const lane of view.lanes) for (const a of lane.activities) expect(a.laneId).toBe(lane.lane.id);
  });

  it('[PM4] the pool holds the activities with no lane, sorted by (rank, id)', () => {
    const doc = demoDoc();
    const view = readBoard(doc);
    expect(view.unplaced.map((a) => a.title)).toEqual([
      'Godišnji izvještaj LDP-a građanima',
      'Volonterska akcija osnovaca',
    ]);
    expect([...view.unplaced].sort(compareRanks)).toEqual(view.unplaced);
    for (const a of view.unplaced) expect(a.laneId).toBe(null);
  });

  it('[PM4] an activity whose lane is gone reads as unplaced, keeping its laneId', () => {
    const doc = demoDoc();
    rawActivity(doc, 'a_orphan', { title: 'Siroče', laneId: 'l_gone', rank: 'a0' });
    const view = readBoard(doc);
    expect(view.unplaced.map((a) => a.id)).toContain('a_orphan');
    expect(view.activityById.get(asActivityId('a_orphan'))!.laneId).toBe('l_gone');
    for (const lane of view.lanes) expect(lane.activities.map((a) => a.id)).not.toContain('a_orphan');
  });

  it('[PM4] a concurrent move into a lane that another replica deletes ends in the pool on both', () => {
    const a = demoDoc();
    const b = new Y.Doc();
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    const lane = demoLaneId('B');
    const card = readBoard(a).lanes[0]!.activities[0]!.id;
    moveActivity(a, card, lane, 0);
    deleteLane(b, lane);
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    for (const doc of [a, b]) {
      const view = readBoard(doc);
      expect(view.lanes.map((l) => l.lane.id)).not.toContain(lane);
      expect(view.unplaced.map((x) => x.id)).toContain(card);
      expect(view.unplaced).toHaveLength(2 + 4 + 1);
    }
    expect(readBoard(a).unplaced.map((x) => x.id)).toEqual(readBoard(b).unplaced.map((x) => x.id));
  });

  it('[PM14] reads wrongly typed values as absent or defaults instead of throwing', () => {
    const doc = new Y.Doc();
    rawLane(doc, 'l_1', 'a0');
    roots(doc).lanes.get('l_1')!.set('color', 'red');
    rawActivity(doc, 'a_1', { title: 42, laneId: 7, rank: 'a0', status: 'bogus', timeframe: 'soon', budget: -1 });
    const view = readBoard(doc);
    expect(view.lanes[0]!.lane).not.toHaveProperty('color');
    const a = view.activityById.get(asActivityId('a_1'))!;
    expect(a).toEqual({ id: 'a_1', title: '', laneId: null, rank: 'a0', partners: [], status: 'planned' });
    expect(view.unplaced).toEqual([a]);
  });

  it('reads an empty document as an empty board', () => {
    const view = readBoard(new Y.Doc());
    expect(view.lanes).toEqual([]);
    expect(view.unplaced).toEqual([]);
    expect(view.municipalities).toEqual([]);
    expect(view.meta.title).toBe('');
  });
});

describe('readBoard structural sharing', () => {
  it('[PM12] reading again with no change returns the same lane, activity and list objects', () => {
    const doc = demoDoc();
    const one = readBoard(doc);
    const two = readBoard(doc, one);
    expect(two.meta).toBe(one.meta);
    expect(two.lanes).toBe(one.lanes);
    expect(two.unplaced).toBe(one.unplaced);
    expect(two.municipalities).toBe(one.municipalities);
    for (const [id, a] of one.activityById) expect(two.activityById.get(id)).toBe(a);
  });

  it('[PM12] an edit of one activity renews only that activity and its lane', () => {
    const doc = demoDoc();
    const one = readBoard(doc);
    const target = one.lanes[1]!.activities[2]!;
    editActivity(doc, target.id, { title: 'Promijenjeno' });
    const two = readBoard(doc, one);

    expect(two.lanes).not.toBe(one.lanes);
    expect(two.lanes[1]).not.toBe(one.lanes[1]);
    expect(two.lanes[1]!.lane).toBe(one.lanes[1]!.lane);
    expect(two.activityById.get(target.id)).not.toBe(target);
    expect(two.activityById.get(target.id)!.title).toBe('Promijenjeno');
    for (const i of [0, 2, 3]) expect(two.lanes[i]).toBe(one.lanes[i]);
    for (const [id, a] of one.activityById) if (id !== target.id) expect(two.activityById.get(id)).toBe(a);
    expect(two.unplaced).toBe(one.unplaced);
    expect(two.meta).toBe(one.meta);
    expect(two.municipalities).toBe(one.municipalities);
  });

  it('[PM12] a move renews the two lanes involved and the moved activity only', () => {
    const doc = demoDoc();
    const one = readBoard(doc);
    const card = one.lanes[0]!.activities[0]!;
    moveActivity(doc, card.id, one.lanes[2]!.lane.id, 1);
    const two = readBoard(doc, one);
    expect(two.lanes[0]).not.toBe(one.lanes[0]);
    expect(two.lanes[2]).not.toBe(one.lanes[2]);
    expect(two.lanes[1]).toBe(one.lanes[1]);
    expect(two.lanes[3]).toBe(one.lanes[3]);
    expect(two.lanes[2]!.activities[0]).toBe(one.lanes[2]!.activities[0]);
    expect(two.activityById.get(card.id)).not.toBe(card);
  });

  it('[PM12] renaming a lane renews that lane view but keeps its activity list', () => {
    const doc = demoDoc();
    const one = readBoard(doc);
    renameLane(doc, demoLaneId('D'), 'Održivost');
    const two = readBoard(doc, one);
    expect(two.lanes[3]).not.toBe(one.lanes[3]);
    expect(two.lanes[3]!.lane.title).toBe('Održivost');
    expect(two.lanes[3]!.activities).toBe(one.lanes[3]!.activities);
    expect(two.lanes[0]).toBe(one.lanes[0]);
  });

  it('[PM12] unrelated board edits keep the activity lists', () => {
    const doc = demoDoc();
    const one = readBoard(doc);
    setBoardTitle(doc, 'Novi naslov');
    editMunicipality(doc, demoMunicipalityId('bugojno'), { name: 'Općina Bugojno' });
    const two = readBoard(doc, one);
    expect(two.meta).not.toBe(one.meta);
    expect(two.municipalities).not.toBe(one.municipalities);
    expect(two.lanes).toBe(one.lanes);
    expect(two.unplaced).toBe(one.unplaced);
    expect(two.municipalityById.get(demoMunicipalityId('mostar'))).toBe(
      one.municipalityById.get(demoMunicipalityId('mostar')),
    );
  });

  it('[PM12] adding an activity to the pool and a new lane keep the existing lane views', () => {
    const doc = demoDoc();
    const one = readBoard(doc);
    addActivity(doc, { title: 'Nova' });
    const lane = createLane(doc, { title: 'E' }, { id: asLaneId('l_E') });
    const two = readBoard(doc, one);
    expect(two.unplaced).not.toBe(one.unplaced);
    expect(two.unplaced).toHaveLength(3);
    expect(two.lanes.slice(0, 4)).toEqual(one.lanes);
    for (let i = 0; i < 4; i++) expect(two.lanes[i]).toBe(one.lanes[i]);
    expect(two.lanes[4]!.lane.id).toBe(lane);
  });
});
