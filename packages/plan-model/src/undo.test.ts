import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { readBoard } from './board-view.js';
import { demoLaneId, seedDemoBoard } from './demo.js';
import { addActivity, deleteActivity, editActivity, moveActivity } from './operations.js';
import { setBoardLocked, setLaneLocked } from './facilitation.js';
import type { Access } from './roles.js';
import { createUndoManager, dropUndoStep, undoStepProblems } from './undo.js';

function pair() {
  const seed = new Y.Doc();
  seedDemoBoard(seed);
  const a = new Y.Doc();
  const b = new Y.Doc();
  Y.applyUpdate(a, Y.encodeStateAsUpdate(seed));
  Y.applyUpdate(b, Y.encodeStateAsUpdate(seed));
  // Live sync both ways, as the server would relay.
  a.on('update', (u: Uint8Array, origin: unknown) => origin !== 'b' && Y.applyUpdate(b, u, 'a'));
  b.on('update', (u: Uint8Array, origin: unknown) => origin !== 'a' && Y.applyUpdate(a, u, 'b'));
  return { a, b };
}

/** Coordinators' links: one bound to no municipality, one bound to Bugojno. */
const coordinator: Access = { role: 'editor', municipalityId: null };
const bugojno: Access = { role: 'editor', municipalityId: 'm_bugojno' };

const find = (doc: Y.Doc, title: string) => [...readBoard(doc).activityById.values()].find((x) => x.title === title)!;

describe('createUndoManager', () => {
  it('[PM15] undoes and redoes only this replica’s own changes, one operation per step', () => {
    const { a, b } = pair();
    const undo = createUndoManager(a);
    const mine = find(a, 'Dijalog sa mladima');
    const theirs = find(a, 'Razmjena vijeća mladih');

    moveActivity(a, mine.id, demoLaneId('D'), 0);
    editActivity(a, mine.id, { status: 'postponed' });
    editActivity(b, theirs.id, { title: 'Razmjena vijeća mladih (nova)' });
    expect(find(b, 'Dijalog sa mladima').laneId).toBe(demoLaneId('D'));

    undo.undo(); // the status edit
    expect(find(a, 'Dijalog sa mladima').status).toBe('done');
    expect(find(a, 'Dijalog sa mladima').laneId).toBe(demoLaneId('D'));
    undo.undo(); // the move
    expect(find(a, 'Dijalog sa mladima').laneId).toBe(demoLaneId('B'));
    expect(find(b, 'Dijalog sa mladima').laneId).toBe(demoLaneId('B'));
    // Someone else's change is never undone here.
    expect(undo.canUndo()).toBe(false);
    expect(find(a, 'Razmjena vijeća mladih (nova)')).toBeDefined();

    undo.redo();
    expect(find(b, 'Dijalog sa mladima').laneId).toBe(demoLaneId('D'));
  });

  it('[PM15] undo of an add removes the activity; undo of a delete brings it back with its fields', () => {
    const { a, b } = pair();
    const undo = createUndoManager(a);
    addActivity(a, { title: 'Nova aktivnost', leadId: undefined, timeframe: '2024-Q1' }, { laneId: demoLaneId('A') });
    expect(find(b, 'Nova aktivnost')).toBeDefined();
    undo.undo();
    expect(find(b, 'Nova aktivnost')).toBeUndefined();

    const victim = find(a, 'Katalog usluga u regiji');
    deleteActivity(a, victim.id);
    expect(find(b, 'Katalog usluga u regiji')).toBeUndefined();
    undo.undo();
    const back = find(b, 'Katalog usluga u regiji');
    expect(back).toMatchObject({ laneId: victim.laneId, timeframe: victim.timeframe, partners: victim.partners, leadId: victim.leadId });
  });
});

describe('undoStepProblems (what the server would say of the next step)', () => {
  it('[PM18] a coordinator may not undo or redo into, out of, or inside what the facilitator locked since', () => {
    const { a, b } = pair(); // a: a coordinator, b: the facilitator
    const undo = createUndoManager(a);
    const inB = find(a, 'Dijalog sa mladima');
    editActivity(a, inB.id, { status: 'postponed' });
    expect(undoStepProblems(a, undo, 'undo', coordinator)).toEqual([]);
    setLaneLocked(b, demoLaneId('B'), true);
    expect(undoStepProblems(a, undo, 'undo', coordinator)).toEqual([`activity ${inB.id} is in a locked lane`]);
    setLaneLocked(b, demoLaneId('B'), false);
    expect(undoStepProblems(a, undo, 'undo', coordinator)).toEqual([]);

    // Undo a move out of B while D is locked: fine (D is not involved); redo back into D is not.
    moveActivity(a, inB.id, demoLaneId('D'), 0);
    undo.undo();
    expect(find(a, 'Dijalog sa mladima').laneId).toBe(demoLaneId('B'));
    setLaneLocked(b, demoLaneId('D'), true);
    expect(undoStepProblems(a, undo, 'redo', coordinator)).toEqual([`activity ${inB.id} is in a locked lane`]);
    setLaneLocked(b, demoLaneId('D'), false);
    expect(undoStepProblems(a, undo, 'redo', coordinator)).toEqual([]);

    setBoardLocked(b, true);
    expect(undoStepProblems(a, undo, 'redo', coordinator)).toEqual(['the board is locked']);
    // [PM24] The same judge as the server's: locks do not hold the facilitator; a viewer writes nothing.
    expect(undoStepProblems(a, undo, 'redo', { role: 'facilitator', municipalityId: null })).toEqual([]);
    expect(undoStepProblems(a, undo, 'redo', { role: 'viewer', municipalityId: null })).toEqual(['viewer cannot change activities']);
    expect(undoStepProblems(b, createUndoManager(b), 'undo', coordinator)).toEqual([]); // nothing to undo
  });

  it('[PM23] bringing back another municipality\'s deleted activity would be refused; one\'s own comes back', () => {
    const { a, b } = pair(); // a: Bugojno's coordinator, b: Mostar's
    const undo = createUndoManager(a);
    const mostars = addActivity(b, { title: 'Mostarska' }, { laneId: demoLaneId('A') }, { createdBy: 'm_mostar' as never });
    deleteActivity(a, mostars);
    expect(undoStepProblems(a, undo, 'undo', bugojno)[0]).toMatch(/added by/);
    // Set aside, the step below comes within reach again.
    let popped = 0;
    undo.on('stack-item-popped', () => popped++);
    const depth = undo.undoStack.length;
    dropUndoStep(a, undo, 'undo');
    expect([undo.undoStack.length, popped]).toEqual([depth - 1, 1]);
    expect(find(b, 'Mostarska')).toBeUndefined(); // nothing was done
    const own = addActivity(a, { title: 'Bugojanska' }, { laneId: demoLaneId('A') }, { createdBy: 'm_bugojno' as never });
    deleteActivity(a, own);
    expect(undoStepProblems(a, undo, 'undo', bugojno)).toEqual([]);
    undo.undo();
    expect(find(b, 'Bugojanska').createdBy).toBe('m_bugojno');
    expect(undoStepProblems(a, undo, 'undo', bugojno)).toEqual([]); // undoing the add: a delete
  });

  it('[PM18] follows the real undo: the same card moved twice, a step redone before, a step that changes nothing', () => {
    const { a, b } = pair();
    const undo = createUndoManager(a);
    const card = find(a, 'Dijalog sa mladima');
    // Moved B -> C -> D, undone once (back in C); lane B locked; the next undo would move it back into B.
    moveActivity(a, card.id, demoLaneId('C'), 0);
    moveActivity(a, card.id, demoLaneId('D'), 0);
    undo.undo();
    setLaneLocked(b, demoLaneId('B'), true);
    expect(undoStepProblems(a, undo, 'undo', coordinator)).toEqual([`activity ${card.id} is in a locked lane`]);
    setLaneLocked(b, demoLaneId('B'), false);

    // Edited twice, both undone, one redone: redoing the second edit touches a lane locked since.
    const other = find(a, 'Razmjena vijeća mladih');
    editActivity(a, other.id, { status: 'postponed' });
    editActivity(a, other.id, { status: 'in_progress' });
    undo.undo();
    undo.undo();
    undo.redo();
    setLaneLocked(b, demoLaneId('B'), true);
    expect(undoStepProblems(a, undo, 'redo', coordinator)).toEqual([`activity ${other.id} is in a locked lane`]);
    setLaneLocked(b, demoLaneId('B'), false);

    // The top step changes nothing any more (its card was deleted by someone else): the real undo
    // passes over it to the one below, a move out of a lane locked since.
    const fresh = createUndoManager(a);
    const moved = find(a, 'Mapa prostora za mlade');
    moveActivity(a, moved.id, demoLaneId('A'), 0);
    const gone = find(a, 'Radionice o propisima za mlade');
    editActivity(a, gone.id, { status: 'done' });
    deleteActivity(b, gone.id);
    setLaneLocked(b, demoLaneId('A'), true);
    expect(undoStepProblems(a, fresh, 'undo', coordinator)).toEqual([`activity ${moved.id} is in a locked lane`]);
  });
});
