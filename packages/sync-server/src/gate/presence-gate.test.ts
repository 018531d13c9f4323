/**
 * The presence gate alone, in memory: bindings of presence ids to devices are for good and bounded
 * without evicting anyone's (RELIABILITY R19).
 */
import { describe, expect, it } from 'vitest';
import type { AwarenessEntry } from '@tabla/sync-protocol';
import { PresenceGate, type PresenceSpeaker, type PresenceView } from './presence-gate.js';

const limits = { maxPresenceStateBytes: 200, maxPresenceIdsPerKey: 2, maxPresenceBindings: 3 };
const speaker = (keyHash: string): PresenceSpeaker => ({ role: 'editor', municipalityId: null, keyHash, awarenessIds: new Set() });
const say = (clientId: number, state: Record<string, unknown> | null = { user: { name: 'x' } }): AwarenessEntry => ({ clientId, clock: 1, state });
const nobody: PresenceView = { clockOf: () => undefined, isPresent: () => false };

describe('presence gate', () => {
  it('[R19] a state over MAX_PRESENCE_STATE_BYTES is refused; one at the limit is admitted', () => {
    const gate = new PresenceGate(new Map(), () => undefined, limits);
    const padded = (bytes: number) => ({ user: { name: 'x'.repeat(bytes - JSON.stringify({ user: { name: '' } }).length) } });
    expect(gate.admit(speaker('a'), [say(1, padded(200))], nobody).problem).toBeNull();
    expect(gate.admit(speaker('a'), [say(2, padded(201))], nobody).problem).toBe('presence state too large');
  });

  it('[R19] bindings are bounded per device key and per board: past them a new id is not shown, and nobody’s binding is evicted', () => {
    const gate = new PresenceGate(new Map(), () => undefined, limits);
    const a = speaker('a');
    expect(gate.admit(a, [say(1), say(2)], nobody)).toMatchObject({ problem: null, newBindings: [{ clientId: 1 }, { clientId: 2 }] });
    expect(gate.admit(speaker('a'), [say(3)], nobody)).toMatchObject({ problem: null, admitted: [], newBindings: [] }); // key 'a' has its 2
    expect(gate.admit(speaker('b'), [say(4)], nobody)).toMatchObject({ admitted: [{ clientId: 4 }] });
    expect(gate.admit(speaker('c'), [say(5)], nobody)).toMatchObject({ admitted: [], newBindings: [] }); // the board has its 3
    expect([1, 2, 4].map((id) => gate.ownerOf(id))).toEqual(['a', 'a', 'b']);
  });

  it('[R19] bindings loaded from storage hold after a restart: another device’s echo of a bound id is dropped', () => {
    const gate = new PresenceGate(new Map([[7, 'victim']]), () => undefined, limits);
    expect(gate.ownerOf(7)).toBe('victim');
    expect(gate.admit(speaker('stranger'), [say(7)], nobody).admitted).toEqual([]);
    expect(gate.admit(speaker('victim'), [say(7)], nobody).admitted).toHaveLength(1);
  });

  it('a projector is the read-only link only: a coordinator or facilitator may not hide among projectors', () => {
    const gate = new PresenceGate(new Map(), () => undefined, limits);
    const as = (role: PresenceSpeaker['role'], keyHash: string): PresenceSpeaker => ({ role, municipalityId: null, keyHash, awarenessIds: new Set() });
    const projector = (role: string | null) => ({ user: { projector: true, role } });
    expect(gate.admit(as('viewer', 'wall'), [say(11, projector('viewer'))], nobody)).toMatchObject({ problem: null, admitted: [{ clientId: 11 }] });
    expect(gate.admit(as('viewer', 'wall2'), [say(12, projector(null))], nobody).problem).toBeNull();
    expect(gate.admit(as('editor', 'e'), [say(13, projector(null))], nobody).problem).toBe('only a read-only link is a projector');
    expect(gate.admit(as('facilitator', 'f'), [say(14, projector(null))], nobody).problem).toBe('only a read-only link is a projector');
    expect(gate.admit(as('editor', 'e2'), [say(15, projector('viewer'))], nobody).problem).toBe('presence claims another role');
  });
});
