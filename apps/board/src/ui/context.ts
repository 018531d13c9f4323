import { createContext, useContext, useSyncExternalStore } from 'react';
import { canWriteRoot } from '@tabla/plan-model';
import type { BoardSession, SessionState } from '../session/board-session.js';

export const SessionContext = createContext<BoardSession | null>(null);

export function useSession(): BoardSession {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a board');
  return session;
}

export function useSessionState(): SessionState {
  const session = useSession();
  return useSyncExternalStore(session.subscribe, session.getState);
}

/**
 * Whether this link changes activities at all: the write policy's role table (PM13), which
 * `permissionsFor(...).canChangeActivities` answers too; locks come on top, per lane (./permissions.ts).
 */
export const canEditActivities = (state: Pick<SessionState, 'role'>): boolean => state.role !== null && canWriteRoot(state.role, 'activities');
