import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { readBoard } from './board-view.js';
import { demoLaneId, seedDemoBoard } from './demo.js';
import { addActivity, deleteActivity, editActivity, moveActivity } from './operations.js';
import { setBoardLocked, setLaneLocked } from './facilitation.js';
import { createUndoManager, undoLockViolations } from './undo.js';

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

describe('undoLockViolations', () => {
  it('[PM18] a coordinator may not undo or redo into, out of, or inside what the facilitator locked since', () => {
    const { a, b } = pair(); // a: a coordinator, b: the facilitator
    const undo = createUndoManager(a);
    const inB = find(a, 'Dijalog sa mladima');
    editActivity(a, inB.id, { status: 'postponed' });
    expect(undoLockViolations(a, undo, 'undo')).toEqual([]);
    setLaneLocked(b, demoLaneId('B'), true);
    expect(undoLockViolations(a, undo, 'undo')).toEqual([`activity ${inB.id} is in a locked lane`]);
    setLaneLocked(b, demoLaneId('B'), false);
    expect(undoLockViolations(a, undo, 'undo')).toEqual([]);

    // Undo a move out of B while D is locked: fine (D is not involved); redo back into D is not.
    moveActivity(a, inB.id, demoLaneId('D'), 0);
    undo.undo();
    expect(find(a, 'Dijalog sa mladima').laneId).toBe(demoLaneId('B'));
    setLaneLocked(b, demoLaneId('D'), true);
    expect(undoLockViolations(a, undo, 'redo')).toContain(`lane ${demoLaneId('D')} is locked`);
    setLaneLocked(b, demoLaneId('D'), false);
    expect(undoLockViolations(a, undo, 'redo')).toEqual([]);

    setBoardLocked(b, true);
    expect(undoLockViolations(a, undo, 'redo')).toEqual(['the board is locked']);
    expect(undoLockViolations(b, createUndoManager(b), 'undo')).toEqual([]); // nothing to undo
  });
});
