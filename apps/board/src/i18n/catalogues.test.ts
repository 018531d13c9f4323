import { describe, expect, it } from 'vitest';
import { bs } from './bs.js';
import { catalogues, formatTimeframe, LANGUAGES } from './index.js';

/** Leaf keys, with CLDR plural suffixes folded: languages have different plural forms. */
function keys(obj: object, prefix = ''): Set<string> {
  const out = new Set<string>();
  for (const [k, v] of Object.entries(obj)) {
    const key = `${prefix}${k.replace(/_(zero|one|two|few|many|other)$/, '')}`;
    if (typeof v === 'object' && v !== null) for (const sub of keys(v, `${key}.`)) out.add(sub);
    else out.add(key);
  }
  return out;
}

describe('catalogues', () => {
  it('every language has exactly the keys of the Bosnian catalogue', () => {
    const reference = [...keys(bs)].sort();
    for (const lng of LANGUAGES) expect([...keys(catalogues[lng])].sort(), lng).toEqual(reference);
  });

  it('Bosnian plurals have the CLDR forms one, few and other', () => {
    const plural = new Intl.PluralRules('bs');
    expect([1, 2, 5, 21, 22, 25].map((n) => plural.select(n))).toEqual(['one', 'few', 'other', 'one', 'few', 'other']);
    expect(bs.board).toHaveProperty('activities_one');
    expect(bs.board).toHaveProperty('activities_few');
    expect(bs.board).toHaveProperty('activities_other');
  });

  it('formats quarters the way plans write them', () => {
    const t = (key: string, o?: Record<string, unknown>) => (key === 'timeframe.quarter' ? `${o?.roman} kv. ${o?.year}.` : key);
    expect(formatTimeframe(t, '2023-Q1')).toBe('I kv. 2023.');
    expect(formatTimeframe(t, '2022-Q4')).toBe('IV kv. 2022.');
    expect(formatTimeframe(t, undefined)).toBe('timeframe.none');
    expect(formatTimeframe(t, 'soon')).toBe('timeframe.none');
  });
});
