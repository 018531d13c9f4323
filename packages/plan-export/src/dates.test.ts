import { describe, expect, it } from 'vitest';
import { dateLang, formatDateTime, formatLongDate, formatTime } from './dates.js';

const SARAJEVO = { timeZone: 'Europe/Sarajevo' } as const;
/** 1 December 2026, 14:05 in Sarajevo (CET, UTC+1). */
const AT = Date.UTC(2026, 11, 1, 13, 5);

describe('dates, written by hand the same on every machine', () => {
  it('in Bosnian, Serbian Cyrillic and English, with month names and a 24-hour time', () => {
    expect(formatLongDate(AT, 'bs', SARAJEVO)).toBe('1. decembar 2026.');
    expect(formatLongDate(AT, 'sr-Cyrl-BA', SARAJEVO)).toBe('1. децембар 2026.');
    expect(formatLongDate(AT, 'en', SARAJEVO)).toBe('1 December 2026');
    expect(formatDateTime(AT, 'bs', SARAJEVO)).toBe('1. decembar 2026. u 14:05');
    expect(formatDateTime(AT, 'sr-Cyrl-BA', SARAJEVO)).toBe('1. децембар 2026. у 14:05');
    expect(formatDateTime(AT, 'en', SARAJEVO)).toBe('1 December 2026, 14:05');
    for (const lang of ['bs', 'sr-Cyrl-BA', 'en'] as const) expect(formatTime(AT, lang, SARAJEVO)).toBe('14:05');
    expect(formatTime(Date.UTC(2026, 6, 1, 22, 7), 'bs', SARAJEVO)).toBe('00:07'); // summer time (UTC+2), past midnight
  });

  it('every month exactly as full ICU writes it (Node has full ICU; Debian’s Chromium has not)', () => {
    for (let month = 0; month < 12; month++) {
      const date = new Date(Date.UTC(2022, month, 19, 12));
      for (const [lang, locale] of [['bs', 'bs'], ['sr-Cyrl-BA', 'sr-Cyrl-BA'], ['en', 'en-GB']] as const) {
        expect(formatLongDate(date, lang, SARAJEVO)).toBe(new Intl.DateTimeFormat(locale, { dateStyle: 'long', ...SARAJEVO }).format(date));
      }
    }
  });

  it('the day is the zone’s: 23:30 UTC on 31 December is already the new year in Sarajevo', () => {
    const at = Date.UTC(2026, 11, 31, 23, 30);
    expect(formatLongDate(at, 'bs', SARAJEVO)).toBe('1. januar 2027.');
    expect(formatLongDate(at, 'bs', { timeZone: 'UTC' })).toBe('31. decembar 2026.');
  });

  it('takes any language code the board or the document has', () => {
    expect(dateLang('bs')).toBe('bs');
    expect(dateLang('en-GB')).toBe('en');
    expect(dateLang('en')).toBe('en');
    expect(dateLang('sr-Cyrl-BA')).toBe('sr-Cyrl-BA');
    expect(dateLang('sr')).toBe('sr-Cyrl-BA');
    expect(dateLang('de')).toBe('bs');
    expect(dateLang('english')).toBe('bs'); // not a code of ours
  });
});
