import * as Y from 'yjs';
import { localOrigin } from './origins.js';
import { roots } from './schema.js';

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
