/**
 * What this device remembers per board so the board works without the server: the role the
 * link grants (asked from the server when online) and whether changes made here were never
 * confirmed stored (how many). The document itself lives in IndexedDB (y-indexeddb, see BoardSession).
 */
import { type Access, isRole } from '@tabla/plan-model';

/**
 * A short fingerprint of the token, so two links of one board (facilitator, editor) keep their
 * own role. Not a secret and not a security measure: the token is in the address bar anyway;
 * this only keeps it out of storage. FNV-1a, 32 bits.
 */
export function tokenTag(token: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < token.length; i++) {
    h ^= token.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

const roleKey = (boardId: string, token: string) => `tabla.role.${boardId}.${tokenTag(token)}`;
const pendingKey = (boardId: string, token: string) => `tabla.unsaved.${boardId}.${tokenTag(token)}`;

/**
 * The IndexedDB name of this device's copy of a board, one per link: changes made with one link
 * (a coordinator's, signed for its municipality) are never sent over another (a viewer's, or
 * another municipality's on a shared laptop), where the server would refuse them.
 */
export const localCopyName = (boardId: string, token: string): string => `tabla-${boardId}-${tokenTag(token)}`;

/** What the link granted on an earlier visit (role, and the municipality it is bound to). */
export function cachedAccess(boardId: string, token: string): Access | null {
  try {
    const stored = JSON.parse(localStorage.getItem(roleKey(boardId, token)) ?? 'null') as Partial<Access> | null;
    if (!stored || !isRole(stored.role)) return null;
    return { role: stored.role, municipalityId: typeof stored.municipalityId === 'string' ? stored.municipalityId : null };
  } catch {
    return null; // nothing, or a role cached by an earlier version (asked again)
  }
}

/** Remembers what the link grants, or forgets it (null: the link is no longer valid). */
export function cacheAccess(boardId: string, token: string, access: Access | null): void {
  try {
    if (access) localStorage.setItem(roleKey(boardId, token), JSON.stringify({ role: access.role, municipalityId: access.municipalityId }));
    else localStorage.removeItem(roleKey(boardId, token));
  } catch {
    // no storage: asked again next time
  }
}

/**
 * How many changes made on this device the server has not confirmed stored (0: none). An
 * earlier version kept only that there were some ('1'): one, then.
 */
export function pendingChangeCount(boardId: string, token: string): number {
  try {
    const stored = localStorage.getItem(pendingKey(boardId, token));
    if (stored === null) return 0;
    const n = Number(stored);
    return Number.isSafeInteger(n) && n > 0 ? n : 1;
  } catch {
    return 0;
  }
}

/** Changes were made on this device that the server has not confirmed stored. */
export const hasPendingChanges = (boardId: string, token: string): boolean => pendingChangeCount(boardId, token) > 0;

/** Remembers how many changes wait (`true`: some; 0 or `false`: none, forgotten). */
export function setPendingChanges(boardId: string, token: string, pending: number | boolean): void {
  const count = typeof pending === 'number' ? pending : pending ? 1 : 0;
  try {
    if (count > 0) localStorage.setItem(pendingKey(boardId, token), String(count));
    else localStorage.removeItem(pendingKey(boardId, token));
  } catch {
    // no storage: nothing is kept on this device across visits anyway
  }
}
