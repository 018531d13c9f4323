/**
 * Others' presence on the board, derived from awareness: who edits or drags which card,
 * and where a dragged card is going. Snapshots keep their identity while nothing changed,
 * so memoised lanes and cards re-render only where presence moved.
 */
import { useMemo, useRef } from 'react';
import { useAwarenessStates } from '@tabla/plan-react';
import type { DraggingPresence, PresenceUser } from '../session/board-session.js';
import { useSession } from './context.js';

export interface PresenceMark {
  readonly clientId: number;
  readonly name: string;
  readonly color: string;
  readonly kind: 'editing' | 'dragging';
}

export interface Ghost {
  readonly clientId: number;
  readonly name: string;
  readonly color: string;
  readonly activityId: string;
  readonly title: string;
  readonly index: number;
}

export interface LanePresence {
  readonly marks: ReadonlyMap<string, readonly PresenceMark[]>;
  readonly ghosts: readonly Ghost[];
}

export const NO_PRESENCE: LanePresence = { marks: new Map(), ghosts: [] };

const isDragging = (v: unknown): v is DraggingPresence =>
  typeof v === 'object' && v !== null && typeof (v as DraggingPresence).activityId === 'string' &&
  typeof (v as DraggingPresence).container === 'string' && Number.isInteger((v as DraggingPresence).index) &&
  typeof (v as DraggingPresence).title === 'string';

/** Presence per lane (keyed by container id), for everyone but this client. */
export function useLanePresence(): (container: string, activityIds: readonly string[]) => LanePresence {
  const session = useSession();
  const states = useAwarenessStates(session.awareness);
  const self = session.awareness.clientID;
  const cache = useRef(new Map<string, { key: string; value: LanePresence }>());

  const all = useMemo(() => {
    const marks: (PresenceMark & { activityId: string })[] = [];
    const ghosts: (Ghost & { container: string })[] = [];
    for (const [clientId, state] of states) {
      const user = state.user as PresenceUser | undefined;
      if (clientId === self || typeof user?.name !== 'string') continue;
      const who = { clientId, name: user.name.slice(0, 80), color: typeof user.color === 'string' ? user.color : '#5b6770' };
      if (typeof state.editing === 'string') marks.push({ ...who, kind: 'editing', activityId: state.editing });
      if (isDragging(state.dragging)) {
        marks.push({ ...who, kind: 'dragging', activityId: state.dragging.activityId });
        const { activityId, title, index, container } = state.dragging;
        ghosts.push({ ...who, activityId, title: title.slice(0, 200), index, container });
      }
    }
    return { marks, ghosts };
  }, [states, self]);

  return (container, activityIds) => {
    const ids = new Set(activityIds);
    const marks = all.marks.filter((m) => ids.has(m.activityId));
    const ghosts = all.ghosts.filter((g) => g.container === container);
    if (marks.length === 0 && ghosts.length === 0) return NO_PRESENCE;
    const key = JSON.stringify([marks, ghosts]);
    const cached = cache.current.get(container);
    if (cached?.key === key) return cached.value;
    const byActivity = new Map<string, PresenceMark[]>();
    for (const { activityId, ...mark } of marks) byActivity.set(activityId, [...(byActivity.get(activityId) ?? []), mark]);
    const value: LanePresence = { marks: byActivity, ghosts: ghosts.map(({ container: _c, ...g }) => g) };
    cache.current.set(container, { key, value });
    return value;
  };
}
