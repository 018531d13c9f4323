import { useSyncExternalStore } from 'react';
import type * as Y from 'yjs';

export interface UndoState {
  readonly canUndo: boolean;
  readonly canRedo: boolean;
}

const stores = new WeakMap<Y.UndoManager, { subscribe(l: () => void): () => void; getSnapshot(): UndoState }>();

function undoStore(manager: Y.UndoManager) {
  let store = stores.get(manager);
  if (store) return store;
  let snapshot: UndoState = { canUndo: manager.canUndo(), canRedo: manager.canRedo() };
  const events = ['stack-item-added', 'stack-item-popped', 'stack-cleared'] as const;
  store = {
    subscribe(listener) {
      for (const e of events) manager.on(e, listener);
      return () => {
        for (const e of events) manager.off(e, listener);
      };
    },
    // Read on demand (two array lengths), kept stable while nothing changed.
    getSnapshot() {
      const canUndo = manager.canUndo();
      const canRedo = manager.canRedo();
      if (canUndo !== snapshot.canUndo || canRedo !== snapshot.canRedo) snapshot = { canUndo, canRedo };
      return snapshot;
    },
  };
  stores.set(manager, store);
  return store;
}

/** Whether there is something of one's own to undo or redo. */
export function useUndoState(manager: Y.UndoManager): UndoState {
  const store = undoStore(manager);
  return useSyncExternalStore(store.subscribe, store.getSnapshot);
}
