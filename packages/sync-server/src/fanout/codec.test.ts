import { describe, expect, it } from 'vitest';
import { decodeEntry, decodePresence, encodeEntry, encodePresence, MalformedEntryError } from './codec.js';

const hash = 'a'.repeat(64);

describe('fan-out codec', () => {
  it('round-trips an entry and a presence message, copying the bytes out', () => {
    const entry = { seq: 2 ** 40 + 3, instanceId: 'host-1.example:42', owners: [{ clientId: 2 ** 32 - 1, keyHash: hash }, { clientId: 7, keyHash: '' }], update: Uint8Array.of(1, 2, 3) };
    const bytes = encodeEntry(entry);
    const back = decodeEntry(bytes);
    expect(back).toEqual(entry);
    bytes.fill(0);
    expect(Array.from(back.update)).toEqual([1, 2, 3]);
    const states = { kind: 'states', instanceId: 'i0', speakers: [{ clientId: 9, keyHash: hash }], frame: Uint8Array.of(1, 9, 0) } as const;
    expect(decodePresence(encodePresence(states))).toEqual(states);
    expect(decodePresence(encodePresence({ kind: 'query', instanceId: 'i1' }))).toEqual({ kind: 'query', instanceId: 'i1' });
  });

  it('refuses what is not an entry: every truncation, a bad seq, instance id or key hash, an empty update', () => {
    const good = encodeEntry({ seq: 5, instanceId: 'i0', owners: [{ clientId: 1, keyHash: hash }], update: Uint8Array.of(0) });
    for (let n = 0; n < good.length; n++) expect(() => decodeEntry(good.subarray(0, n)), `truncated at ${n}`).toThrow(MalformedEntryError);
    const bad = [
      encodeEntry({ seq: 0, instanceId: 'i0', owners: [], update: Uint8Array.of(0) }),
      encodeEntry({ seq: 1.5, instanceId: 'i0', owners: [], update: Uint8Array.of(0) }),
      encodeEntry({ seq: 1, instanceId: 'bad id!', owners: [], update: Uint8Array.of(0) }),
      encodeEntry({ seq: 1, instanceId: 'i0', owners: [{ clientId: 1, keyHash: 'not-a-hash' }], update: Uint8Array.of(0) }),
      encodeEntry({ seq: 1, instanceId: 'i0', owners: [], update: new Uint8Array(0) }),
      Uint8Array.of(9, 9, 9),
      encodePresence({ kind: 'query', instanceId: 'i0' }),
    ];
    for (const bytes of bad) expect(() => decodeEntry(bytes)).toThrow(MalformedEntryError);
    expect(() => decodePresence(good)).toThrow(MalformedEntryError);
    expect(() => decodePresence(Uint8Array.of(2, 7, 1, 0x41))).toThrow(MalformedEntryError);
  });
});
