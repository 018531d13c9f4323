/**
 * The SQLite adapter on a worker thread. better-sqlite3 is synchronous: on the main thread each
 * commit's fsync (~0.3 ms on a quiet disk, several ms on a busy one) stops the event loop, so one
 * board's write would hold up every board's relay. Here `SqliteStorage` runs in sqlite-worker.ts
 * and the main thread only waits for answers, as it waits for PostgreSQL.
 *
 * One message per call (id, method, args), answered by one (id, value or error); the worker runs
 * the calls one at a time, in the order they were made. Bytes go over as copies of exactly the
 * caller's bytes (the caller keeps its own: it relays the updates it stores) and come back moved,
 * not copied. Errors come back with the class callers tell apart (`SeqConflictError`,
 * `DamagedDatabaseError`, RangeError) and their own properties (SQLite's `code`).
 *
 * A worker that dies (a crash, not `close`) fails every pending and later call, and
 * `onWorkerExit` hears of it once: the storage is gone, as with a disk that refuses every write.
 */
import { Worker } from 'node:worker_threads';
import type { Role } from '@tabla/plan-model';
import { DamagedDatabaseError, type SqliteStorage, type SqliteStorageOptions } from './sqlite.js';
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

export interface SqliteThreadStorageOptions extends Pick<SqliteStorageOptions, 'busyTimeoutMs' | 'synchronous'> {
  /**
   * TEST SEAM ONLY: a module (URL) the worker imports to build its `SqliteStorageOptions.faultInjection`
   * (hooks are functions: they cannot cross threads). Its `faultInjectionFromEnv(env)` is called with
   * the worker's env, a copy of this process's. Production code never passes it.
   */
  faultInjectionModule?: string | URL;
  /** Told once when the worker dies on its own (not by `close`); every call rejects from then on. */
  onWorkerExit?: (err: Error) => void;
}

/** The calls the worker answers: every async method of `SqliteStorage`. */
export type SqliteMethod = {
  [K in keyof SqliteStorage]: SqliteStorage[K] extends (...args: never[]) => Promise<unknown> ? K : never;
}[keyof SqliteStorage];

export interface SqliteCall {
  readonly id: number;
  readonly method: SqliteMethod;
  readonly args: readonly unknown[];
}

/** An error as it crosses the thread: its name, message and stack, and its own properties. */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  readonly [property: string]: unknown;
}

export type SqliteAnswer = { readonly id: number; readonly value: unknown } | { readonly id: number; readonly error: WireError };

export interface SqliteWorkerData {
  readonly file: string;
  readonly options: Pick<SqliteStorageOptions, 'busyTimeoutMs' | 'synchronous'>;
  readonly faultInjectionModule?: string;
}

/** The answer id of opening the database, which the worker does first, unasked. */
export const OPENED_ID = 0;

/** The classes callers check with `instanceof`, rebuilt from what crossed. */
const REVIVERS: Readonly<Record<string, (wire: WireError) => Error>> = {
  SeqConflictError: (wire) => new SeqConflictError(wire.boardIds as string[]),
  DamagedDatabaseError: (wire) => new DamagedDatabaseError(wire.file as string, wire.problem as string),
  RangeError: (wire) => new RangeError(wire.message),
  TypeError: (wire) => new TypeError(wire.message),
};

/** The mark of a list of byte arrays packed into one buffer to cross the thread (packByteLists). */
const PACKED = '\u0000packedByteList';

interface PackedByteList {
  readonly [PACKED]: true;
  readonly bytes: Uint8Array;
  /** Where each array ends in `bytes`. */
  readonly ends: Uint32Array;
}

/**
 * `value` with every list of byte arrays (a board's log: thousands of updates) packed into one
 * buffer: moving one buffer across the thread is cheap, moving thousands is not (measured: a
 * 10,000-update log 55-75 ms instead of 15-23 ms read in place). `unpackByteLists` undoes it.
 */
export function packByteLists(value: unknown): unknown {
  if (Array.isArray(value)) {
    if (value.length > 1 && value.every((item) => item instanceof Uint8Array)) {
      const lists = value as Uint8Array[];
      const ends = new Uint32Array(lists.length);
      let total = 0;
      lists.forEach((item, i) => (ends[i] = total += item.length));
      const bytes = new Uint8Array(total);
      lists.forEach((item, i) => bytes.set(item, i === 0 ? 0 : ends[i - 1]));
      return { [PACKED]: true, bytes, ends } satisfies PackedByteList;
    }
    return value.map(packByteLists);
  }
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, packByteLists(item)]));
  }
  return value;
}

/** The lists `packByteLists` packed, as views into the one buffer that crossed. */
export function unpackByteLists(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unpackByteLists);
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return value;
  if (PACKED in value) {
    const { bytes, ends } = value as PackedByteList;
    return Array.from(ends, (end, i) => bytes.subarray(i === 0 ? 0 : ends[i - 1], end));
  }
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, unpackByteLists(item)]));
}

function reviveError(wire: WireError): Error {
  const { name, message, stack, ...properties } = wire;
  const err = REVIVERS[name]?.(wire) ?? Object.assign(new Error(message), { name });
  // The worker's stack: where it failed.
  return Object.assign(err, properties, stack === undefined ? {} : { stack });
}

/**
 * `value` with every byte array replaced by a copy of exactly its bytes, whose buffer is added to
 * `transfer`: the caller keeps its own, and a view cloned as it is would copy its whole buffer
 * (an update is often a view into a larger received frame).
 */
function copyBytes(value: unknown, transfer: ArrayBuffer[]): unknown {
  if (value instanceof Uint8Array) {
    const copy = value.slice();
    transfer.push(copy.buffer);
    return copy;
  }
  if (Array.isArray(value)) return value.map((item: unknown) => copyBytes(item, transfer));
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, copyBytes(item, transfer)]));
  }
  return value;
}

/**
 * Where the worker starts: compiled beside this file, or, when the TypeScript sources run (under
 * vitest), the .ts entry through test-fixtures/typescript-hooks.mjs (Node 20 cannot run .ts alone).
 */
function workerEntry(): { url: URL; execArgv?: string[] } {
  if (!import.meta.url.endsWith('.ts')) return { url: new URL('./sqlite-worker.js', import.meta.url) };
  const hooks = new URL('./test-fixtures/typescript-hooks.mjs', import.meta.url).href;
  const register = `import { register } from 'node:module'; register(${JSON.stringify(hooks)});`;
  return { url: new URL('./sqlite-worker.ts', import.meta.url), execArgv: ['--import', `data:text/javascript,${encodeURIComponent(register)}`] };
}

interface PendingCall {
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: Error) => void;
}

export class SqliteThreadStorage implements BoardStorage {
  /** One AUTOINCREMENT sequence shared by every board, as `SqliteStorage`. */
  readonly seqsPerBoard = false;
  /** One writer: SQLite commits one transaction at a time. */
  readonly writesAtOnce = 1;
  readonly #worker: Worker;
  readonly #pending = new Map<number, PendingCall>();
  readonly #opened: Promise<unknown>;
  #nextId = OPENED_ID + 1;
  /** Why every call fails from now on: the storage was closed, or the worker died. */
  #stopped: Error | null = null;
  #closing: Promise<void> | null = null;

  /** Starts the worker, which opens (creating if missing) and migrates the database as `SqliteStorage.open` does. */
  static async open(file: string, options: SqliteThreadStorageOptions = {}): Promise<SqliteThreadStorage> {
    const storage = new SqliteThreadStorage(file, options);
    try {
      await storage.#opened;
    } catch (err) {
      storage.#stopped = err as Error;
      await storage.#worker.terminate();
      throw err;
    }
    return storage;
  }

  /** Use `SqliteThreadStorage.open`. */
  private constructor(file: string, options: SqliteThreadStorageOptions) {
    const { url, execArgv } = workerEntry();
    const { faultInjectionModule, onWorkerExit, ...storageOptions } = options;
    const workerData: SqliteWorkerData = {
      file,
      options: storageOptions,
      ...(faultInjectionModule === undefined ? {} : { faultInjectionModule: String(faultInjectionModule) }),
    };
    const worker = new Worker(url, { workerData, ...(execArgv ? { execArgv } : {}) });
    this.#worker = worker;
    this.#opened = new Promise((resolve, reject) => this.#pending.set(OPENED_ID, { resolve, reject }));

    worker.on('message', (answer: SqliteAnswer) => {
      const call = this.#pending.get(answer.id);
      if (!call) return;
      this.#pending.delete(answer.id);
      if (this.#pending.size === 0) worker.unref(); // an idle worker never keeps the process alive
      if ('error' in answer) call.reject(reviveError(answer.error));
      else call.resolve(unpackByteLists(answer.value));
    });
    let uncaught: Error | undefined;
    worker.on('error', (err) => (uncaught = err)); // 'exit' follows
    worker.on('exit', (code) => {
      const died = new Error(
        `the SQLite worker stopped (exit code ${code})${uncaught ? `: ${uncaught.message}` : ''}`,
        uncaught ? { cause: uncaught } : undefined,
      );
      for (const call of this.#pending.values()) call.reject(died);
      this.#pending.clear();
      if (this.#stopped) return; // closed, or never opened: nobody else needs telling
      this.#stopped = died;
      onWorkerExit?.(died);
    });
  }

  #call<M extends SqliteMethod>(method: M, ...args: Parameters<SqliteStorage[M]>): ReturnType<SqliteStorage[M]> {
    if (this.#stopped) return Promise.reject(this.#stopped) as ReturnType<SqliteStorage[M]>;
    return this.#send(method, args) as ReturnType<SqliteStorage[M]>;
  }

  #send(method: SqliteMethod, args: readonly unknown[]): Promise<unknown> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const transfer: ArrayBuffer[] = [];
      const call: SqliteCall = { id, method, args: copyBytes(args, transfer) as unknown[] };
      this.#pending.set(id, { resolve, reject });
      if (this.#pending.size === 1) this.#worker.ref(); // a pending call keeps the process alive until answered
      try {
        this.#worker.postMessage(call, transfer);
      } catch (err) {
        this.#pending.delete(id); // args that cannot be cloned: the worker never heard of this call
        reject(err as Error);
      }
    });
  }

  createBoard(board: BoardRecord, initialState: Uint8Array, tokens: readonly TokenRecord[]): Promise<void> {
    return this.#call('createBoard', board, initialState, tokens);
  }

  getBoard(boardId: string): Promise<BoardRecord | null> {
    return this.#call('getBoard', boardId);
  }

  listBoards(): Promise<BoardRecord[]> {
    return this.#call('listBoards');
  }

  getTokens(boardId: string): Promise<TokenRecord[]> {
    return this.#call('getTokens', boardId);
  }

  replaceToken(boardId: string, token: TokenRecord): Promise<void> {
    return this.#call('replaceToken', boardId, token);
  }

  revokeToken(boardId: string, role: Role, municipalityId?: string): Promise<boolean> {
    return this.#call('revokeToken', boardId, role, municipalityId);
  }

  loadState(boardId: string): Promise<StoredState | null> {
    return this.#call('loadState', boardId);
  }

  appendUpdates(updates: readonly PendingUpdate[]): Promise<number[]> {
    // Only the fields of a PendingUpdate: a caller's entries may carry more (the update writer's hold
    // its resolve and reject functions, which cannot cross).
    const sent = updates.map(({ boardId, update, newOwners, expectSeq }): PendingUpdate => ({
      boardId,
      update,
      ...(newOwners === undefined ? {} : { newOwners }),
      ...(expectSeq === undefined ? {} : { expectSeq }),
    }));
    return this.#call('appendUpdates', sent);
  }

  compact(boardId: string, snapshot: Uint8Array, throughSeq: number): Promise<void> {
    return this.#call('compact', boardId, snapshot, throughSeq);
  }

  countUpdates(boardId: string): Promise<number> {
    return this.#call('countUpdates', boardId);
  }

  loadUpdatesSince(boardId: string, afterSeq: number): Promise<UpdatesSince | null> {
    return this.#call('loadUpdatesSince', boardId, afterSeq);
  }

  latestSeqs(boardIds: readonly string[]): Promise<Map<string, number>> {
    return this.#call('latestSeqs', boardIds);
  }

  bindPresence(boardId: string, bindings: readonly ClientOwner[]): Promise<void> {
    return this.#call('bindPresence', boardId, bindings);
  }

  saveVersion(boardId: string, version: StoredVersion): Promise<void> {
    return this.#call('saveVersion', boardId, version);
  }

  listVersions(boardId: string): Promise<VersionRecord[]> {
    return this.#call('listVersions', boardId);
  }

  getVersion(boardId: string, versionId: string): Promise<StoredVersion | null> {
    return this.#call('getVersion', boardId, versionId);
  }

  /** `SqliteStorage.checkWritable`, run by the worker: rejects when the disk refuses writes. */
  checkWritable(): Promise<void> {
    return this.#call('checkWritable');
  }

  /**
   * Waits for every call made before (the worker answers in order), closes the database and ends
   * the worker. Calling it again is a no-op; every call after it rejects.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    try {
      if (!this.#stopped) {
        const closed = this.#send('close', []);
        this.#stopped = new Error('the SQLite storage is closed');
        await closed;
      }
    } finally {
      await this.#worker.terminate();
    }
  }
}
