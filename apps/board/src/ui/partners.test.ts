import { describe, expect, it } from 'vitest';
import { partnersToSave } from './ActivityDialog.js';

describe('partners a coordinator may change (as the server allows)', () => {
  it('a municipality that did not propose the activity changes only its own membership', () => {
    const own = (id: string) => id === 'm_own';
    // The form shows others unticked (e.g. a stale dialog): they are kept as they were.
    expect(partnersToSave({ partners: ['m_own'], leadId: 'm_lead' }, ['m_a', 'm_b'], own)).toEqual(['m_a', 'm_b', 'm_own']);
    expect(partnersToSave({ partners: ['m_a', 'm_c'], leadId: 'm_lead' }, ['m_a', 'm_own'], own)).toEqual(['m_a']);
  });

  it('whoever manages the partners sets them all, the lead never among them', () => {
    expect(partnersToSave({ partners: ['m_a', 'm_lead', 'm_c'], leadId: 'm_lead' }, ['m_a', 'm_b'], () => true)).toEqual(['m_a', 'm_c']);
  });
});
