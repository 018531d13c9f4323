export {
  SyncServer,
  UnknownBoardError,
  RoomLimitError,
  defaultLimits,
  type ConnectionInfo,
  type Logger,
  type SyncServerOptions,
  type SyncStats,
} from './sync-server.js';
export type { SocketLike } from './connection.js';
export { CloseCode, closeCodeName } from './protocol.js';
export { attachSyncServer, type WsAdapterOptions } from './ws-adapter.js';
export { generateToken, hashToken, generateRoleTokens, accessForToken, isValidBoardId, type Access } from './tokens.js';
export type { BoardRecord, BoardStorage, ClientOwner, PendingUpdate, StoredState, TokenRecord } from './storage/types.js';
export { SqliteStorage, type SqliteFaultInjection, type SqliteStorageOptions } from './storage/sqlite.js';
