import { WebSocket } from 'ws';
import * as Y from 'yjs';
import { parseServerFrame, type ServerFrame, syncStep1Frame } from './frames.js';
import type { ClientOptions, CloseInfo } from './connection.js';
import { waitFor, within } from './time.js';

export interface RawClientOptions extends ClientOptions {
  /** `ws` answers pings by itself unless this is false (a client that looks dead). */
  readonly autoPong?: boolean;
}

export interface RawClient {
  readonly ws: WebSocket;
  /** Binary frames received, in order. */
  readonly frames: Uint8Array[];
  /** Text frames received (the server should never send any). */
  readonly texts: string[];
  /** Called synchronously with each binary frame, once it is in `frames`. */
  onFrame: ((frame: Uint8Array) => void) | null;
  /** Set once closed; `code` -1 when the server answered the upgrade with an HTTP error. */
  closeInfo: CloseInfo | null;
  /** The HTTP status when the upgrade was refused. */
  httpStatus: number | null;
  /** Number of frames received before the close (for "nothing before the refusal"). */
  framesBeforeClose: number;
  readonly closed: Promise<CloseInfo>;
  send(data: Uint8Array | string): void;
  close(code?: number): void;
  terminate(): void;
}

/**
 * Opens a raw `ws` connection to `${url}/${boardId}?token=…&key=…`; resolves on open, or when
 * the upgrade is refused with an HTTP status (then `httpStatus` is set and it is closed).
 */
export function rawClient(url: string, boardId: string, token: string | null, options: RawClientOptions = {}): Promise<RawClient> {
  const params = new URLSearchParams();
  if (token !== null) params.set('token', token);
  if (options.key !== undefined) params.set('key', options.key);
  const query = params.size === 0 ? '' : `?${params.toString()}`;
  const ws = new WebSocket(`${url}/${boardId}${query}`, { autoPong: options.autoPong ?? true });
  let resolveClosed!: (info: CloseInfo) => void;
  const closed = new Promise<CloseInfo>((r) => (resolveClosed = r));
  const client: RawClient = {
    ws,
    frames: [],
    texts: [],
    onFrame: null,
    closeInfo: null,
    httpStatus: null,
    framesBeforeClose: 0,
    closed,
    send(data) {
      if (ws.readyState === WebSocket.OPEN) ws.send(data, () => undefined);
    },
    close(code = 1000) {
      ws.close(code);
    },
    terminate() {
      ws.terminate();
    },
  };
  const finish = (info: CloseInfo) => {
    if (client.closeInfo) return;
    client.closeInfo = info;
    client.framesBeforeClose = client.frames.length + client.texts.length;
    resolveClosed(info);
  };
  ws.on('message', (data, isBinary) => {
    const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    if (isBinary) {
      const frame = new Uint8Array(buf); // a copy: `data` may be a pooled buffer
      client.frames.push(frame);
      client.onFrame?.(frame);
    } else client.texts.push(buf.toString('utf8'));
  });
  ws.on('close', (code, reason) => finish({ code, reason: reason.toString('utf8') }));
  ws.on('error', () => undefined); // reported through `closed`; an unheard 'error' would throw
  return new Promise<RawClient>((resolve, reject) => {
    ws.once('open', () => resolve(client));
    ws.once('unexpected-response', (_req, res) => {
      client.httpStatus = res.statusCode ?? 0;
      res.resume();
      ws.terminate();
      finish({ code: -1, reason: `HTTP ${client.httpStatus}` });
      resolve(client);
    });
    ws.once('error', (err) => {
      if (client.httpStatus !== null) return;
      finish({ code: -2, reason: err.message });
      reject(err);
    });
  });
}

/** Frames of the server that carry document data (sync steps and updates). */
export const documentFrames = (c: RawClient): ServerFrame[] =>
  c.frames.map(parseServerFrame).filter((f) => f.type === 'sync-step-1' || f.type === 'sync-step-2' || f.type === 'update');

/** The close the server gives a raw client, within a deadline. */
export const closeOf = (c: RawClient, ms = 5000): Promise<CloseInfo> => within(c.closed, ms, 'the server to close the connection');

/**
 * A raw client that records every document update the server sends it, so a test knows
 * exactly which updates were relayed (e.g. before a crash).
 */
export interface RawReader extends RawClient {
  /** The document as this reader knows it: the first sync step 2 plus every update since. */
  readonly doc: Y.Doc;
  /** Payloads of the document updates received after the first sync, in order. */
  readonly updates: Uint8Array[];
  /** Called synchronously for every update received, with the count so far. */
  onUpdate: ((count: number) => void) | null;
  /**
   * A round trip through the server (query-awareness, answered with an awareness frame):
   * every frame the server sent this reader before it read the query has arrived when it resolves.
   */
  roundTrip(): Promise<void>;
}

const messageQueryAwareness = 3;

/** Connects, asks for the whole board (sync step 1 of an empty document) and waits for it. */
export async function connectRawReader(url: string, boardId: string, token: string): Promise<RawReader> {
  const client = await rawClient(url, boardId, token);
  let synced = false;
  let awarenessFrames = 0;
  const reader: RawReader = Object.assign(client, {
    doc: new Y.Doc(),
    updates: [] as Uint8Array[],
    onUpdate: null as RawReader['onUpdate'],
    async roundTrip() {
      const before = awarenessFrames;
      reader.send(Uint8Array.of(messageQueryAwareness));
      await waitFor(() => awarenessFrames > before || reader.closeInfo !== null, 3000, 'query-awareness answer');
    },
  });
  const read = (data: Uint8Array) => {
    const frame = parseServerFrame(data);
    if (frame.type === 'awareness') awarenessFrames++;
    if ((frame.type === 'sync-step-2' || frame.type === 'update') && !synced) {
      // The board as it was: step 2, and whatever came before it (a cold board's answer from storage is its snapshot, then the log as step 2).
      Y.applyUpdate(reader.doc, frame.payload);
      synced = frame.type === 'sync-step-2';
    } else if (frame.type === 'update' || frame.type === 'sync-step-2') {
      Y.applyUpdate(reader.doc, frame.payload);
      reader.updates.push(frame.payload);
      reader.onUpdate?.(reader.updates.length);
    }
  };
  client.frames.forEach(read); // any that came before this
  client.onFrame = read;
  reader.send(syncStep1Frame(Y.encodeStateVector(new Y.Doc())));
  await waitFor(() => synced || reader.closeInfo !== null, 5000, 'raw reader sync');
  if (!synced) throw new Error(`raw reader closed before sync: ${JSON.stringify(reader.closeInfo)}`);
  return reader;
}
