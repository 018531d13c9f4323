import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { storageOrigin } from '@tabla/plan-model';
import { applyStoredState, loadStoredState, type StoredDocument } from './document.js';

/** A snapshot after `before` edits, then `after` single-edit updates. */
function stored(before: number, after: number): { state: StoredDocument; expected: unknown } {
  const doc = new Y.Doc();
  for (let i = 0; i < before; i++) doc.getArray<number>('log').push([i]);
  const snapshot = Y.encodeStateAsUpdate(doc);
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => updates.push(u));
  for (let i = before; i < before + after; i++) {
    doc.transact(() => {
      doc.getArray<number>('log').push([i]);
      doc.getMap('m').set(`k${i % 7}`, i);
    });
  }
  return { state: { snapshot, updates }, expected: { log: doc.getArray('log').toJSON(), m: doc.getMap('m').toJSON() } };
}

const content = (doc: Y.Doc): unknown => ({ log: doc.getArray('log').toJSON(), m: doc.getMap('m').toJSON() });

describe('turning a stored state into a document', () => {
  it('applyStoredState: snapshot then updates, in one transaction with the storage origin', () => {
    const { state, expected } = stored(5, 40);
    const doc = new Y.Doc();
    const origins: unknown[] = [];
    doc.on('afterTransaction', (tr: Y.Transaction) => origins.push(tr.origin));
    applyStoredState(doc, state);
    expect(origins).toEqual([storageOrigin]);
    expect(content(doc)).toEqual(expected);
  });

  it('applyStoredState: no snapshot, no updates, and updates out of causal order', () => {
    const { state, expected } = stored(0, 10);
    const doc = new Y.Doc();
    applyStoredState(doc, { snapshot: null, updates: [...state.updates].reverse() });
    expect(content(doc)).toEqual(expected);
    const empty = new Y.Doc();
    applyStoredState(empty, { snapshot: null, updates: [] });
    expect(content(empty)).toEqual({ log: [], m: {} });
  });

  it('loadStoredState: the same document, in slices, yielding to the event loop between them', async () => {
    const { state, expected } = stored(3, 1_050);
    const doc = new Y.Doc();
    const origins: unknown[] = [];
    doc.on('afterTransaction', (tr: Y.Transaction) => origins.push(tr.origin));
    // Another task on the event loop, counting the turns it gets while the load runs.
    let turns = 0;
    let loading = true;
    const count = (): void => {
      turns++;
      if (loading) setImmediate(count);
    };
    setImmediate(count);
    await loadStoredState(doc, state, { sliceUpdates: 500 });
    loading = false;
    // The snapshot, then slices of 500, 500 and 50 updates.
    expect(origins).toEqual([storageOrigin, storageOrigin, storageOrigin, storageOrigin]);
    expect(content(doc)).toEqual(expected);
    expect(turns).toBeGreaterThanOrEqual(3); // other work ran while it loaded
  });

  it('loadStoredState: updates out of causal order across slices, a custom origin, a bad slice size', async () => {
    const { state, expected } = stored(0, 30);
    const doc = new Y.Doc();
    const origin = { source: 'test' };
    const origins = new Set<unknown>();
    doc.on('afterTransaction', (tr: Y.Transaction) => origins.add(tr.origin));
    await loadStoredState(doc, { snapshot: null, updates: [...state.updates].reverse() }, { sliceUpdates: 7, origin });
    expect([...origins]).toEqual([origin]);
    expect(content(doc)).toEqual(expected);
    await expect(loadStoredState(new Y.Doc(), state, { sliceUpdates: 0 })).rejects.toThrow(RangeError);
    await expect(loadStoredState(new Y.Doc(), state, { sliceUpdates: 2.5 })).rejects.toThrow(RangeError);
  });
});
