/**
 * The built board app, through `app.request`: each text file is served as the build precompressed it
 * (x.br, x.gz beside x) by the client's Accept-Encoding, uncompressed to a client that asks for
 * neither; hashed assets are cached for good, the page and the service worker are not.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStorage, SyncServer } from '@tabla/sync-server';
import { createApp } from './app.js';
import { createLogger } from './logger.js';

const ASSET = '/assets/index-AbC123.js';
const script = Buffer.from(`export const lanes = [${Array.from({ length: 2_000 }, (_, i) => `"lane ${i}"`).join(',')}];\n`);
const page = Buffer.from(`<!doctype html><html><head><script type="module" src="${ASSET}"></script></head><body></body></html>\n`);
const worker = Buffer.from(`self.addEventListener('fetch', () => {});\n${'// padding\n'.repeat(200)}`);

/** As apps/board's build leaves them: each file with its .br and .gz. */
function writeBuilt(dir: string, path: string, bytes: Buffer): void {
  writeFileSync(join(dir, path), bytes);
  writeFileSync(join(dir, `${path}.br`), brotliCompressSync(bytes));
  writeFileSync(join(dir, `${path}.gz`), gzipSync(bytes));
}

describe('the built board app', () => {
  let dist: string;
  let storage: SqliteStorage;
  let sync: SyncServer;
  let app: ReturnType<typeof createApp>;

  beforeAll(() => {
    dist = mkdtempSync(join(tmpdir(), 'tabla-dist-'));
    mkdirSync(join(dist, 'assets'));
    writeBuilt(dist, 'index.html', page);
    writeBuilt(dist, ASSET.slice(1), script);
    writeBuilt(dist, 'sw.js', worker);
    storage = SqliteStorage.open(':memory:');
    sync = new SyncServer({ storage });
    app = createApp({ storage, sync, adminToken: 'admin-token-for-tests-0123456789', publicUrl: null, logger: createLogger('silent'), boardDist: dist });
  });
  afterAll(async () => {
    await sync.close();
    await storage.close();
    rmSync(dist, { recursive: true, force: true });
  });

  const get = async (path: string, acceptEncoding?: string) => {
    const res = await app.request(path, { headers: acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding } });
    return { res, body: Buffer.from(await res.arrayBuffer()) };
  };

  it('serves a script in brotli when accepted, gzip when only that is, and as it is otherwise: the same bytes each way', async () => {
    const br = await get(ASSET, 'gzip, deflate, br, zstd');
    expect(br.res.status).toBe(200);
    expect(br.res.headers.get('content-encoding')).toBe('br');
    expect(br.res.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(br.body.length).toBeLessThan(script.length / 3);
    expect(brotliDecompressSync(br.body).equals(script)).toBe(true);

    const gz = await get(ASSET, 'gzip, deflate');
    expect(gz.res.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(gz.body).equals(script)).toBe(true);

    for (const plain of [await get(ASSET), await get(ASSET, 'identity')]) {
      expect(plain.res.status).toBe(200);
      expect(plain.res.headers.get('content-encoding')).toBeNull();
      expect(plain.body.equals(script)).toBe(true);
    }
  });

  it('says every answer varies by Accept-Encoding; hashed assets are immutable, the page and the worker revalidated', async () => {
    for (const enc of ['br', undefined]) {
      const asset = await get(ASSET, enc);
      expect(asset.res.headers.get('vary')).toBe('Accept-Encoding');
      expect(asset.res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');

      const sw = await get('/sw.js', enc);
      expect(sw.res.headers.get('vary')).toBe('Accept-Encoding');
      expect(sw.res.headers.get('cache-control')).toBe('no-cache');
      expect(sw.res.headers.get('content-encoding')).toBe(enc ?? null);
    }
    const boardPage = await get('/b/some-board', 'br');
    expect(boardPage.res.headers.get('content-encoding')).toBe('br');
    expect(boardPage.res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(boardPage.res.headers.get('cache-control') ?? '').not.toMatch(/immutable/);
    expect(brotliDecompressSync(boardPage.body).equals(page)).toBe(true);
  });

  it('never marks an asset it does not have as immutable (a newer build asked of an older instance)', async () => {
    const missing = await get('/assets/index-FromANewerBuild.js', 'br');
    expect(missing.res.headers.get('cache-control') ?? '').not.toMatch(/immutable/);
  });
});
