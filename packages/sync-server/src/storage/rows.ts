/**
 * What the SQL adapters (sqlite.ts, postgres.ts) share: the board and token rows as both select
 * them, and the rule on municipality bindings that every adapter (memory.ts too) applies.
 */
import type { Role } from '@tabla/plan-model';
import type { BoardRecord, TokenRecord } from './types.js';

export interface BoardRow {
  id: string;
  title: string;
  created_at: number;
}

export interface TokenRow {
  role: Role;
  token_hash: string;
  municipality_id: string | null;
  created_at: number;
}

export const toBoard = (row: BoardRow): BoardRecord => ({ id: row.id, title: row.title, createdAt: row.created_at });

export const toToken = (row: TokenRow): TokenRecord => ({
  role: row.role,
  tokenHash: row.token_hash,
  ...(row.municipality_id === null ? {} : { municipalityId: row.municipality_id }),
  createdAt: row.created_at,
});

/** A municipality binding is for coordinator ('editor') links only, and never empty. */
export function bindingOf(role: Role, municipalityId: string | null | undefined): string | null {
  if (municipalityId === undefined || municipalityId === null) return null;
  if (role !== 'editor') throw new Error(`only editor links can be bound to a municipality, not ${role}`);
  if (municipalityId === '') throw new Error('empty municipality id');
  return municipalityId;
}
