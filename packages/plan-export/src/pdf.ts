/**
 * The official plan document ("Plan aktivnosti") as PDF, written with pdfmake 0.2 and the DejaVu
 * TrueType fonts of the npm package `dejavu-fonts-ttf` (embedded: they cover Bosnian Latin and
 * Serbian Cyrillic, and they come with the package, never from the machine's /usr/share/fonts).
 *
 * A4 landscape: the header (title, board, date, version, participating municipalities, a QR code
 * to the live board when a read-only link is given), the plan table grouped by priority area
 * with Rb. (header row repeated on every page, no row split across pages), the commitments
 * matrix, a signature block per municipality, "strana X od Y" on every page.
 *
 * Rendering is synchronous CPU work (layout happens inside `createPdfKitDocument`); measured on
 * this project's 2-core machine: the demo plan (15 activities) ~0.45 s warm (~1.1 s the first
 * time, fonts loading), 200 activities with every field filled ~0.45-0.5 s warm (~1.5 s cold),
 * most of it font work. The server therefore renders it in a worker thread.
 */
import { createRequire } from 'node:module';
import type { BoardView } from '@tabla/plan-model';
import PdfPrinter from 'pdfmake';
import type { Content, TableCell, TDocumentDefinitions, TFontDictionary } from 'pdfmake/interfaces.js';
import { type PlanDocument, planDocument, type PlanReport } from './document.js';
import { cellText, type ExportOptions } from './spreadsheet.js';

export const PDF_CONTENT_TYPE = 'application/pdf';

const require = createRequire(import.meta.url);
const font = (file: string) => require.resolve(`dejavu-fonts-ttf/ttf/${file}`);

const FONTS: TFontDictionary = {
  DejaVuSans: {
    normal: font('DejaVuSans.ttf'),
    bold: font('DejaVuSans-Bold.ttf'),
    italics: font('DejaVuSans-Oblique.ttf'),
    bolditalics: font('DejaVuSans-BoldOblique.ttf'),
  },
  DejaVuSansCondensed: {
    normal: font('DejaVuSansCondensed.ttf'),
    bold: font('DejaVuSansCondensed-Bold.ttf'),
    italics: font('DejaVuSansCondensed-Oblique.ttf'),
    bolditalics: font('DejaVuSansCondensed-BoldOblique.ttf'),
  },
};

let printer: PdfPrinter | null = null;

export interface PdfOptions extends ExportOptions {
  /** A read-only link to the live board, printed as a QR code; none: no QR code. */
  readonly link?: string | null;
  /** The plan (default), or the progress report (status and latest note per activity). */
  readonly report?: PlanReport;
}

/** Widths (pt) of the plan columns in the PDF; the lane is the group's heading row, not a column. */
const WIDTHS: Partial<Record<string, number | '*'>> = {
  number: 18,
  title: 82,
  description: 92,
  lead: 56,
  partners: 70,
  proposer: 56,
  timeframe: 38,
  responsible: 52,
  budget: 42,
  funding: 50,
  indicator: 68,
  status: 38,
  notes: '*',
  percent: 40,
  latestNote: '*',
};

const GRAY = '#E8EEF4';
const GAP = '#FBE3D6';

/** The pdfmake document definition of the plan (exported for tests and for the print view's parity). */
export function pdfDefinition(doc: PlanDocument, link: string | null): TDocumentDefinitions {
  const t = doc.texts;
  const shown = doc.columns.map((c, i) => ({ c, i })).filter(({ c }) => c.key !== 'lane');
  const span = shown.length;
  const header: TableCell[] = shown.map(({ c }) => ({ text: c.header, style: 'th' }));
  const body: TableCell[][] = [header];
  for (const g of doc.groups) {
    body.push([{ text: g.title, colSpan: span, style: 'group' }, ...Array.from({ length: span - 1 }, () => '')]);
    for (const row of g.rows) {
      body.push(shown.map(({ c, i }) => ({ text: cellText(row[i]!), alignment: c.key === 'budget' || c.key === 'number' || c.key === 'percent' ? 'right' : 'left' })));
    }
  }

  const facts: Content[] = [
    { text: doc.documentTitle, style: 'title' },
    { text: doc.boardTitle, style: 'board' },
    { text: [{ text: `${t.date}: `, bold: true }, doc.date] },
    ...(doc.versionName ? [{ text: [{ text: `${t.version}: `, bold: true }, doc.versionName] } as Content] : []),
    { text: [{ text: `${t.municipalities}: `, bold: true }, doc.municipalities.join(', ')], margin: [0, 2, 0, 0] },
  ];
  const top: Content = link
    ? {
        columns: [
          { width: '*', stack: facts },
          { width: 96, stack: [{ qr: link, fit: 86, alignment: 'right' }, { text: t.liveBoard, fontSize: 6, alignment: 'right', margin: [0, 2, 0, 0] }] },
        ],
        columnGap: 12,
      }
    : { stack: facts };

  const m = doc.matrix;
  const matrixBody: TableCell[][] = [
    [{ text: t.municipality, style: 'th' }, ...m.lanes.map((l) => ({ text: `${l.title}\n(${t.leads} / ${t.joins})`, style: 'th' }))],
    ...m.municipalities.map((mun, i) => [
      { text: mun.name },
      ...m.cells[i]!.map((c) =>
        c.leads + c.joins === 0 ? { text: t.gap, alignment: 'center' as const, fillColor: GAP } : { text: `${c.leads} / ${c.joins}`, alignment: 'center' as const },
      ),
    ]),
    [
      { text: t.noLead, bold: true },
      ...m.lanes.map((l) => (m.lanesWithoutLead.includes(l.id) ? { text: t.gap, alignment: 'center' as const, fillColor: GAP } : { text: '' })),
    ],
  ];

  const signatureCell = (name: string): TableCell => ({
    stack: [
      { text: name, bold: true, margin: [0, 0, 0, 10] },
      { text: `${t.coordinator}: ________________________`, margin: [0, 0, 0, 14] },
      { text: `${t.signature}: ________________________`, margin: [0, 0, 0, 14] },
      { text: `${t.stamp}:`, margin: [0, 0, 0, 34] },
    ],
    margin: [4, 6, 4, 6],
  });
  const signatureRows: TableCell[][] = [];
  for (let i = 0; i < doc.municipalities.length; i += 3) {
    const row = doc.municipalities.slice(i, i + 3).map(signatureCell);
    while (row.length < 3) row.push({ text: '', border: [false, false, false, false] });
    signatureRows.push(row);
  }

  return {
    pageSize: 'A4',
    pageOrientation: 'landscape',
    pageMargins: [28, 28, 28, 34],
    info: { title: `${doc.documentTitle}: ${doc.boardTitle}`, subject: doc.versionName ?? undefined, creator: 'Tabla' },
    defaultStyle: { font: 'DejaVuSansCondensed', fontSize: 7, lineHeight: 1.1 },
    styles: {
      title: { font: 'DejaVuSans', fontSize: 16, bold: true, margin: [0, 0, 0, 4] },
      board: { font: 'DejaVuSans', fontSize: 12, margin: [0, 0, 0, 6] },
      h2: { font: 'DejaVuSans', fontSize: 12, bold: true, margin: [0, 0, 0, 6] },
      th: { bold: true, fillColor: GRAY },
      group: { bold: true, fontSize: 8, fillColor: '#F5F7FA', margin: [0, 2, 0, 2] },
    },
    footer: (page: number, pages: number) => ({ text: t.page(page, pages), alignment: 'right', fontSize: 7, margin: [28, 10, 28, 0] }),
    content: [
      top,
      {
        table: { headerRows: 1, dontBreakRows: true, widths: shown.map(({ c }) => WIDTHS[c.key] ?? '*'), body },
        layout: { hLineWidth: () => 0.4, vLineWidth: () => 0.4, hLineColor: () => '#8A99A8', vLineColor: () => '#8A99A8' },
        margin: [0, 10, 0, 0],
      },
      { text: t.commitments, style: 'h2', pageBreak: 'before' },
      { text: t.commitmentsNote, margin: [0, 0, 0, 6] },
      m.lanes.length === 0
        ? { text: t.gap }
        : {
            table: { headerRows: 1, dontBreakRows: true, widths: [150, ...m.lanes.map(() => '*' as const)], body: matrixBody },
            layout: { hLineWidth: () => 0.4, vLineWidth: () => 0.4, hLineColor: () => '#8A99A8', vLineColor: () => '#8A99A8' },
          },
      // A progress report is not an agreement: nobody signs it.
      ...(signatureRows.length === 0 || doc.report === 'progress'
        ? []
        : ([
            { text: t.signatures, style: 'h2', pageBreak: 'before' },
            { table: { dontBreakRows: true, widths: ['*', '*', '*'], body: signatureRows }, layout: { hLineWidth: () => 0.4, vLineWidth: () => 0.4 } },
          ] as Content[])),
    ],
  };
}

/** The plan as a PDF file. Synchronous layout (see the module comment for how long it takes). */
export function planPdf(board: BoardView | PlanDocument, options: PdfOptions = {}): Promise<Uint8Array<ArrayBuffer>> {
  const doc =
    'groups' in board
      ? board
      : planDocument(board, { lang: options.lang ?? 'bs', date: options.date ?? new Date(), versionName: options.versionName ?? null, report: options.report ?? 'plan' });
  printer ??= new PdfPrinter(FONTS);
  const pdf = printer.createPdfKitDocument(pdfDefinition(doc, options.link ?? null));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    pdf.on('data', (chunk: Buffer) => chunks.push(chunk));
    pdf.on('error', reject);
    pdf.on('end', () => {
      const all = Buffer.concat(chunks);
      resolve(new Uint8Array(all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer));
    });
    pdf.end();
  });
}
