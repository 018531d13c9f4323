/**
 * The agreed plan in the columns of a real action plan (DOMAIN.md), for the official plan
 * document, with Bosnian headers and values. One table (`planTable`: the columns and the
 * rows as typed cells) and two thin writers over it:
 * - CSV: UTF-8 with a BOM so spreadsheet programs read the diacritics, semicolons as Bosnian
 *   Excel expects, amounts written the Bosnian way ("1.234,50");
 * - XLSX: one worksheet, numbers as numbers (the budget formatted in KM), text as text.
 */
import type { Activity, BoardView, MunicipalityId } from '@tabla/plan-model';
import writeXlsxFile, { type Cell, type CellObject, type SheetData } from 'write-excel-file/node';

const STATUS = { planned: 'Planirano', in_progress: 'U toku', done: 'Završeno', postponed: 'Odgođeno' } as const;
const ROMAN = ['I', 'II', 'III', 'IV'];

const quarter = (timeframe: string | undefined) => {
  const m = timeframe ? /^(\d{4})-Q([1-4])$/.exec(timeframe) : null;
  return m ? `${ROMAN[Number(m[2]) - 1]} kv. ${m[1]}.` : '';
};

/**
 * One cell of the plan, typed, so that each writer renders it its own way: `count` is a whole
 * number (the row number), `km` an amount in convertible marks; null is an empty cell.
 */
export type PlanCell =
  | { readonly kind: 'text'; readonly value: string }
  | { readonly kind: 'count'; readonly value: number }
  | { readonly kind: 'km'; readonly value: number }
  | null;

export interface PlanColumn {
  readonly header: string;
  /** Width in characters, for spreadsheets. */
  readonly width: number;
  /** Long text: wrapped in spreadsheets. */
  readonly wrap: boolean;
}

export interface PlanTable {
  /** The board's title. */
  readonly title: string;
  readonly columns: readonly PlanColumn[];
  /** One per activity, each with one cell per column. */
  readonly rows: readonly (readonly PlanCell[])[];
}

interface PlanRow {
  readonly number: number;
  readonly lane: string;
  readonly activity: Activity;
  readonly name: (id: MunicipalityId | undefined) => string;
}

const text = (value: string | undefined): PlanCell => ({ kind: 'text', value: value ?? '' });

/** The columns of an action plan, in order: the only place that knows them. */
const COLUMNS: readonly (PlanColumn & { readonly cell: (row: PlanRow) => PlanCell })[] = [
  { header: 'Rb.', width: 6, wrap: false, cell: (r) => ({ kind: 'count', value: r.number }) },
  { header: 'Oblast', width: 28, wrap: true, cell: (r) => text(r.lane) },
  { header: 'Aktivnost', width: 40, wrap: true, cell: (r) => text(r.activity.title) },
  { header: 'Opis', width: 50, wrap: true, cell: (r) => text(r.activity.description) },
  { header: 'Nosilac', width: 24, wrap: true, cell: (r) => text(r.name(r.activity.leadId)) },
  { header: 'Partneri', width: 32, wrap: true, cell: (r) => text(r.activity.partners.map(r.name).filter(Boolean).join(', ')) },
  { header: 'Rok / kvartal', width: 14, wrap: false, cell: (r) => text(quarter(r.activity.timeframe)) },
  { header: 'Odgovorna osoba', width: 24, wrap: true, cell: (r) => text(r.activity.responsible) },
  { header: 'Sredstva (KM)', width: 16, wrap: false, cell: (r) => (r.activity.budget === undefined ? null : { kind: 'km', value: r.activity.budget }) },
  { header: 'Izvor finansiranja', width: 24, wrap: true, cell: (r) => text(r.activity.fundingSource) },
  { header: 'Indikator', width: 32, wrap: true, cell: (r) => text(r.activity.indicator) },
  { header: 'Status', width: 12, wrap: false, cell: (r) => text(STATUS[r.activity.status]) },
  { header: 'Napomena', width: 40, wrap: true, cell: (r) => text(r.activity.notes) },
];

/** The plan's rows: lanes in order, then the not-yet-placed pool; archived lanes left out. */
export function planTable(board: BoardView): PlanTable {
  const name = (id: MunicipalityId | undefined) => (id ? (board.municipalityById.get(id)?.name ?? '') : '');
  const rows: PlanCell[][] = [];
  const add = (lane: string, activity: Activity) => {
    const row: PlanRow = { number: rows.length + 1, lane, activity, name };
    rows.push(COLUMNS.map((c) => c.cell(row)));
  };
  for (const { lane, activities } of board.lanes) for (const a of activities) add(lane.title, a);
  for (const a of board.unplaced) add('Neraspoređene aktivnosti', a);
  return { title: board.meta.title, columns: COLUMNS.map(({ header, width, wrap }) => ({ header, width, wrap })), rows };
}

const amount = (km: number) => km.toLocaleString('hr-BA', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/**
 * One cell: quoted, and a value that a spreadsheet would run as a formula (=, +, -, @, tab, CR)
 * is kept as text with a leading apostrophe (CSV injection).
 */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return `"${safe.replace(/"/g, '""')}"`;
}

const csvText = (cell: PlanCell): string => {
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
export function planCsv(board: BoardView): string {
  const { columns, rows } = planTable(board);
  const lines = [columns.map((c) => c.header), ...rows.map((r) => r.map(csvText))].map((r) => r.map(csvCell).join(';'));
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

/**
 * The plan as an XLSX workbook: one worksheet named after the board, the board's title in
 * the first row, then the bold header row; both stay in view when scrolling.
 */
export async function planXlsx(board: BoardView): Promise<Uint8Array<ArrayBuffer>> {
  const { title, columns, rows } = planTable(board);
  const data: SheetData = [
    [{ value: title || 'Plan', type: String, fontWeight: 'bold', fontSize: 14 }],
    columns.map((c) => ({
      value: c.header,
      type: String,
      fontWeight: 'bold',
      wrap: true,
      alignVertical: 'top',
      backgroundColor: '#E8EEF4',
      bottomBorderStyle: 'thin',
    })),
    ...rows.map((r) => r.map((cell, i) => xlsxCell(cell, columns[i]!))),
  ];
  const buffer = await writeXlsxFile(data, {
    sheet: sheetName(title),
    columns: columns.map((c) => ({ width: c.width })),
    stickyRowsCount: 2,
  }).toBuffer();
  return new Uint8Array(buffer);
}
