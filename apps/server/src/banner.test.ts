import { describe, expect, it } from 'vitest';
import { bannerText } from './banner.js';

const tokens = { facilitator: 'f-token', editor: 'e-token', viewer: 'v-token' };

describe('bannerText', () => {
  it('prints the address, the demo links per role and the admin token', async () => {
    const text = await bannerText({ base: 'http://127.0.0.1:8787', port: 8787, lan: false, demo: { id: 'demo', tokens }, admin: { token: 'adm', file: '/d/admin-token' } });
    expect(text).toContain('Tabla is running at http://127.0.0.1:8787/');
    expect(text).toContain('coordinator: http://127.0.0.1:8787/b/demo?token=e-token');
    expect(text).toContain('viewer:      http://127.0.0.1:8787/b/demo?token=v-token');
    expect(text).toContain('adm');
    expect(text).not.toContain("room's network");
  });

  it('on a LAN (HOST=0.0.0.0) prints every LAN address with a QR code', async () => {
    const text = await bannerText({ base: 'http://localhost:8787', port: 8787, lan: true, demo: null, admin: null, lanAddresses: ['192.168.1.20', '10.0.0.5'] });
    expect(text).toContain("On the room's network: http://192.168.1.20:8787/");
    expect(text).toContain("On the room's network: http://10.0.0.5:8787/");
    // A terminal QR code: rows of block characters.
    const qrRows = text.split('\n').filter((l) => l.startsWith('\u001b[47m') && /[▀▄█].*[▀▄█]/.test(l));
    expect(qrRows.length).toBeGreaterThan(20);
    expect(text).not.toContain('Admin token');
  });
});
