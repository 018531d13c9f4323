/**
 * Server figures, printed side by side (RELIABILITY.md "Targets"). Not a test: numbers
 * on a noisy 2-core machine vary run to run; compare runs, not absolutes.
 *
 *   npm run bench            (from the repo root, after a build)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { type ActivityId, demoLaneId, moveActivity, roots } from '@tabla/plan-model';
import { decodeMessage, encodeSyncStep1, encodeUpdate } from '@tabla/sync-protocol';
import { SqliteStorage } from '../storage/sqlite.js';
import { SyncServer } from '../sync-server.js';
import { storeDemoBoard } from '../test/demo-board.js';
import { attachSyncServer } from '../ws-adapter.js';

interface Running {
  url: string;
  storage: SqliteStorage;
  sync: SyncServer;
  http: Server;
  dir: string;
}

async function start(): Promise<Running> {
  const dir = mkdtempSync(join(tmpdir(), 'tabla-bench-'));
  const storage = SqliteStorage.open(join(dir, 'bench.db'));
  // Per-connection and per-address budgets out of the way (every client here shares one address):
  // this measures throughput and latency; the tests measure the limits. Everything judged stays on.
  const sync = new SyncServer({
    storage,
    unloadDelayMs: 0,
    maxMessagesPerSecond: 1e9,
    messageBurst: 1e9,
    maxConnectionsPerIp: 1e9,
    maxWorkPerSecond: 1e12,
    workBurst: 1e12,
    maxAddressWorkPerSecond: 1e12,
    addressWorkBurst: 1e12,
    maxPresencePerSecond: 1e9,
    presenceBurst: 1e9,
    // The hostile flood below comes from the same address as the healthy client after it.
    freeRefusals: Infinity,
    freeRefusalsPerAddress: Infinity,
  });
  const http = createServer();
  attachSyncServer(http, sync, { maxFrameBytes: 16 * 1024 * 1024 });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  return { url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}/sync`, storage, sync, http, dir };
}

async function stop(s: Running) {
  await s.sync.close();
  await new Promise((r) => s.http.close(r));
  await s.storage.close();
  rmSync(s.dir, { recursive: true, force: true });
}

/** A raw protocol client that keeps a replica and timestamps each update it receives. */
class Client {
  readonly doc = new Y.Doc();
  readonly ws: WebSocket;
  readonly received: number[] = [];
  readonly synced: Promise<void>;
  onUpdate: (() => void) | null = null;

  constructor(url: string, boardId: string, token: string) {
    this.ws = new WebSocket(`${url}/${boardId}?token=${token}`);
    this.ws.binaryType = 'nodebuffer';
    this.synced = new Promise((resolve, reject) => {
      this.ws.on('error', reject);
      this.ws.on('message', (data: Buffer) => {
        const m = decodeMessage(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
        if (m.kind === 'sync-step-1') this.ws.send(encodeUpdate(Y.encodeStateAsUpdate(this.doc, m.stateVector)));
        if (m.kind === 'update') {
          Y.applyUpdate(this.doc, m.update, 'server');
          this.received.push(performance.now());
          this.onUpdate?.();
          resolve();
        }
      });
      this.ws.on('open', () => this.ws.send(encodeSyncStep1(Y.encodeStateVector(this.doc))));
    });
  }

  close() {
    this.ws.close();
    this.doc.destroy();
  }
}

const laneFor = (i: number) => demoLaneId((['A', 'B', 'C', 'D'] as const)[i % 4]!);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const ms = (x: number) => `${x.toFixed(2)} ms`;

/** Sends a move as `writer` and resolves when every reader has it. */
function moveAndWait(writer: Client, readers: Client[], i: number): Promise<number[]> {
  const ids = [...roots(writer.doc).activities.keys()] as ActivityId[];
  const sent = performance.now();
  const waits = readers.map(
    (r) =>
      new Promise<number>((resolve) => {
        const before = r.received.length;
        r.onUpdate = () => {
          if (r.received.length > before) {
            r.onUpdate = null;
            resolve(r.received.at(-1)! - sent);
          }
        };
      }),
  );
  const sv = Y.encodeStateVector(writer.doc);
  moveActivity(writer.doc, ids[i % ids.length]!, laneFor(i), 0);
  writer.ws.send(encodeUpdate(Y.encodeStateAsUpdate(writer.doc, sv)));
  return Promise.all(waits);
}

async function fanOut(clients: number, rounds: number): Promise<string[]> {
  const s = await start();
  const { boardId, tokens } = await storeDemoBoard(s.storage, 'bench');
  const all = Array.from({ length: clients }, () => new Client(s.url, boardId, tokens.editor));
  await Promise.all(all.map((c) => c.synced));
  const [writer, ...readers] = all as [Client, ...Client[]];
  const latencies: number[] = [];
  for (let i = 0; i < rounds; i++) latencies.push(...(await moveAndWait(writer, readers, i)));
  all.forEach((c) => c.close());
  await stop(s);
  return [`fan-out, 1 board x ${clients} clients, ${rounds} moves`, `p50 ${ms(pct(latencies, 50))}`, `p99 ${ms(pct(latencies, 99))}`];
}

async function burst(updates: number): Promise<string[]> {
  const s = await start();
  const { boardId, tokens } = await storeDemoBoard(s.storage, 'bench');
  const writer = new Client(s.url, boardId, tokens.editor);
  const reader = new Client(s.url, boardId, tokens.viewer);
  await Promise.all([writer.synced, reader.synced]);
  const ids = [...roots(writer.doc).activities.keys()] as ActivityId[];
  const frames: Uint8Array[] = [];
  writer.doc.on('update', (u: Uint8Array, origin: unknown) => {
    if (origin !== 'server') frames.push(encodeUpdate(u));
  });
  for (let i = 0; i < updates; i++) moveActivity(writer.doc, ids[i % ids.length]!, laneFor(i), i % 3);
  const start0 = performance.now();
  const done = new Promise<void>((resolve) => {
    reader.onUpdate = () => {
      if (reader.received.length >= updates) resolve();
    };
  });
  for (const f of frames) writer.ws.send(f);
  await done;
  const elapsed = performance.now() - start0;
  const stored = await s.storage.loadState(boardId);
  writer.close();
  reader.close();
  await stop(s);
  return [`burst of ${updates} moves, stored then relayed`, `${Math.round((updates / elapsed) * 1000)} updates/s`, `${stored ? 'all stored' : 'LOST'}`];
}

async function coldLoad(edits: number): Promise<string[]> {
  const s = await start();
  const { boardId, tokens } = await storeDemoBoard(s.storage, 'bench');
  // 10,000 logged edits, never compacted: the worst case for a cold load.
  const doc = new Y.Doc();
  const state = await s.storage.loadState(boardId);
  Y.applyUpdate(doc, state!.snapshot!);
  const ids = [...roots(doc).activities.keys()] as ActivityId[];
  const log: { boardId: string; update: Uint8Array }[] = [];
  doc.on('update', (u: Uint8Array) => log.push({ boardId: boardId, update: u }));
  for (let i = 0; i < edits; i++) moveActivity(doc, ids[i % ids.length]!, laneFor(i), i % 3);
  for (let i = 0; i < log.length; i += 1000) await s.storage.appendUpdates(log.slice(i, i + 1000));
  const t0 = performance.now();
  const client = new Client(s.url, boardId, tokens.viewer);
  await client.synced;
  const elapsed = performance.now() - t0;
  const same = JSON.stringify(roots(client.doc).activities.toJSON()) === JSON.stringify(roots(doc).activities.toJSON());
  client.close();
  await stop(s);
  return [`cold load of a board with ${edits} logged edits`, ms(elapsed), same ? 'identical' : 'DIFFERENT'];
}

async function memoryPerBoard(boards: number): Promise<string[]> {
  const s = await start();
  const gc = (globalThis as { gc?: () => void }).gc;
  const created = [];
  for (let i = 0; i < boards; i++) created.push(await storeDemoBoard(s.storage, `b${i}`));
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const clients = created.map(({ boardId, tokens }) => new Client(s.url, boardId, tokens.viewer));
  await Promise.all(clients.map((c) => c.synced));
  // Subtract the clients' own replicas: measure one client doc alone.
  gc?.();
  const after = process.memoryUsage().heapUsed;
  clients.forEach((c) => c.close());
  await stop(s);
  const perBoard = (after - before) / boards / 1024 / 1024;
  return [`memory per loaded demo board (${boards} boards, incl. one client replica each)`, `${perBoard.toFixed(2)} MB`, gc ? 'after gc' : 'run with --expose-gc for a steadier figure'];
}

/** Hostile frames, each on its own authorized connection: all must be refused, the server must stay up and small. */
async function hostileFlood(connections: number): Promise<string[]> {
  const s = await start();
  const { boardId, tokens } = await storeDemoBoard(s.storage, 'bench');
  const gc = (globalThis as { gc?: () => void }).gc;
  let seed = 42;
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  gc?.();
  const before = process.memoryUsage();
  let refused = 0;
  const batch = 50;
  for (let i = 0; i < connections; i += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, connections - i) }, (_, j) =>
        new Promise<void>((resolve) => {
          const ws = new WebSocket(`${s.url}/${boardId}?token=${tokens.editor}`);
          ws.on('open', () => {
            const n = (i + j) % 4;
            const size = Math.floor(random() * 4096);
            const frame = Uint8Array.from({ length: size }, () => Math.floor(random() * 256));
            if (n === 0) frame[0] = 0; // a sync message with a garbage body
            if (n === 1) frame.set([0, 2, 0xff, 0xff, 0xff, 0xff, 0x0f]); // a varint claiming gigabytes
            ws.send(n === 3 ? 'text frame' : frame);
          });
          // A random frame can be a valid message by chance (e.g. a tiny sync step 1): then the server answers.
          const timer = setTimeout(() => ws.terminate(), 2_000);
          ws.on('close', (code) => {
            clearTimeout(timer);
            if (code >= 1003) refused++;
            resolve();
          });
          ws.on('error', () => resolve());
        }),
      ),
    );
  }
  const healthy = new Client(s.url, boardId, tokens.viewer);
  await healthy.synced;
  const intact = roots(healthy.doc).activities.size === 15;
  healthy.close();
  gc?.();
  const after = process.memoryUsage();
  await stop(s);
  const growth = (after.rss - before.rss) / 1024 / 1024;
  return [`hostile frames, ${connections} connections`, `${refused} refused`, `rss growth ${growth.toFixed(1)} MB`, intact ? 'board intact' : 'BOARD CHANGED'];
}

const rows: string[][] = [];
rows.push(await fanOut(50, 100));
rows.push(await burst(2000));
rows.push(await coldLoad(10_000));
rows.push(await memoryPerBoard(50));
rows.push(await hostileFlood(2000));
const width = Math.max(...rows.map((r) => r[0]!.length));
console.log(`\nTabla sync server (node ${process.version})\n`);
for (const [name, ...figures] of rows) console.log(`${name!.padEnd(width)}  ${figures.join('  ')}`);
console.log('');
process.exit(0);
