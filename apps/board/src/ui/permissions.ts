/**
 * What this person may do on the board, as the board's controls ask it: plan-model's write
 * policy (`permissionsFor`, PM24), the same rules the server judges every change by. No control
 * restates a rule (a role, a lock, who manages an activity's partners): it asks these.
 */
import { useCallback, useSyncExternalStore } from 'react';
import { type Access, type BoardView, type Permissions, permissionsFor } from '@tabla/plan-model';
import { boardStore } from '@tabla/plan-react';
import type { SessionState } from '../session/board-session.js';
import { useSession } from './context.js';

/** What the link grants, as the policy takes it (null: not known yet, which grants nothing). */
export function accessOf(state: Pick<SessionState, 'role' | 'municipalityId'>): Access | null {
  return state.role ? { role: state.role, municipalityId: state.municipalityId ?? null } : null;
}

const cache = new WeakMap<BoardView, Map<string, Permissions>>();

/** `permissionsFor`, kept per board view and access: every lane and card asks, on every change. */
export function permissionsOf(state: Pick<SessionState, 'role' | 'municipalityId'>, board: BoardView): Permissions {
  const access = accessOf(state);
  const key = access ? `${access.role}:${access.municipalityId ?? ''}` : '';
  let byAccess = cache.get(board);
  if (!byAccess) cache.set(board, (byAccess = new Map()));
  let permissions = byAccess.get(key);
  if (!permissions) byAccess.set(key, (permissions = permissionsFor(access, board)));
  return permissions;
}

/**
 * One answer of the policy for the board as it is now, re-rendering only when that answer
 * changes (a lane or a card asks for a boolean, not for the whole board: see Board.test).
 * `ask` must return a primitive.
 */
export function usePermission<T extends boolean | string | null>(ask: (permissions: Permissions) => T): T {
  const session = useSession();
  const store = boardStore(session.doc);
  const subscribe = useCallback(
    (onChange: () => void) => {
      const offSession = session.subscribe(onChange);
      const offBoard = store.subscribe(onChange);
      return () => {
        offSession();
        offBoard();
      };
    },
    [session, store],
  );
  return useSyncExternalStore(subscribe, () => ask(permissionsOf(session.getState(), store.getSnapshot())));
}
