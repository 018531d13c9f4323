/**
 * The last dot that could not be given, per board document: the card's button reports it, the
 * vote banner (elsewhere in the tree) says it politely. A tiny store, one per Y.Doc.
 */
import { useSyncExternalStore } from 'react';
import type { DotFailure } from './vote-view.js';

export interface DotMessage {
  readonly voteId: string;
  readonly failure: DotFailure;
}

export interface DotMessages {
  get(): DotMessage | null;
  set(message: DotMessage | null): void;
  subscribe(listener: () => void): () => void;
}

function createDotMessages(): DotMessages {
  let current: DotMessage | null = null;
  const listeners = new Set<() => void>();
  return {
    get: () => current,
    set(message) {
      if (message === current || (message && current && message.voteId === current.voteId && message.failure === current.failure)) return;
      current = message;
      for (const l of [...listeners]) l();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

const stores = new WeakMap<object, DotMessages>();

export function dotMessagesOf(doc: object): DotMessages {
  let store = stores.get(doc);
  if (!store) {
    store = createDotMessages();
    stores.set(doc, store);
  }
  return store;
}

export function useDotMessage(doc: object): DotMessage | null {
  const store = dotMessagesOf(doc);
  return useSyncExternalStore(store.subscribe, store.get);
}
