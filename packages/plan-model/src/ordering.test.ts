import { generateKeyBetween } from 'fractional-indexing';
import { describe, expect, it } from 'vitest';
import { compareRanks, rankAt, rankBetween } from './ordering.js';

/** A key is valid when fractional-indexing accepts it as a neighbour. */
const isValidKey = (key: string): boolean => {
  try {
    generateKeyBetween(key, null);
    return true;
  } catch {
    return false;
  }
};

const ranked = (...ranks: string[]) => ranks.map((rank, i) => ({ rank, id: `i${i}` }));

describe('rankBetween', () => {
  it('makes a key for an empty list (both ends open)', () => {
    const key = rankBetween(null, null);
    expect(isValidKey(key)).toBe(true);
  });

  it('makes a key after the last one (open end after)', () => {
    const key = rankBetween('a0', null);
    expect(key > 'a0').toBe(true);
    expect(isValidKey(key)).toBe(true);
  });

  it('makes a key before the first one (open end before)', () => {
    const key = rankBetween(null, 'a0');
    expect(key < 'a0').toBe(true);
    expect(isValidKey(key)).toBe(true);
  });

  it('makes a key strictly between two neighbours', () => {
    const key = rankBetween('a0', 'a1');
    expect(key > 'a0' && key < 'a1').toBe(true);
  });

  it('keeps finding room between ever closer keys', () => {
    let lo = 'a0';
    const hi = 'a1';
    for (let i = 0; i < 200; i++) {
      const key = rankBetween(lo, hi);
      expect(key > lo && key < hi).toBe(true);
      lo = key;
    }
  });

  it('with equal neighbours (a concurrent insert) sorts after them instead of failing', () => {
    const key = rankBetween('a0', 'a0');
    expect(key > 'a0').toBe(true);
    expect(isValidKey(key)).toBe(true);
  });

  it('with neighbours in the wrong order ignores the one after', () => {
    const key = rankBetween('a5', 'a1');
    expect(key > 'a5').toBe(true);
  });

  it('ignores an invalid key before and still respects the one after', () => {
    for (const bad of ['', 'a', 'a00', 'hello', 'zz']) {
      const key = rankBetween(bad, 'a3');
      expect(isValidKey(key)).toBe(true);
      expect(key < 'a3').toBe(true);
    }
  });

  it('ignores an invalid key after and still respects the one before', () => {
    for (const bad of ['', 'a', 'a00', 'hello', 'zz']) {
      const key = rankBetween('a3', bad);
      expect(isValidKey(key)).toBe(true);
      expect(key > 'a3').toBe(true);
    }
  });

  it('returns a valid key when both neighbours are invalid', () => {
    expect(isValidKey(rankBetween('', 'a00'))).toBe(true);
  });
});

describe('rankAt', () => {
  it('places into an empty list', () => {
    expect(isValidKey(rankAt([], 0))).toBe(true);
  });

  it('places at every index of a list and sorts there', () => {
    const list = [{ rank: 'a0' }, { rank: 'a1' }, { rank: 'a2' }, { rank: 'a3' }];
    for (let index = 0; index <= list.length; index++) {
      const key = rankAt(list, index);
      const sorted = [...list.map((x) => x.rank), key].sort();
      expect(sorted.indexOf(key)).toBe(index);
    }
  });

  it('clamps an index below 0 to the start and past the end to the end', () => {
    const list = [{ rank: 'a0' }, { rank: 'a1' }];
    expect(rankAt(list, -5) < 'a0').toBe(true);
    expect(rankAt(list, 99) > 'a1').toBe(true);
  });

  it('after a run of equal ranks, places after the whole run and before the next distinct rank', () => {
    // Two concurrent inserts at the same spot left "a1" twice.
    const list = [{ rank: 'a0' }, { rank: 'a1' }, { rank: 'a1' }, { rank: 'a2' }];
    const key = rankAt(list, 2);
    expect(key > 'a1' && key < 'a2').toBe(true);
  });

  it('at the end of a list of only equal ranks, places after them', () => {
    const key = rankAt([{ rank: 'a1' }, { rank: 'a1' }], 2);
    expect(key > 'a1').toBe(true);
  });

  it('at the start of a list whose first rank is shared, places before it', () => {
    const key = rankAt([{ rank: 'a1' }, { rank: 'a1' }], 0);
    expect(key < 'a1').toBe(true);
  });
});

describe('compareRanks', () => {
  it('orders by rank as plain code units, not by locale', () => {
    // In code units 'Z' (0x5a) < 'a' (0x61); localeCompare would say otherwise.
    expect(compareRanks({ rank: 'Zz', id: 'x' }, { rank: 'a0', id: 'x' })).toBeLessThan(0);
    expect(compareRanks({ rank: 'a1', id: 'a' }, { rank: 'a0', id: 'z' })).toBeGreaterThan(0);
  });

  it('breaks a tie of equal ranks by id', () => {
    expect(compareRanks({ rank: 'a0', id: 'b' }, { rank: 'a0', id: 'a' })).toBeGreaterThan(0);
    expect(compareRanks({ rank: 'a0', id: 'a' }, { rank: 'a0', id: 'b' })).toBeLessThan(0);
    expect(compareRanks({ rank: 'a0', id: 'a' }, { rank: 'a0', id: 'a' })).toBe(0);
  });

  it('sorts a list with ties the same way whatever the input order', () => {
    const items = ranked('a1', 'a0', 'a1', 'a0', 'a2');
    const one = [...items].sort(compareRanks).map((x) => x.id);
    const two = [...items].reverse().sort(compareRanks).map((x) => x.id);
    expect(one).toEqual(two);
    expect(one).toEqual(['i1', 'i3', 'i0', 'i2', 'i4']);
  });
});
