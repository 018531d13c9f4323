import { describe, expect, it } from 'vitest';
import { changedFields, partnerChanges } from './ActivityDialog.js';

describe('partner changes a dialog writes (as the server allows)', () => {
  it('only where the form differs from what it opened with: a partner who joined meanwhile stays', () => {
    const all = () => true;
    expect([...partnerChanges({ partners: ['m_a', 'm_b'], leadId: '' }, { partners: ['m_a'] }, all)]).toEqual([['m_b', true]]);
    expect([...partnerChanges({ partners: [], leadId: '' }, { partners: ['m_a'] }, all)]).toEqual([['m_a', false]]);
    expect([...partnerChanges({ partners: ['m_a'], leadId: '' }, { partners: ['m_a'] }, all)]).toEqual([]);
  });

  it('a municipality that did not propose the activity changes only its own membership', () => {
    const own = (id: string) => id === 'm_own';
    expect([...partnerChanges({ partners: ['m_own'], leadId: 'm_lead' }, { partners: ['m_a', 'm_b'] }, own)]).toEqual([['m_own', true]]);
    expect([...partnerChanges({ partners: ['m_c'], leadId: '' }, { partners: ['m_a', 'm_own'] }, own)]).toEqual([['m_own', false]]);
  });

  it('a partner who becomes the lead leaves the partners', () => {
    expect([...partnerChanges({ partners: ['m_a', 'm_b'], leadId: 'm_b' }, { partners: ['m_a', 'm_b'] }, () => true)]).toEqual([['m_b', false]]);
  });
});

describe('fields a dialog writes', () => {
  it('only those changed since it opened (a cleared one as undefined): what others changed meanwhile stays', () => {
    const opened = { title: 'A', leadId: 'm_a' as string | undefined, status: 'planned', notes: 'x' as string | undefined };
    expect(changedFields({ ...opened, title: 'B' }, opened)).toEqual({ title: 'B' });
    expect(changedFields({ ...opened, notes: undefined }, opened)).toEqual({ notes: undefined });
    expect('notes' in changedFields({ ...opened, notes: undefined }, opened)).toBe(true);
    expect(changedFields({ ...opened }, opened)).toEqual({});
  });
});
