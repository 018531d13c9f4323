/**
 * The worker thread of `SqliteThreadStorage` (sqlite-thread.ts): opens one `SqliteStorage`, says so
 * (answer `OPENED_ID`), then answers each call in the order it came. Every call runs to its commit
 * before the next message is read, so a `close` answers after everything sent before it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type SqliteFaultInjection, SqliteStorage } from './sqlite.js';
import { OPENED_ID, packByteLists, type SqliteAnswer, type SqliteCall, type SqliteWorkerData, type WireError } from './sqlite-thread.js';

const port = parentPort!;
const { file, options, faultInjectionModule } = workerData as SqliteWorkerData;

function toWire(err: unknown): WireError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err) };
  // Own properties carry what a class adds: SeqConflictError's boardIds, SQLite's code.
  return { ...err, name: err.name, message: err.message, ...(err.stack === undefined ? {} : { stack: err.stack }) };
}

/**
 * The buffers of the byte arrays in `value`, to move rather than copy: only those a view covers
 * whole (fresh from SQLite), so no other bytes leave with them.
 */
function wholeBuffers(value: unknown, found: Set<ArrayBuffer> = new Set()): Set<ArrayBuffer> {
  if (value instanceof Uint8Array) {
    if (value.buffer instanceof ArrayBuffer && value.byteOffset === 0 && value.byteLength === value.buffer.byteLength) found.add(value.buffer);
  } else if (Array.isArray(value) || value instanceof Map) {
    for (const item of value.values()) wholeBuffers(item, found);
  } else if (value !== null && typeof value === 'object') {
    for (const item of Object.values(value)) wholeBuffers(item, found);
  }
  return found;
}

function answer(message: SqliteAnswer, transfer: readonly ArrayBuffer[] = []): void {
  try {
    port.postMessage(message, transfer);
  } catch (err) {
    // Never leave a call unanswered: an error whose properties cannot be cloned goes without them.
    const error = 'error' in message ? message.error : toWire(err);
    port.postMessage({ id: message.id, error: { name: error.name, message: error.message, stack: error.stack } } satisfies SqliteAnswer);
  }
}

async function open(): Promise<SqliteStorage> {
  const faultInjection =
    faultInjectionModule === undefined
      ? undefined
      : ((await import(faultInjectionModule)) as { faultInjectionFromEnv: (env: NodeJS.ProcessEnv) => SqliteFaultInjection | undefined }).faultInjectionFromEnv(process.env);
  return SqliteStorage.open(file, { ...options, ...(faultInjection ? { faultInjection } : {}) });
}

open().then(
  (storage) => {
    port.on('message', ({ id, method, args }: SqliteCall) => {
      (Reflect.apply(storage[method], storage, args) as Promise<unknown>).then(
        (result) => {
          const value = packByteLists(result);
          answer({ id, value }, [...wholeBuffers(value)]);
        },
        (err: unknown) => answer({ id, error: toWire(err) }),
      );
    });
    answer({ id: OPENED_ID, value: undefined });
  },
  (err: unknown) => answer({ id: OPENED_ID, error: toWire(err) }),
);
