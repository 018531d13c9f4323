/** The three files read back as other programs read them: CSV parsed, XLSX unzipped, PDF text by pdf.js. */
import { describe, expect, it } from 'vitest';
import { addActivity, addProgressNote, demoLaneId, readBoard, setBoardTitle } from '@tabla/plan-model';
import { planDocument } from './document.js';
import { planPdf } from './pdf.js';
import { csvCell, KM_FORMAT, planCsv, planXlsx, sheetName } from './spreadsheet.js';
import { demoDoc, richBoard } from './test/boards.js';
import { parseCsv, readPdf, readXlsx } from './test/read.js';

const date = new Date('2022-10-19T12:00:00Z');

describe('planCsv', () => {
  it('writes the plan in the columns of an action plan with the proposer and the revealed votes, in Bosnian', () => {
    const csv = planCsv(richBoard());
    expect(csv.startsWith('\uFEFF"Rb.";"Oblast";"Aktivnost";"Opis";"Nosilac";"Partneri";"Predlagač";"Rok / kvartal"')).toBe(true);
    const [header, ...rows] = parseCsv(csv);
    expect(header).toHaveLength(15);
    expect(header!.at(-1)).toBe('Glasanje 1: Položaj mladih u lokalnoj zajednici (Bodovi)');
    expect(rows).toHaveLength(16);
    expect(rows.every((r) => r.length === 15)).toBe(true);
    expect(rows.map((r) => r[0])).toEqual(Array.from({ length: 16 }, (_, i) => String(i + 1)));
    expect(rows[0]!.slice(0, 8)).toEqual([
      '1', 'Učešće građana u odlučivanju', 'Zajednički model javnih konsultacija', '', 'Općina Novo Sarajevo',
      'Opština Istočno Novo Sarajevo, Općina Trnovo', '', 'I kv. 2023.',
    ]);
    const budgeted = rows.find((r) => r[2]!.startsWith('Budžetirana'))!;
    expect(budgeted[6]).toBe('Grad Mostar');
    expect(budgeted[9]).toBe('1.234,50');
    expect(budgeted[12]).toBe('Odgođeno');
    expect(budgeted[13]).toBe("'=1+1"); // formula-safe
    expect(budgeted[14]).toBe('3');
    expect(rows.find((r) => r[2] === 'Dijalog sa mladima')![14]).toBe('1');
    expect(rows[0]![14]).toBe('');
    expect(rows.at(-1)![1]).toBe('Neraspoređene aktivnosti');
  });

  it('writes Serbian headers in Cyrillic when asked', () => {
    const [header] = parseCsv(planCsv(richBoard(), { lang: 'sr-Cyrl-BA' }));
    expect(header!.slice(0, 7)).toEqual(['Рб.', 'Област', 'Активност', 'Опис', 'Носилац', 'Партнери', 'Предлагач']);
  });

  it('keeps quotes and formula-looking text as text (no CSV injection)', () => {
    expect(csvCell('Forum „Dva Trnova"')).toBe('"Forum „Dva Trnova"""');
    expect(csvCell('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
    for (const start of ['+', '-', '@', '\t']) expect(csvCell(`${start}1`).startsWith(`"'`)).toBe(true);
    expect(csvCell('Obična aktivnost')).toBe('"Obična aktivnost"');
  });
});

describe('planXlsx', () => {
  it('writes the plan sheet (title, bold frozen header, typed cells), one sheet per revealed vote and the commitments', async () => {
    const { sheetNames, sheets } = readXlsx(await planXlsx(richBoard()));
    expect(sheetNames).toEqual(['MLDP zajednički plan aktivnosti', 'Glasanje 1 Položaj mladih u lok', 'Pregled obaveza']);
    const { cells, xml } = sheets[0]!;
    expect(cells.get('A1')).toMatchObject({ type: 'string', value: 'MLDP: zajednički plan aktivnosti', bold: true });
    const cols = 'ABCDEFGHIJKLMN'.split('');
    expect(cols.map((c) => cells.get(`${c}2`)!.value)).toEqual(planDocument(richBoard(), { lang: 'bs', date }).columns.map((c) => c.header));
    expect(cols.every((c) => cells.get(`${c}2`)!.bold)).toBe(true);
    expect(xml).toMatch(/<pane\b(?=[^>]*\bySplit="2")(?=[^>]*\btopLeftCell="A3")(?=[^>]*\bstate="frozen")[^>]*\/>/);
    expect(cells.get('A3')).toMatchObject({ type: 'number', value: 1, bold: false });
    expect(cells.get('B3')).toMatchObject({ type: 'string', value: 'Učešće građana u odlučivanju', wrap: true });
    expect(cells.has('D3')).toBe(false); // no description: an empty cell
    expect(cells.get('A11')).toMatchObject({ type: 'number', value: 9 });
    expect(cells.get('G11')).toMatchObject({ type: 'string', value: 'Grad Mostar' });
    expect(cells.get('J11')).toEqual({ type: 'number', value: 1234.5, numFmt: KM_FORMAT, bold: false, wrap: false });
    expect(cells.get('N11')).toMatchObject({ type: 'string', value: '=1+1' }); // text, never a formula
    expect(xml).not.toMatch(/<f[\s>]/);
    expect(cells.get('B18')?.value).toBe('Neraspoređene aktivnosti');
    expect(cells.has('A19')).toBe(false);

    const vote = sheets[1]!.cells;
    expect(vote.get('A1')?.value).toBe('Glasanje 1: Položaj mladih u lokalnoj zajednici');
    expect(['A2', 'B2', 'C2', 'D2'].map((r) => vote.get(r)?.value)).toEqual(['Mjesto', 'Aktivnost', 'Bodovi', 'Broj JLS']);
    expect(['A3', 'B3', 'C3', 'D3', 'A4', 'B4', 'C4'].map((r) => vote.get(r)?.value)).toEqual([
      1, 'Budžetirana aktivnost: čišćenje obale, đački žiri', 3, 2, 2, 'Dijalog sa mladima', 1,
    ]);

    const matrix = sheets[2]!.cells;
    expect(matrix.get('B2')?.value).toBe('Učešće građana u odlučivanju: nosilac');
    expect(matrix.get('C2')?.value).toBe('Učešće građana u odlučivanju: partner');
    const mostar = [...matrix].find(([, c]) => c.value === 'Grad Mostar')![0].slice(1);
    expect(['B', 'C', 'D', 'E', 'F', 'G', 'H', 'I'].map((c) => matrix.get(`${c}${mostar}`)?.value)).toEqual([1, 0, 1, 0, 0, 1, 0, 1]);
  });

  it('writes Cyrillic sheets and headers in Serbian, and keeps a hostile title as text', async () => {
    const sr = readXlsx(await planXlsx(richBoard(), { lang: 'sr-Cyrl-BA' }));
    expect(sr.sheetNames.slice(1)).toEqual(['Гласање 1 Položaj mladih u loka', 'Преглед обавеза']);
    expect(sr.sheets[0]!.cells.get('G2')?.value).toBe('Предлагач');
    const doc = demoDoc();
    setBoardTitle(doc, '=HYPERLINK("http://x") / Igman [2022]');
    const { sheets, sheetNames } = readXlsx(await planXlsx(readBoard(doc)));
    expect(sheets[0]!.cells.get('A1')).toMatchObject({ type: 'string', value: '=HYPERLINK("http://x") / Igman [2022]' });
    expect(sheetNames).toEqual(['=HYPERLINK("http x") Igman 2022', 'Pregled obaveza']);
  });
});

describe('sheetName', () => {
  it("follows Excel's rules for worksheet names", () => {
    expect(sheetName('Igman 2022')).toBe('Igman 2022');
    expect(sheetName('Plan: Q1/Q2 [nacrt]?*\\')).toBe('Plan Q1 Q2 nacrt');
    expect(sheetName('Zajednički plan aktivnosti općina Trnovo i Novo Sarajevo')).toBe('Zajednički plan aktivnosti opći');
    expect(sheetName("  'Igman'  ")).toBe('Igman');
    expect(sheetName('Plan aktivnosti za godinu 2023 i 2024')).toBe('Plan aktivnosti za godinu 2023');
    expect(sheetName(`${'a'.repeat(30)}😀`)).toBe('a'.repeat(30));
    expect(sheetName('Red\u0000\tnovi\nred')).toBe('Red novi red');
    for (const nothing of ['', '   ', '[]', "''", 'History', 'history']) expect(sheetName(nothing)).toBe('Plan');
  });
});

describe('planPdf', () => {
  it('writes the official document in Bosnian: A4 landscape, header, groups with Rb. in order, matrix, signatures, page numbers', async () => {
    const pdf = await readPdf(await planPdf(richBoard(), { lang: 'bs', date, versionName: 'Usaglašeni plan, 19. oktobar 2022.' }));
    expect(pdf.size.map(Math.round)).toEqual([842, 595]);
    const first = pdf.pages[0]!;
    const flat = pdf.text.replace(/\s+/g, ' ');
    expect(first[0]).toBe('Plan aktivnosti');
    expect(first).toContain('MLDP: zajednički plan aktivnosti');
    expect(pdf.text).toContain('Datum: 19. oktobar 2022.');
    expect(pdf.text).toContain('Verzija: Usaglašeni plan, 19. oktobar 2022.');
    expect(flat).toMatch(/Učesnice \(JLS\): Grad Istočno Sarajevo, Grad Mostar/);
    expect(pdf.text).toMatch(/Rb\. Aktivnost Opis Nosilac Partneri Predlagač/);
    // Groups in lane order, the pool last; the activities numbered in that order.
    const at = (s: string) => flat.indexOf(s);
    const order = ['Učešće građana u odlučivanju', 'Položaj mladih u lokalnoj zajednici', 'Podrška djeci i mladima s poteškoćama', 'Održivost LDP', 'Neraspoređene aktivnosti'];
    expect(order.map(at).every((x, i, all) => x >= 0 && (i === 0 || x > all[i - 1]!))).toBe(true);
    const numbered = pdf.pages.flatMap((p) => p.flatMap((l) => /^(\d{1,2}) \D/.exec(l)?.[1] ?? [])).map(Number);
    expect(numbered).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(pdf.text).toMatch(/^1 Zajednički model javnih/m);
    expect(pdf.text).toMatch(/^9 Budžetirana aktivnost/m);
    expect(pdf.text).toContain('1.234,50');
    expect(pdf.text).toContain('Pregled obaveza');
    expect(pdf.text).toContain('Oblast bez nosioca');
    expect(pdf.text).toContain('Potpisi');
    expect(flat.match(/Koordinator\/ ?ica:/g)).toHaveLength(8);
    expect(pdf.text).toContain('Pečat:');
    expect(pdf.pageCount).toBeGreaterThanOrEqual(3);
    pdf.pages.forEach((lines, i) => expect(lines.at(-1)).toBe(`strana ${i + 1} od ${pdf.pageCount}`));
  });

  it('prints the plan as a progress report: status, percent and the latest dated note per activity, no signatures', async () => {
    const doc = demoDoc();
    const view = readBoard(doc);
    const [first, second] = view.lanes[0]!.activities;
    addProgressNote(doc, first!.id, { text: 'Održan prvi sastanak', percent: 20, by: null, at: Date.parse('2022-11-01T10:00:00Z') });
    addProgressNote(doc, first!.id, { text: 'Konsultacije završene', percent: 60, status: 'in_progress', by: null, at: Date.parse('2022-12-05T10:00:00Z') });
    const model = planDocument(readBoard(doc), { lang: 'bs', date, report: 'progress' });
    expect(model.documentTitle).toBe('Izvještaj o napretku');
    expect(model.columns.map((c) => c.key)).toEqual(['number', 'lane', 'title', 'lead', 'timeframe', 'status', 'percent', 'latestNote']);
    expect(model.rows[0]!.slice(5)).toEqual([{ kind: 'text', value: 'U toku' }, { kind: 'count', value: 60 }, { kind: 'text', value: '5. decembar 2022.: Konsultacije završene' }]);
    expect(model.rows[1]!.slice(6)).toEqual([null, { kind: 'text', value: '' }]);
    void second;
    const pdf = await readPdf(await planPdf(model));
    expect(pdf.pages[0]![0]).toBe('Izvještaj o napretku');
    expect(pdf.text).toContain('Rb. Aktivnost Nosilac Rok / Status Ostvareno Posljednja bilješka o napretku'); // header cells wrap
    expect(pdf.text.replace(/\s+/g, ' ')).toContain('5. decembar 2022.: Konsultacije završene');
    expect(pdf.text).not.toContain('Održan prvi sastanak');
    expect(pdf.text).not.toContain('Potpisi');
    const sr = await readPdf(await planPdf(readBoard(doc), { lang: 'sr-Cyrl-BA', date, report: 'progress' }));
    expect(sr.pages[0]![0]).toBe('Извјештај о напретку');
  });

  it('writes Serbian in Cyrillic (title, headers, page numbers) with the board content as typed', async () => {
    const pdf = await readPdf(await planPdf(richBoard(), { lang: 'sr-Cyrl-BA', date, link: 'http://board.example/b/x?token=v' }));
    expect(pdf.pages[0]![0]).toBe('План активности');
    expect(pdf.text).toContain('Датум: 19. октобар 2022.');
    expect(pdf.text).toMatch(/Рб\. Активност Опис Носилац Партнери Предлагач/);
    expect(pdf.text).toContain('Нераспоређене активности');
    expect(pdf.text).toContain('Преглед обавеза');
    expect(pdf.text).toContain('Табла уживо (само за преглед)');
    expect(pdf.text.replace(/\s+/g, ' ')).toContain('Zajednički model javnih');
    pdf.pages.forEach((lines, i) => expect(lines.at(-1)).toBe(`страна ${i + 1} од ${pdf.pageCount}`));
  });

  it('repeats the header row on every page of a long plan and never splits a row', async () => {
    const doc = demoDoc();
    for (let i = 1; i <= 120; i++) {
      addActivity(doc, { title: `Aktivnost ${i}`, description: `Opis koji se prelama u više redova tabele plana, da bi redovi bili visoki: kraj${i}` }, { laneId: demoLaneId('D') });
    }
    const pdf = await readPdf(await planPdf(readBoard(doc), { lang: 'bs', date }));
    const tablePages = pdf.pages.filter((p) => p.some((l) => /^\d+ Aktivnost \d+/.test(l)));
    expect(tablePages.length).toBeGreaterThan(3);
    for (const page of tablePages) expect(page.some((l) => /^Rb\. Aktivnost Opis Nosilac/.test(l))).toBe(true);
    // Row order across pages (Rb. 1..135 in order), and each row whole: its start and its description's end on one page.
    const numbers = pdf.pages.flatMap((p) => p.flatMap((l) => /^(\d+) \D/.exec(l)?.[1] ?? [])).map(Number);
    expect(numbers).toEqual(Array.from({ length: 135 }, (_, i) => i + 1));
    for (const page of pdf.pages) {
      const starts = page.flatMap((l) => /^\d+ Aktivnost (\d+)/.exec(l)?.[1] ?? []);
      const ends = page.flatMap((l) => [...l.matchAll(/kraj(\d+)/g)].map((m) => m[1]!));
      expect(ends).toEqual(starts);
    }
  });
});
