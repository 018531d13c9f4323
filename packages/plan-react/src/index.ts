export { useBoard, useAwarenessStates } from './hooks.js';
export { boardStore, type BoardStore } from './board-store.js';
export { awarenessStore, type AwarenessLike, type AwarenessStore } from './awareness-store.js';
export { useUndoState, type UndoState } from './undo-store.js';
