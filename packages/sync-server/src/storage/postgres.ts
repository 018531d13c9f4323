/**
 * PostgreSQL adapter of `BoardStorage` (pg): the same tables and rules as the SQLite adapter, for
 * several server instances sharing boards (ARCHITECTURE.md "Storage": PostgreSQL is the record).
 *
 * Directory: `boards`, `board_tokens` (one active token per board, role and municipality or none,
 * revoked rows kept; `municipality_id` binds a coordinator link to a municipality).
 * Log: `board_updates` (append log keyed by board and a PER-BOARD seq), `board_snapshots` (one
 * compacted state per board; `through_seq` = last update folded into it), `board_clients` and
 * `board_presence` (client id -> key hash, first binding wins, untouched by compaction),
 * `board_versions` (saved versions, each with its own snapshot, untouched by compaction).
 * A board's state is its snapshot followed by its updates with seq > through_seq.
 *
 * Sequences: unlike SQLite's one global AUTOINCREMENT, each board counts its own updates in
 * `boards.last_seq`. An append locks the rows of its boards (in id order, so two batches spanning
 * the same boards cannot deadlock), numbers its updates from there and commits: appends to one
 * board are serialised by that row lock (from any number of processes), appends to different
 * boards never wait for each other, and a board's seqs are committed in order without gaps (a
 * rolled-back append also rolls back the counter). So an instance that has applied seq n of a
 * board and then hears of n + 2 knows that n + 1 exists (what the Redis Streams relay relies on).
 *
 * Every write is one transaction, so a thrown error (or a crash) leaves nothing half-written;
 * commits are durable as long as `synchronous_commit` is not off (checked at open).
 */
import { Pool, types, type PoolClient } from 'pg';
import type { Role } from '@tabla/plan-model';
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
import { type BoardRow, bindingOf, lengthPrefixed, toBoard, toBytes, toToken, type TokenRow } from './rows.js';

/**
 * TEST SEAM ONLY: hooks called inside the write transactions, after all rows of the operation were
 * written and before COMMIT. A hook that throws (or rejects) makes the whole operation roll back and
 * the method reject with that error; one that returns a promise holds the transaction open until it
 * settles (to interleave instances in tests). Same hooks as `SqliteFaultInjection`, so the server's
 * `TABLA_TEST_FAULTS` work on either storage. Production code never passes these.
 */
export interface PostgresFaultInjection {
  /** Called with the seqs just inserted by `appendUpdates` (not yet committed). */
  beforeAppendCommit?: (insertedSeqs: readonly number[]) => void | Promise<void>;
  /** Called after `compact` updated the snapshot and deleted the covered rows (not yet committed). */
  beforeCompactCommit?: (info: { boardId: string; throughSeq: number; deletedRows: number }) => void | Promise<void>;
  /** Called inside `checkWritable`'s write transaction (not yet committed). */
  beforeWriteProbeCommit?: () => void | Promise<void>;
}

export interface PostgresStorageOptions {
  /**
   * Schema holding the tables (created if missing; `search_path` of every connection). Default: the
   * connection's own search path (usually `public`). Tests give each case its own. Lower-case
   * letters, digits and `_`, as PostgreSQL folds unquoted names.
   */
  schema?: string;
  /**
   * Connections in the pool. Default 10: appends of one instance are written at most
   * MAX_WRITES_IN_FLIGHT (4) batches at a time (UpdateWriter), so the rest serve loads, compactions
   * and the HTTP API; ten per instance leave
   * room for several instances under PostgreSQL's default `max_connections` of 100.
   */
  maxConnections?: number;
  /** How long to wait for a connection (new or from the pool) before a call rejects. Default 10000 ms. */
  connectionTimeoutMs?: number;
  /** Clock for `updated_at`/`revoked_at`/token `created_at` columns (ms since epoch). */
  now?: () => number;
  /** Test seam, see `PostgresFaultInjection`. */
  faultInjection?: PostgresFaultInjection;
}

/**
 * One board as a whole, for copying it from another storage into this one (apps/server
 * `copy-to-postgres`): its document as one snapshot holding everything through `lastSeq`, its
 * bindings, active tokens with when they were issued, and its saved versions.
 */
export interface BoardCopy {
  readonly board: BoardRecord;
  readonly snapshot: Uint8Array;
  /** The source's last seq of this board; the board's next update here gets `lastSeq + 1`. */
  readonly lastSeq: number;
  readonly clientOwners: ReadonlyMap<number, string>;
  readonly presenceOwners: ReadonlyMap<number, string>;
  /** Active tokens; `createdAt` is kept (the time the link was issued), or now when absent. */
  readonly tokens: readonly TokenRecord[];
  readonly versions: readonly StoredVersion[];
}

/** Migration i brings the schema from version i to i + 1 (recorded in `schema_migrations`). */
const MIGRATIONS: readonly string[] = [
  // v1: everything SQLite's v5 has, keyed for several writers. Ids sort bytewise (COLLATE "C"),
  // like SQLite's, whatever the database's locale: listBoards and listVersions order by them.
  `
  CREATE TABLE boards (
    id         TEXT COLLATE "C" PRIMARY KEY,
    title      TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    -- The seq of the board's last appended update (0: none yet); appends lock and advance it.
    last_seq   BIGINT NOT NULL DEFAULT 0 CHECK (last_seq >= 0)
  );
  CREATE INDEX boards_listed ON boards (created_at, id);

  CREATE TABLE board_tokens (
    board_id        TEXT COLLATE "C" NOT NULL REFERENCES boards (id) ON DELETE CASCADE,
    role            TEXT NOT NULL CHECK (role IN ('facilitator', 'editor', 'viewer')),
    token_hash      TEXT NOT NULL,
    municipality_id TEXT CHECK (municipality_id IS NULL OR (role = 'editor' AND municipality_id <> '')),
    created_at      BIGINT NOT NULL,
    revoked_at      BIGINT
  );
  CREATE UNIQUE INDEX board_tokens_one_active
    ON board_tokens (board_id, role, COALESCE(municipality_id, '')) WHERE revoked_at IS NULL;
  CREATE INDEX board_tokens_hash ON board_tokens (token_hash);

  CREATE TABLE board_updates (
    board_id TEXT COLLATE "C" NOT NULL REFERENCES boards (id) ON DELETE CASCADE,
    seq      BIGINT NOT NULL,
    data     BYTEA NOT NULL,
    PRIMARY KEY (board_id, seq)
  );

  CREATE TABLE board_snapshots (
    board_id    TEXT COLLATE "C" PRIMARY KEY REFERENCES boards (id) ON DELETE CASCADE,
    data        BYTEA NOT NULL,
    through_seq BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
  );

  CREATE TABLE board_clients (
    board_id  TEXT COLLATE "C" NOT NULL REFERENCES boards (id) ON DELETE CASCADE,
    client_id BIGINT NOT NULL,
    key_hash  TEXT NOT NULL,
    PRIMARY KEY (board_id, client_id)
  );

  CREATE TABLE board_presence (
    board_id  TEXT COLLATE "C" NOT NULL REFERENCES boards (id) ON DELETE CASCADE,
    client_id BIGINT NOT NULL,
    key_hash  TEXT NOT NULL,
    PRIMARY KEY (board_id, client_id)
  );

  CREATE TABLE board_versions (
    board_id   TEXT COLLATE "C" NOT NULL REFERENCES boards (id) ON DELETE CASCADE,
    id         TEXT COLLATE "C" NOT NULL,
    name       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    by         TEXT NOT NULL,
    auto       BOOLEAN NOT NULL,
    summary    TEXT NOT NULL,
    snapshot   BYTEA NOT NULL,
    PRIMARY KEY (board_id, id)
  );
  CREATE INDEX board_versions_newest ON board_versions (board_id, created_at DESC, id DESC);
  `,
  // v2: the seq of the update that bound each client id (NULL for bindings made before, and for
  // copied boards: their snapshot holds them), so `loadUpdatesSince` gives the bindings that came
  // with the updates it gives: another instance judges the next update against the same owners.
  `
  ALTER TABLE board_clients ADD COLUMN seq BIGINT;
  `,
];

/** Latest schema version. */
export const POSTGRES_SCHEMA_VERSION = MIGRATIONS.length;

/** A schema name used as it is, unquoted, in `search_path` and DDL. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * pg returns BIGINT as a string (it may exceed 2^53). Ours are ms timestamps, seqs and Yjs client
 * ids (uint32), all far below that: numbers, for this pool only (pg's global parsers stay as they are).
 */
const typeParsers = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === types.builtins.INT8 ? (value: string) => Number(value) : types.getTypeParser(oid, format)) as typeof types.getTypeParser,
};

/** A copy of the caller's bytes: pg may send a parameter after the caller got its buffer back. */
const copyOf = (bytes: Uint8Array): Buffer => Buffer.from(bytes);

interface VersionRow {
  id: string;
  name: string;
  created_at: number;
  by: string;
  auto: boolean;
  summary: string;
}

const toVersion = (row: VersionRow): VersionRecord => ({
  id: row.id,
  name: row.name,
  createdAt: row.created_at,
  by: row.by,
  auto: row.auto,
  summary: row.summary,
});

const unknownBoard = (boardId: string): Error => new Error(`Unknown board: ${JSON.stringify(boardId)}`);

/** `($1, $2, $3), ($4, $5, $6), …` for `rows` rows of `width` parameters. */
function placeholders(rows: number, width: number): string {
  return Array.from(
    { length: rows },
    (_, r) => `(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(', ')})`,
  ).join(', ');
}

/** PostgreSQL allows 65535 parameters per statement: multi-row inserts go in chunks of this many rows. */
const ROWS_PER_INSERT = 5_000;

/**
 * Brings the schema to `POSTGRES_SCHEMA_VERSION` in one transaction, under an advisory lock per
 * schema, so instances starting at once migrate it once: the others wait, then find nothing to do.
 * Refuses a newer schema.
 */
async function migrate(client: PoolClient, schema: string | undefined): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('tabla: schema migrations'), hashtext($1))", [schema ?? '']);
    if (schema !== undefined) {
      // Only when missing: CREATE SCHEMA IF NOT EXISTS asks for the CREATE privilege even then.
      const found = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
      if (found.rowCount === 0) await client.query(`CREATE SCHEMA ${schema}`);
    }
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)');
    const { rows } = await client.query<{ version: number | null }>('SELECT max(version) AS version FROM schema_migrations');
    const current = rows[0]?.version ?? 0;
    if (current > MIGRATIONS.length) {
      throw new Error(`PostgreSQL schema version ${current} is newer than this server supports (${MIGRATIONS.length})`);
    }
    for (let version = current; version < MIGRATIONS.length; version++) {
      await client.query(MIGRATIONS[version]!); // no parameters: several statements in one query
      await client.query('INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)', [version + 1, Date.now()]);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  }
}

export class PostgresStorage implements BoardStorage {
  /** Each board counts its own seqs from 1, without gaps (`boards.last_seq`). */
  readonly seqsPerBoard = true;
  readonly #pool: Pool;
  readonly #now: () => number;
  readonly #faults: PostgresFaultInjection;
  #closing: Promise<void> | undefined;

  /**
   * Connects, checks that commits are durable, creates the schema if given and missing, and
   * migrates it. `url` is a libpq connection URL (`postgres://user@host:5432/db`).
   */
  static async open(url: string, options: PostgresStorageOptions = {}): Promise<PostgresStorage> {
    const { schema } = options;
    if (schema !== undefined && !SCHEMA_NAME.test(schema)) throw new Error(`invalid schema name ${JSON.stringify(schema)}`);
    // The URL's own `options` would replace ours (pg lets the URL win), and with it the search path.
    if (schema !== undefined && /[?&]options=/.test(url)) {
      throw new Error('the connection URL sets its own options: give the schema there (-c search_path=…), not both');
    }
    const pool = new Pool({
      connectionString: url,
      max: options.maxConnections ?? 10,
      connectionTimeoutMillis: options.connectionTimeoutMs ?? 10_000,
      // A startup parameter, so it holds from the connection's first query on, on every connection.
      ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
      // A server that vanished (a cut network) is noticed within seconds, not after the OS's two hours.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      // A transaction left open (an instance stalled or cut off mid-append) would hold its boards'
      // rows and stop every other instance's appends to them: PostgreSQL ends it after a minute.
      idle_in_transaction_session_timeout: 60_000,
      types: typeParsers,
    });
    // An idle connection that breaks (PostgreSQL restarted) is dropped by the pool, which connects
    // anew on next use; without a listener the 'error' event would end the process.
    pool.on('error', () => {});
    try {
      const client = await pool.connect();
      client.on('error', () => {}); // lost while migrating: the query in progress rejects
      try {
        const { rows } = await client.query<{ setting: string }>("SELECT current_setting('synchronous_commit') AS setting");
        if (rows[0]?.setting === 'off') {
          // Then COMMIT returns before the WAL is on disk: a relayed update could be lost in a crash.
          throw new Error('PostgreSQL has synchronous_commit = off: Tabla needs durable commits (set it to on)');
        }
        await migrate(client, schema);
      } finally {
        client.release();
      }
    } catch (err) {
      await pool.end();
      throw err;
    }
    return new PostgresStorage(pool, options);
  }

  /** Use `PostgresStorage.open`. The pool must already be checked and migrated. */
  private constructor(pool: Pool, options: PostgresStorageOptions) {
    this.#pool = pool;
    this.#now = options.now ?? Date.now;
    this.#faults = options.faultInjection ?? {};
  }

  /**
   * Runs `work` in one transaction on one connection: COMMIT if it resolves, ROLLBACK if it throws.
   * A connection whose ROLLBACK failed is not given back to the pool.
   */
  async #transaction<T>(work: (client: PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
    const client = await this.#pool.connect();
    let broken: Error | undefined;
    // A checked-out client has no listener of the pool's: a connection lost between two queries
    // (PostgreSQL restarted, the network cut) would be an uncaught 'error' and end the process.
    const lost = (err: Error): void => {
      broken = err;
    };
    client.on('error', lost);
    try {
      await client.query(begin);
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      });
      throw err;
    } finally {
      client.off('error', lost);
      client.release(broken);
    }
  }

  /** Locks the board's row against other appends and token changes (not against readers). */
  async #lockBoard(client: PoolClient, boardId: string): Promise<void> {
    const { rowCount } = await client.query('SELECT 1 FROM boards WHERE id = $1 FOR NO KEY UPDATE', [boardId]);
    if (rowCount === 0) throw unknownBoard(boardId);
  }

  async createBoard(board: BoardRecord, initialState: Uint8Array, tokens: readonly TokenRecord[]): Promise<void> {
    const bindings = tokens.map((t) => bindingOf(t.role, t.municipalityId)); // refused before anything is written
    const state = copyOf(initialState);
    await this.#transaction(async (client) => {
      const now = this.#now();
      const inserted = await client.query(
        'INSERT INTO boards (id, title, created_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING',
        [board.id, board.title, board.createdAt],
      );
      if (inserted.rowCount === 0) throw new Error(`Board already exists: ${JSON.stringify(board.id)}`);
      // The initial state is the first snapshot; through_seq 0 = every later update applies on top.
      await client.query(
        'INSERT INTO board_snapshots (board_id, data, through_seq, updated_at) VALUES ($1, $2, 0, $3)',
        [board.id, state, now],
      );
      if (tokens.length > 0) {
        // Two tokens for one link break board_tokens_one_active: the whole board is rolled back.
        await client.query(
          `INSERT INTO board_tokens (board_id, role, token_hash, municipality_id, created_at) VALUES ${placeholders(tokens.length, 5)}`,
          tokens.flatMap((t, i) => [board.id, t.role, t.tokenHash, bindings[i], now]),
        );
      }
    });
  }

  async getBoard(boardId: string): Promise<BoardRecord | null> {
    const { rows } = await this.#pool.query<BoardRow>('SELECT id, title, created_at FROM boards WHERE id = $1', [boardId]);
    return rows[0] ? toBoard(rows[0]) : null;
  }

  async listBoards(): Promise<BoardRecord[]> {
    const { rows } = await this.#pool.query<BoardRow>('SELECT id, title, created_at FROM boards ORDER BY created_at, id');
    return rows.map(toBoard);
  }

  async getTokens(boardId: string): Promise<TokenRecord[]> {
    const { rows } = await this.#pool.query<TokenRow>(
      `SELECT role, token_hash, municipality_id, created_at FROM board_tokens
       WHERE board_id = $1 AND revoked_at IS NULL ORDER BY role, municipality_id NULLS FIRST`,
      [boardId],
    );
    return rows.map(toToken);
  }

  async replaceToken(boardId: string, token: TokenRecord): Promise<void> {
    const municipalityId = bindingOf(token.role, token.municipalityId);
    await this.#transaction(async (client) => {
      // Two instances replacing the same link at once: the second waits, then revokes the first's.
      await this.#lockBoard(client, boardId);
      const now = this.#now();
      await client.query(
        `UPDATE board_tokens SET revoked_at = $1
         WHERE board_id = $2 AND role = $3 AND municipality_id IS NOT DISTINCT FROM $4 AND revoked_at IS NULL`,
        [now, boardId, token.role, municipalityId],
      );
      await client.query(
        'INSERT INTO board_tokens (board_id, role, token_hash, municipality_id, created_at) VALUES ($1, $2, $3, $4, $5)',
        [boardId, token.role, token.tokenHash, municipalityId, now],
      );
    });
  }

  async revokeToken(boardId: string, role: Role, municipalityId?: string): Promise<boolean> {
    const binding = bindingOf(role, municipalityId);
    return this.#transaction(async (client) => {
      await this.#lockBoard(client, boardId);
      // IS NOT DISTINCT FROM: NULL (the role's general link) matches only NULL.
      const { rowCount } = await client.query(
        `UPDATE board_tokens SET revoked_at = $1
         WHERE board_id = $2 AND role = $3 AND municipality_id IS NOT DISTINCT FROM $4 AND revoked_at IS NULL`,
        [this.#now(), boardId, role, binding],
      );
      return (rowCount ?? 0) > 0;
    });
  }

  /**
   * One snapshot of the database for all the reads (REPEATABLE READ): a compaction committing in
   * between would otherwise delete updates after the snapshot row was read and before they were.
   */
  async loadState(boardId: string): Promise<StoredState | null> {
    return this.#transaction(async (client) => {
      const snap = await client.query<{ data: Buffer; through_seq: number }>(
        'SELECT s.data, s.through_seq FROM boards b JOIN board_snapshots s ON s.board_id = b.id WHERE b.id = $1',
        [boardId],
      );
      const row = snap.rows[0];
      if (!row) return null;
      // The log as one value (rows.ts lengthPrefixed), the length from `int4send`.
      const log = await client.query<{ packed: Buffer | null; last_seq: number | null }>(
        `SELECT string_agg(int4send(length(data)) || data, ''::bytea ORDER BY seq) AS packed, max(seq) AS last_seq
         FROM board_updates WHERE board_id = $1 AND seq > $2`,
        [boardId, row.through_seq],
      );
      const owners = await client.query<{ client_id: number; key_hash: string }>(
        'SELECT client_id, key_hash FROM board_clients WHERE board_id = $1',
        [boardId],
      );
      const presence = await client.query<{ client_id: number; key_hash: string }>(
        'SELECT client_id, key_hash FROM board_presence WHERE board_id = $1',
        [boardId],
      );
      const { packed, last_seq: lastSeq } = log.rows[0]!;
      return {
        snapshot: toBytes(row.data),
        updates: lengthPrefixed(packed),
        lastSeq: lastSeq ?? row.through_seq,
        clientOwners: new Map(owners.rows.map((r) => [r.client_id, r.key_hash])),
        presenceOwners: new Map(presence.rows.map((r) => [r.client_id, r.key_hash])),
      };
    }, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  }

  /**
   * Resolves with the seq of each update (increasing per board, gap-free) once committed, i.e.
   * durable. Locks the boards' rows in id order, numbers the updates from each board's `last_seq`,
   * inserts them with their owners, advances the counters: one transaction.
   */
  async appendUpdates(updates: readonly PendingUpdate[]): Promise<number[]> {
    if (updates.length === 0) return [];
    const rows = updates.map(({ boardId, update, newOwners }) => ({ boardId, data: copyOf(update), newOwners }));
    const boardIds = [...new Set(rows.map((r) => r.boardId))].sort();
    return this.#transaction(async (client) => {
      // ORDER BY before the lock: rows are locked in that order, the same in every instance.
      const locked = await client.query<{ id: string; last_seq: number }>(
        'SELECT id, last_seq FROM boards WHERE id = ANY($1::text[]) ORDER BY id FOR NO KEY UPDATE',
        [boardIds],
      );
      const lastSeq = new Map(locked.rows.map((r) => [r.id, r.last_seq]));
      const missing = boardIds.find((id) => !lastSeq.has(id));
      if (missing !== undefined) throw unknownBoard(missing);

      const seqs = rows.map((r) => {
        const seq = lastSeq.get(r.boardId)! + 1;
        lastSeq.set(r.boardId, seq);
        return seq;
      });
      // Under the boards' row locks: no other writer can append between this check and COMMIT.
      const conflicts = [...new Set(updates.filter((u, i) => u.expectSeq !== undefined && u.expectSeq !== seqs[i]).map((u) => u.boardId))];
      if (conflicts.length > 0) throw new SeqConflictError(conflicts.sort());
      for (let from = 0; from < rows.length; from += ROWS_PER_INSERT) {
        const chunk = rows.slice(from, from + ROWS_PER_INSERT);
        await client.query(
          `INSERT INTO board_updates (board_id, seq, data) VALUES ${placeholders(chunk.length, 3)}`,
          chunk.flatMap((r, i) => [r.boardId, seqs[from + i], r.data]),
        );
      }
      const owners = rows.flatMap((r, i) => (r.newOwners ?? []).map((o) => [r.boardId, o.clientId, o.keyHash, seqs[i]!]));
      for (let from = 0; from < owners.length; from += ROWS_PER_INSERT) {
        const chunk = owners.slice(from, from + ROWS_PER_INSERT);
        // DO NOTHING: the first binding wins, also over a later row of this very statement.
        await client.query(
          `INSERT INTO board_clients (board_id, client_id, key_hash, seq) VALUES ${placeholders(chunk.length, 4)}
           ON CONFLICT (board_id, client_id) DO NOTHING`,
          chunk.flat(),
        );
      }
      await client.query(
        'UPDATE boards SET last_seq = v.last_seq FROM unnest($1::text[], $2::bigint[]) AS v (id, last_seq) WHERE boards.id = v.id',
        [[...lastSeq.keys()], [...lastSeq.values()]],
      );
      await this.#faults.beforeAppendCommit?.(seqs);
      return seqs;
    });
  }

  /**
   * Claims the board's snapshot row (FOR UPDATE): two compactions of one board run one after the
   * other, and the second sees the first's through_seq (then it is a no-op). Appends are not held
   * up: they lock the board row and insert seqs above every committed one, while the compaction
   * deletes only rows at or below `throughSeq`, which is at most the committed `last_seq`, so
   * every row it deletes was committed before it started and is in the snapshot it was given.
   */
  async compact(boardId: string, snapshot: Uint8Array, throughSeq: number): Promise<void> {
    if (!Number.isSafeInteger(throughSeq) || throughSeq < 0) {
      throw new RangeError(`compact: throughSeq must be a non-negative integer, got ${throughSeq}`);
    }
    const data = copyOf(snapshot);
    await this.#transaction(async (client) => {
      const { rows } = await client.query<{ through_seq: number; last_seq: number }>(
        `SELECT s.through_seq, b.last_seq FROM board_snapshots s JOIN boards b ON b.id = s.board_id
         WHERE s.board_id = $1 FOR UPDATE OF s`,
        [boardId],
      );
      const current = rows[0];
      if (!current) throw unknownBoard(boardId);
      if (current.through_seq >= throughSeq) return; // already compacted this far: never move backwards
      if (throughSeq > current.last_seq) {
        // Would hide updates appended later under a snapshot that cannot contain them.
        throw new RangeError(`compact: throughSeq ${throughSeq} is beyond the last appended seq ${current.last_seq}`);
      }
      await client.query('UPDATE board_snapshots SET data = $2, through_seq = $3, updated_at = $4 WHERE board_id = $1', [
        boardId,
        data,
        throughSeq,
        this.#now(),
      ]);
      const deleted = await client.query('DELETE FROM board_updates WHERE board_id = $1 AND seq <= $2', [boardId, throughSeq]);
      await this.#faults.beforeCompactCommit?.({ boardId, throughSeq, deletedRows: deleted.rowCount ?? 0 });
    });
  }

  /**
   * One REPEATABLE READ snapshot, like `loadState`: a compaction committing meanwhile cannot
   * delete rows between reading the snapshot's through_seq and reading the updates.
   */
  async loadUpdatesSince(boardId: string, afterSeq: number): Promise<UpdatesSince | null> {
    const since = await this.#transaction(async (client): Promise<UpdatesSince | 'compacted' | null> => {
      const snap = await client.query<{ through_seq: number }>('SELECT through_seq FROM board_snapshots WHERE board_id = $1', [boardId]);
      const row = snap.rows[0];
      if (!row) return null;
      if (row.through_seq > afterSeq) return 'compacted';
      const updates = await client.query<{ seq: number; data: Buffer }>(
        'SELECT seq, data FROM board_updates WHERE board_id = $1 AND seq > $2 ORDER BY seq',
        [boardId, afterSeq],
      );
      const owners = await client.query<{ client_id: number; key_hash: string }>(
        'SELECT client_id, key_hash FROM board_clients WHERE board_id = $1 AND seq > $2',
        [boardId, afterSeq],
      );
      const last = updates.rows[updates.rows.length - 1];
      return {
        kind: 'updates',
        updates: updates.rows.map((r) => ({ seq: r.seq, update: toBytes(r.data) })),
        lastSeq: last ? last.seq : afterSeq,
        clientOwners: new Map(owners.rows.map((r) => [r.client_id, r.key_hash])),
      };
    }, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    if (since !== 'compacted') return since;
    const state = await this.loadState(boardId);
    return state ? { kind: 'compacted', state } : null;
  }

  async latestSeqs(boardIds: readonly string[]): Promise<Map<string, number>> {
    if (boardIds.length === 0) return new Map();
    const { rows } = await this.#pool.query<{ id: string; last_seq: number }>('SELECT id, last_seq FROM boards WHERE id = ANY($1::text[])', [
      [...boardIds],
    ]);
    return new Map(rows.map((r) => [r.id, r.last_seq]));
  }

  async countUpdates(boardId: string): Promise<number> {
    const { rows } = await this.#pool.query<{ n: number }>(
      `SELECT count(*) AS n FROM board_updates
       WHERE board_id = $1 AND seq > COALESCE((SELECT through_seq FROM board_snapshots WHERE board_id = $1), 0)`,
      [boardId],
    );
    return rows[0]?.n ?? 0;
  }

  /** One statement: binds in the given order (the first binding wins) or, for an unknown board, nothing. */
  async bindPresence(boardId: string, bindings: readonly ClientOwner[]): Promise<void> {
    const { rows } = await this.#pool.query<{ found: number }>(
      `WITH board AS (SELECT id FROM boards WHERE id = $1),
       bound AS (
         INSERT INTO board_presence (board_id, client_id, key_hash)
         SELECT board.id, b.client_id, b.key_hash
         FROM board, unnest($2::bigint[], $3::text[]) WITH ORDINALITY AS b (client_id, key_hash, n)
         ORDER BY b.n
         ON CONFLICT (board_id, client_id) DO NOTHING
       )
       SELECT count(*)::int AS found FROM board`,
      [boardId, bindings.map((b) => b.clientId), bindings.map((b) => b.keyHash)],
    );
    if (rows[0]?.found !== 1) throw unknownBoard(boardId);
  }

  /** One statement: nothing for an unknown board; a repeated id breaks the primary key. */
  async saveVersion(boardId: string, v: StoredVersion): Promise<void> {
    const { rowCount } = await this.#pool.query(
      `INSERT INTO board_versions (board_id, id, name, created_at, by, auto, summary, snapshot)
       SELECT id, $2, $3, $4, $5, $6, $7, $8 FROM boards WHERE id = $1`,
      [boardId, v.id, v.name, v.createdAt, v.by, v.auto, v.summary, copyOf(v.snapshot)],
    );
    if (rowCount === 0) throw unknownBoard(boardId);
  }

  async listVersions(boardId: string): Promise<VersionRecord[]> {
    const { rows } = await this.#pool.query<VersionRow>(
      `SELECT id, name, created_at, by, auto, summary FROM board_versions
       WHERE board_id = $1 ORDER BY created_at DESC, id DESC`,
      [boardId],
    );
    return rows.map(toVersion);
  }

  async getVersion(boardId: string, versionId: string): Promise<StoredVersion | null> {
    const { rows } = await this.#pool.query<VersionRow & { snapshot: Buffer }>(
      'SELECT id, name, created_at, by, auto, summary, snapshot FROM board_versions WHERE board_id = $1 AND id = $2',
      [boardId, versionId],
    );
    const row = rows[0];
    return row ? { ...toVersion(row), snapshot: toBytes(row.snapshot) } : null;
  }

  /**
   * Writes a whole board copied from another storage, in one transaction: the board with its
   * counter at `lastSeq`, its snapshot (through `lastSeq`), bindings, tokens and versions.
   * Resolves false, writing nothing, if the board already exists here: a copy never overwrites,
   * so running it again only adds the boards still missing.
   */
  async importBoard(copy: BoardCopy): Promise<boolean> {
    const { board, lastSeq, tokens, versions } = copy;
    if (!Number.isSafeInteger(lastSeq) || lastSeq < 0) throw new RangeError(`importBoard: bad lastSeq ${lastSeq}`);
    const bindings = tokens.map((t) => bindingOf(t.role, t.municipalityId));
    const snapshot = copyOf(copy.snapshot);
    return this.#transaction(async (client) => {
      const now = this.#now();
      const inserted = await client.query(
        'INSERT INTO boards (id, title, created_at, last_seq) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING',
        [board.id, board.title, board.createdAt, lastSeq],
      );
      if (inserted.rowCount === 0) return false;
      await client.query('INSERT INTO board_snapshots (board_id, data, through_seq, updated_at) VALUES ($1, $2, $3, $4)', [
        board.id,
        snapshot,
        lastSeq,
        now,
      ]);
      if (tokens.length > 0) {
        await client.query(
          `INSERT INTO board_tokens (board_id, role, token_hash, municipality_id, created_at) VALUES ${placeholders(tokens.length, 5)}`,
          tokens.flatMap((t, i) => [board.id, t.role, t.tokenHash, bindings[i], t.createdAt ?? now]),
        );
      }
      for (const [table, owners] of [
        ['board_clients', copy.clientOwners],
        ['board_presence', copy.presenceOwners],
      ] as const) {
        await client.query(
          `INSERT INTO ${table} (board_id, client_id, key_hash) SELECT $1, * FROM unnest($2::bigint[], $3::text[])`,
          [board.id, [...owners.keys()], [...owners.values()]],
        );
      }
      for (const v of versions) {
        await client.query(
          `INSERT INTO board_versions (board_id, id, name, created_at, by, auto, summary, snapshot)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          [board.id, v.id, v.name, v.createdAt, v.by, v.auto, v.summary, copyOf(v.snapshot)],
        );
      }
      return true;
    });
  }

  /**
   * Resolves only if PostgreSQL takes a committed write now (for a readiness check): a standby, a
   * read-only database or a full disk refuses it. The write stamps the newest migration's row
   * with the value it already has, so it changes nothing; callers cache the answer.
   */
  async checkWritable(): Promise<void> {
    await this.#transaction(async (client) => {
      await client.query(
        'UPDATE schema_migrations SET applied_at = applied_at WHERE version = (SELECT max(version) FROM schema_migrations)',
      );
      await this.#faults.beforeWriteProbeCommit?.();
    });
  }

  /** Closes every connection of the pool; calling it again is a no-op (and waits for the first). */
  async close(): Promise<void> {
    this.#closing ??= this.#pool.end();
    await this.#closing;
  }
}
