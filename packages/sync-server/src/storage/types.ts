/**
 * What the sync server needs from persistence: two interfaces, not one.
 *
 * - `DocumentLog` holds each board's document: a snapshot (the last compacted state; at first the
 *   board's initial state), the Yjs updates appended after it with their sequence numbers, and two
 *   kinds of per-board bindings of a Yjs client id to a device key hash, both first-binding-wins and
 *   kept through compaction: `clientOwners` (who may extend a document client id, stored with the
 *   update that first wrote under it) and `presenceOwners` (who speaks for an awareness client id).
 * - `BoardDirectory` holds what the board is and who may enter it: the board record (id, title,
 *   created) and its role links as hashed tokens (one active per role and municipality or none;
 *   revoked ones stop working). `createBoard` also writes the log's first snapshot, atomically.
 *
 * `BoardStorage` is both plus `close()`; every adapter (memory, SQLite, PostgreSQL) implements
 * it and passes the contract suites in `contract.ts`, whose cases cite the rule ids of
 * `packages/sync-server/STORAGE.md` (ST1…).
 *
 * Durability rule: a method resolves only once what it wrote is durable (for the memory adapter:
 * once it is in memory), and a write that rejects left nothing behind. The server relays an update
 * only after `appendUpdates` resolved, so a crash never loses anything another client has seen.
 * Turning a `StoredState` into a document is `applyStoredState` / `loadStoredState` in `document.ts`.
 */
import type { Role } from '@tabla/plan-model';

export interface BoardRecord {
  readonly id: string;
  readonly title: string;
  /** ms since epoch */
  readonly createdAt: number;
}

export interface StoredState {
  /** The last compacted state (a Yjs update), or null before the first compaction. */
  readonly snapshot: Uint8Array | null;
  /** Updates appended after the snapshot, in append order. */
  readonly updates: readonly Uint8Array[];
  /** Sequence number of the last update included above (0 when none); pass to `compact`. */
  readonly lastSeq: number;
  /** Yjs client id -> hash of the client key allowed to extend it ('' = any keyless client). */
  readonly clientOwners: ReadonlyMap<number, string>;
  /** Awareness (presence) client id -> hash of the device key that speaks for it (`bindPresence`). */
  readonly presenceOwners: ReadonlyMap<number, string>;
}

/** Binds a Yjs client id (document or presence) to the key hash of the device that first used it. */
export interface ClientOwner {
  readonly clientId: number;
  readonly keyHash: string;
}

export interface PendingUpdate {
  readonly boardId: string;
  readonly update: Uint8Array;
  /** Client ids this update writes for the first time, stored with it (first binding wins). */
  readonly newOwners?: readonly ClientOwner[];
  /**
   * The seq this update must get (ST23): the board's log must be exactly as the writer saw it when
   * it judged the update. If another writer appended first, the whole call rejects with
   * `SeqConflictError`, storing nothing. Only for adapters with `seqsPerBoard`; others reject it.
   */
  readonly expectSeq?: number;
}

/**
 * `appendUpdates` stored nothing because another writer appended to these boards first (an
 * `expectSeq` was not the seq the update would get). The caller catches up and judges again.
 */
export class SeqConflictError extends Error {
  override name = 'SeqConflictError';
  constructor(readonly boardIds: readonly string[]) {
    super(`another writer appended to ${boardIds.map((id) => JSON.stringify(id)).join(', ')} first`);
  }
}

/** An update of a board's log with its sequence number. */
export interface LoggedUpdate {
  readonly seq: number;
  readonly update: Uint8Array;
}

/**
 * What a board's log holds after a seq (`DocumentLog.loadUpdatesSince`, ST21):
 * - `updates`: every update with a greater seq, in seq order; `lastSeq` is the last one's seq (or
 *   the asked seq when there is none); `clientOwners` are the bindings those updates made.
 * - `compacted`: a compaction folded updates after the asked seq into the snapshot, so they are
 *   gone one by one: here is the whole stored state instead, as `loadState` gives it. Apply it to
 *   the document that is behind (Yjs updates are idempotent: what it already has changes nothing).
 */
export type UpdatesSince =
  | {
      readonly kind: 'updates';
      readonly updates: readonly LoggedUpdate[];
      readonly lastSeq: number;
      readonly clientOwners: ReadonlyMap<number, string>;
    }
  | { readonly kind: 'compacted'; readonly state: StoredState };

export interface TokenRecord {
  readonly role: Role;
  /** sha-256 of the token, hex. The token itself is never stored. */
  readonly tokenHash: string;
  /**
   * Only for role 'editor': the municipality whose coordinators this link is bound to (non-empty).
   * Absent = the role's general link. A board has one active token per (role, municipality or none).
   */
  readonly municipalityId?: string;
  /** When the token was issued (ms since epoch): set by `getTokens`, ignored when writing. */
  readonly createdAt?: number;
}

/**
 * A saved version of a board (its snapshot kept apart, see `DocumentLog.saveVersion`): named by the
 * facilitator, or saved automatically (`auto`) at a moment that matters (a vote revealed, a lock).
 */
export interface VersionRecord {
  readonly id: string;
  readonly name: string;
  /** ms since epoch */
  readonly createdAt: number;
  /** Who saved it, as they named themselves (a role, never checked), or 'Tabla' for an automatic one. */
  readonly by: string;
  readonly auto: boolean;
  /** One line about the board then, e.g. "13 aktivnosti u 4 oblasti, 9 općina". */
  readonly summary: string;
}

/** A version with its snapshot: the whole board as one Yjs update. */
export type StoredVersion = VersionRecord & { readonly snapshot: Uint8Array };

/** Each board's document: snapshot + update log, the client-id bindings and saved versions. Rules ST1-ST10, ST18-ST23. */
export interface DocumentLog {
  /**
   * Whether each board counts its own seqs from 1 without gaps (PostgreSQL; memory when asked):
   * then an instance that applied seq n and hears of n + 2 knows n + 1 exists, and `expectSeq`
   * works. The fan-out between server instances needs it. Otherwise boards share one sequence.
   */
  readonly seqsPerBoard: boolean;
  /**
   * How many `appendUpdates` transactions are worth having in flight at once. 1 for a single writer
   * (SQLite commits one transaction at a time: a second one in flight would only queue and pay a
   * commit of its own); unset: a few (`MAX_WRITES_IN_FLIGHT`, for a pool of connections).
   */
  readonly writesAtOnce?: number;
  /** The stored state of a board, or null if the board does not exist. */
  loadState(boardId: string): Promise<StoredState | null>;
  /**
   * Appends updates (possibly of several boards) durably, all or nothing, in order, with their
   * `newOwners` (first binding per board and client id wins). Resolves with each update's sequence
   * number (increasing per board, never reused on it), once durable. Rejects for an unknown board,
   * storing nothing.
   */
  appendUpdates(updates: readonly PendingUpdate[]): Promise<number[]>;
  /**
   * Replaces the snapshot with `snapshot` and deletes the updates with seq <= throughSeq,
   * atomically. `snapshot` must contain everything up to throughSeq. A throughSeq at or below the
   * current snapshot's is a no-op; one beyond the last appended seq (or not a non-negative integer)
   * is a RangeError. Rejects for an unknown board.
   */
  compact(boardId: string, snapshot: Uint8Array, throughSeq: number): Promise<void>;
  /** Number of update rows after the snapshot (for deciding when to compact). */
  countUpdates(boardId: string): Promise<number>;
  /**
   * The updates appended after `afterSeq` with their seqs and the client owners they bound, or the
   * whole state when a compaction covered some of them (ST21). Null for an unknown board. How an
   * instance that is behind (lagging, or missed a relay) catches up.
   */
  loadUpdatesSince(boardId: string, afterSeq: number): Promise<UpdatesSince | null>;
  /**
   * The last seq of each known board (what a fresh `loadState` would give as `lastSeq`); unknown
   * boards are left out (ST22). One cheap call for every board an instance has loaded.
   */
  latestSeqs(boardIds: readonly string[]): Promise<Map<string, number>>;
  /**
   * Binds presence (awareness) client ids to device key hashes, durably and all at once: a client id
   * already bound on this board keeps its first binding (also within one call). Rejects for an
   * unknown board, binding nothing.
   */
  bindPresence(boardId: string, bindings: readonly ClientOwner[]): Promise<void>;
  /**
   * Stores a version of a board, durably. Versions are kept beside the log, untouched by compaction.
   * Rejects for an unknown board and for an id the board already has, storing nothing.
   */
  saveVersion(boardId: string, version: StoredVersion): Promise<void>;
  /** A board's versions without their snapshots, newest first (then by id); [] for an unknown board. */
  listVersions(boardId: string): Promise<VersionRecord[]>;
  /** One version with its snapshot, or null (unknown board or version). */
  getVersion(boardId: string, versionId: string): Promise<StoredVersion | null>;
}

/** Boards and their role links (hashed tokens). Rules ST11-ST16. */
export interface BoardDirectory {
  /**
   * Creates a board with its initial state (the log's first snapshot) and hashed role tokens,
   * atomically. Throws if the id exists, for two tokens of one (role, municipality or none) link, and
   * for a bad municipality binding (see `replaceToken`); then nothing is stored.
   */
  createBoard(board: BoardRecord, initialState: Uint8Array, tokens: readonly TokenRecord[]): Promise<void>;
  getBoard(boardId: string): Promise<BoardRecord | null>;
  /** Every board, by `createdAt`, then id. */
  listBoards(): Promise<BoardRecord[]>;
  /** Active (not revoked) token hashes of a board, with `municipalityId` (when bound) and `createdAt`. */
  getTokens(boardId: string): Promise<TokenRecord[]>;
  /**
   * Replaces the active token of the same role and municipality (none = the role's general link):
   * that one stops working, every other token stays. Throws for an unknown board, and for a
   * `municipalityId` on a role other than 'editor' or an empty one.
   */
  replaceToken(boardId: string, token: TokenRecord): Promise<void>;
  /**
   * Revokes the active token of a role's general link (no `municipalityId`) or of one
   * municipality's link, leaving no working token for it. Resolves true if one was active.
   * Throws for an unknown board.
   */
  revokeToken(boardId: string, role: Role, municipalityId?: string): Promise<boolean>;
}

/** One store holding both, as the sync server and `apps/server` use it. */
export interface BoardStorage extends DocumentLog, BoardDirectory {
  /** Releases the store; calling it again is a no-op. */
  close(): Promise<void>;
}
