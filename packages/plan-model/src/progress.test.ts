import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { readBoard } from './board-view.js';
import { demoLaneId, demoMunicipalityId } from './demo.js';
import { setBoardLocked, setLaneLocked } from './facilitation.js';
import { agreePlan, finaliseProblems } from './finalise.js';
import { type ActivityId, asActivityId, asMunicipalityId } from './ids.js';
import { addActivity, addMunicipality, createLane, deleteActivity, editActivity, PlanError } from './operations.js';
import { type Judgement, judgeChange, permissionsFor } from './policy.js';
import { addProgressNote, latestPercent } from './progress.js';
import type { Access } from './roles.js';
import { LIMITS, roots } from './schema.js';
import { demoDoc } from './test/docs.js';
import { type ChangeReport, documentProblems, inspectTransaction } from './validate.js';

const mostar = demoMunicipalityId('mostar');
const bugojno = demoMunicipalityId('bugojno');
const trnovo = demoMunicipalityId('trnovoF');
const facilitator: Access = { role: 'facilitator', municipalityId: null };
const general: Access = { role: 'editor', municipalityId: null };
const forMostar: Access = { role: 'editor', municipalityId: mostar };
const forBugojno: Access = { role: 'editor', municipalityId: bugojno };
const forTrnovo: Access = { role: 'editor', municipalityId: trnovo };

function replicaOf(state: Uint8Array): Y.Doc {
  const replica = new Y.Doc();
  roots(replica);
  Y.applyUpdate(replica, state);
  return replica;
}

/** `run` on a device's copy of `doc`, judged as the server judges it (shadow, inspect, judge). */
function judge(doc: Y.Doc, access: Access, run: (device: Y.Doc) => unknown): Judgement & { problems: readonly string[] } {
  const state = Y.encodeStateAsUpdate(doc);
  const device = replicaOf(state);
  const updates: Uint8Array[] = [];
  device.on('update', (u: Uint8Array) => updates.push(u));
  run(device);
  const before = replicaOf(state);
  const after = replicaOf(state);
  let change: ChangeReport | null = null;
  after.on('afterTransaction', (tr: Y.Transaction) => {
    change = inspectTransaction(tr);
  });
  Y.applyUpdate(after, Y.mergeUpdates(updates));
  if (!change) throw new Error('nothing to judge');
  return { ...judgeChange(before, after, change, access), problems: (change as ChangeReport).problems };
}

const titled = (doc: Y.Doc, title: string) => [...readBoard(doc).activityById.values()].find((a) => a.title === title)!;
/** Mostar leads it, Novi Travnik and Bugojno are partners; Trnovo has nothing to do with it. */
const MOSTAR_ACTIVITY = 'Odluka o LDP-u kao savjetodavnom tijelu';
const rawProgress = (doc: Y.Doc, id: string) => roots(doc).activities.get(id)!.get('progress') as Y.Map<unknown>;

describe('progress notes: schema', () => {
  it('[PM30] a note is a small plain record under its id; the validator checks it strictly', () => {
    const doc = demoDoc();
    const id = titled(doc, MOSTAR_ACTIVITY).id;
    addProgressNote(doc, id, { text: 'Nacrt odluke u proceduri', percent: 40, status: 'in_progress', by: mostar, at: 1_700_000_000_000 });
    expect(documentProblems(doc)).toEqual([]);
    const progress = rawProgress(doc, id);
    const bad: unknown[] = [
      { at: 1, by: null, text: 'x', percent: 101 },
      { at: 1, by: null, text: 'x', percent: 1.5 },
      { at: 1, by: null, text: 'x'.repeat(LIMITS.progressText + 1) },
      { at: 1, by: null, text: 'x', extra: true },
      { at: -1, by: null, text: 'x' },
      { at: 1, by: 'm'.repeat(65), text: 'x' },
      { at: 1, by: null, text: 'x', status: 'almost' },
      { by: null, text: 'x' },
      'just text',
      new Y.Map(),
    ];
    for (const value of bad) {
      const copy = replicaOf(Y.encodeStateAsUpdate(doc));
      let problems: readonly string[] = [];
      copy.on('afterTransaction', (tr: Y.Transaction) => (problems = inspectTransaction(tr).problems));
      (rawProgress(copy, id) as Y.Map<unknown>).set('p_bad', value);
      expect(problems.length, JSON.stringify(value)).toBeGreaterThan(0);
      expect(documentProblems(copy).length).toBeGreaterThan(0);
    }
    void progress;
  });

  it('[PM30] at most LIMITS.progressNotes notes per activity', () => {
    const doc = demoDoc();
    const id = titled(doc, MOSTAR_ACTIVITY).id;
    for (let i = 0; i < LIMITS.progressNotes; i++) addProgressNote(doc, id, { text: `#${i}`, by: null, at: i });
    expect(documentProblems(doc)).toEqual([]);
    expect(() => addProgressNote(doc, id, { text: 'one more', by: null })).toThrow(PlanError);
    rawProgress(doc, id).set('p_extra', { at: 1, by: null, text: 'x' });
    expect(documentProblems(doc).join()).toMatch(/more than 200 notes/);
  });

  it('[PM30] addProgressNote keeps a dated history, sets the status in the same transaction, refuses bad input', () => {
    const doc = demoDoc();
    const id = titled(doc, MOSTAR_ACTIVITY).id;
    let transactions = 0;
    doc.on('afterTransaction', () => transactions++);
    addProgressNote(doc, id, { text: 'Drugi', percent: 60, by: mostar, at: 2_000 });
    addProgressNote(doc, id, { text: 'Prvi', percent: 30, status: 'in_progress', by: bugojno, at: 1_000 });
    addProgressNote(doc, id, { text: 'Treći', status: 'done', by: null, at: 3_000 });
    expect(transactions).toBe(3);
    const a = readBoard(doc).activityById.get(id)!;
    expect(a.progress!.map((n) => [n.text, n.by, n.percent])).toEqual([
      ['Prvi', bugojno, 30],
      ['Drugi', mostar, 60],
      ['Treći', null, undefined],
    ]);
    expect(a.status).toBe('done');
    expect(latestPercent(a)).toBe(60);
    expect(() => addProgressNote(doc, id, { text: 'x', percent: 120, by: null })).toThrow(PlanError);
    expect(() => addProgressNote(doc, id, { text: 'x'.repeat(1001), by: null })).toThrow(PlanError);
    expect(() => addProgressNote(doc, asActivityId('a_none'), { text: 'x', by: null })).toThrow(PlanError);
    // No notes: the key reads as absent (PM9), and a board that had none is unchanged.
    expect(titled(doc, 'Dijalog sa mladima').progress).toBeUndefined();
  });
});

describe('progress notes: write policy', () => {
  const withNote = () => {
    const doc = demoDoc();
    const id = titled(doc, MOSTAR_ACTIVITY).id;
    const noteId = addProgressNote(doc, id, { text: 'Prvi korak', percent: 10, by: mostar, at: 1_000 });
    return { doc, id, noteId };
  };

  it('[PM30] a coordinator of the lead or a partner adds a note signed with its own municipality; the general link signs none', () => {
    const { doc, id } = withNote();
    expect(judge(doc, forMostar, (d) => addProgressNote(d, id, { text: 'Nosilac', by: mostar, status: 'in_progress' })).ok).toBe(true);
    expect(judge(doc, forBugojno, (d) => addProgressNote(d, id, { text: 'Partner', by: bugojno })).ok).toBe(true);
    expect(judge(doc, general, (d) => addProgressNote(d, id, { text: 'Opći link', by: null })).ok).toBe(true);
    const outsider = judge(doc, forTrnovo, (d) => addProgressNote(d, id, { text: 'Ne naše', by: trnovo }));
    expect(outsider).toMatchObject({ ok: false, rule: 'attribution' });
    const spoofed = judge(doc, forBugojno, (d) => addProgressNote(d, id, { text: 'U tuđe ime', by: mostar }));
    expect(spoofed).toMatchObject({ ok: false, rule: 'attribution' });
    expect(judge(doc, general, (d) => addProgressNote(d, id, { text: 'x', by: mostar })).ok).toBe(false);
  });

  it('[PM30] notes are append-only for coordinators: changing or removing one is the facilitator\'s', () => {
    const { doc, id, noteId } = withNote();
    const rewrite = (d: Y.Doc) => rawProgress(d, id).set(noteId, { at: 1_000, by: mostar, text: 'Prepravljeno', percent: 90 });
    const remove = (d: Y.Doc) => rawProgress(d, id).delete(noteId);
    const replaceMap = (d: Y.Doc) => roots(d).activities.get(id)!.set('progress', new Y.Map());
    for (const run of [rewrite, remove, replaceMap]) {
      expect(judge(doc, forMostar, run)).toMatchObject({ ok: false, rule: 'attribution' });
      expect(judge(doc, general, run)).toMatchObject({ ok: false, rule: 'attribution' });
      expect(judge(doc, facilitator, run).ok).toBe(true);
    }
    // Deleting the whole activity (open to every coordinator, PM23) takes its notes with it.
    expect(judge(doc, forTrnovo, (d) => deleteActivity(d, id)).ok).toBe(true);
  });

  it('[PM30] a lock holds the plan, not its follow-through: a note (with its status) goes on, other edits do not', () => {
    const { doc, id } = withNote();
    setBoardLocked(doc, true);
    expect(judge(doc, forMostar, (d) => addProgressNote(d, id, { text: 'Nakon usaglašavanja', status: 'done', percent: 100, by: mostar })).ok).toBe(true);
    expect(judge(doc, forMostar, (d) => editActivity(d, id, { status: 'done' }))).toMatchObject({ ok: false, rule: 'lock' });
    expect(
      judge(doc, forMostar, (d) => {
        addProgressNote(d, id, { text: 'i naslov', by: mostar });
        editActivity(d, id, { title: 'Drugi naslov' });
      }),
    ).toMatchObject({ ok: false, rule: 'lock' });
    setBoardLocked(doc, false);
    setLaneLocked(doc, demoLaneId('A'), true);
    expect(judge(doc, forBugojno, (d) => addProgressNote(d, id, { text: 'U zaključanoj oblasti', by: bugojno })).ok).toBe(true);
  });

  it('[PM24][PM30] permissionsFor offers a note exactly where the judge accepts one', () => {
    const { doc, id } = withNote();
    setBoardLocked(doc, true);
    const cases: [Access, string | null][] = [
      [facilitator, null],
      [general, null],
      [forMostar, mostar],
      [forBugojno, bugojno],
      [forTrnovo, trnovo],
    ];
    for (const [access, by] of cases) {
      const allowed = permissionsFor(access, readBoard(doc)).canAddProgressNote(id);
      const judged = judge(doc, access, (d) => addProgressNote(d, id, { text: 'x', by: by as never })).ok;
      expect(allowed, JSON.stringify(access)).toBe(judged);
    }
    expect(permissionsFor({ role: 'viewer', municipalityId: null }, readBoard(doc)).canAddProgressNote(id)).toBe(false);
    expect(permissionsFor(facilitator, readBoard(doc)).canChangeProgress).toBe(true);
    expect(permissionsFor(forMostar, readBoard(doc)).canChangeProgress).toBe(false);
  });

  it('[PM12] readBoard keeps an activity\'s identity while its notes are unchanged', () => {
    const { doc, id } = withNote();
    const first = readBoard(doc);
    editActivity(doc, titled(doc, 'Dijalog sa mladima').id, { title: 'Drugo' });
    const second = readBoard(doc, first);
    expect(second.activityById.get(id)).toBe(first.activityById.get(id));
    addProgressNote(doc, id, { text: 'Novo', by: null });
    expect(readBoard(doc, second).activityById.get(id)).not.toBe(first.activityById.get(id));
  });
});

describe('finalising the plan', () => {
  function board() {
    const doc = new Y.Doc();
    const m = addMunicipality(doc, { name: 'Grad Mostar', color: '#9467bd' }, { id: asMunicipalityId('m_mostar') });
    const lane = createLane(doc, { title: 'Učešće građana' });
    const archived = createLane(doc, { title: 'Stara oblast' });
    const full = addActivity(doc, { title: 'Potpuna', leadId: m, timeframe: '2023-Q2', responsible: 'koordinatorica LDP-a', indicator: '2 javne rasprave' }, { laneId: lane });
    const partial = addActivity(doc, { title: 'Djelimična', leadId: asMunicipalityId('m_gone'), timeframe: '2023-Q3', responsible: '  ' }, { laneId: lane });
    const pooled = addActivity(doc, { title: 'Neraspoređena' }, { laneId: null });
    const put = addActivity(doc, { title: 'Arhivirana' }, { laneId: archived });
    roots(doc).lanes.get(archived)!.set('archived', true);
    return { doc, lane, full, partial, pooled, put };
  }

  it('[PM29] every placed activity needs a lead on the board, a timeframe, a responsible role and an indicator', () => {
    const { doc, lane, partial } = board();
    expect(finaliseProblems(readBoard(doc))).toEqual([
      { activityId: partial, laneId: lane, title: 'Djelimična', missing: ['leadId', 'responsible', 'indicator'] },
    ]);
    // The demo plan has no responsible roles or indicators yet: every placed activity has gaps.
    const demo = readBoard(demoDoc());
    const placed = demo.lanes.flatMap((l) => l.activities).length;
    expect(finaliseProblems(demo)).toHaveLength(placed);
  });

  it('[PM29][PM30] agreePlan locks the board and gives every activity its map of notes, in one transaction', () => {
    const { doc, full } = board();
    roots(doc).activities.get(full)!.delete('progress'); // as an activity from before progress notes
    let transactions = 0;
    doc.on('afterTransaction', () => transactions++);
    agreePlan(doc);
    expect(transactions).toBe(1);
    expect(readBoard(doc).meta.locked).toBe(true);
    for (const entry of roots(doc).activities.values()) expect(entry.get('progress')).toBeInstanceOf(Y.Map);
    expect(documentProblems(doc)).toEqual([]);
    void (full as ActivityId);
  });
});
