import type { SyntheticEvent } from 'react';

const stop = (e: SyntheticEvent) => e.stopPropagation();

/** Handlers of a control inside a draggable card: pressing it neither starts a drag nor opens the editor. */
export const cardControl = { onPointerDown: stop, onKeyDown: stop, onDoubleClick: stop } as const;
