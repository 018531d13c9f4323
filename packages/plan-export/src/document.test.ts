import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addActivity, addMunicipality, createLane, readBoard, seedEmptyBoard } from '@tabla/plan-model';
import { commitmentsMatrix, formatDate, planDocument } from './document.js';
import { LANGS, TEXTS } from './texts.js';
import { demoDoc, richBoard } from './test/boards.js';

const date = new Date('2022-10-19T12:00:00Z');

describe('planDocument', () => {
  it('groups the activities by priority area in lane order, the pool last, numbered 1..n across groups', () => {
    const doc = planDocument(richBoard(), { lang: 'bs', date, versionName: 'Usaglašeni plan, 19. oktobar 2022.' });
    expect(doc.documentTitle).toBe('Plan aktivnosti');
    expect(doc.boardTitle).toBe('MLDP: zajednički plan aktivnosti');
    expect(doc.date).toBe('19. oktobar 2022.');
    expect(doc.versionName).toBe('Usaglašeni plan, 19. oktobar 2022.');
    expect(doc.municipalities).toHaveLength(8);
    expect(doc.groups.map((g) => [g.title, g.rows.length])).toEqual([
      ['Učešće građana u odlučivanju', 4],
      ['Položaj mladih u lokalnoj zajednici', 5],
      ['Podrška djeci i mladima s poteškoćama u razvoju', 4],
      ['Održivost LDP-a i međuopštinska saradnja', 1],
      ['Neraspoređene aktivnosti', 2],
    ]);
    expect(doc.rows.map((r) => r[0])).toEqual(Array.from({ length: 16 }, (_, i) => ({ kind: 'count', value: i + 1 })));
    expect(doc.groups[4]!.laneId).toBeNull();
  });

  it('has every column of the plan table, the proposer included, with typed cells', () => {
    const doc = planDocument(richBoard(), { lang: 'bs', date });
    expect(doc.columns.map((c) => c.header)).toEqual([
      'Rb.', 'Oblast', 'Aktivnost', 'Opis', 'Nosilac', 'Partneri', 'Predlagač', 'Rok / kvartal', 'Odgovorna osoba',
      'Sredstva (KM)', 'Izvor finansiranja', 'Indikator', 'Status', 'Napomena',
    ]);
    expect(doc.rows.every((r) => r.length === doc.columns.length)).toBe(true);
    const budgeted = doc.rows.find((r) => r[9] !== null)!;
    expect(budgeted[0]).toEqual({ kind: 'count', value: 9 });
    expect(budgeted[6]).toEqual({ kind: 'text', value: 'Grad Mostar' });
    expect(budgeted[7]).toEqual({ kind: 'text', value: 'III kv. 2024.' });
    expect(budgeted[9]).toEqual({ kind: 'km', value: 1234.5 });
    expect(budgeted[12]).toEqual({ kind: 'text', value: 'Odgođeno' });
    expect(doc.rows[0]![6]).toEqual({ kind: 'text', value: '' }); // proposer unknown
  });

  it('speaks Serbian in Cyrillic and English: headers, statuses, quarters, date, page numbers', () => {
    const sr = planDocument(richBoard(), { lang: 'sr-Cyrl-BA', date });
    expect(sr.documentTitle).toBe('План активности');
    expect(sr.columns.map((c) => c.header).slice(0, 7)).toEqual(['Рб.', 'Област', 'Активност', 'Опис', 'Носилац', 'Партнери', 'Предлагач']);
    expect(sr.date).toBe('19. октобар 2022.');
    expect(sr.rows[0]![7]).toEqual({ kind: 'text', value: 'I кв. 2023.' });
    expect(sr.rows[0]![12]).toEqual({ kind: 'text', value: 'У току' });
    expect(sr.groups.at(-1)!.title).toBe('Нераспоређене активности');
    expect(sr.texts.page(2, 5)).toBe('страна 2 од 5');
    const en = planDocument(richBoard(), { lang: 'en', date });
    expect(en.columns[6]!.header).toBe('Proposed by');
    expect(en.rows[0]![7]).toEqual({ kind: 'text', value: 'Q1 2023' });
  });

  it('keeps every language complete; Serbian words have no Latin letters, none is ekavian', () => {
    const flat = (v: unknown): string[] =>
      typeof v === 'string' ? [v] : typeof v === 'function' ? [String((v as (a: number, b: number) => string)(1, 2))] : Object.values(v as object).flatMap(flat);
    const keys = (v: object) => JSON.stringify(Object.keys(v).sort());
    for (const lang of LANGS) expect(keys(TEXTS[lang])).toBe(keys(TEXTS.bs));
    for (const word of flat({ ...TEXTS['sr-Cyrl-BA'], locale: '', quarter: TEXTS['sr-Cyrl-BA'].quarter('2023', 1).replace('I ', '') })) {
      expect(word).not.toMatch(/[A-Za-zČčĆćŽžŠšĐđ]/);
    }
    for (const word of flat({ ...TEXTS.bs, locale: '' })) expect(word).not.toMatch(/\b(mesto|celo|izmeni|uvek|primedba|ocena|mesec)\b/i);
  });

  it('lists the results of revealed votes, most dots first; open votes stay secret', () => {
    const doc = planDocument(richBoard(), { lang: 'bs', date });
    expect(doc.votes).toHaveLength(1);
    expect(doc.votes[0]).toMatchObject({ name: 'Glasanje 1', scope: 'Položaj mladih u lokalnoj zajednici', dots: 3 });
    expect(doc.votes[0]!.results.map((r) => [r.place, r.title, r.dots, r.municipalities])).toEqual([
      [1, 'Budžetirana aktivnost: čišćenje obale, đački žiri', 3, 2],
      [2, 'Dijalog sa mladima', 1, 1],
    ]);
    expect(planDocument(readBoard(demoDoc()), { lang: 'bs', date }).votes).toEqual([]);
  });
});

describe('commitmentsMatrix', () => {
  it('counts per municipality and priority area what it leads and what it joins', () => {
    const view = richBoard();
    const m = commitmentsMatrix(view);
    expect(m.lanes.map((l) => l.title)).toHaveLength(4);
    const row = (name: string) => m.cells[m.municipalities.findIndex((x) => x.name === name)]!;
    expect(row('Grad Mostar')).toEqual([
      { leads: 1, joins: 0 },
      { leads: 1, joins: 0 },
      { leads: 0, joins: 1 },
      { leads: 0, joins: 1 },
    ]);
    expect(row('Općina Novo Sarajevo')[0]).toEqual({ leads: 1, joins: 1 });
    expect(m.lanesWithoutLead).toEqual([]);
  });

  it('names the gaps: a municipality with nothing in a priority area, a priority area no one leads', () => {
    const doc = new Y.Doc();
    seedEmptyBoard(doc, 'Gaps');
    const a = addMunicipality(doc, { name: 'Općina A', color: '#112233' });
    const b = addMunicipality(doc, { name: 'Opština B', color: '#445566' });
    const youth = createLane(doc, { title: 'Mladi' });
    const care = createLane(doc, { title: 'Djeca' });
    addActivity(doc, { title: 'Vijeće mladih', leadId: a }, { laneId: youth });
    addActivity(doc, { title: 'Bez nosioca', partners: [a] }, { laneId: care });
    const m = commitmentsMatrix(readBoard(doc));
    expect(m.municipalities.map((x) => x.name)).toEqual(['Općina A', 'Opština B']);
    expect(m.cells).toEqual([
      [{ leads: 1, joins: 0 }, { leads: 0, joins: 1 }],
      [{ leads: 0, joins: 0 }, { leads: 0, joins: 0 }],
    ]);
    expect(m.gaps).toEqual([
      { municipalityId: b, laneId: youth },
      { municipalityId: b, laneId: care },
    ]);
    expect(m.lanesWithoutLead).toEqual([care]);
  });
});

describe('formatDate', () => {
  it('writes Bosnian dates by hand, exactly as full ICU does (browsers without Bosnian data print "2026 M12 2")', () => {
    for (let month = 0; month < 12; month++) {
      const date = new Date(Date.UTC(2022, month, 19, 12));
      expect(formatDate(date, TEXTS.bs)).toBe(new Intl.DateTimeFormat('bs', { dateStyle: 'long', timeZone: 'Europe/Sarajevo' }).format(date));
    }
    // In Sarajevo: 23:30 UTC on 31 December is already the new year.
    expect(formatDate(new Date(Date.UTC(2026, 11, 31, 23, 30)), TEXTS.bs)).toBe('1. januar 2027.');
  });
});
