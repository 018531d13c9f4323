import * as Y from 'yjs';
import { localOrigin } from './origins.js';
import { readActivity, readLane, readMeta, roots } from './schema.js';

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
 * Why the next undo (or redo) may not be done by a coordinator (empty = it may): it would
 * change an activity that is now in a locked lane, put one back into a locked lane, or touch
 * activities on a locked board. The server would refuse the change (lockViolations) and close
 * the connection; asking first keeps the coordinator working.
 */
export function undoLockViolations(doc: Y.Doc, manager: Y.UndoManager, which: 'undo' | 'redo'): string[] {
  const step = (which === 'undo' ? manager.undoStack : manager.redoStack).at(-1);
  if (!step) return [];
  const { activities, lanes } = roots(doc);
  const touched = new Set<string>();
  const restoredLanes = new Set<string>();
  const visit = (item: Y.Item) => {
    // Climb to the activity entry the item belongs to (the entry itself, one of its keys, or a partner).
    let child: Y.Item | null = item;
    while (child && child.parent !== activities) child = (child.parent as Y.AbstractType<unknown>)._item;
    if (!child || child.parentSub === null) return;
    touched.add(child.parentSub);
    if (item.parentSub === 'laneId' && item.parent === (child.content as Y.ContentType).type) {
      const value: unknown = item.content.getContent()[0];
      if (typeof value === 'string') restoredLanes.add(value);
    }
  };
  for (const ds of [step.insertions, step.deletions]) {
    for (const [client, ranges] of ds.clients) {
      const structs = doc.store.clients.get(client) ?? [];
      for (const { clock, len } of ranges) {
        for (let i = structs.length > 0 ? Y.findIndexSS(structs, clock) : 0; i < structs.length && structs[i]!.id.clock < clock + len; i++) {
          const struct = structs[i];
          if (struct instanceof Y.Item) visit(struct);
        }
      }
    }
  }
  if (touched.size === 0) return [];
  if (readMeta(roots(doc).meta).locked) return ['the board is locked'];
  const lockedLane = (laneId: string | null) => {
    const lane = laneId === null ? undefined : lanes.get(laneId);
    return lane !== undefined && readLane(laneId!, lane).locked;
  };
  const problems: string[] = [];
  for (const id of touched) {
    const entry = activities.get(id);
    if (entry && lockedLane(readActivity(id, entry).laneId)) problems.push(`activity ${id} is in a locked lane`);
  }
  for (const laneId of restoredLanes) if (lockedLane(laneId)) problems.push(`lane ${laneId} is locked`);
  return problems;
}
