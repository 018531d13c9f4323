/** The part of y-protocols' Awareness these hooks need. */
export interface AwarenessLike {
  readonly clientID: number;
  getStates(): Map<number, Record<string, unknown>>;
  on(event: 'change', listener: () => void): void;
  off(event: 'change', listener: () => void): void;
}

export interface AwarenessStore {
  subscribe(onChange: () => void): () => void;
  getSnapshot(): ReadonlyMap<number, Record<string, unknown>>;
}

const stores = new WeakMap<AwarenessLike, AwarenessStore>();

/** Presence states of everyone (including this client), as a snapshot that changes identity on change. */
export function awarenessStore(awareness: AwarenessLike): AwarenessStore {
  let store = stores.get(awareness);
  if (store) return store;
  let snapshot: ReadonlyMap<number, Record<string, unknown>> | null = null;
  const listeners = new Set<() => void>();
  const onChange = () => {
    snapshot = null;
    for (const l of [...listeners]) l();
  };
  store = {
    subscribe(l) {
      if (listeners.size === 0) awareness.on('change', onChange);
      listeners.add(l);
      return () => {
        listeners.delete(l);
        if (listeners.size === 0) {
          awareness.off('change', onChange);
          snapshot = null;
        }
      };
    },
    getSnapshot() {
      snapshot ??= new Map(awareness.getStates());
      return snapshot;
    },
  };
  stores.set(awareness, store);
  return store;
}
