/**
 * The framework-free sync core's registry: who may connect (tokens, addresses, backoff), rooms
 * that load on demand and unload when empty, and the connections handed to them. A room owns its
 * write path (room.ts); the gates judge (gate/); this file only routes. Needs a socket-like object.
 *
 * With a fan-out pipe (`fanout`, e.g. RedisFanout) several instances share boards: a room follows
 * its board's stream from before its state is read, what the pipe delivers goes to the room, and
 * every `catchUpIntervalMs` one query asks storage for the last seq of every loaded board, so a
 * room that missed an update (an instance killed between its commit and its publish, a pipe that
 * is down or trimmed) reads it from storage within seconds.
 */
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import * as Y from 'yjs';
import { type Role, roots } from '@tabla/plan-model';
import { CloseCode, closeCodeName, LINK_REVOKED_REASON, decodeMessage, type IncomingMessage } from '@tabla/sync-protocol';
import { BucketTable, RefusalBackoff, RefusalLog, TokenBucket } from './budget.js';
import { ColdAnswer, isColdSyncStep1 } from './cold-answer.js';
import { Connection, type SocketLike, TOO_MANY_ANSWERS, toUint8Array } from './connection.js';
import type { Fanout, FanoutEntry, PresenceMessage } from './fanout/types.js';
import { NoFanout } from './fanout/none.js';
import { Room, type RoomLimits, type SharedRoomContext } from './room.js';
import { applyStoredState } from './storage/document.js';
import type { BoardStorage } from './storage/types.js';
import { type Access, accessForToken, hashToken, isValidBoardId } from './tokens.js';
import { UpdateWriter } from './update-writer.js';

export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const silentLogger: Logger = { info() {}, warn() {}, error() {} };

export interface SyncServerOptions extends Partial<RoomLimits> {
  readonly storage: BoardStorage;
  readonly logger?: Logger;
  /** A client whose unsent data exceeds this is dropped (slow reader). */
  readonly maxBufferedBytes?: number;
  /** Ping every connection this often; one that missed the last pong is dropped. */
  readonly pingIntervalMs?: number;
  /** Keep an empty room loaded this long (a page reload should not reload the board). */
  readonly unloadDelayMs?: number;
  /** One awareness (presence) message. */
  readonly maxAwarenessBytes?: number;
  /** Frames a client may send while its board loads. */
  readonly maxFramesBeforeLoad?: number;
  /** Sustained messages per second per connection, and the burst allowed above it. */
  readonly maxMessagesPerSecond?: number;
  readonly messageBurst?: number;
  /** Presence changes per second per connection, and the burst above it. */
  readonly maxPresencePerSecond?: number;
  readonly presenceBurst?: number;
  /** Work (bytes read, answered or walked) per second per connection, and the burst above it. */
  readonly maxWorkPerSecond?: number;
  readonly workBurst?: number;
  /** The same, shared by every connection of one address. */
  readonly maxAddressWorkPerSecond?: number;
  readonly addressWorkBurst?: number;
  /** Open connections per client IP address. */
  readonly maxConnectionsPerIp?: number;
  /** Boards loaded in memory at once; a new one beyond is refused (4503) until others unload. */
  readonly maxLoadedRooms?: number;
  /** Refusals of one device key free of backoff within `refusalWindowMs`. */
  readonly freeRefusals?: number;
  /** The same for one address (a room behind one NAT shares it, so it is higher). */
  readonly freeRefusalsPerAddress?: number;
  readonly refusalWindowMs?: number;
  /** Observes each storage write (for a latency histogram). */
  readonly onStorageWrite?: (seconds: number, updates: number) => void;
  /**
   * Called once when a board loads and after its document applied each stored update (in order),
   * with the room's live document: read it, never write to it. For watchers such as automatic versions.
   */
  readonly onDocumentChanged?: (boardId: string, doc: Y.Doc) => void;
  /**
   * The pipe to the other instances sharing these boards (RedisFanout), or none (one instance).
   * Needs a storage with per-board seqs (`seqsPerBoard`: PostgreSQL). The caller closes it after `close()`.
   */
  readonly fanout?: Fanout;
  /** With a fan-out: how often storage is asked for the last seq of every loaded board. */
  readonly catchUpIntervalMs?: number;
  /** With a fan-out: how long a gap in a board's seqs may stay open before the room reads storage. */
  readonly gapGraceMs?: number;
}

const MiB = 1024 * 1024;

const defaults = {
  logger: silentLogger,
  maxBufferedBytes: 8 * MiB,
  pingIntervalMs: 30_000,
  compactAfterUpdates: 300,
  unloadDelayMs: 1_000,
  maxAwarenessBytes: 8 * 1024,
  maxFramesBeforeLoad: 64,
  // A plan of 2,000 full activities is 1.9 MiB and 40,000 structs (measured, see README): three times that.
  maxDocumentBytes: 6 * MiB,
  maxDocumentStructs: 120_000,
  // One update: applying 20,000 items takes ~60 ms here (a whole 2,000-activity plan is 40,000).
  maxStructs: 20_000,
  maxDeleteRanges: 100_000,
  // Client ids an update may carry at all (most already known: a replica's whole history); new ones are bounded below.
  maxClients: 10_000,
  maxKeysPerEntry: 256,
  maxNewClientsPerUpdate: 8,
  maxClientsPerKey: 256,
  maxClientsPerBoard: 10_000,
  maxPresenceStateBytes: 2 * 1024,
  maxPresenceIdsPerKey: 256,
  maxPresenceBindings: 20_000,
  presenceIntervalMs: 100,
  presenceSkipBytes: 256 * 1024,
  maxMessagesPerSecond: 100,
  messageBurst: 300,
  maxPresencePerSecond: 20,
  presenceBurst: 60,
  // A cold client's first sync of the largest board (its answer plus its own sync step 2) fits the
  // burst; a room of 30 devices reconnecting to a 2 MB plan at once fits the address's.
  maxWorkPerSecond: 1 * MiB,
  workBurst: 16 * MiB,
  maxAddressWorkPerSecond: 4 * MiB,
  addressWorkBurst: 64 * MiB,
  maxConnectionsPerIp: 200,
  maxLoadedRooms: 1_000,
  freeRefusals: 3,
  freeRefusalsPerAddress: 30,
  refusalWindowMs: 60_000,
  onStorageWrite: () => {},
  onDocumentChanged: () => {},
  catchUpIntervalMs: 2_000,
  gapGraceMs: 50,
} satisfies Omit<Required<SyncServerOptions>, 'storage' | 'fanout'>;

/** The limits in force, for documentation and tests. */
export const defaultLimits = defaults;

/** Every numeric limit of the core: what an operator may set (apps/server maps one environment variable to each). */
export type SyncLimits = { readonly [K in keyof typeof defaults as (typeof defaults)[K] extends number ? K : never]: number };

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
  /** With a fan-out: updates other instances stored, applied here; reads of storage to catch up; writes that met another instance's. */
  remoteApplied: number;
  catchUps: number;
  seqConflicts: number;
}

/** Who is connecting, as the transport saw it. */
export interface ConnectionInfo {
  readonly ip?: string;
  /** The device's client key (see Room owners); absent for stock clients. */
  readonly clientKey?: string | null;
}

/**
 * Refusals that count towards backoff: the client sent something the board would not take (each
 * may cost a shadow rebuild). Not 4429 itself: an honest client retrying would only wait longer.
 */
const BACKOFF_CODES = new Set<number>([CloseCode.badMessage, CloseCode.forbidden, CloseCode.documentTooLarge, CloseCode.invalidUpdate]);

/** Frames of one connection held for the next turn at most (see `deliver`); an honest client has a few. */
const MAX_HELD_BYTES = 4 * 1024 * 1024;

/** How long a board's load waits at most for the answers given from its stored state to be written. */
const COLD_ANSWER_SEND_MS = 20;

/** A connection whose board is still loading: the frames it sent meanwhile, and what it was answered. */
interface Arrival {
  readonly conn: Connection;
  readonly frames: Uint8Array[];
  /** Whether it was given the stored state while the board loaded (cold-answer.ts). */
  answered: boolean;
}

export class SyncServer {
  private readonly options: Omit<Required<SyncServerOptions>, keyof RoomLimits | 'fanout'> & RoomLimits;
  private readonly fanout: Fanout;
  /** Loaded rooms, by board (the map above holds them while they load). */
  private readonly ready = new Map<string, Room>();
  /** Entries heard for boards whose state is being read: given to the room once it is loaded. */
  private readonly early = new Map<string, FanoutEntry[]>();
  private readonly catchUpTimer: ReturnType<typeof setInterval> | null = null;
  private checkingSeqs = false;
  private readonly storage: BoardStorage;
  private readonly log: Logger;
  private readonly writer: UpdateWriter;
  private readonly rooms = new Map<string, Promise<Room>>();
  /** Connections whose board is still loading, per board. */
  private readonly arrivals = new Map<string, Set<Arrival>>();
  /** The answer for fresh clients of a board whose state is read and whose document is being built. */
  private readonly coldAnswers = new Map<string, ColdAnswer>();
  /** Frames of connections answered with the board in this turn of the event loop, read in the next (see `deliver`). */
  private readonly held = new Map<Connection, { frames: Uint8Array[]; bytes: number }>();
  private readonly unloadTimers = new Map<Room, ReturnType<typeof setTimeout>>();
  private readonly unloading = new Map<string, Promise<void>>();
  private readonly connections = new Set<Connection>();
  private readonly pingTimer: ReturnType<typeof setInterval>;
  private closing = false;
  private readonly connectionsPerIp = new Map<string, number>();
  private readonly addressWork: BucketTable;
  private readonly keyBackoff: RefusalBackoff;
  private readonly addressBackoff: RefusalBackoff;
  private readonly refusalLog: RefusalLog;
  private nextConnectionId = 1;
  readonly stats: SyncStats = {
    connections: 0,
    rooms: 0,
    updatesStored: 0,
    bytesStored: 0,
    updatesRelayed: 0,
    bytesRelayed: 0,
    refused: {},
    remoteApplied: 0,
    catchUps: 0,
    seqConflicts: 0,
  };

  constructor(options: SyncServerOptions) {
    const { fanout, ...rest } = options;
    this.options = { ...defaults, ...rest };
    this.storage = options.storage;
    this.fanout = fanout ?? new NoFanout();
    if (this.fanout.enabled) {
      // A gap in a board's seqs means "read storage" only when each board counts its own.
      if (!this.storage.seqsPerBoard) throw new Error('sharing boards between instances needs a storage with per-board seqs (PostgreSQL)');
      this.fanout.start({
        onUpdate: (boardId, entry) => this.heard(boardId, entry),
        onPresence: (boardId, message) => this.heardPresence(boardId, message),
        onCatchUp: (boardIds) => {
          for (const [id, room] of this.ready) if (boardIds === null || boardIds.includes(id)) room.catchUp();
        },
      });
      this.catchUpTimer = setInterval(() => void this.checkSeqs(), this.options.catchUpIntervalMs);
      this.catchUpTimer.unref();
    }
    this.log = this.options.logger;
    this.writer = new UpdateWriter(this.storage, this.options.onStorageWrite);
    const o = this.options;
    this.addressWork = new BucketTable(() => new TokenBucket(o.maxAddressWorkPerSecond, o.addressWorkBurst));
    const backoff = { windowMs: o.refusalWindowMs, firstWaitMs: 1_000, maxWaitMs: 60_000 };
    this.keyBackoff = new RefusalBackoff({ ...backoff, freeRefusals: o.freeRefusals });
    this.addressBackoff = new RefusalBackoff({ ...backoff, freeRefusals: o.freeRefusalsPerAddress });
    this.refusalLog = new RefusalLog((repeated) => this.log.warn({ repeated }, 'connections refused (counts beyond the first of each reason)'));
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
    const o = this.options;
    const keyHash = info.clientKey ? hashToken(info.clientKey) : '';
    const conn = new Connection({
      id: `c${this.nextConnectionId++}`,
      socket,
      boardId,
      role: access.role,
      municipalityId: access.municipalityId,
      ip,
      keyHash,
      maxBufferedBytes: o.maxBufferedBytes,
      budgets: {
        messages: new TokenBucket(o.maxMessagesPerSecond, o.messageBurst),
        presence: new TokenBucket(o.maxPresencePerSecond, o.presenceBurst),
        work: new TokenBucket(o.maxWorkPerSecond, o.workBurst),
        addressWork: this.addressWork.get(ip),
      },
    });
    if (this.closing) return conn.close(CloseCode.goingAway, 'server shutting down');
    const wait = Math.max(this.addressBackoff.waitFor(ip), keyHash ? this.keyBackoff.waitFor(keyHash) : 0);
    if (wait > 0) return this.refuse(conn, CloseCode.tooManyRequests, `refused too often: retry in ${Math.ceil(wait / 1000)} s`);
    const fromIp = this.connectionsPerIp.get(ip) ?? 0;
    if (fromIp >= o.maxConnectionsPerIp) return this.refuse(conn, CloseCode.tooManyRequests, 'too many connections from this address');
    this.connectionsPerIp.set(ip, fromIp + 1);
    this.connections.add(conn);
    this.stats.connections = this.connections.size;
    let room: Room | null = null;
    const arrival: Arrival = { conn, frames: [], answered: false };
    this.arrivalsAt(boardId).add(arrival);
    const forgetArrival = () => {
      const arrivals = this.arrivals.get(boardId);
      arrivals?.delete(arrival);
      if (arrivals?.size === 0) this.arrivals.delete(boardId);
    };

    socket.on('message', (data, isBinary) => {
      if (conn.closed) return;
      if (!conn.takeMessage()) return this.refuse(conn, CloseCode.tooManyRequests, 'too many messages');
      const frame = isBinary ? toUint8Array(data) : null;
      if (!frame) return this.refuse(conn, CloseCode.unsupportedData, 'binary frames only');
      if (room) this.deliver(room, conn, frame);
      else if (arrival.frames.length < o.maxFramesBeforeLoad) {
        arrival.frames.push(frame);
        this.answerCold(boardId, arrival);
      } else this.refuse(conn, CloseCode.tooManyRequests, 'too many frames before sync');
    });
    socket.on('pong', () => conn.pong());
    socket.on('close', () => {
      conn.closedBySocket();
      forgetArrival();
      if (!this.connections.delete(conn)) return;
      const left = (this.connectionsPerIp.get(ip) ?? 1) - 1;
      if (left > 0) this.connectionsPerIp.set(ip, left);
      else this.connectionsPerIp.delete(ip);
      this.stats.connections = this.connections.size;
      if (room) this.leave(room, conn);
    });

    this.room(boardId).then(
      (loaded) => {
        forgetArrival();
        if (conn.closed) {
          // Left while the board loaded: nobody else may ever leave this room to unload it.
          if (loaded.connectionCount === 0 && !this.closing) this.scheduleUnload(loaded);
          return;
        }
        room = loaded;
        this.cancelUnload(loaded);
        loaded.join(conn, arrival.answered);
        for (const frame of arrival.frames.splice(0)) if (!conn.closed) this.deliver(loaded, conn, frame);
      },
      (err: unknown) => {
        forgetArrival();
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

  /** A loaded board's room, if it is loaded (for tests and measurements). */
  async loadedRoom(boardId: string): Promise<Room | null> {
    const room = this.rooms.get(boardId);
    return room ? room.catch(() => null) : null;
  }

  /**
   * The board as it is now, as one Yjs update (`Y.encodeStateAsUpdate`): the loaded room's
   * document (which holds every stored update applied so far), or, if the board is not loaded, its
   * stored state turned into a document. Null for an unknown board.
   */
  async currentState(boardId: string): Promise<Uint8Array | null> {
    const room = await this.loadedRoom(boardId);
    if (room) return Y.encodeStateAsUpdate(room.doc);
    await this.unloading.get(boardId);
    const state = await this.storage.loadState(boardId);
    if (!state) return null;
    const doc = new Y.Doc();
    try {
      roots(doc);
      applyStoredState(doc, state);
      return Y.encodeStateAsUpdate(doc);
    } finally {
      doc.destroy();
    }
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
      conn.close(CloseCode.unauthorized, LINK_REVOKED_REASON);
      closed++;
    }
    return closed;
  }

  /** Graceful shutdown: close every connection, write what is pending, compact, free. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearInterval(this.pingTimer);
    if (this.catchUpTimer) clearInterval(this.catchUpTimer);
    this.refusalLog.flush();
    for (const conn of this.connections) conn.close(CloseCode.goingAway, 'server shutting down');
    await this.writer.drain();
    const rooms = await Promise.allSettled(this.rooms.values());
    this.rooms.clear();
    for (const r of rooms) {
      if (r.status !== 'fulfilled') continue;
      this.cancelUnload(r.value);
      await r.value.whenIdle();
      await r.value.compact();
      r.value.destroy();
      this.ready.delete(r.value.boardId);
      this.fanout.unsubscribe(r.value.boardId);
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
    if (this.fanout.enabled) {
      // Following the stream before reading the state: nothing stored in between goes unheard.
      this.early.set(boardId, []);
      await this.fanout.subscribe(boardId);
    }
    try {
      return await this.loadRoomState(boardId);
    } catch (err) {
      this.fanout.unsubscribe(boardId);
      throw err;
    } finally {
      this.early.delete(boardId);
      this.coldAnswers.delete(boardId);
    }
  }

  private async loadRoomState(boardId: string): Promise<Room> {
    const state = await this.storage.loadState(boardId);
    if (!state) throw new UnknownBoardError(boardId);
    // Fresh clients need only what was just read: they are answered before the document is built.
    const answer = ColdAnswer.of(state);
    if (answer) {
      this.coldAnswers.set(boardId, answer);
      for (const arrival of this.arrivals.get(boardId) ?? []) this.answerCold(boardId, arrival);
      await this.sendColdAnswers(boardId);
    }
    const room = await Room.load(boardId, state, {
      log: this.storage,
      writer: this.writer,
      limits: this.options,
      refuse: (conn, code, reason) => this.refuse(conn, code, reason),
      onError: (id, what, err) => this.log.error({ boardId: id, err: String(err) }, what),
      onRelay: (bytes, recipients) => {
        this.stats.updatesRelayed += recipients;
        this.stats.bytesRelayed += bytes * recipients;
      },
      onApplied: (doc) => this.options.onDocumentChanged(boardId, doc),
      onStored: (bytes) => {
        this.stats.updatesStored++;
        this.stats.bytesStored += bytes;
      },
      ...(this.fanout.enabled ? { shared: this.sharedContext() } : {}),
    });
    this.ready.set(boardId, room);
    for (const entry of this.early.get(boardId) ?? []) room.receiveRemote(entry);
    this.stats.rooms++;
    this.log.info({ boardId, storedUpdates: state.updates.length }, 'board loaded');
    // The watcher's starting point: what the board was before the first update it hears of.
    try {
      this.options.onDocumentChanged(boardId, room.doc);
    } catch (err) {
      this.log.error({ boardId, err: String(err) }, 'document watcher failed');
    }
    return room;
  }

  private sharedContext(): SharedRoomContext {
    const fanout = this.fanout;
    return {
      instanceId: fanout.instanceId,
      gapGraceMs: this.options.gapGraceMs,
      publish: (boardId, entry) => {
        try {
          fanout.publishUpdate(boardId, entry);
        } catch (err) {
          this.log.error({ boardId, err: String(err) }, 'update not published to the other instances');
        }
      },
      publishPresence: (boardId, message) => fanout.publishPresence(boardId, message),
      onEvent: (event) => {
        if (event === 'remote') this.stats.remoteApplied++;
        else if (event === 'catch-up') this.stats.catchUps++;
        else this.stats.seqConflicts++;
      },
    };
  }

  /** An entry from the pipe: to its room, or kept while the room loads (bounded: beyond, it is read from storage). */
  private heard(boardId: string, entry: FanoutEntry): void {
    if (entry.instanceId === this.fanout.instanceId) return;
    const room = this.ready.get(boardId);
    if (room) return room.receiveRemote(entry);
    const early = this.early.get(boardId);
    if (early && early.length < 10_000) early.push(entry);
  }

  private heardPresence(boardId: string, message: PresenceMessage): void {
    this.ready.get(boardId)?.receiveRemotePresence(message);
  }

  /** The periodic check: one query for the last seq of every loaded board; rooms behind it catch up. */
  private async checkSeqs(): Promise<void> {
    if (this.checkingSeqs || this.ready.size === 0 || this.closing) return;
    this.checkingSeqs = true;
    try {
      const latest = await this.storage.latestSeqs([...this.ready.keys()]);
      for (const [boardId, seq] of latest) this.ready.get(boardId)?.noteStoredSeq(seq);
    } catch (err) {
      this.log.warn({ err: String(err) }, 'could not check the boards against storage');
    } finally {
      this.checkingSeqs = false;
    }
  }

  private arrivalsAt(boardId: string): Set<Arrival> {
    let arrivals = this.arrivals.get(boardId);
    if (!arrivals) this.arrivals.set(boardId, (arrivals = new Set()));
    return arrivals;
  }

  /**
   * A connection whose first frame asks for the whole board, while the board loads and its state is
   * read: answered from that state (cold-answer.ts), charged as the room charges the same answer.
   * Only the first frame, so nothing it sent is answered out of order.
   */
  private answerCold(boardId: string, arrival: Arrival): void {
    const answer = this.coldAnswers.get(boardId);
    const first = arrival.frames[0];
    if (!answer || !first || arrival.answered || arrival.conn.closed || !isColdSyncStep1(first)) return;
    const frames = answer.frames(); // built once per load, whoever asks
    if (!frames) return;
    const { conn } = arrival;
    arrival.frames.shift();
    arrival.answered = true;
    if (!conn.charge(first.length) || !conn.chargeAnswer(frames.reduce((n, f) => n + f.length, 0))) {
      return this.refuse(conn, CloseCode.tooManyRequests, TOO_MANY_ANSWERS);
    }
    for (const frame of frames) conn.send(frame);
  }

  /**
   * Building the document blocks the event loop (applying the snapshot: tens of ms for a long
   * history; the log after it goes in slices): before it, a turn in which a first frame that is
   * already here is read and answered, then what was answered is written out (a frame of a large
   * board does not fit the socket at once), for at most COLD_ANSWER_SEND_MS (a client that reads
   * slowly gets the rest once the board is built).
   */
  private async sendColdAnswers(boardId: string): Promise<void> {
    await nextTurn();
    const deadline = performance.now() + COLD_ANSWER_SEND_MS;
    const sending = () => [...(this.arrivals.get(boardId) ?? [])].some((a) => a.answered && !a.conn.closed && a.conn.isBehind(0));
    while (!this.closing && sending() && performance.now() < deadline) await sleep(1);
  }

  /**
   * A frame for a connection's room, in order. Answering sync step 1 costs O(board); ws hands over
   * every frame of one read at once, so a burst of them (250 in one packet) would be answered in one
   * turn of the event loop, holding up everyone. After such an answer, the connection's next frames
   * wait for the next turn (and so on): its own budget still decides how many answers it gets.
   */
  private deliver(room: Room, conn: Connection, frame: Uint8Array): void {
    const held = this.held.get(conn);
    if (held) {
      held.frames.push(frame);
      held.bytes += frame.length;
      if (held.bytes > MAX_HELD_BYTES) this.refuse(conn, CloseCode.tooManyRequests, 'too many frames at once');
      return;
    }
    if (this.receive(room, conn, frame)) this.holdUntilNextTurn(room, conn, []);
  }

  private holdUntilNextTurn(room: Room, conn: Connection, frames: Uint8Array[]): void {
    const held = { frames, bytes: frames.reduce((n, f) => n + f.length, 0) };
    this.held.set(conn, held);
    setImmediate(() => {
      this.held.delete(conn);
      while (held.frames.length > 0 && !conn.closed) {
        if (this.receive(room, conn, held.frames.shift()!) && held.frames.length > 0) return this.holdUntilNextTurn(room, conn, held.frames);
      }
    });
  }

  /** Reads one frame into the room; true if it was answered with (what it lacks of) the board. */
  private receive(room: Room, conn: Connection, frame: Uint8Array): boolean {
    let message: IncomingMessage;
    try {
      message = decodeMessage(frame);
    } catch {
      this.refuse(conn, CloseCode.badMessage, 'malformed message');
      return false;
    }
    if (message.kind === 'awareness' && message.update.length > this.options.maxAwarenessBytes) {
      this.refuse(conn, CloseCode.messageTooBig, 'awareness message too large');
      return false;
    }
    // Reading the frame is work too, whatever it turns out to be.
    if (!conn.charge(frame.length)) {
      this.refuse(conn, CloseCode.tooManyRequests, 'too much work');
      return false;
    }
    room.receive(conn, message);
    return message.kind === 'sync-step-1';
  }

  private leave(room: Room, conn: Connection): void {
    room.leave(conn);
    if (room.connectionCount === 0 && !this.closing) this.scheduleUnload(room);
  }

  private scheduleUnload(room: Room): void {
    this.cancelUnload(room);
    this.unloadTimers.set(
      room,
      setTimeout(() => this.unload(room), this.options.unloadDelayMs),
    );
  }

  private cancelUnload(room: Room): void {
    const timer = this.unloadTimers.get(room);
    if (timer) clearTimeout(timer);
    this.unloadTimers.delete(room);
  }

  private unload(room: Room): void {
    this.unloadTimers.delete(room);
    if (room.connectionCount > 0 || this.closing) return;
    this.rooms.delete(room.boardId);
    this.ready.delete(room.boardId);
    const done = (async () => {
      await this.writer.drain();
      await room.whenIdle();
      await room.compact();
      room.destroy();
      this.fanout.unsubscribe(room.boardId);
      this.stats.rooms--;
      this.log.info({ boardId: room.boardId }, 'board unloaded');
    })()
      .catch((err: unknown) => this.log.error({ boardId: room.boardId, err: String(err) }, 'unload failed'))
      .finally(() => this.unloading.delete(room.boardId));
    this.unloading.set(room.boardId, done);
  }

  private refuse(conn: Connection, code: CloseCode, reason: string): void {
    if (conn.closed) return;
    const key = closeCodeName(code);
    this.stats.refused[key] = (this.stats.refused[key] ?? 0) + 1;
    if (BACKOFF_CODES.has(code)) {
      this.addressBackoff.refused(conn.ip);
      if (conn.keyHash) this.keyBackoff.refused(conn.keyHash);
    }
    if (this.refusalLog.count(`${key}: ${reason}`)) {
      this.log.warn(
        { boardId: conn.boardId, conn: conn.id, role: conn.role, municipalityId: conn.municipalityId, code, reason },
        'connection refused',
      );
    }
    conn.close(code, reason);
  }

  private pingAll(): void {
    for (const conn of this.connections) conn.ping();
  }
}
