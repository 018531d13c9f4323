/**
 * Reading the produced files back, as other programs would: CSV by its quoting rules, XLSX by
 * unzipping it and reading the SpreadsheetML, PDF with pdf.js (no poppler needed).
 */
import { strFromU8, unzipSync } from 'fflate';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

/** Rows of cells from semicolon-separated, double-quoted CSV (after the BOM). */
export function parseCsv(csv: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const text = csv.replace(/^\uFEFF/, '');
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ';') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** A cell of an XLSX sheet as a spreadsheet program reads it: its type from the XML, its style resolved. */
export interface XlsxCell {
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

/** Unzips the workbook and reads every sheet by the XML (SpreadsheetML), as Excel would. */
export function readXlsx(bytes: Uint8Array) {
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
  const sheetNames = [...xml('xl/workbook.xml').matchAll(/<sheet\b([^>]*)\/>/g)].map((m) => attr(m[1]!, 'name')!);
  const sheets = sheetNames.map((name, i) => {
    const sheet = xml(`xl/worksheets/sheet${i + 1}.xml`);
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
    return { name, xml: sheet, cells };
  });
  return { sheetNames, sheets };
}

export interface PdfText {
  readonly pageCount: number;
  /** Width and height of the first page, in points. */
  readonly size: readonly [number, number];
  /** Per page, its text lines top to bottom (items on one baseline joined by spaces). */
  readonly pages: readonly (readonly string[])[];
  /** Everything, one line per line. */
  readonly text: string;
}

/** The text of a PDF, by pdf.js (its legacy build runs on Node). */
export async function readPdf(bytes: Uint8Array): Promise<PdfText> {
  const pdf = await getDocument({ data: new Uint8Array(bytes), useSystemFonts: false, isEvalSupported: false }).promise;
  const pages: string[][] = [];
  let size: [number, number] = [0, 0];
  for (let n = 1; n <= pdf.numPages; n++) {
    const page = await pdf.getPage(n);
    if (n === 1) size = [page.view[2]! - page.view[0]!, page.view[3]! - page.view[1]!];
    const content = await page.getTextContent();
    const lines = new Map<number, { x: number; s: string }[]>();
    for (const item of content.items) {
      if (!('str' in item) || item.str === '') continue;
      const y = Math.round(item.transform[5] as number);
      const line = lines.get(y) ?? [];
      line.push({ x: item.transform[4] as number, s: item.str });
      lines.set(y, line);
    }
    pages.push(
      [...lines]
        .sort((a, b) => b[0] - a[0])
        .map(([, items]) => items.sort((a, b) => a.x - b.x).map((i) => i.s).join(' ').replace(/\s+/g, ' ').trim()),
    );
  }
  await pdf.destroy();
  return { pageCount: pdf.numPages, size, pages, text: pages.map((p) => p.join('\n')).join('\n') };
}
