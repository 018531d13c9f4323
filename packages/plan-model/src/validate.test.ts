import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { demoLaneId, demoMunicipalityId, seedDemoBoard } from './demo.js';
import { asActivityId, asLaneId } from './ids.js';
import {
  addActivity,
  addMunicipality,
  createLane,
  deleteActivity,
  deleteLane,
  editActivity,
  editLane,
  moveActivity,
  setActivityPartner,
  setBoardTitle,
} from './operations.js';
import { LIMITS, roots } from './schema.js';
import { type ChangeReport, documentProblems, inspectTransaction } from './validate.js';

/** The demo board with a fixed activity id, so raw writes can name one. */
const ACT = asActivityId('a_known');
function demoDoc(): Y.Doc {
  const doc = new Y.Doc();
  seedDemoBoard(doc);
  addActivity(doc, { title: 'Poznata', partners: [demoMunicipalityId('mostar')] }, { laneId: demoLaneId('A') }, { id: ACT });
  return doc;
}

/**
 * What a server's shadow replica sees: the shadow (all four roots defined, as the server
 * does) holds `base`; a client holding the same state runs `mutate`; the resulting update is
 * applied to the shadow with inspectTransaction hooked on afterTransaction.
 */
function inspect(base: Y.Doc | null, mutate: (client: Y.Doc) => void): ChangeReport & { shadow: Y.Doc } {
  const baseUpdate = base ? Y.encodeStateAsUpdate(base) : null;
  const client = new Y.Doc();
  const shadow = new Y.Doc();
  roots(shadow);
  if (baseUpdate) {
    Y.applyUpdate(client, baseUpdate);
    Y.applyUpdate(shadow, baseUpdate);
  }
  const before = Y.encodeStateVector(client);
  mutate(client);
  const update = Y.encodeStateAsUpdate(client, before);
  const reports: ChangeReport[] = [];
  shadow.on('afterTransaction', (tr: Y.Transaction) => reports.push(inspectTransaction(tr)));
  Y.applyUpdate(shadow, update, { source: 'remote' });
  expect(reports).toHaveLength(1);
  return { ...reports[0]!, shadow };
}

const entry = (doc: Y.Doc, root: 'municipalities' | 'lanes' | 'activities', id: string) => roots(doc)[root].get(id)!;

function newRawEntry(fields: Record<string, unknown>): Y.Map<unknown> {
  const m = new Y.Map<unknown>();
  for (const [k, v] of Object.entries(fields)) m.set(k, v);
  return m;
}

const expectRefused = (report: ChangeReport, pattern: RegExp) => {
  expect(report.problems.length).toBeGreaterThan(0);
  expect(report.problems.some((p) => pattern.test(p)), report.problems.join('; ')).toBe(true);
};

describe('documentProblems', () => {
  it('[PM6] the demo board has no problems', () => {
    expect(documentProblems(demoDoc())).toEqual([]);
  });

  it('an empty document has no problems', () => {
    expect(documentProblems(new Y.Doc())).toEqual([]);
  });

  it('[PM6] a document received as an update (roots not yet typed) has no problems', () => {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(demoDoc()));
    expect(documentProblems(doc)).toEqual([]);
  });

  it('[PM6] reports an unknown root and a known root holding list content', () => {
    const bad = new Y.Doc();
    bad.getArray('evil').push([1]);
    bad.getArray('lanes').push(['x']);
    const doc = new Y.Doc();
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(bad));
    const problems = documentProblems(doc);
    expect(problems.some((p) => p.includes('unknown root "evil"'))).toBe(true);
    expect(problems.some((p) => p.includes('root "lanes" is not a Y.Map'))).toBe(true);
  });

  it('[PM6] reports wrong entries of every kind', () => {
    const doc = demoDoc();
    entry(doc, 'activities', ACT).set('status', 'bogus');
    entry(doc, 'lanes', 'l_B').set('color', 'red');
    entry(doc, 'municipalities', 'm_mostar').delete('name');
    roots(doc).meta.set('schemaVersion', 2);
    const problems = documentProblems(doc);
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/activities\.a_known\.status/);
    expect(problems.join('\n')).toMatch(/lanes\.l_B\.color/);
    expect(problems.join('\n')).toMatch(/municipalities\.m_mostar\.name: missing/);
    expect(problems.join('\n')).toMatch(/meta\.schemaVersion/);
  });
});

describe('inspectTransaction: accepts valid changes and reports the roots they touch', () => {
  it('[PM6] seeding the demo into an empty board touches all four roots, validly', () => {
    const report = inspect(null, (c) => seedDemoBoard(c));
    expect(report.problems).toEqual([]);
    expect([...report.roots].sort()).toEqual(['activities', 'lanes', 'meta', 'municipalities']);
  });

  it('[PM6] adding, editing, moving and deleting activities touch only activities', () => {
    const cases: ((c: Y.Doc) => void)[] = [
      (c) => addActivity(c, { title: 'Nova', status: 'done', timeframe: '2024-Q3', budget: 100 }, { laneId: demoLaneId('B'), index: 1 }),
      (c) => addActivity(c, { title: 'U bazen' }),
      (c) => editActivity(c, ACT, { title: 'x'.repeat(LIMITS.title), description: 'Opis', status: 'postponed' }),
      (c) => editActivity(c, ACT, { partners: [], timeframe: undefined, leadId: demoMunicipalityId('bugojno') }),
      (c) => moveActivity(c, ACT, demoLaneId('C'), 0),
      (c) => moveActivity(c, ACT, null, 0),
      (c) => setActivityPartner(c, ACT, demoMunicipalityId('trnovoF'), true),
      (c) => setActivityPartner(c, ACT, demoMunicipalityId('mostar'), false),
      (c) => deleteActivity(c, ACT),
    ];
    for (const mutate of cases) {
      const report = inspect(demoDoc(), mutate);
      expect(report.problems).toEqual([]);
      expect([...report.roots]).toEqual(['activities']);
      expect(documentProblems(report.shadow)).toEqual([]);
    }
  });

  it('[PM6] lane, municipality and board edits touch their roots', () => {
    expect(inspect(demoDoc(), (c) => setBoardTitle(c, 'Novi'))).toMatchObject({ problems: [], roots: new Set(['meta']) });
    expect(inspect(demoDoc(), (c) => createLane(c, { title: 'E' }, { index: 0 }))).toMatchObject({
      problems: [],
      roots: new Set(['lanes']),
    });
    expect(inspect(demoDoc(), (c) => editLane(c, demoLaneId('A'), { color: undefined, description: 'd' }))).toMatchObject({
      problems: [],
      roots: new Set(['lanes']),
    });
    expect(inspect(demoDoc(), (c) => addMunicipality(c, { name: 'Općina Konjic', color: '#000000', kind: 'opcina' }))).toMatchObject({
      problems: [],
      roots: new Set(['municipalities']),
    });
    // A lane's activities go to the pool in the same transaction.
    expect(inspect(demoDoc(), (c) => deleteLane(c, demoLaneId('A')))).toMatchObject({
      problems: [],
      roots: new Set(['lanes', 'activities']),
    });
  });

  it('[PM7] accepts unknown keys with small plain values (they are preserved)', () => {
    const report = inspect(demoDoc(), (c) => {
      const a = entry(c, 'activities', ACT);
      a.set('budgetNote', 'x'.repeat(LIMITS.unknownValue));
      a.set('priority', 3);
      a.set('locked', true);
      a.set('extra', null);
      roots(c).meta.set('lockedAt', 1_700_000_000_000);
      entry(c, 'lanes', 'l_A').set('icon', 'star');
    });
    expect(report.problems).toEqual([]);
    expect(entry(report.shadow, 'activities', ACT).get('priority')).toBe(3);
  });

  it('[PM25] at most 16 unknown keys per entry and in meta, each named in at most 64 characters', () => {
    const fill = (m: Y.Map<unknown>, n: number, prefix = 'k') => {
      for (let i = 0; i < n; i++) m.set(`${prefix}${i}`, 1);
    };
    expect(inspect(demoDoc(), (c) => fill(entry(c, 'activities', ACT), LIMITS.unknownKeys)).problems).toEqual([]);
    expectRefused(inspect(demoDoc(), (c) => fill(entry(c, 'activities', ACT), LIMITS.unknownKeys + 1)), /more than 16 unknown keys/);
    expectRefused(inspect(demoDoc(), (c) => fill(roots(c).meta, LIMITS.unknownKeys + 1)), /meta: more than 16 unknown keys/);
    expect(inspect(demoDoc(), (c) => entry(c, 'lanes', 'l_A').set('x'.repeat(LIMITS.unknownKeyName), 1)).problems).toEqual([]);
    expectRefused(inspect(demoDoc(), (c) => entry(c, 'lanes', 'l_A').set('x'.repeat(LIMITS.unknownKeyName + 1), 1)), /unknown key name too long/);
  });

  it('a duplicate update touches nothing', () => {
    const base = demoDoc();
    const client = new Y.Doc();
    Y.applyUpdate(client, Y.encodeStateAsUpdate(base));
    const sv = Y.encodeStateVector(client);
    editActivity(client, ACT, { title: 'Dvaput' });
    const update = Y.encodeStateAsUpdate(client, sv);
    const shadow = new Y.Doc();
    roots(shadow);
    Y.applyUpdate(shadow, Y.encodeStateAsUpdate(base));
    const reports: ChangeReport[] = [];
    shadow.on('afterTransaction', (tr: Y.Transaction) => reports.push(inspectTransaction(tr)));
    Y.applyUpdate(shadow, update);
    Y.applyUpdate(shadow, update);
    expect(reports.map((r) => [...r.roots])).toEqual([['activities'], []]);
  });
});

describe('inspectTransaction: refuses', () => {
  it('[PM6] an unknown root', () => {
    const report = inspect(demoDoc(), (c) => c.getArray('evil').push([1]));
    expect(report.roots.has('evil')).toBe(true);
    expectRefused(report, /unknown root "evil"/);
  });

  it('[PM6] an unknown root that is a map', () => {
    const report = inspect(demoDoc(), (c) => c.getMap('ballots').set('x', 1));
    expect(report.roots.has('ballots')).toBe(true);
    expectRefused(report, /unknown root "ballots"/);
  });

  it('[PM6] list content in a known root (lanes written as a Y.Array)', () => {
    const report = inspect(demoDoc(), (c) => c.getArray('lanes').push([1]));
    expect(report.roots.has('lanes')).toBe(true);
    expectRefused(report, /lanes: list content in a map/);
    expect(documentProblems(report.shadow).length).toBeGreaterThan(0);
  });

  it('[PM6] list content in a root of a fresh document', () => {
    const report = inspect(null, (c) => c.getArray('activities').push([{ id: 'x' }]));
    expectRefused(report, /activities: list content in a map/);
  });

  it('[PM6] an entry that is not a Y.Map (a Y.Array or a plain value)', () => {
    expectRefused(inspect(demoDoc(), (c) => roots(c).activities.set('a_arr', new Y.Array() as never)), /not a Y\.Map/); // deliberately the wrong type
    expectRefused(inspect(demoDoc(), (c) => roots(c).lanes.set('l_num', 5 as never)), /not a Y\.Map/);
  });

  it('[PM6] wrong value types', () => {
    const cases: [string, (c: Y.Doc) => void, RegExp][] = [
      ['meta title as a number', (c) => roots(c).meta.set('title', 42), /meta\.title/],
      ['meta schemaVersion 2', (c) => roots(c).meta.set('schemaVersion', 2), /meta\.schemaVersion/],
      ['activity title as a number', (c) => entry(c, 'activities', ACT).set('title', 42), /\.title/],
      ['laneId as a number', (c) => entry(c, 'activities', ACT).set('laneId', 3), /\.laneId/],
      ['rank as a number', (c) => entry(c, 'activities', ACT).set('rank', 1), /\.rank/],
      ['municipality color "red"', (c) => entry(c, 'municipalities', 'm_mostar').set('color', 'red'), /\.color/],
      ['lane color "red"', (c) => entry(c, 'lanes', 'l_A').set('color', 'red'), /\.color/],
      ['status "bogus"', (c) => entry(c, 'activities', ACT).set('status', 'bogus'), /\.status/],
      ['timeframe "soon"', (c) => entry(c, 'activities', ACT).set('timeframe', 'soon'), /\.timeframe/],
      ['timeframe "2023-Q5"', (c) => entry(c, 'activities', ACT).set('timeframe', '2023-Q5'), /\.timeframe/],
      ['budget negative', (c) => entry(c, 'activities', ACT).set('budget', -5), /\.budget/],
      ['budget as text', (c) => entry(c, 'activities', ACT).set('budget', '100'), /\.budget/],
      ['kind unknown', (c) => entry(c, 'municipalities', 'm_mostar').set('kind', 'kanton'), /\.kind/],
      ['partners as a plain object', (c) => entry(c, 'activities', ACT).set('partners', { m_x: true }), /\.partners/],
    ];
    for (const [name, mutate, pattern] of cases) {
      const report = inspect(demoDoc(), mutate);
      expect(report.problems.some((p) => pattern.test(p)), `${name}: ${report.problems.join('; ')}`).toBe(true);
    }
  });

  it('[PM6] oversized strings', () => {
    expectRefused(inspect(demoDoc(), (c) => editActivity(c, ACT, { title: 'x'.repeat(LIMITS.title + 1) })), /\.title/);
    expectRefused(inspect(demoDoc(), (c) => setBoardTitle(c, 'x'.repeat(LIMITS.title + 1))), /meta\.title/);
    expectRefused(
      inspect(demoDoc(), (c) => editActivity(c, ACT, { description: 'x'.repeat(LIMITS.longText + 1) })),
      /\.description/,
    );
    expectRefused(inspect(demoDoc(), (c) => editLane(c, demoLaneId('A'), { title: 'x'.repeat(LIMITS.title + 1) })), /\.title/);
    expectRefused(
      inspect(demoDoc(), (c) => entry(c, 'municipalities', 'm_mostar').set('name', 'x'.repeat(LIMITS.name + 1))),
      /\.name/,
    );
    expectRefused(
      inspect(demoDoc(), (c) => entry(c, 'activities', ACT).set('rank', 'a'.repeat(LIMITS.rank + 1))),
      /\.rank/,
    );
    expectRefused(
      inspect(demoDoc(), (c) => entry(c, 'activities', ACT).set('note2', 'x'.repeat(LIMITS.unknownValue + 1))),
      /unknown key/,
    );
  });

  it('[PM6] an id longer than the limit', () => {
    const id = `a_${'x'.repeat(LIMITS.id)}`;
    expectRefused(inspect(demoDoc(), (c) => addActivity(c, { title: 't' }, { laneId: null }, { id: asActivityId(id) })), /id too long/);
  });

  it('[PM6] a missing required key', () => {
    expectRefused(
      inspect(demoDoc(), (c) => roots(c).activities.set('a_new', newRawEntry({ id: 'a_new', title: 't', laneId: null }))),
      /a_new\.rank: missing/,
    );
    expectRefused(
      inspect(demoDoc(), (c) => roots(c).lanes.set('l_new', newRawEntry({ id: 'l_new', rank: 'a0' }))),
      /l_new\.title: missing/,
    );
    expectRefused(inspect(demoDoc(), (c) => entry(c, 'activities', ACT).delete('title')), /a_known\.title: missing/);
    expectRefused(inspect(demoDoc(), (c) => entry(c, 'activities', ACT).delete('laneId')), /a_known\.laneId: missing/);
  });

  it('[PM6] an id that does not equal its key', () => {
    expectRefused(
      inspect(demoDoc(), (c) =>
        roots(c).activities.set('a_one', newRawEntry({ id: 'a_other', title: 't', laneId: null, rank: 'a0' })),
      ),
      /a_one\.id: does not match/,
    );
    expectRefused(inspect(demoDoc(), (c) => entry(c, 'lanes', 'l_A').set('id', 'l_B')), /l_A\.id: does not match/);
  });

  it('[PM6] a partner value that is not true', () => {
    for (const value of [false, 'yes', 1, null]) {
      const report = inspect(demoDoc(), (c) =>
        (entry(c, 'activities', ACT).get('partners') as Y.Map<unknown>).set('m_bugojno', value),
      );
      expectRefused(report, /partners\.m_bugojno: must be true/);
    }
  });

  it('[PM6] nesting too deep (a map inside partners, in an existing or a new activity)', () => {
    expectRefused(
      inspect(demoDoc(), (c) => (entry(c, 'activities', ACT).get('partners') as Y.Map<unknown>).set('m_x', new Y.Map())),
      /partners\.m_x/,
    );
    expectRefused(
      inspect(demoDoc(), (c) => {
        const partners = new Y.Map<unknown>();
        const inner = new Y.Map<unknown>();
        partners.set('m_x', inner);
        inner.set('deeper', new Y.Map());
        roots(c).activities.set('a_deep', newRawEntry({ id: 'a_deep', title: 't', laneId: null, rank: 'a0', partners }));
      }),
      /a_deep\.partners\.m_x/,
    );
  });

  it('[PM6] a change inside a type nested deeper than activity.partners', () => {
    // A document that already holds deep nesting (written before validation existed)...
    const base = demoDoc();
    const deep = new Y.Map<unknown>();
    entry(base, 'activities', ACT).set('legacy', deep);
    deep.set('inner', new Y.Map<unknown>());
    // ...and an update that changes inside it.
    const report = inspect(base, (c) => ((entry(c, 'activities', ACT).get('legacy') as Y.Map<unknown>).get('inner') as Y.Map<unknown>).set('x', 1));
    expect(report.roots.has('activities')).toBe(true);
    expectRefused(report, /nested too deep/);
  });

  it('[PM6] an unknown key whose value is a Y.Map, a Y.Array or an object', () => {
    expectRefused(inspect(demoDoc(), (c) => entry(c, 'activities', ACT).set('votes', new Y.Map())), /votes: unknown key/);
    expectRefused(inspect(demoDoc(), (c) => entry(c, 'lanes', 'l_A').set('tags', new Y.Array())), /tags: unknown key/);
    expectRefused(inspect(demoDoc(), (c) => entry(c, 'municipalities', 'm_mostar').set('obj', { a: 1 })), /obj: unknown key/);
    expectRefused(inspect(demoDoc(), (c) => roots(c).meta.set('settings', new Y.Map())), /meta\.settings/);
  });

  it('[PM6] a new activity that carries an unknown Y.Map key', () => {
    const report = inspect(demoDoc(), (c) =>
      roots(c).activities.set('a_x', newRawEntry({ id: 'a_x', title: 't', laneId: null, rank: 'a0', blob: new Y.Map() })),
    );
    expectRefused(report, /a_x\.blob: unknown key/);
  });

  it('[PM6] a valid operation on one entry does not hide a bad write to another in the same update', () => {
    const report = inspect(demoDoc(), (c) => {
      c.transact(() => {
        moveActivity(c, ACT, asLaneId('l_B'), 0);
        entry(c, 'lanes', 'l_C').set('title', 7);
      });
    });
    expect([...report.roots].sort()).toEqual(['activities', 'lanes']);
    expectRefused(report, /l_C\.title/);
  });
});
