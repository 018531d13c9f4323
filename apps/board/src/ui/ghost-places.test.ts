import { describe, expect, it } from 'vitest';
import type { Activity } from '@tabla/plan-model';
import { LANE_END } from '../dnd/slots.js';
import { ghostPlaces } from './Lane.js';
import type { Ghost } from './presence.js';

const cards = (...ids: string[]) => ids.map((id) => ({ id }) as Activity);
const ghost = (activityId: string, index: number): Ghost => ({ clientId: 7, name: 'Ana', color: '#000', activityId, title: activityId, index });
const placeOf = (places: Map<string | typeof LANE_END, Ghost[]>) => [...places.keys()][0];

describe('where another person’s drag shows in a lane', () => {
  const lane = cards('a', 'b', 'c', 'd');
  const all = lane.map((activity) => ({ activity }));

  it('before the card at its index among the lane’s other cards, the dragged card left out', () => {
    // b dragged to index 2 of [a, c, d]: it lands before d, not before c.
    expect(placeOf(ghostPlaces([ghost('b', 2)], lane, all))).toBe('d');
    expect(placeOf(ghostPlaces([ghost('x', 0)], lane, all))).toBe('a'); // a card from another lane
    expect(placeOf(ghostPlaces([ghost('b', 3)], lane, all))).toBe(LANE_END);
  });

  it('before the first shown card from there when a filter hides the one at its index', () => {
    const shown = all.filter((c) => c.activity.id !== 'c');
    expect(placeOf(ghostPlaces([ghost('x', 2)], lane, shown))).toBe('d');
    expect(placeOf(ghostPlaces([ghost('x', 2)], lane, shown.filter((c) => c.activity.id !== 'd')))).toBe(LANE_END);
  });
});
