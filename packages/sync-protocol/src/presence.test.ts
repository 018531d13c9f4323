import { describe, expect, it } from 'vitest';
import { MAX_AWARENESS_DEPTH } from './awareness.js';
import { isPresenceState, isProjectorPresence, type PresenceState, presenceStateProblem } from './presence.js';

const full: PresenceState = {
  user: { name: 'Ana', municipalityId: 'm-1', color: '#1f77b4', role: 'editor' },
  dragging: { activityId: 'a-1', title: 'Javne konsultacije', container: 'pool', index: 0 },
  editing: 'a-1',
  view: { focus: { kind: 'lane', id: 'l-1' }, at: 1_700_000_000_000 },
};

describe('presenceStateProblem', () => {
  it('accepts what the board writes: a full state, the empty state, null fields, a tab that left', () => {
    expect(presenceStateProblem(full)).toBeNull();
    expect(presenceStateProblem({})).toBeNull();
    expect(presenceStateProblem(null)).toBeNull();
    expect(presenceStateProblem({ user: { name: 'Ana', municipalityId: null, color: '#5b6770', role: null }, dragging: null, editing: null })).toBeNull();
    expect(presenceStateProblem({ view: { focus: null, at: 0 } })).toBeNull();
    expect(isPresenceState(full)).toBe(true);
    expect(isPresenceState(null)).toBe(false);
  });

  it('refuses unknown keys, at the top and inside the records', () => {
    expect(presenceStateProblem({ ...full, cursor: { x: 1 } })).toMatch(/unknown key "cursor"/);
    expect(presenceStateProblem({ user: { ...full.user, admin: true } })).toMatch(/^user: unknown key "admin"/);
    expect(presenceStateProblem({ view: { focus: { kind: 'lane', id: 'l', x: 1 }, at: 1 } })).toMatch(/^view\.focus: unknown key/);
    expect(presenceStateProblem({ __proto__: null, constructor: 1 })).toMatch(/unknown key "constructor"/);
  });

  it('refuses wrong types and missing fields', () => {
    const bad: unknown[] = [
      1,
      'x',
      [],
      { user: null },
      { user: 'Ana' },
      { user: { name: 'Ana', municipalityId: null, color: '#000' } },
      { user: { ...full.user, name: 7 } },
      { user: { ...full.user, municipalityId: 3 } },
      { user: { ...full.user, role: 'admin' } },
      { dragging: { ...full.dragging, index: -1 } },
      { dragging: { ...full.dragging, index: 1.5 } },
      { dragging: { ...full.dragging, container: null } },
      { editing: 5 },
      { editing: { id: 'a' } },
      { view: { focus: { kind: 'board', id: 'b' }, at: 1 } },
      { view: { focus: null, at: '1' } },
      { view: { focus: null } },
    ];
    for (const state of bad) expect(presenceStateProblem(state), JSON.stringify(state)).not.toBeNull();
  });

  it('bounds every string: a name of 120 characters passes, 121 does not', () => {
    const named = (name: string) => ({ user: { ...full.user!, name } });
    expect(presenceStateProblem(named('x'.repeat(120)))).toBeNull();
    expect(presenceStateProblem(named('x'.repeat(121)))).toMatch(/^user\.name: longer than 120/);
    expect(presenceStateProblem({ editing: 'a'.repeat(65) })).toMatch(/^editing: longer than 64/);
    expect(presenceStateProblem({ user: { ...full.user!, color: '#'.repeat(33) } })).toMatch(/^user\.color/);
    expect(presenceStateProblem({ dragging: { ...full.dragging!, title: 't'.repeat(201) } })).toMatch(/^dragging\.title/);
    expect(presenceStateProblem({ user: { ...full.user!, municipalityId: 'm'.repeat(65) } })).toMatch(/^user\.municipalityId/);
  });

  it(`refuses nesting deeper than MAX_AWARENESS_DEPTH (${MAX_AWARENESS_DEPTH}) before looking at keys`, () => {
    let deep: unknown = 1;
    for (let i = 0; i < 5000; i++) deep = { a: deep };
    expect(presenceStateProblem({ user: deep })).toMatch(/nested deeper than 8/);
  });

  it('accepts a projector: no name, no municipality, only that it is one and its role', () => {
    expect(presenceStateProblem({ user: { projector: true, role: 'viewer' } })).toBeNull();
    expect(presenceStateProblem({ user: { projector: true, role: null }, view: null })).toBeNull();
    expect(isProjectorPresence({ projector: true, role: 'viewer' })).toBe(true);
    expect(isProjectorPresence(full.user)).toBe(false);
    expect(isProjectorPresence(null)).toBe(false);
  });

  it('refuses a projector that is half a person, or not quite a projector', () => {
    const bad: unknown[] = [
      { user: { projector: true } },
      { user: { projector: false, role: 'viewer' } },
      { user: { projector: 'yes', role: 'viewer' } },
      { user: { projector: true, role: 'admin' } },
      { user: { projector: true, role: 'viewer', name: 'Projektor' } },
      { user: { ...full.user, projector: true } },
    ];
    for (const state of bad) expect(presenceStateProblem(state), JSON.stringify(state)).not.toBeNull();
  });
});
