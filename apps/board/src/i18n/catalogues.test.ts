import i18next from 'i18next';
import { beforeEach, describe, expect, it } from 'vitest';
import { bs } from './bs.js';
import { en } from './en.js';
import { formatTimeframe, type Language, LANGUAGES, type Messages, setupI18n, storedLanguage } from './index.js';
import { srCyrlBA } from './sr-Cyrl-BA.js';

const catalogues: Record<Language, Messages> = { bs, en, 'sr-Cyrl-BA': srCyrlBA };

const PLURAL_SUFFIX = /_(zero|one|two|few|many|other)$/;

/** Leaf keys, with CLDR plural suffixes folded: languages have different plural forms. */
function keys(obj: object, prefix = ''): Set<string> {
  const out = new Set<string>();
  for (const [k, v] of Object.entries(obj)) {
    const key = `${prefix}${k.replace(PLURAL_SUFFIX, '')}`;
    if (typeof v === 'object' && v !== null) for (const sub of keys(v, `${key}.`)) out.add(sub);
    else out.add(key);
  }
  return out;
}

/** Every leaf as [full key (plural suffix kept), text]. */
function leaves(obj: object, prefix = ''): [string, string][] {
  return Object.entries(obj).flatMap(([k, v]): [string, string][] =>
    typeof v === 'object' && v !== null ? leaves(v as object, `${prefix}${k}.`) : [[`${prefix}${k}`, String(v)]],
  );
}

function lookup(messages: object, key: string): unknown {
  return key.split('.').reduce<unknown>((node, part) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined), messages);
}

const placeholders = (text: string) => [...text.matchAll(/\{\{\s*([^}]+?)\s*\}\}/g)].map((m) => m[1]).sort();

/** The UI's source (tests excluded), as text: every `t('…')` in it must name a catalogue key. */
const SOURCES = import.meta.glob<string>(['../**/*.{ts,tsx}', '!../**/*.test.{ts,tsx}'], { query: '?raw', import: 'default', eager: true });

/** Literal keys of `t('…')`, `t("…")`, t(`…`); for t(`section.${x}`), the static prefix ("section"). */
function keysUsedInSource(): { literal: Map<string, string>; prefixes: Map<string, string> } {
  const literal = new Map<string, string>();
  const prefixes = new Map<string, string>();
  for (const [file, text] of Object.entries(SOURCES)) {
    for (const m of text.matchAll(/\bt\(\s*(['"])([^'"]+)\1/g)) literal.set(m[2]!, file);
    for (const m of text.matchAll(/\bt\(\s*`([^`]*)`/g)) {
      const template = m[1]!;
      const dynamic = template.indexOf('${');
      if (dynamic === -1) literal.set(template, file);
      else prefixes.set(template.slice(0, dynamic).replace(/\.$/, ''), file);
    }
  }
  return { literal, prefixes };
}

const isPlural = (messages: object, key: string) => lookup(messages, key) === undefined && typeof lookup(messages, `${key}_other`) === 'string';

/**
 * Keys an i18next instance reports missing for one language: no fallback, `saveMissing` with a
 * handler that records. Plural keys are asked with counts that reach every CLDR category.
 */
async function missingKeys(lng: string, messages: Messages, used: Iterable<string>): Promise<string[]> {
  const missing: string[] = [];
  const instance = i18next.createInstance();
  await instance.init({
    resources: { [lng]: { translation: messages } },
    lng,
    fallbackLng: false,
    supportedLngs: [lng],
    load: 'currentOnly',
    saveMissing: true,
    saveMissingTo: 'current',
    missingKeyHandler: (_lngs, _ns, key) => missing.push(key.replace(PLURAL_SUFFIX, '')),
    interpolation: { escapeValue: false },
  });
  for (const key of used) {
    if (isPlural(bs, key)) for (const count of [0, 1, 2, 5, 11, 21, 22, 101, 1.5]) instance.t(key, { count });
    else instance.t(key);
  }
  return [...new Set(missing)];
}

describe('catalogues', () => {
  it('every language has exactly the keys of the Bosnian catalogue', () => {
    expect(LANGUAGES).toEqual(['bs', 'en', 'sr-Cyrl-BA']);
    const reference = [...keys(bs)].sort();
    for (const lng of LANGUAGES) expect([...keys(catalogues[lng])].sort(), lng).toEqual(reference);
  });

  it('every plural key has every CLDR form of each language, and nothing else', () => {
    for (const lng of LANGUAGES) {
      const categories = [...new Intl.PluralRules(lng).resolvedOptions().pluralCategories].sort();
      for (const key of keys(bs)) {
        if (!isPlural(bs, key)) continue;
        const section = lookup(catalogues[lng], key.slice(0, key.lastIndexOf('.'))) as Record<string, string>;
        const name = key.slice(key.lastIndexOf('.') + 1);
        const forms = Object.keys(section)
          .filter((k) => k.replace(PLURAL_SUFFIX, '') === name && k !== name)
          .map((k) => k.slice(name.length + 1))
          .sort();
        expect(forms, `${lng} ${key}`).toEqual(categories);
      }
    }
  });

  it('every language keeps the placeholders of the Bosnian text', () => {
    // English writes quarters "Q1 2023": {{quarter}}, not {{roman}} (formatTimeframe passes both).
    const OWN_PLACEHOLDERS: Partial<Record<Language, string[]>> = { en: ['timeframe.quarter'] };
    for (const lng of LANGUAGES) {
      for (const [key, text] of leaves(bs)) {
        const translated = lookup(catalogues[lng], key);
        if (translated === undefined && PLURAL_SUFFIX.test(key)) continue; // e.g. no "few" in English
        if (OWN_PLACEHOLDERS[lng]?.includes(key)) continue;
        expect(placeholders(String(translated)), `${lng} ${key}`).toEqual(placeholders(text));
      }
    }
  });

  it('the language switcher names each language in its own name, in every catalogue', () => {
    for (const lng of LANGUAGES) {
      const { label: _label, ...names } = catalogues[lng].language;
      expect(names, lng).toEqual({ bs: 'Bosanski', en: 'English', 'sr-Cyrl-BA': 'Српски' });
    }
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

describe('Serbian (ijekavian, Cyrillic)', () => {
  const texts = leaves(srCyrlBA).filter(([key]) => key !== 'language.bs' && key !== 'language.en'); // autonyms
  /** Latin allowed only for keys as printed on keyboards: "Esc", "Ctrl+Shift+Z". */
  const ALLOWED_LATIN = /\b(?:Esc|Ctrl|Shift|Alt)(?:\+(?:Ctrl|Shift|Alt|[A-Z]))*\b/g;

  it('is written in Cyrillic: no Latin letter outside {{placeholders}}', () => {
    for (const [key, text] of texts) {
      const rest = text.replace(/\{\{[^}]*\}\}/g, '').replace(ALLOWED_LATIN, '');
      expect(rest, key).not.toMatch(/\p{Script=Latin}/u);
    }
    expect(srCyrlBA.activity.budget).toBe('Средства (КМ)');
    expect(srCyrlBA.join.namePlaceholder).toContain('ЛДП-а');
  });

  it('is ijekavian, never ekavian', () => {
    const EKAVIAN = ['измени', 'измен', 'промени', 'увек', 'место', 'недеља', 'поделите', 'подели ', 'последњ', 'освеж', 'овде', 'помера'];
    for (const [key, text] of texts) {
      const lower = text.toLocaleLowerCase('sr');
      for (const word of EKAVIAN) expect(lower, `${key}: "${word}"`).not.toContain(word);
    }
    expect(srCyrlBA.join.change).toBe('Промијени');
    expect(srCyrlBA.board.empty).toBe('Превуците овдје');
  });

  it('uses Serbian words where they differ from Bosnian', () => {
    for (const [key, text] of texts) expect(text.toLocaleLowerCase('sr'), key).not.toMatch(/опћин|сурадњ|тисућ/);
    expect(srCyrlBA.join.municipality).toBe('Општина / град');
    expect(srCyrlBA.board.unplaced).toBe('Нераспоређене активности');
    expect(srCyrlBA.presence.onlineNow).toBe('Тренутно онлајн');
    expect(srCyrlBA.status).toEqual({ planned: 'Планирано', in_progress: 'У току', done: 'Завршено', postponed: 'Одгођено' });
  });

  it('has the CLDR forms one, few and other (1 активност, 2 активности, 5 активности)', () => {
    const plural = new Intl.PluralRules('sr-Cyrl-BA');
    expect([1, 2, 5, 11, 21, 22, 25].map((n) => plural.select(n))).toEqual(['one', 'few', 'other', 'other', 'one', 'few', 'other']);
  });
});

describe('setupI18n', () => {
  beforeEach(() => localStorage.clear());

  it('keeps the code sr-Cyrl-BA as given: language, <html lang>, plurals, remembered choice', async () => {
    const i18n = await setupI18n('sr-Cyrl-BA');
    expect(i18n.language).toBe('sr-Cyrl-BA');
    expect(i18n.resolvedLanguage).toBe('sr-Cyrl-BA');
    expect(document.documentElement.lang).toBe('sr-Cyrl-BA');
    expect([1, 2, 5, 11, 21, 22].map((count) => i18n.t('board.activities', { count }))).toEqual([
      '1 активност',
      '2 активности',
      '5 активности',
      '11 активности',
      '21 активност',
      '22 активности',
    ]);
    expect(formatTimeframe((key, o) => i18n.t(key, o), '2023-Q1')).toBe('I кв. 2023.');
    expect(i18n.t('connection.connected')).toBe('Повезано');

    await i18n.changeLanguage('bs');
    expect(document.documentElement.lang).toBe('bs');
    expect(i18n.t('board.activities', { count: 2 })).toBe('2 aktivnosti');
    await i18n.changeLanguage('sr-Cyrl-BA');
    expect(i18n.language).toBe('sr-Cyrl-BA');
    expect(document.documentElement.lang).toBe('sr-Cyrl-BA');
    expect(localStorage.getItem('tabla.language')).toBe('sr-Cyrl-BA');
    expect(storedLanguage()).toBe('sr-Cyrl-BA');
  });

  it('starts in Bosnian, and an unknown code falls back to Bosnian', async () => {
    expect(storedLanguage()).toBe('bs');
    const i18n = await setupI18n();
    expect(i18n.language).toBe('bs');
    await i18n.changeLanguage('de');
    expect(i18n.t('board.unplaced')).toBe('Neraspoređene aktivnosti');
  });
});

describe('no UI string outside the catalogues', () => {
  const { literal, prefixes } = keysUsedInSource();

  it('finds the keys the UI uses', () => {
    expect(literal.size).toBeGreaterThan(40);
    expect([...literal.keys()]).toEqual(expect.arrayContaining(['board.activities', 'board.unplaced', 'timeframe.quarter', 'activity.save']));
    expect([...prefixes.keys()]).toEqual(expect.arrayContaining(['status', 'connection', 'language']));
  });

  it('every literal key used by the UI exists in every language', async () => {
    for (const key of literal.keys()) {
      expect(lookup(bs, key) ?? lookup(bs, `${key}_other`), `${key} (${literal.get(key)})`).toBeTypeOf('string');
    }
    for (const lng of LANGUAGES) expect(await missingKeys(lng, catalogues[lng], literal.keys()), lng).toEqual([]);
  });

  it('every section of a dynamic key (t(`status.${s}`)) exists in every language', () => {
    for (const [prefix, file] of prefixes) {
      for (const lng of LANGUAGES) expect(lookup(catalogues[lng], prefix), `${lng} ${prefix} (${file})`).toBeTypeOf('object');
    }
  });

  it('a missing key fails', async () => {
    const withoutOne = { ...srCyrlBA, board: { ...srCyrlBA.board } };
    delete withoutOne.board.activities_few;
    delete withoutOne.board.addActivity;
    const lng: Language = 'sr-Cyrl-BA';
    expect((await missingKeys(lng, withoutOne, ['board.activities', 'board.addActivity', 'board.unplaced'])).sort()).toEqual([
      'board.activities',
      'board.addActivity',
    ]);
  });
});
