/**
 * Every date and time the board shows, in the UI language and the device's time zone: one
 * formatter, the plan document's own (`@tabla/plan-export/model`, written by hand, so Debian's
 * Chromium, whose Intl has no Bosnian dates, writes them right too). Never `toLocale…String` or
 * `Intl.DateTimeFormat(i18n.language)` in a component.
 */
import { dateLang, formatDateTime as writeDateTime, formatLongDate, formatTime as writeTime } from '@tabla/plan-export/model';

/** "1. decembar 2026." (bs), "1. децембар 2026." (sr-Cyrl-BA), "1 December 2026" (en). */
export function formatDate(language: string, ms: number): string {
  return formatLongDate(ms, dateLang(language));
}

/** "1. decembar 2026. u 14:05", "1. децембар 2026. у 14:05", "1 December 2026, 14:05". */
export function formatDateTime(language: string, ms: number): string {
  return writeDateTime(ms, dateLang(language));
}

/** "14:05" (24-hour, every language). */
export function formatTime(language: string, ms: number): string {
  return writeTime(ms, dateLang(language));
}
