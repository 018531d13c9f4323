import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { readBoard } from './board-view.js';
import { demoLaneId, demoMunicipalityId, seedDemoBoard } from './demo.js';
import { asActivityId, asLaneId, asMunicipalityId, type ActivityId, type LaneId } from './ids.js';
import {
  addActivity,
  addMunicipality,
  createLane,
  deleteActivity,
  deleteLane,
  editActivity,
  editLane,
  editMunicipality,
  moveActivity,
  PlanError,
  renameLane,
  reorderLane,
  setActivityPartner,
  setBoardTitle,
  editActivityAndPartners,
} from './operations.js';
import { localOrigin, type PlanOrigin } from './origins.js';
import { LIMITS, readActivity, roots, SCHEMA_VERSION } from './schema.js';
import { documentProblems } from './validate.js';

const remote: PlanOrigin = { source: 'remote', connectionId: 'test' };

function demoDoc(): Y.Doc {
  const doc = new Y.Doc();
  seedDemoBoard(doc);
  return doc;
}

/** Runs `fn` and returns the transactions it made. */
function transactionsOf(doc: Y.Doc, fn: () => void): Y.Transaction[] {
  const seen: Y.Transaction[] = [];
  const record = (tr: Y.Transaction) => seen.push(tr);
  doc.on('afterTransaction', record);
  try {
    fn();
  } finally {
    doc.off('afterTransaction', record);
  }
  return seen;
}

/** [PM5]: `fn` is exactly one transaction, with `origin` (by identity). */
function expectOneTransaction(doc: Y.Doc, origin: PlanOrigin, fn: () => void): Y.Transaction {
  const trs = transactionsOf(doc, fn);
  expect(trs).toHaveLength(1);
  expect(trs[0]!.origin).toBe(origin);
  return trs[0]!;
}

/** [PM5]: `fn` throws a PlanError with `code` and leaves the document as it was. */
function expectPlanErrorAndNoChange(doc: Y.Doc, code: PlanError['code'], fn: () => void): void {
  const before = Y.encodeStateVector(doc);
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(PlanError);
  expect((error as PlanError).code).toBe(code);
  expect(Y.encodeStateVector(doc)).toEqual(before);
}

const laneIds = (doc: Y.Doc) => readBoard(doc).lanes.map((l) => l.lane.id);
const activityIdsIn = (doc: Y.Doc, laneId: LaneId | null): ActivityId[] => {
  const view = readBoard(doc);
  const list = laneId === null ? view.unplaced : view.lanes.find((l) => l.lane.id === laneId)?.activities;
  if (!list) throw new Error(`no lane ${laneId}`);
  return list.map((a) => a.id);
};
const rawActivity = (doc: Y.Doc, id: string) => roots(doc).activities.get(id)!;

const missingLane = asLaneId('l_missing');
const missingActivity = asActivityId('a_missing');
const missingMunicipality = asMunicipalityId('m_missing');

describe('setBoardTitle', () => {
  it('[PM5] sets the title and schema version in one transaction with the local origin by default', () => {
    const doc = new Y.Doc();
    expectOneTransaction(doc, localOrigin, () => setBoardTitle(doc, 'Plan 2024'));
    expect(roots(doc).meta.toJSON()).toEqual({ schemaVersion: SCHEMA_VERSION, title: 'Plan 2024' });
    expectOneTransaction(doc, remote, () => setBoardTitle(doc, 'Drugi naslov', remote));
    expect(readBoard(doc).meta.title).toBe('Drugi naslov');
  });
});

describe('addMunicipality / editMunicipality', () => {
  it('[PM5] adds a municipality in one transaction', () => {
    const doc = new Y.Doc();
    let id = asMunicipalityId('');
    expectOneTransaction(doc, remote, () => {
      id = addMunicipality(doc, { name: 'Općina Konjic', color: '#123456', kind: 'opcina' }, { origin: remote });
    });
    expect(roots(doc).municipalities.get(id)?.toJSON()).toEqual({
      id,
      name: 'Općina Konjic',
      color: '#123456',
      kind: 'opcina',
    });
    expect(readBoard(doc).municipalityById.get(id)?.name).toBe('Općina Konjic');
  });

  it('uses a given id', () => {
    const doc = new Y.Doc();
    const id = addMunicipality(doc, { name: 'X', color: '#000000' }, { id: asMunicipalityId('m_x') });
    expect(id).toBe('m_x');
    expect(roots(doc).municipalities.has('m_x')).toBe(true);
  });

  it('[PM5] edits fields in one transaction and removes an optional key given undefined', () => {
    const doc = demoDoc();
    const id = demoMunicipalityId('mostar');
    expectOneTransaction(doc, localOrigin, () => editMunicipality(doc, id, { name: 'Grad Mostar (novo)', kind: undefined }));
    const entry = roots(doc).municipalities.get(id)!;
    expect(entry.get('name')).toBe('Grad Mostar (novo)');
    expect(entry.has('kind')).toBe(false);
    expect(entry.get('color')).toBe('#9467bd');
  });

  it('[PM5] editing an unknown municipality throws PlanError', () => {
    const doc = demoDoc();
    expectPlanErrorAndNoChange(doc, 'unknown-municipality', () => editMunicipality(doc, missingMunicipality, { name: 'x' }));
  });
});

describe('createLane', () => {
  it('[PM5] appends a lane at the end by default, in one transaction', () => {
    const doc = demoDoc();
    let id = asLaneId('');
    expectOneTransaction(doc, localOrigin, () => {
      id = createLane(doc, { title: 'Nova oblast' });
    });
    expect(laneIds(doc)).toEqual([...['A', 'B', 'C', 'D'].map((k) => `l_${k}`), id]);
    expect(roots(doc).lanes.get(id)!.toJSON()).toMatchObject({ id, title: 'Nova oblast' });
  });

  it('creates a lane at every index', () => {
    for (let index = 0; index <= 4; index++) {
      const doc = demoDoc();
      const id = createLane(doc, { title: `at ${index}`, color: '#abcdef' }, { index });
      expect(laneIds(doc).indexOf(id)).toBe(index);
      expect(laneIds(doc).filter((l) => l !== id)).toEqual(['l_A', 'l_B', 'l_C', 'l_D']);
    }
  });
});

describe('renameLane / editLane', () => {
  it('[PM5] renames a lane in one transaction', () => {
    const doc = demoDoc();
    expectOneTransaction(doc, remote, () => renameLane(doc, demoLaneId('B'), 'Mladi', remote));
    expect(readBoard(doc).lanes[1]!.lane.title).toBe('Mladi');
  });

  it('[PM5] edits a lane and removes an optional key given undefined', () => {
    const doc = demoDoc();
    const id = demoLaneId('C');
    expectOneTransaction(doc, localOrigin, () => editLane(doc, id, { description: 'Opis', color: undefined }));
    const entry = roots(doc).lanes.get(id)!;
    expect(entry.get('description')).toBe('Opis');
    expect(entry.has('color')).toBe(false);
    expect(readBoard(doc).lanes[2]!.lane).not.toHaveProperty('color');
  });

  it('[PM5] renaming or editing an unknown lane throws PlanError', () => {
    const doc = demoDoc();
    expectPlanErrorAndNoChange(doc, 'unknown-lane', () => renameLane(doc, missingLane, 'x'));
    expectPlanErrorAndNoChange(doc, 'unknown-lane', () => editLane(doc, missingLane, { title: 'x' }));
  });
});

describe('reorderLane', () => {
  it('[PM5] moves each lane to every index in one transaction, keeping the others in order', () => {
    const all = ['l_A', 'l_B', 'l_C', 'l_D'];
    for (const moving of all) {
      for (let index = 0; index < all.length; index++) {
        const doc = demoDoc();
        expectOneTransaction(doc, localOrigin, () => reorderLane(doc, asLaneId(moving), index));
        const order = laneIds(doc);
        expect(order.indexOf(asLaneId(moving))).toBe(index);
        expect(order.filter((l) => l !== moving)).toEqual(all.filter((l) => l !== moving));
      }
    }
  });

  it('[PM5] reordering an unknown lane throws PlanError', () => {
    const doc = demoDoc();
    expectPlanErrorAndNoChange(doc, 'unknown-lane', () => reorderLane(doc, missingLane, 0));
  });
});

describe('deleteLane', () => {
  it('[PM4] moves the lane\'s activities to the pool, after the pool\'s own, keeping their order', () => {
    const doc = demoDoc();
    const lane = demoLaneId('A');
    const inLane = activityIdsIn(doc, lane);
    const pool = activityIdsIn(doc, null);
    expect(inLane).toHaveLength(4);
    expectOneTransaction(doc, localOrigin, () => deleteLane(doc, lane));
    expect(roots(doc).lanes.has(lane)).toBe(false);
    expect(laneIds(doc)).toEqual(['l_B', 'l_C', 'l_D']);
    expect(activityIdsIn(doc, null)).toEqual([...pool, ...inLane]);
    for (const id of inLane) expect(rawActivity(doc, id).get('laneId')).toBe(null);
  });

  it('[PM5] deleting an unknown lane throws PlanError', () => {
    const doc = demoDoc();
    expectPlanErrorAndNoChange(doc, 'unknown-lane', () => deleteLane(doc, missingLane));
  });
});

describe('addActivity', () => {
  it('[PM5] adds into a lane at an index, in one transaction', () => {
    for (let index = 0; index <= 4; index++) {
      const doc = demoDoc();
      const lane = demoLaneId('A');
      const before = activityIdsIn(doc, lane);
      let id = asActivityId('');
      expectOneTransaction(doc, remote, () => {
        id = addActivity(doc, { title: 'Nova', timeframe: '2024-Q1' }, { laneId: lane, index }, { origin: remote });
      });
      const after = activityIdsIn(doc, lane);
      expect(after.indexOf(id)).toBe(index);
      expect(after.filter((a) => a !== id)).toEqual(before);
      expect(readBoard(doc).activityById.get(id)).toMatchObject({ title: 'Nova', laneId: lane, timeframe: '2024-Q1' });
    }
  });

  it('adds into a lane at the end by default', () => {
    const doc = demoDoc();
    const lane = demoLaneId('D');
    const id = addActivity(doc, { title: 'Zadnja' }, { laneId: lane });
    expect(activityIdsIn(doc, lane).at(-1)).toBe(id);
  });

  it('[PM4] adds into the pool (laneId null) by default, at its end', () => {
    const doc = demoDoc();
    const pool = activityIdsIn(doc, null);
    const id = addActivity(doc, { title: 'Bez oblasti' });
    expect(rawActivity(doc, id).get('laneId')).toBe(null);
    expect(activityIdsIn(doc, null)).toEqual([...pool, id]);
  });

  it('[PM9] writes the required keys and leaves unset optional keys absent', () => {
    const doc = new Y.Doc();
    const id = addActivity(doc, { title: 'Samo naslov' }, { laneId: null }, { id: asActivityId('a_1') });
    expect(id).toBe('a_1');
    const json = rawActivity(doc, id).toJSON();
    expect(Object.keys(json).sort()).toEqual(['id', 'laneId', 'partners', 'progress', 'rank', 'title']);
    expect(json).toMatchObject({ id: 'a_1', title: 'Samo naslov', laneId: null, partners: {} });
    expect(readBoard(doc).activityById.get(id)!.status).toBe('planned');
  });

  it('[PM10] a new activity has a (possibly empty) nested partners Y.Map', () => {
    const doc = new Y.Doc();
    const id = addActivity(doc, { title: 'x' });
    expect(rawActivity(doc, id).get('partners')).toBeInstanceOf(Y.Map);
  });

  it('[PM5] adding into an unknown lane throws PlanError and adds nothing', () => {
    const doc = demoDoc();
    expectPlanErrorAndNoChange(doc, 'unknown-lane', () => addActivity(doc, { title: 'x' }, { laneId: missingLane }));
    expect(roots(doc).activities.size).toBe(15);
  });
});

describe('editActivity', () => {
  const first = (doc: Y.Doc) => activityIdsIn(doc, demoLaneId('A'))[0]!;

  it('[PM5] sets optional keys in one transaction', () => {
    const doc = demoDoc();
    const id = first(doc);
    expectOneTransaction(doc, localOrigin, () =>
      editActivity(doc, id, { title: 'Novi naslov', description: 'Opis', budget: 1500, indicator: '3 sastanka', notes: 'n' }),
    );
    expect(readBoard(doc).activityById.get(id)).toMatchObject({
      title: 'Novi naslov',
      description: 'Opis',
      budget: 1500,
      indicator: '3 sastanka',
      notes: 'n',
    });
  });

  it('[PM9] removes optional keys given undefined (absent, never null)', () => {
    const doc = demoDoc();
    const id = first(doc);
    editActivity(doc, id, { description: 'Opis' });
    editActivity(doc, id, { description: undefined, timeframe: undefined, leadId: undefined });
    const entry = rawActivity(doc, id);
    for (const key of ['description', 'timeframe', 'leadId']) expect(entry.has(key)).toBe(false);
    const view = readBoard(doc).activityById.get(id)!;
    expect(view).not.toHaveProperty('description');
    expect(view).not.toHaveProperty('timeframe');
    expect(view).not.toHaveProperty('leadId');
  });

  it('[PM9] status "planned" is stored as an absent key; other statuses are stored', () => {
    const doc = demoDoc();
    const id = first(doc);
    editActivity(doc, id, { status: 'done' });
    expect(rawActivity(doc, id).get('status')).toBe('done');
    editActivity(doc, id, { status: 'planned' });
    expect(rawActivity(doc, id).has('status')).toBe(false);
    expect(readBoard(doc).activityById.get(id)!.status).toBe('planned');
    // Setting planned again writes nothing at all.
    const trs = transactionsOf(doc, () => editActivity(doc, id, { status: 'planned' }));
    expect(trs).toHaveLength(1);
    expect(trs[0]!.changed.size).toBe(0);
  });

  it('[PM10] replaces the partner set, keeping the nested map', () => {
    const doc = demoDoc();
    const id = first(doc);
    const nested = rawActivity(doc, id).get('partners');
    editActivity(doc, id, { partners: [demoMunicipalityId('mostar'), demoMunicipalityId('bugojno')] });
    expect(rawActivity(doc, id).get('partners')).toBe(nested);
    expect(readBoard(doc).activityById.get(id)!.partners).toEqual(['m_bugojno', 'm_mostar']);
  });

  it('[PM5] editing an unknown activity throws PlanError', () => {
    const doc = demoDoc();
    expectPlanErrorAndNoChange(doc, 'unknown-activity', () => editActivity(doc, missingActivity, { title: 'x' }));
  });
});

describe('moveActivity', () => {
  it('[PM1] a move between lanes sets laneId and rank in one transaction', () => {
    const doc = demoDoc();
    const [from, to] = [demoLaneId('A'), demoLaneId('B')];
    const id = activityIdsIn(doc, from)[1]!;
    const toBefore = activityIdsIn(doc, to);
    const tr = expectOneTransaction(doc, localOrigin, () => moveActivity(doc, id, to, 1));
    const entry: unknown = rawActivity(doc, id);
    const changedKeys = [...tr.changed].find(([type]) => type === entry)?.[1];
    expect(changedKeys).toEqual(new Set(['laneId', 'rank']));
    expect(activityIdsIn(doc, from)).not.toContain(id);
    const toAfter = activityIdsIn(doc, to);
    expect(toAfter.indexOf(id)).toBe(1);
    expect(toAfter.filter((a) => a !== id)).toEqual(toBefore);
    expect(rawActivity(doc, id).get('laneId')).toBe(to);
  });

  it('[PM1] moves within a lane to every index, keeping the others in order', () => {
    const lane = demoLaneId('B');
    const count = activityIdsIn(demoDoc(), lane).length;
    expect(count).toBe(4);
    for (let position = 0; position < count; position++) {
      for (let index = 0; index < count; index++) {
        const doc = demoDoc(); // demo ids are random: name the card by its position
        const initial = activityIdsIn(doc, lane);
        const id = initial[position]!;
        expectOneTransaction(doc, remote, () => moveActivity(doc, id, lane, index, remote));
        const after = activityIdsIn(doc, lane);
        expect(after.indexOf(id)).toBe(index);
        expect(after.filter((a) => a !== id)).toEqual(initial.filter((a) => a !== id));
      }
    }
  });

  it('[PM1] repeated moves within a lane keep working (ranks never collide)', () => {
    const doc = demoDoc();
    const lane = demoLaneId('C');
    const ids = activityIdsIn(doc, lane);
    for (let i = 0; i < 100; i++) {
      const id = ids[i % ids.length]!;
      const index = (i * 7) % ids.length;
      moveActivity(doc, id, lane, index);
      expect(activityIdsIn(doc, lane).indexOf(id)).toBe(index);
    }
    const ranks = readBoard(doc).lanes[2]!.activities.map((a) => a.rank);
    expect(new Set(ranks).size).toBe(ranks.length);
  });

  it('[PM4] moves into the pool at an index', () => {
    const doc = demoDoc();
    const id = activityIdsIn(doc, demoLaneId('D'))[0]!;
    const pool = activityIdsIn(doc, null);
    moveActivity(doc, id, null, 0);
    expect(rawActivity(doc, id).get('laneId')).toBe(null);
    expect(activityIdsIn(doc, null)).toEqual([id, ...pool]);
    expect(activityIdsIn(doc, demoLaneId('D'))).toEqual([]);
  });

  it('[PM2] concurrent moves of one card (across lanes, within a lane, to the pool) leave it in exactly one place', () => {
    const a = demoDoc();
    const b = new Y.Doc();
    const c = new Y.Doc();
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    Y.applyUpdate(c, Y.encodeStateAsUpdate(a));
    const card = activityIdsIn(a, demoLaneId('A'))[0]!;
    moveActivity(a, card, demoLaneId('B'), 0);
    moveActivity(b, card, demoLaneId('A'), 3);
    moveActivity(c, card, null, 0);
    for (const [x, y] of [[a, b], [b, c], [c, a], [a, b], [b, c]] as const) Y.applyUpdate(y, Y.encodeStateAsUpdate(x));
    const views = [a, b, c].map((doc) => readBoard(doc));
    for (const view of views) {
      const places = [...view.lanes.map((l) => l.activities), view.unplaced].filter((list) => list.some((x) => x.id === card));
      expect(places).toHaveLength(1);
      expect(places[0]!.filter((x) => x.id === card)).toHaveLength(1);
      expect(view.activityById.size).toBe(15);
    }
    expect(views[1]).toEqual(views[0]);
    expect(views[2]).toEqual(views[0]);
  });

  it('[PM2] a card deleted while another replica moves it stays deleted', () => {
    const a = demoDoc();
    const b = new Y.Doc();
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    const card = activityIdsIn(a, demoLaneId('A'))[0]!;
    deleteActivity(a, card);
    moveActivity(b, card, demoLaneId('C'), 1);
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    for (const doc of [a, b]) {
      expect(readBoard(doc).activityById.has(card)).toBe(false);
      expect(activityIdsIn(doc, demoLaneId('C'))).not.toContain(card);
    }
  });

  it('[PM5] moving an unknown activity, or into an unknown lane, throws PlanError', () => {
    const doc = demoDoc();
    const id = activityIdsIn(doc, demoLaneId('A'))[0]!;
    expectPlanErrorAndNoChange(doc, 'unknown-activity', () => moveActivity(doc, missingActivity, demoLaneId('A'), 0));
    expectPlanErrorAndNoChange(doc, 'unknown-lane', () => moveActivity(doc, id, missingLane, 0));
  });
});

describe('setActivityPartner', () => {
  it('[PM10] joins and leaves in one transaction each', () => {
    const doc = demoDoc();
    const id = activityIdsIn(doc, demoLaneId('A'))[0]!;
    const mostar = demoMunicipalityId('mostar');
    expect(readBoard(doc).activityById.get(id)!.partners).not.toContain(mostar);
    expectOneTransaction(doc, localOrigin, () => setActivityPartner(doc, id, mostar, true));
    expect(readBoard(doc).activityById.get(id)!.partners).toContain(mostar);
    expect((rawActivity(doc, id).get('partners') as Y.Map<unknown>).get(mostar)).toBe(true);
    expectOneTransaction(doc, remote, () => setActivityPartner(doc, id, mostar, false, remote));
    expect(readBoard(doc).activityById.get(id)!.partners).not.toContain(mostar);
  });

  it('[PM10] two municipalities joining a new activity at once both stay', () => {
    const a = new Y.Doc();
    const id = addActivity(a, { title: 'Nova' });
    const b = new Y.Doc();
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    setActivityPartner(a, id, demoMunicipalityId('mostar'), true);
    setActivityPartner(b, id, demoMunicipalityId('bugojno'), true);
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    for (const doc of [a, b]) {
      expect(readBoard(doc).activityById.get(id)!.partners).toEqual(['m_bugojno', 'm_mostar']);
    }
  });

  it('[PM5] an unknown activity throws PlanError', () => {
    const doc = demoDoc();
    expectPlanErrorAndNoChange(doc, 'unknown-activity', () =>
      setActivityPartner(doc, missingActivity, demoMunicipalityId('mostar'), true),
    );
  });
});

describe('deleteActivity', () => {
  it('[PM5] deletes in one transaction', () => {
    const doc = demoDoc();
    const id = activityIdsIn(doc, demoLaneId('A'))[2]!;
    expectOneTransaction(doc, localOrigin, () => deleteActivity(doc, id));
    expect(roots(doc).activities.has(id)).toBe(false);
    expect(readBoard(doc).activityById.has(id)).toBe(false);
    expect(activityIdsIn(doc, demoLaneId('A'))).toHaveLength(3);
  });

  it('[PM5] deleting an unknown (or already deleted) activity throws PlanError', () => {
    const doc = demoDoc();
    const id = activityIdsIn(doc, demoLaneId('A'))[0]!;
    deleteActivity(doc, id);
    expectPlanErrorAndNoChange(doc, 'unknown-activity', () => deleteActivity(doc, id));
    expectPlanErrorAndNoChange(doc, 'unknown-activity', () => deleteActivity(doc, missingActivity));
  });
});

describe('rank length', () => {
  it('[PM1] many moves into the same gap never produce a key over LIMITS.rank: the lane is re-spaced in the same transaction', () => {
    const doc = new Y.Doc();
    seedDemoBoard(doc);
    const lane = demoLaneId('A');
    const ids = readBoard(doc).lanes.find((l) => l.lane.id === lane)!.activities.map((a) => a.id);
    let transactions = 0;
    doc.on('afterTransaction', () => transactions++);
    let longest = 0;
    for (let i = 0; i < 2000; i++) {
      const id = ids[i % 3]!;
      moveActivity(doc, id, lane, 2);
      longest = Math.max(longest, readActivity(id, roots(doc).activities.get(id)!).rank.length);
    }
    expect(transactions).toBe(2000);
    expect(longest).toBeLessThanOrEqual(LIMITS.rank);
    expect(documentProblems(doc)).toEqual([]);
    expect(readBoard(doc).lanes.find((l) => l.lane.id === lane)!.activities).toHaveLength(4);
  });
});

describe('editActivityAndPartners', () => {
  it('[PM10] changes only the memberships it names: a partner that joined meanwhile stays', () => {
    const a = new Y.Doc();
    seedDemoBoard(a);
    const b = new Y.Doc();
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    const id = readBoard(a).lanes[0]!.activities[0]!.id;
    const had = readBoard(a).activityById.get(id)!.partners;
    setActivityPartner(b, id, demoMunicipalityId('mostar'), true); // someone else joins
    editActivityAndPartners(a, id, { status: 'done' }, new Map([[demoMunicipalityId('bugojno'), true]])); // a dialog opened before that
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    const after = readBoard(b).activityById.get(id)!;
    expect(after.status).toBe('done');
    expect(after.partners).toEqual([...had, demoMunicipalityId('bugojno'), demoMunicipalityId('mostar')].sort());
  });
});
