import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import { decodeAwarenessUpdate, encodeAwarenessEntries, isWellFormedAwarenessUpdate, MAX_AWARENESS_DEPTH } from './awareness.js';
import { viewBefore } from './test/views.js';

/** An awareness update for one client whose state is any JSON (the codec itself writes only objects and null). */
function anyState(clientId: number, clock: number, state: unknown): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 1);
  encoding.writeVarUint(e, clientId);
  encoding.writeVarUint(e, clock);
  encoding.writeVarString(e, JSON.stringify(state));
  return encoding.toUint8Array(e);
}

describe('isWellFormedAwarenessUpdate', () => {
  it('[R10] accepts object and null states, refuses the rest and trailing or borrowed bytes', () => {
    expect(isWellFormedAwarenessUpdate(anyState(1, 1, { user: { name: 'a' } }))).toBe(true);
    expect(isWellFormedAwarenessUpdate(anyState(1, 2, null))).toBe(true);
    expect(isWellFormedAwarenessUpdate(new Uint8Array([0]))).toBe(true);
    for (const state of [1, 'x', [1], true]) expect(isWellFormedAwarenessUpdate(anyState(1, 1, state)), String(state)).toBe(false);
    expect(isWellFormedAwarenessUpdate(new Uint8Array([0, 0]))).toBe(false);
    expect(isWellFormedAwarenessUpdate(new Uint8Array([]))).toBe(false);
    const valid = anyState(1, 1, { a: 1 });
    expect(isWellFormedAwarenessUpdate(viewBefore(valid.subarray(0, valid.length - 2), valid.subarray(valid.length - 2)))).toBe(false);
  });

  it('[R10] refuses a state nested deeper than MAX_AWARENESS_DEPTH, and one thousands deep without overflowing', () => {
    const nest = (depth: number): unknown => (depth === 0 ? 1 : { a: nest(depth - 1) });
    expect(isWellFormedAwarenessUpdate(anyState(1, 1, nest(MAX_AWARENESS_DEPTH)))).toBe(true);
    expect(isWellFormedAwarenessUpdate(anyState(1, 1, nest(MAX_AWARENESS_DEPTH + 1)))).toBe(false);
    const e = encoding.createEncoder();
    [1, 7, 1].forEach((n) => encoding.writeVarUint(e, n));
    encoding.writeVarString(e, '{"a":' + '['.repeat(5000) + ']'.repeat(5000) + '}');
    expect(isWellFormedAwarenessUpdate(encoding.toUint8Array(e))).toBe(false);
  });
});

describe('encodeAwarenessEntries', () => {
  it('is the inverse of decodeAwarenessUpdate', () => {
    const entries = [
      { clientId: 1, clock: 3, state: { user: { name: 'Ana' } } },
      { clientId: 2 ** 31, clock: 0, state: null },
    ];
    expect(decodeAwarenessUpdate(encodeAwarenessEntries(entries))).toEqual(entries);
    expect(encodeAwarenessEntries([{ clientId: 9, clock: 1, state: { a: 1 } }])).toEqual(anyState(9, 1, { a: 1 }));
  });
});
