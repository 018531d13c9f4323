/**
 * What one attack attempt costs the server (RELIABILITY.md R16-R19 and the target "one
 * hostile-but-valid update or message blocks the event loop < 50 ms, costs < 10 MB; other
 * boards' p95 unchanged"). Not a test: figures on a noisy 2-core machine vary run to run.
 *
 *   npm run bench:attacks          (in packages/sync-server, after a build)
 *   BENCH_OUT=attacks.json npm run bench:attacks
 *   node --expose-gc dist/bench/attacks.bench.js a b    (only some attacks)
 *
 * Each attack runs in its own child process (a fresh heap, a fresh server with default limits,
 * killed if it hangs) with:
 * - an honest pair of stock clients on another board, the writer moving a card every 20 ms; the
 *   latency of each move is counted from when it was due, so a blocked loop shows in it;
 * - monitorEventLoopDelay (the longest block) and a 2 ms ticker (the sum of stalls over 10 ms);
 * - heapUsed and RSS after gc, before and after the attempt;
 * - for attacks on a board, a fresh client syncing with it afterwards.
 * Attackers connect over 127.0.0.1, honest clients over ::1: the server sees two addresses, so
 * per-address budgets and backoff do not charge the honest clients for the attacker.
 *
 * Uses only what the package exported before the cost gates existed (and reads what a room
 * exposes only where it does), so the same file measures older builds: the crafted updates are
 * written here, not taken from @tabla/test-clients.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { type ActivityId, demoLaneId, moveActivity, randomId, roots, seedDemoBoard, setBoardTitle } from '@tabla/plan-model';
import {
  awarenessFrame,
  awarenessPayload,
  connectStock,
  parseServerFrame,
  rawClient,
  type RawClient,
  sleep,
  type StockClient,
  syncStep1Frame,
  updateFrame,
} from '@tabla/test-clients';
import { applyStoredState, attachSyncServer, type BoardStorage, defaultLimits, generateRoleTokens, SqliteThreadStorage, SyncServer } from '../index.js';

// ---------------------------------------------------------------------------------------------
// Hostile-but-decodable Yjs (v1) updates, by hand (as in @tabla/test-clients crafted.ts).

interface ItemId {
  readonly client: number;
  readonly clock: number;
}

const BIT_PARENT_SUB = 0b0010_0000;
const CONTENT_STRING = 4;
const CONTENT_ANY = 8;

const craft = (write: (e: encoding.Encoder) => void, deletes: readonly { client: number; ranges: readonly [number, number][] }[] = []): Uint8Array => {
  const e = encoding.createEncoder();
  write(e);
  encoding.writeVarUint(e, deletes.length);
  for (const { client, ranges } of deletes) {
    encoding.writeVarUint(e, client);
    encoding.writeVarUint(e, ranges.length);
    for (const [clock, length] of ranges) {
      encoding.writeVarUint(e, clock);
      encoding.writeVarUint(e, length);
    }
  }
  return encoding.toUint8Array(e);
};

/** One GC struct of length 1 under each of `count` new client ids: the state vector grows by `count` entries. */
const manyClients = (firstClient: number, count: number): Uint8Array =>
  craft((e) => {
    encoding.writeVarUint(e, count);
    for (let i = 0; i < count; i++) {
      encoding.writeVarUint(e, 1); // structs
      encoding.writeVarUint(e, firstClient + i);
      encoding.writeVarUint(e, 0); // clock
      encoding.writeUint8(e, 0); // GC
      encoding.writeVarUint(e, 1);
    }
  });

function writeMapItem(e: encoding.Encoder, parent: ItemId, key: string, contentRef: number, content: (e: encoding.Encoder) => void): void {
  encoding.writeUint8(e, contentRef | BIT_PARENT_SUB);
  encoding.writeVarUint(e, 0); // parent is a nested type, by id
  encoding.writeVarUint(e, parent.client);
  encoding.writeVarUint(e, parent.clock);
  encoding.writeVarString(e, key);
  content(e);
}

/** A map entry holding a string as one long item (ContentString): it reads as one character, yet it is `length` clocks. */
const longStringEntry = (client: number, clock: number, parent: ItemId, key: string, length: number): Uint8Array =>
  craft((e) => {
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint(e, client);
    encoding.writeVarUint(e, clock);
    writeMapItem(e, parent, key, CONTENT_STRING, (e) => encoding.writeVarString(e, 'x'.repeat(length)));
  });

/** `count` tiny entries with distinct keys in a nested map. */
const manyKeysEntry = (client: number, clock: number, parent: ItemId, count: number, prefix: string): Uint8Array =>
  craft((e) => {
    encoding.writeVarUint(e, 1);
    encoding.writeVarUint(e, count);
    encoding.writeVarUint(e, client);
    encoding.writeVarUint(e, clock);
    for (let i = 0; i < count; i++) writeMapItem(e, parent, `${prefix}${i}`, CONTENT_ANY, (e) => (encoding.writeVarUint(e, 1), encoding.writeAny(e, 1)));
  });

/** A delete set alone: every other clock of [clock, clock + length) of `client`. */
const everyOtherDeleted = (client: number, clock: number, length: number): Uint8Array =>
  craft(
    (e) => encoding.writeVarUint(e, 0),
    [{ client, ranges: Array.from({ length: Math.ceil(length / 2) }, (_, i): [number, number] => [clock + 2 * i, 1]) }],
  );

const deleteRanges = (client: number, ranges: readonly [number, number][]): Uint8Array => craft((e) => encoding.writeVarUint(e, 0), [{ client, ranges }]);

/** A state vector that names one client at clock 0: "I have nothing of it", i.e. send me everything. */
const staleStateVector = (client: number): Uint8Array => {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 1);
  encoding.writeVarUint(e, client);
  encoding.writeVarUint(e, 0);
  return encoding.toUint8Array(e);
};

// ---------------------------------------------------------------------------------------------
// Server, boards, clients.

type Tokens = Record<'facilitator' | 'editor' | 'viewer', string>;
interface Board {
  readonly boardId: string;
  readonly tokens: Tokens;
}

interface Running {
  readonly sync: SyncServer;
  readonly storage: BoardStorage;
  readonly http: Server;
  readonly dir: string;
  /** Where attackers connect from (127.0.0.1) and where honest clients do (::1). */
  readonly attackUrl: string;
  readonly honestUrl: string;
}

async function startServer(): Promise<Running> {
  const dir = mkdtempSync(join(tmpdir(), 'tabla-attacks-'));
  // SQLite on its worker thread, as apps/server runs it: a commit that stalls on a busy disk stalls
  // that thread, not the loop measured here. BENCH_SYNCHRONOUS=NORMAL: no fsync per commit.
  const storage = await SqliteThreadStorage.open(join(dir, 'bench.db'), process.env.BENCH_SYNCHRONOUS === 'NORMAL' ? { synchronous: 'NORMAL' } : {});
  // Default limits: what a deployment gets.
  const sync = new SyncServer({ storage });
  const http = createServer();
  attachSyncServer(http, sync);
  await new Promise<void>((r) => http.listen(0, '::', r));
  const port = (http.address() as AddressInfo).port;
  return { sync, storage, http, dir, attackUrl: `ws://127.0.0.1:${port}/sync`, honestUrl: `ws://[::1]:${port}/sync` };
}

async function stopServer(s: Running): Promise<void> {
  await s.sync.close();
  s.http.closeAllConnections?.();
  await new Promise((r) => s.http.close(r));
  await s.storage.close();
  rmSync(s.dir, { recursive: true, force: true });
}

/** plan-model's demo board with a fresh token per role (as src/test/demo-board.ts stores it). */
async function storeDemoBoard(storage: BoardStorage, title: string): Promise<Board> {
  const doc = new Y.Doc();
  seedDemoBoard(doc);
  setBoardTitle(doc, title);
  const boardId = randomId(16);
  const { tokens, records } = generateRoleTokens();
  await storage.createBoard({ id: boardId, title, createdAt: Date.now() }, Y.encodeStateAsUpdate(doc), records);
  doc.destroy();
  return { boardId, tokens: tokens as Tokens };
}

/** The board as stored, in a document with `clientID` (optional). */
async function storedDoc(storage: BoardStorage, boardId: string, clientID?: number): Promise<Y.Doc> {
  const doc = new Y.Doc();
  if (clientID !== undefined) doc.clientID = clientID;
  const state = await storage.loadState(boardId);
  if (state) applyStoredState(doc, state);
  return doc;
}

const key = (): string => randomBytes(18).toString('base64url');
const randomClient = (): number => 0x1000_0000 + Math.floor(Math.random() * 0x2fff_ffff);

/** The item id of an activity's map (the parent of its keys), and of its title. */
function activityItems(doc: Y.Doc): { parent: ItemId; title: ItemId } {
  const [, entry] = [...roots(doc).activities.entries()][0]!;
  const item = (entry as unknown as { _item: { id: ItemId } })._item;
  const title = (entry as unknown as { _map: Map<string, { id: ItemId }> })._map.get('title')!;
  return { parent: item.id, title: title.id };
}

/**
 * A raw client that keeps no frames, only counts: document updates relayed to it, bytes, sync
 * answers, and (unless `readPresence` is false: decoding costs this process, not the server's
 * part of it) the presence ids it was told about.
 */
interface Counter {
  readonly client: RawClient;
  updates: number;
  bytes: number;
  step2: number;
  awarenessIds: Set<number>;
  last: number;
}

async function counter(url: string, boardId: string, token: string, k?: string, readPresence = true): Promise<Counter> {
  const client = await rawClient(url, boardId, token, k === undefined ? {} : { key: k });
  const c: Counter = { client, updates: 0, bytes: 0, step2: 0, awarenessIds: new Set(), last: performance.now() };
  const read = (frame: Uint8Array) => {
    c.bytes += frame.length;
    c.last = performance.now();
    client.frames.length = 0;
    if (frame[0] === 1 && !readPresence) return;
    try {
      const f = parseServerFrame(frame);
      if (f.type === 'update') c.updates++;
      if (f.type === 'sync-step-2') c.step2++;
      if (f.type === 'awareness') for (const id of f.states.keys()) c.awarenessIds.add(id);
    } catch {
      // not ours to judge
    }
  };
  client.frames.splice(0).forEach(read);
  client.onFrame = read;
  return c;
}

async function until(predicate: () => boolean, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (!predicate()) {
    if (performance.now() > deadline) return false;
    await sleep(5);
  }
  return true;
}

/** Connects a raw viewer, asks for the whole board, and times the answer (or the refusal). */
async function timedSync(url: string, boardId: string, token: string, timeoutMs = 30_000): Promise<{ ms: number | null; how: string }> {
  const t0 = performance.now();
  let c: Counter;
  try {
    c = await counter(url, boardId, token);
  } catch (err) {
    return { ms: null, how: `connect failed: ${String(err).slice(0, 60)}` };
  }
  c.client.send(syncStep1Frame(Y.encodeStateVector(new Y.Doc())));
  await until(() => c.step2 > 0 || c.client.closeInfo !== null, timeoutMs);
  const ms = performance.now() - t0;
  const closed = c.client.closeInfo;
  c.client.terminate();
  if (c.step2 > 0) return { ms, how: `synced in ${ms.toFixed(0)} ms` };
  if (closed) return { ms: null, how: `refused ${closed.code}` };
  return { ms: null, how: `no sync in ${(timeoutMs / 1000).toFixed(0)} s` };
}

function closeText(c: RawClient): string {
  const i = c.closeInfo;
  if (!i) return 'open';
  return `${i.code}${i.reason ? ` (${i.reason.slice(0, 70)})` : ''}`;
}

// ---------------------------------------------------------------------------------------------
// Measurements.

const gc = (globalThis as { gc?: () => void }).gc;
const MB = 1024 * 1024;

function memory(): { heap: number; rss: number } {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return { heap: m.heapUsed / MB, rss: m.rss / MB };
}

const pct = (xs: readonly number[], p: number): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

/** The writer moves a card every 20 ms on its own board; the reader's arrival times give each move's latency, counted from when it was due. */
class HonestPair {
  private writer!: StockClient;
  private reader!: StockClient;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private next = 0;
  private moves = 0;
  private ids: ActivityId[] = [];
  private readonly pending: { clock: number; due: number }[] = [];
  readonly done: { due: number; latency: number }[] = [];

  async start(url: string, board: Board): Promise<void> {
    this.writer = connectStock(url, board.boardId, board.tokens.editor, { key: key() });
    this.reader = connectStock(url, board.boardId, board.tokens.viewer, { key: key() });
    await Promise.all([this.writer.untilSynced(1), this.reader.untilSynced(1)]);
    await until(() => roots(this.writer.doc).activities.size > 0, 5000);
    this.ids = [...roots(this.writer.doc).activities.keys()] as ActivityId[];
    const writerId = this.writer.doc.clientID;
    this.reader.doc.on('update', () => {
      const have = Y.getState(this.reader.doc.store, writerId);
      const now = performance.now();
      while (this.pending.length > 0 && this.pending[0]!.clock <= have) {
        const p = this.pending.shift()!;
        this.done.push({ due: p.due, latency: now - p.due });
      }
    });
    this.next = performance.now();
    this.tick();
  }

  private tick = (): void => {
    const now = performance.now();
    if (now >= this.next) {
      // Moves missed while the loop was blocked are one move, due when the first of them was.
      const due = this.next;
      while (this.next <= now) this.next += 20;
      const i = this.moves++;
      moveActivity(this.writer.doc, this.ids[i % this.ids.length]!, demoLaneId((['A', 'B', 'C', 'D'] as const)[i % 4]!), i % 3);
      this.pending.push({ clock: Y.getState(this.writer.doc.store, this.writer.doc.clientID), due });
    }
    this.timer = setTimeout(this.tick, Math.max(1, this.next - performance.now()));
  };

  /** Latencies of moves due in [from, to], once they arrived (waiting up to 10 s for late ones). */
  async window(from: number, to: number): Promise<{ p50: number; max: number; count: number; late: number }> {
    await until(() => this.pending.length === 0 || this.pending[0]!.due > to, 10_000);
    const inWindow = this.done.filter((d) => d.due >= from && d.due <= to).map((d) => d.latency);
    const late = this.pending.filter((p) => p.due >= from && p.due <= to).length;
    return { p50: pct(inWindow, 50), max: inWindow.length ? Math.max(...inWindow) : NaN, count: inWindow.length, late };
  }

  closes(): number[] {
    return [...this.writer.closes, ...this.reader.closes].map((c) => c.code);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.writer.destroy();
    this.reader.destroy();
  }
}

/** The longest block (monitorEventLoopDelay) and the sum of stalls over 10 ms seen by a 2 ms ticker. */
class LoopWatch {
  private readonly h = monitorEventLoopDelay({ resolution: 2 });
  private last = performance.now();
  private timer: ReturnType<typeof setInterval> | null = null;
  stalls = 0;
  stallCount = 0;

  start(): void {
    this.h.enable();
    this.last = performance.now();
    this.timer = setInterval(() => {
      const now = performance.now();
      const lag = now - this.last - 2;
      if (lag > 10) {
        this.stalls += lag;
        this.stallCount++;
      }
      this.last = now;
    }, 2);
  }

  stop(): { maxMs: number; stallsMs: number } {
    this.h.disable();
    if (this.timer) clearInterval(this.timer);
    return { maxMs: this.h.max / 1e6, stallsMs: this.stalls };
  }
}

/** A room, if the server lets one see it (newer builds: loadedRoom; older: its private map). */
async function roomOf(sync: SyncServer, boardId: string): Promise<Record<string, unknown> | null> {
  const s = sync as unknown as { loadedRoom?: (id: string) => Promise<unknown>; rooms?: Map<string, Promise<unknown>> };
  const room = typeof s.loadedRoom === 'function' ? await s.loadedRoom(boardId) : await s.rooms?.get(boardId)?.catch(() => null);
  return (room as Record<string, unknown> | null | undefined) ?? null;
}

/** Counts shadow rebuilds: the room's own counter if it has one, else by wrapping its rebuild method. */
async function rebuildCounter(sync: SyncServer, boardId: string): Promise<() => number | null> {
  const room = await roomOf(sync, boardId);
  if (!room) return () => null;
  if (typeof room.shadowRebuilds === 'number') {
    const start = room.shadowRebuilds;
    return () => (room.shadowRebuilds as number) - start;
  }
  const rebuild = room.rebuildShadow;
  if (typeof rebuild !== 'function') return () => null;
  let n = 0;
  room.rebuildShadow = function (this: unknown, ...args: unknown[]) {
    n++;
    return (rebuild as (...a: unknown[]) => unknown).apply(this, args);
  };
  return () => n;
}

// ---------------------------------------------------------------------------------------------
// Attacks.

interface Context {
  readonly s: Running;
  readonly honest: Board;
  readonly target: Board;
}

interface Attempt {
  /** Short: accepted / refused <code> ... */
  outcome: string;
  /** Whether the hostile input got in (true = bad). */
  accepted: boolean | null;
  detail: string[];
  /** A custom fresh-client check, else the generic one (a raw viewer syncing with the target board). */
  fresh?: () => Promise<{ ms: number | null; how: string }>;
  /** No fresh-client check (the attack is not on a board's content). */
  noFresh?: boolean;
  /** After the measurement window, before the fresh check. */
  extra?: () => Promise<string[]>;
}

interface AttackDef {
  readonly id: string;
  readonly title: string;
  /** Whatever needs the target board loaded and clients connected, before the measurement starts. */
  prepare(ctx: Context): Promise<() => Promise<Attempt>>;
}

const ATTEMPT_TIMEOUT_MS = 60_000;

const attacks: AttackDef[] = [
  {
    id: '0',
    title: 'no attack: the honest pair alone for 5 s (the noise floor of this machine)',
    async prepare() {
      return async () => {
        await sleep(5000);
        return { outcome: '(none)', accepted: null, detail: [] };
      };
    },
  },
  {
    id: 'a',
    title: 'state-vector blowup: 2 updates x 100k new client ids (editor)',
    async prepare({ s, target }) {
      const attacker = await counter(s.attackUrl, target.boardId, target.tokens.editor, key());
      const observer = await counter(s.honestUrl, target.boardId, target.tokens.viewer);
      await until(() => attacker.bytes > 0 && observer.bytes > 0, 5000); // both joined the loaded room
      // 5-byte varint ids (over 2^28): 100k of them fit a 1 MiB frame; 200k make a state vector over 1 MiB.
      const first = 0x2000_0000 + Math.floor(Math.random() * 0x1000_0000);
      const updates = [manyClients(first, 100_000), manyClients(first + 100_000, 100_000)];
      return async () => {
        for (const u of updates) attacker.client.send(updateFrame(u));
        await until(() => observer.updates >= 2 || attacker.client.closeInfo !== null, ATTEMPT_TIMEOUT_MS);
        await sleep(200);
        const refused = attacker.client.closeInfo !== null;
        const outcome = refused ? `refused ${closeText(attacker.client)}` : `accepted (${observer.updates}/2 relayed)`;
        return {
          outcome,
          accepted: observer.updates > 0,
          detail: [`update frames ${updates.map((u) => `${(u.length / 1024).toFixed(0)} KiB`).join(' + ')}`, `relayed ${observer.updates}/2`],
          extra: async () => {
            const doc = await storedDoc(s.storage, target.boardId);
            const sv = Y.encodeStateVector(doc).length;
            doc.destroy();
            return [`stored board's state vector ${sv < 10_000 ? `${sv} bytes` : `${(sv / 1024).toFixed(0)} KiB`}`];
          },
          fresh: async () => {
            // A stock client syncs, then reconnects: its own sync step 1 carries the board's state vector.
            const t0 = performance.now();
            const stock = connectStock(s.honestUrl, target.boardId, target.tokens.editor, { key: key() });
            const first = await until(() => stock.syncs >= 1, 30_000);
            if (!first) {
              stock.destroy();
              return { ms: null, how: `stock: no first sync in 30 s (closes ${stock.closes.map((c) => c.code).join(',') || 'none'})` };
            }
            const firstMs = performance.now() - t0;
            const t1 = performance.now();
            stock.provider.ws?.close();
            const again = await until(() => stock.syncs >= 2, 8_000);
            const againMs = performance.now() - t1;
            const codes = stock.closes.map((c) => c.code);
            const n1009 = codes.filter((c) => c === 1009).length;
            stock.destroy();
            return again
              ? { ms: firstMs, how: `stock synced in ${firstMs.toFixed(0)} ms, re-synced in ${againMs.toFixed(0)} ms` }
              : { ms: null, how: `stock synced in ${firstMs.toFixed(0)} ms; reconnect NEVER synced in 8 s (1009 x${n1009})` };
          },
        };
      };
    },
  },
  {
    id: 'b',
    title: 'delete-set O(n^2): a 60k-clock string item, then every other clock deleted (editor)',
    async prepare({ s, target }) {
      const doc = await storedDoc(s.storage, target.boardId);
      const { parent } = activityItems(doc);
      doc.destroy();
      const attacker = await counter(s.attackUrl, target.boardId, target.tokens.editor, key());
      const observer = await counter(s.honestUrl, target.boardId, target.tokens.viewer);
      await until(() => attacker.bytes > 0 && observer.bytes > 0, 5000);
      const client = randomClient();
      const LENGTH = 60_000;
      const insert = longStringEntry(client, 0, parent, 'zz', LENGTH);
      const deletes = everyOtherDeleted(client, 0, LENGTH);
      return async () => {
        attacker.client.send(updateFrame(insert));
        await until(() => observer.updates >= 1 || attacker.client.closeInfo !== null, ATTEMPT_TIMEOUT_MS);
        if (observer.updates < 1) {
          return {
            outcome: `step 1 refused ${closeText(attacker.client)}`,
            accepted: false,
            detail: [`string item ${(insert.length / 1024).toFixed(0)} KiB; the delete set (${(deletes.length / 1024).toFixed(0)} KiB, ${LENGTH / 2} ranges) never sent`],
          };
        }
        const t = performance.now();
        attacker.client.send(updateFrame(deletes));
        await until(() => observer.updates >= 2 || attacker.client.closeInfo !== null, ATTEMPT_TIMEOUT_MS);
        const took = performance.now() - t;
        const ok = observer.updates >= 2;
        return {
          outcome: ok ? 'accepted both' : `step 1 accepted, step 2 ${attacker.client.closeInfo ? `refused ${closeText(attacker.client)}` : 'no answer in 60 s'}`,
          accepted: true,
          detail: [
            `string item ${(insert.length / 1024).toFixed(0)} KiB accepted; delete set ${(deletes.length / 1024).toFixed(0)} KiB, ${LENGTH / 2} ranges: ${ok ? 'relayed' : 'not relayed'} after ${took.toFixed(0)} ms`,
          ],
        };
      };
    },
  },
  {
    id: 'c',
    title: 'tiny unknown keys: 20 updates x 5,000 keys in one activity (editor)',
    async prepare({ s, target }) {
      const doc = await storedDoc(s.storage, target.boardId);
      const { parent } = activityItems(doc);
      doc.destroy();
      const attacker = await counter(s.attackUrl, target.boardId, target.tokens.editor, key());
      const observer = await counter(s.honestUrl, target.boardId, target.tokens.viewer);
      await until(() => attacker.bytes > 0 && observer.bytes > 0, 5000);
      const client = randomClient();
      const updates = Array.from({ length: 20 }, (_, u) => manyKeysEntry(client, u * 5000, parent, 5000, `u${u}k`));
      return async () => {
        for (const u of updates) attacker.client.send(updateFrame(u));
        await until(() => observer.updates >= updates.length || attacker.client.closeInfo !== null, ATTEMPT_TIMEOUT_MS);
        await sleep(200);
        const n = observer.updates;
        const room = await roomOf(s.sync, target.boardId);
        const structs = typeof room?.structs === 'number' ? `; room holds ${room.structs} structs per replica` : '';
        return {
          outcome: attacker.client.closeInfo ? `${n}/20 accepted, then refused ${closeText(attacker.client)}` : `accepted ${n}/20`,
          accepted: n > 0,
          detail: [`${n * 5000} keys stored (updates of ${(updates[0]!.length / 1024).toFixed(0)} KiB)${structs}`],
          fresh: async () => {
            // Cold load: every client leaves, the board unloads (compacting), then a viewer loads it.
            attacker.client.terminate();
            observer.client.terminate();
            const unloaded = await until(() => s.sync.loadedRoomCount <= 1, 30_000);
            await sleep(2_000); // unload compacts; the next load waits for it anyway
            if (!unloaded) return { ms: null, how: 'board never unloaded' };
            const m0 = memory();
            const r = await timedSync(s.honestUrl, target.boardId, target.tokens.viewer);
            const m1 = memory();
            return { ms: r.ms, how: `cold ${r.how}; loaded board ${(m1.heap - m0.heap).toFixed(1)} MB heap` };
          },
        };
      };
    },
  },
  {
    id: 'd1',
    title: 'viewer O(board) loop: 500 sync step 1 with a stale state vector, one connection',
    async prepare({ s, target }) {
      const attacker = await counter(s.attackUrl, target.boardId, target.tokens.viewer, key());
      await until(() => attacker.bytes > 0, 5000);
      const rebuilds = await rebuildCounter(s.sync, target.boardId);
      const frame = syncStep1Frame(staleStateVector(randomClient()));
      return async () => {
        // Within the message budget of both versions (100/s, burst 300): 250 at once, then 100/s.
        const t0 = performance.now();
        let sent = 0;
        for (; sent < 250; sent++) attacker.client.send(frame);
        while (sent < 500 && attacker.client.closeInfo === null) {
          await sleep(100);
          for (let i = 0; i < 10; i++, sent++) attacker.client.send(frame);
        }
        await until(() => attacker.step2 >= 500 || attacker.client.closeInfo !== null, ATTEMPT_TIMEOUT_MS);
        await sleep(200);
        const took = performance.now() - t0;
        const answered = attacker.step2;
        return {
          outcome: attacker.client.closeInfo ? `${answered}/500 answered, then refused ${closeText(attacker.client)}` : `all ${answered}/500 answered`,
          accepted: answered >= 500,
          detail: [
            `${(attacker.bytes / MB).toFixed(1)} MB of answers sent in ${(took / 1000).toFixed(1)} s (${answered ? (attacker.bytes / answered / 1024).toFixed(1) : '?'} KiB each)`,
            `shadow rebuilds ${rebuilds() ?? 'not observable'}`,
          ],
        };
      };
    },
  },
  {
    id: 'd2',
    title: 'viewer reconnect loop: 100 connections x a delete of a live item',
    async prepare({ s, target }) {
      const doc = await storedDoc(s.storage, target.boardId);
      const { title } = activityItems(doc);
      doc.destroy();
      // Keeps the room loaded between the attacker's connections (a real board has people on it).
      const observer = await counter(s.honestUrl, target.boardId, target.tokens.viewer);
      await until(() => observer.bytes > 0, 5000);
      const rebuilds = await rebuildCounter(s.sync, target.boardId);
      const update = deleteRanges(title.client, [[title.clock, 1]]);
      const device = key();
      return async () => {
        const codes = new Map<string, number>();
        const t0 = performance.now();
        for (let i = 0; i < 100; i++) {
          let c: RawClient;
          try {
            c = await rawClient(s.attackUrl, target.boardId, target.tokens.viewer, { key: device });
          } catch {
            codes.set('connect failed', (codes.get('connect failed') ?? 0) + 1);
            continue;
          }
          c.send(updateFrame(update));
          await until(() => c.closeInfo !== null, 5000);
          const code = c.closeInfo ? String(c.closeInfo.code) : 'open after 5 s';
          codes.set(code, (codes.get(code) ?? 0) + 1);
          c.terminate();
        }
        const took = performance.now() - t0;
        const summary = [...codes].map(([c, n]) => `${c} x${n}`).join(', ');
        return {
          outcome: `refused: ${summary}`,
          accepted: observer.updates > 0,
          detail: [`100 connections in ${(took / 1000).toFixed(1)} s; deletes relayed ${observer.updates}`, `shadow rebuilds ${rebuilds() ?? 'not observable'}`],
        };
      };
    },
  },
  ...(['e', 'e2'] as const).map(
    (id): AttackDef => ({
      id,
      title:
        id === 'e'
          ? 'presence amplification: 200 states of 30 KiB at once, 30 listeners (viewer)'
          : "presence within limits: 200 states at the server's own size limit, as fast as allowed, 30 listeners",
      async prepare({ s, target }) {
        const limits = defaultLimits as unknown as Record<string, number | undefined>;
        const stateBytes = id === 'e' ? 30 * 1024 : Math.min(30 * 1024, limits.maxPresenceStateBytes ?? limits.maxAwarenessBytes! - 256);
        const perSecond = id === 'e' ? undefined : limits.maxPresencePerSecond;
        const burst = limits.presenceBurst ?? 300;
        // The listeners live in a process of their own: receiving 30 copies is their cost, not the server's.
        const listeners = await ListenerProcess.start({ url: s.honestUrl, boardId: target.boardId, token: target.tokens.viewer, count: 30 });
        const attacker = await counter(s.attackUrl, target.boardId, target.tokens.viewer, key());
        await until(() => attacker.bytes > 0, 5000);
        const presenceId = randomClient();
        const pad = 'x'.repeat(stateBytes - 40);
        const frames = Array.from({ length: 200 }, (_, i) => awarenessFrame(awarenessPayload(presenceId, i + 1, { user: { name: 'a' }, pad })));
        return async () => {
          const before = (await listeners.ask('stats')).bytes;
          const t0 = performance.now();
          if (perSecond === undefined) for (const f of frames) attacker.client.send(f);
          else {
            let i = 0;
            for (; i < Math.max(0, burst - 5) && i < frames.length; i++) attacker.client.send(frames[i]!);
            while (i < frames.length && attacker.client.closeInfo === null) {
              await sleep(1000 / (perSecond * 0.9));
              attacker.client.send(frames[i++]!);
            }
          }
          // Until the fast listeners have received nothing for 1 s.
          for (;;) {
            const st = await listeners.ask('stats');
            if ((st.quietMs > 1000 && performance.now() - t0 > 1000) || performance.now() - t0 > ATTEMPT_TIMEOUT_MS) break;
            await sleep(200);
          }
          const end = await listeners.ask('release');
          listeners.exit();
          const sent = end.bytes - before;
          const attackerSent = frames.reduce((n, f) => n + f.length, 0);
          const refused = attacker.client.closeInfo !== null;
          return {
            outcome: refused ? `refused ${closeText(attacker.client)}` : 'accepted',
            accepted: sent > attackerSent / 10,
            detail: [
              `state ${(stateBytes / 1024).toFixed(1)} KiB x 200 = ${(attackerSent / MB).toFixed(1)} MB offered; ${(sent / MB).toFixed(1)} MB sent to the 30 listeners (x${(sent / attackerSent).toFixed(1)})`,
              `slow listener ${end.slowClosed ? `DROPPED (${end.slowClosed})` : `kept (got ${(end.slowBytes / MB).toFixed(1)} MB)`}`,
            ],
            noFresh: true,
          };
        };
      },
    }),
  ),
  {
    id: 'f',
    title: 'presence eviction: victim announces id X, 1,100 others come and go, a stranger writes as X',
    async prepare({ s, target }) {
      const X = randomClient();
      const victim = await counter(s.honestUrl, target.boardId, target.tokens.editor, key());
      victim.client.send(awarenessFrame(awarenessPayload(X, 1, { user: { name: 'victim' } })));
      const echoed = await until(() => victim.awarenessIds.has(X), 3000);
      victim.client.close();
      await until(() => victim.client.closeInfo !== null, 3000);
      const doc = await storedDoc(s.storage, target.boardId, X);
      const sv = Y.encodeStateVector(doc);
      const ids = [...roots(doc).activities.keys()] as ActivityId[];
      moveActivity(doc, ids[0]!, demoLaneId('B'), 1);
      const forged = Y.encodeStateAsUpdate(doc, sv);
      doc.destroy();
      const observer = await counter(s.honestUrl, target.boardId, target.tokens.viewer);
      await until(() => observer.bytes > 0, 5000);
      return async () => {
        let shown = 0;
        const codes = new Map<string, number>();
        for (let i = 0; i < 1100; i += 10) {
          await Promise.all(
            Array.from({ length: 10 }, async () => {
              const id = randomClient();
              let c: Counter;
              try {
                c = await counter(s.attackUrl, target.boardId, target.tokens.viewer, key());
              } catch {
                codes.set('connect failed', (codes.get('connect failed') ?? 0) + 1);
                return;
              }
              c.client.send(awarenessFrame(awarenessPayload(id, 1, { user: { name: 'a' } })));
              if (await until(() => c.awarenessIds.has(id) || c.client.closeInfo !== null, 1000)) if (c.awarenessIds.has(id)) shown++;
              if (c.client.closeInfo) codes.set(String(c.client.closeInfo.code), (codes.get(String(c.client.closeInfo.code)) ?? 0) + 1);
              c.client.close();
              await until(() => c.client.closeInfo !== null, 2000);
            }),
          );
        }
        const stranger = await counter(s.attackUrl, target.boardId, target.tokens.editor, key());
        await until(() => stranger.bytes > 0, 5000);
        const before = observer.updates;
        stranger.client.send(updateFrame(forged));
        await until(() => observer.updates > before || stranger.client.closeInfo !== null, 10_000);
        const accepted = observer.updates > before;
        const refusedBy = [...codes].map(([c, n]) => `${c} x${n}`).join(', ');
        return {
          outcome: accepted ? 'stranger ACCEPTED as X (bad)' : stranger.client.closeInfo ? `stranger refused ${closeText(stranger.client)}` : 'stranger: no answer',
          accepted,
          detail: [`victim's presence ${echoed ? 'shown' : 'NOT shown'}; 1,100 flood ids shown ${shown}${refusedBy ? `, flood closes ${refusedBy}` : ''}`],
        };
      };
    },
  },
];

// ---------------------------------------------------------------------------------------------
// Listeners in a process of their own (attack e): raw viewers that count bytes, one of them slow.

interface ListenerArgs {
  readonly url: string;
  readonly boardId: string;
  readonly token: string;
  readonly count: number;
}

interface ListenerStats {
  /** Bytes received by all listeners. */
  bytes: number;
  /** Since the last frame any fast listener received. */
  quietMs: number;
  slowBytes: number;
  /** The slow listener's close, if the server dropped it. */
  slowClosed: string | null;
}

class ListenerProcess {
  private constructor(private readonly child: ReturnType<typeof fork>) {}

  static start(args: ListenerArgs): Promise<ListenerProcess> {
    const child = fork(fileURLToPath(import.meta.url), ['--listeners', JSON.stringify(args)], { execArgv: ['--expose-gc'] });
    return new Promise((resolve, reject) => {
      child.once('message', (m: { ready?: boolean; error?: string }) => (m.ready ? resolve(new ListenerProcess(child)) : reject(new Error(m.error))));
      child.once('exit', () => reject(new Error('listener process exited')));
    });
  }

  ask(cmd: 'stats' | 'release'): Promise<ListenerStats> {
    return new Promise((resolve) => {
      this.child.once('message', (m: ListenerStats) => resolve(m));
      this.child.send({ cmd });
    });
  }

  exit(): void {
    this.child.kill('SIGKILL');
  }
}

async function listenerMain(args: ListenerArgs): Promise<void> {
  const listeners: Counter[] = [];
  // In tens: an address may have only so many upgrades pending.
  for (let i = 0; i < args.count; i += 10) {
    listeners.push(...(await Promise.all(Array.from({ length: Math.min(10, args.count - i) }, () => counter(args.url, args.boardId, args.token, undefined, false)))));
  }
  await until(() => listeners.every((l) => l.bytes > 0), 5000);
  // One listener reads slowly: one chunk (at most 64 KiB) every 100 ms.
  const slow = listeners[0]!;
  const socket = (slow.client.ws as unknown as { _socket: Socket })._socket;
  socket.pause();
  let reading = false;
  const throttle = setInterval(() => {
    if (reading) return;
    reading = true;
    socket.once('data', () => {
      socket.pause();
      reading = false;
    });
    socket.resume();
  }, 100);
  const fast = listeners.slice(1);
  const stats = (): ListenerStats => ({
    bytes: listeners.reduce((n, l) => n + l.bytes, 0),
    quietMs: performance.now() - Math.max(...fast.map((l) => l.last)),
    slowBytes: slow.bytes,
    slowClosed: slow.client.closeInfo ? closeText(slow.client) : null,
  });
  process.on('message', (m: { cmd: string }) => {
    if (m.cmd === 'stats') return process.send!(stats());
    if (m.cmd === 'release') {
      // Dropped while slow, or not: then it reads everything the server kept for it.
      clearInterval(throttle);
      const droppedWhileSlow = slow.client.closeInfo ? closeText(slow.client) : null;
      socket.resume();
      void until(() => performance.now() - slow.last > 1000 || slow.client.closeInfo !== null, 20_000).then(() => {
        process.send!({ ...stats(), slowClosed: droppedWhileSlow ?? (slow.client.closeInfo ? closeText(slow.client) : null) });
      });
    }
  });
  process.send!({ ready: true });
}

// ---------------------------------------------------------------------------------------------
// One attack, in a child process.

interface Result {
  id: string;
  title: string;
  outcome: string;
  accepted: boolean | null;
  blockedMaxMs: number | null;
  stallsMs: number | null;
  heapMB: number | null;
  rssMB: number | null;
  honestP50Ms: number | null;
  honestMaxMs: number | null;
  honestMoves: number | null;
  honestLate: number | null;
  honestBaselineP50Ms: number | null;
  honestCloses: number[];
  fresh: string;
  freshMs: number | null;
  attemptMs: number | null;
  detail: string[];
}

const orNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

async function runOne(def: AttackDef): Promise<Result> {
  const s = await startServer();
  const honestBoard = await storeDemoBoard(s.storage, 'honest');
  const target = await storeDemoBoard(s.storage, 'target');
  const honest = new HonestPair();
  await honest.start(s.honestUrl, honestBoard);
  const b0 = performance.now();
  await sleep(1000);
  const baseline = await honest.window(b0, performance.now() - 50);
  const attempt = await def.prepare({ s, honest: honestBoard, target });
  await sleep(300);
  const m0 = memory();
  const watch = new LoopWatch();
  watch.start();
  const t0 = performance.now();
  let result: Attempt;
  try {
    result = await Promise.race([
      attempt(),
      sleep(ATTEMPT_TIMEOUT_MS + 30_000).then((): Attempt => ({ outcome: 'attempt did not finish in 90 s', accepted: null, detail: [] })),
    ]);
  } catch (err) {
    result = { outcome: `attempt failed: ${String(err).slice(0, 80)}`, accepted: null, detail: [] };
  }
  const t1 = performance.now();
  // At least a second of honest moves in the window, and a block right at the end still shows.
  await sleep(Math.max(200, 1000 - (t1 - t0)));
  const loop = watch.stop();
  const window = await honest.window(t0, Math.max(t1, t0 + 1000));
  const m1 = memory();
  const detail = [...result.detail, ...((await result.extra?.().catch((e: unknown) => [`extra failed: ${String(e)}`])) ?? [])];
  let fresh = 'n/a';
  let freshMs: number | null = null;
  if (!result.noFresh) {
    const r = await (result.fresh ?? (() => timedSync(s.honestUrl, target.boardId, target.tokens.viewer)))().catch((e: unknown) => ({ ms: null, how: `failed: ${String(e).slice(0, 60)}` }));
    fresh = r.how;
    freshMs = r.ms;
  }
  const honestCloses = honest.closes();
  honest.stop();
  await stopServer(s).catch(() => undefined);
  return {
    id: def.id,
    title: def.title,
    outcome: result.outcome,
    accepted: result.accepted,
    blockedMaxMs: loop.maxMs,
    stallsMs: loop.stallsMs,
    heapMB: m1.heap - m0.heap,
    rssMB: m1.rss - m0.rss,
    honestP50Ms: orNull(window.p50),
    honestMaxMs: orNull(window.max),
    honestMoves: window.count,
    honestLate: window.late,
    honestBaselineP50Ms: orNull(baseline.p50),
    honestCloses,
    fresh,
    freshMs,
    attemptMs: t1 - t0,
    detail,
  };
}

// ---------------------------------------------------------------------------------------------
// The parent: one child per attack, killed if it hangs; a table; JSON to BENCH_OUT.

const CHILD_TIMEOUT_MS = 180_000;

function runChild(def: AttackDef): Promise<Result> {
  const failed = (outcome: string): Result => ({
    id: def.id,
    title: def.title,
    outcome,
    accepted: null,
    blockedMaxMs: null,
    stallsMs: null,
    heapMB: null,
    rssMB: null,
    honestP50Ms: null,
    honestMaxMs: null,
    honestMoves: null,
    honestLate: null,
    honestBaselineP50Ms: null,
    honestCloses: [],
    fresh: 'n/a',
    freshMs: null,
    attemptMs: null,
    detail: [],
  });
  return new Promise((resolve) => {
    const child = fork(fileURLToPath(import.meta.url), ['--child', def.id], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
    let result: Result | null = null;
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve(failed(`HUNG: process killed after ${CHILD_TIMEOUT_MS / 1000} s`));
    }, CHILD_TIMEOUT_MS);
    child.on('message', (m: Result) => (result = m));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (result) return resolve(result);
      const last = stderr.trim().split('\n').filter(Boolean).slice(-1)[0] ?? '';
      resolve(failed(`CRASHED: server process exited (${signal ?? code})${last ? `: ${last.slice(0, 100)}` : ''}`));
    });
  });
}

const f0 = (x: number | null, digits = 0): string => (x === null ? '-' : x.toFixed(digits));

function printTable(results: readonly Result[]): void {
  const rows = [
    ['attack', 'outcome', 'blocked max ms', 'stalls ms', 'heap/RSS MB', 'honest p50/max ms', 'fresh sync'],
    ...results.map((r) => [
      r.id,
      r.outcome,
      f0(r.blockedMaxMs),
      f0(r.stallsMs),
      `${f0(r.heapMB, 1)} / ${f0(r.rssMB, 1)}`,
      `${f0(r.honestP50Ms)} / ${f0(r.honestMaxMs)}${r.honestLate ? ` (${r.honestLate} late)` : ''}`,
      r.fresh,
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ');
  console.log(line(rows[0]!));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const row of rows.slice(1)) console.log(line(row));
  console.log('');
  for (const r of results) {
    console.log(`${r.id}: ${r.title}`);
    for (const d of r.detail) console.log(`   ${d}`);
    const base = r.honestBaselineP50Ms === null ? '' : `honest baseline p50 ${r.honestBaselineP50Ms.toFixed(1)} ms; `;
    const window = r.attemptMs === null ? '-' : f0(Math.max(1000, r.attemptMs));
    console.log(
      `   ${base}${r.honestMoves ?? 0} honest moves in the ${window} ms window (attempt ${f0(r.attemptMs)} ms)${r.honestCloses.length ? `; honest clients closed: ${r.honestCloses.join(',')}` : ''}`,
    );
  }
}

if (process.argv[2] === '--listeners') {
  await listenerMain(JSON.parse(process.argv[3]!) as ListenerArgs);
} else if (process.argv[2] === '--child') {
  const def = attacks.find((a) => a.id === process.argv[3]);
  if (!def) throw new Error(`unknown attack ${process.argv[3]}`);
  const result = await runOne(def);
  // Run by hand (e.g. with --cpu-prof): print the result.
  if (process.send) process.send(result, () => process.exit(0));
  else {
    console.log(JSON.stringify(result, null, 2));
    process.exit(0);
  }
} else {
  const wanted = process.argv.slice(2);
  const selected = wanted.length ? attacks.filter((a) => wanted.includes(a.id)) : attacks;
  const results: Result[] = [];
  console.log(`\nTabla sync server: the cost of one attack attempt (node ${process.version}, default limits, SQLite synchronous ${process.env.BENCH_SYNCHRONOUS === 'NORMAL' ? 'NORMAL' : 'FULL'}, gc ${gc ? 'on' : 'off'})\n`);
  for (const def of selected) {
    process.stderr.write(`running ${def.id}: ${def.title}\n`);
    results.push(await runChild(def));
  }
  printTable(results);
  console.log('');
  const out = process.env.BENCH_OUT;
  if (out) writeFileSync(out, JSON.stringify({ node: process.version, at: new Date().toISOString(), results }, null, 2));
  process.exit(0);
}
