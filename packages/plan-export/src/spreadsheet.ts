/**
 * The plan as spreadsheets, over the print model (`planDocument`):
 * - CSV: UTF-8 with a BOM so spreadsheet programs read the diacritics, semicolons as Bosnian
 *   Excel expects, amounts written the Bosnian way ("1.234,50"); after the plan's columns, one
 *   column per revealed vote with the dots each activity got (one table, still machine-readable);
 * - XLSX: the plan sheet (numbers as numbers, the budget formatted in KM, text as text), one sheet
 *   per revealed vote (its sorted results) and one with the commitments matrix.
 */
import type { BoardView } from '@tabla/plan-model';
import writeXlsxFile, { type Cell, type CellObject, type Sheet, type SheetData } from 'write-excel-file/node';
import { type PlanCell, type PlanColumn, type PlanDocument, planDocument } from './document.js';
import type { Lang } from './texts.js';

export interface ExportOptions {
  readonly lang?: Lang;
  readonly date?: Date;
  readonly versionName?: string | null;
}

const documentOf = (board: BoardView | PlanDocument, options: ExportOptions = {}): PlanDocument =>
  'groups' in board ? board : planDocument(board, { lang: options.lang ?? 'bs', date: options.date ?? new Date(), versionName: options.versionName ?? null });

const amount = (km: number) => km.toLocaleString('hr-BA', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/**
 * One cell: quoted, and a value that a spreadsheet would run as a formula (=, +, -, @, tab, CR)
 * is kept as text with a leading apostrophe (CSV injection).
 */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return `"${safe.replace(/"/g, '""')}"`;
}

/** A cell as plain text (CSV, PDF, print). */
export const cellText = (cell: PlanCell): string => {
  if (cell === null) return '';
  switch (cell.kind) {
    case 'text':
      return cell.value;
    case 'count':
      return String(cell.value);
    case 'km':
      return amount(cell.value);
  }
};

/** The plan as CSV text. */
export function planCsv(board: BoardView | PlanDocument, options?: ExportOptions): string {
  const doc = documentOf(board, options);
  const ids = doc.groups.flatMap((g) => g.activityIds);
  const voteDots = doc.votes.map((v) => new Map(v.results.map((r) => [r.activityId, r.dots])));
  const header = [...doc.columns.map((c) => c.header), ...doc.votes.map((v) => `${v.name}: ${v.scope} (${doc.texts.voteDots})`)];
  const rows = doc.rows.map((r, i) => [...r.map(cellText), ...voteDots.map((dots) => String(dots.get(ids[i]!) ?? ''))]);
  const lines = [header, ...rows].map((r) => r.map(csvCell).join(';'));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

export const XLSX_CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Convertible marks, as Bosnian Excel shows them once its locale applies ("1.234,50 KM"). */
export const KM_FORMAT = '#,##0.00 "KM"';

/**
 * A worksheet name Excel accepts: no control characters nor any of []:*?/\, not starting or
 * ending with an apostrophe, at most 31 characters (UTF-16 units, never half a surrogate
 * pair), not the reserved "History"; "Plan" when nothing is left.
 */
export function sheetName(title: string): string {
  const ends = /^[\s']+|[\s']+$/g;
  // eslint-disable-next-line no-control-regex
  const cleaned = title.replace(/[\u0000-\u001f\u007f-\u009f[\]:*?/\\]/g, ' ').replace(/\s+/g, ' ').replace(ends, '');
  let name = '';
  for (const ch of cleaned) {
    if (name.length + ch.length > 31) break;
    name += ch;
  }
  name = name.replace(ends, '');
  return name === '' || name.toLowerCase() === 'history' ? 'Plan' : name;
}

/** Sheet names made unique (case-insensitively, as Excel compares them) by a number. */
function uniqueNames(names: readonly string[]): string[] {
  const seen = new Set<string>();
  return names.map((n) => {
    let name = n;
    for (let i = 2; seen.has(name.toLowerCase()); i++) name = sheetName(`${n.slice(0, 31 - String(i).length - 1)} ${i}`);
    seen.add(name.toLowerCase());
    return name;
  });
}

const xlsxCell = (cell: PlanCell, column: PlanColumn): Cell => {
  if (cell === null || (cell.kind === 'text' && cell.value === '')) return null;
  const style: Partial<CellObject> = { alignVertical: 'top', ...(column.wrap ? { wrap: true } : {}) };
  switch (cell.kind) {
    case 'text': // a shared string: never a formula, whatever it starts with
      return { ...style, type: String, value: cell.value };
    case 'count':
      return { ...style, type: Number, value: cell.value };
    case 'km':
      return { ...style, type: Number, value: cell.value, format: KM_FORMAT };
  }
};

const headerCell = (value: string): CellObject => ({
  value,
  type: String,
  fontWeight: 'bold',
  wrap: true,
  alignVertical: 'top',
  backgroundColor: '#E8EEF4',
  bottomBorderStyle: 'thin',
});
const titleCell = (value: string): CellObject => ({ value, type: String, fontWeight: 'bold', fontSize: 14 });
const str = (value: string): Cell => (value === '' ? null : { value, type: String });
const num = (value: number): Cell => ({ value, type: Number });

/**
 * The plan as an XLSX workbook. First sheet, named after the board: the board's title in the
 * first row, then the bold header row (both stay in view when scrolling), then the plan. Then
 * one sheet per revealed vote (sorted results) and the commitments matrix.
 */
export async function planXlsx(board: BoardView | PlanDocument, options?: ExportOptions): Promise<Uint8Array<ArrayBuffer>> {
  const doc = documentOf(board, options);
  const { texts, columns, rows } = doc;
  const plan: SheetData = [
    [titleCell(doc.boardTitle || 'Plan')],
    columns.map((c) => headerCell(c.header)),
    ...rows.map((r) => r.map((cell, i) => xlsxCell(cell, columns[i]!))),
  ];
  const voteSheets = doc.votes.map((v) => ({
    data: [
      [titleCell(`${v.name}: ${v.scope}`)],
      [texts.votePlace, texts.columns.title, texts.voteDots, texts.voteMunicipalities].map(headerCell),
      ...v.results.map((r) => [num(r.place), { value: r.title, type: String } as Cell, num(r.dots), num(r.municipalities)]),
    ] as SheetData,
    name: `${v.name} ${v.scope}`,
    columns: [{ width: 8 }, { width: 48 }, { width: 10 }, { width: 14 }],
  }));
  const m = doc.matrix;
  const matrixSheet = {
    data: [
      [titleCell(texts.commitments)],
      [headerCell(texts.municipality), ...m.lanes.flatMap((l) => [headerCell(`${l.title}: ${texts.leads}`), headerCell(`${l.title}: ${texts.joins}`)])],
      ...m.municipalities.map((mun, i) => [str(mun.name), ...m.cells[i]!.flatMap((c) => [num(c.leads), num(c.joins)])]),
      [str(texts.noLead), ...m.lanes.flatMap((l) => [str(m.lanesWithoutLead.includes(l.id) ? texts.gap : ''), null])],
    ] as SheetData,
    name: texts.commitments,
    columns: [{ width: 32 }, ...m.lanes.flatMap(() => [{ width: 14 }, { width: 14 }])],
  };
  const names = uniqueNames([sheetName(doc.boardTitle), ...voteSheets.map((s) => sheetName(s.name)), sheetName(matrixSheet.name)]);
  const sheets: Sheet<Buffer>[] = [
    { data: plan, sheet: names[0]!, columns: columns.map((c) => ({ width: c.width })), stickyRowsCount: 2 },
    ...voteSheets.map((s, i) => ({ data: s.data, sheet: names[i + 1]!, columns: s.columns, stickyRowsCount: 2 })),
    { data: matrixSheet.data, sheet: names.at(-1)!, columns: matrixSheet.columns, stickyRowsCount: 2, stickyColumnsCount: 1 },
  ];
  const buffer = await writeXlsxFile(sheets).toBuffer();
  return new Uint8Array(buffer);
}
