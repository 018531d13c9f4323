import { createContext, useContext, useSyncExternalStore } from 'react';
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

export const canEditActivities = (state: SessionState): boolean => state.role === 'editor' || state.role === 'facilitator';
