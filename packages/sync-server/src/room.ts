/**
 * One loaded board: the document every client syncs with, a shadow replica used to
 * inspect incoming updates before they are accepted, and the awareness of its clients.
 */
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import {
  attributionViolations,
  canWriteRoot,
  inspectTransaction,
  lockViolations,
  voteViolations,
  type ChangeReport,
  type PlanOrigin,
  type Role,
  roots,
  storageOrigin,
} from '@tabla/plan-model';
import type { Connection } from './connection.js';
import { type AwarenessEntry, CloseCode, encodeAwareness, encodeUpdate } from './protocol.js';
import type { ClientOwner, StoredState } from './storage/types.js';

export type Verdict =
  | { readonly ok: true; readonly noop: true }
  | { readonly ok: true; readonly noop: false; readonly newOwners: readonly ClientOwner[] }
  | { readonly ok: false; readonly code: CloseCode; readonly reason: string };

/**
 * Who sends an update: the role its link grants, the municipality the link is bound to (null =
 * a general link; set by the server from the token, see `Access`) and the device key it presented.
 */
export interface Sender {
  readonly role: Role;
  readonly municipalityId: string | null;
  readonly keyHash: string;
}

export interface RoomOptions {
  readonly maxDocumentBytes: number;
  /** Called for each stored update relayed, with its size and how many connections got it. */
  readonly onRelay?: (bytes: number, recipients: number) => void;
}

/** Origin of an update a connection sent, once stored. */
export interface ConnectionOrigin {
  readonly source: 'remote';
  readonly connection: Connection;
}

/** A browser tab has one presence id; a few allow for reconnects and tests. */
const MAX_PRESENCE_IDS_PER_CONNECTION = 4;
/** Presence ids that left, kept to tell their device's reconnect from others' late echoes (a few bytes each). */
const MAX_LEFT_PRESENCE = 1000;

export class Room {
  readonly doc = new Y.Doc();
  readonly awareness: awarenessProtocol.Awareness;
  readonly connections = new Set<Connection>();
  /** Accepted updates written to storage but not yet applied to `doc`, in order. */
  readonly inFlight: Uint8Array[] = [];
  /**
   * The document plus the accepted updates still being written: what an incoming update is
   * judged against (its "before"; the shadow is its "after").
   */
  private accepted: Y.Doc;
  private shadow!: Y.Doc;
  private lastChange: ShadowChange | null = null;
  /** Sequence number of the last stored update applied to `doc`. */
  lastAppliedSeq: number;
  /** Stored updates since the last snapshot. */
  uncompacted: number;
  /** Stored size of the board (snapshot + updates since), a cheap bound on the document's size. */
  storedBytes: number;
  unloadTimer: ReturnType<typeof setTimeout> | null = null;
  /**
   * Yjs client id -> key hash of the device allowed to write more under it. Yjs trusts
   * client ids; without this, anyone could claim another client's next clock range with
   * empty structs, and that client's real edits would later be dropped as already known.
   */
  private readonly owners: Map<number, string>;
  /** Awareness client id -> the connection that speaks for it. */
  private readonly awarenessOwners = new Map<number, Connection>();
  /** Presence id of a connection that left -> its device's key hash (insertion order = oldest first). */
  private readonly leftPresence = new Map<number, string>();

  constructor(
    readonly boardId: string,
    state: StoredState,
    private readonly options: RoomOptions,
  ) {
    roots(this.doc);
    // One transaction over all stored updates: ~25x faster than Y.mergeUpdates first (measured: 10k updates).
    this.doc.transact(() => {
      if (state.snapshot) Y.applyUpdate(this.doc, state.snapshot);
      for (const update of state.updates) Y.applyUpdate(this.doc, update);
    }, storageOrigin);
    this.lastAppliedSeq = state.lastSeq;
    this.uncompacted = state.updates.length;
    this.storedBytes = (state.snapshot?.length ?? 0) + state.updates.reduce((n, u) => n + u.length, 0);
    this.owners = new Map(state.clientOwners);
    this.accepted = replicaOf(this.doc, []);
    this.rebuildShadow();

    this.awareness = new awarenessProtocol.Awareness(this.doc);
    this.awareness.setLocalState(null); // the server itself is nobody
    this.awareness.on('update', this.onAwarenessUpdate);
    this.doc.on('update', this.onDocUpdate);
  }

  /**
   * Applies an incoming update to the shadow and judges it: schema v1 must still
   * hold and the sender's role must allow every root it touched. On refusal the
   * shadow is rebuilt, so nothing of the update remains.
   */
  inspect(update: Uint8Array, sender: Sender): Verdict {
    let meta: { from: Map<number, number>; to: Map<number, number> };
    try {
      meta = Y.parseUpdateMeta(update);
    } catch {
      return { ok: false, code: CloseCode.badMessage, reason: 'undecodable update' };
    }
    // Clock ranges this update adds: only the device that owns a client id may extend it.
    const newOwners: ClientOwner[] = [];
    for (const [client, end] of meta.to) {
      const known = Y.getState(this.shadow.store, client);
      if (end <= known) continue;
      // Refused before touching the shadow: a viewer looping connect/write costs no rebuild.
      if (sender.role === 'viewer') return { ok: false, code: CloseCode.forbidden, reason: 'viewers cannot write' };
      const owner = this.owners.get(client);
      if (owner === undefined && known === 0) {
        // A client id someone else announced in presence is theirs, even before they write (and
        // after they left: their device comes back with it).
        const announcer = this.awarenessOwners.get(client)?.keyHash ?? this.leftPresence.get(client);
        if (announcer !== undefined && announcer !== sender.keyHash) return { ok: false, code: CloseCode.forbidden, reason: 'writes under another client id' };
        newOwners.push({ clientId: client, keyHash: sender.keyHash });
      }
      else if (owner !== sender.keyHash) return { ok: false, code: CloseCode.forbidden, reason: 'writes under another client id' };
    }

    const { pendingStructs, pendingDs } = this.shadow.store;
    this.lastChange = null;
    try {
      Y.applyUpdate(this.shadow, update);
    } catch {
      this.rebuildShadow();
      return { ok: false, code: CloseCode.badMessage, reason: 'undecodable update' };
    }
    const change = this.lastChange as ShadowChange | null;
    const report = change?.report;
    const pendingChanged = pendingStructs !== this.shadow.store.pendingStructs || pendingDs !== this.shadow.store.pendingDs;
    if (!pendingChanged && (change === null || !change.addedOrDeleted)) return { ok: true, noop: true };
    if (sender.role === 'viewer') return this.refuse(CloseCode.forbidden, 'viewers cannot write');
    // Honest clients only build on what the server relayed (it stores first), so an update that
    // leaves parts waiting for missing changes is forged: such parts would be checked later, in
    // someone else's transaction, and would be sent to every client that syncs.
    if (pendingChanged) return this.refuse(CloseCode.invalidUpdate, 'depends on changes the server does not have');
    if (!report) return this.refuse(CloseCode.badMessage, 'update not applied');
    if (report.problems.length > 0) return this.refuse(CloseCode.invalidUpdate, report.problems[0]!);
    for (const root of report.roots) {
      if (!canWriteRoot(sender.role, root)) return this.refuse(CloseCode.forbidden, `${sender.role} cannot change ${root}`);
    }
    if (sender.role !== 'facilitator') {
      const problem =
        // Agreed parts are the facilitator's alone: locked lanes, or the whole locked board.
        lockViolations(this.accepted, this.shadow, report.activities)[0] ??
        // A coordinator speaks only for the municipality its link is bound to: "added by", partner joins, dots.
        attributionViolations(this.accepted, this.shadow, report.activities, sender.municipalityId)[0] ??
        voteViolations(this.accepted, this.shadow, report.votes, sender.municipalityId)[0];
      if (problem !== undefined) return this.refuse(CloseCode.forbidden, problem);
    }
    // Accepted updates still being written count too: storedBytes grows only once they are stored.
    const inFlightBytes = this.inFlight.reduce((n, u) => n + u.length, 0);
    if (this.storedBytes + inFlightBytes + update.length > this.options.maxDocumentBytes) {
      return this.refuse(CloseCode.documentTooLarge, 'board too large');
    }
    // Bound now, so this sender's next update (sent before this one is stored) passes too.
    for (const o of newOwners) this.owners.set(o.clientId, o.keyHash);
    Y.applyUpdate(this.accepted, update);
    return { ok: true, noop: false, newOwners };
  }

  /**
   * The presence states a connection may send, and why it may not (a problem closes it). Stock
   * y-websocket clients send back every state they receive, and time others out on their own
   * clock: an entry about another device's presence, or about one that has left, is such an echo
   * and is dropped, never a reason to close. A claim of its own must carry its link's role and
   * (bound link) municipality, and only the facilitator leads the view (`view`, which projectors
   * and summoned coordinators follow).
   */
  admitPresence(conn: Connection, entries: readonly AwarenessEntry[]): { admitted: AwarenessEntry[]; problem: string | null } {
    const admitted: AwarenessEntry[] = [];
    for (const entry of entries) {
      const { clientId, clock, state } = entry;
      if (!this.speaksFor(conn, clientId)) continue; // another device's presence: an echo
      const known = this.awareness.meta.get(clientId)?.clock;
      // Nothing new (not newer than ours), or "gone" for an id nobody knows: an echo too.
      if (known === undefined ? state === null : !(known < clock || (known === clock && state === null && this.awareness.states.has(clientId)))) continue;
      admitted.push(entry);
    }
    const ids = new Set(admitted.filter((e) => e.state !== null).map((e) => e.clientId));
    // Ids it speaks for that are still present (one that said "gone" takes no place).
    for (const id of conn.awarenessIds) if (this.awareness.states.has(id)) ids.add(id);
    if (ids.size > MAX_PRESENCE_IDS_PER_CONNECTION) return { admitted: [], problem: 'too many presence ids' };
    for (const { state } of admitted) {
      const user = state?.user as { role?: unknown; municipalityId?: unknown } | undefined;
      if (user?.role != null && user.role !== conn.role) return { admitted: [], problem: 'presence claims another role' };
      if (conn.municipalityId !== null && user?.municipalityId != null && user.municipalityId !== conn.municipalityId) {
        return { admitted: [], problem: 'presence claims another municipality' };
      }
      if (conn.role !== 'facilitator' && state?.view !== undefined) return { admitted: [], problem: 'only the facilitator leads the view' };
    }
    for (const { clientId } of admitted) {
      this.awarenessOwners.set(clientId, conn);
      this.leftPresence.delete(clientId);
    }
    return { admitted, problem: null };
  }

  /**
   * Whether a presence id is this connection's device's to speak for: the id of a live
   * connection belongs to that connection's device (a reconnect may take over its own), an id
   * that wrote to the board to the device bound to it, and an id whose connection left to that
   * device still (a reconnect brings the same id back; an echo from anyone else is dropped).
   */
  private speaksFor(conn: Connection, clientId: number): boolean {
    const live = this.awarenessOwners.get(clientId);
    if (live) return live === conn || (live.keyHash !== '' && live.keyHash === conn.keyHash);
    const writer = this.owners.get(clientId);
    if (writer !== undefined && writer !== conn.keyHash) return false;
    const left = this.leftPresence.get(clientId);
    if (left === undefined) return true;
    // Its device coming back: a reconnect announces its own id first. A connection that already
    // speaks for another id only echoes (another tab of the same device, or any keyless client).
    return left === conn.keyHash && conn.awarenessIds.size === 0;
  }

  /** A connection left: its presence ids are free again, and their bookkeeping goes too. */
  releaseAwareness(conn: Connection): void {
    for (const [id, owner] of this.awarenessOwners) {
      if (owner !== conn) continue;
      this.awarenessOwners.delete(id);
      this.awareness.meta.delete(id);
      this.leftPresence.set(id, conn.keyHash);
    }
    // Remembered a while, so echoes still on their way are recognised; bounded, oldest first.
    for (const id of this.leftPresence.keys()) {
      if (this.leftPresence.size <= MAX_LEFT_PRESENCE) break;
      this.leftPresence.delete(id);
    }
  }

  /** After a failed storage write: forget what was not stored, including client ids it bound. */
  forget(newOwners: readonly ClientOwner[]): void {
    for (const o of newOwners) if (this.owners.get(o.clientId) === o.keyHash) this.owners.delete(o.clientId);
    this.accepted.destroy();
    this.accepted = replicaOf(this.doc, this.inFlight);
    this.rebuildShadow();
  }

  /** Applies a stored update to the document; `onDocUpdate` relays it. */
  applyStored(update: Uint8Array, seq: number, origin: ConnectionOrigin | PlanOrigin): void {
    const i = this.inFlight.indexOf(update);
    if (i >= 0) this.inFlight.splice(i, 1);
    else Y.applyUpdate(this.accepted, update); // not judged here (none today): keep the replicas equal
    Y.applyUpdate(this.doc, update, origin);
    this.lastAppliedSeq = Math.max(this.lastAppliedSeq, seq);
    this.uncompacted++;
    this.storedBytes += update.length;
  }

  /** Sends a frame to every connection (but one); returns how many got it. */
  broadcast(frame: Uint8Array, except?: Connection): number {
    let sent = 0;
    for (const conn of this.connections) {
      if (conn === except) continue;
      conn.send(frame);
      sent++;
    }
    return sent;
  }

  /** After compaction: the stored size is the snapshot's plus what came after it. */
  compacted(snapshotBytes: number, bytesSinceSnapshot: number): void {
    this.storedBytes = snapshotBytes + bytesSinceSnapshot;
  }

  destroy(): void {
    this.awareness.off('update', this.onAwarenessUpdate);
    this.doc.off('update', this.onDocUpdate);
    this.awareness.destroy();
    this.doc.destroy();
    this.accepted.destroy();
    this.shadow.destroy();
  }

  private refuse(code: CloseCode, reason: string): Verdict {
    this.rebuildShadow();
    return { ok: false, code, reason };
  }

  /** The shadow starts equal to `accepted`: the document plus the accepted updates still being written. */
  private rebuildShadow(): void {
    this.shadow?.destroy();
    this.shadow = replicaOf(this.accepted, []);
    this.shadow.on('afterTransaction', (tr: Y.Transaction) => {
      this.lastChange = {
        report: inspectTransaction(tr),
        addedOrDeleted: tr.deleteSet.clients.size > 0 || !sameState(tr.beforeState, tr.afterState),
      };
    });
  }

  private readonly onDocUpdate = (update: Uint8Array, origin: unknown): void => {
    const sender = (origin as Partial<ConnectionOrigin> | null)?.connection;
    const recipients = this.broadcast(encodeUpdate(update), sender);
    this.options.onRelay?.(update.length, recipients);
  };

  private readonly onAwarenessUpdate = (
    { added, updated, removed }: { added: number[]; updated: number[]; removed: number[] },
    origin: unknown,
  ): void => {
    const changed = [...added, ...updated, ...removed];
    if (changed.length === 0) return;
    const conn = origin as Connection | null;
    if (conn && this.connections.has(conn)) {
      for (const id of [...added, ...updated]) conn.awarenessIds.add(id);
      for (const id of removed) conn.awarenessIds.delete(id);
    }
    // Relayed to the sender too: y-websocket clients expect their own state back.
    this.broadcast(encodeAwareness(awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed)));
  };
}

/** A replica of `doc` with `updates` applied, every root defined (see validate.ts, rootAsMap). */
function replicaOf(doc: Y.Doc, updates: readonly Uint8Array[]): Y.Doc {
  const replica = new Y.Doc();
  roots(replica);
  Y.applyUpdate(replica, Y.encodeStateAsUpdate(doc));
  for (const update of updates) Y.applyUpdate(replica, update);
  return replica;
}

interface ShadowChange {
  readonly report: ChangeReport;
  readonly addedOrDeleted: boolean;
}

const sameState = (a: Map<number, number>, b: Map<number, number>): boolean =>
  a.size === b.size && [...a].every(([client, clock]) => b.get(client) === clock);
