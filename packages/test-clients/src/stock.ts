import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import type { ClientOptions, CloseInfo } from './connection.js';
import { waitFor } from './time.js';

/** The stock `y-websocket` provider (what the board app uses), with what it saw recorded. */
export interface StockClient {
  readonly doc: Y.Doc;
  readonly provider: WebsocketProvider;
  /** Resolves when the provider has first synced (received the server's sync step 2). */
  readonly synced: Promise<void>;
  /** Times the provider has synced (the first sync, then once per reconnect). */
  readonly syncs: number;
  /** Resolves once `syncs` reaches `times` (rejects after 5 s). */
  untilSynced(times?: number): Promise<void>;
  /** Close events the provider saw, in order (1006 when the server died). */
  readonly closes: CloseInfo[];
  destroy(): void;
}

type Polyfill = NonNullable<ConstructorParameters<typeof WebsocketProvider>[3]>['WebSocketPolyfill'];

export function connectStock(url: string, boardId: string, token: string, options: ClientOptions = {}): StockClient {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(url, boardId, doc, {
    params: options.key === undefined ? { token } : { token, key: options.key },
    WebSocketPolyfill: WebSocket as unknown as Polyfill,
    // Otherwise two providers in one process sync over BroadcastChannel, server or not.
    disableBc: true,
    // The stock default is 2500 ms; shorter keeps reconnect tests fast (first retry is still 200 ms).
    maxBackoffTime: 300,
  });
  const closes: CloseInfo[] = [];
  provider.on('connection-close', (event) => {
    if (event) closes.push({ code: event.code, reason: event.reason });
  });
  let syncs = 0;
  let firstSync!: () => void;
  const synced = new Promise<void>((resolve) => (firstSync = resolve));
  provider.on('sync', (state: boolean) => {
    if (state && ++syncs === 1) firstSync();
  });
  let destroyed = false;
  return {
    doc,
    provider,
    synced,
    get syncs() {
      return syncs;
    },
    untilSynced(times = 1) {
      return waitFor(() => syncs >= times, 5000, 'stock client sync');
    },
    closes,
    destroy() {
      if (destroyed) return;
      destroyed = true;
      provider.destroy();
      provider.awareness.destroy();
      doc.destroy();
    },
  };
}

const clockHistories = new WeakMap<Y.Doc, number[]>();

/**
 * A writer's own clock after each of its changes (one local transaction each) from the first call
 * on, as it makes them: a reader that sees the writer's clock in a frame (Y.parseUpdateMeta) knows
 * which changes it holds, however many one frame carries (a server may relay several together).
 */
export function changeClocks(doc: Y.Doc): readonly number[] {
  let clocks = clockHistories.get(doc);
  if (!clocks) {
    const list: number[] = [];
    doc.on('afterTransaction', (tr: Y.Transaction) => {
      const clock = Y.getState(doc.store, doc.clientID);
      if (tr.local && clock > (list.at(-1) ?? 0)) list.push(clock);
    });
    clockHistories.set(doc, (clocks = list));
  }
  return clocks;
}
