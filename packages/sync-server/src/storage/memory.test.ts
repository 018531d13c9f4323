import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { storageContractSuite } from './contract.js';
import { MemoryStorage } from './memory.js';

storageContractSuite(
  'memory',
  async () => {
    const storage = MemoryStorage.open();
    const opened = [storage];
    return {
      storage,
      // A restart over the same data: what the contract's durability cases check.
      reopen: async () => {
        const again = storage.reopen();
        opened.push(again);
        return again;
      },
      cleanup: async () => {
        for (const s of opened) await s.close();
      },
    };
  },
  { persistent: true },
);

// Per-board seqs, as PostgreSQL counts them: what the fan-out between instances is tested on without services.
storageContractSuite(
  'memory (seqsPerBoard)',
  async () => {
    const storage = MemoryStorage.open({ seqsPerBoard: true });
    const opened = [storage];
    return {
      storage,
      reopen: async () => {
        const again = storage.reopen();
        opened.push(again);
        return again;
      },
      cleanup: async () => {
        for (const s of opened) await s.close();
      },
    };
  },
  { persistent: true },
);

describe('MemoryStorage (memory specifics)', () => {
  const initial = Y.encodeStateAsUpdate(new Y.Doc());

  it('refuses every call once closed; a reopened storage sees the same data', async () => {
    const storage = MemoryStorage.open();
    await storage.createBoard({ id: 'b', title: 'B', createdAt: 1 }, initial, []);
    await storage.close();
    await expect(storage.loadState('b')).rejects.toThrow(/closed/);
    await expect(storage.listBoards()).rejects.toThrow(/closed/);
    const again = storage.reopen();
    expect(await again.getBoard('b')).toEqual({ id: 'b', title: 'B', createdAt: 1 });
  });

  it('[R4][ST4] a fault injected in appendUpdates leaves nothing and uses up no seq', async () => {
    let armed = true;
    const storage = MemoryStorage.open({
      faultInjection: {
        beforeAppendCommit: () => {
          if (armed) throw new Error('injected append failure');
        },
      },
    });
    await storage.createBoard({ id: 'b', title: 'B', createdAt: 1 }, initial, []);
    const update = Y.encodeStateAsUpdate(new Y.Doc());
    await expect(
      storage.appendUpdates([{ boardId: 'b', update, newOwners: [{ clientId: 1, keyHash: 'k' }] }]),
    ).rejects.toThrow('injected append failure');
    const state = (await storage.loadState('b'))!;
    expect(state.updates).toHaveLength(0);
    expect(state.clientOwners.size).toBe(0);
    armed = false;
    expect(await storage.appendUpdates([{ boardId: 'b', update }])).toEqual([1]);
  });

  it('[R5][ST5] a fault injected during compaction keeps the old snapshot and every update', async () => {
    let armed = true;
    let deletedRows = -1;
    const storage = MemoryStorage.open({
      faultInjection: {
        beforeCompactCommit: (info) => {
          deletedRows = info.deletedRows;
          if (armed) throw new Error('injected compaction failure');
        },
      },
    });
    const doc = new Y.Doc();
    await storage.createBoard({ id: 'b', title: 'B', createdAt: 1 }, Y.encodeStateAsUpdate(doc), []);
    const updates: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => updates.push(u));
    for (let i = 0; i < 3; i++) doc.getArray('log').push([i]);
    const seqs = await storage.appendUpdates(updates.map((update) => ({ boardId: 'b', update })));
    await expect(storage.compact('b', Y.encodeStateAsUpdate(doc), seqs[2]!)).rejects.toThrow('injected');
    expect(deletedRows).toBe(3);
    expect(await storage.countUpdates('b')).toBe(3);
    armed = false;
    await storage.compact('b', Y.encodeStateAsUpdate(doc), seqs[2]!);
    expect(await storage.countUpdates('b')).toBe(0);
  });

  it('dates tokens with its clock', async () => {
    let now = 100;
    const storage = MemoryStorage.open({ now: () => now });
    await storage.createBoard({ id: 'b', title: 'B', createdAt: 1 }, initial, [{ role: 'viewer', tokenHash: 'v' }]);
    now = 200;
    await storage.replaceToken('b', { role: 'editor', tokenHash: 'e' });
    expect(await storage.getTokens('b')).toEqual([
      { role: 'editor', tokenHash: 'e', createdAt: 200 },
      { role: 'viewer', tokenHash: 'v', createdAt: 100 },
    ]);
  });
});
