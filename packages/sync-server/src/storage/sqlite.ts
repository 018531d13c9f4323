/**
 * SQLite adapter of `BoardStorage` (better-sqlite3, WAL): the board directory and the document log
 * in one database, so `createBoard` writes a board, its tokens and its first snapshot atomically.
 *
 * Directory: `boards`, `board_tokens` (one active token per board, role and municipality or none,
 * revoked rows kept; `municipality_id` binds a coordinator link to a municipality).
 * Log: `board_updates` (append log, global AUTOINCREMENT seq so a seq is never reused),
 * `board_snapshots` (one compacted state per board; `through_seq` = last update folded into it),
 * `board_clients` (document client id -> key hash) and `board_presence` (awareness client id -> key
 * hash), both first binding wins and untouched by compaction; `board_versions` (saved versions, each
 * with its own snapshot, untouched by compaction).
 * A board's state is its snapshot followed by its updates with seq > through_seq.
 *
 * better-sqlite3 is synchronous; the methods are async only to satisfy the interface. The server
 * runs this class on a worker thread (`SqliteThreadStorage`, sqlite-thread.ts), so that waiting for
 * a commit never stops its event loop. Every write is one transaction, so a thrown error (or a
 * crash) leaves nothing half-written.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { Role } from '@tabla/plan-model';
import type {
  BoardRecord,
  BoardStorage,
  ClientOwner,
  PendingUpdate,
  StoredState,
  StoredVersion,
  TokenRecord,
  UpdatesSince,
  VersionRecord,
} from './types.js';
import { traceChannels, type TracedCommit } from '../trace.js';
import { type BoardRow, bindingOf, lengthPrefixed, toBoard, toBytes, toToken, type TokenRow } from './rows.js';

/**
 * TEST SEAM ONLY: hooks called inside the write transactions, after all rows of the operation were
 * written and before COMMIT. A hook that throws makes the whole operation roll back and the method
 * reject with that error. Production code never passes these.
 */
export interface SqliteFaultInjection {
  /** Called with the seqs just inserted by `appendUpdates` (not yet committed). */
  beforeAppendCommit?: (insertedSeqs: readonly number[]) => void;
  /** Called after `compact` upserted the snapshot and deleted the covered rows (not yet committed). */
  beforeCompactCommit?: (info: { boardId: string; throughSeq: number; deletedRows: number }) => void;
  /** Called inside `checkWritable`'s write transaction (not yet committed). */
  beforeWriteProbeCommit?: () => void;
}

/**
 * The file is not an SQLite database, or SQLite finds it damaged. The server must not start on it:
 * it would write new pages beside broken ones.
 */
export class DamagedDatabaseError extends Error {
  override name = 'DamagedDatabaseError';
  constructor(
    readonly file: string,
    /** SQLite's own words, e.g. "file is not a database". */
    readonly problem: string,
  ) {
    super(`the database ${file} is damaged (${problem})`);
  }
}

/** SQLite's error codes for a file that is not a database, or a damaged one. */
const isDamage = (err: unknown): boolean => /^SQLITE_(CORRUPT|NOTADB)/.test(String((err as { code?: unknown } | null)?.code ?? ''));

/** What `checkWritable` stamps into the header's application id: "TABL", the same every time. */
const TABLA_APPLICATION_ID = 0x5441424c;
/** One filesystem block: a full disk has none to give. */
const WRITE_PROBE_BYTES = Buffer.alloc(4096);

/** Writes paused this long: the WAL is checkpointed (folded into the database). */
const CHECKPOINT_IDLE_MS = 250;

export interface SqliteStorageOptions {
  /** How long a writer waits for a lock held by another connection. Default 5000 ms. */
  busyTimeoutMs?: number;
  /**
   * Default 'FULL': fsync the WAL on every commit, so a committed (and then relayed) update also
   * survives an OS crash or power loss; 'NORMAL' is only safe against a process crash.
   */
  synchronous?: 'FULL' | 'NORMAL';
  /** Clock for `updated_at`/`revoked_at`/token `created_at` columns (ms since epoch). */
  now?: () => number;
  /** Test seam, see `SqliteFaultInjection`. */
  faultInjection?: SqliteFaultInjection;
}

/** Latest schema version (`PRAGMA user_version`). */
export const SCHEMA_VERSION = 6;

/** Migration i upgrades a database from user_version i to i + 1. */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE boards (
    id         TEXT PRIMARY KEY NOT NULL,
    title      TEXT NOT NULL,
    created_at INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE board_tokens (
    board_id   TEXT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('facilitator', 'editor', 'viewer')),
    token_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
  ) STRICT;
  CREATE UNIQUE INDEX board_tokens_one_active ON board_tokens(board_id, role) WHERE revoked_at IS NULL;
  CREATE INDEX board_tokens_hash ON board_tokens(token_hash);

  CREATE TABLE board_updates (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    board_id TEXT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
    data     BLOB NOT NULL
  ) STRICT;
  CREATE INDEX board_updates_board_seq ON board_updates(board_id, seq);

  CREATE TABLE board_snapshots (
    board_id    TEXT PRIMARY KEY NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
    data        BLOB NOT NULL,
    through_seq INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
  ) STRICT;
  `,
  `
  CREATE TABLE board_clients (
    board_id  TEXT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
    client_id INTEGER NOT NULL,
    key_hash  TEXT NOT NULL,
    PRIMARY KEY (board_id, client_id)
  ) STRICT;
  `,
  // v3: coordinator links bound to one municipality. Existing rows stay unbound (NULL), so every
  // token issued before keeps working as its role's general link.
  `
  ALTER TABLE board_tokens ADD COLUMN municipality_id TEXT
    CHECK (municipality_id IS NULL OR (role = 'editor' AND municipality_id <> ''));
  DROP INDEX board_tokens_one_active;
  CREATE UNIQUE INDEX board_tokens_one_active
    ON board_tokens(board_id, role, COALESCE(municipality_id, '')) WHERE revoked_at IS NULL;
  `,
  // v4: which device key speaks for a presence (awareness) client id, kept apart from the document
  // client ids of `board_clients` because a presence id need not ever write to the document.
  `
  CREATE TABLE board_presence (
    board_id  TEXT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
    client_id INTEGER NOT NULL,
    key_hash  TEXT NOT NULL,
    PRIMARY KEY (board_id, client_id)
  ) STRICT;
  `,
  // v5: saved versions of a board, each a whole snapshot beside the log (never a document kept
  // without garbage collection): compaction does not touch them.
  `
  CREATE TABLE board_versions (
    board_id   TEXT NOT NULL REFERENCES boards(id) ON DELETE CASCADE,
    id         TEXT NOT NULL,
    name       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    by         TEXT NOT NULL,
    auto       INTEGER NOT NULL CHECK (auto IN (0, 1)),
    summary    TEXT NOT NULL,
    snapshot   BLOB NOT NULL,
    PRIMARY KEY (board_id, id)
  ) STRICT;
  CREATE INDEX board_versions_newest ON board_versions(board_id, created_at DESC, id DESC);
  `,
  // v6: the seq of the update that bound each client id (NULL for bindings made before), so
  // `loadUpdatesSince` can give the bindings that came with the updates it gives.
  `
  ALTER TABLE board_clients ADD COLUMN seq INTEGER;
  `,
];

/**
 * Brings the schema to `SCHEMA_VERSION` (or to `target`, for tests that build an older
 * database), one transaction per step. Refuses a newer database.
 */
export function migrate(db: Database.Database, target: number = MIGRATIONS.length): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(
      `SQLite schema version ${current} is newer than this server supports (${MIGRATIONS.length})`,
    );
  }
  for (let version = current; version < Math.min(target, MIGRATIONS.length); version++) {
    const sql = MIGRATIONS[version]!;
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${version + 1}`);
    }).immediate();
  }
}

interface SnapshotRow {
  data: Buffer;
  through_seq: number;
}
interface UpdateRow {
  seq: number;
  data: Buffer;
}
interface VersionRow {
  id: string;
  name: string;
  created_at: number;
  by: string;
  auto: number;
  summary: string;
}

const toVersion = (row: VersionRow): VersionRecord => ({
  id: row.id,
  name: row.name,
  createdAt: row.created_at,
  by: row.by,
  auto: row.auto === 1,
  summary: row.summary,
});

export class SqliteStorage implements BoardStorage {
  /** One AUTOINCREMENT sequence shared by every board. */
  readonly seqsPerBoard = false;
  /** One writer: SQLite commits one transaction at a time. */
  readonly writesAtOnce = 1;
  readonly #db: Database.Database;
  #checkpointTimer: ReturnType<typeof setTimeout> | null = null;
  readonly #now: () => number;
  readonly #faults: SqliteFaultInjection;
  readonly #stmt;
  readonly #tx;

  /** Opens (creating the file and its directory if missing) and migrates the database. */
  static open(file: string | ':memory:', options: SqliteStorageOptions = {}): SqliteStorage {
    if (file !== ':memory:' && file !== '') mkdirSync(dirname(resolve(file)), { recursive: true });
    let db: Database.Database | undefined;
    try {
      db = new Database(file);
      // Before anything writes to it (WAL mode, migrations), so a damaged file stops the start instead
      // of being built on. quick_check reads every page: ~75 ms for a 57 MB database here (measured);
      // integrity_check also cross-checks every index against its table, at twice the cost.
      const verdict = db.pragma('quick_check(1)', { simple: true });
      if (verdict !== 'ok') throw new DamagedDatabaseError(file, String(verdict));
      db.pragma('journal_mode = WAL');
      // FULL fsyncs the WAL per commit (~0.16 ms measured): WAL+NORMAL survives kill -9, FULL also OS crash/power loss.
      db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
      db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
      db.pragma('foreign_keys = ON');
      migrate(db);
      return new SqliteStorage(db, options);
    } catch (err) {
      db?.close();
      throw isDamage(err) ? new DamagedDatabaseError(file, (err as Error).message) : err;
    }
  }

  /** Use `SqliteStorage.open`. The database must already be configured and migrated. */
  private constructor(db: Database.Database, options: SqliteStorageOptions) {
    this.#db = db;
    this.#now = options.now ?? Date.now;
    this.#faults = options.faultInjection ?? {};

    const stmt = {
      boardExists: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM boards WHERE id = ?'),
      getBoard: db.prepare<[string], BoardRow>('SELECT id, title, created_at FROM boards WHERE id = ?'),
      listBoards: db.prepare<[], BoardRow>('SELECT id, title, created_at FROM boards ORDER BY created_at, id'),
      insertBoard: db.prepare<[string, string, number]>(
        'INSERT INTO boards (id, title, created_at) VALUES (?, ?, ?)',
      ),
      activeTokens: db.prepare<[string], TokenRow>(
        `SELECT role, token_hash, municipality_id, created_at FROM board_tokens
         WHERE board_id = ? AND revoked_at IS NULL ORDER BY role, municipality_id`,
      ),
      insertToken: db.prepare<[string, string, string, string | null, number]>(
        'INSERT INTO board_tokens (board_id, role, token_hash, municipality_id, created_at) VALUES (?, ?, ?, ?, ?)',
      ),
      // `IS ?`: NULL (the role's general link) matches only NULL.
      revokeToken: db.prepare<[number, string, string, string | null]>(
        `UPDATE board_tokens SET revoked_at = ?
         WHERE board_id = ? AND role = ? AND municipality_id IS ? AND revoked_at IS NULL`,
      ),
      getSnapshot: db.prepare<[string], SnapshotRow>(
        'SELECT data, through_seq FROM board_snapshots WHERE board_id = ?',
      ),
      snapshotSeq: db.prepare<[string], { through_seq: number }>(
        'SELECT through_seq FROM board_snapshots WHERE board_id = ?',
      ),
      upsertSnapshot: db.prepare<[string, Uint8Array, number, number]>(
        `INSERT INTO board_snapshots (board_id, data, through_seq, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(board_id) DO UPDATE SET
           data = excluded.data, through_seq = excluded.through_seq, updated_at = excluded.updated_at`,
      ),
      updatesAfter: db.prepare<[string, number], UpdateRow>(
        'SELECT seq, data FROM board_updates WHERE board_id = ? AND seq > ? ORDER BY seq',
      ),
      // The log as one value (rows.ts lengthPrefixed; 10,000 updates: 8 ms, not 11-18 a Buffer per
      // row), the length from `unhex(printf)`. Needs SQLite 3.44 (ORDER BY in an aggregate) and 3.41
      // (unhex); `||` and group_concat keep a blob's bytes as they are.
      logAfter: db
        .prepare<[string, number], Buffer | null>(
          `SELECT CAST(group_concat(unhex(printf('%08x', length(data))) || data, '' ORDER BY seq) AS BLOB)
           FROM board_updates WHERE board_id = ? AND seq > ?`,
        )
        .pluck(),
      countAfter: db.prepare<[string, number], { n: number }>(
        'SELECT COUNT(*) AS n FROM board_updates WHERE board_id = ? AND seq > ?',
      ),
      insertUpdate: db.prepare<[string, Uint8Array]>('INSERT INTO board_updates (board_id, data) VALUES (?, ?)'),
      insertOwner: db.prepare<[string, number, string, number]>(
        'INSERT OR IGNORE INTO board_clients (board_id, client_id, key_hash, seq) VALUES (?, ?, ?, ?)',
      ),
      ownersAfter: db.prepare<[string, number], { client_id: number; key_hash: string }>(
        'SELECT client_id, key_hash FROM board_clients WHERE board_id = ? AND seq > ?',
      ),
      lastUpdateSeq: db.prepare<[string], { seq: number | null }>('SELECT max(seq) AS seq FROM board_updates WHERE board_id = ?'),
      owners: db.prepare<[string], { client_id: number; key_hash: string }>(
        'SELECT client_id, key_hash FROM board_clients WHERE board_id = ?',
      ),
      insertPresenceOwner: db.prepare<[string, number, string]>(
        'INSERT OR IGNORE INTO board_presence (board_id, client_id, key_hash) VALUES (?, ?, ?)',
      ),
      presenceOwners: db.prepare<[string], { client_id: number; key_hash: string }>(
        'SELECT client_id, key_hash FROM board_presence WHERE board_id = ?',
      ),
      deleteThrough: db.prepare<[string, number]>('DELETE FROM board_updates WHERE board_id = ? AND seq <= ?'),
      insertVersion: db.prepare<[string, string, string, number, string, number, string, Uint8Array]>(
        `INSERT INTO board_versions (board_id, id, name, created_at, by, auto, summary, snapshot)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      listVersions: db.prepare<[string], VersionRow>(
        `SELECT id, name, created_at, by, auto, summary FROM board_versions
         WHERE board_id = ? ORDER BY created_at DESC, id DESC`,
      ),
      getVersion: db.prepare<[string, string], VersionRow & { snapshot: Buffer }>(
        'SELECT id, name, created_at, by, auto, summary, snapshot FROM board_versions WHERE board_id = ? AND id = ?',
      ),
      lastAssignedSeq: db.prepare<[], { seq: number }>(
        "SELECT seq FROM sqlite_sequence WHERE name = 'board_updates'",
      ),
    };
    this.#stmt = stmt;

    const snapshotSeq = (boardId: string): number => stmt.snapshotSeq.get(boardId)?.through_seq ?? 0;
    const requireBoard = (boardId: string): void => {
      if (!stmt.boardExists.get(boardId)) throw new Error(`Unknown board: ${JSON.stringify(boardId)}`);
    };

    this.#tx = {
      createBoard: db.transaction((board: BoardRecord, initialState: Uint8Array, tokens: readonly TokenRecord[]) => {
        if (stmt.boardExists.get(board.id)) throw new Error(`Board already exists: ${JSON.stringify(board.id)}`);
        const now = this.#now();
        stmt.insertBoard.run(board.id, board.title, board.createdAt);
        // The initial state is the first snapshot; through_seq 0 = every later update applies on top.
        stmt.upsertSnapshot.run(board.id, initialState, 0, now);
        for (const token of tokens) {
          stmt.insertToken.run(board.id, token.role, token.tokenHash, bindingOf(token.role, token.municipalityId), now);
        }
      }),

      replaceToken: db.transaction((boardId: string, token: TokenRecord) => {
        const municipalityId = bindingOf(token.role, token.municipalityId);
        requireBoard(boardId);
        const now = this.#now();
        stmt.revokeToken.run(now, boardId, token.role, municipalityId);
        stmt.insertToken.run(boardId, token.role, token.tokenHash, municipalityId, now);
      }),

      revokeToken: db.transaction((boardId: string, role: Role, municipalityId: string | undefined): boolean => {
        const binding = bindingOf(role, municipalityId);
        requireBoard(boardId);
        return stmt.revokeToken.run(this.#now(), boardId, role, binding).changes > 0;
      }),

      loadState: db.transaction((boardId: string): StoredState | null => {
        if (!stmt.boardExists.get(boardId)) return null;
        const snap = stmt.getSnapshot.get(boardId);
        const throughSeq = snap?.through_seq ?? 0;
        const updates = lengthPrefixed(stmt.logAfter.get(boardId, throughSeq) ?? null);
        return {
          snapshot: snap ? toBytes(snap.data) : null,
          updates,
          lastSeq: updates.length > 0 ? stmt.lastUpdateSeq.get(boardId)!.seq! : throughSeq,
          clientOwners: new Map(stmt.owners.all(boardId).map((r) => [r.client_id, r.key_hash])),
          presenceOwners: new Map(stmt.presenceOwners.all(boardId).map((r) => [r.client_id, r.key_hash])),
        };
      }),

      appendUpdates: db.transaction((updates: readonly PendingUpdate[]) => {
        const checked = new Set<string>();
        const seqs: number[] = [];
        for (const { boardId, update, newOwners } of updates) {
          if (!checked.has(boardId)) {
            requireBoard(boardId);
            checked.add(boardId);
          }
          const seq = Number(stmt.insertUpdate.run(boardId, update).lastInsertRowid);
          seqs.push(seq);
          for (const owner of newOwners ?? []) stmt.insertOwner.run(boardId, owner.clientId, owner.keyHash, seq);
        }
        this.#faults.beforeAppendCommit?.(seqs);
        return seqs;
      }),

      compact: db.transaction((boardId: string, snapshot: Uint8Array, throughSeq: number) => {
        requireBoard(boardId);
        if (snapshotSeq(boardId) >= throughSeq) return; // already compacted this far: never move backwards
        const lastAssigned = stmt.lastAssignedSeq.get()?.seq ?? 0;
        if (throughSeq > lastAssigned) {
          // Would hide updates appended later under a snapshot that cannot contain them.
          throw new RangeError(`compact: throughSeq ${throughSeq} is beyond the last appended seq ${lastAssigned}`);
        }
        stmt.upsertSnapshot.run(boardId, snapshot, throughSeq, this.#now());
        const deletedRows = stmt.deleteThrough.run(boardId, throughSeq).changes;
        this.#faults.beforeCompactCommit?.({ boardId, throughSeq, deletedRows });
      }),

      bindPresence: db.transaction((boardId: string, bindings: readonly ClientOwner[]) => {
        requireBoard(boardId);
        for (const owner of bindings) stmt.insertPresenceOwner.run(boardId, owner.clientId, owner.keyHash);
      }),

      saveVersion: db.transaction((boardId: string, v: StoredVersion) => {
        requireBoard(boardId);
        stmt.insertVersion.run(boardId, v.id, v.name, v.createdAt, v.by, v.auto ? 1 : 0, v.summary, v.snapshot);
      }),

      countUpdates: db.transaction((boardId: string): number => {
        return stmt.countAfter.get(boardId, snapshotSeq(boardId))?.n ?? 0;
      }),

      updatesSince: db.transaction((boardId: string, afterSeq: number): UpdatesSince | null => {
        if (!stmt.boardExists.get(boardId)) return null;
        if (snapshotSeq(boardId) > afterSeq) return { kind: 'compacted', state: this.#tx.loadState(boardId)! };
        const rows = stmt.updatesAfter.all(boardId, afterSeq);
        return {
          kind: 'updates',
          updates: rows.map((r) => ({ seq: r.seq, update: toBytes(r.data) })),
          lastSeq: rows.length > 0 ? rows[rows.length - 1]!.seq : afterSeq,
          clientOwners: new Map(stmt.ownersAfter.all(boardId, afterSeq).map((r) => [r.client_id, r.key_hash])),
        };
      }),

      latestSeqs: db.transaction((boardIds: readonly string[]): Map<string, number> => {
        const latest = new Map<string, number>();
        for (const id of boardIds) {
          if (!stmt.boardExists.get(id)) continue;
          latest.set(id, stmt.lastUpdateSeq.get(id)?.seq ?? snapshotSeq(id));
        }
        return latest;
      }),
    };
  }

  async createBoard(board: BoardRecord, initialState: Uint8Array, tokens: readonly TokenRecord[]): Promise<void> {
    this.#tx.createBoard.immediate(board, initialState, tokens);
  }

  async getBoard(boardId: string): Promise<BoardRecord | null> {
    const row = this.#stmt.getBoard.get(boardId);
    return row ? toBoard(row) : null;
  }

  async listBoards(): Promise<BoardRecord[]> {
    return this.#stmt.listBoards.all().map(toBoard);
  }

  async getTokens(boardId: string): Promise<TokenRecord[]> {
    return this.#stmt.activeTokens.all(boardId).map(toToken);
  }

  async replaceToken(boardId: string, token: TokenRecord): Promise<void> {
    this.#tx.replaceToken.immediate(boardId, token);
  }

  async revokeToken(boardId: string, role: Role, municipalityId?: string): Promise<boolean> {
    return this.#tx.revokeToken.immediate(boardId, role, municipalityId);
  }

  async loadState(boardId: string): Promise<StoredState | null> {
    return this.#tx.loadState.deferred(boardId);
  }

  /** Resolves with the seq of each update (increasing) once committed, i.e. durable. */
  async appendUpdates(updates: readonly PendingUpdate[]): Promise<number[]> {
    if (updates.length === 0) return [];
    // One sequence for every board: "the seq this update must get" means nothing here (ST23).
    if (updates.some((u) => u.expectSeq !== undefined)) throw new RangeError('expectSeq needs per-board seqs (seqsPerBoard)');
    const started = traceChannels.committed.hasSubscribers ? performance.now() : null;
    const seqs = this.#tx.appendUpdates.immediate(updates);
    if (started !== null) traceChannels.committed.publish({ count: updates.length, ms: performance.now() - started } satisfies TracedCommit);
    this.#checkpointWhenIdle();
    return seqs;
  }

  /**
   * A checkpoint copies the WAL into the database and fsyncs it: up to tens of ms, during which the
   * one writer waits. SQLite's own runs inside whichever commit crosses its bound (1000 pages; a
   * larger WAL makes every commit slower: measured 0.15 -> 0.3 ms at 8000), so a change in the middle
   * of a session would wait for it; here it also runs once writes pause for CHECKPOINT_IDLE_MS (a room
   * has such moments all the time), PASSIVE: never waiting for readers.
   */
  #checkpointWhenIdle(): void {
    if (this.#checkpointTimer) {
      this.#checkpointTimer.refresh();
      return;
    }
    this.#checkpointTimer = setTimeout(() => {
      this.#checkpointTimer = null;
      try {
        if (this.#db.open) this.#db.pragma('wal_checkpoint(PASSIVE)');
      } catch {
        // Busy or failing: SQLite's own checkpoint still folds the WAL in later.
      }
    }, CHECKPOINT_IDLE_MS);
    this.#checkpointTimer.unref?.();
  }

  async compact(boardId: string, snapshot: Uint8Array, throughSeq: number): Promise<void> {
    if (!Number.isSafeInteger(throughSeq) || throughSeq < 0) {
      throw new RangeError(`compact: throughSeq must be a non-negative integer, got ${throughSeq}`);
    }
    this.#tx.compact.immediate(boardId, snapshot, throughSeq);
  }

  async countUpdates(boardId: string): Promise<number> {
    return this.#tx.countUpdates.deferred(boardId);
  }

  async loadUpdatesSince(boardId: string, afterSeq: number): Promise<UpdatesSince | null> {
    return this.#tx.updatesSince.deferred(boardId, afterSeq);
  }

  async latestSeqs(boardIds: readonly string[]): Promise<Map<string, number>> {
    return this.#tx.latestSeqs.deferred(boardIds);
  }

  async bindPresence(boardId: string, bindings: readonly ClientOwner[]): Promise<void> {
    this.#tx.bindPresence.immediate(boardId, bindings);
  }

  async saveVersion(boardId: string, version: StoredVersion): Promise<void> {
    this.#tx.saveVersion.immediate(boardId, version);
  }

  async listVersions(boardId: string): Promise<VersionRecord[]> {
    return this.#stmt.listVersions.all(boardId).map(toVersion);
  }

  async getVersion(boardId: string, versionId: string): Promise<StoredVersion | null> {
    const row = this.#stmt.getVersion.get(boardId, versionId);
    return row ? { ...toVersion(row), snapshot: toBytes(row.snapshot) } : null;
  }

  /**
   * Resolves only if the disk takes a write now (for a readiness check). Two probes, as each sees
   * what the other can miss: a small fsynced file beside the database (a full or read-only
   * filesystem refuses it, while SQLite could still reuse its WAL's space) and one committed write
   * transaction (a database or WAL file that lost write access). That write stamps the header's
   * application id, always the same value: a real fsynced page write, with no table of its own.
   * Not free (two fsyncs): callers cache the answer.
   */
  async checkWritable(): Promise<void> {
    if (!this.#db.memory) {
      const probe = join(dirname(resolve(this.#db.name)), `.write-probe-${process.pid}`);
      try {
        const fd = openSync(probe, 'w');
        try {
          writeSync(fd, WRITE_PROBE_BYTES);
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
      } finally {
        rmSync(probe, { force: true });
      }
    }
    this.#db
      .transaction(() => {
        this.#db.pragma(`application_id = ${TABLA_APPLICATION_ID}`);
        this.#faults.beforeWriteProbeCommit?.();
      })
      .immediate();
  }

  /** Closes the database; calling it again is a no-op. */
  async close(): Promise<void> {
    if (this.#checkpointTimer) clearTimeout(this.#checkpointTimer);
    this.#checkpointTimer = null;
    if (this.#db.open) this.#db.close();
  }

  /** The underlying connection, for diagnostics and tests (e.g. reading pragmas). */
  get database(): Database.Database {
    return this.#db;
  }
}
