/**
 * UpdateWriter against a storage whose writes the test settles by hand: one tick's appends share a
 * write, a board's appends are stored in order, and a write in flight holds up only its own boards.
 */
import { describe, expect, it } from 'vitest';
import type { BoardStorage, PendingUpdate } from './storage/types.js';
import { SLOW_WRITE_MS, UpdateWriter } from './update-writer.js';

interface Call {
  readonly boards: string[];
  readonly updates: readonly PendingUpdate[];
  finish(): void;
  fail(err: unknown): void;
}

/** A storage whose appendUpdates waits for the test: each call is recorded with its boards and a `finish`. */
function heldStorage() {
  const calls: Call[] = [];
  let seq = 0;
  const appendUpdates = (updates: readonly PendingUpdate[]) =>
    new Promise<number[]>((resolve, reject) => {
      calls.push({
        boards: updates.map((u) => u.boardId),
        updates,
        finish: () => resolve(updates.map(() => ++seq)),
        fail: reject,
      });
    });
  return { storage: { appendUpdates } as unknown as BoardStorage, calls };
}

const pending = (boardId: string, n: number): PendingUpdate => ({ boardId, update: Uint8Array.of(n) });
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
/** A few ticks: a finished write frees its boards, then flushes what waited in a later tick. */
const ticks = async () => {
  for (let i = 0; i < 3; i++) await tick();
};

/** Records the order in which appends resolve. */
function track(done: string[], label: string, stored: Promise<number>): Promise<number> {
  return stored.then(
    (seq) => {
      done.push(label);
      return seq;
    },
    (err: unknown) => {
      done.push(`${label} failed`);
      throw err;
    },
  );
}

describe('UpdateWriter', () => {
  it("writes one tick's appends, of any boards, in one call", async () => {
    const { storage, calls } = heldStorage();
    const writer = new UpdateWriter(storage);
    const stored = [writer.append(pending('a', 1)), writer.append(pending('b', 1)), writer.append(pending('a', 2))];
    await tick();
    expect(calls.map((c) => c.boards)).toEqual([['a', 'a', 'b']]);
    calls[0]!.finish();
    expect(await Promise.all(stored)).toEqual([1, 3, 2]);
  });

  it("[slow disk] a board's write in flight does not hold up another board's appends", async () => {
    const { storage, calls } = heldStorage();
    const writer = new UpdateWriter(storage);
    const done: string[] = [];
    const a1 = track(done, 'a1', writer.append(pending('a', 1)));
    await tick();
    expect(calls).toHaveLength(1); // a's write, left pending

    const b1 = track(done, 'b1', writer.append(pending('b', 1)));
    await tick();
    expect(calls.map((c) => c.boards)).toEqual([['a'], ['b']]);
    calls[1]!.finish();
    await b1;
    expect(done).toEqual(['b1']); // b stored while a's write is still in flight

    calls[0]!.finish();
    await a1;
    expect(done).toEqual(['b1', 'a1']);
  });

  it("keeps a board's order: appends made while its write is in flight wait for it, then go together", async () => {
    const { storage, calls } = heldStorage();
    const writer = new UpdateWriter(storage);
    const done: string[] = [];
    const all = [track(done, 'a1', writer.append(pending('a', 1)))];
    await tick();
    all.push(track(done, 'a2', writer.append(pending('a', 2))));
    await tick();
    all.push(track(done, 'a3', writer.append(pending('a', 3))), track(done, 'b1', writer.append(pending('b', 1))));
    await tick();
    // b goes at once; a2 and a3 wait for a1.
    expect(calls.map((c) => c.boards)).toEqual([['a'], ['b']]);

    calls[0]!.finish();
    await all[0];
    await ticks();
    expect(calls.map((c) => c.updates.map((u) => u.update[0]))).toEqual([[1], [1], [2, 3]]);
    calls[1]!.finish();
    calls[2]!.finish();
    await Promise.all(all);
    expect(done.filter((d) => d.startsWith('a'))).toEqual(['a1', 'a2', 'a3']);
  });

  it('a failed write fails only its own appends; the board writes again afterwards', async () => {
    const { storage, calls } = heldStorage();
    const writer = new UpdateWriter(storage);
    const a1 = writer.append(pending('a', 1));
    await tick();
    const a2 = writer.append(pending('a', 2));
    await tick();
    calls[0]!.fail(new Error('disk full'));
    await expect(a1).rejects.toThrow('disk full');
    await ticks();
    expect(calls.map((c) => c.boards)).toEqual([['a'], ['a']]);
    calls[1]!.finish();
    expect(await a2).toBe(1);
  });

  it('writes at most a few batches at once; the rest wait for a free slot', async () => {
    const { storage, calls } = heldStorage();
    const writer = new UpdateWriter(storage, undefined, 2);
    const stored: Promise<number>[] = [];
    for (const board of ['a', 'b', 'c']) {
      stored.push(writer.append(pending(board, 1)));
      await tick();
    }
    expect(calls.map((c) => c.boards)).toEqual([['a'], ['b']]);
    calls[0]!.finish();
    await stored[0];
    await ticks();
    expect(calls.map((c) => c.boards)).toEqual([['a'], ['b'], ['c']]);
    calls[1]!.finish();
    calls[2]!.finish();
    await Promise.all(stored);
  });

  it('a board whose last write was slow writes alone, so it shares no write with other boards', async () => {
    const { storage, calls } = heldStorage();
    const writer = new UpdateWriter(storage);
    const a1 = writer.append(pending('a', 1));
    await tick();
    await new Promise((resolve) => setTimeout(resolve, SLOW_WRITE_MS + 10));
    calls[0]!.finish();
    await a1;
    await ticks();

    const next = [writer.append(pending('a', 2)), writer.append(pending('b', 1)), writer.append(pending('c', 1))];
    await tick();
    expect(calls.slice(1).map((c) => c.boards)).toEqual([['b', 'c'], ['a']]);
    calls[1]!.finish();
    calls[2]!.finish(); // fast this time: a shares again
    await Promise.all(next);
    await ticks();

    const last = [writer.append(pending('a', 3)), writer.append(pending('b', 2))];
    await tick();
    expect(calls.slice(3).map((c) => c.boards)).toEqual([['a', 'b']]);
    calls[3]!.finish();
    await Promise.all(last);
  });

  it('a slow write of several boards marks none of them: the next tick still writes them together', async () => {
    const { storage, calls } = heldStorage();
    const writer = new UpdateWriter(storage);
    const first = [writer.append(pending('a', 1)), writer.append(pending('b', 1))];
    await tick();
    await new Promise((resolve) => setTimeout(resolve, SLOW_WRITE_MS + 10));
    calls[0]!.finish();
    await Promise.all(first);
    await ticks();
    const next = [writer.append(pending('a', 2)), writer.append(pending('b', 2))];
    await tick();
    expect(calls.map((c) => c.boards)).toEqual([['a', 'b'], ['a', 'b']]);
    calls[1]!.finish();
    await Promise.all(next);
  });

  it('with one write at a time (a single-writer storage), the next write takes every board that is ready, a slow one too', async () => {
    const { storage, calls } = heldStorage();
    const writer = new UpdateWriter(storage, undefined, 1);
    const a1 = writer.append(pending('a', 1));
    await tick();
    await new Promise((resolve) => setTimeout(resolve, SLOW_WRITE_MS + 10));
    const waiting = [writer.append(pending('b', 1)), writer.append(pending('a', 2)), writer.append(pending('c', 1))];
    await tick();
    expect(calls.map((c) => c.boards)).toEqual([['a']]); // b and c wait: one write at a time
    calls[0]!.finish(); // slow, written alone: a is not kept apart from the rest
    await a1;
    await ticks();
    expect(calls.map((c) => c.boards)).toEqual([['a'], ['b', 'a', 'c']]);
    calls[1]!.finish();
    await Promise.all(waiting);
  });

  it('drain waits for every append so far, those queued behind a write in flight too', async () => {
    const { storage, calls } = heldStorage();
    const writer = new UpdateWriter(storage);
    const done: string[] = [];
    void track(done, 'a1', writer.append(pending('a', 1)));
    await tick();
    void track(done, 'a2', writer.append(pending('a', 2)));
    let drained = false;
    const draining = writer.drain().then(() => (drained = true));
    await tick();
    expect(calls).toHaveLength(1);
    calls[0]!.finish();
    await ticks();
    expect(drained).toBe(false);
    expect(calls).toHaveLength(2);
    calls[1]!.finish();
    await draining;
    expect(done).toEqual(['a1', 'a2']);
  });
});
