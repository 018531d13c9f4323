import { describe, expect, it } from 'vitest';
import { adminTokenNote, type BannerInput, bannerText, serverVersion } from './banner.js';

const tokens = { facilitator: 'f-token', editor: 'e-token', viewer: 'v-token' };
const ADMIN = 'the-admin-token-0123456789';
const FILE = '/d/admin-token';

const input = (overrides: Partial<BannerInput> = {}): BannerInput => ({
  version: '1.2.3',
  base: 'http://127.0.0.1:8787',
  port: 8787,
  lan: false,
  demo: { id: 'demo', tokens },
  admin: { kind: 'hidden', file: FILE },
  dataDir: '/d',
  log: { file: '/d/tabla.log' },
  ...overrides,
});

describe('bannerText', () => {
  it('prints the name and version, the address, the demo links per role, where data and logs live, and how to stop', async () => {
    const text = await bannerText(input());
    expect(text).toContain('Tabla 1.2.3 is running at http://127.0.0.1:8787/');
    expect(text).toContain('facilitator  http://127.0.0.1:8787/b/demo?token=f-token');
    expect(text).toContain('coordinator  http://127.0.0.1:8787/b/demo?token=e-token');
    expect(text).toContain('viewer       http://127.0.0.1:8787/b/demo?token=v-token');
    expect(text).toContain('Data:  /d\n');
    expect(text).toContain('Log:   /d/tabla.log');
    expect(text).toContain('Stop:  Ctrl+C');
    expect(text).not.toContain("room's network");
    // Short and readable: no JSON, no line a terminal would wrap badly besides the links.
    expect(text).not.toMatch(/^\{/m);
    expect(text.trim().split('\n').length).toBeLessThanOrEqual(16);
  });

  it('on the start that generated the admin token: prints it once, says so and where it is kept', async () => {
    const text = await bannerText(input({ admin: { kind: 'show', token: ADMIN, file: FILE, generated: true } }));
    expect(text).toContain(`  ${ADMIN}\n`);
    expect(text).toContain('shown on this first start only');
    expect(text).toContain(`kept in ${FILE}`);
    expect(text).toContain('npm run admin-token');
  });

  it('on a later start: no token, but where it is and how to show it', async () => {
    const text = await bannerText(input({ admin: { kind: 'hidden', file: FILE } }));
    expect(text).not.toContain(ADMIN);
    expect(text).toContain(`Admin token: kept in ${FILE}; \`npm run admin-token\` (or \`npm start -- --show-admin-token\`) shows it`);
  });

  it('a token from the environment: never printed', async () => {
    const text = await bannerText(input({ admin: { kind: 'env' } }));
    expect(text).toContain('Admin token: set by ADMIN_TOKEN (not shown)');
  });

  it('says where the logs go for LOG_FORMAT=json and LOG_LEVEL=silent', async () => {
    expect(await bannerText(input({ log: 'stdout' }))).toContain('Log:   JSON lines on stdout (LOG_FORMAT=json)');
    expect(await bannerText(input({ log: 'off' }))).toContain('Log:   off (LOG_LEVEL=silent)');
  });

  it('on a LAN (HOST=0.0.0.0) prints every LAN address with a QR code', async () => {
    const text = await bannerText(input({ base: 'http://localhost:8787', lan: true, demo: null, lanAddresses: ['192.168.1.20', '10.0.0.5'] }));
    expect(text).toContain("On the room's network: http://192.168.1.20:8787/");
    expect(text).toContain("On the room's network: http://10.0.0.5:8787/");
    // A terminal QR code: rows of block characters.
    const qrRows = text.split('\n').filter((l) => l.startsWith('\u001b[47m') && /[▀▄█].*[▀▄█]/.test(l));
    expect(qrRows.length).toBeGreaterThan(20);
    expect(text).not.toContain('Demo board');
  });

  it('without QR codes (LOG_FORMAT=json: the banner goes to stderr, which may be a log collector)', async () => {
    const text = await bannerText(input({ lan: true, qr: false, lanAddresses: ['192.168.1.20'] }));
    expect(text).toContain("On the room's network: http://192.168.1.20:8787/");
    expect(text).not.toContain('\u001b[');
  });
});

describe('adminTokenNote', () => {
  const config = (adminTokenSource: 'env' | 'file' | 'generated') => ({ adminToken: ADMIN, adminTokenSource, dataDir: '/d' });

  it('shows the token on the start that generated it', () => {
    expect(adminTokenNote(config('generated'), FILE, false)).toEqual({ kind: 'show', token: ADMIN, file: FILE, generated: true });
  });

  it('hides a token kept from an earlier start, unless asked (--show-admin-token)', () => {
    expect(adminTokenNote(config('file'), FILE, false)).toEqual({ kind: 'hidden', file: FILE });
    expect(adminTokenNote(config('file'), FILE, true)).toEqual({ kind: 'show', token: ADMIN, file: FILE, generated: false });
  });

  it('never shows a token from the environment, even when asked', () => {
    expect(adminTokenNote(config('env'), FILE, false)).toEqual({ kind: 'env' });
    expect(adminTokenNote(config('env'), FILE, true)).toEqual({ kind: 'env' });
  });
});

describe('serverVersion', () => {
  it("is the server package's version", () => {
    expect(serverVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
