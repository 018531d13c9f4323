/**
 * A slow disk on one board must not hold up the relay of another: our sync core in this process
 * (a wrapped storage cannot be slipped into the built server), over real sockets. Board A's
 * writer changes A every `periodA` ms throughout; board B's writer makes closed-loop changes that
 * two readers time. Each round runs B's changes twice, with A's writes as they are and with every
 * storage write that holds one of A's updates delayed 50 ms (a disk that takes 50 ms for A),
 * alternating. The figure is B's latency with the delay, its reference B's without.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import { randomId, seedDemoBoard } from '@tabla/plan-model';
import { attachSyncServer, type BoardStorage, generateRoleTokens, type PendingUpdate, SqliteThreadStorage, SyncServer } from '@tabla/sync-server';
import { activityIds, allReached, change, connectWriter, CountingReader } from './clients.js';
import { compared, type Figure } from './results.js';
import { finite, percentile, sleep } from './stats.js';

export interface SlowDiskParams {
  /** B's measured changes per phase (after a few unmeasured). */
  readonly changes: number;
  readonly rounds: number;
  readonly delayMs: number;
  /** A changes its board this often: slower than its writes take, so A alone keeps up. */
  readonly periodA: number;
}

/**
 * `storage` with `appendUpdates` delayed by `delay()` ms whenever the batch holds an update of `boardId`,
 * as a storage with concurrent writers (PostgreSQL's pool: `writesAtOnce` unset) where one board's
 * transaction can be slow while another's commits. SQLite has one writer: there a slow commit delays
 * every board's next commit whatever the server does (see the note).
 */
function slowFor(storage: BoardStorage, boardId: () => string, delay: () => number): BoardStorage {
  return new Proxy(storage, {
    get(target, prop) {
      if (prop === 'writesAtOnce') return undefined;
      if (prop === 'appendUpdates') {
        return async (updates: readonly PendingUpdate[]) => {
          const ms = delay();
          if (ms > 0 && updates.some((u) => u.boardId === boardId())) await sleep(ms);
          return target.appendUpdates(updates);
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

async function storeDemo(storage: BoardStorage, title: string): Promise<{ id: string; tokens: Record<'facilitator' | 'editor' | 'viewer', string> }> {
  const doc = new Y.Doc();
  seedDemoBoard(doc);
  const id = randomId(16);
  const { tokens, records } = generateRoleTokens();
  await storage.createBoard({ id, title, createdAt: Date.now() }, Y.encodeStateAsUpdate(doc), records);
  doc.destroy();
  return { id, tokens: tokens as Record<'facilitator' | 'editor' | 'viewer', string> };
}

export async function slowDisk(params: SlowDiskParams, log: (line: string) => void): Promise<{ figures: Figure[]; notes: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'tabla-slow-disk-'));
  // SQLite on its worker thread, as the built server stores (the wrapper below lets 4 writes be in flight, as PostgreSQL would).
  const storage = await SqliteThreadStorage.open(join(dir, 'bench.db'));
  let delayMs = 0;
  let slowBoard = '';
  // As the built server with LIFTED_LIMITS: per-connection and per-address budgets out of the way.
  const sync = new SyncServer({
    storage: slowFor(storage, () => slowBoard, () => delayMs),
    maxMessagesPerSecond: 100_000,
    messageBurst: 1_000_000,
    maxConnectionsPerIp: 1_000_000,
    maxWorkPerSecond: 1024 ** 3,
    workBurst: 16 * 1024 ** 3,
    maxAddressWorkPerSecond: 16 * 1024 ** 3,
    addressWorkBurst: 64 * 1024 ** 3,
  });
  const http = createServer();
  attachSyncServer(http, sync, { maxPendingUpgradesPerIp: 1_000_000 });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/sync`;
  try {
    const a = await storeDemo(storage, 'A');
    const b = await storeDemo(storage, 'B');
    slowBoard = a.id;
    const writerA = await connectWriter(url, a.id, a.tokens.editor);
    const writerB = await connectWriter(url, b.id, b.tokens.editor);
    const readers = await Promise.all([CountingReader.connect(url, b.id, b.tokens.viewer), CountingReader.connect(url, b.id, b.tokens.viewer)]);
    for (const r of readers) r.follow(writerB.doc);
    const idsA = activityIds(writerA.doc);
    const idsB = activityIds(writerB.doc);
    let aChanges = 0;
    const ticker = setInterval(() => change(writerA.doc, idsA, aChanges++), params.periodA);
    const samples: Record<'slow' | 'normal', number[][]> = { slow: [], normal: [] };
    let i = 0;
    const phase = async (delay: number): Promise<number[]> => {
      delayMs = delay;
      await sleep(300); // A's writes settle into the new pace
      const latencies: number[] = [];
      for (let k = 0; k < params.changes + 5; k++, i++) {
        const targets = readers.map((r) => r.count + 1);
        const arrived = allReached(readers, (r) => r.count + 1, 30_000);
        const sent = performance.now();
        change(writerB.doc, idsB, i);
        if (!(await arrived)) {
          const closes = JSON.stringify([writerA.closes, writerB.closes, readers.map((r) => r.closed)]);
          throw new Error(`slow disk: B's change ${k} did not arrive in 30 s (closes ${closes})`);
        }
        if (k >= 5) readers.forEach((r, j) => latencies.push(r.arrivals[targets[j]! - 1]! - sent));
        await sleep(10);
      }
      return latencies;
    };
    try {
      for (let round = 0; round < params.rounds; round++) {
        // Each order in turn, so neither phase always runs second (on a process warmer than the first's).
        if (round % 2 === 0) samples.normal.push(await phase(0));
        samples.slow.push(await phase(params.delayMs));
        if (round % 2 === 1) samples.normal.push(await phase(0));
        const [n, s] = [samples.normal.at(-1)!, samples.slow.at(-1)!];
        log(`slow disk round ${round + 1}: B without A's delay p50 ${percentile(n, 50).toFixed(2)} p99 ${percentile(n, 99).toFixed(2)} ms; with A's ${params.delayMs} ms writes p50 ${percentile(s, 50).toFixed(2)} p99 ${percentile(s, 99).toFixed(2)} ms`);
      }
    } finally {
      clearInterval(ticker);
      delayMs = 0;
    }
    const closes = [...writerA.closes, ...writerB.closes].map((c) => c.code);
    writerA.destroy();
    writerB.destroy();
    readers.forEach((r) => r.close());
    const pooled = (k: 'slow' | 'normal') => samples[k].flat();
    const perRound = (p: number) => samples.slow.map((s, r) => Number((percentile(s, p) / percentile(samples.normal[r]!, p)).toFixed(3)));
    const detail = `${pooled('slow').length} samples each; A changed ${aChanges} times${closes.length ? `; closes ${closes.join(',')}` : ''}`;
    return {
      figures: [50, 99].map((p) =>
        compared(`slowDisk.p${p}`, 'ms', finite(percentile(pooled('slow'), p)), finite(percentile(pooled('normal'), p)), { runs: perRound(p), detail }),
      ),
      notes: [
        `Slow disk: our sync core in the bench process (SQLite with synchronous=FULL on its worker thread, as the built server) behind a storage wrapper that delays every appendUpdates holding an update of board A by ${params.delayMs} ms, as a storage with concurrent writers does (PostgreSQL: the server then keeps up to 4 transactions in flight, a slow board's alone). With SQLite, which has one writer, the server writes one transaction at a time on a worker thread: a slow commit no longer stops the event loop (presence, sync answers and the relay of what is stored go on), but every board's next commit waits for it. A's stock writer changes A every ${params.periodA} ms (slower than its delayed writes, so A alone keeps up); B's stock writer makes ${params.changes} closed-loop changes per phase (10 ms apart) timed by two raw readers, ${params.rounds} round(s) of both phases, A's writes as they are and delayed (in turn first). "Reference" here is B without the delay, in the same run.`,
      ],
    };
  } finally {
    await sync.close();
    http.closeAllConnections();
    await new Promise((r) => http.close(r));
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
