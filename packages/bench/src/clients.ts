/**
 * The bench's clients, the same against both servers:
 * - a writer: the stock `y-websocket` WebsocketProvider (what the board app uses), writing schema
 *   v1 changes through plan-model's operations, each its own update message;
 * - readers: raw `ws` sockets that ask for the board once (sync step 1 of an empty document),
 *   then timestamp the update frames they receive. A reader following a writer counts that
 *   writer's changes: a server may relay several changes stored together in one frame, so each
 *   frame's clock for the writer (Y.parseUpdateMeta, no document) says how many it holds; other
 *   readers count frames.
 */
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import { type ActivityId, demoLaneId, editActivity, type LaneId, moveActivity, roots, type Status } from '@tabla/plan-model';
import { encodeSyncStep1 } from '@tabla/sync-protocol';
import { changeClocks, connectStock, type StockClient } from '@tabla/test-clients';
import { until } from './stats.js';

export type Writer = StockClient;

/** A stock provider on `${url}/${boardId}?token=`; `seed` fills its document before it connects (for the reference, which starts empty). */
export async function connectWriter(url: string, boardId: string, token: string, seed?: (doc: Y.Doc) => void): Promise<Writer> {
  const writer = connectStock(url, boardId, token);
  if (seed) seed(writer.doc);
  const synced = await Promise.race([writer.synced.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 30_000))]);
  if (!synced) {
    writer.destroy();
    throw new Error(`writer did not sync with ${url}/${boardId} in 30 s (closes: ${JSON.stringify(writer.closes)})`);
  }
  changeClocks(writer.doc);
  return writer;
}

const LANES: readonly LaneId[] = (['A', 'B', 'C', 'D'] as const).map((k) => demoLaneId(k));
const STATUSES: readonly Status[] = ['planned', 'in_progress', 'done', 'postponed'];

/** The i-th change of a writer, always valid schema v1: mostly moves across the demo lanes, every fourth an edit of the card's text and status. */
export function change(doc: Y.Doc, ids: readonly ActivityId[], i: number): void {
  const id = ids[i % ids.length]!;
  if (i % 4 === 3) editActivity(doc, id, { status: STATUSES[i % STATUSES.length]!, notes: `bilješka ${i}` });
  else moveActivity(doc, id, LANES[i % LANES.length]!, i % 3);
}

export const activityIds = (doc: Y.Doc): ActivityId[] => [...roots(doc).activities.keys()] as ActivityId[];

/**
 * A reader that counts update frames, or, once it follows a writer, that writer's changes.
 * `arrivals[k]` is when the k-th update (change) after its sync (or the follow) arrived (performance.now()).
 */
export class CountingReader {
  readonly arrivals: number[] = [];
  private followed: { readonly clientId: number; readonly clocks: readonly number[]; readonly base: number } | null = null;
  /** The whole board as the server sent it on connecting (its sync step 2), kept only when asked. */
  state: Uint8Array | null = null;
  /** Called after each update frame is counted. */
  onUpdate: (() => void) | null = null;
  closed: { code: number; reason: string } | null = null;
  private synced = false;
  private initial: Uint8Array[] = [];

  private constructor(
    readonly ws: WebSocket,
    keepState: boolean,
  ) {
    ws.on('message', (data: Buffer) => {
      // [messageSync = 0, syncStep2 = 1 | update = 2, ...]: one byte each (varints below 128).
      if (data[0] !== 0) return;
      if (data[1] === 2 && this.synced) {
        const now = performance.now();
        if (!this.followed) this.arrivals.push(now);
        else {
          const { clientId, clocks, base } = this.followed;
          const clock = Y.parseUpdateMeta(readVarBytes(data, 2)).to.get(clientId) ?? 0;
          while (base + this.arrivals.length < clocks.length && clocks[base + this.arrivals.length]! <= clock) this.arrivals.push(now);
        }
        this.onUpdate?.();
      } else if (!this.synced && data[1] !== 0) {
        // The board as it was: step 2, and what came before it (a cold board's answer from storage: its snapshot, then the log as step 2).
        if (keepState) this.initial.push(readVarBytes(data, 2));
        if (data[1] !== 1) return;
        this.synced = true;
        if (keepState) this.state = this.initial.length === 1 ? this.initial[0]! : Y.mergeUpdates(this.initial);
        this.initial = [];
      }
    });
    ws.on('close', (code, reason) => (this.closed = { code, reason: reason.toString() }));
    ws.on('error', () => undefined);
  }

  /** Connects, asks for the board and resolves once it has it. */
  static async connect(url: string, boardId: string, token: string, keepState = false): Promise<CountingReader> {
    const ws = new WebSocket(`${url}/${boardId}?token=${encodeURIComponent(token)}`);
    const reader = new CountingReader(ws, keepState);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
    });
    ws.send(encodeSyncStep1(new Uint8Array([0])));
    if (!(await until(() => reader.synced || reader.closed !== null, 30_000, 5)) || !reader.synced) {
      ws.terminate();
      throw new Error(`reader did not sync with ${boardId}: ${JSON.stringify(reader.closed)}`);
    }
    return reader;
  }

  get count(): number {
    return this.arrivals.length;
  }

  /** From now on counts `writer`'s changes (made after this call; see changeClocks), not frames. */
  follow(writer: Y.Doc): void {
    const clocks = changeClocks(writer);
    this.followed = { clientId: writer.clientID, clocks, base: clocks.length - this.arrivals.length };
  }

  close(): void {
    this.ws.terminate();
  }
}

/** The varint-prefixed byte array at `offset` of a frame. */
function readVarBytes(frame: Buffer, offset: number): Uint8Array {
  let length = 0;
  let shift = 0;
  let i = offset;
  for (;;) {
    const b = frame[i++]!;
    length += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (b < 0x80) break;
  }
  return new Uint8Array(frame.subarray(i, i + length));
}

/**
 * Resolves once every reader has at least `target(reader)` updates, or false after `timeoutMs`.
 * Event-driven: no polling between the frames it waits for.
 */
export function allReached(readers: readonly CountingReader[], target: (r: CountingReader) => number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let remaining = 0;
    const done = (ok: boolean) => {
      clearTimeout(timer);
      for (const r of readers) r.onUpdate = null;
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    for (const r of readers) {
      const want = target(r);
      if (r.count >= want) continue;
      remaining++;
      r.onUpdate = () => {
        if (r.count === want && --remaining === 0) done(true);
      };
    }
    if (remaining === 0) done(true);
  });
}
