/**
 * One open board: the document replica (kept on this device in IndexedDB), its WebSocket
 * provider and presence, the connection state the header always shows, and whether this
 * person's changes have reached the server. Not React: the UI subscribes.
 */
import * as decoding from 'lib0/decoding';
import { IndexeddbPersistence } from 'y-indexeddb';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { type Access, createUndoManager, isRole, type Role } from '@tabla/plan-model';
import { CloseCode, LINK_REVOKED_REASON, type DraggingPresence, encodeFlush, messageFlush, messageSync, type PresenceUser, type ProjectorPresence, syncStep1 } from '@tabla/sync-protocol';
import { deviceKey } from './device-key.js';
import { type HeldBackWork, loadHeldBack, newHeldBack, storeHeldBack, summarize } from './held-back.js';
import type { Identity } from './identity.js';
import type { BoardLink } from './link.js';
import { cachedAccess, cacheAccess, localCopyName, pendingChangeCount, setPendingChanges } from './offline-store.js';
import { type SavedState, SaveTracker } from './save-tracker.js';

export type { SavedState } from './save-tracker.js';

/**
 * `refused`: the link is not (or no longer) valid. `rejected`: the server refused a change; the
 * work it was in is kept aside and a new session (`reopen`) continues from the server's state.
 * `stopped`: a close that reconnecting cannot fix (see `stopped`); retried only when asked.
 */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline' | 'refused' | 'rejected' | 'stopped';

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
  /**
   * How many changes made here (each one operation: a drop, a saved dialog, an undo) wait for the
   * server to confirm them; those of an earlier visit too. 0 when `saved` is 'saved'.
   */
  readonly pending: number;
  /**
   * Why the link does not work (`refused`): 'revoked' when the server closed this board's
   * connection because the facilitator withdrew or replaced the link; 'unknown' otherwise (the
   * server says no more for a link it does not know: tokens are stored hashed).
   */
  readonly refusal: 'revoked' | 'unknown' | null;
  /** Work the server refused, kept aside on this device until the person dismisses it (oldest first). */
  readonly heldBack: readonly HeldBackWork[];
  /** Why the board stopped connecting (`stopped`): the server's close code and reason. */
  readonly stopped: { readonly code: number; readonly reason: string } | null;
}

/** Presence, as it travels in awareness (never in the document): the wire's own types. */
export type { DraggingPresence, PresenceUser, ProjectorPresence } from '@tabla/sync-protocol';
export { isProjectorPresence } from '@tabla/sync-protocol';

/**
 * Forbidden, too large, invalid: resending the same change would only be refused again. The
 * work is kept aside and the board starts again from the server's state.
 */
const REJECTED = new Set<number>([CloseCode.forbidden, CloseCode.documentTooLarge, CloseCode.invalidUpdate]);
/**
 * What the server could not read (too big a frame: a long offline session's sync, or a bad
 * message): a reconnect would send the same frames again. Shown, and retried only when asked.
 */
const STOPPING = new Set<number>([CloseCode.messageTooBig, CloseCode.unsupportedData, CloseCode.badMessage]);
/**
 * Every other close is transient and retried with backoff: 4429 (too many requests), 45xx (the
 * server's trouble), 4409 (presence: nothing of the document at stake), a dropped network. The
 * stock client's default would give up on every 44xx, 4429 included.
 */
const shouldReconnect = (event: CloseEvent): boolean =>
  event.code !== CloseCode.unauthorized && !REJECTED.has(event.code) && !STOPPING.has(event.code);
/** How long a reopen waits for this device's copy to be deleted (another tab may hold it open). */
const CLEAR_WAIT_MS = 3_000;

/** Changes come in bursts (a drag is several transactions): one flush after the burst. */
const FLUSH_DEBOUNCE_MS = 100;

export interface SessionOptions {
  /** Tests: a WebSocket stand-in. */
  readonly WebSocketPolyfill?: typeof WebSocket;
  /** Keep the board on this device (IndexedDB). Default: where IndexedDB exists. */
  readonly persist?: boolean;
  /** Work kept aside by the session this one replaces (`reopen`), in case storage could not keep it. */
  readonly heldBack?: readonly HeldBackWork[];
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
  /** Who this person said they are (presence follows it and what the link grants), or a projector. */
  private announced: { identity: Identity; color: string } | 'projector' | null = null;
  private readonly listeners = new Set<() => void>();
  /**
   * What the server is known to have (client id -> clock): its state vector from its sync step 1
   * and what it sent since. A lower bound: what this device sent and the server stored is not
   * in it, so work kept aside against it may hold more than was refused, never less.
   */
  private readonly serverState = new Map<number, number>();
  /** This device's copy being deleted after a refusal (a reopen waits for it). */
  private cleared: Promise<void> | null = null;

  constructor(
    readonly link: BoardLink,
    private readonly base: { protocol: string; host: string } = window.location,
    private readonly options: SessionOptions = {},
  ) {
    const persist = options.persist ?? typeof indexedDB !== 'undefined';
    // Changes from an earlier visit that were never confirmed stored (kept in IndexedDB) still count.
    this.saves = new SaveTracker(persist ? pendingChangeCount(link.boardId, link.token) : 0);
    const access = cachedAccess(link.boardId, link.token);
    this.state = {
      connection: 'connecting',
      synced: false,
      localReady: false,
      role: access?.role ?? null,
      municipalityId: access?.municipalityId ?? null,
      saved: this.saves.state(false),
      pending: this.saves.pending,
      refusal: null,
      heldBack: mergeHeldBack(loadHeldBack(link.boardId, link.token), options.heldBack ?? []),
      stopped: null,
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
      shouldReconnect,
      ...(options.WebSocketPolyfill ? { WebSocketPolyfill: options.WebSocketPolyfill } : {}),
    });
    const handleSync = this.provider.messageHandlers[messageSync]!;
    this.provider.messageHandlers[messageSync] = (encoder, decoder, provider, fromServer, messageType) => {
      if (fromServer) this.noteServerStateVector(decoder);
      handleSync(encoder, decoder, provider, fromServer, messageType);
    };
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
      this.summarizeHeldBack();
    });
    this.provider.on('connection-close', () => {
      this.saves.connectionLost();
      if (!this.provider.wsconnected) {
        this.attemptFailed = true;
        this.update({ connection: this.connectionFrom('disconnected') });
      }
    });
    // A close `shouldReconnect` called final (the provider no longer reconnects by itself).
    this.provider.on('closed', ({ code, reason }: { code: number; reason: string }) => {
      if (code === CloseCode.unauthorized) this.update({ connection: 'refused', refusal: reason === LINK_REVOKED_REASON ? 'revoked' : 'unknown' });
      else if (REJECTED.has(code)) this.setAside(code, reason);
      else this.update({ connection: 'stopped', stopped: { code, reason } });
    });
    // Registered after the provider's own listener, which sends each change at once when connected.
    this.doc.on('update', this.onDocUpdate);
    window.addEventListener('online', this.onOnline);
    window.addEventListener('offline', this.onOffline);
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

  /** This screen is the room's projector (the read-only link): in presence, a projector, not a person. */
  announceProjector(): void {
    this.announced = 'projector';
    this.publishUser();
  }

  /** Nobody yet (a projector switched back to a person's view, before they say who they are). */
  withdraw(): void {
    this.announced = null;
    const { user: _user, ...rest } = (this.awareness.getLocalState() ?? {}) as Record<string, unknown>;
    if (_user !== undefined) this.awareness.setLocalState(rest);
  }

  /**
   * Presence from what the link grants: a bound link speaks for its municipality whatever was
   * chosen; until the server has said what the link grants, for none (a municipality picked on
   * this device may not be the link's, and the server would refuse that presence).
   */
  private publishUser(): void {
    if (!this.announced) return;
    if (this.announced === 'projector') {
      const projector: ProjectorPresence = { projector: true, role: this.state.role };
      this.awareness.setLocalStateField('user', projector);
      return;
    }
    const { identity, color } = this.announced;
    const known = this.state.role !== null;
    const municipalityId = this.state.municipalityId ?? (known ? identity.municipalityId : null);
    const user: PresenceUser = { name: identity.name, municipalityId, color, role: this.state.role };
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
    if (this.destroyed) return;
    this.destroyed = true;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    window.removeEventListener('online', this.onOnline);
    window.removeEventListener('offline', this.onOffline);
    this.doc.off('update', this.onDocUpdate);
    this.undoManager.destroy();
    this.provider.destroy();
    this.doc.destroy(); // and with it the IndexedDB persistence
    this.listeners.clear();
  }

  /** After a close that reconnecting could not fix (`stopped`): try once more, as the person asked. */
  retry(): void {
    if (this.state.connection !== 'stopped' || this.destroyed) return;
    this.attemptFailed = false;
    this.state = { ...this.state, connection: 'connecting' }; // no longer sticky (see connectionFrom)
    this.update({ connection: this.connectionFrom('connecting'), stopped: null });
    this.provider.connect();
  }

  /**
   * After a close that reconnecting cannot fix (`stopped`, e.g. this device's offline changes
   * too big to send): keep this device's work aside, as for a refusal, and start again from
   * the server's state.
   */
  setAsideLocalWork(): void {
    const { stopped } = this.state;
    if (this.state.connection === 'stopped' && stopped) this.setAside(stopped.code, stopped.reason);
  }

  /** The person has what they need from work kept aside: forget it on this device. */
  dismissHeldBack(id: string): void {
    const heldBack = this.state.heldBack.filter((w) => w.id !== id);
    storeHeldBack(this.link.boardId, this.link.token, heldBack);
    this.update({ heldBack });
  }

  /**
   * After a refusal (`rejected`): this session ends, and a new one on the same link starts from
   * the server's state (this device's copy is gone), with the work kept aside.
   */
  async reopen(): Promise<BoardSession> {
    if (this.cleared) await Promise.race([this.cleared, new Promise((r) => setTimeout(r, CLEAR_WAIT_MS))]);
    const { heldBack } = this.state;
    this.destroy();
    return new BoardSession(this.link, this.base, { ...this.options, heldBack });
  }

  /**
   * The server refused work of this device (or could not take it): the part of this device's
   * copy the server does not have is kept aside, then the copy and its pending mark are dropped,
   * or every reconnect and reload would send the same work and be refused again. What it would
   * have changed is read once the server's state is here (`summarizeHeldBack`, after `reopen`).
   */
  private setAside(code: number, reason: string): void {
    if (this.cleared || this.destroyed) return;
    this.provider.disconnect(); // nothing more goes out from this copy
    const work = newHeldBack(code, reason, Y.encodeStateAsUpdate(this.doc, Y.encodeStateVector(this.serverState)));
    const heldBack = [...this.state.heldBack, work];
    // Not stored (no storage, or full): it still travels to the next session, in memory.
    storeHeldBack(this.link.boardId, this.link.token, heldBack);
    setPendingChanges(this.link.boardId, this.link.token, false);
    this.cleared = this.persistence ? this.persistence.clearData().catch(() => {}) : Promise.resolve();
    this.update({ connection: 'rejected', heldBack });
  }

  /** Work kept aside and not yet compared with the server's state: compared now (just synced). */
  private summarizeHeldBack(): void {
    if (!this.state.heldBack.some((w) => w.summary === null)) return;
    const heldBack = this.state.heldBack.map((w) => {
      if (w.summary !== null) return w;
      try {
        return summarize(this.doc, w);
      } catch {
        return w; // an update that does not apply: kept as it is, for the download
      }
    });
    storeHeldBack(this.link.boardId, this.link.token, heldBack);
    this.update({ heldBack });
  }

  /** The server's sync step 1 carries its state vector: peeked, then handled as usual. */
  private noteServerStateVector(decoder: decoding.Decoder): void {
    try {
      const peek = decoding.clone(decoder);
      if (decoding.readVarUint(peek) !== syncStep1) return;
      this.mergeServerState(Y.decodeStateVector(decoding.readVarUint8Array(peek)));
    } catch {
      // malformed: y-protocols will say so
    }
  }

  private mergeServerState(sv: Map<number, number>): void {
    for (const [client, clock] of sv) if (clock > (this.serverState.get(client) ?? 0)) this.serverState.set(client, clock);
  }

  private connectionFrom(status: string): ConnectionState {
    const { connection } = this.state;
    if (connection === 'refused' || connection === 'rejected' || connection === 'stopped') return connection;
    if (status === 'connected') return 'connected';
    if (!navigator.onLine) return 'offline';
    return this.everConnected || this.attemptFailed ? 'reconnecting' : 'connecting';
  }

  /**
   * A change made here: everything but what the provider applied from the server (or another
   * tab) and what was loaded from this device's copy (counted at start, see SaveTracker).
   */
  private readonly onDocUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin === this.provider) {
      // Sent by the server: it has all of it (it relays only what it stored).
      this.mergeServerState(Y.decodeStateVector(Y.encodeStateVectorFromUpdate(update)));
      return;
    }
    if (this.persistence !== null && origin === this.persistence) return;
    this.saves.localChange();
    // Counted on this device too, so that a reload while offline still says how many wait.
    setPendingChanges(this.link.boardId, this.link.token, this.saves.pending);
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
    // Straight to the server: broadcasting it to other tabs would only confuse them.
    ws.send(encodeFlush(this.saves.flushSent()));
  }

  private onFlushAnswer(n: number): void {
    if (!this.saves.acked(n)) return;
    setPendingChanges(this.link.boardId, this.link.token, this.saves.pending);
    this.update({});
    if (this.saves.needsFlush) this.flushSoon(FLUSH_DEBOUNCE_MS);
  }

  /**
   * The browser knows the network is gone (the Wi-Fi dropped): said at once, and the socket is
   * closed rather than left to its own timeout (y-websocket notices a silent socket only after
   * 30 s). Nothing is lost: changes wait here, and the next sync sends them.
   */
  private readonly onOffline = () => {
    if (!this.sticky()) this.provider.disconnect();
    this.update({ connection: this.connectionFrom('disconnected') });
  };

  /** The network is back: connect now, not at the end of the backoff. */
  private readonly onOnline = () => {
    if (!this.sticky()) this.provider.connect();
    this.update({ connection: this.connectionFrom(this.provider.wsconnected ? 'connected' : 'disconnected') });
  };

  /** A state only the person (or a new session) ends: network events leave the connection alone. */
  private sticky(): boolean {
    const { connection } = this.state;
    return connection === 'refused' || connection === 'rejected' || connection === 'stopped' || this.destroyed;
  }

  private async fetchAccess(base: { protocol: string; host: string }): Promise<void> {
    const url = `${base.protocol}//${base.host}/api/boards/${encodeURIComponent(this.link.boardId)}/access?token=${encodeURIComponent(this.link.token)}`;
    for (let attempt = 0; !this.destroyed; attempt++) {
      try {
        const res = await fetch(url, { headers: { accept: 'application/json' } });
        if (res.status === 401 || res.status === 404) {
          cacheAccess(this.link.boardId, this.link.token, null);
          this.provider.disconnect();
          this.update({ connection: 'refused', refusal: this.state.refusal ?? 'unknown' });
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

  /** Applies `patch`; `saved` and `pending` always follow the save tracker and the connection. */
  private update(patch: Partial<Omit<SessionState, 'saved' | 'pending'>>): void {
    if (this.destroyed) return;
    const next: SessionState = { ...this.state, ...patch };
    const saved = this.saves.state(next.connection === 'connected');
    if (saved !== next.saved) Object.assign(next, { saved });
    if (this.saves.pending !== next.pending) Object.assign(next, { pending: this.saves.pending });
    if ((Object.keys(next) as (keyof SessionState)[]).every((k) => this.state[k] === next[k])) return;
    this.state = next;
    for (const l of [...this.listeners]) l();
  }
}

/** Work kept aside, from storage and from the session before, once each (by id), oldest first. */
function mergeHeldBack(stored: readonly HeldBackWork[], carried: readonly HeldBackWork[]): readonly HeldBackWork[] {
  const byId = new Map(stored.map((w) => [w.id, w]));
  for (const w of carried) if (!byId.has(w.id)) byId.set(w.id, w);
  return [...byId.values()].sort((a, b) => a.at - b.at);
}
