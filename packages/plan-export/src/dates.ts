/**
 * Dates and times as Tabla writes them, on paper and on screen alike: "1. decembar 2026.",
 * "1. децембар 2026.", "1 December 2026", and 24-hour times ("14:05"). Written by hand from the
 * date's numbers, not by Intl in the language: browsers ship trimmed locale data (Debian's
 * Chromium has no Bosnian dates and writes "2026 M12 1"), and the same date must read the same
 * on every machine. Only 'en-GB' is asked of Intl, for the numbers in a time zone: every ICU has it.
 * Browser-safe (`@tabla/plan-export/model`): the board uses these too.
 */

/** The languages dates are written in (the board's and the plan document's). */
export type DateLang = 'bs' | 'sr-Cyrl-BA' | 'en';

export interface DateOptions {
  /** An IANA zone ("Europe/Sarajevo"); default: the machine's own. */
  readonly timeZone?: string;
}

/** Month names in the form a date needs ("19. oktobar 2022."), as full ICU writes them. */
const MONTHS: Readonly<Record<DateLang, readonly string[]>> = {
  bs: ['januar', 'februar', 'mart', 'april', 'maj', 'juni', 'juli', 'august', 'septembar', 'oktobar', 'novembar', 'decembar'],
  'sr-Cyrl-BA': ['јануар', 'фебруар', 'март', 'април', 'мај', 'јун', 'јул', 'август', 'септембар', 'октобар', 'новембар', 'децембар'],
  en: ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'],
};

/** "at" between a date and its time. */
const AT: Readonly<Record<DateLang, string>> = { bs: ' u ', 'sr-Cyrl-BA': ' у ', en: ', ' };

/** Any language code as one of ours: 'en-GB' -> 'en', 'sr', 'sr-Cyrl' -> 'sr-Cyrl-BA', anything else -> 'bs'. */
export function dateLang(language: string): DateLang {
  if (language === 'en' || language.startsWith('en-')) return 'en';
  if (language === 'sr' || language.startsWith('sr-')) return 'sr-Cyrl-BA';
  return 'bs';
}

interface Parts {
  readonly day: number;
  readonly month: number;
  readonly year: number;
  readonly hour: number;
  readonly minute: number;
}

const numberFormats = new Map<string, Intl.DateTimeFormat>();

/** The date's numbers in the zone (one formatter per zone, kept). */
function partsOf(date: Date | number, timeZone: string | undefined): Parts {
  const key = timeZone ?? '';
  let format = numberFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', {
      day: 'numeric',
      month: 'numeric',
      year: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      hourCycle: 'h23',
      ...(timeZone ? { timeZone } : {}),
    });
    numberFormats.set(key, format);
  }
  const parts = format.formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? Number.NaN);
  return { day: part('day'), month: part('month'), year: part('year'), hour: part('hour'), minute: part('minute') };
}

const dayText = (p: Parts, lang: DateLang): string =>
  lang === 'en' ? `${p.day} ${MONTHS.en[p.month - 1]} ${p.year}` : `${p.day}. ${MONTHS[lang][p.month - 1]} ${p.year}.`;

const timeOf = (p: Parts): string => `${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`;

/** "1. decembar 2026." (bs), "1. децембар 2026." (sr-Cyrl-BA), "1 December 2026" (en). */
export function formatLongDate(date: Date | number, lang: DateLang, options: DateOptions = {}): string {
  return dayText(partsOf(date, options.timeZone), lang);
}

/** "14:05", in every language. */
export function formatTime(date: Date | number, _lang: DateLang, options: DateOptions = {}): string {
  return timeOf(partsOf(date, options.timeZone));
}

/** "1. decembar 2026. u 14:05", "1. децембар 2026. у 14:05", "1 December 2026, 14:05". */
export function formatDateTime(date: Date | number, lang: DateLang, options: DateOptions = {}): string {
  const p = partsOf(date, options.timeZone);
  return `${dayText(p, lang)}${AT[lang]}${timeOf(p)}`;
}
