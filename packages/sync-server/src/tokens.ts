import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { type Access, ROLES, type Role } from '@tabla/plan-model';
import type { TokenRecord } from './storage/types.js';

/** 256 random bits, URL-safe. High entropy is why an unsalted hash is enough to store. */
export const generateToken = (): string => randomBytes(32).toString('base64url');

export const hashToken = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/** A fresh token per role, and the hashed records to store. */
export function generateRoleTokens(): { tokens: Record<Role, string>; records: TokenRecord[] } {
  const tokens = Object.fromEntries(ROLES.map((role) => [role, generateToken()])) as Record<Role, string>;
  return { tokens, records: ROLES.map((role) => ({ role, tokenHash: hashToken(tokens[role]) })) };
}

/**
 * What a link grants (plan-model's Access): its role and, for a coordinator link issued to one
 * municipality, that municipality (null = the role's general link, bound to none). The binding
 * comes from the server's token record, never from the client, so it cannot be spoofed.
 */
export type { Access };

/** What a token grants among a board's active tokens, compared in constant time. */
export function accessForToken(token: string, records: readonly TokenRecord[]): Access | null {
  const presented = Buffer.from(hashToken(token), 'hex');
  let access: Access | null = null;
  // Compare against every record, so the time taken does not depend on which one matched.
  for (const record of records) {
    const stored = Buffer.from(record.tokenHash, 'hex');
    if (stored.length === presented.length && timingSafeEqual(stored, presented)) {
      access = { role: record.role, municipalityId: record.municipalityId ?? null };
    }
  }
  return access;
}

/** Board ids appear in URLs and logs: keep them short and plain. */
export const isValidBoardId = (id: string): boolean => /^[A-Za-z0-9_-]{1,64}$/.test(id);
