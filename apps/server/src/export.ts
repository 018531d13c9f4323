/**
 * The agreed plan as CSV, in the columns of a real action plan (DOMAIN.md), for the
 * official plan document. Bosnian headers and values, UTF-8 with a BOM so spreadsheet
 * programs read the diacritics, semicolons as Bosnian Excel expects.
 */
import type { Activity, BoardView } from '@tabla/plan-model';

const STATUS = { planned: 'Planirano', in_progress: 'U toku', done: 'Završeno', postponed: 'Odgođeno' } as const;
const ROMAN = ['I', 'II', 'III', 'IV'];

const HEADERS = [
  'Rb.',
  'Oblast',
  'Aktivnost',
  'Opis',
  'Nosilac',
  'Partneri',
  'Rok / kvartal',
  'Odgovorna osoba',
  'Sredstva (KM)',
  'Izvor finansiranja',
  'Indikator',
  'Status',
  'Napomena',
];

const quarter = (timeframe: string | undefined) => {
  const m = timeframe ? /^(\d{4})-Q([1-4])$/.exec(timeframe) : null;
  return m ? `${ROMAN[Number(m[2]) - 1]} kv. ${m[1]}.` : '';
};

const amount = (budget: number | undefined) =>
  budget === undefined ? '' : budget.toLocaleString('hr-BA', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/**
 * One cell: quoted, and a value that a spreadsheet would run as a formula (=, +, -, @, tab, CR)
 * is kept as text with a leading apostrophe (CSV injection).
 */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return `"${safe.replace(/"/g, '""')}"`;
}

/** The plan's rows: lanes in order, then the not-yet-placed pool; archived lanes left out. */
export function planCsv(board: BoardView): string {
  const name = (id: string | undefined) => (id ? (board.municipalityById.get(id as never)?.name ?? '') : '');
  const rows: string[][] = [];
  const add = (lane: string, a: Activity) =>
    rows.push([
      String(rows.length + 1),
      lane,
      a.title,
      a.description ?? '',
      name(a.leadId),
      a.partners.map(name).filter(Boolean).join(', '),
      quarter(a.timeframe),
      a.responsible ?? '',
      amount(a.budget),
      a.fundingSource ?? '',
      a.indicator ?? '',
      STATUS[a.status],
      a.notes ?? '',
    ]);
  for (const { lane, activities } of board.lanes) for (const a of activities) add(lane.title, a);
  for (const a of board.unplaced) add('Neraspoređene aktivnosti', a);
  const lines = [HEADERS, ...rows].map((r) => r.map(csvCell).join(';'));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
