/**
 * Locks as the board shows them: the facilitator locked a lane, or the whole board. Part of
 * the main bundle (every lane asks); the facilitator's panel that sets them is loaded lazily.
 * The server refuses a coordinator's change under a lock anyway: this only spares them trying.
 */
import { useDroppable } from '@dnd-kit/core';
import { useCallback, useSyncExternalStore } from 'react';
import { createPortal } from 'react-dom';
import { useTranslation } from 'react-i18next';
import type { BoardView } from '@tabla/plan-model';
import { boardStore } from '@tabla/plan-react';
import { useSession } from '../ui/context.js';
import { usePermission } from '../ui/permissions.js';

/** What locks a lane (or the not-yet-placed pool): the whole board wins over the lane's own lock. */
export type LockState = 'none' | 'lane' | 'board';

export function lockOf(view: BoardView, containerId: string): LockState {
  if (view.meta.locked) return 'board';
  return view.lanes.some((l) => l.lane.id === containerId && l.lane.locked) ? 'lane' : 'none';
}

/**
 * The lock of one lane, as a string: a lane re-renders only when its lock changes, not on
 * every change of the board (lanes are memoised; see Board.test).
 */
export function useLock(containerId: string): LockState {
  const store = boardStore(useSession().doc);
  const getSnapshot = useCallback(() => lockOf(store.getSnapshot(), containerId), [store, containerId]);
  return useSyncExternalStore(store.subscribe, getSnapshot);
}

const LockIcon = () => (
  <svg className="lock-icon" aria-hidden="true" viewBox="0 0 16 16" width="14" height="14" focusable="false">
    <path fill="currentColor" d="M4 7V5a4 4 0 1 1 8 0v2h1v8H3V7h1zm2 0h4V5a2 2 0 1 0-4 0v2z" />
  </svg>
);

/** "Zaključano" on a lane's header (outside its heading, so the lane keeps its name). */
export function LockBadge({ lock }: { lock: LockState }) {
  const { t } = useTranslation();
  if (lock === 'none') return null;
  return (
    <span className="lock-badge" data-lock={lock} title={lock === 'board' ? t('locks.boardHint') : t('locks.laneHint')}>
      <LockIcon />
      {t('locks.badge')}
    </span>
  );
}

/**
 * Over a lane locked for this person a drop must land nowhere. The lane's own droppable is
 * disabled, but then the board's collision detection falls back to the
 * nearest open lane. This zone covers the locked lane instead: its id is no lane's and no
 * card's, so the board finds no drop target and the card goes back where it was.
 */
const LOCKED_PREFIX = 'locked:';

/** The lane (or pool) of a locked drop zone's id; null for any other drop target. */
export const lockedContainerOf = (dropId: string | number): string | null =>
  typeof dropId === 'string' && dropId.startsWith(LOCKED_PREFIX) ? dropId.slice(LOCKED_PREFIX.length) : null;

export function LockedDropZone({ containerId }: { containerId: string }) {
  const { setNodeRef, isOver } = useDroppable({ id: `${LOCKED_PREFIX}${containerId}`, data: { type: 'locked', containerId } });
  return <div ref={setNodeRef} className={`lock-drop${isOver ? ' lock-drop--over' : ''}`} aria-hidden="true" />;
}

/** A banner for everyone while the whole board is locked (kept in view at the bottom of the window). */
export function BoardLockBanner() {
  const { t } = useTranslation();
  const lock = useLock('pool');
  // Whom the lock holds is the write policy's answer: everyone but the facilitator.
  const held = usePermission((p) => p.lockedIn(null));
  if (lock !== 'board') return null;
  return createPortal(
    <p className="banner lock-banner" role="status">
      <LockIcon />
      {held ? t('locks.boardBanner') : t('locks.boardBannerFacilitator')}
    </p>,
    document.body,
  );
}
