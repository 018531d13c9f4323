import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import type { CloseInfo } from './raw.js';
import { waitFor } from './time.js';

/** How a test client presents itself, beyond its role token. */
export interface ClientOptions {
  /** The device's client key, sent as `?key=` (binds the Yjs client ids it writes under). */
  readonly key?: string;
}

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
