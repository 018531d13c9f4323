/**
 * Dates of progress notes per UI language. Debian's Chromium has no Bosnian (or Serbian Cyrillic)
 * date data in its ICU, so Bosnian and Serbian are written by hand, the way plans write them
 * ("1. 12. 2026."); English uses Intl ("1 Dec 2026").
 */
export function formatDate(language: string, ms: number): string {
  const d = new Date(ms);
  if (language.startsWith('en')) {
    return new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric' }).format(d);
  }
  return `${d.getDate()}. ${d.getMonth() + 1}. ${d.getFullYear()}.`;
}
