import { describe, expect, it } from 'vitest';
import { currencyFormat, formatKM, type MakeFormat } from './format.js';

/** Intl separates the amount and the symbol with a no-break space. */
const plain = (s: string) => s.replace(/\s/g, ' ');

describe('formatKM', () => {
  it('formats convertible marks for each UI language', () => {
    expect(plain(formatKM(1234.5, 'bs'))).toBe('1.234,50 KM');
    expect(plain(formatKM(1234.5, 'sr-Cyrl-BA'))).toBe('1.234,50 КМ');
    expect(plain(formatKM(1234.5, 'en'))).toBe('KM 1,234.50');
    expect(plain(formatKM(0, 'bs'))).toBe('0,00 KM');
  });

  it('an unknown language formats as Bosnian', () => {
    expect(plain(formatKM(1000, 'de'))).toBe('1.000,00 KM');
  });

  it('without Bosnian number data (Chromium), falls back to a locale that writes amounts the same way', () => {
    // Chromium: 'bs-BA' "supported", but formatted with root data.
    const chromium: MakeFormat = (locale, options) => new Intl.NumberFormat(locale.startsWith('bs') ? 'en' : locale, { ...options, currencyDisplay: locale.startsWith('bs') ? 'code' : options.currencyDisplay });
    const used: string[] = [];
    const format = currencyFormat('bs', (locale, options) => (used.push(locale), chromium(locale, options)));
    expect(plain(format.format(1234.5))).toBe('1.234,50 KM');
    expect(used[0]).toBe('bs-BA');
    expect(format.resolvedOptions().locale).toBe('hr-BA');
  });

  it('when no locale fits, still formats the amount with the first', () => {
    const broken: MakeFormat = (_locale, options) => new Intl.NumberFormat('en', { ...options, currencyDisplay: 'code' });
    expect(plain(currencyFormat('bs', broken).format(1234.5))).toBe('BAM 1,234.50');
  });
});
