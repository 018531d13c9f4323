export {
  SyncServer,
  UnknownBoardError,
  RoomLimitError,
  defaultLimits,
  type ConnectionInfo,
  type Logger,
  type SyncServerOptions,
  type SyncStats,
  type SyncLimits,
} from './sync-server.js';
export type { SocketLike } from './connection.js';
export { CloseCode, closeCodeName } from '@tabla/sync-protocol';
export { attachSyncServer, type WsAdapterOptions } from './ws-adapter.js';
export { warmUp } from './warm-up.js';
export { traceChannels, type TracedBatch, type TracedCommit, type TracedUpdate } from './trace.js';
export { generateToken, hashToken, generateRoleTokens, accessForToken, isValidBoardId, type Access } from './tokens.js';
export type {
  BoardDirectory,
  BoardRecord,
  BoardStorage,
  ClientOwner,
  DocumentLog,
  PendingUpdate,
  StoredState,
  StoredVersion,
  TokenRecord,
  VersionRecord,
  LoggedUpdate,
  UpdatesSince,
} from './storage/types.js';
export { SeqConflictError } from './storage/types.js';
export type { Fanout, FanoutEntry, FanoutHandlers, FanoutStatus, PresenceMessage } from './fanout/types.js';
export { NoFanout } from './fanout/none.js';
export { MemoryFanout, MemoryFanoutHub } from './fanout/memory.js';
export { RedisFanout, type RedisFanoutFaults, type RedisFanoutOptions } from './fanout/redis.js';
export { applyStoredState, loadStoredState, type LoadStoredStateOptions, type StoredDocument } from './storage/document.js';
export { MemoryStorage, type MemoryFaultInjection, type MemoryStorageOptions } from './storage/memory.js';
export { DamagedDatabaseError, SqliteStorage, type SqliteFaultInjection, type SqliteStorageOptions } from './storage/sqlite.js';
export { SqliteThreadStorage, type SqliteThreadStorageOptions } from './storage/sqlite-thread.js';
export { PostgresStorage, type BoardCopy, type PostgresFaultInjection, type PostgresStorageOptions } from './storage/postgres.js';
