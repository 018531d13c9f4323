import * as Y from 'yjs';
import { localOrigin } from './origins.js';
import { judgeChange } from './policy.js';
import type { Access } from './roles.js';
import { roots } from './schema.js';
import { type ChangeReport, inspectTransaction } from './validate.js';

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
 * Why the server would refuse the next undo (or redo) of this link (`access`; empty = it would
 * not): the step is tried on a scratch copy of the document and judged by the server's own
 * judge (`judgeChange`, PM24), so at most one reason. Undoing can touch what was locked since,
 * or bring back another municipality's activity that this person deleted; sent anyway, the
 * refusal would cost the connection.
 */
export function undoStepProblems(doc: Y.Doc, manager: Y.UndoManager, which: 'undo' | 'redo', access: Access): string[] {
  const trial = tryStep(doc, manager, which);
  try {
    const { change, before, after } = trial;
    if (!change) return [];
    const judgement = judgeChange(before, after, change, access);
    return judgement.ok ? [] : [judgement.reason];
  } finally {
    trial.dispose();
  }
}

/**
 * Sets aside the step the next undo (or redo) would do, without doing it: for a step the server
 * would refuse (undoStepProblems), so the older ones stay within reach. Steps above it that
 * change nothing any more stay where they are, as the real undo would pass over them too.
 */
export function dropUndoStep(doc: Y.Doc, manager: Y.UndoManager, which: 'undo' | 'redo'): void {
  const trial = tryStep(doc, manager, which);
  try {
    if (!trial.change) return;
    const stack = which === 'undo' ? manager.undoStack : manager.redoStack;
    const [stackItem] = stack.splice(trial.index, 1);
    if (stackItem) manager.emit('stack-item-popped', [{ stackItem, type: which, changedParentTypes: new Map(), origin: manager }, manager]);
  } finally {
    trial.dispose();
  }
}

/**
 * The next undo (or redo) done on a scratch copy: what it changed (null = nothing), the copy
 * before and after, and which step of the real stack it did. No garbage collection in the copy:
 * the step brings back deleted items, whose content must be there.
 */
function tryStep(doc: Y.Doc, manager: Y.UndoManager, which: 'undo' | 'redo') {
  const copy = (): Y.Doc => {
    const replica = new Y.Doc({ gc: false });
    roots(replica);
    Y.applyUpdate(replica, Y.encodeStateAsUpdate(doc));
    return replica;
  };
  const before = copy();
  const after = copy();
  mirrorRedone(doc, after);
  const r = roots(after);
  // Both whole stacks: a step that no longer changes anything is passed over, as the real one would.
  const scratch = new Y.UndoManager([r.meta, r.municipalities, r.lanes, r.activities], { trackedOrigins: new Set([localOrigin]), captureTimeout: 0 });
  scratch.undoStack = manager.undoStack.slice();
  scratch.redoStack = manager.redoStack.slice();
  let change: ChangeReport | null = null;
  after.on('afterTransaction', (tr: Y.Transaction) => {
    if (tr.origin === scratch) change = inspectTransaction(tr);
  });
  if ((which === 'undo' ? scratch.undoStack : scratch.redoStack).length > 0) {
    if (which === 'undo') scratch.undo();
    else scratch.redo();
  }
  // The scratch popped from the top down to the step it did.
  const index = (which === 'undo' ? scratch.undoStack : scratch.redoStack).length;
  return {
    change: change as ChangeReport | null,
    before,
    after,
    index,
    dispose: () => {
      scratch.destroy();
      before.destroy();
      after.destroy();
    },
  };
}

/**
 * `Item.redone` (where an undone item came back) is the UndoManager's own bookkeeping, not part
 * of any update: copied onto the replica so a later undo there follows the same chain.
 */
function mirrorRedone(from: Y.Doc, to: Y.Doc): void {
  to.transact((tr) => {
    for (const structs of from.store.clients.values()) {
      for (const struct of structs) {
        if (!(struct instanceof Y.Item) || struct.redone === null) continue;
        const { client, clock: start } = struct.id;
        const redone = struct.redone;
        Y.getItemCleanStart(tr, struct.id);
        Y.getItemCleanEnd(tr, to.store, Y.createID(client, start + struct.length - 1));
        for (let clock = start; clock < start + struct.length; ) {
          const item = Y.getItem(to.store, Y.createID(client, clock)) as Y.Item;
          item.redone = Y.createID(redone.client, redone.clock + (clock - start));
          clock += item.length;
        }
      }
    }
  });
}
