import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { readBoard, seedDemoBoard, setBoardTitle } from '@tabla/plan-model';
import { encodeSyncStep1 } from '@tabla/sync-protocol';
import { parseServerFrame } from '@tabla/test-clients';
import { ColdAnswer, isColdSyncStep1, MAX_MERGED_TAIL } from './cold-answer.js';
import type { StoredState } from './storage/types.js';

const stored = (snapshot: Uint8Array | null, updates: Uint8Array[]): StoredState => ({
  snapshot,
  updates,
  lastSeq: updates.length,
  clientOwners: new Map(),
  presenceOwners: new Map(),
});

/** A demo board's snapshot, and `n` title changes after it. */
function board(n: number): { snapshot: Uint8Array; updates: Uint8Array[]; doc: Y.Doc } {
  const doc = new Y.Doc();
  seedDemoBoard(doc);
  const snapshot = Y.encodeStateAsUpdate(doc);
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => updates.push(u));
  for (let i = 0; i < n; i++) setBoardTitle(doc, `title ${i}`);
  return { snapshot, updates, doc };
}

/** The board a fresh client builds from the frames, in order; and the frames' types. */
function replay(frames: readonly Uint8Array[]): { doc: Y.Doc; types: string[] } {
  const doc = new Y.Doc();
  const types: string[] = [];
  for (const f of frames.map(parseServerFrame)) {
    types.push(f.type);
    if (f.type === 'update' || f.type === 'sync-step-2') Y.applyUpdate(doc, f.payload);
  }
  return { doc, types };
}

describe('ColdAnswer', () => {
  it('a snapshot and a log: the snapshot as an update, the log merged as sync step 2; the whole board', () => {
    const { snapshot, updates, doc } = board(5);
    const { doc: got, types } = replay(ColdAnswer.of(stored(snapshot, updates))!.frames()!);
    expect(types).toEqual(['update', 'sync-step-2']);
    expect(readBoard(got)).toEqual(readBoard(doc));
  });

  it('a snapshot alone: the stored bytes as sync step 2', () => {
    const { snapshot } = board(0);
    const frames = ColdAnswer.of(stored(snapshot, []))!.frames()!;
    expect(frames.map(parseServerFrame)).toEqual([{ type: 'sync-step-2', payload: snapshot }]);
  });

  it('a log without a snapshot: merged, as sync step 2', () => {
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => updates.push(u));
    seedDemoBoard(doc);
    setBoardTitle(doc, 'later');
    const { doc: got, types } = replay(ColdAnswer.of(stored(null, updates))!.frames()!);
    expect(types).toEqual(['sync-step-2']);
    expect(readBoard(got)).toEqual(readBoard(doc));
  });

  it(`a log over ${MAX_MERGED_TAIL} updates gets no answer here (the room answers)`, () => {
    const { snapshot, updates } = board(MAX_MERGED_TAIL + 1);
    expect(ColdAnswer.of(stored(snapshot, updates))).toBeNull();
    expect(ColdAnswer.of(stored(snapshot, updates.slice(1)))).not.toBeNull();
  });

  it('a log that does not merge: no answer, every time', () => {
    const { snapshot } = board(0);
    const answer = ColdAnswer.of(stored(snapshot, [Uint8Array.of(1, 200, 7), Uint8Array.of(255, 255, 255)]))!;
    expect(answer.frames()).toBeNull();
    expect(answer.frames()).toBeNull();
  });

  it('only sync step 1 of a client that has nothing is a cold one', () => {
    const known = new Y.Doc();
    known.getMap('x').set('k', 1);
    expect(isColdSyncStep1(encodeSyncStep1(Y.encodeStateVector(new Y.Doc())))).toBe(true);
    expect(isColdSyncStep1(encodeSyncStep1(Y.encodeStateVector(known)))).toBe(false);
    expect(isColdSyncStep1(Uint8Array.of(0, 0, 5, 0))).toBe(false); // a length past the end
  });
});
