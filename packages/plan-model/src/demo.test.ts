import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { readBoard } from './board-view.js';
import { DEMO_TITLE, demoLaneId, demoMunicipalityId, seedDemoBoard, seedEmptyBoard } from './demo.js';
import { seedOrigin } from './origins.js';
import { roots } from './schema.js';
import { documentProblems } from './validate.js';

function demo() {
  const doc = new Y.Doc();
  seedDemoBoard(doc);
  return { doc, view: readBoard(doc) };
}

describe('seedDemoBoard', () => {
  it('seeds 8 municipalities, 4 lanes and 15 activities, 2 of them unplaced', () => {
    const { view } = demo();
    expect(view.meta.title).toBe(DEMO_TITLE);
    expect(view.municipalities).toHaveLength(8);
    expect(view.lanes).toHaveLength(4);
    expect(view.activityById.size).toBe(15);
    expect(view.unplaced).toHaveLength(2);
    expect(view.lanes.map((l) => l.activities.length)).toEqual([4, 4, 4, 1]);
  });

  it('keeps the lanes in order A-D with their titles', () => {
    const { view } = demo();
    expect(view.lanes.map((l) => l.lane.id)).toEqual(['A', 'B', 'C', 'D'].map((k) => demoLaneId(k as 'A')));
    expect(view.lanes[0]!.lane.title).toBe('Učešće građana u odlučivanju');
    expect(view.lanes[3]!.lane.title).toBe('Održivost LDP-a i međuopštinska saradnja');
  });

  it('keeps the activities of a lane in the order they were listed', () => {
    const { view } = demo();
    expect(view.lanes[0]!.activities.map((a) => a.title)).toEqual([
      'Zajednički model javnih konsultacija',
      'Odluka o LDP-u kao savjetodavnom tijelu',
      'Forum građana „Dva Trnova"',
      'Obuka mladih kofacilitatora',
    ]);
  });

  it('"Konstituirajući sastanak MLDP-a" has all 7 other municipalities as partners', () => {
    const { view } = demo();
    const meeting = [...view.activityById.values()].find((a) => a.title === 'Konstituirajući sastanak MLDP-a')!;
    expect(meeting.laneId).toBe(demoLaneId('D'));
    expect(meeting.leadId).toBe(demoMunicipalityId('istocnoNovoSarajevo'));
    expect(meeting.status).toBe('done');
    const others = view.municipalities.map((m) => m.id).filter((id) => id !== meeting.leadId);
    expect(others).toHaveLength(7);
    expect(meeting.partners).toEqual([...others].sort());
  });

  it('names both Trnovos in their own form', () => {
    const { view } = demo();
    expect(view.municipalityById.get(demoMunicipalityId('trnovoF'))!.name).toBe('Općina Trnovo');
    expect(view.municipalityById.get(demoMunicipalityId('trnovoRS'))!.name).toBe('Opština Trnovo');
  });

  it('[PM9] stores status "planned" as absent and the others as values', () => {
    const { doc, view } = demo();
    for (const a of view.activityById.values()) {
      const raw = roots(doc).activities.get(a.id)!;
      if (a.status === 'planned') expect(raw.has('status')).toBe(false);
      else expect(raw.get('status')).toBe(a.status);
    }
    expect([...view.activityById.values()].filter((a) => a.status === 'done')).toHaveLength(4);
  });

  it('[PM6] is a valid schema v1 document', () => {
    const { doc } = demo();
    expect(documentProblems(doc)).toEqual([]);
    expect(roots(doc).meta.get('schemaVersion')).toBe(1);
  });

  it('[PM5] seeds in one transaction with the seed origin', () => {
    const doc = new Y.Doc();
    const origins: unknown[] = [];
    doc.on('afterTransaction', (tr: Y.Transaction) => origins.push(tr.origin));
    seedDemoBoard(doc);
    expect(origins).toEqual([seedOrigin]);
  });
});

describe('seedEmptyBoard', () => {
  it('writes a title and nothing else', () => {
    const doc = new Y.Doc();
    seedEmptyBoard(doc, 'Prazna tabla');
    const view = readBoard(doc);
    expect(view.meta.title).toBe('Prazna tabla');
    expect(view.lanes).toEqual([]);
    expect(view.activityById.size).toBe(0);
    expect(documentProblems(doc)).toEqual([]);
  });
});
