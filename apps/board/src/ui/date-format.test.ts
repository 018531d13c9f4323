import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatDate, formatDateTime, formatTime } from './date-format.js';

/** 1 December 2026, 14:05 on this machine's clock (the board writes the device's local time). */
const AT = new Date(2026, 11, 1, 14, 5).getTime();

afterEach(() => vi.restoreAllMocks());

describe('the board’s one date formatter', () => {
  it('writes dates with month names in all three languages', () => {
    expect(formatDate('bs', AT)).toBe('1. decembar 2026.');
    expect(formatDate('sr-Cyrl-BA', AT)).toBe('1. децембар 2026.');
    expect(formatDate('en', AT)).toBe('1 December 2026');
  });

  it('writes times on the 24-hour clock, with the date where asked', () => {
    expect(formatDateTime('bs', AT)).toBe('1. decembar 2026. u 14:05');
    expect(formatDateTime('sr-Cyrl-BA', AT)).toBe('1. децембар 2026. у 14:05');
    expect(formatDateTime('en', AT)).toBe('1 December 2026, 14:05');
    expect(formatTime('bs', AT)).toBe('14:05');
    expect(formatTime('en', new Date(2026, 0, 5, 9, 3).getTime())).toBe('09:03');
  });

  it('does not depend on the browser’s locale data (Debian’s Chromium has none for Bosnian: "2026 M12 1")', () => {
    // As a trimmed ICU answers for 'bs' and 'sr-Cyrl-BA': a generic pattern.
    const real = Intl.DateTimeFormat;
    vi.spyOn(Intl, 'DateTimeFormat').mockImplementation(((locale?: string | string[], options?: Intl.DateTimeFormatOptions) => {
      const asked = [locale ?? []].flat()[0] ?? '';
      if (asked.startsWith('bs') || asked.startsWith('sr') || asked.startsWith('hr')) return { format: () => '2026 M12 1', formatToParts: () => [] } as unknown as Intl.DateTimeFormat;
      return new real(locale, options);
    }) as typeof Intl.DateTimeFormat);
    expect(formatDate('bs', AT)).toBe('1. decembar 2026.');
    expect(formatDateTime('sr-Cyrl-BA', AT)).toBe('1. децембар 2026. у 14:05');
  });

  it('takes a language the catalogue does not know as Bosnian', () => {
    expect(formatDate('de', AT)).toBe('1. decembar 2026.');
  });
});
