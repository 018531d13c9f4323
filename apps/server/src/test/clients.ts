/**
 * Clients for the durability suite: the stock `y-websocket` provider (what the board app
 * uses) and a raw `ws` reader that records every document frame the server sends, so a
 * test knows exactly which updates were relayed before a crash.
 */
import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { readBoard } from '@tabla/plan-model';

// ---------------------------------------------------------------------------
// Stock client

export interface StockClient {
  readonly doc: Y.Doc;
  readonly provider: WebsocketProvider;
  /** Close events the provider saw, in order (1006 when the server died). */
  readonly closes: { code: number; reason: string }[];
  /** Times the provider has synced (the first sync, then once per reconnect). */
  readonly syncs: number;
  /** Resolves on the next sync (or at once if synced and `syncs` > `after`). */
  synced(after?: number): Promise<void>;
  destroy(): void;
}

type Polyfill = NonNullable<ConstructorParameters<typeof WebsocketProvider>[3]>['WebSocketPolyfill'];

export function connectStock(wsUrl: string, boardId: string, token: string): StockClient {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(wsUrl, boardId, doc, {
    params: { token },
    WebSocketPolyfill: WebSocket as unknown as Polyfill,
    // Otherwise two providers in one process sync over BroadcastChannel, server or not.
    disableBc: true,
    // Stock default 2500 ms; shorter keeps the reconnect tests fast (first retry is 200 ms anyway).
    maxBackoffTime: 300,
  });
  const closes: { code: number; reason: string }[] = [];
  provider.on('connection-close', (event) => {
    if (event) closes.push({ code: event.code, reason: event.reason });
  });
  let syncs = 0;
  provider.on('sync', (state: boolean) => {
    if (state) syncs++;
  });
  let destroyed = false;
  return {
    doc,
    provider,
    closes,
    get syncs() {
      return syncs;
    },
    synced(after = 0) {
      return waitFor(() => syncs > after, 5000, 'stock client sync');
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      provider.destroy();
      provider.awareness.destroy();
      doc.destroy();
    },
  };
}

// ---------------------------------------------------------------------------
// Raw reader

export interface RawReader {
  readonly ws: WebSocket;
  /** The document as this reader knows it: the first sync step 2 plus every update since. */
  readonly doc: Y.Doc;
  /** Payloads of the document updates received after the first sync, in order. */
  readonly updates: Uint8Array[];
  /** Set once the socket closed. */
  closeInfo: { code: number; reason: string } | null;
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Called synchronously for every update received, with the count so far. */
  onUpdate: ((count: number) => void) | null;
  /**
   * A round trip through the server (query-awareness, answered with an awareness frame):
   * every frame the server sent this reader before it read the query has arrived when it resolves.
   */
  roundTrip(): Promise<void>;
  close(): void;
}

/** Connects, asks for the whole board (sync step 1 of an empty document) and waits for it. */
export async function connectRawReader(wsUrl: string, boardId: string, token: string): Promise<RawReader> {
  const ws = new WebSocket(`${wsUrl}/${encodeURIComponent(boardId)}?token=${encodeURIComponent(token)}`);
  const doc = new Y.Doc();
  let synced = false;
  let awarenessFrames = 0;
  let resolveClosed!: (info: { code: number; reason: string }) => void;
  const reader: RawReader = {
    ws,
    doc,
    updates: [],
    closeInfo: null,
    closed: new Promise((r) => (resolveClosed = r)),
    onUpdate: null,
    async roundTrip() {
      const before = awarenessFrames;
      ws.send(Uint8Array.of(3)); // messageQueryAwareness
      await waitFor(() => awarenessFrames > before || reader.closeInfo !== null, 3000, 'query-awareness answer');
    },
    close() {
      ws.close(1000);
    },
  };
  ws.on('message', (data: Buffer, isBinary) => {
    if (!isBinary) return;
    const frame = decodeFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    if (frame.type === 'awareness') awarenessFrames++;
    if (frame.type === 'sync-step-2' && !synced) {
      Y.applyUpdate(doc, frame.payload);
      synced = true;
    } else if (frame.type === 'update' || frame.type === 'sync-step-2') {
      const update = frame.payload.slice(); // a copy: `data` may be a pooled buffer
      Y.applyUpdate(doc, update);
      reader.updates.push(update);
      reader.onUpdate?.(reader.updates.length);
    }
  });
  ws.on('close', (code, reason) => {
    reader.closeInfo = { code, reason: reason.toString('utf8') };
    resolveClosed(reader.closeInfo);
  });
  ws.on('error', () => undefined); // reported through `closed`
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.send(syncStep1Frame(Y.encodeStateVector(new Y.Doc())));
  await waitFor(() => synced || reader.closeInfo !== null, 5000, 'raw reader sync');
  if (!synced) throw new Error(`raw reader closed before sync: ${JSON.stringify(reader.closeInfo)}`);
  return reader;
}

// ---------------------------------------------------------------------------
// Frames of the y-websocket protocol (lib0 varints, written out: lib0 is not a dependency of this app)

type Frame =
  | { readonly type: 'sync-step-1' | 'sync-step-2' | 'update'; readonly payload: Uint8Array }
  | { readonly type: 'awareness' | 'other' };

function readVarUint(buf: Uint8Array, pos: { at: number }): number {
  let n = 0;
  let mult = 1;
  for (;;) {
    const byte = buf[pos.at++];
    if (byte === undefined) throw new RangeError('truncated varint');
    n += (byte & 0x7f) * mult;
    if (byte < 0x80) return n;
    mult *= 128;
  }
}

function writeVarUint(out: number[], n: number): void {
  while (n > 0x7f) {
    out.push((n % 128) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
}

export function decodeFrame(frame: Uint8Array): Frame {
  const pos = { at: 0 };
  const type = readVarUint(frame, pos);
  if (type === 1) return { type: 'awareness' };
  if (type !== 0) return { type: 'other' };
  const step = readVarUint(frame, pos);
  const length = readVarUint(frame, pos);
  const payload = frame.subarray(pos.at, pos.at + length);
  if (step === 0) return { type: 'sync-step-1', payload };
  if (step === 1) return { type: 'sync-step-2', payload };
  if (step === 2) return { type: 'update', payload };
  return { type: 'other' };
}

export function syncStep1Frame(stateVector: Uint8Array): Uint8Array {
  const head: number[] = [0, 0];
  writeVarUint(head, stateVector.length);
  const out = new Uint8Array(head.length + stateVector.length);
  out.set(head);
  out.set(stateVector, head.length);
  return out;
}

// ---------------------------------------------------------------------------
// Documents and time

/** The board as plain, comparable data. */
export function boardJson(doc: Y.Doc): unknown {
  const view = readBoard(doc);
  return {
    meta: view.meta,
    municipalities: view.municipalities,
    lanes: view.lanes,
    unplaced: view.unplaced,
  };
}

/** How many of `updates` are not (fully) contained in `doc`: struct clocks and deletions. */
export function missingFrom(doc: Y.Doc, updates: readonly Uint8Array[]): number {
  const snapshot = Y.snapshot(doc);
  return updates.filter((u) => !Y.snapshotContainsUpdate(snapshot, u)).length;
}

/** `doc` after also applying `other`'s whole state to a copy of it: equal to `doc` iff `doc` already had it all. */
export function unchangedByMerging(doc: Y.Doc, other: Y.Doc): boolean {
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

export async function waitFor(predicate: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
