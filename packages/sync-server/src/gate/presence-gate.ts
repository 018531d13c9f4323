/**
 * The presence gate: which presence (awareness) entries a connection may send, and which device
 * each presence id belongs to. No socket, storage or timer: the room applies what it admits,
 * persists the new bindings it returns and coalesces the broadcasts.
 *
 * Stock y-websocket clients send back every state they receive and time others out on their own
 * clock: an entry about another device's presence, or about one that has left, is such an echo and
 * is dropped, never a reason to close. A claim of its own must carry its link's role and (bound
 * link) municipality, be small, only the facilitator leads the view (`view`), and only a read-only
 * link says it is a projector (`user.projector`: not a person, not counted among them).
 */
import type { AwarenessEntry } from '@tabla/sync-protocol';
import type { Role } from '@tabla/plan-model';
import type { ClientOwner } from '../storage/types.js';

export interface PresenceLimits {
  /** One presence state, as JSON. */
  readonly maxPresenceStateBytes: number;
  /** Presence ids a device key may ever bind on a board (keys are bound for good: see `bindings`). */
  readonly maxPresenceIdsPerKey: number;
  /** Presence ids bound on a board; beyond it, new ids are not shown (never evicting another's). */
  readonly maxPresenceBindings: number;
}

/** A connection as the presence gate sees it. */
export interface PresenceSpeaker {
  readonly role: Role;
  readonly municipalityId: string | null;
  readonly keyHash: string;
  /** Presence ids this connection has announced and not taken back. */
  readonly awarenessIds: ReadonlySet<number>;
}

/** What the gate needs to know of the room's awareness. */
export interface PresenceView {
  /** The clock of the last state seen for an id (undefined: never seen or forgotten). */
  clockOf(clientId: number): number | undefined;
  /** Whether the id has a state now. */
  isPresent(clientId: number): boolean;
}

/** A browser tab has one presence id; a few allow for reconnects and tests. */
const MAX_PRESENCE_IDS_PER_CONNECTION = 4;
/** Keyless clients' ids that left, kept to drop their late echoes (a few bytes each; they protect nothing else). */
const MAX_KEYLESS_LEFT = 1000;

export type PresenceAdmission =
  | { readonly admitted: readonly AwarenessEntry[]; readonly newBindings: readonly ClientOwner[]; readonly problem: null }
  | { readonly admitted: readonly []; readonly newBindings: readonly []; readonly problem: string };

export class PresenceGate {
  /** Presence id -> the live connection that speaks for it. */
  private readonly live = new Map<number, PresenceSpeaker>();
  /**
   * Presence id -> key hash of the device that first announced it, for good (persisted by the
   * room): a flood of connections cannot push a device's binding out and take its id.
   */
  private readonly bound: Map<number, string>;
  private readonly idsPerKey = new Map<string, number>();
  /** Keyless ids that left (their key is shared by every stock client: nothing to persist). */
  private readonly keylessLeft = new Set<number>();

  constructor(
    bindings: ReadonlyMap<number, string>,
    /** The device key bound to a Yjs client id that wrote to the board, if any. */
    private readonly writerOf: (clientId: number) => string | undefined,
    private readonly limits: PresenceLimits,
  ) {
    this.bound = new Map(bindings);
    for (const key of this.bound.values()) this.idsPerKey.set(key, (this.idsPerKey.get(key) ?? 0) + 1);
  }

  /** The device key a presence id belongs to (live or bound), for the update gate. */
  ownerOf(clientId: number): string | undefined {
    return this.live.get(clientId)?.keyHash ?? this.bound.get(clientId) ?? (this.keylessLeft.has(clientId) ? '' : undefined);
  }

  admit(conn: PresenceSpeaker, entries: readonly AwarenessEntry[], view: PresenceView): PresenceAdmission {
    const admitted: AwarenessEntry[] = [];
    for (const entry of entries) {
      const { clientId, clock, state } = entry;
      if (!this.speaksFor(conn, clientId)) continue; // another device's presence: an echo
      const known = view.clockOf(clientId);
      // Nothing new (not newer than ours), or "gone" for an id nobody knows: an echo too.
      if (known === undefined ? state === null : !(known < clock || (known === clock && state === null && view.isPresent(clientId)))) continue;
      admitted.push(entry);
    }
    const ids = new Set(admitted.filter((e) => e.state !== null).map((e) => e.clientId));
    // Ids it speaks for that are still present (one that said "gone" takes no place).
    for (const id of conn.awarenessIds) if (view.isPresent(id)) ids.add(id);
    if (ids.size > MAX_PRESENCE_IDS_PER_CONNECTION) return refused('too many presence ids');
    for (const { state } of admitted) {
      if (state === null) continue;
      if (JSON.stringify(state).length > this.limits.maxPresenceStateBytes) return refused('presence state too large');
      const user = state.user as { role?: unknown; municipalityId?: unknown; projector?: unknown } | undefined;
      if (user?.role != null && user.role !== conn.role) return refused('presence claims another role');
      // A projector is not counted as a person: only the read-only link may say it is one.
      if (user?.projector !== undefined && conn.role !== 'viewer') return refused('only a read-only link is a projector');
      if (conn.municipalityId !== null && user?.municipalityId != null && user.municipalityId !== conn.municipalityId) {
        return refused('presence claims another municipality');
      }
      if (conn.role !== 'facilitator' && state.view !== undefined) return refused('only the facilitator leads the view');
    }
    const newBindings: ClientOwner[] = [];
    const shown: AwarenessEntry[] = [];
    for (const entry of admitted) {
      const { clientId } = entry;
      if (!this.bound.has(clientId) && conn.keyHash !== '') {
        // Bounded without evicting: past the bounds a new id is simply not shown.
        const perKey = this.idsPerKey.get(conn.keyHash) ?? 0;
        if (perKey >= this.limits.maxPresenceIdsPerKey || this.bound.size >= this.limits.maxPresenceBindings) continue;
        this.bound.set(clientId, conn.keyHash);
        this.idsPerKey.set(conn.keyHash, perKey + 1);
        newBindings.push({ clientId, keyHash: conn.keyHash });
      }
      this.live.set(clientId, conn);
      this.keylessLeft.delete(clientId);
      shown.push(entry);
    }
    return { admitted: shown, newBindings, problem: null };
  }

  /** A connection left: its presence ids are free for its own device again. */
  release(conn: PresenceSpeaker): number[] {
    const released: number[] = [];
    for (const [id, owner] of this.live) {
      if (owner !== conn) continue;
      this.live.delete(id);
      released.push(id);
      if (conn.keyHash === '' && !this.bound.has(id)) this.keylessLeft.add(id);
    }
    for (const id of this.keylessLeft) {
      if (this.keylessLeft.size <= MAX_KEYLESS_LEFT) break;
      this.keylessLeft.delete(id);
    }
    return released;
  }

  /**
   * Whether a presence id is this connection's device's to speak for: the id of a live
   * connection belongs to that connection's device (a reconnect may take over its own), an id
   * that wrote to the board to the device bound to it, and an id whose connection left to that
   * device still (a reconnect brings the same id back; an echo from anyone else is dropped).
   */
  private speaksFor(conn: PresenceSpeaker, clientId: number): boolean {
    const live = this.live.get(clientId);
    if (live) return live === conn || (live.keyHash !== '' && live.keyHash === conn.keyHash);
    const writer = this.writerOf(clientId);
    if (writer !== undefined && writer !== conn.keyHash) return false;
    const left = this.bound.get(clientId) ?? (this.keylessLeft.has(clientId) ? '' : undefined);
    if (left === undefined) return true;
    // Its device coming back: a reconnect announces its own id first. A connection that already
    // speaks for another id only echoes (another tab of the same device, or any keyless client).
    return left === conn.keyHash && conn.awarenessIds.size === 0;
  }
}

const refused = (problem: string): PresenceAdmission => ({ admitted: [], newBindings: [], problem });
