/**
 * Amounts in convertible marks (BAM) for the UI language: "1.234,50 KM" (bs), "1.234,50 КМ"
 * (sr-Cyrl-BA), "KM 1,234.50" (en: the narrow symbol, as everyone in BiH writes it, not "BAM").
 *
 * Chromium ships a trimmed ICU: it reports 'bs-BA' as supported but has no Bosnian number
 * data, and formats "BAM 1,234.50". So each language lists locales in order of preference,
 * and the first whose output has the expected separators and symbol is used ('hr-BA' writes
 * amounts exactly like 'bs-BA'). If none has, the first is used as it is.
 */
type Options = Intl.NumberFormatOptions & { currencyDisplay: 'symbol' | 'narrowSymbol' };

interface Convention {
  readonly locales: readonly string[];
  readonly options: Options;
  /** What a correct "1.234,50 KM" looks like in this language. */
  readonly expect: { readonly group: string; readonly decimal: string; readonly currency: string };
}

const CONVENTIONS: Record<string, Convention> = {
  bs: {
    locales: ['bs-BA', 'hr-BA', 'sr-Latn-BA'],
    options: { style: 'currency', currency: 'BAM', currencyDisplay: 'symbol' },
    expect: { group: '.', decimal: ',', currency: 'KM' },
  },
  'sr-Cyrl-BA': {
    locales: ['sr-Cyrl-BA', 'sr-Cyrl', 'sr'],
    options: { style: 'currency', currency: 'BAM', currencyDisplay: 'symbol' },
    expect: { group: '.', decimal: ',', currency: 'КМ' },
  },
  en: {
    locales: ['en-BA', 'en'],
    options: { style: 'currency', currency: 'BAM', currencyDisplay: 'narrowSymbol' },
    expect: { group: ',', decimal: '.', currency: 'KM' },
  },
};

export type MakeFormat = (locale: string, options: Options) => Intl.NumberFormat;
const intl: MakeFormat = (locale, options) => new Intl.NumberFormat(locale, options);

/** The first of the language's locales that formats amounts as expected (see above). */
export function currencyFormat(language: string, make: MakeFormat = intl): Intl.NumberFormat {
  const { locales, options, expect } = CONVENTIONS[language] ?? CONVENTIONS.bs!;
  const formats = locales.map((locale) => make(locale, options));
  const fits = (format: Intl.NumberFormat) => {
    const parts = format.formatToParts(1234.5);
    const part = (type: string) => parts.find((p) => p.type === type)?.value;
    return part('group') === expect.group && part('decimal') === expect.decimal && part('currency') === expect.currency;
  };
  return formats.find(fits) ?? formats[0]!;
}

/** One formatter per language: chosen once, used by every card. */
const formatters = new Map<string, Intl.NumberFormat>();

export function formatKM(amount: number, language: string): string {
  let format = formatters.get(language);
  if (!format) {
    format = currencyFormat(language);
    formatters.set(language, format);
  }
  return format.format(amount);
}
