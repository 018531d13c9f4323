/**
 * i18n: i18next with CLDR plural rules from Intl (bs and sr: one / few / other).
 * Bosnian is the default and the reference catalogue; the choice is remembered.
 * Languages: Bosnian (ijekavian, Latin), English, Serbian (ijekavian, Cyrillic, as written in
 * Republika Srpska). The code 'sr-Cyrl-BA' is kept exactly as given: it is `i18n.language`,
 * `<html lang>`, the remembered choice and the plural locale.
 */
import i18next, { type BackendModule, type i18n } from 'i18next';
import { initReactI18next } from 'react-i18next';
import { bs, type Messages } from './bs.js';

export type { Messages };

export const LANGUAGES = ['bs', 'en', 'sr-Cyrl-BA'] as const;
export type Language = (typeof LANGUAGES)[number];

/**
 * Bosnian ships with the page; English and Serbian Cyrillic are chunks of their own, fetched when
 * chosen (and prefetched while idle, so the switch works offline too): the first load stays small.
 */
export const loadCatalogue: Record<Language, () => Promise<Messages>> = {
  bs: () => Promise.resolve(bs),
  en: () => import('./en.js').then((m) => m.en),
  'sr-Cyrl-BA': () => import('./sr-Cyrl-BA.js').then((m) => m.srCyrlBA),
};

/** i18next asks this for a language it does not hold yet; `changeLanguage` waits for it. */
const lazyCatalogues: BackendModule = {
  type: 'backend',
  init: () => {},
  read: (lng, _namespace, done) => {
    const load = (LANGUAGES as readonly string[]).includes(lng) ? loadCatalogue[lng as Language] : loadCatalogue.bs;
    load().then(
      (messages) => done(null, messages),
      (err: unknown) => done(err instanceof Error ? err : new Error(String(err)), false),
    );
  },
};

const STORAGE_KEY = 'tabla.language';

export function storedLanguage(): Language {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (stored && (LANGUAGES as readonly string[]).includes(stored)) return stored as Language;
  } catch {
    // storage blocked: the default it is
  }
  return 'bs';
}

export async function setupI18n(language: Language = storedLanguage()): Promise<i18n> {
  const instance = i18next.createInstance();
  await instance.use(lazyCatalogues).use(initReactI18next).init({
    resources: { bs: { translation: bs } },
    partialBundledLanguages: true,
    lng: language,
    fallbackLng: 'bs',
    // Only our three codes; an unknown one ('de') resolves to the fallback, a bare 'sr' to 'sr-Cyrl-BA'.
    supportedLngs: [...LANGUAGES],
    // Each catalogue is complete (a test checks): no 'sr-Cyrl' / 'sr' steps between 'sr-Cyrl-BA' and 'bs'.
    load: 'currentOnly',
    interpolation: { escapeValue: false }, // React escapes
    returnNull: false,
  });
  const applyLang = (lng: string) => {
    document.documentElement.lang = lng;
  };
  applyLang(instance.language);
  instance.on('languageChanged', (lng) => {
    applyLang(lng);
    try {
      localStorage.setItem(STORAGE_KEY, lng);
    } catch {
      // not remembered, still switched
    }
  });
  return instance;
}

const ROMAN = ['I', 'II', 'III', 'IV'] as const;

/** "2023-Q1" -> "I kv. 2023." (bs) / "I кв. 2023." (sr-Cyrl-BA) / "Q1 2023" (en). */
export function formatTimeframe(t: (key: string, options?: Record<string, unknown>) => string, timeframe: string | undefined): string {
  const match = timeframe ? /^(\d{4})-Q([1-4])$/.exec(timeframe) : null;
  if (!match) return t('timeframe.none');
  const quarter = Number(match[2]);
  return t('timeframe.quarter', { roman: ROMAN[quarter - 1], quarter, year: match[1] });
}
