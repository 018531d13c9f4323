/**
 * The sync wire protocol, shared by the server, the board and the test clients: message
 * numbers, the client-frame decoder and the encoders (with Tabla's flush extension), close
 * codes, awareness updates, and the presence state with its validator. Browser-safe: lib0 only.
 */
export {
  messageSync,
  messageAwareness,
  messageAuth,
  messageQueryAwareness,
  messageFlush,
  syncStep1,
  syncStep2,
  syncUpdate,
  type IncomingMessage,
  decodeMessage,
  encodeSyncStep1,
  encodeSyncStep2,
  encodeUpdate,
  encodeAwareness,
  encodeFlush,
  encodeFlushAck,
} from './messages.js';
export { CloseCode, closeCodeName, LINK_REVOKED_REASON } from './close-codes.js';
export {
  MAX_AWARENESS_DEPTH,
  type AwarenessEntry,
  decodeAwarenessUpdate,
  encodeAwarenessEntries,
  isWellFormedAwarenessUpdate,
} from './awareness.js';
export {
  type PresenceRole,
  type PresenceUser,
  type ProjectorPresence,
  isProjectorPresence,
  type DraggingPresence,
  type FocusTarget,
  type ViewPresence,
  type PresenceState,
  PRESENCE_LIMITS,
  presenceStateProblem,
  isPresenceState,
} from './presence.js';
