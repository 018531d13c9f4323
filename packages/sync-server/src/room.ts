/**
 * One loaded board and its whole write path: the document every client syncs with, the update
 * gate that judges what comes in (gate/update-gate.ts), "stored before relayed", compaction, and
 * presence (gate/presence-gate.ts) with broadcasts coalesced per board. The registry
 * (sync-server.ts) loads and unloads rooms and hands them connections; nothing else writes here.
 *
 * Shared boards (several instances, `RoomContext.shared`): the document holds exactly the stored
 * updates through `lastAppliedSeq`, applied in seq order, whoever stored them (per-board gap-free
 * seqs). Updates other instances stored arrive through the pipe (`receiveRemote`) or, when one is
 * missing, from storage (`catchUp`: a gap in the seqs, the periodic check, the pipe coming back).
 * An update from a client is judged against that state and stored only at the next seq
 * (`expectSeq`): if another instance stored one first, the room catches up and judges it again,
 * so every instance judges against the same accepted state, as one instance would. A refusal is
 * only final against a state just read from storage. The room writes one batch at a time; what
 * comes in meanwhile waits for the next.
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
import { isEmptyStateVector } from './cold-answer.js';
import { type Connection, TOO_MANY_ANSWERS, TOO_MUCH_WORK } from './connection.js';
import type { FanoutEntry, PresenceMessage } from './fanout/types.js';
import { type GateLimits, type GateVerdict, UpdateGate } from './gate/update-gate.js';
import { PresenceGate, type PresenceLimits } from './gate/presence-gate.js';
import { readUpdateShape } from './gate/update-shape.js';
import { loadStoredState } from './storage/document.js';
import { type ClientOwner, type DocumentLog, SeqConflictError, type StoredState, type UpdatesSince } from './storage/types.js';
import { traceChannels, type TracedBatch, type TracedUpdate } from './trace.js';
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
  /** Set when other instances share the board (a fan-out pipe): see the file's comment. */
  readonly shared?: SharedRoomContext;
}

/** What a room of a shared board needs: the pipe's two ends and its bookkeeping. */
export interface SharedRoomContext {
  readonly instanceId: string;
  /** After an update was stored and applied: tells the other instances (never throws). */
  publish(boardId: string, entry: FanoutEntry): void;
  publishPresence(boardId: string, message: PresenceMessage): void;
  /** How long a gap in the seqs may stay open (an entry may just be late) before storage fills it. */
  readonly gapGraceMs: number;
  /** Counts, for stats: an update another instance stored was applied; the room read storage to catch up; a write met another instance's. */
  onEvent?(event: 'remote' | 'catch-up' | 'conflict'): void;
}

/** Origin of what another instance stored (a PlanOrigin, as plan-model's observers expect). */
export const instanceOrigin = Object.freeze({ source: 'remote', connectionId: 'another instance' } as const);
/** Origin of presence another instance announced: applied here, never published again. */
const remotePresenceOrigin = Symbol('presence from another instance');
/** Origin of the presence removals of a connection that left this instance (published, unlike timeouts). */
const leftOrigin = Symbol('a connection left');
/** Updates heard out of order (beyond a gap) kept at most, per room; more are read from storage. */
const MAX_EARLY_ENTRIES = 10_000;
/** Presence ids another instance speaks for, remembered at most, per room. */
const MAX_REMOTE_SPEAKERS = 20_000;

/**
 * An update of a shared board on its way: judged (or waiting to be, after a catch-up), written,
 * then applied; `settle` ends its `stored` promise (what a flush waits for).
 */
interface SharedWrite {
  readonly update: Uint8Array;
  readonly conn: Connection;
  state: 'unjudged' | 'judged' | 'written';
  newOwners: readonly ClientOwner[];
  expectSeq: number;
  /** The batch it was written in (a failure answers for the whole batch once). */
  batch: number;
  readonly stored: Promise<boolean>;
  readonly settle: (ok: boolean) => void;
}

/** Origin of an update a connection sent, once stored. */
export interface ConnectionOrigin {
  readonly source: 'remote';
  readonly connection: Connection;
}

export class Room {
  readonly doc: Y.Doc;
  readonly awareness: awarenessProtocol.Awareness;
  private readonly connections = new Set<Connection>();
  private readonly gate: UpdateGate;
  private readonly presence: PresenceGate;
  /** Stored updates of this instance's connections, applied together in a microtask (applyStoredSoon). */
  private readonly storedToApply: { readonly update: Uint8Array; readonly seq: number; readonly conn: Connection }[] = [];
  /** Accepted updates being written, not yet applied to `doc`, in order; each with its write. */
  private readonly inFlight: { update: Uint8Array; stored: Promise<boolean> }[] = [];
  /** Sequence number of the last stored update applied to `doc`. */
  private lastAppliedSeq: number;
  /** The stored state the room was built from: its seq and state vector (see `join`). */
  private readonly loadedSeq: number;
  private readonly loadedStateVector: Uint8Array;
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
  // Shared boards only (see the file's comment).
  private readonly shared: SharedRoomContext | null;
  /** Updates of clients of this instance, in the order they came: judged against the state through lastAppliedSeq. */
  private readonly writes: SharedWrite[] = [];
  /** The batch being written (0: none). */
  private writingBatch = 0;
  private batches = 0;
  /** Reading storage to catch up (then judging again what waits). */
  private catchingUp = false;
  private catchUpAgain = false;
  /** A catch-up asked for while a batch was being written: it runs once the batch is answered. */
  private catchUpAfterBatch = false;
  /** Other instances' updates heard beyond a gap, by seq, with the catch-up round they were heard in. */
  private readonly early = new Map<number, { entry: FanoutEntry; round: number }>();
  /** Catch-ups started so far. */
  private catchUpRound = 0;
  /** The highest seq storage is known to have (from the periodic check or the pipe). */
  private knownSeq = 0;
  private gapTimer: ReturnType<typeof setTimeout> | null = null;
  /** Presence ids changed by this instance's connections since the last broadcast (published to the others). */
  private readonly presenceChangedHere = new Set<number>();
  /** Presence ids whose connection is on another instance -> the device key that speaks for them. */
  private readonly remoteSpeakers = new Map<number, string>();
  private destroyed = false;

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
    this.shared = context.shared ?? null;
    this.lastAppliedSeq = state.lastSeq;
    this.loadedSeq = state.lastSeq;
    this.loadedStateVector = Y.encodeStateVector(doc);
    this.knownSeq = state.lastSeq;
    this.uncompacted = state.updates.length;
    this.storedBytes = (state.snapshot?.length ?? 0) + state.updates.reduce((n, u) => n + u.length, 0);
    // A compacted board is its snapshot, which is `Y.encodeStateAsUpdate` of the document it was
    // taken from: the first cold client gets it as it is, instead of the board encoded again
    // (tens of ms in a process still cold, on a board with a long history).
    if (state.snapshot && state.updates.length === 0) this.fullState = state.snapshot;
    const limits = context.limits;
    this.presence = new PresenceGate(state.presenceOwners, (id) => this.gate.ownerOf(id), limits);
    this.gate = new UpdateGate({
      doc,
      clientOwners: state.clientOwners,
      storedBytes: this.storedBytes,
      limits,
      presenceOwner: (id) => this.presence.ownerOf(id) ?? this.remoteSpeakers.get(id),
    });
    this.awareness = new awarenessProtocol.Awareness(this.doc);
    this.awareness.setLocalState(null); // the server itself is nobody
    this.awareness.on('update', this.onAwarenessUpdate);
    this.doc.on('update', this.onDocUpdate);
    // Who is on the board through the other instances: they answer with their connections' presence.
    this.shared?.publishPresence(boardId, { kind: 'query', instanceId: this.shared.instanceId });
  }

  /** The seq of the last stored update the document holds (shared boards: every one through it). */
  get appliedSeq(): number {
    return this.lastAppliedSeq;
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

  /**
   * `answeredFromStorage`: the connection was given the stored state this room was built from, while
   * it loaded (cold-answer.ts); what the room applied since (another instance's updates heard
   * meanwhile) reaches it now, as nothing relays that again.
   */
  join(conn: Connection, answeredFromStorage = false): void {
    this.connections.add(conn);
    if (conn.role !== 'viewer') this.gate.prepare();
    conn.send(encodeSyncStep1(Y.encodeStateVector(this.doc)));
    if (answeredFromStorage && this.lastAppliedSeq > this.loadedSeq) this.answer(conn, Y.encodeStateAsUpdate(this.doc, this.loadedStateVector), encodeUpdate);
    this.sendAllPresence(conn);
  }

  leave(conn: Connection): void {
    if (!this.connections.delete(conn)) return;
    if (conn.awarenessIds.size > 0) awarenessProtocol.removeAwarenessStates(this.awareness, [...conn.awarenessIds], leftOrigin);
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
    this.destroyed = true;
    if (this.gapTimer) clearTimeout(this.gapTimer);
    if (this.presenceTimer) clearTimeout(this.presenceTimer);
    this.awareness.off('update', this.onAwarenessUpdate);
    this.doc.off('update', this.onDocUpdate);
    this.awareness.destroy();
    this.doc.destroy();
    this.gate.destroy();
  }

  // -------------------------------------------------------------------------

  /** The answer costs O(board) whatever its size: charged as such (Connection.chargeAnswer). */
  private answerSyncStep1(conn: Connection, stateVector: Uint8Array): void {
    let diff: Uint8Array;
    try {
      diff = isEmptyStateVector(stateVector) ? (this.fullState ??= Y.encodeStateAsUpdate(this.doc)) : Y.encodeStateAsUpdate(this.doc, stateVector);
    } catch {
      return this.context.refuse(conn, CloseCode.badMessage, 'malformed state vector');
    }
    this.answer(conn, diff, encodeSyncStep2);
  }

  /** Sends what the connection lacks of the board, charged as such an answer is. */
  private answer(conn: Connection, diff: Uint8Array, frame: (update: Uint8Array) => Uint8Array): void {
    if (!conn.chargeAnswer(diff.length)) return this.context.refuse(conn, CloseCode.tooManyRequests, TOO_MANY_ANSWERS);
    conn.send(frame(diff));
  }

  private receiveUpdate(conn: Connection, update: Uint8Array): void {
    if (this.shared) return this.receiveSharedUpdate(conn, update);
    if (traceChannels.received.hasSubscribers) traceChannels.received.publish({ update } satisfies TracedUpdate);
    const verdict = this.judgeCharged(conn, update);
    if (!verdict) return;
    if (!verdict.ok) {
      // The log may hold more than the board: compacting it (garbage collected) may make room again.
      if (verdict.code === CloseCode.documentTooLarge) void this.compact();
      return this.context.refuse(conn, verdict.code, verdict.reason);
    }
    if (verdict.noop) return this.awaitReplay(conn);
    const { newOwners } = verdict;
    if (traceChannels.accepted.hasSubscribers) traceChannels.accepted.publish({ update } satisfies TracedUpdate);
    const stored = this.context.writer.append({ boardId: this.boardId, update, newOwners }).then(
      (seq) => {
        this.context.onStored?.(update.length);
        this.applyStoredSoon(update, seq, conn);
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
   * The gate's verdict on a connection's update, its work charged; null when the connection has spent
   * its work budget (it is refused). Refused before the update is judged, never after: an update the
   * gate accepts is bound into its accepted state at once, and one refused then would stay there
   * without ever being stored (its replay judged nothing new).
   */
  private judgeCharged(conn: Connection, update: Uint8Array): GateVerdict | null {
    if (conn.outOfWork) {
      this.context.refuse(conn, CloseCode.tooManyRequests, TOO_MUCH_WORK);
      return null;
    }
    const verdict = this.gate.judge(update, conn);
    conn.charge(verdict.work); // granted: a budget not spent a moment ago takes any charge (it may overdraw once)
    return verdict;
  }

  /**
   * A no-op update (nothing new against the accepted state) may repeat an update still being
   * written, e.g. from a client that reconnected before its last change was stored: a flush
   * after it must wait for those too. If one of them fails, what this connection sent may be
   * lost, so it is closed like the writer's connection (4500, "try again").
   */
  private awaitReplay(conn: Connection): void {
    const writes = [...this.inFlight, ...this.writes];
    if (writes.length === 0) return;
    conn.trackWrite(
      Promise.all(writes.map((w) => w.stored)).then((oks) => {
        if (oks.every(Boolean)) return true;
        this.context.refuse(conn, CloseCode.storageFailed, 'storage write failed');
        return false;
      }),
    );
  }

  // -------------------------------------------------------------------------
  // Shared boards: several instances (see the file's comment)

  /**
   * An update another instance stored, heard through the pipe. Applied at once when it is the next
   * seq and nothing of this room's own is being written; otherwise kept until its turn (or read
   * from storage if the gap stays open).
   */
  receiveRemote(entry: FanoutEntry): void {
    const shared = this.shared;
    if (!shared || this.destroyed || entry.instanceId === shared.instanceId || entry.seq <= this.lastAppliedSeq) return;
    this.knownSeq = Math.max(this.knownSeq, entry.seq);
    // Storage is the record: an entry that is not even an update is skipped, and its seq read from there.
    if (!readUpdateShape(entry.update, this.context.limits).ok) {
      this.context.onError(this.boardId, 'malformed update from another instance skipped', new Error(`seq ${entry.seq}`));
      return this.checkGap();
    }
    if (entry.seq === this.lastAppliedSeq + 1 && this.idle()) {
      this.applyRemote(entry.seq, entry.update, entry.owners);
      this.drainEarly();
    } else if (this.early.size < MAX_EARLY_ENTRIES) this.early.set(entry.seq, { entry, round: this.catchUpRound });
    this.checkGap();
  }

  /** Storage has the board through `seq` (the periodic check): behind it, the room catches up. */
  noteStoredSeq(seq: number): void {
    if (!this.shared || this.destroyed) return;
    this.knownSeq = Math.max(this.knownSeq, seq);
    this.checkGap();
  }

  /**
   * Reads what storage has after `lastAppliedSeq` and applies it, then judges again what waits.
   * Waits for the batch being written, if any. For shared boards only.
   */
  catchUp(): void {
    if (!this.shared || this.destroyed) return;
    if (this.catchingUp) {
      this.catchUpAgain = true;
      return;
    }
    if (this.writingBatch !== 0) {
      this.catchUpAfterBatch = true;
      return;
    }
    void this.runCatchUp();
  }

  /** Presence another instance published (its connections'), or its question for ours. */
  receiveRemotePresence(message: PresenceMessage): void {
    const shared = this.shared;
    if (!shared || this.destroyed || message.instanceId === shared.instanceId) return;
    if (message.kind === 'query') {
      const ids = [...this.localPresenceIds()].filter((id) => this.awareness.states.has(id));
      if (ids.length > 0) this.publishPresenceOf(ids);
      return;
    }
    const entries = decodeAwarenessUpdate(message.frame);
    if (!entries) return this.context.onError(this.boardId, 'malformed presence from another instance skipped', new Error('undecodable'));
    for (const { clientId, keyHash } of message.speakers) {
      if (this.remoteSpeakers.size < MAX_REMOTE_SPEAKERS || this.remoteSpeakers.has(clientId)) this.remoteSpeakers.set(clientId, keyHash);
    }
    // An id a connection of this instance speaks for is this instance's to tell (a device that moved here).
    const local = this.localPresenceIds();
    const theirs = entries.filter((e) => !local.has(e.clientId));
    if (theirs.length === 0) return;
    try {
      const frame = theirs.length === entries.length ? message.frame : encodeAwarenessEntries(theirs);
      awarenessProtocol.applyAwarenessUpdate(this.awareness, frame, remotePresenceOrigin);
    } catch (err) {
      this.context.onError(this.boardId, 'presence from another instance not applied', err);
    }
  }

  /**
   * Resolves once nothing of this room's own is on its way (judged, written or waiting for a
   * catch-up), or after `timeoutMs`: before an unload or a shutdown compacts and frees the room.
   */
  async whenIdle(timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.idle() && !this.destroyed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  }

  /** Nothing of this room's own on its way: another instance's next update can be applied now. */
  private idle(): boolean {
    return !this.catchingUp && this.writingBatch === 0 && this.writes.length === 0;
  }

  private receiveSharedUpdate(conn: Connection, update: Uint8Array): void {
    // Behind a write that waits for a catch-up, everything waits: updates are judged in the order they came.
    if (this.catchingUp || this.writes.some((w) => w.state === 'unjudged')) {
      this.writes.push(this.sharedWrite(conn, update));
      return;
    }
    const verdict = this.judgeCharged(conn, update);
    if (!verdict) return;
    // Undecodable, or a viewer writing: refused whatever the state. Anything else is checked against storage first.
    if (!verdict.ok && verdict.code !== CloseCode.badMessage && conn.role !== 'viewer') {
      // Maybe only this instance is behind (another stored what makes it fine): the refusal is final
      // only against the state as storage has it now.
      this.writes.push(this.sharedWrite(conn, update));
      return this.catchUp();
    }
    this.admitJudged(this.sharedWrite(conn, update), verdict);
    this.pump();
  }

  private sharedWrite(conn: Connection, update: Uint8Array): SharedWrite {
    let settle!: (ok: boolean) => void;
    const stored = new Promise<boolean>((resolve) => (settle = resolve));
    const w: SharedWrite = { update, conn, state: 'unjudged', newOwners: [], expectSeq: 0, batch: 0, stored, settle };
    conn.trackWrite(stored);
    return w;
  }

  /** Acts on a verdict: refuses (final), settles a no-op once what it may repeat is stored, or queues the write. */
  private admitJudged(w: SharedWrite, verdict: GateVerdict): void {
    if (!verdict.ok) {
      w.settle(false);
      if (verdict.code === CloseCode.documentTooLarge) void this.compact();
      return this.context.refuse(w.conn, verdict.code, verdict.reason);
    }
    if (verdict.noop) {
      // Nothing new: stored already, or repeats a write still on its way (its fate is this one's).
      void Promise.all(this.writes.map((x) => x.stored)).then((oks) => {
        const ok = oks.every(Boolean);
        // One failed: what this connection sent may be lost, so it is told as the writer was (4500, "try again").
        if (!ok) this.context.refuse(w.conn, CloseCode.storageFailed, 'storage write failed');
        w.settle(ok);
      });
      return;
    }
    w.newOwners = verdict.newOwners;
    w.expectSeq = this.lastAppliedSeq + this.writes.length + 1;
    w.state = 'judged';
    this.writes.push(w);
  }

  /** Writes what is judged, one batch at a time: every update at the seq it was judged for. */
  private pump(): void {
    if (this.catchingUp || this.writingBatch !== 0 || this.destroyed) return;
    const batch: SharedWrite[] = [];
    for (const w of this.writes) {
      if (w.state !== 'judged') break;
      batch.push(w);
    }
    if (batch.length === 0) return;
    const id = ++this.batches;
    this.writingBatch = id;
    for (const w of batch) {
      w.state = 'written';
      w.batch = id;
      this.context.writer.append({ boardId: this.boardId, update: w.update, newOwners: w.newOwners, expectSeq: w.expectSeq }).then(
        (seq) => this.written(w, seq),
        (err: unknown) => this.notWritten(w, err),
      );
    }
  }

  private written(w: SharedWrite, seq: number): void {
    if (this.destroyed) return w.settle(true);
    const i = this.writes.indexOf(w);
    if (i >= 0) this.writes.splice(i, 1);
    this.context.onStored?.(w.update.length);
    // The gate accepted it already: the document catches up, and relays it to everyone else here.
    Y.applyUpdate(this.doc, w.update, { source: 'remote', connection: w.conn } satisfies ConnectionOrigin);
    this.lastAppliedSeq = seq;
    this.knownSeq = Math.max(this.knownSeq, seq);
    this.counted(w.update.length);
    this.shared!.publish(this.boardId, { seq, update: w.update, owners: w.newOwners, instanceId: this.shared!.instanceId });
    w.settle(true);
    if (this.writes.some((x) => x.batch === this.writingBatch && x.state === 'written')) return;
    this.writingBatch = 0;
    this.afterBatch();
  }

  private notWritten(w: SharedWrite, err: unknown): void {
    if (this.destroyed) return w.settle(false);
    if (w.batch !== this.writingBatch) return; // its batch was answered already
    this.writingBatch = 0;
    this.catchUpAfterBatch = false;
    if (err instanceof SeqConflictError) {
      // Another instance stored first: catch up, then judge everything waiting again.
      this.shared!.onEvent?.('conflict');
      void this.runCatchUp();
      return;
    }
    // Not stored, so never relayed: its senders are told (4500) and keep their changes, as on one
    // instance; what came after was judged on top of it, so it is judged again.
    const failed = this.writes.filter((x) => x.batch === w.batch && x.state === 'written');
    for (const f of failed) this.writes.splice(this.writes.indexOf(f), 1);
    this.context.onError(this.boardId, 'storage write failed', err);
    for (const f of failed) {
      f.settle(false);
      this.context.refuse(f.conn, CloseCode.storageFailed, 'storage write failed');
    }
    void this.runCatchUp(failed.flatMap((f) => f.newOwners));
  }

  /** A batch was stored: other instances' updates heard meanwhile come next, then what waits. */
  private afterBatch(): void {
    if (this.catchUpAfterBatch) {
      this.catchUpAfterBatch = false;
      return this.catchUp();
    }
    const applied = this.drainEarly();
    // What waits was judged without those: judged again (it would only meet them at its write).
    if ((applied > 0 && this.writes.length > 0) || this.writes.some((w) => w.state === 'unjudged')) return this.catchUp();
    this.pump();
    this.checkGap();
  }

  private async runCatchUp(unbind: readonly ClientOwner[] = []): Promise<void> {
    this.catchingUp = true;
    this.catchUpAgain = false;
    if (this.gapTimer) clearTimeout(this.gapTimer);
    this.gapTimer = null;
    // Back to the state as stored: what waits is judged again on top of what storage has now.
    this.gate.rollBack([], [...unbind, ...this.writes.flatMap((w) => w.newOwners)], this.storedBytes);
    for (const w of this.writes) {
      w.state = 'unjudged';
      w.newOwners = [];
    }
    this.shared!.onEvent?.('catch-up');
    const round = ++this.catchUpRound;
    let since: UpdatesSince | null;
    try {
      since = await this.context.log.loadUpdatesSince(this.boardId, this.lastAppliedSeq);
    } catch (err) {
      this.catchingUp = false;
      if (this.destroyed) return;
      this.context.onError(this.boardId, 'catching up from storage failed', err);
      // Nothing can be judged against storage now: what waits is refused (the clients keep it and send it again).
      for (const w of this.writes.splice(0)) {
        w.settle(false);
        this.context.refuse(w.conn, CloseCode.storageFailed, 'storage unavailable');
      }
      this.checkGap();
      return;
    }
    if (this.destroyed) {
      this.catchingUp = false;
      return;
    }
    try {
      if (since) this.applyCaughtUp(since);
      this.drainEarly();
    } catch (err) {
      this.context.onError(this.boardId, 'stored updates not applied', err);
    }
    // Storage is the record. An entry heard before this read began was committed before it (an
    // update is published after its commit): if storage does not have it, it never existed.
    let bogus = 0;
    for (const [seq, { round: heard }] of this.early) {
      if (heard < round) {
        this.early.delete(seq);
        bogus++;
      }
    }
    if (bogus > 0) this.context.onError(this.boardId, 'entries from the pipe that storage does not have were dropped', new Error(`${bogus} entries`));
    this.knownSeq = Math.max(this.lastAppliedSeq, ...this.early.keys());
    // Judged again in the order they came; a connection refused here sends nothing after it.
    const waiting = this.writes.splice(0);
    const refused = new Set<Connection>();
    for (const w of waiting) {
      if (refused.has(w.conn)) {
        w.settle(false);
        continue;
      }
      // Judged again, charged again (one held back while catching up is judged here for the first time).
      const verdict = this.judgeCharged(w.conn, w.update);
      if (!verdict || !verdict.ok) refused.add(w.conn);
      if (verdict) this.admitJudged(w, verdict);
      else w.settle(false);
    }
    this.catchingUp = false;
    if (this.catchUpAgain) return this.catchUp();
    this.pump();
    this.checkGap();
  }

  /** Applies what storage had after `lastAppliedSeq`: the updates one by one, or the whole state after a compaction. */
  private applyCaughtUp(since: UpdatesSince): void {
    if (since.kind === 'updates') {
      let owners: ClientOwner[] = [...since.clientOwners].map(([clientId, keyHash]) => ({ clientId, keyHash }));
      for (const { seq, update } of since.updates) {
        if (seq <= this.lastAppliedSeq) continue;
        this.applyRemote(seq, update, owners);
        owners = [];
      }
      this.lastAppliedSeq = Math.max(this.lastAppliedSeq, since.lastSeq);
      return;
    }
    // A compaction folded what this room lacks into the snapshot: the whole state, merged (it only adds).
    const { state } = since;
    this.doc.transact(() => {
      if (state.snapshot) Y.applyUpdate(this.doc, state.snapshot);
      for (const update of state.updates) Y.applyUpdate(this.doc, update);
    }, instanceOrigin);
    const owners = [...state.clientOwners].map(([clientId, keyHash]) => ({ clientId, keyHash }));
    // The gate's replicas were dropped (runCatchUp), but a shadow built while storage was read (an
    // editor joined) holds the document as it was then: it gets all that was read too, the owners
    // bound with the first.
    const read = state.snapshot ? [state.snapshot, ...state.updates] : [...state.updates];
    read.forEach((update, i) => this.gate.admitStored(update, i === 0 ? owners : []));
    this.lastAppliedSeq = Math.max(this.lastAppliedSeq, state.lastSeq);
    this.knownSeq = Math.max(this.knownSeq, state.lastSeq);
    this.uncompacted = state.updates.length;
    this.storedBytes = (state.snapshot?.length ?? 0) + state.updates.reduce((n, u) => n + u.length, 0);
    this.gate.resize(this.storedBytes, 0);
    this.shared!.onEvent?.('remote');
    this.watchersSee();
  }

  /** Another instance's update, at its turn in seq order: the replicas stay equal, everyone here gets it. */
  private applyRemote(seq: number, update: Uint8Array, owners: readonly ClientOwner[]): void {
    this.gate.admitStored(update, owners);
    Y.applyUpdate(this.doc, update, instanceOrigin);
    this.lastAppliedSeq = seq;
    this.knownSeq = Math.max(this.knownSeq, seq);
    this.counted(update.length);
    this.shared!.onEvent?.('remote');
  }

  /** Bookkeeping after a stored update was applied. */
  private counted(bytes: number): void {
    this.uncompacted++;
    this.storedBytes += bytes;
    this.watchersSee();
    if (this.uncompacted >= this.context.limits.compactAfterUpdates) void this.compact();
  }

  private watchersSee(): void {
    try {
      this.context.onApplied?.(this.doc);
    } catch (err) {
      this.context.onError(this.boardId, 'document watcher failed', err);
    }
  }

  /** Applies the updates heard early whose turn has come; forgets those already applied. */
  private drainEarly(): number {
    let applied = 0;
    for (let next = this.early.get(this.lastAppliedSeq + 1)?.entry; next; next = this.early.get(this.lastAppliedSeq + 1)?.entry) {
      this.early.delete(next.seq);
      this.applyRemote(next.seq, next.update, next.owners);
      applied++;
    }
    for (const seq of this.early.keys()) if (seq <= this.lastAppliedSeq) this.early.delete(seq);
    return applied;
  }

  /** Storage has more than this room applied: after a short grace (a late entry closes the gap by itself), read it. */
  private checkGap(): void {
    if (this.destroyed || this.gapTimer || this.catchingUp || this.knownSeq <= this.lastAppliedSeq) return;
    this.gapTimer = setTimeout(() => {
      this.gapTimer = null;
      if (this.knownSeq > this.lastAppliedSeq) this.catchUp();
    }, this.shared!.gapGraceMs);
    this.gapTimer.unref?.();
  }

  /** Presence ids this instance's connections speak for. */
  private localPresenceIds(): Set<number> {
    const ids = new Set<number>();
    for (const conn of this.connections) for (const id of conn.awarenessIds) ids.add(id);
    return ids;
  }

  /** Publishes the presence of some ids (this instance's connections') to the other instances. */
  private publishPresenceOf(ids: number[]): void {
    const shared = this.shared;
    if (!shared || ids.length === 0) return;
    let frame: Uint8Array;
    try {
      frame = awarenessProtocol.encodeAwarenessUpdate(this.awareness, ids);
    } catch (err) {
      return this.context.onError(this.boardId, 'presence could not be encoded', err);
    }
    const speakers = ids.map((clientId) => ({ clientId, keyHash: this.presence.ownerOf(clientId) ?? '' }));
    shared.publishPresence(this.boardId, { kind: 'states', instanceId: shared.instanceId, frame, speakers });
  }

  /**
   * A write answers for every update of its batch at once (in one microtask turn): they are applied
   * together, one transaction per run of updates from the same connection, so a burst costs each
   * reader one frame per run instead of one per update. In a microtask: before any other event is
   * handled, as if applied one by one.
   */
  private applyStoredSoon(update: Uint8Array, seq: number, conn: Connection): void {
    if (this.storedToApply.length === 0) queueMicrotask(this.applyStoredBatch);
    this.storedToApply.push({ update, seq, conn });
  }

  private readonly applyStoredBatch = (): void => {
    const batch = this.storedToApply.splice(0);
    if (this.destroyed) return;
    for (let start = 0; start < batch.length; ) {
      const conn = batch[start]!.conn;
      let end = start + 1;
      while (end < batch.length && batch[end]!.conn === conn) end++;
      const origin: ConnectionOrigin = { source: 'remote', connection: conn };
      this.doc.transact(() => {
        for (let i = start; i < end; i++) this.applyStored(batch[i]!.update, batch[i]!.seq, origin);
      }, origin);
      start = end;
    }
    if (traceChannels.relayed.hasSubscribers) traceChannels.relayed.publish({ updates: batch.map((b) => b.update) } satisfies TracedBatch);
    if (this.uncompacted >= this.context.limits.compactAfterUpdates) void this.compact();
  };

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
      this.gate.resize(this.storedBytes, [...this.inFlight, ...this.writes].reduce((n, w) => n + w.update.length, 0));
    } catch (err) {
      this.context.onError(this.boardId, 'compaction failed', err);
    }
  }

  private receivePresence(conn: Connection, update: Uint8Array): void {
    if (!conn.takePresence()) return this.context.refuse(conn, CloseCode.tooManyRequests, 'presence changes too often');
    const decoded = decodeAwarenessUpdate(update);
    if (!decoded) return this.context.refuse(conn, CloseCode.badMessage, 'malformed awareness');
    // An id another instance's connection speaks for is another device's here too (an echo), unless it is this device's.
    const entries = this.remoteSpeakers.size === 0 ? decoded : decoded.filter((e) => (this.remoteSpeakers.get(e.clientId) ?? conn.keyHash) === conn.keyHash);
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
      const frame = admitted.length === decoded.length ? update : encodeAwarenessEntries(admitted);
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
    if (this.presenceChangedHere.size > 0) {
      // The other instances hear of this instance's connections only (each times remote states out itself).
      this.publishPresenceOf([...this.presenceChangedHere].filter((id) => this.awareness.meta.has(id)));
      this.presenceChangedHere.clear();
    }
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
    const local = conn !== null && this.connections.has(conn);
    if (local) conn.noteAwareness([...added, ...updated], removed);
    if (this.shared && (local || origin === leftOrigin)) for (const id of changed) this.presenceChangedHere.add(id);
    // Relayed to the sender too: y-websocket clients expect their own state back.
    for (const id of changed) this.presenceChanged.add(id);
    const interval = this.context.limits.presenceIntervalMs;
    if (interval <= 0) return this.flushPresence();
    this.presenceTimer ??= setTimeout(this.flushPresence, interval);
  };
}

