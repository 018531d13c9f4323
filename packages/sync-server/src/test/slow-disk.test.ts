/**
 * A slow disk on one board (the bench's "slow disk"): while a write of board A is in flight, board
 * B's updates are still stored and relayed; A's update is relayed only once stored. With a storage
 * that has concurrent writers (PostgreSQL): SQLite's one writer takes every write in turn
 * (`writesAtOnce` 1, update-writer.test.ts), so the test lifts that for its held storage.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import type * as Y from 'yjs';
import { demoLaneId, moveActivity, roots, type ActivityId } from '@tabla/plan-model';
import { connectRawReader, type RawClient, updateFrame, waitFor } from '@tabla/test-clients';
import { captureUpdate, storedDoc, type TestBoard, type TestServer, testServer } from './harness.js';

/** Holds every write that holds an update of `boardId` until `release()`; `events` records commits. */
function holdWritesOf(h: TestServer, boardId: string) {
  const storage = h.storage;
  Object.defineProperty(storage, 'writesAtOnce', { value: undefined }); // as a storage with concurrent writers
  const write = storage.appendUpdates.bind(storage);
  const events: string[] = [];
  let open = () => {};
  const gate = new Promise<void>((resolve) => (open = resolve));
  let held = 0;
  storage.appendUpdates = async (updates) => {
    const ofBoard = updates.some((u) => u.boardId === boardId);
    if (ofBoard) {
      held++;
      await gate;
    }
    const seqs = await write(updates);
    events.push(`commit ${[...new Set(updates.map((u) => u.boardId === boardId ? 'A' : 'B'))].join('+')}`);
    return seqs;
  };
  return { events, held: () => held, release: () => open() };
}

async function moveOnce(h: TestServer, board: TestBoard, clientID: number): Promise<Uint8Array> {
  const doc: Y.Doc = await storedDoc(h.storage, board.boardId);
  doc.clientID = clientID;
  onTestFinished(() => doc.destroy());
  const id = [...roots(doc).activities.keys()].sort()[0] as ActivityId;
  return captureUpdate(doc, (d) => moveActivity(d, id, demoLaneId('D'), 0));
}

async function editor(h: TestServer, board: TestBoard): Promise<RawClient> {
  const c = await h.raw('editor', board);
  await waitFor(() => c.frames.length > 0, 5000, 'sync step 1');
  return c;
}

describe('a slow disk on one board', () => {
  it("[slow disk] board B's update is relayed while board A's write is still in flight", async () => {
    const h = await testServer();
    const a: TestBoard = h;
    const b = h.other;
    const disk = holdWritesOf(h, a.boardId);
    const [writerA, writerB] = [await editor(h, a), await editor(h, b)];
    const readerA = await connectRawReader(h.url, a.boardId, a.tokens.viewer);
    const readerB = await connectRawReader(h.url, b.boardId, b.tokens.viewer);
    onTestFinished(() => [readerA, readerB].forEach((r) => r.ws.terminate()));
    const [updateA, updateB] = [await moveOnce(h, a, 601), await moveOnce(h, b, 602)];

    writerA.send(updateFrame(updateA));
    await waitFor(() => disk.held() === 1, 5000, "A's write to start");
    writerB.send(updateFrame(updateB));
    await waitFor(() => readerB.updates.length === 1, 5000, "B's update relayed");

    // B's went through the disk and out while A's write waits: A's reader has nothing yet.
    expect(disk.events).toEqual(['commit B']);
    await readerA.roundTrip();
    expect(readerA.updates).toEqual([]);

    disk.release();
    await waitFor(() => readerA.updates.length === 1, 5000, "A's update relayed");
    expect(disk.events).toEqual(['commit B', 'commit A']);
    expect([writerA, writerB].map((c) => c.closeInfo)).toEqual([null, null]);
  });
});
