/**
 * The plan's exports through the HTTP API, each file read back as another program would: the CSV
 * parsed, the XLSX unzipped, the PDF's text by pdf.js (Cyrillic included). The table itself and
 * its writers are tested in @tabla/plan-export.
 */
import { strFromU8, unzipSync } from 'fflate';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { type Role, seedDemoBoard } from '@tabla/plan-model';
import { SqliteStorage, SyncServer } from '@tabla/sync-server';
import { createApp } from './app.js';
import { csvCell, KM_FORMAT, sheetName } from './export.js';
import { createLogger } from './logger.js';

const ADMIN = 'admin-token-for-tests-0123456789';

/** Per page, the text lines top to bottom. */
async function pdfPages(bytes: Uint8Array): Promise<string[][]> {
  const pdf = await getDocument({ data: bytes, useSystemFonts: false, isEvalSupported: false }).promise;
  const pages: string[][] = [];
  for (let n = 1; n <= pdf.numPages; n++) {
    const lines = new Map<number, { x: number; s: string }[]>();
    for (const item of (await (await pdf.getPage(n)).getTextContent()).items) {
      if (!('str' in item) || item.str === '') continue;
      const y = Math.round(item.transform[5] as number);
      lines.set(y, [...(lines.get(y) ?? []), { x: item.transform[4] as number, s: item.str }]);
    }
    pages.push([...lines].sort((a, b) => b[0] - a[0]).map(([, l]) => l.sort((a, b) => a.x - b.x).map((i) => i.s).join(' ').replace(/\s+/g, ' ').trim()));
  }
  await pdf.destroy();
  return pages;
}

describe('exports over HTTP', () => {
  let storage: SqliteStorage;
  let sync: SyncServer;
  let app: ReturnType<typeof createApp>;
  let board: { id: string; tokens: Record<Role, string>; links: Record<Role, string> };

  beforeEach(async () => {
    storage = SqliteStorage.open(':memory:');
    sync = new SyncServer({ storage });
    app = createApp({ storage, sync, adminToken: ADMIN, publicUrl: null, logger: createLogger('silent'), boardDist: null, exportsPerMinute: 100 });
    const res = await app.request('http://board.example/api/boards', {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Igman 2022', template: 'demo' }),
    });
    board = (await res.json()) as typeof board;
  });
  afterEach(async () => {
    await sync.close();
    await storage.close();
  });

  const get = (path: string) => app.request(`http://board.example/api/boards/${board.id}/${path}`);

  it('CSV: the plan columns with the proposer, parsed back', async () => {
    const res = await get(`export.csv?token=${board.tokens.viewer}`);
    expect(res.status).toBe(200);
    const lines = (await res.text()).replace(/^\uFEFF/, '').trim().split('\r\n');
    const header = lines[0]!.split(';').map((c) => c.slice(1, -1));
    expect(header).toEqual([
      'Rb.', 'Oblast', 'Aktivnost', 'Opis', 'Nosilac', 'Partneri', 'Predlagač', 'Rok / kvartal', 'Odgovorna osoba',
      'Sredstva (KM)', 'Izvor finansiranja', 'Indikator', 'Status', 'Napomena',
    ]);
    expect(lines).toHaveLength(16);
    expect(lines[1]).toMatch(/^"1";"Učešće građana u odlučivanju";"Zajednički model javnih konsultacija"/);
    expect(csvCell('=1')).toBe(`"'=1"`);
  });

  it('XLSX: the plan sheet with the proposer column and the commitments sheet, unzipped', async () => {
    const res = await get(`export.xlsx?token=${board.tokens.editor}`);
    expect(res.status).toBe(200);
    const files = unzipSync(new Uint8Array(await res.arrayBuffer()));
    const workbook = strFromU8(files['xl/workbook.xml']!);
    expect([...workbook.matchAll(/<sheet\b[^>]*name="([^"]*)"/g)].map((m) => m[1])).toEqual(['Igman 2022', 'Pregled obaveza']);
    const strings = strFromU8(files['xl/sharedStrings.xml']!);
    expect(strings).toContain('<t>Predlagač</t>');
    expect(strings).toContain('<t>Grad Mostar</t>');
    expect(strFromU8(files['xl/worksheets/sheet2.xml']!)).toContain('<c r="A3"');
    expect(KM_FORMAT).toBe('#,##0.00 "KM"');
    expect(sheetName('Igman [2022]')).toBe('Igman 2022');
  });

  it('PDF: the official document in Serbian Cyrillic, for any valid link, with page numbers and rows in order', async () => {
    for (const role of ['facilitator', 'editor', 'viewer'] as const) {
      const res = await get(`export.pdf?token=${board.tokens[role]}&lang=sr-Cyrl-BA`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/pdf');
      expect(res.headers.get('content-disposition')).toBe(`attachment; filename="plan-${board.id}-sr-Cyrl-BA.pdf"`);
    }
    const pages = await pdfPages(new Uint8Array(await (await get(`export.pdf?token=${board.tokens.viewer}&lang=sr-Cyrl-BA`)).arrayBuffer()));
    expect(pages.length).toBe(4); // the plan (2 pages), the commitments, the signatures
    expect(pages[0]![0]).toBe('План активности');
    expect(pages[0]).toContain('Igman 2022');
    const text = pages.map((p) => p.join('\n')).join('\n');
    expect(text).toMatch(/Рб\. Активност Опис Носилац Партнери Предлагач/);
    expect(text).toContain('Преглед обавеза');
    expect(text).not.toContain('Табла уживо'); // no link given: no QR code
    pages.forEach((p, i) => expect(p.at(-1)).toBe(`страна ${i + 1} од ${pages.length}`));
    const numbers = pages.flatMap((p) => p.flatMap((l) => /^(\d{1,2}) \D/.exec(l)?.[1] ?? [])).map(Number);
    expect(numbers).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
  });

  it('PDF: prints a QR code only for a working read-only link of this board', async () => {
    const caption = async (link: string) => {
      const res = await get(`export.pdf?token=${board.tokens.editor}&lang=bs&link=${encodeURIComponent(link)}`);
      expect(res.status).toBe(200);
      return (await pdfPages(new Uint8Array(await res.arrayBuffer()))).flat().includes('Tabla uživo (samo za pregled)');
    };
    expect(await caption(board.links.viewer)).toBe(true);
    expect(await caption(board.links.editor)).toBe(false); // never an editing link on paper
    // The LAN address of the same server (one server, several addresses): the token is what counts.
    expect(await caption(board.links.viewer.replace('http://board.example', 'http://192.168.1.10:8787'))).toBe(true);
    expect(await caption(board.links.viewer.replace('http://board.example', 'ftp://board.example'))).toBe(false);
    expect(await caption(board.links.viewer.replace(`/b/${board.id}`, '/b/other'))).toBe(false);
    expect(await caption('not a url')).toBe(false);
  });

  it('PDF: refuses a bad link or language; a version comes from storage.getVersion, else 404', async () => {
    expect((await get('export.pdf?token=nope')).status).toBe(401);
    expect((await get(`export.pdf?token=${board.tokens.viewer}&lang=de`)).status).toBe(400);
    const storageWithVersions = storage as unknown as { getVersion?: unknown };
    const original = storageWithVersions.getVersion;
    storageWithVersions.getVersion = undefined;
    expect((await get(`export.pdf?token=${board.tokens.viewer}&version=v1`)).status).toBe(404);

    const doc = new Y.Doc();
    seedDemoBoard(doc);
    const snapshot = Y.encodeStateAsUpdate(doc);
    const asked: string[] = [];
    storageWithVersions.getVersion = async (boardId: string, versionId: string) => {
      asked.push(`${boardId}/${versionId}`);
      return versionId === 'v1'
        ? { id: 'v1', name: 'Usaglašeni plan, 19. oktobar 2022.', createdAt: Date.parse('2022-10-19T15:00:00Z'), by: 'f', auto: false, summary: '', snapshot }
        : null;
    };
    try {
      const res = await get(`export.pdf?token=${board.tokens.viewer}&version=v1`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-disposition')).toBe(`attachment; filename="plan-${board.id}-v1-bs.pdf"`);
      const text = (await pdfPages(new Uint8Array(await res.arrayBuffer()))).flat().join('\n');
      expect(text).toContain('Verzija: Usaglašeni plan, 19. oktobar 2022.');
      expect(text).toContain('Datum: 19. oktobar 2022.');
      expect(text).toContain('MLDP: zajednički plan aktivnosti'); // the version's title, not today's board
      expect((await get(`export.pdf?token=${board.tokens.viewer}&version=v2`)).status).toBe(404);
      expect(asked).toEqual([`${board.id}/v1`, `${board.id}/v2`]);
    } finally {
      storageWithVersions.getVersion = original;
    }
  });
});
