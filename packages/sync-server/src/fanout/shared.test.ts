/**
 * Boards shared by several instances, without services: SyncServers in one process over one
 * MemoryStorage with per-board seqs (as PostgreSQL counts them) and the in-process pipe
 * (MemoryFanoutHub), whose knobs do what a real pipe does wrong: lag, loss, restarts. The same
 * cases against real PostgreSQL and Redis are in redis.test.ts. Rule ids: RELIABILITY.md (R21).
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { asLaneId, demoLaneId, editActivity, moveActivity, readBoard, seedDemoBoard, setLaneLocked, type ActivityId } from '@tabla/plan-model';
import { CloseCode } from '@tabla/sync-protocol';
import { closeOf, type StockClient, updateFrame, waitFor } from '@tabla/test-clients';
import { applyStoredState } from '../storage/document.js';
import { type MemoryFaultInjection, MemoryStorage } from '../storage/memory.js';
import { type Cluster, content, converged, randomChange, startCluster, type SyncOptions } from '../test/cluster.js';
import { TOO_MUCH_WORK } from '../connection.js';
import { captureUpdate, prng, storedDoc } from '../test/harness.js';
import { MemoryFanoutHub, type MemoryFanout } from './memory.js';

const running: Cluster[] = [];
afterEach(async () => {
  for (const c of running.splice(0)) await c.stop();
});

interface ClusterOptions {
  readonly faults?: MemoryFaultInjection;
  /** Instance 0's catch-up reads take this much longer (what happens meanwhile can be tested). */
  readonly slowCatchUpMs?: number;
}

async function cluster(
  instances: number,
  sync: SyncOptions | ((i: number) => SyncOptions) = {},
  { faults = {}, slowCatchUpMs = 0 }: ClusterOptions = {},
): Promise<{ c: Cluster; hub: MemoryFanoutHub; pipes: MemoryFanout[]; storage: MemoryStorage }> {
  const storage = MemoryStorage.open({ seqsPerBoard: true });
  const hub = new MemoryFanoutHub();
  const pipes: MemoryFanout[] = [];
  // Each instance its own handle over the same data (closing one leaves the others working).
  const handles = Array.from({ length: instances }, () => storage.reopen({ faultInjection: faults }));
  if (slowCatchUpMs > 0) handles[0] = slowCatchUp(handles[0]!, slowCatchUpMs);
  const c = await startCluster(handles, (i) => (pipes[i] = hub.instance(`i${i}`)), sync);
  running.push(c);
  return { c, hub, pipes, storage };
}

/** Polls an async condition (a storage read) every 10 ms for up to 3 s. */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (const end = Date.now() + 3000; Date.now() < end; await new Promise((r) => setTimeout(r, 10))) if (await check()) return;
  throw new Error(`timed out waiting for ${what}`);
}

/** A storage handle whose catch-up reads (`loadUpdatesSince`) take `ms` longer. */
function slowCatchUp(handle: MemoryStorage, ms: number): MemoryStorage {
  return new Proxy(handle, {
    get(target, name) {
      if (name === 'loadUpdatesSince') {
        return async (boardId: string, afterSeq: number) => {
          await new Promise((r) => setTimeout(r, ms));
          return target.loadUpdatesSince(boardId, afterSeq);
        };
      }
      const value: unknown = Reflect.get(target, name, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

const idOf = (doc: Y.Doc, title: string) => [...readBoard(doc).activityById.values()].find((a) => a.title === title)!.id as ActivityId;
const laneOf = (doc: Y.Doc, id: ActivityId) => readBoard(doc).activityById.get(id)?.laneId;
const titleOf = (doc: Y.Doc, id: ActivityId) => readBoard(doc).activityById.get(id)?.title;

async function synced(...clients: StockClient[]): Promise<void> {
  await Promise.all(clients.map((c) => c.synced));
}

describe('shared boards over the in-process pipe', () => {
  it('[R21] updates flow both ways between two instances, stored once each, in one seq order', async () => {
    const { c, storage } = await cluster(2);
    const a = c.connect(0, 'editor');
    const b = c.connect(1, 'editor');
    await synced(a, b);
    const id = idOf(a.doc, 'Dijalog sa mladima');
    editActivity(a.doc, id, { title: 'from A' });
    await waitFor(() => titleOf(b.doc, id) === 'from A', 3000, 'A’s edit at B');
    editActivity(b.doc, id, { title: 'from B' });
    await waitFor(() => titleOf(a.doc, id) === 'from B', 3000, 'B’s edit at A');
    await converged(c, [a, b]);
    expect(await storage.countUpdates(c.board.boardId)).toBe(2);
    const rooms = await Promise.all(c.instances.map((i) => i.sync.loadedRoom(c.board.boardId)));
    expect(rooms.map((r) => r!.appliedSeq)).toEqual([2, 2]);
  });

  it('[R21] a lock stored on one instance is judged on another that had not heard of it yet (same accepted state)', async () => {
    const { c, pipes } = await cluster(2, { catchUpIntervalMs: 60_000 });
    const facilitator = c.connect(1, 'facilitator');
    const coordinator = c.connect(0, 'editor');
    await synced(facilitator, coordinator);
    const inB = idOf(coordinator.doc, 'Dijalog sa mladima');
    // Instance 0 hears nothing from the pipe: it learns of the lock only from storage.
    pipes[0]!.pause();
    setLaneLocked(facilitator.doc, demoLaneId('A'), true);
    await waitFor(() => c.instances[1]!.sync.stats.updatesStored === 1, 3000, 'the lock stored');
    moveActivity(coordinator.doc, inB, demoLaneId('A'), 0);
    await waitFor(() => coordinator.closes.length > 0, 3000, 'the move refused');
    expect(coordinator.closes[0]!.code).toBe(CloseCode.forbidden);
    expect(c.instances[0]!.sync.stats.seqConflicts).toBe(1);
    expect(laneOf(facilitator.doc, inB)).toBe(demoLaneId('B'));
    pipes[0]!.resume();
    await converged(c, [facilitator]);
  });

  it('[R21] a refusal against a lagging state is checked against storage first (an unlock it had not heard of)', async () => {
    const { c, pipes } = await cluster(2, { catchUpIntervalMs: 60_000 });
    const facilitator = c.connect(1, 'facilitator');
    await synced(facilitator);
    setLaneLocked(facilitator.doc, demoLaneId('A'), true);
    await waitFor(() => c.instances[1]!.sync.stats.updatesStored === 1, 3000, 'the lock stored');
    const coordinator = c.connect(0, 'editor');
    await synced(coordinator);
    await waitFor(() => readBoard(coordinator.doc).lanes.find((l) => l.lane.id === demoLaneId('A'))?.lane.locked === true, 3000, 'the lock at 0');
    pipes[0]!.pause();
    setLaneLocked(facilitator.doc, demoLaneId('A'), false);
    await waitFor(() => c.instances[1]!.sync.stats.updatesStored === 2, 3000, 'the unlock stored');
    // The coordinator (on 0, which has not heard of the unlock) moves a card into lane A: fine on one instance.
    const inB = idOf(coordinator.doc, 'Dijalog sa mladima');
    moveActivity(coordinator.doc, inB, demoLaneId('A'), 0);
    await waitFor(() => laneOf(facilitator.doc, inB) === demoLaneId('A'), 3000, 'the move stored and relayed');
    expect(coordinator.closes).toEqual([]);
    pipes[0]!.resume();
    await converged(c, [facilitator, coordinator]);
  });

  it('[R21][R4] a failed write is refused (4500) and never relayed; the client stores it on reconnecting', async () => {
    let failNext = false;
    const faults = {
      beforeAppendCommit: () => {
        if (!failNext) return;
        failNext = false;
        throw new Error('injected write failure');
      },
    };
    const { c, storage } = await cluster(2, {}, { faults });
    const reader = c.connect(0, 'viewer');
    const writer = c.connect(1, 'editor');
    await synced(reader, writer);
    const id = idOf(writer.doc, 'Dijalog sa mladima');
    failNext = true;
    editActivity(writer.doc, id, { title: 'failed once' });
    await waitFor(() => writer.closes.some((x) => x.code === CloseCode.storageFailed), 3000, 'the writer told');
    // It reconnects by itself and sends what the server lacks: stored once, relayed.
    await waitFor(() => titleOf(reader.doc, id) === 'failed once', 5000, 'stored after the reconnect');
    expect(await storage.countUpdates(c.board.boardId)).toBe(1);
    await converged(c, [reader, writer]);
  });

  it('[R21] a lagging instance catches up from storage (periodic check), then skips what its pipe brings late', async () => {
    const { c, pipes } = await cluster(2, { catchUpIntervalMs: 100 });
    const a = c.connect(0, 'viewer');
    const b = c.connect(1, 'editor');
    await synced(a, b);
    pipes[0]!.pause();
    const random = prng(7);
    for (let i = 0; i < 20; i++) randomChange(b.doc, random.next, `b${i}`);
    await converged(c, [a, b], 5_000);
    expect(c.instances[0]!.sync.stats.catchUps).toBeGreaterThan(0);
    const applied = c.instances[0]!.sync.stats.remoteApplied;
    pipes[0]!.resume();
    await new Promise((r) => setTimeout(r, 100));
    // Everything the pipe brought late was a duplicate.
    expect(c.instances[0]!.sync.stats.remoteApplied).toBe(applied);
    expect(content(a.doc)).toEqual(content(b.doc));
  });

  it('[R21] an entry lost between commit and publish reaches the others: a later one shows the gap, or the periodic check', async () => {
    const { c, hub } = await cluster(3, { catchUpIntervalMs: 200, gapGraceMs: 20 });
    const clients = [c.connect(0, 'editor'), c.connect(1, 'viewer'), c.connect(2, 'viewer')];
    await synced(...clients);
    const id = idOf(clients[0]!.doc, 'Dijalog sa mladima');
    // Lost, and nothing after it: only the periodic check can find it.
    hub.dropNext = 1;
    editActivity(clients[0]!.doc, id, { title: 'lost in the pipe' });
    await waitFor(() => clients.every((x) => titleOf(x.doc, id) === 'lost in the pipe'), 3000, 'the lost entry everywhere');
    // Lost, then another: the gap is filled at once.
    hub.dropNext = 1;
    editActivity(clients[0]!.doc, id, { title: 'lost again' });
    editActivity(clients[0]!.doc, id, { status: 'done' });
    await converged(c, clients, 3000);
    expect(titleOf(clients[2]!.doc, id)).toBe('lost again');
  });

  it('[R21] a lagging instance behind a compaction loads the compacted state and deletes nothing', async () => {
    const { c, pipes } = await cluster(2, { catchUpIntervalMs: 60_000, compactAfterUpdates: 5 });
    const a = c.connect(0, 'editor');
    const b = c.connect(1, 'editor');
    await synced(a, b);
    const id = idOf(a.doc, 'Dijalog sa mladima');
    pipes[0]!.pause();
    const random = prng(11);
    for (let i = 0; i < 12; i++) randomChange(b.doc, random.next, `b${i}`);
    await waitFor(() => c.instances[1]!.sync.stats.updatesStored === 12, 3000, 'B’s changes stored');
    // Instance 1 compacted past what 0 has; 0 writes meanwhile (its write conflicts, it catches up).
    // A field B's changes never touch (they move and retitle): not overwritten by a concurrent change.
    editActivity(a.doc, id, { description: 'written behind a compaction' });
    await converged(c, [a, b], 5000);
    pipes[0]!.resume();
    expect(c.instances[0]!.sync.stats.seqConflicts).toBe(1);
    expect(readBoard(b.doc).activityById.get(id)?.description).toBe('written behind a compaction');
    expect(readBoard(a.doc).activityById.size).toBe(15);
  });

  it('[R21] client ids bound on one instance bind on the others: the same device may go on elsewhere, another may not', async () => {
    const { c, storage } = await cluster(2);
    const watchers = [c.connect(0, 'viewer'), c.connect(1, 'viewer')];
    await synced(...watchers);
    // A replica of the board whose edits are written under one client id, sent through raw sockets.
    const replica = new Y.Doc();
    applyStoredState(replica, (await storage.loadState(c.board.boardId))!);
    replica.clientID = 4242;
    const id = idOf(replica, 'Dijalog sa mladima');
    const send = async (i: number, key: string, title: string) => {
      const raw = await c.raw(i, 'editor', { key });
      await waitFor(() => raw.frames.length > 0, 3000, 'joined');
      raw.send(updateFrame(captureUpdate(replica, (d) => editActivity(d, id, { title }))));
      return raw;
    };
    await send(0, 'device-one-key-0123456789', 'one');
    await waitFor(() => watchers.every((w) => titleOf(w.doc, id) === 'one'), 3000, 'bound on 0, heard on 1');
    // The same device on instance 1, going on under that client id: accepted.
    await send(1, 'device-one-key-0123456789', 'one again');
    await waitFor(() => watchers.every((w) => titleOf(w.doc, id) === 'one again'), 3000, 'the same device accepted on 1');
    // Another device under that client id, on instance 1: refused, as on the instance that bound it.
    const thief = await send(1, 'device-two-key-0123456789', 'stolen');
    expect((await closeOf(thief)).code).toBe(CloseCode.forbidden);
    expect(titleOf(watchers[0]!.doc, id)).toBe('one again');
    replica.destroy();
  });

  it('[R21] presence crosses instances, and leaves with its connection', async () => {
    const { c } = await cluster(2, { presenceIntervalMs: 0 });
    const a = c.connect(0, 'editor');
    const b = c.connect(1, 'viewer');
    await synced(a, b);
    a.provider.awareness.setLocalStateField('user', { name: 'A', role: 'editor' });
    const aId = a.doc.clientID;
    await waitFor(() => (b.provider.awareness.getStates().get(aId) as { user?: { name?: string } } | undefined)?.user?.name === 'A', 3000, 'A at B');
    // A board loaded later on another instance asks who is there.
    const late = c.connect(1, 'viewer');
    await synced(late);
    await waitFor(() => late.provider.awareness.getStates().has(aId), 3000, 'A at a late client of 1');
    a.destroy();
    await waitFor(() => !b.provider.awareness.getStates().has(aId), 3000, 'A gone at B');
  });

  it('[R21][PM24] an editor who joins while a lagging instance catches up past a compaction is judged against all of it (a lock stored after the snapshot holds)', async () => {
    const { c, hub, storage } = await cluster(2, { compactAfterUpdates: 5, catchUpIntervalMs: 60_000 }, { slowCatchUpMs: 300 });
    const { boardId } = c.board;
    // Instance 0 has the board loaded for a viewer only: no editor has made it build a shadow yet.
    const viewer = c.connect(0, 'viewer');
    const facilitator = c.connect(1, 'facilitator');
    await synced(viewer, facilitator);
    const id = idOf(facilitator.doc, 'Dijalog sa mladima');
    // Five edits that instance 0 never hears of, folded into a snapshot.
    hub.dropNext = 5;
    for (let i = 1; i <= 5; i++) editActivity(facilitator.doc, id, { title: `compacted ${i}` });
    await waitFor(() => c.instances[1]!.sync.stats.updatesStored === 5, 3000, 'five edits stored');
    await until(async () => (await storage.countUpdates(boardId)) === 0, 'the log compacted');
    // After the snapshot, the lane the card is in is locked; hearing of it, instance 0 sees the gap and
    // catches up (slowly: the compacted state and the lock after it). An editor joins meanwhile.
    const lane = readBoard(facilitator.doc).activityById.get(id)!.laneId!;
    setLaneLocked(facilitator.doc, asLaneId(lane), true);
    await waitFor(() => c.instances[0]!.sync.stats.catchUps > 0, 3000, 'a catch-up at 0');
    const editor = await c.raw(0, 'editor');
    await waitFor(() => readBoard(viewer.doc).lanes.find((l) => l.lane.id === lane)?.lane.locked === true, 3000, 'the lock at 0');
    const device = new Y.Doc();
    device.clientID = 4_403;
    applyStoredState(device, (await storage.loadState(boardId))!);
    editor.send(updateFrame(captureUpdate(device, (d) => editActivity(d, id, { title: 'in a locked lane' }))));
    expect(await closeOf(editor)).toMatchObject({ code: CloseCode.forbidden });
    expect(readBoard(await storedDoc(storage, boardId)).activityById.get(id)?.title).toBe('compacted 5');
  });

  it('[R21][R18] updates held back during a catch-up are charged when judged: once the budget is spent the rest are refused unjudged, and a replay stores them', async () => {
    // What the gate charges here is mostly O(board) rebuilds: the budget is sized from the board.
    const seeded = new Y.Doc();
    seedDemoBoard(seeded);
    const boardBytes = Y.encodeStateAsUpdate(seeded).length;
    // Instance 0 reads storage slowly when catching up, so what its connection sends meanwhile is held back.
    const { c, pipes, storage } = await cluster(
      2,
      (i) => (i === 0 ? { catchUpIntervalMs: 60_000, workBurst: 2 * boardBytes + 1_500, maxWorkPerSecond: 1 } : { catchUpIntervalMs: 60_000 }),
      { slowCatchUpMs: 150 },
    );
    const { boardId } = c.board;
    const facilitator = c.connect(1, 'facilitator');
    await synced(facilitator);
    setLaneLocked(facilitator.doc, demoLaneId('A'), true);
    await waitFor(() => c.instances[1]!.sync.stats.updatesStored === 1, 3000, 'the lock stored');
    const spender = await c.raw(0, 'editor');
    await waitFor(() => spender.frames.length > 0, 3000, 'joined at 0');
    // Instance 0 does not hear of the unlock: the move below is refused there, then judged again after a catch-up.
    pipes[0]!.pause();
    setLaneLocked(facilitator.doc, demoLaneId('A'), false);
    await waitFor(() => c.instances[1]!.sync.stats.updatesStored === 2, 3000, 'the unlock stored');

    const device = new Y.Doc();
    device.clientID = 4_402;
    applyStoredState(device, (await storage.loadState(boardId))!);
    const [moved, edited] = [...readBoard(device).activityById.keys()] as ActivityId[];
    const frames = [captureUpdate(device, (d) => moveActivity(d, moved!, demoLaneId('A'), 0))];
    for (let i = 1; i <= 20; i++) frames.push(captureUpdate(device, (d) => editActivity(d, edited!, { title: `edit ${i}` })));
    for (const update of frames) spender.send(updateFrame(update));
    expect(await closeOf(spender)).toEqual({ code: CloseCode.tooManyRequests, reason: TOO_MUCH_WORK });
    // Some were judged and stored (the move among them), the rest refused before judging.
    const storedOfSpender = (await storage.countUpdates(boardId)) - 2;
    expect(storedOfSpender).toBeGreaterThanOrEqual(2);
    expect(storedOfSpender).toBeLessThan(frames.length);
    expect(c.instances[0]!.sync.stats.seqConflicts + c.instances[0]!.sync.stats.catchUps).toBeGreaterThan(0);

    // Nothing refused stayed in instance 0's accepted state: each change sent again on its own (as a
    // client replays them) is judged anew, and those not stored yet are stored: none is taken for known.
    const replayer = await c.raw(0, 'editor');
    await waitFor(() => replayer.frames.length > 0, 3000, 'replayer joined');
    for (const update of frames) replayer.send(updateFrame(update));
    await waitFor(() => c.instances[0]!.sync.stats.updatesStored === frames.length, 3000, 'the rest stored');
    expect(await storage.countUpdates(boardId)).toBe(2 + frames.length);
    const final = readBoard(await storedDoc(storage, boardId));
    expect(final.activityById.get(moved!)?.laneId).toBe(demoLaneId('A'));
    expect(final.activityById.get(edited!)?.title).toBe('edit 20');
    expect(replayer.closeInfo).toBeNull();
  });

  it('[R21] three instances converge under a seeded random load from many clients', async () => {
    const { c, storage } = await cluster(3, { compactAfterUpdates: 40 });
    const random = prng(2024);
    const clients = Array.from({ length: 9 }, (_, i) => c.connect(i % 3, 'editor'));
    await synced(...clients);
    let changes = 0;
    for (let round = 0; round < 20; round++) {
      for (const client of clients) {
        if (random.next() < 0.5) continue;
        randomChange(client.doc, random.next, `r${round}`);
        changes++;
      }
      await new Promise((r) => setTimeout(r, random.int(3)));
    }
    const final = await converged(c, clients, 10_000);
    expect(changes).toBeGreaterThan(50);
    // Instances wrote at once, so writes met others' and were judged again (the path under test).
    expect(c.instances.reduce((n, i) => n + i.sync.stats.seqConflicts, 0)).toBeGreaterThan(0);
    expect(JSON.stringify(final)).toBe(JSON.stringify(content(clients[0]!.doc)));
    expect(clients.every((x) => x.closes.length === 0)).toBe(true);
    const state = await storage.loadState(c.board.boardId);
    expect(state!.lastSeq).toBe(c.instances.reduce((n, i) => n + i.sync.stats.updatesStored, 0));
  });
});
