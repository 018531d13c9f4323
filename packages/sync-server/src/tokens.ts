import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ROLES, type Role } from '@tabla/plan-model';
import type { TokenRecord } from './storage/types.js';

/** 256 random bits, URL-safe. High entropy is why an unsalted hash is enough to store. */
export const generateToken = (): string => randomBytes(32).toString('base64url');

export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/** A fresh token per role, and the hashed records to store. */
export function generateRoleTokens(): { tokens: Record<Role, string>; records: TokenRecord[] } {
  const tokens = Object.fromEntries(ROLES.map((role) => [role, generateToken()])) as Record<Role, string>;
  return { tokens, records: ROLES.map((role) => ({ role, tokenHash: hashToken(tokens[role]) })) };
}

/** The role a token grants among a board's active tokens, compared in constant time. */
export function roleForToken(token: string, records: readonly TokenRecord[]): Role | null {
  const presented = Buffer.from(hashToken(token), 'hex');
  let role: Role | null = null;
  // Compare against every record, so the time taken does not depend on which one matched.
  for (const record of records) {
    const stored = Buffer.from(record.tokenHash, 'hex');
    if (stored.length === presented.length && timingSafeEqual(stored, presented)) role = record.role;
  }
  return role;
}

/** Board ids appear in URLs and logs: keep them short and plain. */
export const isValidBoardId = (id: string): boolean => /^[A-Za-z0-9_-]{1,64}$/.test(id);
