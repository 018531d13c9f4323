import { useSyncExternalStore } from 'react';
import type * as Y from 'yjs';
import type { BoardView } from '@tabla/plan-model';
import { type AwarenessLike, awarenessStore } from './awareness-store.js';
import { boardStore } from './board-store.js';

/** The board as an immutable view; re-renders after each transaction that changed it. */
export function useBoard(doc: Y.Doc): BoardView {
  const store = boardStore(doc);
  return useSyncExternalStore(store.subscribe, store.getSnapshot);
}

/** Everyone's presence state, keyed by awareness client id. */
export function useAwarenessStates(awareness: AwarenessLike): ReadonlyMap<number, Record<string, unknown>> {
  const store = awarenessStore(awareness);
  return useSyncExternalStore(store.subscribe, store.getSnapshot);
}
