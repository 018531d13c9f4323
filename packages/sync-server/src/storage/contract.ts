/**
 * The contract every storage adapter must pass, in two suites, one per interface:
 * `documentLogContract` (rules ST1-ST10, ST18-ST23) and `boardDirectoryContract` (ST11-ST16); both check
 * ST17. The rules are in `packages/sync-server/STORAGE.md`; every case's name starts with the ids
 * it checks. An adapter of the whole `BoardStorage` calls `storageContractSuite('name', make, …)`,
 * which registers both.
 *
 * `make` is called before each test and must return an empty storage.
 * - `options.persistent`: the adapter keeps data across close and reopen; then `reopen` must be
 *   given (a new storage over the same data; the suite closes `storage` before calling it and closes
 *   the storage it returns), and the durability tests (ST10, ST16) are registered.
 * - `cleanup` runs after each test; it must tolerate a `storage` that is already closed
 *   (`close()` is idempotent) and remove whatever the storage created.
 *
 * Documents are real Yjs documents: a state is checked by turning it into a fresh Y.Doc with
 * `applyStoredState` and comparing its content with the original document.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { applyStoredState } from './document.js';
import {
  type BoardDirectory,
  type BoardRecord,
  type BoardStorage,
  type DocumentLog,
  SeqConflictError,
  type StoredState,
  type StoredVersion,
  type TokenRecord,
  type UpdatesSince,
} from './types.js';

export interface StorageUnderTest<S = BoardStorage> {
  storage: S;
  reopen?: () => Promise<S>;
  cleanup: () => Promise<void>;
}

export interface ContractOptions {
  /** The adapter keeps its data across close and reopen (`reopen` is given). */
  persistent: boolean;
}

interface Closable {
  close(): Promise<void>;
}

/** A document log, plus the one directory call that brings a board (and its first snapshot) into being. */
export type DocumentLogUnderTest = DocumentLog & Pick<BoardDirectory, 'createBoard'> & Closable;
/** A board directory, plus the one log call that shows `createBoard` stored the initial state. */
export type BoardDirectoryUnderTest = BoardDirectory & Pick<DocumentLog, 'loadState'> & Closable;

/** A Y.Doc plus every update it produced since its initial state. */
class TestBoard {
  readonly doc = new Y.Doc();
  readonly record: BoardRecord;
  readonly initialState: Uint8Array;
  readonly #pending: Uint8Array[] = [];

  constructor(id: string, title: string, createdAt: number) {
    this.record = { id, title, createdAt };
    this.doc.on('update', (update: Uint8Array) => this.#pending.push(update));
    this.doc.transact(() => {
      this.doc.getMap('board').set('title', title);
      this.doc.getArray<string>('items').push(['seed']);
    });
    this.initialState = Y.encodeStateAsUpdate(this.doc);
    this.#pending.length = 0;
  }

  /** Makes one edit and returns the single Yjs update it produced. */
  edit(n: number): Uint8Array {
    this.doc.transact(() => {
      this.doc.getArray<string>('items').push([`item-${n}`]);
      this.doc.getMap('board').set(`k${n % 3}`, n);
      this.doc.getText('notes').insert(0, `${n};`);
    });
    expect(this.#pending).toHaveLength(1);
    return this.#pending.pop()!;
  }

  edits(from: number, count: number): Uint8Array[] {
    return Array.from({ length: count }, (_, i) => this.edit(from + i));
  }

  content(): unknown {
    return docContent(this.doc);
  }
}

function docContent(doc: Y.Doc): unknown {
  return {
    board: doc.getMap('board').toJSON(),
    items: doc.getArray('items').toJSON(),
    notes: doc.getText('notes').toString(),
  };
}

/** A fresh document built from a stored state. */
function rebuild(state: StoredState): Y.Doc {
  const doc = new Y.Doc();
  applyStoredState(doc, state);
  return doc;
}

/** The state folded into one snapshot, as a compactor would. */
const snapshotOf = (state: StoredState): Uint8Array => Y.encodeStateAsUpdate(rebuild(state));

function expectIncreasing(seqs: readonly number[]): void {
  for (const seq of seqs) expect(Number.isSafeInteger(seq)).toBe(true);
  for (let i = 1; i < seqs.length; i++) expect(seqs[i]!, `seq #${i} of ${seqs.join(',')}`).toBeGreaterThan(seqs[i - 1]!);
}

const bytes = (list: readonly Uint8Array[]): number[][] => list.map((u) => Array.from(u));

/** A map's entries in client id order, for equality checks. */
const entries = (map: ReadonlyMap<number, string>): [number, string][] => [...map].sort((a, b) => a[0] - b[0]);

const tokens = (prefix: string): TokenRecord[] => [
  { role: 'facilitator', tokenHash: `${prefix}-f`.padEnd(64, '0') },
  { role: 'editor', tokenHash: `${prefix}-e`.padEnd(64, '0') },
  { role: 'viewer', tokenHash: `${prefix}-v`.padEnd(64, '0') },
];

/** What was written: role, hash and binding (`createdAt` is the storage's own, checked apart). */
const written = (t: TokenRecord): TokenRecord => ({
  role: t.role,
  tokenHash: t.tokenHash,
  ...(t.municipalityId === undefined ? {} : { municipalityId: t.municipalityId }),
});

/** Sorted by role, then municipality (the general link first), as written. */
const byRole = (list: readonly TokenRecord[]): TokenRecord[] =>
  list
    .map(written)
    .sort((a, b) => a.role.localeCompare(b.role) || (a.municipalityId ?? '').localeCompare(b.municipalityId ?? ''));

const bound = (municipalityId: string, hashPrefix: string): TokenRecord => ({
  role: 'editor',
  municipalityId,
  tokenHash: hashPrefix.padEnd(64, 'c'),
});

const byId = (list: readonly BoardRecord[]): BoardRecord[] => [...list].sort((a, b) => a.id.localeCompare(b.id));

type Subject = Pick<BoardStorage, 'createBoard' | 'loadState' | 'close'>;

/** Registers the per-test storage and returns accessors and helpers over it. */
function useStorage<S extends Subject>(make: () => Promise<StorageUnderTest<S>>) {
  let sut: StorageUnderTest<S>;
  beforeEach(async () => {
    sut = await make();
  });
  afterEach(async () => {
    await sut.cleanup();
  });
  return {
    get sut(): StorageUnderTest<S> {
      return sut;
    },
    get storage(): S {
      return sut.storage;
    },
    async load(boardId: string, from: Pick<DocumentLog, 'loadState'> = sut.storage): Promise<StoredState> {
      const state = await from.loadState(boardId);
      expect(state, `state of ${boardId}`).not.toBeNull();
      return state!;
    },
    async create(id: string, title = `Board ${id}`, createdAt = 1_700_000_000_000): Promise<TestBoard> {
      const board = new TestBoard(id, title, createdAt);
      await sut.storage.createBoard(board.record, board.initialState, tokens(id));
      return board;
    },
  };
}

/** The `updates` answer of `loadUpdatesSince` (fails the test on anything else). */
function updatesOf(since: UpdatesSince | null): Extract<UpdatesSince, { kind: 'updates' }> {
  expect(since?.kind).toBe('updates');
  return since as Extract<UpdatesSince, { kind: 'updates' }>;
}

/** Registers the document log's cases (ST1-ST10, ST17, ST18-ST23). */
export function documentLogContract(
  name: string,
  make: () => Promise<StorageUnderTest<DocumentLogUnderTest>>,
  options: ContractOptions,
): void {
  describe(`DocumentLog contract: ${name}`, () => {
    const t = useStorage(make);
    const { load, create } = t;

    it('[ST1] a new board loads as its initial state; an unknown board as null', async () => {
      const a = await create('board-a');
      const state = await load('board-a');
      expect(rebuild(state).getMap('board').get('title')).toBe('Board board-a');
      expect(docContent(rebuild(state))).toEqual(a.content());
      expect(state.updates).toHaveLength(0);
      expect(Number.isInteger(state.lastSeq) && state.lastSeq >= 0).toBe(true);
      expect(state.clientOwners.size).toBe(0);
      expect(state.presenceOwners.size).toBe(0);
      expect(await t.storage.countUpdates('board-a')).toBe(0);
      expect(await t.storage.loadState('board-x')).toBeNull();
    });

    it('[ST2][ST3] appends updates and loads them back in append order, byte for byte', async () => {
      const a = await create('board-a');
      const before = await load('board-a');
      const sent: Uint8Array[] = [];
      const seqs: number[] = [];
      for (let i = 0; i < 20; i++) {
        const update = a.edit(i);
        sent.push(update);
        const returned = await t.storage.appendUpdates([{ boardId: 'board-a', update }]);
        expect(returned).toHaveLength(1);
        seqs.push(...returned);
      }
      expect(await t.storage.appendUpdates([])).toEqual([]);
      expectIncreasing([before.lastSeq, ...seqs]);
      const state = await load('board-a');
      for (const u of state.updates) expect(u).toBeInstanceOf(Uint8Array);
      expect(bytes(state.updates)).toEqual(bytes(sent));
      expect(state.lastSeq).toBe(seqs[seqs.length - 1]);
      expect(await t.storage.countUpdates('board-a')).toBe(20);
      expect(docContent(rebuild(state))).toEqual(a.content());
    });

    it('[ST2] stores exactly the bytes of a Uint8Array view, and shares no buffer with a caller', async () => {
      const a = await create('board-a');
      const update = a.edit(1);
      const backing = new Uint8Array(update.length + 10).fill(0xee);
      backing.set(update, 4);
      await t.storage.appendUpdates([{ boardId: 'board-a', update: backing.subarray(4, 4 + update.length) }]);
      backing.fill(0); // the storage must not keep a reference to the caller's buffer
      const state = await load('board-a');
      expect(bytes(state.updates)).toEqual(bytes([update]));
      expect(docContent(rebuild(state))).toEqual(a.content());

      // Nor may a caller that changes what it loaded change what is stored.
      state.updates[0]!.fill(0);
      state.snapshot!.fill(0);
      const again = await load('board-a');
      expect(bytes(again.updates)).toEqual(bytes([update]));
      expect(docContent(rebuild(again))).toEqual(a.content());
    });

    it('[ST3] appends updates of several boards in one call, with seqs increasing per board', async () => {
      const a = await create('board-a');
      const b = await create('board-b');
      const ua = a.edits(0, 4);
      const ub = b.edits(50, 4);
      const batch = ua.flatMap((u, i) => [
        { boardId: 'board-a', update: u },
        { boardId: 'board-b', update: ub[i]! },
      ]);
      const seqs = await t.storage.appendUpdates(batch);
      expect(seqs).toHaveLength(batch.length);
      // Each board's own seqs increase; boards may share one sequence (SQLite) or count apart (PostgreSQL).
      expectIncreasing(seqs.filter((_, i) => i % 2 === 0));
      expectIncreasing(seqs.filter((_, i) => i % 2 === 1));
      const sa = await load('board-a');
      const sb = await load('board-b');
      expect(sa.lastSeq).toBe(seqs[seqs.length - 2]);
      expect(sb.lastSeq).toBe(seqs[seqs.length - 1]);
      expect(bytes(sa.updates)).toEqual(bytes(ua));
      expect(bytes(sb.updates)).toEqual(bytes(ub));
      expect(docContent(rebuild(sa))).toEqual(a.content());
      expect(docContent(rebuild(sb))).toEqual(b.content());
      expect(docContent(rebuild(sa))).not.toEqual(docContent(rebuild(sb)));
    });

    it('[R4][ST4] appendUpdates is all or nothing (an update for an unknown board fails the whole batch)', async () => {
      const a = await create('board-a');
      const b = await create('board-b');
      await t.storage.appendUpdates(a.edits(0, 2).map((update) => ({ boardId: 'board-a', update })));
      const beforeA = await load('board-a');
      const beforeB = await load('board-b');

      const contentA = a.content();
      const contentB = b.content();
      const rejected = [a.edit(10), b.edit(11), a.edit(12)];
      await expect(
        t.storage.appendUpdates([
          { boardId: 'board-a', update: rejected[0]! },
          { boardId: 'board-b', update: rejected[1]! },
          { boardId: 'board-a', update: rejected[2]! },
          { boardId: 'no-such-board', update: a.edit(13) },
        ]),
      ).rejects.toThrow();

      const afterA = await load('board-a');
      const afterB = await load('board-b');
      expect(bytes(afterA.updates)).toEqual(bytes(beforeA.updates));
      expect(bytes(afterB.updates)).toEqual(bytes(beforeB.updates));
      expect(afterA.lastSeq).toBe(beforeA.lastSeq);
      expect(await t.storage.countUpdates('board-a')).toBe(2);
      expect(await t.storage.countUpdates('board-b')).toBe(0);
      expect(docContent(rebuild(afterA))).toEqual(contentA);
      expect(docContent(rebuild(afterB))).toEqual(contentB);
      expect(await t.storage.loadState('no-such-board')).toBeNull();

      // The storage still works, and a retry of the valid part lands completely.
      await t.storage.appendUpdates([
        { boardId: 'board-a', update: rejected[0]! },
        { boardId: 'board-b', update: rejected[1]! },
        { boardId: 'board-a', update: rejected[2]! },
      ]);
      expect(await t.storage.countUpdates('board-a')).toBe(4);
      expect(docContent(rebuild(await load('board-b')))).toEqual(b.content());
    });

    it('[R5][ST5][ST3] compacts: same document, old rows gone, updates appended afterwards survive', async () => {
      const a = await create('board-a');
      await t.storage.appendUpdates(a.edits(0, 10).map((update) => ({ boardId: 'board-a', update })));
      const before = await load('board-a');
      const snapshot = snapshotOf(before);
      await t.storage.compact('board-a', snapshot, before.lastSeq);

      expect(await t.storage.countUpdates('board-a')).toBe(0);
      const compacted = await load('board-a');
      expect(compacted.updates).toHaveLength(0);
      expect(compacted.snapshot).not.toBeNull();
      expect(Array.from(compacted.snapshot!)).toEqual(Array.from(snapshot));
      expect(compacted.lastSeq).toBe(before.lastSeq);
      expect(docContent(rebuild(compacted))).toEqual(a.content());

      const later = a.edits(20, 3);
      const laterSeqs = await t.storage.appendUpdates(later.map((update) => ({ boardId: 'board-a', update })));
      expectIncreasing([before.lastSeq, ...laterSeqs]); // seqs never go back, even after rows were deleted
      const after = await load('board-a');
      expect(bytes(after.updates)).toEqual(bytes(later));
      expect(after.lastSeq).toBe(laterSeqs[2]);
      expect(await t.storage.countUpdates('board-a')).toBe(3);
      expect(docContent(rebuild(after))).toEqual(a.content());
    });

    it('[ST5] compaction through an earlier seq keeps the updates appended after that seq', async () => {
      const a = await create('board-a');
      await t.storage.appendUpdates(a.edits(0, 3).map((update) => ({ boardId: 'board-a', update })));
      const seen = await load('board-a');
      const snapshot = snapshotOf(seen);
      const meanwhile = a.edits(10, 2); // appended between load and compact
      await t.storage.appendUpdates(meanwhile.map((update) => ({ boardId: 'board-a', update })));
      await t.storage.compact('board-a', snapshot, seen.lastSeq);

      const state = await load('board-a');
      expect(bytes(state.updates)).toEqual(bytes(meanwhile));
      expect(await t.storage.countUpdates('board-a')).toBe(2);
      expect(docContent(rebuild(state))).toEqual(a.content());
    });

    it('[ST6] compact is idempotent and never moves backwards', async () => {
      const a = await create('board-a');
      await t.storage.appendUpdates(a.edits(0, 5).map((update) => ({ boardId: 'board-a', update })));
      const early = await load('board-a');
      const earlySnapshot = snapshotOf(early);
      await t.storage.appendUpdates(a.edits(5, 3).map((update) => ({ boardId: 'board-a', update })));
      const late = await load('board-a');
      const lateSnapshot = snapshotOf(late);
      expect(late.lastSeq).toBeGreaterThan(early.lastSeq);

      await t.storage.compact('board-a', lateSnapshot, late.lastSeq);
      await t.storage.compact('board-a', lateSnapshot, late.lastSeq); // same again: no-op
      await t.storage.compact('board-a', earlySnapshot, early.lastSeq); // a stale compactor: no-op

      const state = await load('board-a');
      expect(Array.from(state.snapshot!)).toEqual(Array.from(lateSnapshot));
      expect(state.updates).toHaveLength(0);
      expect(state.lastSeq).toBe(late.lastSeq);
      expect(await t.storage.countUpdates('board-a')).toBe(0);
      expect(docContent(rebuild(state))).toEqual(a.content());
    });

    it('[ST6] refuses compaction beyond the last appended seq, invalid seqs and an unknown board', async () => {
      const a = await create('board-a');
      await t.storage.appendUpdates([{ boardId: 'board-a', update: a.edit(1) }]);
      const state = await load('board-a');
      const snap = Y.encodeStateAsUpdate(a.doc);
      await expect(t.storage.compact('board-a', snap, state.lastSeq + 1)).rejects.toThrow(RangeError);
      await expect(t.storage.compact('board-a', snap, -1)).rejects.toThrow(RangeError);
      await expect(t.storage.compact('board-a', snap, 1.5)).rejects.toThrow(RangeError);
      await expect(t.storage.compact('no-such-board', snap, state.lastSeq)).rejects.toThrow(/Unknown board/);
      expect(await t.storage.countUpdates('board-a')).toBe(1);
      expect(bytes((await load('board-a')).updates)).toEqual(bytes(state.updates));
    });

    it('[ST7] compacting one board leaves the other boards alone', async () => {
      const a = await create('board-a');
      const b = await create('board-b');
      const ub = b.edits(0, 2);
      await t.storage.appendUpdates([
        ...a.edits(0, 3).map((update) => ({ boardId: 'board-a', update })),
        ...ub.map((update) => ({ boardId: 'board-b', update })),
      ]);
      // A's last update comes after B's, so with a global seq A's throughSeq also covers B's rows.
      await t.storage.appendUpdates([{ boardId: 'board-a', update: a.edit(9) }]);
      const sa = await load('board-a');
      await t.storage.compact('board-a', snapshotOf(sa), sa.lastSeq);

      const sb = await load('board-b');
      expect(bytes(sb.updates)).toEqual(bytes(ub));
      expect(await t.storage.countUpdates('board-b')).toBe(2);
      expect(docContent(rebuild(sb))).toEqual(b.content());
      expect(docContent(rebuild(await load('board-a')))).toEqual(a.content());
    });

    it('[ST8] stores client owners with their update: first binding wins, all or nothing, kept per board', async () => {
      const a = await create('board-a');
      const b = await create('board-b');
      expect((await load('board-a')).clientOwners.size).toBe(0);
      await t.storage.appendUpdates([
        { boardId: 'board-a', update: a.edit(0), newOwners: [{ clientId: 7, keyHash: 'k7' }, { clientId: 8, keyHash: '' }] },
        { boardId: 'board-a', update: a.edit(1), newOwners: [{ clientId: 7, keyHash: 'thief' }] },
      ]);
      expect(entries((await load('board-a')).clientOwners)).toEqual([[7, 'k7'], [8, '']]);
      expect((await load('board-b')).clientOwners.size).toBe(0);
      await expect(
        t.storage.appendUpdates([
          { boardId: 'board-b', update: b.edit(2), newOwners: [{ clientId: 9, keyHash: 'k9' }] },
          { boardId: 'no-such-board', update: b.edit(3) },
        ]),
      ).rejects.toThrow();
      expect((await load('board-b')).clientOwners.size).toBe(0);
      const state = await load('board-a');
      await t.storage.compact('board-a', snapshotOf(state), state.lastSeq);
      expect((await load('board-a')).clientOwners.get(7)).toBe('k7');
      expect((await load('board-a')).presenceOwners.size).toBe(0); // document owners are not presence owners
    });

    it('[ST9] binds presence ids to device keys: the first binding wins, across calls and within one', async () => {
      await create('board-a');
      await t.storage.bindPresence('board-a', [
        { clientId: 11, keyHash: 'k-one' },
        { clientId: 12, keyHash: '' },
        { clientId: 11, keyHash: 'k-later-in-the-same-call' },
      ]);
      await t.storage.bindPresence('board-a', [
        { clientId: 12, keyHash: 'thief' },
        { clientId: 13, keyHash: 'k-three' },
      ]);
      await t.storage.bindPresence('board-a', []);
      expect(entries((await load('board-a')).presenceOwners)).toEqual([
        [11, 'k-one'],
        [12, ''],
        [13, 'k-three'],
      ]);
      expect((await load('board-a')).clientOwners.size).toBe(0); // presence owners are not document owners
    });

    it('[ST9] presence bindings are per board, kept through compaction, and an unknown board binds nothing', async () => {
      const a = await create('board-a');
      await create('board-b');
      await t.storage.bindPresence('board-a', [{ clientId: 21, keyHash: 'k-a' }]);
      await t.storage.bindPresence('board-b', [{ clientId: 21, keyHash: 'k-b' }]);
      expect(entries((await load('board-a')).presenceOwners)).toEqual([[21, 'k-a']]);
      expect(entries((await load('board-b')).presenceOwners)).toEqual([[21, 'k-b']]);

      await expect(t.storage.bindPresence('no-such-board', [{ clientId: 22, keyHash: 'k' }])).rejects.toThrow();
      expect(await t.storage.loadState('no-such-board')).toBeNull();

      await t.storage.appendUpdates(a.edits(0, 3).map((update) => ({ boardId: 'board-a', update })));
      const state = await load('board-a');
      await t.storage.compact('board-a', snapshotOf(state), state.lastSeq);
      expect(entries((await load('board-a')).presenceOwners)).toEqual([[21, 'k-a']]);
    });

    const version = (id: string, createdAt: number, snapshot: Uint8Array, extra: Partial<StoredVersion> = {}): StoredVersion => ({
      id,
      name: `Version ${id}`,
      createdAt,
      by: 'facilitatorica',
      auto: false,
      summary: `summary of ${id}`,
      snapshot,
      ...extra,
    });
    const record = ({ snapshot: _snapshot, ...rest }: StoredVersion) => rest;

    it('[ST18] a saved version reads back with its snapshot; the list is newest first, without snapshots', async () => {
      const a = await create('board-a');
      await t.storage.appendUpdates(a.edits(0, 2).map((update) => ({ boardId: 'board-a', update })));
      const first = version('v1', 1_000, Y.encodeStateAsUpdate(a.doc));
      await t.storage.saveVersion('board-a', first);
      await t.storage.appendUpdates(a.edits(2, 2).map((update) => ({ boardId: 'board-a', update })));
      const second = version('v2', 2_000, Y.encodeStateAsUpdate(a.doc), { auto: true, by: 'Tabla', name: 'Automatski: svaki sat' });
      const sameTime = version('v0', 2_000, Y.encodeStateAsUpdate(a.doc));
      await t.storage.saveVersion('board-a', second);
      await t.storage.saveVersion('board-a', sameTime);

      expect(await t.storage.listVersions('board-a')).toEqual([record(second), record(sameTime), record(first)]);
      const got = await t.storage.getVersion('board-a', 'v1');
      expect(got && record(got)).toEqual(record(first));
      expect(Array.from(got!.snapshot)).toEqual(Array.from(first.snapshot));
      // The snapshot is the board as it was then.
      const then = new Y.Doc();
      Y.applyUpdate(then, got!.snapshot);
      expect(then.getArray('items').length).toBe(3);
      // Bytes are not shared with the caller.
      first.snapshot[0] = (first.snapshot[0]! + 1) % 256;
      expect(Array.from((await t.storage.getVersion('board-a', 'v1'))!.snapshot)).toEqual(Array.from(got!.snapshot));
      expect(await t.storage.getVersion('board-a', 'nope')).toBeNull();
    });

    it('[ST19] versions are per board and survive compaction; an unknown board or a repeated id is refused', async () => {
      const a = await create('board-a');
      await create('board-b');
      await t.storage.saveVersion('board-a', version('v1', 1_000, Y.encodeStateAsUpdate(a.doc)));
      await expect(t.storage.saveVersion('no-such-board', version('v9', 1, new Uint8Array([0, 0])))).rejects.toThrow();
      await expect(t.storage.saveVersion('board-a', version('v1', 5, new Uint8Array([0, 0])))).rejects.toThrow();
      expect(await t.storage.listVersions('no-such-board')).toEqual([]);
      expect(await t.storage.getVersion('no-such-board', 'v1')).toBeNull();
      expect(await t.storage.listVersions('board-b')).toEqual([]);
      expect(await t.storage.getVersion('board-b', 'v1')).toBeNull();

      await t.storage.appendUpdates(a.edits(0, 3).map((update) => ({ boardId: 'board-a', update })));
      const state = await load('board-a');
      await t.storage.compact('board-a', snapshotOf(state), state.lastSeq);
      expect((await t.storage.listVersions('board-a')).map((v) => v.id)).toEqual(['v1']);
      expect((await t.storage.getVersion('board-a', 'v1'))?.createdAt).toBe(1_000);
    });

    it('[ST21] loadUpdatesSince gives the updates after a seq with their seqs and the owners they bound; null for an unknown board', async () => {
      const a = await create('board-a');
      const b = await create('board-b');
      const start = (await load('board-a')).lastSeq;
      const ua = a.edits(0, 3);
      const seqs = await t.storage.appendUpdates([
        { boardId: 'board-a', update: ua[0]!, newOwners: [{ clientId: 5, keyHash: 'k5' }] },
        { boardId: 'board-b', update: b.edit(40), newOwners: [{ clientId: 6, keyHash: 'k6' }] },
        { boardId: 'board-a', update: ua[1]! },
        { boardId: 'board-a', update: ua[2]!, newOwners: [{ clientId: 7, keyHash: 'k7' }, { clientId: 5, keyHash: 'thief' }] },
      ]);
      const seqsA = [seqs[0]!, seqs[2]!, seqs[3]!];

      const all = updatesOf(await t.storage.loadUpdatesSince('board-a', start));
      expect(all.updates.map((u) => u.seq)).toEqual(seqsA);
      for (const u of all.updates) expect(u.update).toBeInstanceOf(Uint8Array);
      expect(bytes(all.updates.map((u) => u.update))).toEqual(bytes(ua));
      expect(all.lastSeq).toBe(seqsA[2]);
      expect(entries(all.clientOwners)).toEqual([
        [5, 'k5'],
        [7, 'k7'],
      ]);

      // After the first: the rest, and only the bindings made after it.
      const rest = updatesOf(await t.storage.loadUpdatesSince('board-a', seqsA[0]!));
      expect(rest.updates.map((u) => u.seq)).toEqual(seqsA.slice(1));
      expect(entries(rest.clientOwners)).toEqual([[7, 'k7']]);
      // Nothing after the last: none, and lastSeq stays where it was asked.
      const none = updatesOf(await t.storage.loadUpdatesSince('board-a', seqsA[2]!));
      expect(none.updates).toEqual([]);
      expect(none.lastSeq).toBe(seqsA[2]);
      expect(none.clientOwners.size).toBe(0);

      // The buffers are the caller's own.
      all.updates[0]!.update.fill(0);
      expect(bytes(updatesOf(await t.storage.loadUpdatesSince('board-a', start)).updates.map((u) => u.update))).toEqual(bytes(ua));
      // Applied after a load taken at `start`, they give the board.
      const doc = rebuild(await load('board-a'));
      expect(docContent(doc)).toEqual(a.content());
      expect(await t.storage.loadUpdatesSince('board-x', 0)).toBeNull();
    });

    it('[ST21][ST5] after a compaction past the asked seq, loadUpdatesSince gives the whole state instead', async () => {
      const a = await create('board-a');
      const start = (await load('board-a')).lastSeq;
      const seqs = await t.storage.appendUpdates(a.edits(0, 4).map((update, i) => ({ boardId: 'board-a', update, ...(i === 0 ? { newOwners: [{ clientId: 9, keyHash: 'k9' }] } : {}) })));
      const state = await load('board-a');
      const through = seqs[1]!;
      // A snapshot holding everything through the second update (a compactor that had the first two).
      const partial = new Y.Doc();
      applyStoredState(partial, { snapshot: state.snapshot, updates: state.updates.slice(0, 2) });
      await t.storage.compact('board-a', Y.encodeStateAsUpdate(partial), through);

      const behind = await t.storage.loadUpdatesSince('board-a', start);
      expect(behind?.kind).toBe('compacted');
      const whole = (behind as Extract<UpdatesSince, { kind: 'compacted' }>).state;
      const now = await load('board-a');
      expect(whole.lastSeq).toBe(now.lastSeq);
      expect(bytes(whole.updates)).toEqual(bytes(now.updates));
      expect(entries(whole.clientOwners)).toEqual([[9, 'k9']]);
      expect(docContent(rebuild(whole))).toEqual(a.content());

      // At the snapshot's seq or after it, the updates one by one again.
      const after = updatesOf(await t.storage.loadUpdatesSince('board-a', through));
      expect(after.updates.map((u) => u.seq)).toEqual(seqs.slice(2));
      expect(updatesOf(await t.storage.loadUpdatesSince('board-a', seqs[2]!)).updates.map((u) => u.seq)).toEqual([seqs[3]]);
    });

    it('[ST22] latestSeqs gives each known board its last seq, as a load would; unknown boards are left out', async () => {
      const a = await create('board-a');
      await create('board-b');
      expect(await t.storage.latestSeqs([])).toEqual(new Map());
      const seqs = await t.storage.appendUpdates(a.edits(0, 3).map((update) => ({ boardId: 'board-a', update })));
      const lastB = (await load('board-b')).lastSeq;
      expect(await t.storage.latestSeqs(['board-a', 'board-b', 'board-x'])).toEqual(
        new Map([
          ['board-a', seqs[2]!],
          ['board-b', lastB],
        ]),
      );
      // A compaction of everything keeps it; a new update moves it.
      const state = await load('board-a');
      await t.storage.compact('board-a', snapshotOf(state), state.lastSeq);
      expect((await t.storage.latestSeqs(['board-a'])).get('board-a')).toBe(seqs[2]);
      const [next] = await t.storage.appendUpdates([{ boardId: 'board-a', update: a.edit(9) }]);
      expect((await t.storage.latestSeqs(['board-a'])).get('board-a')).toBe(next);
      expect((await load('board-a')).lastSeq).toBe(next);
    });

    it('[ST23][ST3][ST4] expectSeq: stored only at the seq the writer expected, else nothing (per-board seqs); refused with a shared sequence', async () => {
      const a = await create('board-a');
      const b = await create('board-b');
      const ub = b.edit(1);
      if (!t.storage.seqsPerBoard) {
        await expect(t.storage.appendUpdates([{ boardId: 'board-b', update: ub }, { boardId: 'board-a', update: a.edit(0), expectSeq: 1 }])).rejects.toThrow(RangeError);
        expect(await t.storage.countUpdates('board-a')).toBe(0);
        expect(await t.storage.countUpdates('board-b')).toBe(0);
        return;
      }
      // Per-board seqs: each board from 1, without gaps.
      expect((await load('board-a')).lastSeq).toBe(0);
      const ua = a.edits(0, 5);
      expect(await t.storage.appendUpdates([{ boardId: 'board-a', update: ua[0]!, expectSeq: 1 }, { boardId: 'board-a', update: ua[1]!, expectSeq: 2 }])).toEqual([1, 2]);
      // Another writer appended seq 3 first: an update expecting 3 (and everything of its call) stores nothing.
      expect(await t.storage.appendUpdates([{ boardId: 'board-a', update: ua[2]! }])).toEqual([3]);
      const refused = t.storage.appendUpdates([
        { boardId: 'board-b', update: ub, expectSeq: 1 },
        { boardId: 'board-a', update: ua[3]!, expectSeq: 3 },
      ]);
      await expect(refused).rejects.toBeInstanceOf(SeqConflictError);
      await expect(refused).rejects.toMatchObject({ boardIds: ['board-a'] });
      expect(await t.storage.countUpdates('board-a')).toBe(3);
      expect(await t.storage.countUpdates('board-b')).toBe(0);
      // Judged again at the right seq, it is stored, and the storage goes on working.
      expect(await t.storage.appendUpdates([{ boardId: 'board-b', update: ub, expectSeq: 1 }, { boardId: 'board-a', update: ua[3]!, expectSeq: 4 }])).toEqual([1, 4]);
      expect(await t.storage.appendUpdates([{ boardId: 'board-a', update: ua[4]! }])).toEqual([5]);
      const state = await load('board-a');
      expect(bytes(state.updates)).toEqual(bytes(ua));
      expect(docContent(rebuild(state))).toEqual(a.content());
    });

    it('[ST17] close() can be called twice', async () => {
      await t.storage.close();
      await expect(t.storage.close()).resolves.toBeUndefined();
    });

    (options.persistent ? it : it.skip)('[ST20] a persistent adapter keeps saved versions across close and reopen', async () => {
      const { sut, storage } = t;
      if (!sut.reopen) throw new Error('a persistent adapter must provide reopen()');
      const a = await create('board-a');
      const saved = version('v1', 1_000, Y.encodeStateAsUpdate(a.doc), { auto: true });
      await storage.saveVersion('board-a', saved);
      await storage.close();
      const reopened = await sut.reopen();
      try {
        expect(await reopened.listVersions('board-a')).toEqual([record(saved)]);
        expect(Array.from((await reopened.getVersion('board-a', 'v1'))!.snapshot)).toEqual(Array.from(saved.snapshot));
      } finally {
        await reopened.close();
      }
    });

    (options.persistent ? it : it.skip)(
      '[ST10][ST3] keeps the log across close and reopen: snapshot, updates, seqs, client and presence owners',
      async () => {
        const { sut, storage } = t;
        if (!sut.reopen) throw new Error('a persistent adapter must provide reopen()');
        const a = await create('board-a');
        const b = await create('board-b');
        await storage.appendUpdates(
          a.edits(0, 6).map((update, i) => ({
            boardId: 'board-a',
            update,
            ...(i === 0 ? { newOwners: [{ clientId: a.doc.clientID, keyHash: 'k-a' }] } : {}),
          })),
        );
        const sa = await load('board-a');
        await storage.compact('board-a', snapshotOf(sa), sa.lastSeq);
        await storage.appendUpdates([
          ...a.edits(10, 2).map((update) => ({ boardId: 'board-a', update })),
          ...b.edits(20, 3).map((update) => ({ boardId: 'board-b', update })),
        ]);
        await storage.bindPresence('board-a', [{ clientId: 31, keyHash: 'k-p' }]);
        await storage.bindPresence('board-b', [{ clientId: 32, keyHash: '' }]);
        const beforeA = await load('board-a');
        const beforeB = await load('board-b');
        // Fully compact B so its newest seqs exist only in the snapshot's through_seq.
        await storage.compact('board-b', snapshotOf(beforeB), beforeB.lastSeq);
        await storage.close();

        const reopened = await sut.reopen();
        try {
          const ra = await load('board-a', reopened);
          expect(bytes(ra.updates)).toEqual(bytes(beforeA.updates));
          expect(Array.from(ra.snapshot!)).toEqual(Array.from(beforeA.snapshot!));
          expect(ra.lastSeq).toBe(beforeA.lastSeq);
          expect(entries(ra.clientOwners)).toEqual([[a.doc.clientID, 'k-a']]);
          expect(entries(ra.presenceOwners)).toEqual([[31, 'k-p']]);
          expect(docContent(rebuild(ra))).toEqual(a.content());
          expect(await reopened.countUpdates('board-b')).toBe(0);
          expect(docContent(rebuild(await load('board-b', reopened)))).toEqual(b.content());

          // First binding still wins after the reopen.
          await reopened.bindPresence('board-a', [{ clientId: 31, keyHash: 'thief' }]);
          expect((await load('board-a', reopened)).presenceOwners.get(31)).toBe('k-p');
          expect((await load('board-b', reopened)).presenceOwners.get(32)).toBe('');

          // Appends after reopen get seqs past everything compacted before (seqs are never reused).
          const late = b.edit(99);
          const [lateSeq] = await reopened.appendUpdates([{ boardId: 'board-b', update: late }]);
          expect(lateSeq).toBeGreaterThan(beforeB.lastSeq);
          const rb = await load('board-b', reopened);
          expect(bytes(rb.updates)).toEqual(bytes([late]));
          expect(rb.lastSeq).toBe(lateSeq);
          expect(docContent(rebuild(rb))).toEqual(b.content());
        } finally {
          await reopened.close();
        }
      },
    );
  });
}

/** Registers the board directory's cases (ST11-ST17). */
export function boardDirectoryContract(
  name: string,
  make: () => Promise<StorageUnderTest<BoardDirectoryUnderTest>>,
  options: ContractOptions,
): void {
  describe(`BoardDirectory contract: ${name}`, () => {
    const t = useStorage(make);
    const { load, create } = t;

    it('[ST11] creates, gets and lists boards, by creation time, then id', async () => {
      const c = await create('board-c', 'Gamma', 1_700_000_000_001);
      const b = await create('board-b', 'Beta', 1_700_000_000_002);
      const a = await create('board-a', 'Alpha', 1_700_000_000_002);
      expect(await t.storage.getBoard('board-c')).toEqual({ id: 'board-c', title: 'Gamma', createdAt: 1_700_000_000_001 });
      expect(await t.storage.getBoard('board-b')).toEqual(b.record);
      expect(await t.storage.listBoards()).toEqual([c.record, a.record, b.record]);
    });

    it('[ST11] answers null / empty for an unknown board', async () => {
      await create('board-a');
      expect(await t.storage.getBoard('board-x')).toBeNull();
      expect(await t.storage.getTokens('board-x')).toEqual([]);
    });

    it('[ST12] refuses a duplicate board id and leaves the original untouched', async () => {
      const original = await create('board-a', 'First');
      const impostor = new TestBoard('board-a', 'Second', 1_800_000_000_000);
      impostor.edits(100, 3);
      await expect(
        t.storage.createBoard(impostor.record, Y.encodeStateAsUpdate(impostor.doc), tokens('other')),
      ).rejects.toThrow();
      expect(await t.storage.getBoard('board-a')).toEqual(original.record);
      expect(await t.storage.listBoards()).toHaveLength(1);
      expect(byRole(await t.storage.getTokens('board-a'))).toEqual(byRole(tokens('board-a')));
      expect(docContent(rebuild(await load('board-a')))).toEqual(original.content());
    });

    it('[ST12][ST14] createBoard stores nothing when a token is refused: two for one link, a bad binding', async () => {
      const refused: TokenRecord[][] = [
        [...tokens('board-b'), { role: 'viewer', tokenHash: 'w'.repeat(64) }],
        [...tokens('board-b'), bound('m1', 'm1x'), bound('m1', 'm1y')],
        [...tokens('board-b'), { role: 'viewer', municipalityId: 'm1', tokenHash: 'w'.repeat(64) }],
        [...tokens('board-b'), bound('', 'empty')],
      ];
      for (const list of refused) {
        const b = new TestBoard('board-b', 'B', 1);
        await expect(t.storage.createBoard(b.record, b.initialState, list), JSON.stringify(list)).rejects.toThrow();
        expect(await t.storage.getBoard('board-b')).toBeNull();
        expect(await t.storage.getTokens('board-b')).toEqual([]);
        expect(await t.storage.loadState('board-b')).toBeNull();
        expect(await t.storage.listBoards()).toEqual([]);
      }
      // The id is still free.
      await create('board-b');
      expect(byRole(await t.storage.getTokens('board-b'))).toEqual(byRole(tokens('board-b')));
    });

    it('[ST13] stores token hashes; replaceToken revokes the old token of that role only', async () => {
      await create('board-a');
      await create('board-b');
      expect(byRole(await t.storage.getTokens('board-a'))).toEqual(byRole(tokens('board-a')));

      const newEditor: TokenRecord = { role: 'editor', tokenHash: 'e2'.padEnd(64, 'f') };
      await t.storage.replaceToken('board-a', newEditor);
      const afterOne = byRole(await t.storage.getTokens('board-a'));
      expect(afterOne).toHaveLength(3);
      expect(afterOne.find((x) => x.role === 'editor')).toEqual(newEditor);
      expect(afterOne.map((x) => x.tokenHash)).not.toContain(tokens('board-a')[1]!.tokenHash);
      expect(afterOne.filter((x) => x.role !== 'editor')).toEqual(
        byRole(tokens('board-a')).filter((x) => x.role !== 'editor'),
      );

      const newestEditor: TokenRecord = { role: 'editor', tokenHash: 'e3'.padEnd(64, 'a') };
      await t.storage.replaceToken('board-a', newestEditor);
      const editors = (await t.storage.getTokens('board-a')).filter((x) => x.role === 'editor');
      expect(editors.map(written)).toEqual([newestEditor]);

      // Other boards are unaffected.
      expect(byRole(await t.storage.getTokens('board-b'))).toEqual(byRole(tokens('board-b')));
      await expect(t.storage.replaceToken('no-such-board', newEditor)).rejects.toThrow();
    });

    it('[ST13] replaceToken adds a token for a role that had none', async () => {
      const board = new TestBoard('board-a', 'A', 1);
      const onlyFacilitator = tokens('board-a').filter((x) => x.role === 'facilitator');
      await t.storage.createBoard(board.record, board.initialState, onlyFacilitator);
      expect(byRole(await t.storage.getTokens('board-a'))).toEqual(onlyFacilitator);
      const viewer: TokenRecord = { role: 'viewer', tokenHash: 'v'.repeat(64) };
      await t.storage.replaceToken('board-a', viewer);
      expect(byRole(await t.storage.getTokens('board-a'))).toEqual(byRole([...onlyFacilitator, viewer]));
    });

    it('[ST13] reads back when each token was issued', async () => {
      await create('board-a');
      const before = await t.storage.getTokens('board-a');
      for (const x of before) expect(Number.isSafeInteger(x.createdAt), JSON.stringify(x)).toBe(true);
      await t.storage.replaceToken('board-a', bound('m1', 'm1a'));
      const m1 = (await t.storage.getTokens('board-a')).find((x) => x.municipalityId === 'm1')!;
      expect(m1.createdAt).toBeGreaterThanOrEqual(Math.max(...before.map((x) => x.createdAt!)));
    });

    it('[ST13] per-municipality coordinator tokens coexist with the general editor token', async () => {
      await create('board-a');
      await create('board-b');
      await t.storage.replaceToken('board-a', bound('m1', 'm1a'));
      await t.storage.replaceToken('board-a', bound('m2', 'm2a'));
      expect(byRole(await t.storage.getTokens('board-a'))).toEqual(
        byRole([...tokens('board-a'), bound('m1', 'm1a'), bound('m2', 'm2a')]),
      );

      // Replacing the general editor link leaves the municipalities' links alone.
      const general: TokenRecord = { role: 'editor', tokenHash: 'e9'.padEnd(64, 'd') };
      await t.storage.replaceToken('board-a', general);
      const editors = byRole(await t.storage.getTokens('board-a')).filter((x) => x.role === 'editor');
      expect(editors).toEqual([general, bound('m1', 'm1a'), bound('m2', 'm2a')]);

      // A board can also be created with a bound link; the same municipality id on another board is another link.
      const c = new TestBoard('board-c', 'C', 1);
      await t.storage.createBoard(c.record, c.initialState, [...tokens('board-c'), bound('m1', 'm1c')]);
      expect(byRole(await t.storage.getTokens('board-c'))).toEqual(byRole([...tokens('board-c'), bound('m1', 'm1c')]));
      expect(byRole(await t.storage.getTokens('board-b'))).toEqual(byRole(tokens('board-b')));
    });

    it('[ST13] replacing one municipality’s token revokes only that one', async () => {
      await create('board-a');
      await t.storage.replaceToken('board-a', bound('m1', 'm1a'));
      await t.storage.replaceToken('board-a', bound('m2', 'm2a'));
      await t.storage.replaceToken('board-a', bound('m1', 'm1b'));
      const after = byRole(await t.storage.getTokens('board-a'));
      expect(after).toEqual(byRole([...tokens('board-a'), bound('m1', 'm1b'), bound('m2', 'm2a')]));
      expect(after.map((x) => x.tokenHash)).not.toContain(bound('m1', 'm1a').tokenHash);
    });

    it('[ST14] binds only editor tokens, to a non-empty municipality id', async () => {
      await create('board-a');
      await expect(t.storage.replaceToken('board-a', { role: 'viewer', municipalityId: 'm1', tokenHash: 'v'.repeat(64) })).rejects.toThrow();
      await expect(t.storage.replaceToken('board-a', { role: 'facilitator', municipalityId: 'm1', tokenHash: 'f'.repeat(64) })).rejects.toThrow();
      await expect(t.storage.replaceToken('board-a', bound('', 'empty'))).rejects.toThrow();
      await expect(t.storage.revokeToken('board-a', 'viewer', 'm1')).rejects.toThrow();
      expect(byRole(await t.storage.getTokens('board-a'))).toEqual(byRole(tokens('board-a')));
    });

    it('[ST15] revokeToken leaves no working token for that link, and only that link', async () => {
      await create('board-a');
      await create('board-b');
      await t.storage.replaceToken('board-a', bound('m1', 'm1a'));
      await t.storage.replaceToken('board-a', bound('m2', 'm2a'));

      expect(await t.storage.revokeToken('board-a', 'editor', 'm1')).toBe(true);
      expect(await t.storage.revokeToken('board-a', 'editor', 'm1')).toBe(false); // nothing active any more
      expect(byRole(await t.storage.getTokens('board-a'))).toEqual(byRole([...tokens('board-a'), bound('m2', 'm2a')]));

      // Without a municipality: the role's general link, not the municipalities' links.
      expect(await t.storage.revokeToken('board-a', 'editor')).toBe(true);
      expect(await t.storage.revokeToken('board-a', 'viewer')).toBe(true);
      expect(byRole(await t.storage.getTokens('board-a'))).toEqual(
        byRole([tokens('board-a')[0]!, bound('m2', 'm2a')]),
      );
      expect(byRole(await t.storage.getTokens('board-b'))).toEqual(byRole(tokens('board-b')));

      // A revoked link can be issued again.
      await t.storage.replaceToken('board-a', bound('m1', 'm1c'));
      expect(byRole(await t.storage.getTokens('board-a')).map((x) => x.tokenHash)).toContain(bound('m1', 'm1c').tokenHash);
      await expect(t.storage.revokeToken('no-such-board', 'editor')).rejects.toThrow();
    });

    it('[ST17] close() can be called twice', async () => {
      await t.storage.close();
      await expect(t.storage.close()).resolves.toBeUndefined();
    });

    (options.persistent ? it : it.skip)('[ST16] keeps boards and tokens across close and reopen', async () => {
      const { sut, storage } = t;
      if (!sut.reopen) throw new Error('a persistent adapter must provide reopen()');
      const a = await create('board-a', 'Alpha', 11);
      const b = await create('board-b', 'Beta', 22);
      const viewer: TokenRecord = { role: 'viewer', tokenHash: 'b'.repeat(64) };
      await storage.replaceToken('board-b', viewer);
      await storage.replaceToken('board-b', bound('m1', 'm1b'));
      await storage.revokeToken('board-b', 'facilitator');
      const tokensA = byRole(await storage.getTokens('board-a'));
      const tokensB = byRole(await storage.getTokens('board-b'));
      const createdB = (await storage.getTokens('board-b')).map((x) => x.createdAt).sort();
      await storage.close();

      const reopened = await sut.reopen();
      try {
        expect(byId(await reopened.listBoards())).toEqual([a.record, b.record]);
        expect(await reopened.getBoard('board-b')).toEqual(b.record);
        expect(byRole(await reopened.getTokens('board-a'))).toEqual(tokensA);
        expect(byRole(await reopened.getTokens('board-b'))).toEqual(tokensB);
        expect(tokensB.find((x) => x.role === 'viewer')).toEqual(viewer);
        expect(tokensB.find((x) => x.municipalityId === 'm1')).toEqual(bound('m1', 'm1b'));
        expect(tokensB.some((x) => x.role === 'facilitator')).toBe(false);
        expect((await reopened.getTokens('board-b')).map((x) => x.createdAt).sort()).toEqual(createdB);
        expect(docContent(rebuild(await load('board-a', reopened)))).toEqual(a.content());

        // The rules still hold after the reopen: one active token per link.
        await reopened.replaceToken('board-b', bound('m1', 'm1c'));
        const m1 = (await reopened.getTokens('board-b')).filter((x) => x.municipalityId === 'm1');
        expect(m1.map(written)).toEqual([bound('m1', 'm1c')]);
      } finally {
        await reopened.close();
      }
    });
  });
}

/** Both suites against one adapter of the whole `BoardStorage`. */
export function storageContractSuite(
  name: string,
  makeStorage: () => Promise<StorageUnderTest>,
  options: ContractOptions,
): void {
  documentLogContract(name, makeStorage, options);
  boardDirectoryContract(name, makeStorage, options);
}
