import { describe, expect, it } from 'vitest';
import { timerTransitions } from '@tabla/plan-model';
import { baseCode, municipalityCodes } from './codes.js';
import { formatCountdown, parseCountdown, parseMinutes, remainingSeconds, timerPhase } from './countdown.js';
import { facilitatorFocus, followReason, newNonce, SUMMON_TTL_MS } from './follow.js';

describe('countdown', () => {
  it('shows mm:ss, rounding up so 00:00 means time is up', () => {
    expect(formatCountdown(0)).toBe('00:00');
    expect(formatCountdown(59)).toBe('00:59');
    expect(formatCountdown(300)).toBe('05:00');
    expect(formatCountdown(5400)).toBe('90:00');
    const running = timerTransitions.start(timerTransitions.set(60_000), 1_000_000);
    expect(remainingSeconds(running, 1_000_000)).toBe(60);
    expect(remainingSeconds(running, 1_000_001)).toBe(60);
    expect(remainingSeconds(running, 1_000_999)).toBe(60);
    expect(remainingSeconds(running, 1_001_000)).toBe(59);
    expect(remainingSeconds(running, 1_059_999)).toBe(1);
    expect(remainingSeconds(running, 1_060_000)).toBe(0);
    expect(remainingSeconds(running, 2_000_000)).toBe(0);
    expect(parseCountdown('04:59')).toBe(299);
    expect(parseCountdown('4:5')).toBeNaN();
  });

  it('reads minutes as typed, with a decimal comma or point, in whole seconds', () => {
    expect(parseMinutes('5')).toBe(300_000);
    expect(parseMinutes(' 10 ')).toBe(600_000);
    expect(parseMinutes('0,5')).toBe(30_000);
    expect(parseMinutes('0.05')).toBe(3_000);
    expect(parseMinutes('.5')).toBe(30_000);
    expect(parseMinutes('0.001')).toBe(1_000); // at least a second
    expect(parseMinutes('1440')).toBe(86_400_000);
    for (const bad of ['', '0', '-1', 'pet', '1e3', '1441', '1,2,3', 'NaN', 'Infinity']) expect(parseMinutes(bad), bad).toBeNull();
  });

  it('tells ready, running, paused and ended apart', () => {
    const set = timerTransitions.set(60_000);
    expect(timerPhase(set, 0)).toBe('ready');
    const running = timerTransitions.start(set, 1000);
    expect(timerPhase(running, 2000)).toBe('running');
    const paused = timerTransitions.pause(running, 31_000);
    expect(timerPhase(paused, 99_000)).toBe('paused');
    expect(remainingSeconds(paused, 99_000)).toBe(30);
    expect(timerPhase(running, 61_000)).toBe('ended');
    expect(timerPhase(timerTransitions.pause(running, 70_000), 80_000)).toBe('ended');
    expect(timerPhase(timerTransitions.reset(running), 80_000)).toBe('ready');
  });
});

describe('municipality codes', () => {
  const demo = [
    { id: 'a', name: 'Općina Trnovo' },
    { id: 'b', name: 'Opština Trnovo' },
    { id: 'c', name: 'Općina Novo Sarajevo' },
    { id: 'd', name: 'Opština Istočno Novo Sarajevo' },
    { id: 'e', name: 'Grad Mostar' },
    { id: 'f', name: 'Općina Novi Travnik' },
    { id: 'g', name: 'Grad Istočno Sarajevo' },
    { id: 'h', name: 'Općina Bugojno (primjer)' },
  ];

  it('derives initials, or the first letters of a one-word name, without the kind of unit', () => {
    expect(baseCode('Općina Novo Sarajevo')).toBe('NS');
    expect(baseCode('Opština Istočno Novo Sarajevo')).toBe('INS');
    expect(baseCode('Grad Mostar')).toBe('MOS');
    expect(baseCode('Općina Bugojno (primjer)')).toBe('BUG');
    expect(baseCode('Општина Требиње')).toBe('ТРЕ');
    expect(baseCode('Grad')).toBe('GRA');
  });

  it('gives every municipality of the board its own code (the two Trnovos too)', () => {
    const codes = municipalityCodes(demo);
    expect(Object.fromEntries(codes)).toEqual({ a: 'TRN1', b: 'TRN2', c: 'NS', d: 'INS', e: 'MOS', f: 'NT', g: 'IS', h: 'BUG' });
    expect(new Set(codes.values()).size).toBe(demo.length);
  });
});

describe('follow me', () => {
  const states = (entries: [number, Record<string, unknown>][]) => new Map(entries);
  const facilitator = { user: { name: 'facilitatorica', role: 'facilitator' } };

  it("finds the facilitator's focus, the latest when two facilitators have one; never one's own", () => {
    const s = states([
      [1, { ...facilitator, view: { focus: { kind: 'lane', id: 'L1' }, at: 10 } }],
      [2, { ...facilitator, view: { focus: { kind: 'activity', id: 'A1' }, at: 20 } }],
      [3, { user: { name: 'koordinator', role: 'editor' }, view: { focus: { kind: 'lane', id: 'L9' }, at: 99 } }],
      [4, { ...facilitator, view: { focus: { kind: 'bogus', id: 'x' }, at: 99 } }],
      [5, { ...facilitator, view: { focus: null, at: 99 } }],
    ]);
    expect(facilitatorFocus(s, 9)).toEqual({ clientId: 2, focus: { kind: 'activity', id: 'A1' } });
    expect(facilitatorFocus(s, 2)).toEqual({ clientId: 1, focus: { kind: 'lane', id: 'L1' } });
    expect(facilitatorFocus(states([[3, { user: { role: 'editor' }, view: { focus: { kind: 'lane', id: 'L' } } }]]), 9)).toBeNull();
  });

  it('the projector always follows; others after a summon until they step away from it', () => {
    const summon = { nonce: 'n1', at: 1_000 };
    const base = { role: 'editor' as const, projector: false, summon: null, steppedAwayFrom: null, serverNow: 2_000 };
    expect(followReason(base)).toBeNull();
    expect(followReason({ ...base, role: 'viewer', projector: true })).toBe('projector');
    expect(followReason({ ...base, summon })).toBe('summon');
    expect(followReason({ ...base, summon, steppedAwayFrom: 'n1' })).toBeNull();
    expect(followReason({ ...base, summon: { nonce: 'n2', at: 3_000 }, steppedAwayFrom: 'n1' })).toBe('summon');
    expect(followReason({ ...base, summon, serverNow: 1_000 + SUMMON_TTL_MS })).toBeNull();
    // The facilitator leads, never follows.
    expect(followReason({ ...base, role: 'facilitator', projector: true, summon })).toBeNull();
  });

  it('makes nonces the document accepts', () => {
    const a = newNonce();
    expect(a).toMatch(/^[0-9a-f]{24}$/);
    expect(newNonce()).not.toBe(a);
  });
});
