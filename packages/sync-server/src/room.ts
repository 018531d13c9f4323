/**
 * One loaded board and its whole write path: the document every client syncs with, the update
 * gate that judges what comes in (gate/update-gate.ts), "stored before relayed", compaction, and
 * presence (gate/presence-gate.ts) with broadcasts coalesced per board. The registry
 * (sync-server.ts) loads and unloads rooms and hands them connections; nothing else writes here.
 */
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import { type PlanOrigin, roots } from '@tabla/plan-model';
import {
  CloseCode,
  decodeAwarenessUpdate,
  encodeAwareness,
  encodeAwarenessEntries,
  encodeFlushAck,
  encodeSyncStep1,
  encodeSyncStep2,
  encodeUpdate,
  type IncomingMessage,
} from '@tabla/sync-protocol';
import type { Connection } from './connection.js';
import { type GateLimits, UpdateGate } from './gate/update-gate.js';
import { PresenceGate, type PresenceLimits } from './gate/presence-gate.js';
import { loadStoredState } from './storage/document.js';
import type { DocumentLog, StoredState } from './storage/types.js';
import type { UpdateWriter } from './update-writer.js';

export interface RoomLimits extends GateLimits, PresenceLimits {
  /** Compact the board's log into a snapshot past this many stored updates. */
  readonly compactAfterUpdates: number;
  /** Presence changes are broadcast at most this often (ms; 0 = at once). */
  readonly presenceIntervalMs: number;
  /** A client with more unsent data than this misses presence broadcasts until it catches up (it is not dropped). */
  readonly presenceSkipBytes: number;
}

/** What a room needs from the registry. */
export interface RoomContext {
  readonly log: DocumentLog;
  readonly writer: UpdateWriter;
  readonly limits: RoomLimits;
  /** Closes a connection with a refusal (counted, logged, remembered for backoff). */
  refuse(conn: Connection, code: CloseCode, reason: string): void;
  onError(boardId: string, what: string, err: unknown): void;
  /** Called for each stored update relayed, with its size and how many connections got it. */
  onRelay?(bytes: number, recipients: number): void;
  onStored?(bytes: number): void;
  /** Called after a stored update was applied to the room's document (read it, never write). */
  onApplied?(doc: Y.Doc): void;
}

/** Origin of an update a connection sent, once stored. */
export interface ConnectionOrigin {
  readonly source: 'remote';
  readonly connection: Connection;
}

/** What a sync step 1 answer is charged at least (a cold client asks once; see answerSyncStep1). */
const FULL_ANSWER_MIN_WORK = 256 * 1024;

export class Room {
  readonly doc: Y.Doc;
  readonly awareness: awarenessProtocol.Awareness;
  private readonly connections = new Set<Connection>();
  private readonly gate: UpdateGate;
  private readonly presence: PresenceGate;
  /** Accepted updates being written, not yet applied to `doc`, in order; each with its write. */
  private readonly inFlight: { update: Uint8Array; stored: Promise<boolean> }[] = [];
  /** Sequence number of the last stored update applied to `doc`. */
  private lastAppliedSeq: number;
  /** Stored updates since the last snapshot. */
  private uncompacted: number;
  /** Stored size of the board (snapshot + updates since). */
  private storedBytes: number;
  private compacting: Promise<void> | null = null;
  /** Presence ids changed since the last broadcast. */
  private readonly presenceChanged = new Set<number>();
  private presenceTimer: ReturnType<typeof setTimeout> | null = null;
  /** The answer to a sync step 1 with an empty state vector (a cold client), until the document changes. */
  private fullState: Uint8Array | null = null;

  /** Loads a board from its stored state, yielding to the event loop between slices of its log. */
  static async load(boardId: string, state: StoredState, context: RoomContext): Promise<Room> {
    const doc = new Y.Doc();
    roots(doc);
    await loadStoredState(doc, state);
    return new Room(boardId, doc, state, context);
  }

  private constructor(
    readonly boardId: string,
    doc: Y.Doc,
    state: StoredState,
    private readonly context: RoomContext,
  ) {
    this.doc = doc;
    this.lastAppliedSeq = state.lastSeq;
    this.uncompacted = state.updates.length;
    this.storedBytes = (state.snapshot?.length ?? 0) + state.updates.reduce((n, u) => n + u.length, 0);
    const limits = context.limits;
    this.presence = new PresenceGate(state.presenceOwners, (id) => this.gate.ownerOf(id), limits);
    this.gate = new UpdateGate({
      doc,
      clientOwners: state.clientOwners,
      storedBytes: this.storedBytes,
      limits,
      presenceOwner: (id) => this.presence.ownerOf(id),
    });
    this.awareness = new awarenessProtocol.Awareness(this.doc);
    this.awareness.setLocalState(null); // the server itself is nobody
    this.awareness.on('update', this.onAwarenessUpdate);
    this.doc.on('update', this.onDocUpdate);
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Shadow rebuilds so far (each costs O(board)): tests hold it to at most one per refusal burst. */
  get shadowRebuilds(): number {
    return this.gate.rebuilds;
  }

  /** Structs one replica holds: what the board costs in memory. */
  get structs(): number {
    return this.gate.structs;
  }

  join(conn: Connection): void {
    this.connections.add(conn);
    conn.send(encodeSyncStep1(Y.encodeStateVector(this.doc)));
    this.sendAllPresence(conn);
  }

  leave(conn: Connection): void {
    if (!this.connections.delete(conn)) return;
    if (conn.awarenessIds.size > 0) awarenessProtocol.removeAwarenessStates(this.awareness, [...conn.awarenessIds], null);
    // At once, while the clocks of its ids are still known (forgotten just below).
    if (this.presenceChanged.size > 0) this.flushPresence();
    for (const id of this.presence.release(conn)) this.awareness.meta.delete(id);
  }

  receive(conn: Connection, message: IncomingMessage): void {
    switch (message.kind) {
      case 'sync-step-1':
        return this.answerSyncStep1(conn, message.stateVector);
      case 'update':
        return this.receiveUpdate(conn, message.update);
      case 'awareness':
        return this.receivePresence(conn, message.update);
      case 'query-awareness': // asked: always answered
        return this.sendAllPresence(conn, true);
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

  /** Writes what is pending into a new snapshot (on unload, shutdown, or past `compactAfterUpdates`). */
  compact(): Promise<void> {
    if (this.uncompacted === 0) return Promise.resolve();
    this.compacting ??= this.compactNow().finally(() => (this.compacting = null));
    return this.compacting;
  }

  destroy(): void {
    if (this.presenceTimer) clearTimeout(this.presenceTimer);
    this.awareness.off('update', this.onAwarenessUpdate);
    this.doc.off('update', this.onDocUpdate);
    this.awareness.destroy();
    this.doc.destroy();
    this.gate.destroy();
  }

  // -------------------------------------------------------------------------

  /**
   * The answer costs O(board) whatever its size (the whole store is walked and the whole delete set
   * written): it is charged to the connection's work budget as at least FULL_ANSWER_MIN_WORK, so a
   * connection asking again and again gets a few dozen answers at once, then a few a second.
   */
  private answerSyncStep1(conn: Connection, stateVector: Uint8Array): void {
    let diff: Uint8Array;
    try {
      const cold = stateVector.length === 1 && stateVector[0] === 0;
      diff = cold ? (this.fullState ??= Y.encodeStateAsUpdate(this.doc)) : Y.encodeStateAsUpdate(this.doc, stateVector);
    } catch {
      return this.context.refuse(conn, CloseCode.badMessage, 'malformed state vector');
    }
    if (!conn.charge(Math.max(diff.length, FULL_ANSWER_MIN_WORK))) return this.context.refuse(conn, CloseCode.tooManyRequests, 'too much work: asked for the board too often');
    conn.send(encodeSyncStep2(diff));
  }

  private receiveUpdate(conn: Connection, update: Uint8Array): void {
    const verdict = this.gate.judge(update, conn);
    if (!conn.charge(verdict.work)) return this.context.refuse(conn, CloseCode.tooManyRequests, 'too much work: updates too large or too many');
    if (!verdict.ok) {
      // The log may hold more than the board: compacting it (garbage collected) may make room again.
      if (verdict.code === CloseCode.documentTooLarge) void this.compact();
      return this.context.refuse(conn, verdict.code, verdict.reason);
    }
    if (verdict.noop) return this.awaitReplay(conn);
    const { newOwners } = verdict;
    const stored = this.context.writer.append({ boardId: this.boardId, update, newOwners }).then(
      (seq) => {
        this.context.onStored?.(update.length);
        this.applyStored(update, seq, { source: 'remote', connection: conn });
        if (this.uncompacted >= this.context.limits.compactAfterUpdates) void this.compact();
        return true;
      },
      (err: unknown) => {
        // Not stored, so never relayed: forget it and tell the sender, whose client
        // still has the change and sends it again when it reconnects.
        this.dropInFlight(update);
        this.gate.rollBack(this.inFlight.map((w) => w.update), newOwners, this.storedBytes);
        this.context.onError(this.boardId, 'storage write failed', err);
        this.context.refuse(conn, CloseCode.storageFailed, 'storage write failed');
        return false;
      },
    );
    this.inFlight.push({ update, stored });
    conn.trackWrite(stored);
  }

  /**
   * A no-op update (nothing new against the accepted state) may repeat an update still being
   * written, e.g. from a client that reconnected before its last change was stored: a flush
   * after it must wait for those too. If one of them fails, what this connection sent may be
   * lost, so it is closed like the writer's connection (4500, "try again").
   */
  private awaitReplay(conn: Connection): void {
    if (this.inFlight.length === 0) return;
    conn.trackWrite(
      Promise.all(this.inFlight.map((w) => w.stored)).then((oks) => {
        if (oks.every(Boolean)) return true;
        this.context.refuse(conn, CloseCode.storageFailed, 'storage write failed');
        return false;
      }),
    );
  }

  private applyStored(update: Uint8Array, seq: number, origin: ConnectionOrigin | PlanOrigin): void {
    if (!this.dropInFlight(update)) this.gate.admitStored(update); // not judged here (none today): keep the replicas equal
    Y.applyUpdate(this.doc, update, origin);
    this.lastAppliedSeq = Math.max(this.lastAppliedSeq, seq);
    this.uncompacted++;
    this.storedBytes += update.length;
    try {
      this.context.onApplied?.(this.doc);
    } catch (err) {
      this.context.onError(this.boardId, 'document watcher failed', err);
    }
  }

  private dropInFlight(update: Uint8Array): boolean {
    const i = this.inFlight.findIndex((w) => w.update === update);
    if (i < 0) return false;
    this.inFlight.splice(i, 1);
    return true;
  }

  private async compactNow(): Promise<void> {
    const covered = this.uncompacted;
    const bytesBefore = this.storedBytes;
    try {
      const snapshot = Y.encodeStateAsUpdate(this.doc);
      await this.context.log.compact(this.boardId, snapshot, this.lastAppliedSeq);
      this.uncompacted -= covered;
      this.storedBytes = snapshot.length + (this.storedBytes - bytesBefore);
      this.gate.resize(this.storedBytes, this.inFlight.reduce((n, w) => n + w.update.length, 0));
    } catch (err) {
      this.context.onError(this.boardId, 'compaction failed', err);
    }
  }

  private receivePresence(conn: Connection, update: Uint8Array): void {
    if (!conn.takePresence()) return this.context.refuse(conn, CloseCode.tooManyRequests, 'presence changes too often');
    const entries = decodeAwarenessUpdate(update);
    if (!entries) return this.context.refuse(conn, CloseCode.badMessage, 'malformed awareness');
    const admission = this.presence.admit(conn, entries, {
      clockOf: (id) => this.awareness.meta.get(id)?.clock,
      isPresent: (id) => this.awareness.states.has(id),
    });
    if (admission.problem !== null) return this.context.refuse(conn, CloseCode.presenceRefused, admission.problem);
    if (admission.newBindings.length > 0) {
      // Persisted so a flood or a restart cannot free a device's presence id for a stranger.
      this.context.log.bindPresence(this.boardId, admission.newBindings).catch((err: unknown) => this.context.onError(this.boardId, 'presence binding not stored', err));
    }
    const { admitted } = admission;
    if (admitted.length === 0) return;
    try {
      const frame = admitted.length === entries.length ? update : encodeAwarenessEntries(admitted);
      awarenessProtocol.applyAwarenessUpdate(this.awareness, frame, conn);
    } catch {
      this.context.refuse(conn, CloseCode.badMessage, 'malformed awareness');
    }
  }

  /** Everyone's presence to one connection. Never throws: a bad state costs that message, not the process. */
  private sendAllPresence(conn: Connection, evenIfEmpty = false): void {
    const ids = [...this.awareness.getStates().keys()];
    if (ids.length === 0 && !evenIfEmpty) return;
    const frame = this.presenceFrame(ids);
    if (frame) conn.send(frame);
  }

  private presenceFrame(ids: number[]): Uint8Array | null {
    try {
      return encodeAwareness(awarenessProtocol.encodeAwarenessUpdate(this.awareness, ids));
    } catch (err) {
      this.context.onError(this.boardId, 'presence could not be encoded', err);
      return null;
    }
  }

  /** Coalesced: one broadcast of every presence change per interval, skipping clients that are behind. */
  private flushPresence = (): void => {
    if (this.presenceTimer) clearTimeout(this.presenceTimer);
    this.presenceTimer = null;
    const ids = [...this.presenceChanged].filter((id) => this.awareness.meta.has(id));
    this.presenceChanged.clear();
    if (ids.length === 0) return;
    const frame = this.presenceFrame(ids);
    if (!frame) return;
    let everyone: Uint8Array | null | undefined;
    for (const conn of this.connections) {
      const due = conn.presenceDue(this.context.limits.presenceSkipBytes);
      if (due === 'change') conn.send(frame);
      else if (due === 'whole') {
        everyone ??= this.presenceFrame([...this.awareness.getStates().keys()]);
        if (everyone) conn.send(everyone);
      }
    }
  };

  private readonly onDocUpdate = (update: Uint8Array, origin: unknown): void => {
    this.fullState = null;
    const sender = (origin as Partial<ConnectionOrigin> | null)?.connection;
    const frame = encodeUpdate(update);
    let recipients = 0;
    for (const conn of this.connections) {
      if (conn === sender) continue;
      conn.send(frame);
      recipients++;
    }
    this.context.onRelay?.(update.length, recipients);
  };

  private readonly onAwarenessUpdate = (
    { added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
    origin: unknown,
  ): void => {
    const changed = [...added, ...updated, ...removed];
    if (changed.length === 0) return;
    const conn = origin as Connection | null;
    if (conn && this.connections.has(conn)) conn.noteAwareness([...added, ...updated], removed);
    // Relayed to the sender too: y-websocket clients expect their own state back.
    for (const id of changed) this.presenceChanged.add(id);
    const interval = this.context.limits.presenceIntervalMs;
    if (interval <= 0) return this.flushPresence();
    this.presenceTimer ??= setTimeout(this.flushPresence, interval);
  };
}

