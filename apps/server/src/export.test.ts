import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addActivity, demoLaneId, readBoard, seedDemoBoard, setBoardTitle } from '@tabla/plan-model';
import { csvCell, KM_FORMAT, planCsv, planTable, planXlsx, sheetName } from './export.js';

/** The demo plan plus one activity with a budget, diacritics and formula-looking text. */
function board() {
  const doc = new Y.Doc();
  seedDemoBoard(doc);
  addActivity(
    doc,
    { title: 'Budžetirana aktivnost: čišćenje obale, đački žiri', budget: 1234.5, status: 'postponed', timeframe: '2024-Q3', notes: '=1+1' },
    { laneId: demoLaneId('B') },
  );
  return readBoard(doc);
}

describe('planCsv', () => {
  it('writes the plan in the columns of an action plan, lanes in order then the pool, in Bosnian', () => {
    const doc = new Y.Doc();
    seedDemoBoard(doc);
    addActivity(doc, { title: 'Budžetirana aktivnost', budget: 1234.5, status: 'postponed', timeframe: '2024-Q3' }, { laneId: demoLaneId('B') });
    const csv = planCsv(readBoard(doc));
    expect(csv.startsWith('\uFEFF"Rb.";"Oblast";"Aktivnost";"Opis";"Nosilac";"Partneri";"Rok / kvartal"')).toBe(true);
    const lines = csv.trim().split('\r\n');
    expect(lines).toHaveLength(1 + 16);
    expect(lines[1]).toContain('"1";"Učešće građana u odlučivanju";"Zajednički model javnih konsultacija";"";"Općina Novo Sarajevo";"Opština Istočno Novo Sarajevo, Općina Trnovo";"I kv. 2023."');
    expect(lines[1]).toContain('"U toku"');
    expect(csv).toContain('"Budžetirana aktivnost";"";"";"";"III kv. 2024.";"";"1.234,50";"";"";"Odgođeno"');
    expect(lines.at(-1)).toContain('"Neraspoređene aktivnosti"');
  });

  it('keeps quotes and formula-looking text as text (no CSV injection)', () => {
    expect(csvCell('Forum „Dva Trnova"')).toBe('"Forum „Dva Trnova"""');
    expect(csvCell('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
    for (const start of ['+', '-', '@', '\t']) expect(csvCell(`${start}1`).startsWith(`"'`)).toBe(true);
    expect(csvCell('Obična aktivnost')).toBe('"Obična aktivnost"');
  });
});

describe('planTable', () => {
  it('is the one source of both exports: the headers, and each row as typed cells', () => {
    const table = planTable(board());
    expect(table.title).toBe('MLDP: zajednički plan aktivnosti');
    expect(table.columns.map((c) => c.header)).toEqual([
      'Rb.', 'Oblast', 'Aktivnost', 'Opis', 'Nosilac', 'Partneri', 'Rok / kvartal', 'Odgovorna osoba',
      'Sredstva (KM)', 'Izvor finansiranja', 'Indikator', 'Status', 'Napomena',
    ]);
    expect(table.rows).toHaveLength(16);
    expect(table.rows.every((r) => r.length === table.columns.length)).toBe(true);
    expect(table.rows[0]![0]).toEqual({ kind: 'count', value: 1 });
    expect(table.rows[0]![2]).toEqual({ kind: 'text', value: 'Zajednički model javnih konsultacija' });
    const budgeted = table.rows.find((r) => r[8] !== null)!;
    expect(budgeted[8]).toEqual({ kind: 'km', value: 1234.5 });
    expect(budgeted[6]).toEqual({ kind: 'text', value: 'III kv. 2024.' });
  });
});

/** A cell of an XLSX sheet as a spreadsheet program reads it: its type from the XML, its style resolved. */
interface XlsxCell {
  readonly type: 'string' | 'number' | 'formula' | 'other';
  readonly value: string | number;
  readonly numFmt: string | undefined;
  readonly bold: boolean;
  readonly wrap: boolean;
}

const unescapeXml = (s: string) =>
  s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
const attr = (attributes: string, name: string) => {
  const m = new RegExp(`\\b${name}="([^"]*)"`).exec(attributes);
  return m ? unescapeXml(m[1]!) : undefined;
};

/** Unzips the workbook and reads its first sheet by the XML (SpreadsheetML), as Excel would. */
function readXlsx(bytes: Uint8Array) {
  const files = unzipSync(bytes);
  const xml = (path: string) => {
    const file = files[path];
    if (!file) throw new Error(`${path} is missing from the workbook`);
    return strFromU8(file);
  };
  const strings = [...xml('xl/sharedStrings.xml').matchAll(/<si><t[^>]*>([\s\S]*?)<\/t><\/si>/g)].map((m) => unescapeXml(m[1]!));
  const styles = xml('xl/styles.xml');
  const numFmts = new Map([...styles.matchAll(/<numFmt\b([^>]*)\/>/g)].map((m) => [attr(m[1]!, 'numFmtId'), attr(m[1]!, 'formatCode')]));
  const boldFonts = [...styles.matchAll(/<font>([\s\S]*?)<\/font>/g)].map((m) => m[1]!.includes('<b/>'));
  const cellXfs = /<cellXfs[^>]*>([\s\S]*?)<\/cellXfs>/.exec(styles)![1]!;
  const xfs = [...cellXfs.matchAll(/<xf\b([^>]*?)(?:\/>|>([\s\S]*?)<\/xf>)/g)].map((m) => ({
    numFmt: numFmts.get(attr(m[1]!, 'numFmtId')),
    bold: boldFonts[Number(attr(m[1]!, 'fontId') ?? 0)] ?? false,
    wrap: (m[2] ?? '').includes('wrapText="1"'),
  }));
  const sheet = xml('xl/worksheets/sheet1.xml');
  const cells = new Map<string, XlsxCell>();
  for (const m of sheet.matchAll(/<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/g)) {
    const [attributes, inner = ''] = [m[1]!, m[2]];
    const t = attr(attributes, 't');
    const v = /<v>([\s\S]*?)<\/v>/.exec(inner)?.[1];
    const style = xfs[Number(attr(attributes, 's') ?? 0)]!;
    const type = inner.includes('<f') ? 'formula' : t === 's' ? 'string' : t === undefined || t === 'n' ? 'number' : 'other';
    const value = type === 'string' ? strings[Number(v)]! : type === 'number' ? Number(v) : unescapeXml(v ?? '');
    cells.set(attr(attributes, 'r')!, { type, value, ...style });
  }
  const sheetNames = [...xml('xl/workbook.xml').matchAll(/<sheet\b([^>]*)\/>/g)].map((m) => attr(m[1]!, 'name'));
  return { cells, sheet, sheetNames };
}

describe('planXlsx', () => {
  it('writes one worksheet named after the board: title, a bold frozen header row, the plan typed', async () => {
    const { cells, sheet, sheetNames } = readXlsx(await planXlsx(board()));
    expect(sheetNames).toEqual(['MLDP zajednički plan aktivnosti']);
    expect(cells.get('A1')).toMatchObject({ type: 'string', value: 'MLDP: zajednički plan aktivnosti', bold: true });

    const headers = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M'].map((col) => cells.get(`${col}2`)!);
    expect(headers.map((c) => c.value)).toEqual(planTable(board()).columns.map((c) => c.header));
    expect(headers.every((c) => c.type === 'string' && c.bold)).toBe(true);
    expect(sheet).toMatch(/<pane\b(?=[^>]*\bySplit="2")(?=[^>]*\btopLeftCell="A3")(?=[^>]*\bstate="frozen")[^>]*\/>/);
    expect(sheet).toContain('<col min="4" max="4" width="50" customWidth="1"/>');

    // The first activity, in row 3: the row number is a number, text keeps its diacritics.
    expect(cells.get('A3')).toMatchObject({ type: 'number', value: 1, bold: false });
    expect(cells.get('B3')).toMatchObject({ type: 'string', value: 'Učešće građana u odlučivanju', wrap: true });
    expect(cells.get('C3')).toMatchObject({ type: 'string', value: 'Zajednički model javnih konsultacija' });
    expect(cells.get('F3')?.value).toBe('Opština Istočno Novo Sarajevo, Općina Trnovo');
    expect(cells.get('G3')?.value).toBe('I kv. 2023.');
    expect(cells.get('L3')?.value).toBe('U toku');
    expect(cells.has('D3')).toBe(false); // no description: an empty cell, not an empty string

    const row = [...cells].find(([, c]) => c.value === 'Budžetirana aktivnost: čišćenje obale, đački žiri')![0].slice(1);
    expect(cells.get(`I${row}`)).toEqual({ type: 'number', value: 1234.5, numFmt: '#,##0.00 "KM"', bold: false, wrap: false });
    expect(KM_FORMAT).toBe('#,##0.00 "KM"');
    expect(cells.get(`L${row}`)?.value).toBe('Odgođeno');
    expect(cells.get(`M${row}`)).toMatchObject({ type: 'string', value: '=1+1' }); // text, never a formula
    expect(sheet).not.toMatch(/<f[\s>]/);
    expect(cells.get('B18')?.value).toBe('Neraspoređene aktivnosti');
    expect(cells.has('A19')).toBe(false);
  });

  it('stores whatever the board title is as text and falls back to "Plan" for the sheet name', async () => {
    const doc = new Y.Doc();
    seedDemoBoard(doc);
    setBoardTitle(doc, '=HYPERLINK("http://x") / Igman [2022]');
    const { cells, sheetNames } = readXlsx(await planXlsx(readBoard(doc)));
    expect(cells.get('A1')).toMatchObject({ type: 'string', value: '=HYPERLINK("http://x") / Igman [2022]' });
    expect(sheetNames).toEqual(['=HYPERLINK("http x") Igman 2022']);
  });
});

describe('sheetName', () => {
  it("follows Excel's rules for worksheet names", () => {
    expect(sheetName('Igman 2022')).toBe('Igman 2022');
    expect(sheetName('Plan: Q1/Q2 [nacrt]?*\\')).toBe('Plan Q1 Q2 nacrt');
    expect(sheetName('Zajednički plan aktivnosti općina Trnovo i Novo Sarajevo')).toBe('Zajednički plan aktivnosti opći');
    expect(sheetName('Zajednički plan aktivnosti opći').length).toBe(31);
    expect(sheetName("'Plan'")).toBe('Plan');
    expect(sheetName("  'Igman'  ")).toBe('Igman');
    expect(sheetName('Plan aktivnosti za godinu 2023 i 2024')).toBe('Plan aktivnosti za godinu 2023'); // no trailing space after the cut
    expect(sheetName(`${'a'.repeat(30)}😀`)).toBe('a'.repeat(30)); // never half a surrogate pair
    expect(sheetName('Red\u0000\tnovi\nred')).toBe('Red novi red');
    for (const nothing of ['', '   ', '[]', "''", 'History', 'history']) expect(sheetName(nothing)).toBe('Plan');
  });
});
