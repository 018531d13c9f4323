/**
 * What the SQL adapters (sqlite.ts, postgres.ts) share: the board and token rows as both select
 * them, a board's log as both read it (one value), and the rule on municipality bindings that every
 * adapter (memory.ts too) applies.
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

/** A view over the Buffer's bytes, typed as a plain Uint8Array (no copy). */
export const toBytes = (buf: Buffer): Uint8Array => new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);

/**
 * A board's log as both adapters read it, one value (one row to parse instead of thousands: about
 * half the time for 10,000 updates): each update behind its length (4 bytes, big-endian), in seq
 * order. The updates, as views into it; none for a null (an empty log aggregates to NULL).
 */
export function lengthPrefixed(packed: Buffer | null): Uint8Array[] {
  const updates: Uint8Array[] = [];
  if (!packed) return updates;
  for (let at = 0; at < packed.length; ) {
    const end = at + 4 + packed.readUInt32BE(at);
    if (end > packed.length) throw new Error(`the stored log is cut short at byte ${at}`);
    updates.push(toBytes(packed.subarray(at + 4, end)));
    at = end;
  }
  return updates;
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
