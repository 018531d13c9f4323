/**
 * One open board: the document replica (kept on this device in IndexedDB), its WebSocket
 * provider and presence, the connection state the header always shows, and whether this
 * person's changes have reached the server. Not React: the UI subscribes.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { IndexeddbPersistence } from 'y-indexeddb';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { type Access, createUndoManager, isRole, type Role } from '@tabla/plan-model';
import { CloseCode, messageFlush } from '@tabla/sync-server/protocol';
import { deviceKey } from './device-key.js';
import type { Identity } from './identity.js';
import type { BoardLink } from './link.js';
import { cachedAccess, cacheAccess, hasPendingChanges, localCopyName, setPendingChanges } from './offline-store.js';
import { type SavedState, SaveTracker } from './save-tracker.js';

export type { SavedState } from './save-tracker.js';

/** `refused`: the link is not (or no longer) valid. `rejected`: the server refused a change. */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline' | 'refused' | 'rejected';

export interface SessionState {
  readonly connection: ConnectionState;
  /** The first full sync with the server has happened. */
  readonly synced: boolean;
  /** The copy of the board kept on this device has loaded (and is not empty): it can be shown. */
  readonly localReady: boolean;
  /** The role the link grants: from the server, or remembered from an earlier visit when offline. */
  readonly role: Role | null;
  /**
   * The municipality a coordinator's link is bound to by the server (null: a link bound to none,
   * or not known yet): this person adds activities, joins and votes for it alone.
   */
  readonly municipalityId: string | null;
  /** Whether every change made here is confirmed stored by the server. */
  readonly saved: SavedState;
}

/** Presence, as it travels in awareness (never in the document). */
export interface PresenceUser {
  readonly name: string;
  readonly municipalityId: string | null;
  readonly color: string;
  readonly role: Role | null;
}

/** Where a person is dragging a card to: the target lane ('pool' for not yet placed) and position. */
export interface DraggingPresence {
  readonly activityId: string;
  readonly title: string;
  readonly container: string;
  readonly index: number;
}

/** Forbidden, too large, invalid: resending the same change would only be refused again. */
const REJECTED = new Set<number>([CloseCode.forbidden, CloseCode.documentTooLarge, CloseCode.invalidUpdate]);

/** Changes come in bursts (a drag is several transactions): one flush after the burst. */
const FLUSH_DEBOUNCE_MS = 100;

export interface SessionOptions {
  /** Tests: a WebSocket stand-in. */
  readonly WebSocketPolyfill?: typeof WebSocket;
  /** Keep the board on this device (IndexedDB). Default: where IndexedDB exists. */
  readonly persist?: boolean;
}

export class BoardSession {
  readonly doc = new Y.Doc();
  readonly provider: WebsocketProvider;
  /** Undo and redo of this person's own changes. */
  readonly undoManager = createUndoManager(this.doc);
  /** The copy on this device; null where IndexedDB is missing (then nothing survives a reload). */
  readonly persistence: IndexeddbPersistence | null;
  private readonly saves: SaveTracker;
  private state: SessionState;
  private everConnected = false;
  /** A connection attempt failed (so far or since the last connection): we are retrying. */
  private attemptFailed = false;
  /** Flushes wait until the local copy has loaded: what it adds must be covered too. */
  private localLoaded: boolean;
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private destroyed = false;
  /** Who this person said they are (presence follows it and what the link grants). */
  private announced: { identity: Identity; color: string } | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly link: BoardLink,
    base: { protocol: string; host: string } = window.location,
    options: SessionOptions = {},
  ) {
    const persist = options.persist ?? typeof indexedDB !== 'undefined';
    // Changes from an earlier visit that were never confirmed stored (kept in IndexedDB) still count.
    this.saves = new SaveTracker(persist && hasPendingChanges(link.boardId, link.token));
    const access = cachedAccess(link.boardId, link.token);
    this.state = {
      connection: 'connecting',
      synced: false,
      localReady: false,
      role: access?.role ?? null,
      municipalityId: access?.municipalityId ?? null,
      saved: this.saves.state(false),
    };
    this.localLoaded = !persist;
    // Before the provider, so that a change made while it loads is already kept here.
    this.persistence = persist ? new IndexeddbPersistence(localCopyName(link.boardId, link.token), this.doc) : null;
    this.persistence?.on('synced', () => {
      this.localLoaded = true;
      // An empty copy (a first visit) is nothing to show: wait for the server then.
      this.update({ localReady: this.doc.store.clients.size > 0 });
      this.flushSoon(0);
    });
    // IndexedDB can refuse to open (private modes, a full disk): then there is simply no copy here.
    this.persistence?._db.catch(() => {
      this.localLoaded = true;
      this.flushSoon(0);
    });

    const wsBase = `${base.protocol === 'https:' ? 'wss' : 'ws'}://${base.host}/sync`;
    this.provider = new WebsocketProvider(wsBase, link.boardId, this.doc, {
      params: { token: link.token, key: deviceKey() },
      maxBackoffTime: 5_000,
      // No tab-to-tab sync: tabs of one board on other links (a viewer, another municipality on a
      // shared laptop) would hand each other changes their own link may not send.
      disableBc: true,
      ...(options.WebSocketPolyfill ? { WebSocketPolyfill: options.WebSocketPolyfill } : {}),
    });
    this.provider.messageHandlers[messageFlush] = (_encoder, decoder, _provider, fromServer) => {
      // Only the server answers flushes; a frame from another tab (BroadcastChannel) is not one.
      if (fromServer) this.onFlushAnswer(decoding.readVarUint(decoder));
    };
    this.provider.on('status', ({ status }: { status: string }) => {
      if (status === 'connected') {
        this.everConnected = true;
        this.attemptFailed = false;
      } else if (status === 'disconnected') {
        this.saves.connectionLost();
      }
      this.update({ connection: this.connectionFrom(status) });
    });
    this.provider.on('sync', (synced: boolean) => {
      if (!synced) return;
      this.update({ synced: true });
      // The sync sent everything the server lacked (this device's offline changes included).
      this.flushSoon(0);
    });
    this.provider.on('connection-close', (event: CloseEvent | null) => {
      this.saves.connectionLost();
      const code = event?.code ?? 0;
      if (code === CloseCode.unauthorized || REJECTED.has(code)) {
        this.provider.disconnect(); // retrying would only be refused again
        if (REJECTED.has(code)) {
          // The refused change is in this device's copy: drop the copy, or every reload would
          // send it again and be refused again. After a reload the board is the server's.
          void this.persistence?.clearData().catch(() => {});
          setPendingChanges(this.link.boardId, this.link.token, false);
        }
        this.update({ connection: code === CloseCode.unauthorized ? 'refused' : 'rejected' });
        return;
      }
      if (!this.provider.wsconnected) {
        this.attemptFailed = true;
        this.update({ connection: this.connectionFrom('disconnected') });
      }
    });
    // Registered after the provider's own listener, which sends each change at once when connected.
    this.doc.on('update', this.onDocUpdate);
    window.addEventListener('online', this.onNetworkChange);
    window.addEventListener('offline', this.onNetworkChange);
    void this.fetchAccess(base);
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getState = (): SessionState => this.state;

  get awareness() {
    return this.provider.awareness;
  }

  announce(identity: Identity, color: string): void {
    this.announced = { identity, color };
    this.publishUser();
  }

  /**
   * Presence from what the link grants: a bound link speaks for its municipality whatever was
   * chosen; until the server has said what the link grants, for none (a municipality picked on
   * this device may not be the link's, and the server would refuse that presence).
   */
  private publishUser(): void {
    if (!this.announced) return;
    const { identity, color } = this.announced;
    const known = this.state.role !== null;
    const municipalityId = this.state.municipalityId ?? (known ? identity.municipalityId : null);
    const user: PresenceUser = { ...identity, municipalityId, color, role: this.state.role };
    this.awareness.setLocalStateField('user', user);
  }

  /** What this person is doing right now, for the others (awareness only, never the document). */
  setActivity(field: 'editing', value: string | null): void;
  setActivity(field: 'dragging', value: DraggingPresence | null): void;
  setActivity(field: 'editing' | 'dragging', value: string | DraggingPresence | null): void {
    const current: unknown = this.awareness.getLocalState()?.[field] ?? null;
    if (JSON.stringify(current) !== JSON.stringify(value)) this.awareness.setLocalStateField(field, value);
  }

  destroy(): void {
    this.destroyed = true;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    window.removeEventListener('online', this.onNetworkChange);
    window.removeEventListener('offline', this.onNetworkChange);
    this.doc.off('update', this.onDocUpdate);
    this.undoManager.destroy();
    this.provider.destroy();
    this.doc.destroy(); // and with it the IndexedDB persistence
    this.listeners.clear();
  }

  private connectionFrom(status: string): ConnectionState {
    if (this.state.connection === 'refused' || this.state.connection === 'rejected') return this.state.connection;
    if (status === 'connected') return 'connected';
    if (!navigator.onLine) return 'offline';
    return this.everConnected || this.attemptFailed ? 'reconnecting' : 'connecting';
  }

  /**
   * A change made here: everything but what the provider applied from the server (or another
   * tab) and what was loaded from this device's copy (counted at start, see SaveTracker).
   */
  private readonly onDocUpdate = (_update: Uint8Array, origin: unknown): void => {
    if (origin === this.provider || (this.persistence !== null && origin === this.persistence)) return;
    const wasDirty = this.saves.dirty;
    this.saves.localChange();
    if (!wasDirty) setPendingChanges(this.link.boardId, this.link.token, true);
    this.update({});
    this.flushSoon(FLUSH_DEBOUNCE_MS);
  };

  private flushSoon(delayMs: number): void {
    if (this.flushTimer || this.destroyed) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      this.sendFlush();
    }, delayMs);
  }

  /**
   * Sends a flush if it would confirm something. Only on a synced connection: every change
   * made before now has then been sent on it (at once, or in the sync's step 2). Otherwise
   * the next sync calls this again.
   */
  private sendFlush(): void {
    const ws = this.provider.ws;
    if (!this.saves.needsFlush || !this.localLoaded || !this.provider.synced || !ws || ws.readyState !== ws.OPEN) return;
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, messageFlush);
    encoding.writeVarUint(encoder, this.saves.flushSent());
    // Straight to the server: broadcasting it to other tabs would only confuse them.
    ws.send(encoding.toUint8Array(encoder));
  }

  private onFlushAnswer(n: number): void {
    if (!this.saves.acked(n)) return;
    if (!this.saves.dirty) setPendingChanges(this.link.boardId, this.link.token, false);
    this.update({});
    if (this.saves.needsFlush) this.flushSoon(FLUSH_DEBOUNCE_MS);
  }

  private readonly onNetworkChange = () => {
    this.update({ connection: this.connectionFrom(this.provider.wsconnected ? 'connected' : 'disconnected') });
  };

  private async fetchAccess(base: { protocol: string; host: string }): Promise<void> {
    const url = `${base.protocol}//${base.host}/api/boards/${encodeURIComponent(this.link.boardId)}/access?token=${encodeURIComponent(this.link.token)}`;
    for (let attempt = 0; !this.destroyed; attempt++) {
      try {
        const res = await fetch(url, { headers: { accept: 'application/json' } });
        if (res.status === 401 || res.status === 404) {
          cacheAccess(this.link.boardId, this.link.token, null);
          this.provider.disconnect();
          this.update({ connection: 'refused' });
          return;
        }
        if (res.ok) {
          const body = (await res.json()) as { role?: unknown; municipalityId?: unknown };
          if (isRole(body.role)) {
            const access: Access = { role: body.role, municipalityId: typeof body.municipalityId === 'string' ? body.municipalityId : null };
            cacheAccess(this.link.boardId, this.link.token, access);
            this.update(access);
            this.publishUser();
            return;
          }
        }
      } catch {
        // offline: try again
      }
      await new Promise((r) => setTimeout(r, Math.min(1_000 * 2 ** attempt, 15_000)));
    }
  }

  /** Applies `patch`; `saved` always follows the save tracker and the connection. */
  private update(patch: Partial<Omit<SessionState, 'saved'>>): void {
    if (this.destroyed) return;
    const next: SessionState = { ...this.state, ...patch };
    const saved = this.saves.state(next.connection === 'connected');
    if (saved !== next.saved) Object.assign(next, { saved });
    if ((Object.keys(next) as (keyof SessionState)[]).every((k) => this.state[k] === next[k])) return;
    this.state = next;
    for (const l of [...this.listeners]) l();
  }
}
