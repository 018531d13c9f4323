/**
 * The frame decoder on its own: frames arrive as views into larger buffers (ws hands
 * out slices of the socket's read buffer), so a length must never reach past the frame.
 */
import { describe, expect, it } from 'vitest';
import {
  decodeMessage,
  encodeAwareness,
  encodeFlush,
  encodeFlushAck,
  encodeSyncStep1,
  encodeSyncStep2,
  encodeUpdate,
  messageFlush,
} from './messages.js';
import { viewBefore } from './test/views.js';

describe('decodeMessage', () => {
  it('[R7] a length that runs into the neighbouring bytes throws instead of reading them', () => {
    const neighbour = new Uint8Array(64).fill(7);
    const frame = viewBefore(new Uint8Array([0, 2, 10, 1, 2]), neighbour); // claims 10 bytes, has 2
    expect(() => decodeMessage(frame)).toThrow();
    const awareness = viewBefore(new Uint8Array([1, 20, 0]), neighbour);
    expect(() => decodeMessage(awareness)).toThrow();
  });

  it('the same frame without a short length decodes, as a view or not', () => {
    const whole = encodeUpdate(new Uint8Array([0, 0]));
    expect(decodeMessage(whole)).toEqual({ kind: 'update', update: new Uint8Array([0, 0]) });
    expect(decodeMessage(viewBefore(whole, new Uint8Array([9, 9, 9])))).toEqual({ kind: 'update', update: new Uint8Array([0, 0]) });
  });

  it('decodes what the encoders write; step 2 and update are both updates', () => {
    const payload = new Uint8Array([1, 2, 3]);
    expect(decodeMessage(encodeSyncStep1(payload))).toEqual({ kind: 'sync-step-1', stateVector: payload });
    expect(decodeMessage(encodeSyncStep2(payload))).toEqual({ kind: 'update', update: payload });
    expect(decodeMessage(encodeUpdate(payload))).toEqual({ kind: 'update', update: payload });
    expect(decodeMessage(encodeAwareness(payload))).toEqual({ kind: 'awareness', update: payload });
    expect(decodeMessage(new Uint8Array([3]))).toEqual({ kind: 'query-awareness' });
    expect(decodeMessage(encodeFlush(300))).toEqual({ kind: 'flush', n: 300 });
  });

  it('[R7] unknown types and steps, truncation and trailing bytes throw', () => {
    for (const bytes of [[], [2], [4], [0, 3, 0], [0, 0], [0, 0, 1], [0, 2, 0, 9], [3, 0], [messageFlush], [messageFlush, 1, 1], [messageFlush + 1, 1]]) {
      expect(() => decodeMessage(new Uint8Array(bytes)), JSON.stringify(bytes)).toThrow();
    }
  });
});

describe('flush', () => {
  it('the ack is the request, sent back: [100, n]', () => {
    expect(encodeFlush(5)).toEqual(new Uint8Array([messageFlush, 5]));
    expect(encodeFlushAck(300)).toEqual(encodeFlush(300));
  });
});
