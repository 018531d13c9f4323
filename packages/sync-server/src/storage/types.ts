/**
 * What the sync server needs from persistence. Every adapter (SQLite today,
 * PostgreSQL later) passes the one contract suite in `contract.ts`.
 *
 * Durability rule: an update is relayed only after `appendUpdates` resolved, so a
 * crash never loses anything another client has seen.
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
}

/** Binds a Yjs client id to the key of the device that first wrote with it. */
export interface ClientOwner {
  readonly clientId: number;
  readonly keyHash: string;
}

export interface PendingUpdate {
  readonly boardId: string;
  readonly update: Uint8Array;
  /** Client ids this update writes for the first time, stored with it (first binding wins). */
  readonly newOwners?: readonly ClientOwner[];
}

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

export interface BoardStorage {
  /** Creates a board with its initial state and hashed role tokens, atomically. Throws if the id exists. */
  createBoard(board: BoardRecord, initialState: Uint8Array, tokens: readonly TokenRecord[]): Promise<void>;
  getBoard(boardId: string): Promise<BoardRecord | null>;
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

  /** The stored state of a board, or null if the board does not exist. */
  loadState(boardId: string): Promise<StoredState | null>;
  /**
   * Appends updates (possibly of several boards) durably, all or nothing, in order.
   * Resolves with each update's sequence number (increasing), once durable.
   */
  appendUpdates(updates: readonly PendingUpdate[]): Promise<number[]>;
  /**
   * Replaces the snapshot with `snapshot` and deletes the updates with seq <= throughSeq,
   * atomically. `snapshot` must contain everything up to throughSeq.
   */
  compact(boardId: string, snapshot: Uint8Array, throughSeq: number): Promise<void>;
  /** Number of update rows after the snapshot (for deciding when to compact). */
  countUpdates(boardId: string): Promise<number>;

  close(): Promise<void>;
}
