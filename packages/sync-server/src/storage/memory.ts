/**
 * In-memory adapter of `BoardStorage`: the same rules as SQLite (the contract suites in
 * `contract.ts` run against both), for tests and for servers that need no disk.
 *
 * "Durable" here means "in this process's memory": a method resolves once its write is in the
 * shared data, and a write that throws changed nothing (each one checks everything, then commits
 * synchronously, so no other call can see it half done). `reopen()` gives a new storage over the
 * same data, as a restart would over the same database file.
 *
 * Bytes are copied in and out: the storage never keeps the caller's buffer, and a caller that
 * changes what it loaded cannot change what is stored.
 */
import { isRole, type Role } from '@tabla/plan-model';
import {
  type BoardRecord,
  type BoardStorage,
  type ClientOwner,
  type PendingUpdate,
  SeqConflictError,
  type StoredState,
  type StoredVersion,
  type TokenRecord,
  type UpdatesSince,
  type VersionRecord,
} from './types.js';
import { bindingOf } from './rows.js';

/**
 * TEST SEAM ONLY: the same hooks as `SqliteFaultInjection`, called after the operation was worked
 * out and before it is committed. A hook that throws makes the method reject with nothing changed.
 */
export interface MemoryFaultInjection {
  /** Called with the seqs `appendUpdates` is about to commit. */
  beforeAppendCommit?: (insertedSeqs: readonly number[]) => void;
  /** Called with what `compact` is about to commit. */
  beforeCompactCommit?: (info: { boardId: string; throughSeq: number; deletedRows: number }) => void;
}

export interface MemoryStorageOptions {
  /** Clock for token `createdAt` (ms since epoch). Default `Date.now`. */
  now?: () => number;
  /** Test seam, see `MemoryFaultInjection`. */
  faultInjection?: MemoryFaultInjection;
  /**
   * Each board counts its own seqs from 1 without gaps, as PostgreSQL does (`seqsPerBoard`), so
   * the fan-out between instances can be tested without services. Default false: one sequence
   * shared by every board, like SQLite's. Fixed when the data is created (`open`); `reopen` keeps it.
   */
  seqsPerBoard?: boolean;
}

interface StoredToken {
  readonly role: Role;
  readonly tokenHash: string;
  /** null = the role's general link. */
  readonly municipalityId: string | null;
  readonly createdAt: number;
  revokedAt: number | null;
}

interface MemoryBoard {
  readonly record: BoardRecord;
  /** Every token ever issued, revoked ones included (as SQLite keeps its rows). */
  readonly tokens: StoredToken[];
  snapshot: Uint8Array;
  /** Last seq folded into `snapshot` (0 = the initial state). */
  throughSeq: number;
  updates: { readonly seq: number; readonly data: Uint8Array }[];
  /** The board's last seq (with `seqsPerBoard`; otherwise unused). */
  lastSeq: number;
  readonly clientOwners: Map<number, string>;
  /** The seq of the update that bound each client owner (what `loadUpdatesSince` gives back). */
  readonly ownerSeqs: Map<number, number>;
  readonly presenceOwners: Map<number, string>;
  /** Saved versions, in the order saved. */
  readonly versions: StoredVersion[];
}

/** What a restart keeps: shared by a storage and the storages `reopen()` returns. */
interface MemoryData {
  readonly boards: Map<string, MemoryBoard>;
  /** Last seq ever assigned, on any board: seqs are global and never reused, like SQLite's AUTOINCREMENT. */
  lastSeq: number;
  /** Each board counts its own seqs instead (see `MemoryStorageOptions.seqsPerBoard`). */
  readonly seqsPerBoard: boolean;
}

const copy = (bytes: Uint8Array): Uint8Array => bytes.slice();

/** Code-unit order, as SQLite's BINARY collation orders ASCII. */
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The (role, municipality or null) link a token is for; throws as SQLite's CHECK constraints do. */
function linkOf(role: Role, municipalityId: string | null | undefined): string | null {
  if (!isRole(role)) throw new Error(`unknown role ${JSON.stringify(role)}`);
  return bindingOf(role, municipalityId);
}

const toRecord = (t: StoredToken): TokenRecord => ({
  role: t.role,
  tokenHash: t.tokenHash,
  ...(t.municipalityId === null ? {} : { municipalityId: t.municipalityId }),
  createdAt: t.createdAt,
});

const toVersionRecord = (v: VersionRecord): VersionRecord => ({
  id: v.id,
  name: v.name,
  createdAt: v.createdAt,
  by: v.by,
  auto: v.auto,
  summary: v.summary,
});

const isActive = (t: StoredToken, role: Role, municipalityId: string | null): boolean =>
  t.revokedAt === null && t.role === role && t.municipalityId === municipalityId;

export class MemoryStorage implements BoardStorage {
  readonly #data: MemoryData;
  readonly #options: MemoryStorageOptions;
  readonly #now: () => number;
  readonly #faults: MemoryFaultInjection;
  #closed = false;

  /** An empty storage. */
  static open(options: MemoryStorageOptions = {}): MemoryStorage {
    return new MemoryStorage({ boards: new Map(), lastSeq: 0, seqsPerBoard: options.seqsPerBoard ?? false }, options);
  }

  get seqsPerBoard(): boolean {
    return this.#data.seqsPerBoard;
  }

  /** Use `MemoryStorage.open` (or `reopen`). */
  private constructor(data: MemoryData, options: MemoryStorageOptions) {
    this.#data = data;
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#faults = options.faultInjection ?? {};
  }

  /**
   * A new storage over the same data, as after a restart (with these options, or this one's).
   * Works on a closed storage; this one is not closed by it.
   */
  reopen(options: MemoryStorageOptions = this.#options): MemoryStorage {
    return new MemoryStorage(this.#data, options);
  }

  #open(): MemoryData {
    if (this.#closed) throw new Error('MemoryStorage is closed');
    return this.#data;
  }

  #board(boardId: string): MemoryBoard {
    const board = this.#open().boards.get(boardId);
    if (!board) throw new Error(`Unknown board: ${JSON.stringify(boardId)}`);
    return board;
  }

  // ---------------------------------------------------------------------------------------------
  // BoardDirectory

  async createBoard(board: BoardRecord, initialState: Uint8Array, tokens: readonly TokenRecord[]): Promise<void> {
    const data = this.#open();
    if (data.boards.has(board.id)) throw new Error(`Board already exists: ${JSON.stringify(board.id)}`);
    const now = this.#now();
    const stored: StoredToken[] = [];
    for (const token of tokens) {
      const municipalityId = linkOf(token.role, token.municipalityId);
      if (stored.some((t) => isActive(t, token.role, municipalityId))) {
        throw new Error(`two tokens for one link: ${token.role} ${municipalityId ?? '(general)'}`);
      }
      stored.push({ role: token.role, tokenHash: token.tokenHash, municipalityId, createdAt: now, revokedAt: null });
    }
    data.boards.set(board.id, {
      record: { id: board.id, title: board.title, createdAt: board.createdAt },
      tokens: stored,
      snapshot: copy(initialState),
      throughSeq: 0,
      updates: [],
      lastSeq: 0,
      clientOwners: new Map(),
      ownerSeqs: new Map(),
      presenceOwners: new Map(),
      versions: [],
    });
  }

  async getBoard(boardId: string): Promise<BoardRecord | null> {
    const board = this.#open().boards.get(boardId);
    return board ? { ...board.record } : null;
  }

  async listBoards(): Promise<BoardRecord[]> {
    return [...this.#open().boards.values()]
      .map((b) => ({ ...b.record }))
      .sort((a, b) => a.createdAt - b.createdAt || compare(a.id, b.id));
  }

  async getTokens(boardId: string): Promise<TokenRecord[]> {
    const board = this.#open().boards.get(boardId);
    if (!board) return [];
    return board.tokens
      .filter((t) => t.revokedAt === null)
      .sort(
        (a, b) =>
          compare(a.role, b.role) ||
          // The general link (null) first, as SQLite orders NULL.
          (a.municipalityId === null ? -1 : 0) - (b.municipalityId === null ? -1 : 0) ||
          compare(a.municipalityId ?? '', b.municipalityId ?? ''),
      )
      .map(toRecord);
  }

  async replaceToken(boardId: string, token: TokenRecord): Promise<void> {
    const municipalityId = linkOf(token.role, token.municipalityId);
    const board = this.#board(boardId);
    const now = this.#now();
    for (const t of board.tokens) if (isActive(t, token.role, municipalityId)) t.revokedAt = now;
    board.tokens.push({ role: token.role, tokenHash: token.tokenHash, municipalityId, createdAt: now, revokedAt: null });
  }

  async revokeToken(boardId: string, role: Role, municipalityId?: string): Promise<boolean> {
    const link = linkOf(role, municipalityId);
    const board = this.#board(boardId);
    const now = this.#now();
    let revoked = false;
    for (const t of board.tokens) {
      if (isActive(t, role, link)) {
        t.revokedAt = now;
        revoked = true;
      }
    }
    return revoked;
  }

  // ---------------------------------------------------------------------------------------------
  // DocumentLog

  async loadState(boardId: string): Promise<StoredState | null> {
    const board = this.#open().boards.get(boardId);
    if (!board) return null;
    const last = board.updates[board.updates.length - 1];
    return {
      snapshot: copy(board.snapshot),
      updates: board.updates.map((u) => copy(u.data)),
      lastSeq: last?.seq ?? board.throughSeq,
      clientOwners: new Map(board.clientOwners),
      presenceOwners: new Map(board.presenceOwners),
    };
  }

  async appendUpdates(updates: readonly PendingUpdate[]): Promise<number[]> {
    const data = this.#open();
    if (updates.length === 0) return [];
    // Check everything before changing anything: all or nothing.
    const boards = updates.map((u) => this.#board(u.boardId));
    let seqs: number[];
    if (data.seqsPerBoard) {
      const next = new Map<MemoryBoard, number>();
      seqs = boards.map((board) => {
        const seq = (next.get(board) ?? board.lastSeq) + 1;
        next.set(board, seq);
        return seq;
      });
      const conflicts = new Set<string>();
      updates.forEach((u, i) => {
        if (u.expectSeq !== undefined && u.expectSeq !== seqs[i]) conflicts.add(u.boardId);
      });
      if (conflicts.size > 0) throw new SeqConflictError([...conflicts].sort(compare));
    } else {
      if (updates.some((u) => u.expectSeq !== undefined)) throw new RangeError('expectSeq needs per-board seqs (seqsPerBoard)');
      seqs = updates.map((_, i) => data.lastSeq + 1 + i);
    }
    this.#faults.beforeAppendCommit?.(seqs);

    if (!data.seqsPerBoard) data.lastSeq = seqs[seqs.length - 1]!;
    updates.forEach(({ update, newOwners }, i) => {
      const board = boards[i]!;
      const seq = seqs[i]!;
      board.updates.push({ seq, data: copy(update) });
      board.lastSeq = seq;
      for (const { clientId, keyHash } of newOwners ?? []) {
        if (board.clientOwners.has(clientId)) continue;
        board.clientOwners.set(clientId, keyHash);
        board.ownerSeqs.set(clientId, seq);
      }
    });
    return seqs;
  }

  async compact(boardId: string, snapshot: Uint8Array, throughSeq: number): Promise<void> {
    if (!Number.isSafeInteger(throughSeq) || throughSeq < 0) {
      throw new RangeError(`compact: throughSeq must be a non-negative integer, got ${throughSeq}`);
    }
    const board = this.#board(boardId);
    if (board.throughSeq >= throughSeq) return; // already compacted this far: never move backwards
    const lastAssigned = this.#data.seqsPerBoard ? board.lastSeq : this.#data.lastSeq;
    if (throughSeq > lastAssigned) {
      // Would hide updates appended later under a snapshot that cannot contain them.
      throw new RangeError(`compact: throughSeq ${throughSeq} is beyond the last appended seq ${lastAssigned}`);
    }
    const kept = board.updates.filter((u) => u.seq > throughSeq);
    this.#faults.beforeCompactCommit?.({ boardId, throughSeq, deletedRows: board.updates.length - kept.length });

    board.snapshot = copy(snapshot);
    board.throughSeq = throughSeq;
    board.updates = kept;
  }

  async countUpdates(boardId: string): Promise<number> {
    return this.#open().boards.get(boardId)?.updates.length ?? 0;
  }

  async loadUpdatesSince(boardId: string, afterSeq: number): Promise<UpdatesSince | null> {
    const board = this.#open().boards.get(boardId);
    if (!board) return null;
    if (board.throughSeq > afterSeq) return { kind: 'compacted', state: (await this.loadState(boardId))! };
    const updates = board.updates.filter((u) => u.seq > afterSeq).map((u) => ({ seq: u.seq, update: copy(u.data) }));
    const clientOwners = new Map<number, string>();
    for (const [clientId, seq] of board.ownerSeqs) if (seq > afterSeq) clientOwners.set(clientId, board.clientOwners.get(clientId)!);
    return { kind: 'updates', updates, lastSeq: updates[updates.length - 1]?.seq ?? afterSeq, clientOwners };
  }

  async latestSeqs(boardIds: readonly string[]): Promise<Map<string, number>> {
    const data = this.#open();
    const latest = new Map<string, number>();
    for (const id of boardIds) {
      const board = data.boards.get(id);
      if (board) latest.set(id, board.updates[board.updates.length - 1]?.seq ?? board.throughSeq);
    }
    return latest;
  }

  async bindPresence(boardId: string, bindings: readonly ClientOwner[]): Promise<void> {
    const board = this.#board(boardId);
    for (const { clientId, keyHash } of bindings) {
      if (!board.presenceOwners.has(clientId)) board.presenceOwners.set(clientId, keyHash);
    }
  }

  async saveVersion(boardId: string, version: StoredVersion): Promise<void> {
    const board = this.#board(boardId);
    if (board.versions.some((v) => v.id === version.id)) throw new Error(`Version already exists: ${JSON.stringify(version.id)}`);
    board.versions.push({ ...toVersionRecord(version), snapshot: copy(version.snapshot) });
  }

  async listVersions(boardId: string): Promise<VersionRecord[]> {
    const board = this.#open().boards.get(boardId);
    if (!board) return [];
    return board.versions.map(toVersionRecord).sort((a, b) => b.createdAt - a.createdAt || compare(b.id, a.id));
  }

  async getVersion(boardId: string, versionId: string): Promise<StoredVersion | null> {
    const version = this.#open().boards.get(boardId)?.versions.find((v) => v.id === versionId);
    return version ? { ...toVersionRecord(version), snapshot: copy(version.snapshot) } : null;
  }

  /** Closes this storage (its data stays for `reopen`); calling it again is a no-op. */
  async close(): Promise<void> {
    this.#closed = true;
  }
}
