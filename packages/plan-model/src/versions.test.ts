import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { readBoard } from './board-view.js';
import { demoLaneId, demoMunicipalityId } from './demo.js';
import { setBoardLocked, setLaneArchived, setLaneLocked, setTimer, timerTransitions } from './facilitation.js';
import { addActivity, deleteActivity, editActivity, moveActivity, setActivityPartner, setBoardTitle } from './operations.js';
import { judgeChange } from './policy.js';
import { addProgressNote } from './progress.js';
import type { Access } from './roles.js';
import { demoDoc } from './test/docs.js';
import { createUndoManager } from './undo.js';
import { type ChangeReport, documentProblems, inspectTransaction } from './validate.js';
import { diffBoards, readVersionSignals, restoreVersion, summarizeBoard, versionMoments } from './versions.js';
import { openVote, revealVote } from './votes.js';

const facilitator: Access = { role: 'facilitator', municipalityId: null };
const coordinator: Access = { role: 'editor', municipalityId: null };

const copyOf = (doc: Y.Doc): Y.Doc => {
  const copy = new Y.Doc();
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
  return copy;
};

/** What the live board shows of the plan (no facilitation, no votes). */
const plan = (doc: Y.Doc) => {
  const view = readBoard(doc);
  return {
    title: view.meta.title,
    municipalities: view.municipalities,
    lanes: [...view.lanes, ...view.archivedLanes].map((l) => ({ lane: l.lane, activities: l.activities })),
    unplaced: view.unplaced,
  };
};

const find = (doc: Y.Doc, title: string) => [...readBoard(doc).activityById.values()].find((x) => x.title === title)!;

/** The live board after a morning of work: moves, edits, a deletion, a new card, partners, title. */
function workOn(doc: Y.Doc): void {
  moveActivity(doc, find(doc, 'Dijalog sa mladima').id, demoLaneId('D'), 0);
  editActivity(doc, find(doc, 'Razmjena vijeća mladih').id, { status: 'done', timeframe: '2024-Q1' });
  deleteActivity(doc, find(doc, 'Mapa prostora za mlade').id);
  addActivity(doc, { title: 'Nova aktivnost', leadId: demoMunicipalityId('mostar') }, { laneId: demoLaneId('A') });
  setActivityPartner(doc, find(doc, 'Katalog usluga u regiji').id, demoMunicipalityId('bugojno'), true);
  setBoardTitle(doc, 'Drugi naslov');
}

describe('restoreVersion', () => {
  it('[PM26] makes the plan equal to the version in one transaction, keeping ids; facilitation and votes stay', () => {
    const doc = demoDoc();
    const version = copyOf(doc);
    const deletedId = find(doc, 'Mapa prostora za mlade').id;
    workOn(doc);
    setTimer(doc, timerTransitions.set(300_000));
    const voteId = openVote(doc, { laneId: null, dots: 3 }, 1_790_000_000_000);
    let transactions = 0;
    doc.on('afterTransaction', () => transactions++);

    restoreVersion(doc, version);

    expect(transactions).toBe(1);
    expect(plan(doc)).toEqual(plan(version));
    expect(find(doc, 'Mapa prostora za mlade').id).toBe(deletedId);
    expect(readBoard(doc).facilitation.timer?.durationMs).toBe(300_000);
    expect(readBoard(doc).votes.map((v) => v.id)).toEqual([voteId]);
    expect(documentProblems(doc)).toEqual([]);
  });

  it('[PM26] passes the write policy for a facilitator, not for a coordinator', () => {
    const doc = demoDoc();
    const version = copyOf(doc);
    workOn(doc);
    const after = copyOf(doc);
    let change: ChangeReport | null = null;
    after.on('afterTransaction', (tr: Y.Transaction) => {
      change = inspectTransaction(tr);
    });
    restoreVersion(after, version);
    expect(change).not.toBeNull();
    expect(judgeChange(doc, after, change!, facilitator)).toEqual({ ok: true });
    expect(judgeChange(doc, after, change!, coordinator).ok).toBe(false);
  });

  it('[PM26] the facilitator undoes the restore in one step', () => {
    const doc = demoDoc();
    const version = copyOf(doc);
    workOn(doc);
    const worked = plan(doc);
    const undo = createUndoManager(doc);
    restoreVersion(doc, version);
    expect(plan(doc)).toEqual(plan(version));
    undo.undo();
    expect(plan(doc)).toEqual(worked);
    undo.redo();
    expect(plan(doc)).toEqual(plan(version));
  });

  it('[PM26] an offline edit merges on top of the restore where it does not conflict; both replicas converge', () => {
    const a = demoDoc();
    const version = copyOf(a);
    workOn(a);
    const b = copyOf(a); // a coordinator's device, then offline
    const katalog = find(b, 'Katalog usluga u regiji').id;
    editActivity(b, katalog, { description: 'Napisano bez mreže' });
    setActivityPartner(b, find(b, 'Forum građana „Dva Trnova"').id, demoMunicipalityId('mostar'), true);

    restoreVersion(a, version);

    const fromA = Y.encodeStateAsUpdate(a, Y.encodeStateVector(b));
    const fromB = Y.encodeStateAsUpdate(b, Y.encodeStateVector(a));
    Y.applyUpdate(b, fromA);
    Y.applyUpdate(a, fromB);
    expect(plan(a)).toEqual(plan(b));
    expect(find(a, 'Katalog usluga u regiji').description).toBe('Napisano bez mreže');
    // The partner the restore removed (Bugojno) is gone, the one joined offline (Mostar) stays.
    expect(find(a, 'Katalog usluga u regiji').partners).not.toContain(demoMunicipalityId('bugojno'));
    expect(find(a, 'Forum građana „Dva Trnova"').partners).toContain(demoMunicipalityId('mostar'));
    expect(find(a, 'Dijalog sa mladima').laneId).toBe(demoLaneId('B'));
    expect(readBoard(a).meta.title).toBe(readBoard(version).meta.title);
    expect(documentProblems(a)).toEqual([]);
  });

  it('[PM26][PM30] progress notes written since the version stay: a restore never rolls the history back', () => {
    const live = demoDoc();
    const version = copyOf(live);
    const id = find(live, 'Razmjena vijeća mladih').id;
    addProgressNote(live, id, { text: 'Održan prvi sastanak', percent: 20, by: null });
    editActivity(live, id, { title: 'Preimenovano' });
    restoreVersion(live, version);
    const restored = readBoard(live).activityById.get(id)!;
    expect(restored.title).toBe('Razmjena vijeća mladih');
    expect((restored.progress ?? []).map((n) => n.text)).toEqual(['Održan prvi sastanak']);
    expect(documentProblems(live)).toEqual([]);
  });

  it('[PM26] restoring an unchanged board writes nothing', () => {
    const doc = demoDoc();
    const updates: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => updates.push(u));
    restoreVersion(doc, copyOf(doc));
    expect(updates).toHaveLength(0);
  });
});

describe('diffBoards and summarizeBoard', () => {
  it('[PM27] groups added, moved, edited, partner and removed changes by lead (or proposer)', () => {
    const doc = demoDoc();
    const before = readBoard(doc);
    workOn(doc);
    addActivity(doc, { title: 'Bez nosioca' }, { laneId: null }, { createdBy: demoMunicipalityId('bugojno') });
    const diff = diffBoards(before, readBoard(doc));
    expect(diff.title).toEqual({ before: before.meta.title, after: 'Drugi naslov' });
    const by = (key: Parameters<typeof demoMunicipalityId>[0]) =>
      diff.municipalities.find((m) => m.municipalityId === demoMunicipalityId(key))?.changes.map((c) => ({ ...c, activityId: undefined }));
    expect(by('mostar')).toEqual([
      { kind: 'added', activityId: undefined, title: 'Nova aktivnost', laneId: demoLaneId('A') },
      { kind: 'edited', activityId: undefined, title: 'Razmjena vijeća mladih', fields: ['timeframe', 'status'] },
    ]);
    expect(by('novoSarajevo')).toEqual([
      { kind: 'moved', activityId: undefined, title: 'Dijalog sa mladima', fromLaneId: demoLaneId('B'), toLaneId: demoLaneId('D') },
    ]);
    expect(by('istocnoSarajevo')).toEqual([
      { kind: 'partnerJoined', activityId: undefined, title: 'Katalog usluga u regiji', municipalityId: demoMunicipalityId('bugojno') },
    ]);
    expect(by('trnovoRS')).toEqual([{ kind: 'removed', activityId: undefined, title: 'Mapa prostora za mlade', laneId: demoLaneId('B') }]);
    expect(by('bugojno')?.map((c) => c.kind)).toEqual(['added']);
    expect(diff.count).toBe(6);
    expect(diffBoards(before, before)).toEqual({ title: null, municipalities: [], count: 0 });
  });

  it('[PM27] summarizes a board in one Bosnian line with plural forms', () => {
    const doc = demoDoc();
    expect(summarizeBoard(readBoard(doc))).toBe('15 aktivnosti u 4 oblasti, 8 općina');
    const empty = new Y.Doc();
    setBoardTitle(empty, 'Prazna');
    expect(summarizeBoard(readBoard(empty))).toBe('0 aktivnosti u 0 oblasti, 0 općina');
    addActivity(empty, { title: 'Jedna' });
    expect(summarizeBoard(readBoard(empty))).toBe('1 aktivnost u 0 oblasti, 0 općina');
  });
});

describe('versionMoments', () => {
  it('[PM28] names a vote revealed, a lane locked and the board locked, once each', () => {
    const doc = demoDoc();
    const s0 = readVersionSignals(doc);
    const voteId = openVote(doc, { laneId: null, dots: 3 }, 1_790_000_000_000);
    const s1 = readVersionSignals(doc);
    expect(versionMoments(s0, s1)).toEqual([]);
    revealVote(doc, voteId);
    setLaneLocked(doc, demoLaneId('A'), true);
    setLaneLocked(doc, demoLaneId('B'), true);
    setBoardLocked(doc, true);
    const s2 = readVersionSignals(doc);
    expect(versionMoments(s1, s2)).toEqual(['voteRevealed', 'laneLocked', 'boardLocked']);
    expect(versionMoments(s2, s2)).toEqual([]);
    setLaneLocked(doc, demoLaneId('A'), false);
    setBoardLocked(doc, false);
    expect(versionMoments(s2, readVersionSignals(doc))).toEqual([]);
  });

  it('[PM28] a lane locked while archived is a moment too; activities are not read', () => {
    const doc = demoDoc();
    const before = readVersionSignals(doc);
    setLaneArchived(doc, demoLaneId('C'), true);
    setLaneLocked(doc, demoLaneId('C'), true);
    expect(versionMoments(before, readVersionSignals(doc))).toEqual(['laneLocked']);
  });

  it('[PM28] the signals give the running timer’s end, null otherwise', () => {
    const doc = demoDoc();
    expect(readVersionSignals(doc).timerEndsAt).toBeNull();
    setTimer(doc, timerTransitions.start(timerTransitions.set(60_000), 1_000));
    expect(readVersionSignals(doc).timerEndsAt).toBe(61_000);
    setTimer(doc, timerTransitions.pause(readBoard(doc).facilitation.timer!, 2_000));
    expect(readVersionSignals(doc).timerEndsAt).toBeNull();
  });
});
