/**
 * The contract every `BoardStorage` adapter must pass. An adapter's test file calls
 * `storageContractSuite('name', makeStorage)`; the suite registers vitest tests.
 *
 * `makeStorage` is called before each test and must return an empty storage.
 * - `options.persistent`: the adapter keeps data across close and reopen; then `reopen` must be
 *   given (a new storage over the same data; the suite closes `storage` before calling it and closes
 *   the storage it returns), and the durability test is registered. In-memory adapters leave it out.
 * - `cleanup` runs after each test; it must tolerate a `storage` that is already closed
 *   (`close()` is idempotent) and remove whatever the storage created.
 *
 * Documents are real Yjs documents: a state is checked by applying snapshot + updates to a fresh
 * Y.Doc and comparing its content with the original document.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { BoardRecord, BoardStorage, StoredState, TokenRecord } from './types.js';

export interface StorageUnderTest {
  storage: BoardStorage;
  reopen?: () => Promise<BoardStorage>;
  cleanup: () => Promise<void>;
}

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
  if (state.snapshot) Y.applyUpdate(doc, state.snapshot);
  for (const update of state.updates) Y.applyUpdate(doc, update);
  return doc;
}

function expectIncreasing(seqs: readonly number[]): void {
  for (const seq of seqs) expect(Number.isSafeInteger(seq)).toBe(true);
  for (let i = 1; i < seqs.length; i++) expect(seqs[i]!, `seq #${i} of ${seqs.join(',')}`).toBeGreaterThan(seqs[i - 1]!);
}

const bytes = (list: readonly Uint8Array[]): number[][] => list.map((u) => Array.from(u));

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

export function storageContractSuite(
  name: string,
  makeStorage: () => Promise<StorageUnderTest>,
  options: { persistent: boolean },
): void {
  describe(`BoardStorage contract: ${name}`, () => {
    let sut: StorageUnderTest;
    let storage: BoardStorage;

    beforeEach(async () => {
      sut = await makeStorage();
      storage = sut.storage;
    });
    afterEach(async () => {
      await sut.cleanup();
    });

    async function load(boardId: string): Promise<StoredState> {
      const state = await storage.loadState(boardId);
      expect(state, `state of ${boardId}`).not.toBeNull();
      return state!;
    }

    async function create(id: string, title = `Board ${id}`, createdAt = 1_700_000_000_000): Promise<TestBoard> {
      const board = new TestBoard(id, title, createdAt);
      await storage.createBoard(board.record, board.initialState, tokens(id));
      return board;
    }

    it('creates, gets and lists boards', async () => {
      const a = await create('board-a', 'Alpha', 1_700_000_000_001);
      const b = await create('board-b', 'Beta', 1_700_000_000_002);
      expect(await storage.getBoard('board-a')).toEqual({ id: 'board-a', title: 'Alpha', createdAt: 1_700_000_000_001 });
      expect(await storage.getBoard('board-b')).toEqual(b.record);
      expect(byId(await storage.listBoards())).toEqual([a.record, b.record]);
    });

    it('a new board loads as its initial state', async () => {
      const a = await create('board-a');
      const state = await load('board-a');
      expect(rebuild(state).getMap('board').get('title')).toBe('Board board-a');
      expect(docContent(rebuild(state))).toEqual(a.content());
      expect(Number.isInteger(state.lastSeq) && state.lastSeq >= 0).toBe(true);
      expect(await storage.countUpdates('board-a')).toBe(0);
    });

    it('refuses a duplicate board id and leaves the original untouched', async () => {
      const original = await create('board-a', 'First');
      const impostor = new TestBoard('board-a', 'Second', 1_800_000_000_000);
      impostor.edits(100, 3);
      await expect(
        storage.createBoard(impostor.record, Y.encodeStateAsUpdate(impostor.doc), tokens('other')),
      ).rejects.toThrow();
      expect(await storage.getBoard('board-a')).toEqual(original.record);
      expect(await storage.listBoards()).toHaveLength(1);
      expect(byRole(await storage.getTokens('board-a'))).toEqual(byRole(tokens('board-a')));
      expect(docContent(rebuild(await load('board-a')))).toEqual(original.content());
    });

    it('answers null / empty for an unknown board', async () => {
      await create('board-a');
      expect(await storage.getBoard('board-x')).toBeNull();
      expect(await storage.loadState('board-x')).toBeNull();
      expect(await storage.getTokens('board-x')).toEqual([]);
    });

    it('appends updates and loads them back in append order, byte for byte', async () => {
      const a = await create('board-a');
      const before = await load('board-a');
      const sent: Uint8Array[] = [];
      const seqs: number[] = [];
      for (let i = 0; i < 20; i++) {
        const update = a.edit(i);
        sent.push(update);
        const returned = await storage.appendUpdates([{ boardId: 'board-a', update }]);
        expect(returned).toHaveLength(1);
        seqs.push(...returned);
      }
      expect(await storage.appendUpdates([])).toEqual([]);
      expectIncreasing([before.lastSeq, ...seqs]);
      const state = await load('board-a');
      for (const u of state.updates) expect(u).toBeInstanceOf(Uint8Array);
      expect(bytes(state.updates)).toEqual(bytes(sent));
      expect(state.lastSeq).toBe(seqs[seqs.length - 1]);
      expect(await storage.countUpdates('board-a')).toBe(20);
      expect(docContent(rebuild(state))).toEqual(a.content());
    });

    it('stores exactly the bytes of a Uint8Array view, not its whole buffer', async () => {
      const a = await create('board-a');
      const update = a.edit(1);
      const backing = new Uint8Array(update.length + 10).fill(0xee);
      backing.set(update, 4);
      await storage.appendUpdates([{ boardId: 'board-a', update: backing.subarray(4, 4 + update.length) }]);
      backing.fill(0); // the storage must not keep a reference to the caller's buffer
      const state = await load('board-a');
      expect(bytes(state.updates)).toEqual(bytes([update]));
      expect(docContent(rebuild(state))).toEqual(a.content());
    });

    it('appends updates of several boards in one call', async () => {
      const a = await create('board-a');
      const b = await create('board-b');
      const ua = a.edits(0, 4);
      const ub = b.edits(50, 4);
      const batch = ua.flatMap((u, i) => [
        { boardId: 'board-a', update: u },
        { boardId: 'board-b', update: ub[i]! },
      ]);
      const seqs = await storage.appendUpdates(batch);
      expect(seqs).toHaveLength(batch.length);
      expectIncreasing(seqs);
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

    it('[R4] appendUpdates is all or nothing (an update for an unknown board fails the whole batch)', async () => {
      const a = await create('board-a');
      const b = await create('board-b');
      await storage.appendUpdates(a.edits(0, 2).map((update) => ({ boardId: 'board-a', update })));
      const beforeA = await load('board-a');
      const beforeB = await load('board-b');

      const contentA = a.content();
      const contentB = b.content();
      const rejected = [a.edit(10), b.edit(11), a.edit(12)];
      await expect(
        storage.appendUpdates([
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
      expect(await storage.countUpdates('board-a')).toBe(2);
      expect(await storage.countUpdates('board-b')).toBe(0);
      expect(docContent(rebuild(afterA))).toEqual(contentA);
      expect(docContent(rebuild(afterB))).toEqual(contentB);
      expect(await storage.loadState('no-such-board')).toBeNull();

      // The storage still works, and a retry of the valid part lands completely.
      await storage.appendUpdates([
        { boardId: 'board-a', update: rejected[0]! },
        { boardId: 'board-b', update: rejected[1]! },
        { boardId: 'board-a', update: rejected[2]! },
      ]);
      expect(await storage.countUpdates('board-a')).toBe(4);
      expect(docContent(rebuild(await load('board-b')))).toEqual(b.content());
    });

    it('stores client owners with their update: first binding wins, all or nothing, kept per board', async () => {
      const a = await create('board-a');
      const b = await create('board-b');
      expect((await load('board-a')).clientOwners.size).toBe(0);
      await storage.appendUpdates([
        { boardId: 'board-a', update: a.edit(0), newOwners: [{ clientId: 7, keyHash: 'k7' }, { clientId: 8, keyHash: '' }] },
        { boardId: 'board-a', update: a.edit(1), newOwners: [{ clientId: 7, keyHash: 'thief' }] },
      ]);
      expect([...(await load('board-a')).clientOwners].sort()).toEqual([[7, 'k7'], [8, '']]);
      expect((await load('board-b')).clientOwners.size).toBe(0);
      await expect(
        storage.appendUpdates([
          { boardId: 'board-b', update: b.edit(2), newOwners: [{ clientId: 9, keyHash: 'k9' }] },
          { boardId: 'no-such-board', update: b.edit(3) },
        ]),
      ).rejects.toThrow();
      expect((await load('board-b')).clientOwners.size).toBe(0);
      const state = await load('board-a');
      await storage.compact('board-a', Y.encodeStateAsUpdate(rebuild(state)), state.lastSeq);
      expect((await load('board-a')).clientOwners.get(7)).toBe('k7');
    });

    it('[R5] compacts: same document, old rows gone, updates appended afterwards survive', async () => {
      const a = await create('board-a');
      await storage.appendUpdates(a.edits(0, 10).map((update) => ({ boardId: 'board-a', update })));
      const before = await load('board-a');
      const snapshot = Y.encodeStateAsUpdate(rebuild(before));
      await storage.compact('board-a', snapshot, before.lastSeq);

      expect(await storage.countUpdates('board-a')).toBe(0);
      const compacted = await load('board-a');
      expect(compacted.updates).toHaveLength(0);
      expect(compacted.snapshot).not.toBeNull();
      expect(Array.from(compacted.snapshot!)).toEqual(Array.from(snapshot));
      expect(compacted.lastSeq).toBe(before.lastSeq);
      expect(docContent(rebuild(compacted))).toEqual(a.content());

      const later = a.edits(20, 3);
      const laterSeqs = await storage.appendUpdates(later.map((update) => ({ boardId: 'board-a', update })));
      expectIncreasing([before.lastSeq, ...laterSeqs]); // seqs never go back, even after rows were deleted
      const after = await load('board-a');
      expect(bytes(after.updates)).toEqual(bytes(later));
      expect(after.lastSeq).toBe(laterSeqs[2]);
      expect(await storage.countUpdates('board-a')).toBe(3);
      expect(docContent(rebuild(after))).toEqual(a.content());
    });

    it('compaction through an earlier seq keeps the updates appended after that seq', async () => {
      const a = await create('board-a');
      await storage.appendUpdates(a.edits(0, 3).map((update) => ({ boardId: 'board-a', update })));
      const seen = await load('board-a');
      const snapshot = Y.encodeStateAsUpdate(rebuild(seen));
      const meanwhile = a.edits(10, 2); // appended between load and compact
      await storage.appendUpdates(meanwhile.map((update) => ({ boardId: 'board-a', update })));
      await storage.compact('board-a', snapshot, seen.lastSeq);

      const state = await load('board-a');
      expect(bytes(state.updates)).toEqual(bytes(meanwhile));
      expect(await storage.countUpdates('board-a')).toBe(2);
      expect(docContent(rebuild(state))).toEqual(a.content());
    });

    it('compact is idempotent and never moves backwards', async () => {
      const a = await create('board-a');
      await storage.appendUpdates(a.edits(0, 5).map((update) => ({ boardId: 'board-a', update })));
      const early = await load('board-a');
      const earlySnapshot = Y.encodeStateAsUpdate(rebuild(early));
      await storage.appendUpdates(a.edits(5, 3).map((update) => ({ boardId: 'board-a', update })));
      const late = await load('board-a');
      const lateSnapshot = Y.encodeStateAsUpdate(rebuild(late));
      expect(late.lastSeq).toBeGreaterThan(early.lastSeq);

      await storage.compact('board-a', lateSnapshot, late.lastSeq);
      await storage.compact('board-a', lateSnapshot, late.lastSeq); // same again: no-op
      await storage.compact('board-a', earlySnapshot, early.lastSeq); // a stale compactor: no-op

      const state = await load('board-a');
      expect(Array.from(state.snapshot!)).toEqual(Array.from(lateSnapshot));
      expect(state.updates).toHaveLength(0);
      expect(state.lastSeq).toBe(late.lastSeq);
      expect(await storage.countUpdates('board-a')).toBe(0);
      expect(docContent(rebuild(state))).toEqual(a.content());
    });

    it('compacting one board leaves the other boards alone', async () => {
      const a = await create('board-a');
      const b = await create('board-b');
      const ub = b.edits(0, 2);
      await storage.appendUpdates([
        ...a.edits(0, 3).map((update) => ({ boardId: 'board-a', update })),
        ...ub.map((update) => ({ boardId: 'board-b', update })),
      ]);
      // A's last update comes after B's, so with a global seq A's throughSeq also covers B's rows.
      await storage.appendUpdates([{ boardId: 'board-a', update: a.edit(9) }]);
      const sa = await load('board-a');
      await storage.compact('board-a', Y.encodeStateAsUpdate(rebuild(sa)), sa.lastSeq);

      const sb = await load('board-b');
      expect(bytes(sb.updates)).toEqual(bytes(ub));
      expect(await storage.countUpdates('board-b')).toBe(2);
      expect(docContent(rebuild(sb))).toEqual(b.content());
      expect(docContent(rebuild(await load('board-a')))).toEqual(a.content());
    });

    it('stores token hashes; replaceToken revokes the old token of that role only', async () => {
      await create('board-a');
      await create('board-b');
      expect(byRole(await storage.getTokens('board-a'))).toEqual(byRole(tokens('board-a')));

      const newEditor: TokenRecord = { role: 'editor', tokenHash: 'e2'.padEnd(64, 'f') };
      await storage.replaceToken('board-a', newEditor);
      const afterOne = byRole(await storage.getTokens('board-a'));
      expect(afterOne).toHaveLength(3);
      expect(afterOne.find((t) => t.role === 'editor')).toEqual(newEditor);
      expect(afterOne.map((t) => t.tokenHash)).not.toContain(tokens('board-a')[1]!.tokenHash);
      expect(afterOne.filter((t) => t.role !== 'editor')).toEqual(
        byRole(tokens('board-a')).filter((t) => t.role !== 'editor'),
      );

      const newestEditor: TokenRecord = { role: 'editor', tokenHash: 'e3'.padEnd(64, 'a') };
      await storage.replaceToken('board-a', newestEditor);
      const editors = (await storage.getTokens('board-a')).filter((t) => t.role === 'editor');
      expect(editors.map(written)).toEqual([newestEditor]);

      // Other boards are unaffected.
      expect(byRole(await storage.getTokens('board-b'))).toEqual(byRole(tokens('board-b')));
    });

    it('replaceToken adds a token for a role that had none', async () => {
      const board = new TestBoard('board-a', 'A', 1);
      const onlyFacilitator = tokens('board-a').filter((t) => t.role === 'facilitator');
      await storage.createBoard(board.record, board.initialState, onlyFacilitator);
      expect(byRole(await storage.getTokens('board-a'))).toEqual(onlyFacilitator);
      const viewer: TokenRecord = { role: 'viewer', tokenHash: 'v'.repeat(64) };
      await storage.replaceToken('board-a', viewer);
      expect(byRole(await storage.getTokens('board-a'))).toEqual(byRole([...onlyFacilitator, viewer]));
    });

    it('reads back when each token was issued', async () => {
      await create('board-a');
      const before = await storage.getTokens('board-a');
      for (const t of before) expect(Number.isSafeInteger(t.createdAt), JSON.stringify(t)).toBe(true);
      await storage.replaceToken('board-a', bound('m1', 'm1a'));
      const m1 = (await storage.getTokens('board-a')).find((t) => t.municipalityId === 'm1')!;
      expect(m1.createdAt).toBeGreaterThanOrEqual(Math.max(...before.map((t) => t.createdAt!)));
    });

    it('per-municipality coordinator tokens coexist with the general editor token', async () => {
      await create('board-a');
      await create('board-b');
      await storage.replaceToken('board-a', bound('m1', 'm1a'));
      await storage.replaceToken('board-a', bound('m2', 'm2a'));
      expect(byRole(await storage.getTokens('board-a'))).toEqual(
        byRole([...tokens('board-a'), bound('m1', 'm1a'), bound('m2', 'm2a')]),
      );

      // Replacing the general editor link leaves the municipalities' links alone.
      const general: TokenRecord = { role: 'editor', tokenHash: 'e9'.padEnd(64, 'd') };
      await storage.replaceToken('board-a', general);
      const editors = byRole(await storage.getTokens('board-a')).filter((t) => t.role === 'editor');
      expect(editors).toEqual([general, bound('m1', 'm1a'), bound('m2', 'm2a')]);

      // A board can also be created with a bound link; the same municipality id on another board is another link.
      const c = new TestBoard('board-c', 'C', 1);
      await storage.createBoard(c.record, c.initialState, [...tokens('board-c'), bound('m1', 'm1c')]);
      expect(byRole(await storage.getTokens('board-c'))).toEqual(byRole([...tokens('board-c'), bound('m1', 'm1c')]));
      expect(byRole(await storage.getTokens('board-b'))).toEqual(byRole(tokens('board-b')));
    });

    it('replacing one municipality’s token revokes only that one', async () => {
      await create('board-a');
      await storage.replaceToken('board-a', bound('m1', 'm1a'));
      await storage.replaceToken('board-a', bound('m2', 'm2a'));
      await storage.replaceToken('board-a', bound('m1', 'm1b'));
      const after = byRole(await storage.getTokens('board-a'));
      expect(after).toEqual(byRole([...tokens('board-a'), bound('m1', 'm1b'), bound('m2', 'm2a')]));
      expect(after.map((t) => t.tokenHash)).not.toContain(bound('m1', 'm1a').tokenHash);
    });

    it('revokeToken leaves no working token for that link, and only that link', async () => {
      await create('board-a');
      await create('board-b');
      await storage.replaceToken('board-a', bound('m1', 'm1a'));
      await storage.replaceToken('board-a', bound('m2', 'm2a'));

      expect(await storage.revokeToken('board-a', 'editor', 'm1')).toBe(true);
      expect(await storage.revokeToken('board-a', 'editor', 'm1')).toBe(false); // nothing active any more
      expect(byRole(await storage.getTokens('board-a'))).toEqual(byRole([...tokens('board-a'), bound('m2', 'm2a')]));

      // Without a municipality: the role's general link, not the municipalities' links.
      expect(await storage.revokeToken('board-a', 'editor')).toBe(true);
      expect(await storage.revokeToken('board-a', 'viewer')).toBe(true);
      expect(byRole(await storage.getTokens('board-a'))).toEqual(
        byRole([tokens('board-a')[0]!, bound('m2', 'm2a')]),
      );
      expect(byRole(await storage.getTokens('board-b'))).toEqual(byRole(tokens('board-b')));

      // A revoked link can be issued again.
      await storage.replaceToken('board-a', bound('m1', 'm1c'));
      expect(byRole(await storage.getTokens('board-a')).map((t) => t.tokenHash)).toContain(bound('m1', 'm1c').tokenHash);
      await expect(storage.revokeToken('no-such-board', 'editor')).rejects.toThrow();
    });

    it('binds only editor tokens, to a non-empty municipality id', async () => {
      await create('board-a');
      await expect(storage.replaceToken('board-a', { role: 'viewer', municipalityId: 'm1', tokenHash: 'v'.repeat(64) })).rejects.toThrow();
      await expect(storage.replaceToken('board-a', { role: 'facilitator', municipalityId: 'm1', tokenHash: 'f'.repeat(64) })).rejects.toThrow();
      await expect(storage.replaceToken('board-a', bound('', 'empty'))).rejects.toThrow();
      await expect(storage.revokeToken('board-a', 'viewer', 'm1')).rejects.toThrow();
      expect(byRole(await storage.getTokens('board-a'))).toEqual(byRole(tokens('board-a')));
      const b = new TestBoard('board-b', 'B', 1);
      await expect(
        storage.createBoard(b.record, b.initialState, [...tokens('board-b'), { role: 'viewer', municipalityId: 'm1', tokenHash: 'w'.repeat(64) }]),
      ).rejects.toThrow();
      expect(await storage.getBoard('board-b')).toBeNull();
    });

    it('close() can be called twice', async () => {
      await storage.close();
      await expect(storage.close()).resolves.toBeUndefined();
    });

    (options.persistent ? it : () => {})('keeps everything across close and reopen', async () => {
      if (!sut.reopen) throw new Error('a persistent adapter must provide reopen()');
      const a = await create('board-a', 'Alpha', 11);
      const b = await create('board-b', 'Beta', 22);
      await storage.appendUpdates(a.edits(0, 6).map((update) => ({ boardId: 'board-a', update })));
      const sa = await load('board-a');
      await storage.compact('board-a', Y.encodeStateAsUpdate(rebuild(sa)), sa.lastSeq);
      await storage.appendUpdates([
        ...a.edits(10, 2).map((update) => ({ boardId: 'board-a', update })),
        ...b.edits(20, 3).map((update) => ({ boardId: 'board-b', update })),
      ]);
      const viewer: TokenRecord = { role: 'viewer', tokenHash: 'b'.repeat(64) };
      await storage.replaceToken('board-b', viewer);
      await storage.replaceToken('board-b', bound('m1', 'm1b'));
      await storage.revokeToken('board-b', 'facilitator');
      const beforeA = await load('board-a');
      const beforeB = await load('board-b');
      const tokensB = byRole(await storage.getTokens('board-b'));
      // Fully compact B so its newest seqs exist only in the snapshot's through_seq.
      await storage.compact('board-b', Y.encodeStateAsUpdate(rebuild(beforeB)), beforeB.lastSeq);
      await storage.close();

      const reopened = await sut.reopen();
      try {
        expect(byId(await reopened.listBoards())).toEqual([a.record, b.record]);
        const ra = (await reopened.loadState('board-a'))!;
        expect(ra).not.toBeNull();
        expect(bytes(ra.updates)).toEqual(bytes(beforeA.updates));
        expect(Array.from(ra.snapshot!)).toEqual(Array.from(beforeA.snapshot!));
        expect(ra.lastSeq).toBe(beforeA.lastSeq);
        expect(docContent(rebuild(ra))).toEqual(a.content());
        expect(await reopened.countUpdates('board-b')).toBe(0);
        expect(docContent(rebuild((await reopened.loadState('board-b'))!))).toEqual(b.content());
        expect(byRole(await reopened.getTokens('board-b'))).toEqual(tokensB);
        expect(tokensB.find((t) => t.role === 'viewer')).toEqual(viewer);
        expect(tokensB.find((t) => t.municipalityId === 'm1')).toEqual(bound('m1', 'm1b'));
        expect(tokensB.some((t) => t.role === 'facilitator')).toBe(false);

        // Appends after reopen get seqs past everything compacted before (seqs are never reused).
        const late = b.edit(99);
        const [lateSeq] = await reopened.appendUpdates([{ boardId: 'board-b', update: late }]);
        expect(lateSeq).toBeGreaterThan(beforeB.lastSeq);
        const rb = (await reopened.loadState('board-b'))!;
        expect(bytes(rb.updates)).toEqual(bytes([late]));
        expect(rb.lastSeq).toBe(lateSeq);
        expect(docContent(rebuild(rb))).toEqual(b.content());
      } finally {
        await reopened.close();
      }
    });
  });
}
