/**
 * One open board: the document replica, its WebSocket provider and presence, and
 * the connection state the header always shows. Not React: the UI subscribes.
 */
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { createUndoManager, isRole, type Role } from '@tabla/plan-model';
import { deviceKey } from './device-key.js';
import type { Identity } from './identity.js';
import type { BoardLink } from './link.js';

/** `refused`: the link is not (or no longer) valid. `rejected`: the server refused a change. */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline' | 'refused' | 'rejected';

export interface SessionState {
  readonly connection: ConnectionState;
  /** The first full sync with the server has happened. */
  readonly synced: boolean;
  readonly role: Role | null;
}

/** Presence, as it travels in awareness (never in the document). */
export interface PresenceUser {
  readonly name: string;
  readonly municipalityId: string | null;
  readonly color: string;
  readonly role: Role | null;
}

const UNAUTHORIZED = 4401;
/** Forbidden, too large, invalid: resending the same change would only be refused again. */
const REJECTED = new Set([4403, 4413, 4422]);

export class BoardSession {
  readonly doc = new Y.Doc();
  readonly provider: WebsocketProvider;
  /** Undo and redo of this person's own changes. */
  readonly undoManager = createUndoManager(this.doc);
  private state: SessionState = { connection: 'connecting', synced: false, role: null };
  private everConnected = false;
  private destroyed = false;
  private readonly listeners = new Set<() => void>();

  constructor(
    readonly link: BoardLink,
    base: { protocol: string; host: string } = window.location,
  ) {
    const wsBase = `${base.protocol === 'https:' ? 'wss' : 'ws'}://${base.host}/sync`;
    this.provider = new WebsocketProvider(wsBase, link.boardId, this.doc, {
      params: { token: link.token, key: deviceKey() },
      maxBackoffTime: 5_000,
    });
    this.provider.on('status', ({ status }: { status: string }) => {
      if (status === 'connected') this.everConnected = true;
      this.update({ connection: this.connectionFrom(status) });
    });
    this.provider.on('sync', (synced: boolean) => {
      if (synced) this.update({ synced: true });
    });
    this.provider.on('connection-close', (event: CloseEvent | null) => {
      const code = event?.code ?? 0;
      if (code === UNAUTHORIZED || REJECTED.has(code)) {
        this.provider.disconnect(); // retrying would only be refused again
        this.update({ connection: code === UNAUTHORIZED ? 'refused' : 'rejected' });
      }
    });
    window.addEventListener('online', this.onNetworkChange);
    window.addEventListener('offline', this.onNetworkChange);
    void this.fetchRole(base);
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
    const user: PresenceUser = { ...identity, color, role: this.state.role };
    this.awareness.setLocalStateField('user', user);
  }

  destroy(): void {
    this.destroyed = true;
    window.removeEventListener('online', this.onNetworkChange);
    window.removeEventListener('offline', this.onNetworkChange);
    this.undoManager.destroy();
    this.provider.destroy();
    this.doc.destroy();
    this.listeners.clear();
  }

  private connectionFrom(status: string): ConnectionState {
    if (this.state.connection === 'refused' || this.state.connection === 'rejected') return this.state.connection;
    if (status === 'connected') return 'connected';
    if (!navigator.onLine) return 'offline';
    return this.everConnected ? 'reconnecting' : 'connecting';
  }

  private readonly onNetworkChange = () => {
    this.update({ connection: this.connectionFrom(this.provider.wsconnected ? 'connected' : 'disconnected') });
  };

  private async fetchRole(base: { protocol: string; host: string }): Promise<void> {
    const url = `${base.protocol}//${base.host}/api/boards/${encodeURIComponent(this.link.boardId)}/access?token=${encodeURIComponent(this.link.token)}`;
    for (let attempt = 0; !this.destroyed; attempt++) {
      try {
        const res = await fetch(url, { headers: { accept: 'application/json' } });
        if (res.status === 401 || res.status === 404) {
          this.provider.disconnect();
          this.update({ connection: 'refused' });
          return;
        }
        if (res.ok) {
          const body = (await res.json()) as { role?: unknown };
          if (isRole(body.role)) {
            this.update({ role: body.role });
            const user = this.awareness.getLocalState()?.user as PresenceUser | undefined;
            if (user) this.awareness.setLocalStateField('user', { ...user, role: body.role });
            return;
          }
        }
      } catch {
        // offline: try again
      }
      await new Promise((r) => setTimeout(r, Math.min(1_000 * 2 ** attempt, 15_000)));
    }
  }

  private update(patch: Partial<SessionState>): void {
    if (this.destroyed) return;
    const next = { ...this.state, ...patch };
    if (Object.entries(patch).every(([k, v]) => this.state[k as keyof SessionState] === v)) return;
    this.state = next;
    for (const l of [...this.listeners]) l();
  }
}
