export { SyncServer, UnknownBoardError, type Logger, type SyncServerOptions, type SyncStats } from './sync-server.js';
export type { SocketLike } from './connection.js';
export { CloseCode, closeCodeName } from './protocol.js';
export { attachSyncServer, type WsAdapterOptions } from './ws-adapter.js';
export { createBoard, type BoardTemplate, type CreatedBoard } from './boards.js';
export { generateToken, hashToken, generateRoleTokens, roleForToken, isValidBoardId } from './tokens.js';
export type { BoardRecord, BoardStorage, PendingUpdate, StoredState, TokenRecord } from './storage/types.js';
export { SqliteStorage } from './storage/sqlite.js';
