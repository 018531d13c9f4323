/**
 * The framework-free sync core: rooms that load on demand and unload when empty,
 * the y-websocket protocol per connection, roles and schema checks on every update,
 * and "stored before relayed" durability. Needs only a socket-like object.
 */
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import type { Role } from '@tabla/plan-model';
import { Connection, type SocketLike, toUint8Array } from './connection.js';
import {
  CloseCode,
  closeCodeName,
  decodeMessage,
  encodeAwareness,
  encodeFlushAck,
  encodeSyncStep1,
  encodeSyncStep2,
  type IncomingMessage,
  decodeAwarenessUpdate,
  encodeAwarenessEntries,
} from './protocol.js';
import { Room } from './room.js';
import type { BoardStorage } from './storage/types.js';
import { type Access, accessForToken, hashToken, isValidBoardId } from './tokens.js';
import { UpdateWriter } from './update-writer.js';

export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const silentLogger: Logger = { info() {}, warn() {}, error() {} };

export interface SyncServerOptions {
  readonly storage: BoardStorage;
  readonly logger?: Logger;
  /** A client whose unsent data exceeds this is dropped (slow reader). */
  readonly maxBufferedBytes?: number;
  /** Ping every connection this often; one that missed the last pong is dropped. */
  readonly pingIntervalMs?: number;
  /** Compact a board's log into a snapshot past this many stored updates. */
  readonly compactAfterUpdates?: number;
  /** Keep an empty room loaded this long (a page reload should not reload the board). */
  readonly unloadDelayMs?: number;
  readonly maxAwarenessBytes?: number;
  /** Frames a client may send while its board loads. */
  readonly maxFramesBeforeLoad?: number;
  /** A board may not grow past this many stored bytes (snapshot + log). */
  readonly maxDocumentBytes?: number;
  /** Sustained messages per second per connection, and the burst allowed above it. */
  readonly maxMessagesPerSecond?: number;
  readonly messageBurst?: number;
  /** Open connections per client IP address. */
  readonly maxConnectionsPerIp?: number;
  /** Boards loaded in memory at once; a new one beyond is refused (4503) until others unload. */
  readonly maxLoadedRooms?: number;
  /** Observes each storage write (for a latency histogram). */
  readonly onStorageWrite?: (seconds: number, updates: number) => void;
}

const defaults = {
  logger: silentLogger,
  maxBufferedBytes: 8 * 1024 * 1024,
  pingIntervalMs: 30_000,
  compactAfterUpdates: 300,
  unloadDelayMs: 1_000,
  maxAwarenessBytes: 32 * 1024,
  maxFramesBeforeLoad: 64,
  maxDocumentBytes: 32 * 1024 * 1024,
  maxMessagesPerSecond: 100,
  messageBurst: 300,
  maxConnectionsPerIp: 200,
  maxLoadedRooms: 1_000,
  onStorageWrite: () => {},
} satisfies Omit<Required<SyncServerOptions>, 'storage'>;

/** The limits in force, for documentation and tests. */
export const defaultLimits = defaults;

export class UnknownBoardError extends Error {
  constructor(boardId: string) {
    super(`unknown board ${boardId}`);
    this.name = 'UnknownBoardError';
  }
}

export class RoomLimitError extends Error {
  constructor() {
    super('too many boards loaded');
    this.name = 'RoomLimitError';
  }
}

export interface SyncStats {
  connections: number;
  rooms: number;
  updatesStored: number;
  bytesStored: number;
  /** Update frames sent to other clients, and their bytes. */
  updatesRelayed: number;
  bytesRelayed: number;
  /** Refused connections by close-code name. */
  refused: Record<string, number>;
}

/** Who is connecting, as the transport saw it. */
export interface ConnectionInfo {
  readonly ip?: string;
  /** The device's client key (see Room owners); absent for stock clients. */
  readonly clientKey?: string | null;
}

export class SyncServer {
  private readonly options: Required<SyncServerOptions>;
  private readonly storage: BoardStorage;
  private readonly log: Logger;
  private readonly writer: UpdateWriter;
  private readonly rooms = new Map<string, Promise<Room>>();
  private readonly unloading = new Map<string, Promise<void>>();
  private readonly connections = new Set<Connection>();
  private readonly pingTimer: ReturnType<typeof setInterval>;
  private closing = false;
  private readonly connectionsPerIp = new Map<string, number>();
  private nextConnectionId = 1;
  readonly stats: SyncStats = { connections: 0, rooms: 0, updatesStored: 0, bytesStored: 0, updatesRelayed: 0, bytesRelayed: 0, refused: {} };

  constructor(options: SyncServerOptions) {
    this.options = { ...defaults, ...options };
    this.storage = options.storage;
    this.log = this.options.logger;
    this.writer = new UpdateWriter(this.storage, this.options.onStorageWrite);
    this.pingTimer = setInterval(() => this.pingAll(), this.options.pingIntervalMs);
    this.pingTimer.unref();
  }

  /**
   * What a token grants on a board (its role, and the municipality a coordinator link is
   * bound to), or null: unknown board, malformed id and bad token all look the same from outside.
   */
  async authorize(boardId: string, token: string | null | undefined): Promise<Access | null> {
    if (!isValidBoardId(boardId) || !token || token.length > 200) return null;
    return accessForToken(token, await this.storage.getTokens(boardId));
  }

  /**
   * Takes over a socket authorized with `access` (from `authorize`). Frames that arrive
   * while the board loads wait.
   */
  handleConnection(socket: SocketLike, boardId: string, access: Access, info: ConnectionInfo = {}): void {
    // Before any refusal: an 'error' on a socket nobody listens to would crash the process.
    socket.on('error', (err) => this.log.warn({ boardId, err: err.message }, 'socket error'));
    const ip = info.ip ?? 'unknown';
    const conn = new Connection({
      id: `c${this.nextConnectionId++}`,
      socket,
      boardId,
      role: access.role,
      municipalityId: access.municipalityId,
      ip,
      keyHash: info.clientKey ? hashToken(info.clientKey) : '',
      maxBufferedBytes: this.options.maxBufferedBytes,
      messagesPerSecond: this.options.maxMessagesPerSecond,
      messageBurst: this.options.messageBurst,
    });
    if (this.closing) {
      conn.close(CloseCode.goingAway, 'server shutting down');
      return;
    }
    const fromIp = this.connectionsPerIp.get(ip) ?? 0;
    if (fromIp >= this.options.maxConnectionsPerIp) return this.refuse(conn, CloseCode.tooManyRequests, 'too many connections from this address');
    this.connectionsPerIp.set(ip, fromIp + 1);
    this.connections.add(conn);
    this.stats.connections = this.connections.size;
    let room: Room | null = null;
    const waiting: Uint8Array[] = [];

    socket.on('message', (data, isBinary) => {
      if (conn.closed) return;
      if (!conn.takeMessage()) return this.refuse(conn, CloseCode.tooManyRequests, 'too many messages');
      const frame = isBinary ? toUint8Array(data) : null;
      if (!frame) return this.refuse(conn, CloseCode.unsupportedData, 'binary frames only');
      if (room) this.receive(room, conn, frame);
      else if (waiting.length < this.options.maxFramesBeforeLoad) waiting.push(frame);
      else this.refuse(conn, CloseCode.tooManyRequests, 'too many frames before sync');
    });
    socket.on('pong', () => {
      conn.alive = true;
    });
    socket.on('close', () => {
      conn.closed = true;
      if (!this.connections.delete(conn)) return;
      const left = (this.connectionsPerIp.get(ip) ?? 1) - 1;
      if (left > 0) this.connectionsPerIp.set(ip, left);
      else this.connectionsPerIp.delete(ip);
      this.stats.connections = this.connections.size;
      if (room) this.leave(room, conn);
    });

    this.room(boardId).then(
      (loaded) => {
        if (conn.closed) {
          // Left while the board loaded: nobody else may ever leave this room to unload it.
          if (loaded.connections.size === 0 && !this.closing) this.scheduleUnload(loaded);
          return;
        }
        room = loaded;
        this.join(loaded, conn);
        for (const frame of waiting.splice(0)) if (!conn.closed) this.receive(loaded, conn, frame);
      },
      (err: unknown) => {
        if (err instanceof UnknownBoardError) return conn.close(CloseCode.unauthorized, 'unauthorized');
        if (err instanceof RoomLimitError) return this.refuse(conn, CloseCode.unavailable, 'server busy: too many boards loaded');
        this.log.error({ boardId, err: String(err) }, 'board failed to load');
        conn.close(CloseCode.unavailable, 'board unavailable');
      },
    );
  }

  get loadedRoomCount(): number {
    return this.rooms.size;
  }

  /**
   * Closes the sessions of one link on a board (it was rotated or revoked) with 4401 and
   * returns how many. With `municipalityId`: the sessions of that municipality's link. Without:
   * the sessions of the role's general link only, i.e. those bound to no municipality, so
   * rotating the general editor link does not disconnect the municipalities' coordinators.
   */
  disconnect(boardId: string, role: Role, municipalityId?: string | null): number {
    const bound = municipalityId ?? null;
    let closed = 0;
    for (const conn of this.connections) {
      if (conn.boardId !== boardId || conn.role !== role || conn.municipalityId !== bound) continue;
      conn.close(CloseCode.unauthorized, 'link revoked');
      closed++;
    }
    return closed;
  }

  /** Graceful shutdown: close every connection, write what is pending, compact, free. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearInterval(this.pingTimer);
    for (const conn of this.connections) conn.close(CloseCode.goingAway, 'server shutting down');
    await this.writer.drain();
    const rooms = await Promise.allSettled(this.rooms.values());
    this.rooms.clear();
    for (const r of rooms) {
      if (r.status !== 'fulfilled') continue;
      if (r.value.unloadTimer) clearTimeout(r.value.unloadTimer);
      await this.compact(r.value);
      r.value.destroy();
    }
    await Promise.allSettled(this.unloading.values());
  }

  // -------------------------------------------------------------------------

  private room(boardId: string): Promise<Room> {
    let loading = this.rooms.get(boardId);
    if (!loading) {
      if (this.rooms.size >= this.options.maxLoadedRooms) return Promise.reject(new RoomLimitError());
      // Stored in the map before the first await: simultaneous first connections share one document.
      loading = this.loadRoom(boardId);
      this.rooms.set(boardId, loading);
      loading.catch(() => {
        if (this.rooms.get(boardId) === loading) this.rooms.delete(boardId);
      });
    }
    return loading;
  }

  private async loadRoom(boardId: string): Promise<Room> {
    await this.unloading.get(boardId);
    const state = await this.storage.loadState(boardId);
    if (!state) throw new UnknownBoardError(boardId);
    const room = new Room(boardId, state, {
      maxDocumentBytes: this.options.maxDocumentBytes,
      onRelay: (bytes, recipients) => {
        this.stats.updatesRelayed += recipients;
        this.stats.bytesRelayed += bytes * recipients;
      },
    });
    this.stats.rooms++;
    this.log.info({ boardId, storedUpdates: state.updates.length }, 'board loaded');
    return room;
  }

  private join(room: Room, conn: Connection): void {
    if (room.unloadTimer) clearTimeout(room.unloadTimer);
    room.unloadTimer = null;
    room.connections.add(conn);
    conn.send(encodeSyncStep1(Y.encodeStateVector(room.doc)));
    this.sendAllPresence(room, conn);
  }

  /** Everyone's presence to one connection. Never throws: a bad state costs that message, not the process. */
  private sendAllPresence(room: Room, conn: Connection, evenIfEmpty = false): void {
    const ids = [...room.awareness.getStates().keys()];
    if (ids.length === 0 && !evenIfEmpty) return;
    try {
      conn.send(encodeAwareness(awarenessProtocol.encodeAwarenessUpdate(room.awareness, ids)));
    } catch (err) {
      this.log.error({ boardId: room.boardId, err: String(err) }, 'presence could not be encoded');
    }
  }

  private leave(room: Room, conn: Connection): void {
    room.connections.delete(conn);
    if (conn.awarenessIds.size > 0) awarenessProtocol.removeAwarenessStates(room.awareness, [...conn.awarenessIds], null);
    room.releaseAwareness(conn);
    if (room.connections.size === 0 && !this.closing) this.scheduleUnload(room);
  }

  private scheduleUnload(room: Room): void {
    if (room.unloadTimer) clearTimeout(room.unloadTimer);
    room.unloadTimer = setTimeout(() => this.unload(room), this.options.unloadDelayMs);
  }

  private unload(room: Room): void {
    if (room.connections.size > 0 || this.closing) return;
    this.rooms.delete(room.boardId);
    const done = (async () => {
      await this.writer.drain();
      await this.compact(room);
      room.destroy();
      this.stats.rooms--;
      this.log.info({ boardId: room.boardId }, 'board unloaded');
    })()
      .catch((err: unknown) => this.log.error({ boardId: room.boardId, err: String(err) }, 'unload failed'))
      .finally(() => this.unloading.delete(room.boardId));
    this.unloading.set(room.boardId, done);
  }

  private receive(room: Room, conn: Connection, frame: Uint8Array): void {
    let message: IncomingMessage;
    try {
      message = decodeMessage(frame);
    } catch {
      return this.refuse(conn, CloseCode.badMessage, 'malformed message');
    }
    switch (message.kind) {
      case 'sync-step-1': {
        let diff: Uint8Array;
        try {
          diff = Y.encodeStateAsUpdate(room.doc, message.stateVector);
        } catch {
          return this.refuse(conn, CloseCode.badMessage, 'malformed state vector');
        }
        conn.send(encodeSyncStep2(diff));
        return;
      }
      case 'update':
        return this.receiveUpdate(room, conn, message.update);
      case 'awareness': {
        if (message.update.length > this.options.maxAwarenessBytes) {
          return this.refuse(conn, CloseCode.messageTooBig, 'awareness state too large');
        }
        const entries = decodeAwarenessUpdate(message.update);
        if (!entries) return this.refuse(conn, CloseCode.badMessage, 'malformed awareness');
        const { admitted, problem } = room.admitPresence(conn, entries);
        if (problem) return this.refuse(conn, CloseCode.presenceRefused, problem);
        if (admitted.length === 0) return;
        try {
          const update = admitted.length === entries.length ? message.update : encodeAwarenessEntries(admitted);
          awarenessProtocol.applyAwarenessUpdate(room.awareness, update, conn);
        } catch {
          this.refuse(conn, CloseCode.badMessage, 'malformed awareness');
        }
        return;
      }
      case 'query-awareness': // asked: always answered
        return this.sendAllPresence(room, conn, true);
      case 'flush': {
        // Frames are handled in arrival order, so every update sent before this flush is
        // already in the connection's chain. A failed write closes the connection: no answer.
        const { n } = message;
        void conn.whenStored().then((ok) => {
          if (ok) conn.send(encodeFlushAck(n));
        });
        return;
      }
    }
  }

  private receiveUpdate(room: Room, conn: Connection, update: Uint8Array): void {
    const verdict = room.inspect(update, conn);
    if (!verdict.ok) return this.refuse(conn, verdict.code, verdict.reason);
    if (verdict.noop) return this.receiveReplay(room, conn);
    room.inFlight.push(update);
    const stored = this.writer.append({ boardId: room.boardId, update, newOwners: verdict.newOwners }).then(
      (seq) => {
        this.stats.updatesStored++;
        this.stats.bytesStored += update.length;
        room.applyStored(update, seq, { source: 'remote', connection: conn });
        if (room.uncompacted >= this.options.compactAfterUpdates) void this.compact(room);
        return true;
      },
      (err: unknown) => {
        // Not stored, so never relayed: forget it and tell the sender, whose client
        // still has the change and sends it again when it reconnects.
        room.inFlight.splice(room.inFlight.indexOf(update), 1);
        room.forget(verdict.newOwners);
        this.log.error({ boardId: room.boardId, conn: conn.id, err: String(err) }, 'storage write failed');
        this.refuse(conn, CloseCode.storageFailed, 'storage write failed');
        return false;
      },
    );
    this.writes.set(update, stored);
    conn.trackWrite(stored);
  }

  /**
   * A no-op update (nothing new against the document plus the updates being written) may
   * repeat one of those in-flight updates, e.g. from a client that reconnected before its
   * last change was stored: a flush after it must wait for them too. If one of them fails,
   * what this connection sent may be lost, so it is closed like the writer's connection
   * (4500, "try again"), and its client sends it again.
   */
  private receiveReplay(room: Room, conn: Connection): void {
    const pending = room.inFlight.flatMap((u) => this.writes.get(u) ?? []);
    if (pending.length === 0) return;
    conn.trackWrite(
      Promise.all(pending).then((oks) => {
        if (oks.every(Boolean)) return true;
        this.refuse(conn, CloseCode.storageFailed, 'storage write failed');
        return false;
      }),
    );
  }

  private compacting = new WeakSet<Room>();
  /** The write of each accepted update still in a room's `inFlight`, by identity (see `receiveReplay`). */
  private readonly writes = new WeakMap<Uint8Array, Promise<boolean>>();

  private async compact(room: Room): Promise<void> {
    if (room.uncompacted === 0 || this.compacting.has(room)) return;
    this.compacting.add(room);
    const covered = room.uncompacted;
    const bytesBefore = room.storedBytes;
    try {
      const snapshot = Y.encodeStateAsUpdate(room.doc);
      await this.storage.compact(room.boardId, snapshot, room.lastAppliedSeq);
      room.uncompacted -= covered;
      room.compacted(snapshot.length, room.storedBytes - bytesBefore);
    } catch (err) {
      this.log.error({ boardId: room.boardId, err: String(err) }, 'compaction failed');
    } finally {
      this.compacting.delete(room);
    }
  }

  private refuse(conn: Connection, code: CloseCode, reason: string): void {
    const key = closeCodeName(code);
    this.stats.refused[key] = (this.stats.refused[key] ?? 0) + 1;
    this.log.warn(
      { boardId: conn.boardId, conn: conn.id, role: conn.role, municipalityId: conn.municipalityId, code, reason },
      'connection refused',
    );
    conn.close(code, reason);
  }

  private pingAll(): void {
    for (const conn of this.connections) {
      if (!conn.alive) {
        conn.closed = true;
        conn.socket.terminate();
        continue;
      }
      conn.alive = false;
      try {
        conn.socket.ping();
      } catch {
        conn.socket.terminate();
      }
    }
  }
}
