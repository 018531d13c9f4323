/**
 * A board's first fresh clients are answered from the state storage read, before its document is
 * built (cold-answer.ts). Each test holds the load between reading the state and handing it over,
 * so the client's sync step 1 is there before the room is: what it is sent shows which path
 * answered (the room encodes its document and sends it as sync step 2; the early answer sends the
 * stored snapshot as it is).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import * as Y from 'yjs';
import { type ActivityId, demoLaneId, editActivity, moveActivity, readBoard } from '@tabla/plan-model';
import { documentFrames, type RawClient, syncStep1Frame, waitFor } from '@tabla/test-clients';
import { MAX_MERGED_TAIL } from '../cold-answer.js';
import { MemoryFanoutHub } from '../fanout/memory.js';
import { NoFanout } from '../fanout/none.js';
import { MemoryStorage } from '../storage/memory.js';
import type { BoardStorage, StoredState } from '../storage/types.js';
import { type Cluster, startCluster } from './cluster.js';
import { captureUpdate, storedDoc } from './harness.js';

const running: Cluster[] = [];
afterEach(async () => {
  for (const c of running.splice(0)) await c.stop();
});

/** `storage` whose loadState reads the state, then waits for `release()` before handing it over. */
function heldLoads(storage: BoardStorage): { storage: BoardStorage; read: () => number; release: () => void } {
  let reads = 0;
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const held = new Proxy(storage, {
    get(target, key) {
      if (key === 'loadState') {
        return async (boardId: string): Promise<StoredState | null> => {
          const state = await target.loadState(boardId);
          reads++;
          await released;
          return state;
        };
      }
      const value: unknown = Reflect.get(target, key);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { storage: held, read: () => reads, release };
}

/** The document frames a client was sent, in order. */
const docFrames = (client: RawClient) => documentFrames(client).flatMap((f) => ('payload' in f ? [{ type: f.type, payload: f.payload }] : []));

/** The board as a fresh client builds it from the document frames it was sent, in order. */
function docFrom(client: RawClient): Y.Doc {
  const doc = new Y.Doc();
  for (const f of docFrames(client)) if (f.type !== 'sync-step-1') Y.applyUpdate(doc, f.payload);
  return doc;
}

/** Appends `n` edits of the stored board straight to its log (as if stored before a crash). */
async function appendEdits(storage: BoardStorage, boardId: string, n: number): Promise<void> {
  const doc = await storedDoc(storage, boardId);
  const ids = [...readBoard(doc).activityById.keys()] as ActivityId[];
  const pending = Array.from({ length: n }, (_, i) => ({
    boardId,
    update: captureUpdate(doc, (d) => (i % 2 ? editActivity(d, ids[i % ids.length]!, { title: `edit ${i}` }) : moveActivity(d, ids[i % ids.length]!, demoLaneId('C'), 0))),
  }));
  for (let i = 0; i < pending.length; i += 200) await storage.appendUpdates(pending.slice(i, i + 200));
}

/** One instance over `storage` with its loads held; a raw client that asks for the whole board at once. */
async function coldClient(storage: MemoryStorage, stateVector = Y.encodeStateVector(new Y.Doc())) {
  const held = heldLoads(storage);
  const c = await startCluster([held.storage], () => new NoFanout(), { unloadDelayMs: 60_000 });
  running.push(c);
  return { c, held, ask: async () => {
    const client = await c.raw(0, 'viewer');
    client.send(syncStep1Frame(stateVector));
    await waitFor(() => held.read() === 1, 3000, 'the state read');
    await sleep(30); // the client's frame is read by now (one process, loopback)
    held.release();
    await waitFor(() => docFrames(client).some((f) => f.type === 'sync-step-1'), 3000, 'the room joined');
    return client;
  } };
}

describe('a fresh client is answered from storage while the board loads', () => {
  it('gets the stored snapshot as it is, then the log after it merged as sync step 2: the whole board', async () => {
    const storage = MemoryStorage.open();
    const { c, ask } = await coldClient(storage);
    await appendEdits(storage, c.board.boardId, 40);
    const stored = await storage.loadState(c.board.boardId);
    const client = await ask();

    const frames = docFrames(client);
    expect(frames.map((f) => f.type).slice(0, 3)).toEqual(['update', 'sync-step-2', 'sync-step-1']);
    expect(frames[0]!.type === 'update' && frames[0]!.payload).toEqual(stored!.snapshot);
    const expected = await storedDoc(storage, c.board.boardId);
    const got = docFrom(client);
    expect(readBoard(got)).toEqual(readBoard(expected));
    expect(Y.encodeStateVector(got)).toEqual(Y.encodeStateVector(expected));
  });

  it('a stock client is synced with the whole board', async () => {
    const storage = MemoryStorage.open();
    const { c, held } = await coldClient(storage);
    await appendEdits(storage, c.board.boardId, 10);
    const stock = c.connect(0, 'viewer');
    await waitFor(() => held.read() === 1, 3000, 'the state read');
    await sleep(30);
    held.release();
    await stock.synced;
    expect(readBoard(stock.doc)).toEqual(readBoard(await storedDoc(storage, c.board.boardId)));
  });

  it('a board without a log after its snapshot: the snapshot alone, as sync step 2', async () => {
    const storage = MemoryStorage.open();
    const { c, ask } = await coldClient(storage);
    const stored = await storage.loadState(c.board.boardId);
    const client = await ask();
    const frames = docFrames(client);
    expect(frames.map((f) => f.type).slice(0, 2)).toEqual(['sync-step-2', 'sync-step-1']);
    expect(frames[0]!.payload).toEqual(stored!.snapshot);
  });

  it(`a log longer than ${MAX_MERGED_TAIL} updates is not merged: the room answers, once`, async () => {
    const storage = MemoryStorage.open();
    const { c, ask } = await coldClient(storage);
    await appendEdits(storage, c.board.boardId, MAX_MERGED_TAIL + 1);
    const client = await ask();
    await waitFor(() => docFrames(client).some((f) => f.type === 'sync-step-2'), 3000, 'the answer');
    await sleep(50);
    const types = docFrames(client).map((f) => f.type);
    expect(types).toEqual(['sync-step-1', 'sync-step-2']);
    expect(readBoard(docFrom(client))).toEqual(readBoard(await storedDoc(storage, c.board.boardId)));
  });

  it('a client with a state of its own waits for the room', async () => {
    const storage = MemoryStorage.open();
    const known = new Y.Doc();
    known.getMap('x').set('k', 1); // a client id with a clock: not a fresh client
    const { ask } = await coldClient(storage, Y.encodeStateVector(known));
    const client = await ask();
    await waitFor(() => docFrames(client).some((f) => f.type === 'sync-step-2'), 3000, 'the answer');
    expect(docFrames(client).map((f) => f.type)).toEqual(['sync-step-1', 'sync-step-2']);
  });
});

describe('shared boards: what another instance stored while the board loaded', () => {
  it('reaches a client answered from the state read before it', async () => {
    const memory = MemoryStorage.open({ seqsPerBoard: true });
    const hub = new MemoryFanoutHub();
    const held = heldLoads(memory.reopen());
    const c = await startCluster([memory.reopen(), held.storage], (i) => hub.instance(`i${i}`), { unloadDelayMs: 60_000 });
    running.push(c);
    const editor = c.connect(0, 'editor');
    await editor.synced;

    const client = await c.raw(1, 'viewer');
    client.send(syncStep1Frame(Y.encodeStateVector(new Y.Doc())));
    await waitFor(() => held.read() === 1, 3000, 'the state read on instance 1');
    const id = [...readBoard(editor.doc).activityById.keys()][0] as ActivityId;
    editActivity(editor.doc, id, { title: 'stored while instance 1 loaded' });
    await waitFor(() => c.instances[0]!.sync.stats.updatesStored === 1, 3000, 'the edit stored');
    await sleep(30); // heard by instance 1's pipe, and the client's frame read
    held.release();

    await waitFor(() => readBoard(docFrom(client)).activityById.get(id)?.title === 'stored while instance 1 loaded', 3000, 'the edit at the client');
    // Answered early (the stored snapshot, as sync step 2), then given what came after at the join.
    const frames = docFrames(client);
    expect(frames.map((f) => f.type).slice(0, 3)).toEqual(['sync-step-2', 'sync-step-1', 'update']);
    expect(frames[0]!.payload).toEqual((await memory.loadState(c.board.boardId))!.snapshot);
  });
});
