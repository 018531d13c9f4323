/**
 * The frame decoder on its own: frames arrive as views into larger buffers (ws hands
 * out slices of the socket's read buffer), so a length must never reach past the frame.
 */
import { describe, expect, it } from 'vitest';
import { decodeMessage, isWellFormedAwarenessUpdate } from '../protocol.js';
import { awarenessPayload, updateFrame } from '@tabla/test-clients';

/** `frame` followed by `neighbour` in one buffer; returns a view of `frame` only. */
function viewBefore(frame: Uint8Array, neighbour: Uint8Array): Uint8Array {
  const buf = new Uint8Array(frame.length + neighbour.length);
  buf.set(frame);
  buf.set(neighbour, frame.length);
  return buf.subarray(0, frame.length);
}

describe('decodeMessage', () => {
  it('[R7] a length that runs into the neighbouring bytes throws instead of reading them', () => {
    const neighbour = new Uint8Array(64).fill(7);
    const frame = viewBefore(new Uint8Array([0, 2, 10, 1, 2]), neighbour); // claims 10 bytes, has 2
    expect(() => decodeMessage(frame)).toThrow();
    const awareness = viewBefore(new Uint8Array([1, 20, 0]), neighbour);
    expect(() => decodeMessage(awareness)).toThrow();
  });

  it('the same frame without a short length decodes, as a view or not', () => {
    const whole = updateFrame(new Uint8Array([0, 0]));
    expect(decodeMessage(whole)).toEqual({ kind: 'update', update: new Uint8Array([0, 0]) });
    expect(decodeMessage(viewBefore(whole, new Uint8Array([9, 9, 9])))).toEqual({ kind: 'update', update: new Uint8Array([0, 0]) });
  });
});

describe('isWellFormedAwarenessUpdate', () => {
  it('[R10] accepts object and null states, refuses the rest and trailing or borrowed bytes', () => {
    expect(isWellFormedAwarenessUpdate(awarenessPayload(1, 1, { user: { name: 'a' } }))).toBe(true);
    expect(isWellFormedAwarenessUpdate(awarenessPayload(1, 2, null))).toBe(true);
    expect(isWellFormedAwarenessUpdate(new Uint8Array([0]))).toBe(true);
    for (const state of [1, 'x', [1], true]) expect(isWellFormedAwarenessUpdate(awarenessPayload(1, 1, state)), String(state)).toBe(false);
    expect(isWellFormedAwarenessUpdate(new Uint8Array([0, 0]))).toBe(false);
    expect(isWellFormedAwarenessUpdate(new Uint8Array([]))).toBe(false);
    const valid = awarenessPayload(1, 1, { a: 1 });
    expect(isWellFormedAwarenessUpdate(viewBefore(valid.subarray(0, valid.length - 2), valid.subarray(valid.length - 2)))).toBe(false);
  });
});
