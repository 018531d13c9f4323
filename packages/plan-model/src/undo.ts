import * as Y from 'yjs';
import { localOrigin } from './origins.js';
import { attributionViolations } from './attribution.js';
import { lockViolations } from './facilitation.js';
import { roots } from './schema.js';
import { type ChangeReport, inspectTransaction } from './validate.js';
import { voteViolations } from './votes.js';

/**
 * Undo and redo of this replica's own changes only: the manager tracks the local
 * origin, so edits that arrive from others are never undone here. Each operation is
 * one transaction, hence one step (no time-based merging of steps).
 */
export function createUndoManager(doc: Y.Doc): Y.UndoManager {
  const r = roots(doc);
  return new Y.UndoManager([r.meta, r.municipalities, r.lanes, r.activities], {
    trackedOrigins: new Set([localOrigin]),
    captureTimeout: 0,
  });
}

/**
 * Why the server would refuse the next undo (or redo) of a coordinator speaking for
 * `municipalityId` (empty = it would not): the step is tried on a scratch copy of the document
 * and judged by the server's own checks. Undoing can touch what was locked since, or bring
 * back another municipality's activity that this person deleted; sent anyway, the refusal
 * would cost the connection.
 */
export function undoStepProblems(doc: Y.Doc, manager: Y.UndoManager, which: 'undo' | 'redo', municipalityId: string | null): string[] {
  const step = (which === 'undo' ? manager.undoStack : manager.redoStack).at(-1);
  if (!step) return [];
  // No garbage collection: the step brings back deleted items, whose content must be there.
  const copy = (): Y.Doc => {
    const replica = new Y.Doc({ gc: false });
    roots(replica);
    Y.applyUpdate(replica, Y.encodeStateAsUpdate(doc));
    return replica;
  };
  const before = copy();
  const after = copy();
  const r = roots(after);
  const scratch = new Y.UndoManager([r.meta, r.municipalities, r.lanes, r.activities], { trackedOrigins: new Set([localOrigin]), captureTimeout: 0 });
  (which === 'undo' ? scratch.undoStack : scratch.redoStack).push(step);
  let report: ChangeReport | null = null;
  after.on('afterTransaction', (tr: Y.Transaction) => {
    if (tr.origin === scratch) report = inspectTransaction(tr);
  });
  try {
    if (which === 'undo') scratch.undo();
    else scratch.redo();
    const change = report as ChangeReport | null;
    if (!change) return [];
    return [
      ...change.problems,
      ...lockViolations(before, after, change.activities),
      ...attributionViolations(before, after, change.activities, municipalityId),
      ...voteViolations(change.votes, municipalityId),
    ];
  } finally {
    scratch.destroy();
    before.destroy();
    after.destroy();
  }
}
