import type * as Y from 'yjs';
import { type BoardView, readBoard, roots } from '@tabla/plan-model';

/**
 * An external store over one board document: a snapshot rebuilt lazily after each
 * transaction (with structural sharing, so unchanged lanes keep their identity), reading
 * again only the activities the transactions since the last snapshot changed.
 */
export interface BoardStore {
  subscribe(onChange: () => void): () => void;
  getSnapshot(): BoardView;
}

const stores = new WeakMap<Y.Doc, BoardStore>();

/** One store per document, shared by every hook that reads it. */
export function boardStore(doc: Y.Doc): BoardStore {
  let store = stores.get(doc);
  if (!store) {
    store = createBoardStore(doc);
    stores.set(doc, store);
  }
  return store;
}

/**
 * Coalesces notifications to one per animation frame: remote moves arriving at 60/s
 * (or a burst after a reconnect) then cost one render per frame, not one per update.
 * Without requestAnimationFrame (Node, jsdom) listeners are told at once.
 */
const nextFrame: ((run: () => void) => void) | null =
  typeof requestAnimationFrame === 'function' ? (run) => requestAnimationFrame(() => run()) : null;

function createBoardStore(doc: Y.Doc): BoardStore {
  let snapshot: BoardView | undefined;
  let stale = true;
  /** The types changed since `snapshot` was read; null while unknown (unobserved): read everything. */
  let changed: Set<object> | null = null;
  let scheduled = false;
  const listeners = new Set<() => void>();
  const notify = () => {
    scheduled = false;
    for (const listener of [...listeners]) listener();
  };
  const { activities } = roots(doc);
  const onTransaction = (transaction: Y.Transaction) => {
    stale = true;
    if (changed) {
      // Every type the transaction changed, with its ancestors.
      for (const type of transaction.changedParentTypes.keys()) changed.add(type);
      // And the activities put in under an id: a map put in anew (a deleted activity brought back by
      // undo) is new, and a transaction reports no change of a type it created.
      for (const [type, keys] of transaction.changed) {
        if (type !== (activities as object)) continue;
        for (const id of keys) {
          const map = id === null ? undefined : activities.get(id);
          if (map) changed.add(map);
        }
      }
    }
    if (!nextFrame) return notify();
    if (scheduled) return;
    scheduled = true;
    nextFrame(notify);
  };
  return {
    subscribe(onChange) {
      if (listeners.size === 0) doc.on('afterTransaction', onTransaction);
      listeners.add(onChange);
      return () => {
        listeners.delete(onChange);
        if (listeners.size === 0) {
          doc.off('afterTransaction', onTransaction);
          stale = true; // unobserved: the next read must not trust the cache
          changed = null;
        }
      };
    },
    getSnapshot() {
      if (stale || !snapshot) {
        const known = changed;
        snapshot = readBoard(doc, snapshot, known ? (type) => known.has(type) : undefined);
        stale = false;
        // From here on, while observed, the changes are known.
        changed = listeners.size > 0 ? new Set() : null;
      }
      return snapshot;
    },
  };
}
