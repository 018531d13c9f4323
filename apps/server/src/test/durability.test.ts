/**
 * Durability of the real server process (RELIABILITY.md, scenarios 1, 2, 4, 5 and 6): the built
 * `dist/main.js` is spawned on port 0 with its own DATA_DIR, crashed (SIGKILL) or stopped
 * (SIGTERM), and started again on the same port and data; clients are the stock y-websocket
 * provider and raw `ws` sockets. Storage faults come from the TABLA_TEST_FAULTS seam (src/faults.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { type ActivityId, demoLaneId, editActivity, type LaneId, moveActivity, readBoard } from '@tabla/plan-model';
import { connectRawReader, connectStock, type RawReader, type StockClient, waitFor, within } from '@tabla/test-clients';
import { type CreatedBoard, SpawnedServer } from './spawned-server.js';

let cleanups: (() => void | Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function startServer(faults?: string): Promise<SpawnedServer> {
  const server = await SpawnedServer.start(faults ? { faults } : {});
  cleanups.push(() => server.dispose());
  return server;
}

function stock(server: SpawnedServer, board: CreatedBoard, role: 'editor' | 'viewer' | 'facilitator'): StockClient {
  const client = connectStock(server.wsUrl, board.id, board.tokens[role]);
  cleanups.push(() => client.destroy());
  return client;
}

async function reader(server: SpawnedServer, board: CreatedBoard): Promise<RawReader> {
  const r = await connectRawReader(server.wsUrl, board.id, board.tokens.viewer);
  cleanups.push(() => r.ws.terminate());
  return r;
}

/** A fresh viewer on a freshly started server: the board exactly as stored. */
async function freshDoc(server: SpawnedServer, board: CreatedBoard): Promise<StockClient> {
  const client = stock(server, board, 'viewer');
  await client.untilSynced();
  return client;
}

const LANES: (LaneId | null)[] = [demoLaneId('A'), demoLaneId('B'), demoLaneId('C'), demoLaneId('D'), null];
const activityIds = (doc: Y.Doc): ActivityId[] => [...readBoard(doc).activityById.keys()].sort();
const titleOf = (doc: Y.Doc, id: ActivityId): string | undefined => readBoard(doc).activityById.get(id)?.title;

/** Operation i of a burst: moves and title edits over the demo board's activities. */
function operation(doc: Y.Doc, ids: readonly ActivityId[], i: number, tag: string): void {
  const id = ids[i % ids.length]!;
  if (i % 2 === 0) moveActivity(doc, id, LANES[Math.floor(i / 2) % LANES.length]!, i % 3);
  else editActivity(doc, id, { title: `${tag} ${i}` });
}

/** Runs `count` operations in chunks of 10 per event-loop turn, so clients and kills interleave; stops when `stop()`. */
async function burst(doc: Y.Doc, count: number, tag: string, stop: () => boolean = () => false): Promise<number> {
  const ids = activityIds(doc);
  let done = 0;
  while (done < count && !stop()) {
    for (const end = Math.min(count, done + 10); done < end; done++) operation(doc, ids, done, tag);
    await new Promise((r) => setImmediate(r));
  }
  return done;
}

/** The board as plain, comparable data. */
function boardJson(doc: Y.Doc): unknown {
  const { meta, municipalities, lanes, unplaced } = readBoard(doc);
  return { meta, municipalities, lanes, unplaced };
}

/** How many of `updates` are not (fully) contained in `doc`: struct clocks and deletions. */
function missingFrom(doc: Y.Doc, updates: readonly Uint8Array[]): number {
  const snapshot = Y.snapshot(doc);
  return updates.filter((u) => !Y.snapshotContainsUpdate(snapshot, u)).length;
}

/** How many of `updates` `doc` holds whole: the reader's count of a writer's changes (a server may relay several stored together in one frame). */
function containedIn(doc: Y.Doc, updates: readonly Uint8Array[]): number {
  return updates.length - missingFrom(doc, updates);
}

/** `doc` after also applying `other`'s whole state to a copy of it: equal to `doc` iff `doc` already had it all. */
function unchangedByMerging(doc: Y.Doc, other: Y.Doc): boolean {
  const copy = new Y.Doc();
  try {
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
    const before = JSON.stringify(boardJson(copy));
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(other));
    return JSON.stringify(boardJson(copy)) === before;
  } finally {
    copy.destroy();
  }
}

/** Updates without repeats (a server may legitimately send one twice, e.g. in a sync step 2). */
function distinct(updates: readonly Uint8Array[]): Uint8Array[] {
  const seen = new Set<string>();
  return updates.filter((u) => {
    const key = Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString('base64');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Every local update of a document, as it was sent. */
function recordLocalUpdates(client: StockClient): Uint8Array[] {
  const updates: Uint8Array[] = [];
  client.doc.on('update', (update: Uint8Array, origin: unknown) => {
    if (origin !== client.provider) updates.push(update);
  });
  return updates;
}

describe('durability of the spawned server', () => {
  it('[R1] kill -9 in and after a burst loses nothing that any client was sent', async () => {
    // Three crashes on the same data: twice mid-burst, once right after the reader saw the last update.
    const BURST = 150;
    const server = await startServer();
    const board = await server.createBoard('R1 kill -9');
    const lostPerCrash: number[] = [];
    for (const killAt of [40, 95, BURST]) {
      const writer = stock(server, board, 'editor');
      await writer.untilSynced();
      const sent = recordLocalUpdates(writer);
      const seen = await reader(server, board);

      let killed = false;
      seen.onUpdate = () => {
        if (!killed && containedIn(seen.doc, sent) >= killAt) {
          killed = true;
          server.kill('SIGKILL'); // synchronously, the moment the reader has it
        }
      };
      await burst(writer.doc, BURST, `burst ${killAt}`, () => killed);
      await waitFor(() => killed, 5000, `the reader to see ${killAt} updates`);
      await within(seen.closed, 5000, 'the reader to see the crash');
      writer.destroy(); // a live writer would send its edits again after the restart and hide a loss
      expect((await within(server.exited(), 5000, 'the exit')).signal).toBe('SIGKILL');
      const relayed = distinct(seen.updates);
      const relayedChanges = containedIn(seen.doc, sent);
      expect(relayedChanges).toBeGreaterThanOrEqual(killAt);
      expect(missingFrom(seen.doc, relayed)).toBe(0); // the measuring instrument itself

      await server.restart();
      const fresh = await freshDoc(server, board);
      const lost = missingFrom(fresh.doc, relayed);
      const stored = containedIn(fresh.doc, sent);
      lostPerCrash.push(lost);
      console.log(
        `[R1 kill at ${killAt}/${BURST}] sent ${sent.length}, relayed ${relayedChanges} (in ${relayed.length} frames), stored ${stored}; relayed then lost after kill -9: ${lost}`,
      );
      expect.soft(stored).toBeGreaterThanOrEqual(relayedChanges);
      expect.soft(unchangedByMerging(fresh.doc, seen.doc)).toBe(true);
      fresh.destroy();
    }
    console.log(`relayed then lost after kill -9: ${lostPerCrash.reduce((a, b) => a + b, 0)} (per crash: ${lostPerCrash.join(', ')})`);
    expect(lostPerCrash).toEqual([0, 0, 0]);
  }, 20_000);

  it('[R2] SIGTERM flushes, closes every connection with 1001 and exits 0 within seconds', async () => {
    const server = await startServer();
    const board = await server.createBoard('R2 SIGTERM');
    const writer = stock(server, board, 'editor');
    await writer.untilSynced();
    const seen = await reader(server, board);
    const sent = recordLocalUpdates(writer);

    await burst(writer.doc, 100, 'relayed');
    await waitFor(() => containedIn(seen.doc, sent) === 100, 5000, 'the reader to see the burst');
    // More edits in the very tick of the signal: whatever the server read of them is stored
    // by the shutdown, the rest stays with the client, which sends it again after the restart.
    const ids = activityIds(writer.doc);
    for (let i = 0; i < 20; i++) editActivity(writer.doc, ids[i % ids.length]!, { title: `last tick ${i}` });
    const exit = await server.stop('SIGTERM');
    console.log(`[R2] SIGTERM to exit: ${exit.ms} ms (exit code ${exit.code})`);
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.ms).toBeLessThan(5000);
    expect((await seen.closed).code).toBe(1001);
    await waitFor(() => writer.closes.length > 0, 2000, 'the writer to see the close');
    expect(writer.closes[0]!.code).toBe(1001);
    expect(server.logs.some((e) => e.msg === 'stopped')).toBe(true);

    // Flushed once: everything stored was folded into the snapshot, no update rows left.
    expect(server.updateRows(board.id)).toBe(0);
    expect(server.snapshotThroughSeq(board.id)).toBeGreaterThanOrEqual(100);

    await server.restart();
    const fresh = await freshDoc(server, board);
    expect(missingFrom(fresh.doc, seen.updates)).toBe(0);
    expect(unchangedByMerging(fresh.doc, seen.doc)).toBe(true);
    // The writer reconnected by itself: nothing of the last tick is lost either.
    await waitFor(
      () => JSON.stringify(boardJson(fresh.doc)) === JSON.stringify(boardJson(writer.doc)),
      5000,
      'the fresh client to converge with the writer',
    );
    expect(titleOf(fresh.doc, ids[19 % ids.length]!)).toBe('last tick 19');
  }, 20_000);

  it('[R4] a failing storage write is not relayed, the sender is closed with 4500, reconnects and is stored', async () => {
    const server = await startServer('fail-append:3');
    const board = await server.createBoard('R4 failing write');
    const sender = stock(server, board, 'editor');
    await sender.untilSynced();
    const seen = await reader(server, board);
    const ids = activityIds(sender.doc);

    editActivity(sender.doc, ids[0]!, { title: 'stored 1' }); // append #1
    await waitFor(() => titleOf(seen.doc, ids[0]!) === 'stored 1', 3000, 'edit 1 relayed');
    editActivity(sender.doc, ids[1]!, { title: 'stored 2' }); // append #2
    await waitFor(() => titleOf(seen.doc, ids[1]!) === 'stored 2', 3000, 'edit 2 relayed');

    let seenWhenSenderBack = Infinity;
    sender.provider.on('status', ({ status }: { status: string }) => {
      if (status === 'connected' && sender.closes.length > 0) seenWhenSenderBack = Math.min(seenWhenSenderBack, seen.updates.length);
    });
    editActivity(sender.doc, ids[2]!, { title: 'retried 3' }); // append #3: the injected fault
    await waitFor(() => sender.closes.length > 0, 3000, 'the sender to be closed');
    expect(sender.closes[0]!.code).toBe(4500);
    // Everything the server sent the reader before it handled the query has arrived now; what it
    // sent after the sender came back (the legitimate retry) does not count.
    await seen.roundTrip();
    expect(seen.updates.slice(0, seenWhenSenderBack)).toHaveLength(2);
    expect(seen.closeInfo).toBeNull(); // other clients are unaffected
    expect(server.logs.filter((e) => e.msg === 'storage write failed')).toHaveLength(1);

    // The stock client reconnects by itself and sends the change again: stored, then relayed.
    await waitFor(() => titleOf(seen.doc, ids[2]!) === 'retried 3', 5000, 'the retried edit relayed');
    await sender.untilSynced(2);
    expect(sender.closes.map((c) => c.code)).toEqual([4500]);
    expect(sender.syncs).toBe(2);
    expect(seen.updates).toHaveLength(3);
    // Nothing half-written: the failed transaction left no row, the retry added exactly one.
    expect(server.updateRows(board.id)).toBe(3);

    sender.destroy();
    await server.stop('SIGKILL');
    await server.restart();
    const fresh = await freshDoc(server, board);
    expect(ids.slice(0, 3).map((id) => titleOf(fresh.doc, id))).toEqual(['stored 1', 'stored 2', 'retried 3']);
    expect(boardJson(fresh.doc)).toEqual(boardJson(seen.doc));
  }, 20_000);

  it('[R5] a crash in the middle of compaction loses nothing; a completed compaction removes the old rows', async () => {
    const EDITS = 40;
    const server = await startServer('crash-in-compaction');
    const board = await server.createBoard('R5 compaction');
    const writer = stock(server, board, 'editor');
    await writer.untilSynced();
    const seen = await reader(server, board);
    const sent = recordLocalUpdates(writer);
    await burst(writer.doc, EDITS, 'before compaction');
    await waitFor(() => containedIn(seen.doc, sent) === EDITS, 5000, 'the reader to see every edit');
    const expected = boardJson(seen.doc);
    expect(server.updateRows(board.id)).toBe(EDITS);
    const lastSeq = server.query((db) => (db.prepare('SELECT MAX(seq) AS s FROM board_updates WHERE board_id = ?').get(board.id) as { s: number }).s);

    // Everyone leaves: the room unloads (after ~1 s) and compacts; the seam kills the process
    // inside the compaction transaction, after the snapshot was written and the rows deleted.
    writer.destroy();
    seen.close();
    const crash = await within(server.exited(), 8000, 'the crash inside the compaction');
    expect(crash.signal).toBe('SIGKILL');
    expect(server.logs.some((e) => e.msg === 'board unloaded' && e.boardId === board.id)).toBe(false);
    // Rolled back: every row is still there, the snapshot is the one the board was created with.
    expect(server.updateRows(board.id)).toBe(EDITS);
    expect(server.snapshotThroughSeq(board.id)).toBe(0);

    await server.restart(); // without the fault
    const fresh = await freshDoc(server, board);
    expect(boardJson(fresh.doc)).toEqual(expected);
    expect(missingFrom(fresh.doc, seen.updates)).toBe(0);
    await server.waitForLog((e) => e.msg === 'board loaded' && e.boardId === board.id && e.storedUpdates === EDITS);

    // Leaving again: this time the compaction commits.
    fresh.destroy();
    await server.waitForLog((e) => e.msg === 'board unloaded' && e.boardId === board.id, 5000, 'board unloaded');
    expect(server.updateRows(board.id)).toBe(0);
    expect(server.snapshotThroughSeq(board.id)).toBe(lastSeq);
    const afterCompaction = await freshDoc(server, board);
    expect(boardJson(afterCompaction.doc)).toEqual(expected);
  }, 20_000);

  it('[R6] edits made while the server is down converge after it restarts on the same port', async () => {
    const server = await startServer();
    const board = await server.createBoard('R6 offline');
    const a = stock(server, board, 'editor');
    const b = stock(server, board, 'editor');
    await Promise.all([a.untilSynced(), b.untilSynced()]);
    const ids = activityIds(a.doc);

    await server.stop('SIGKILL');
    await waitFor(() => a.closes.length > 0 && b.closes.length > 0, 3000, 'both clients to notice');
    // Offline: separate and conflicting edits on both clients.
    moveActivity(a.doc, ids[0]!, demoLaneId('D'), 0);
    editActivity(a.doc, ids[1]!, { title: 'offline A' });
    editActivity(b.doc, ids[2]!, { title: 'offline B' });
    moveActivity(b.doc, ids[3]!, null, 0);
    editActivity(a.doc, ids[4]!, { title: 'conflict A' });
    editActivity(b.doc, ids[4]!, { title: 'conflict B' });
    const offlineA = Y.encodeStateVector(a.doc);
    const offlineB = Y.encodeStateVector(b.doc);

    await server.restart();
    await Promise.all([a.untilSynced(2), b.untilSynced(2)]); // each reconnected by itself
    const fresh = await freshDoc(server, board);
    const same = () => {
      const json = JSON.stringify(boardJson(fresh.doc));
      return JSON.stringify(boardJson(a.doc)) === json && JSON.stringify(boardJson(b.doc)) === json;
    };
    await waitFor(same, 5000, 'a, b and a fresh client to converge');
    const view = readBoard(fresh.doc);
    expect(view.activityById.get(ids[0]!)?.laneId).toBe(demoLaneId('D'));
    expect(view.activityById.get(ids[1]!)?.title).toBe('offline A');
    expect(view.activityById.get(ids[2]!)?.title).toBe('offline B');
    expect(view.activityById.get(ids[3]!)?.laneId).toBeNull();
    expect(['conflict A', 'conflict B']).toContain(view.activityById.get(ids[4]!)?.title);
    expect(Y.decodeStateVector(Y.encodeStateVector(a.doc))).toEqual(Y.decodeStateVector(Y.encodeStateVector(b.doc)));

    // Converged on the server too, not only in memory: stored, and there after another crash.
    a.destroy();
    b.destroy();
    const expected = boardJson(fresh.doc);
    fresh.destroy();
    await server.stop('SIGKILL');
    await server.restart();
    const reloaded = await freshDoc(server, board);
    expect(boardJson(reloaded.doc)).toEqual(expected);
    const sv = Y.decodeStateVector(Y.encodeStateVector(reloaded.doc));
    for (const offline of [offlineA, offlineB]) {
      for (const [client, clock] of Y.decodeStateVector(offline)) expect(sv.get(client) ?? 0).toBeGreaterThanOrEqual(clock);
    }
  }, 20_000);
});
