/**
 * Awareness updates (the payload of an awareness frame), checked completely before they are
 * applied: y-protocols applies the states before a malformed one, ignores trailing bytes and
 * accepts any JSON. Each state must be a JSON object, or null (= gone).
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { framed } from './messages.js';

/** Presence states are small records; deeper nesting is refused. */
export const MAX_AWARENESS_DEPTH = 8;

/** Nesting depth of a JSON value, without recursion (a hostile value may be thousands deep); stops counting past the limit. */
export function depthOf(value: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (d > max) max = d;
    if (max > MAX_AWARENESS_DEPTH) return max;
    if (typeof v === 'object' && v !== null) for (const child of Object.values(v)) stack.push([child, d + 1]);
  }
  return max;
}

export interface AwarenessEntry {
  readonly clientId: number;
  readonly clock: number;
  /** A JSON object, or null (the client left). */
  readonly state: Record<string, unknown> | null;
}

/** The entries of an awareness update, or null when it is malformed (any state not an object or null, too deep, trailing bytes). */
export function decodeAwarenessUpdate(update: Uint8Array): AwarenessEntry[] | null {
  try {
    const decoder = decoding.createDecoder(update);
    const count = decoding.readVarUint(decoder);
    const entries: AwarenessEntry[] = [];
    for (let i = 0; i < count; i++) {
      const clientId = decoding.readVarUint(decoder);
      const clock = decoding.readVarUint(decoder);
      const state: unknown = JSON.parse(decoding.readVarString(decoder));
      if (state !== null && (typeof state !== 'object' || Array.isArray(state))) return null;
      if (depthOf(state) > MAX_AWARENESS_DEPTH) return null; // re-encoding it later would overflow the stack
      entries.push({ clientId, clock, state: state as Record<string, unknown> | null });
    }
    return decoder.pos === update.length ? entries : null;
  } catch {
    return null;
  }
}

/** An awareness update of these entries (the inverse of decodeAwarenessUpdate). */
export const encodeAwarenessEntries = (entries: readonly AwarenessEntry[]): Uint8Array<ArrayBuffer> =>
  framed((e) => {
    encoding.writeVarUint(e, entries.length);
    for (const { clientId, clock, state } of entries) {
      encoding.writeVarUint(e, clientId);
      encoding.writeVarUint(e, clock);
      encoding.writeVarString(e, JSON.stringify(state));
    }
  });

export const isWellFormedAwarenessUpdate = (update: Uint8Array): boolean => decodeAwarenessUpdate(update) !== null;
