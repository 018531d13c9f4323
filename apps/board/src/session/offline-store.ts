/**
 * What this device remembers per board so the board works without the server: the role the
 * link grants (asked from the server when online) and whether changes made here were never
 * confirmed stored. The document itself lives in IndexedDB (y-indexeddb, see BoardSession).
 */
import { isRole, type Role } from '@tabla/plan-model';

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
const pendingKey = (boardId: string) => `tabla.unsaved.${boardId}`;

export function cachedRole(boardId: string, token: string): Role | null {
  try {
    const stored = localStorage.getItem(roleKey(boardId, token));
    return isRole(stored) ? stored : null;
  } catch {
    return null;
  }
}

/** Remembers the role, or forgets it (null: the link is no longer valid). */
export function cacheRole(boardId: string, token: string, role: Role | null): void {
  try {
    if (role) localStorage.setItem(roleKey(boardId, token), role);
    else localStorage.removeItem(roleKey(boardId, token));
  } catch {
    // no storage: asked again next time
  }
}

/** Changes were made on this device that the server has not confirmed stored. */
export function hasPendingChanges(boardId: string): boolean {
  try {
    return localStorage.getItem(pendingKey(boardId)) === '1';
  } catch {
    return false;
  }
}

export function setPendingChanges(boardId: string, pending: boolean): void {
  try {
    if (pending) localStorage.setItem(pendingKey(boardId), '1');
    else localStorage.removeItem(pendingKey(boardId));
  } catch {
    // no storage: nothing is kept on this device across visits anyway
  }
}
