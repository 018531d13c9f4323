import { strFromU8, unzipSync } from 'fflate';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { addMunicipality, asMunicipalityId, demoMunicipalityId, readBoard, type Role, roots } from '@tabla/plan-model';
import { applyStoredState, SqliteStorage, SyncServer, hashToken } from '@tabla/sync-server';
import { createApp } from './app.js';
import { createLogger } from './logger.js';
import { createMetrics } from './metrics.js';

const ADMIN = 'admin-token-for-tests-0123456789';

describe('HTTP API', () => {
  let storage: SqliteStorage;
  let sync: SyncServer;
  let app: ReturnType<typeof createApp>;
  let accepting = true;
  const logged: string[] = [];

  beforeEach(() => {
    storage = SqliteStorage.open(':memory:');
    sync = new SyncServer({ storage });
    const metrics = createMetrics();
    metrics.watch(sync);
    accepting = true;
    app = createApp({
      storage,
      sync,
      adminToken: ADMIN,
      publicUrl: null,
      logger: createLogger('info', { write: (l: string) => logged.push(l) }),
      boardDist: null,
      metrics: metrics.registry,
      boardsPerMinute: 3,
      accepting: () => accepting,
    });
  });
  afterEach(async () => {
    await sync.close();
    await storage.close();
  });

  const create = (body: unknown, token = ADMIN) =>
    app.request('http://board.example:8080/api/boards', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('GET /healthz answers 200', async () => {
    const res = await app.request('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok' });
  });

  it('GET /api/time answers the server clock, never cached', async () => {
    const before = Date.now();
    const res = await app.request('/api/time');
    const after = Date.now();
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const { now } = (await res.json()) as { now: unknown };
    expect(typeof now).toBe('number');
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(after);
  });

  it('[R11] POST /api/boards refuses a missing or wrong admin token with 401', async () => {
    expect((await app.request('/api/boards', { method: 'POST', body: '{}' })).status).toBe(401);
    expect((await create({ title: 'x', template: 'empty' }, 'wrong-token-wrong-token')).status).toBe(401);
    expect(await storage.listBoards()).toEqual([]);
  });

  it('POST /api/boards refuses bad bodies with 400 and a clear message', async () => {
    for (const body of ['not json', { template: 'demo' }, { title: '', template: 'demo' }, { title: 'x'.repeat(201) }, { title: 'ok', template: 'kanban' }, [1]]) {
      const res = await create(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await res.json()) as { error: string }).toHaveProperty('error');
    }
    expect(await storage.listBoards()).toEqual([]);
  });

  it('POST /api/boards creates a board with a hashed token per role and role links', async () => {
    const res = await create({ title: 'Igman 2022', template: 'demo' });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { id: string; title: string; tokens: Record<string, string>; links: Record<string, string> };
    expect(body.title).toBe('Igman 2022');
    for (const role of ['facilitator', 'editor', 'viewer'] as const) {
      expect(body.links[role]).toBe(`http://board.example:8080/b/${body.id}?token=${body.tokens[role]}`);
      expect(await sync.authorize(body.id, body.tokens[role])).toEqual({ role, municipalityId: null });
    }
    const stored = await storage.getTokens(body.id);
    expect(stored.map((t) => t.tokenHash).sort()).toEqual(Object.values(body.tokens).map(hashToken).sort());
    expect(JSON.stringify(stored)).not.toContain(body.tokens.editor);
    expect(logged.join('')).not.toContain(body.tokens.editor);
    const state = await storage.loadState(body.id);
    expect(state?.snapshot?.length).toBeGreaterThan(100);
  });

  it('[R11] GET /api/boards/:id/access tells a valid link its role, and refuses the rest alike', async () => {
    const { id, tokens } = (await (await create({ title: 'T', template: 'empty' })).json()) as { id: string; tokens: Record<string, string> };
    const ok = await app.request(`/api/boards/${id}/access?token=${tokens.viewer}`);
    expect(await ok.json()).toEqual({ boardId: id, role: 'viewer', municipalityId: null });
    const badToken = await app.request(`/api/boards/${id}/access?token=nope`);
    const unknownBoard = await app.request(`/api/boards/unknown/access?token=${tokens.viewer}`);
    expect(badToken.status).toBe(401);
    expect(unknownBoard.status).toBe(401);
    expect(await badToken.text()).toBe(await unknownBoard.text());
  });

  it('sends a Content-Security-Policy without inline scripts', async () => {
    const csp = (await app.request('/healthz')).headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
  });

  it('GET /readyz is 200 while accepting and 503 once shutting down', async () => {
    expect((await app.request('/readyz')).status).toBe(200);
    accepting = false;
    expect((await app.request('/readyz')).status).toBe(503);
  });

  it('GET /metrics speaks the Prometheus text format with the sync figures', async () => {
    await create({ title: 'T', template: 'demo' });
    const res = await app.request('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    for (const name of ['tabla_connections', 'tabla_rooms', 'tabla_updates_stored_total', 'tabla_updates_relayed_total', 'tabla_update_bytes_relayed_total', 'tabla_refused_total', 'tabla_storage_write_seconds_bucket']) {
      expect(text).toMatch(new RegExp(`^# TYPE ${name.replace(/_bucket$/, '')} `, 'm'));
    }
    expect(text).toMatch(/^tabla_connections 0$/m);
  });

  it('[R13] POST /api/boards allows BOARDS_PER_MINUTE new boards, then 429 with Retry-After', async () => {
    for (let i = 0; i < 3; i++) expect((await create({ title: `B${i}`, template: 'empty' })).status).toBe(201);
    const refused = await create({ title: 'one too many', template: 'empty' });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await storage.listBoards()).length).toBe(3);
  });

  it('[R11] rotates and revokes a role link with the facilitator or admin token; old links stop working', async () => {
    const { id, tokens } = (await (await create({ title: 'T', template: 'demo' })).json()) as { id: string; tokens: Record<string, string> };
    const rotate = (role: string, token: string, method = 'POST') =>
      app.request(`http://board.example/api/boards/${id}/links/${role}`, { method, headers: { authorization: `Bearer ${token}` } });

    expect((await rotate('editor', tokens.editor!)).status).toBe(401); // a coordinator cannot
    expect((await rotate('editor', 'nonsense')).status).toBe(401);
    expect((await rotate('owner', tokens.facilitator!)).status).toBe(404);

    const res = await rotate('editor', tokens.facilitator!);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { role: string; token: string; link: string };
    expect(body.link).toBe(`http://board.example/b/${id}?token=${body.token}`);
    expect(await sync.authorize(id, tokens.editor)).toBeNull();
    expect(await sync.authorize(id, body.token)).toEqual({ role: 'editor', municipalityId: null });
    expect((await sync.authorize(id, tokens.viewer))?.role).toBe('viewer'); // other roles untouched

    expect((await rotate('viewer', ADMIN, 'DELETE')).status).toBe(204);
    expect(await sync.authorize(id, tokens.viewer)).toBeNull();
    const unknown = await app.request('/api/boards/nope/links/viewer', { method: 'POST', headers: { authorization: `Bearer ${ADMIN}` } });
    expect(unknown.status).toBe(404);
  });

  describe('municipality links', () => {
    const MOSTAR = demoMunicipalityId('mostar');
    const TRNOVO = demoMunicipalityId('trnovoF');
    type Issued = { role: string; municipalityId: string; token: string; link: string };

    async function demoBoard(): Promise<{ id: string; tokens: Record<Role, string> }> {
      return (await (await create({ title: 'T', template: 'demo' })).json()) as { id: string; tokens: Record<Role, string> };
    }
    const municipalityLink = (id: string, municipalityId: string, token: string, method = 'POST') =>
      app.request(`http://board.example/api/boards/${id}/links/editor/${encodeURIComponent(municipalityId)}`, {
        method,
        headers: { authorization: `Bearer ${token}` },
      });
    const issue = async (id: string, municipalityId: string, token: string): Promise<Issued> => {
      const res = await municipalityLink(id, municipalityId, token);
      expect(res.status).toBe(200);
      return (await res.json()) as Issued;
    };

    it('[R11] issues a coordinator link bound to a municipality: the token authorizes as that municipality, /access says so', async () => {
      const { id, tokens } = await demoBoard();
      const disconnect = vi.spyOn(sync, 'disconnect');
      const mostar = await issue(id, MOSTAR, tokens.facilitator);
      expect(mostar).toEqual({ role: 'editor', municipalityId: MOSTAR, token: mostar.token, link: `http://board.example/b/${id}?token=${mostar.token}` });
      expect(await sync.authorize(id, mostar.token)).toEqual({ role: 'editor', municipalityId: MOSTAR });
      expect(disconnect).toHaveBeenCalledWith(id, 'editor', MOSTAR);
      const access = await app.request(`/api/boards/${id}/access?token=${mostar.token}`);
      expect(await access.json()).toEqual({ boardId: id, role: 'editor', municipalityId: MOSTAR });
      // The export accepts it like any link.
      expect((await app.request(`/api/boards/${id}/export.csv?token=${mostar.token}`)).status).toBe(200);
      expect(logged.join('')).not.toContain(mostar.token);
    });

    it('[R11] re-issuing invalidates the old link only; revoking leaves none; the general link and other municipalities keep working', async () => {
      const { id, tokens } = await demoBoard();
      const first = await issue(id, MOSTAR, tokens.facilitator);
      const trnovo = await issue(id, TRNOVO, ADMIN);
      const second = await issue(id, MOSTAR, ADMIN);
      expect(second.token).not.toBe(first.token);
      expect(await sync.authorize(id, first.token)).toBeNull();
      expect(await sync.authorize(id, second.token)).toEqual({ role: 'editor', municipalityId: MOSTAR });
      expect(await sync.authorize(id, trnovo.token)).toEqual({ role: 'editor', municipalityId: TRNOVO });
      expect(await sync.authorize(id, tokens.editor)).toEqual({ role: 'editor', municipalityId: null });

      // Rotating the general editor link leaves the municipalities' links (and their sessions) alone.
      const disconnect = vi.spyOn(sync, 'disconnect');
      const general = await app.request(`/api/boards/${id}/links/editor`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}` } });
      expect(general.status).toBe(200);
      expect(disconnect).toHaveBeenLastCalledWith(id, 'editor', null);
      expect(await sync.authorize(id, tokens.editor)).toBeNull();
      expect(await sync.authorize(id, second.token)).toEqual({ role: 'editor', municipalityId: MOSTAR });

      const revoked = await municipalityLink(id, MOSTAR, tokens.facilitator, 'DELETE');
      expect(revoked.status).toBe(204);
      expect(disconnect).toHaveBeenLastCalledWith(id, 'editor', MOSTAR);
      expect(await sync.authorize(id, second.token)).toBeNull();
      expect(await sync.authorize(id, trnovo.token)).toEqual({ role: 'editor', municipalityId: TRNOVO });
      expect((await municipalityLink(id, MOSTAR, ADMIN, 'DELETE')).status).toBe(204); // already none: still fine
      expect((await app.request(`/api/boards/${id}/access?token=${second.token}`)).status).toBe(401);
    });

    it('[R11] refuses a coordinator, a bad token, an unknown municipality or board, and an overlong id', async () => {
      const { id, tokens } = await demoBoard();
      const mostar = await issue(id, MOSTAR, ADMIN);
      for (const token of [tokens.editor, mostar.token, tokens.viewer, 'nonsense']) {
        expect((await municipalityLink(id, MOSTAR, token)).status, token).toBe(401);
        expect((await municipalityLink(id, MOSTAR, token, 'DELETE')).status, token).toBe(401);
      }
      expect(await sync.authorize(id, mostar.token)).toEqual({ role: 'editor', municipalityId: MOSTAR });
      const unknown = await municipalityLink(id, 'm_nowhere', tokens.facilitator);
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toEqual({ error: 'no such municipality' });
      expect((await municipalityLink(id, 'm_nowhere', ADMIN, 'DELETE')).status).toBe(404);
      expect((await municipalityLink('no-such-board', MOSTAR, ADMIN)).status).toBe(404);
      const long = await municipalityLink(id, 'm'.repeat(65), ADMIN);
      expect(long.status).toBe(400);
      expect((await storage.getTokens(id)).filter((t) => t.municipalityId !== undefined)).toHaveLength(1);
    });

    it('a link whose municipality was removed from the board can still be revoked, not re-issued', async () => {
      const { id, tokens } = await demoBoard();
      const edit = async (change: (doc: Y.Doc) => void) => {
        const state = (await storage.loadState(id))!;
        const doc = new Y.Doc();
        applyStoredState(doc, state);
        const before = Y.encodeStateVector(doc);
        change(doc);
        await storage.appendUpdates([{ boardId: id, update: Y.encodeStateAsUpdate(doc, before) }]);
        doc.destroy();
      };
      const konjic = asMunicipalityId('m_konjic');
      await edit((doc) => addMunicipality(doc, { name: 'Općina Konjic', color: '#123456' }, { id: konjic }));
      const issued = await issue(id, konjic, tokens.facilitator);
      await edit((doc) => roots(doc).municipalities.delete(konjic));
      expect((await municipalityLink(id, konjic, ADMIN)).status).toBe(404);
      expect(await sync.authorize(id, issued.token)).toEqual({ role: 'editor', municipalityId: konjic });
      expect((await municipalityLink(id, konjic, ADMIN, 'DELETE')).status).toBe(204);
      expect(await sync.authorize(id, issued.token)).toBeNull();
      expect((await municipalityLink(id, konjic, ADMIN, 'DELETE')).status).toBe(404);
    });

    it('GET /api/boards/:id/links tells which links work and since when, never a token', async () => {
      const { id, tokens } = await demoBoard();
      const links = (token: string, board = id) => app.request(`/api/boards/${board}/links`, { headers: { authorization: `Bearer ${token}` } });
      expect((await links(tokens.editor)).status).toBe(401);
      expect((await links('nonsense')).status).toBe(401);
      expect((await links(ADMIN, 'no-such-board')).status).toBe(404);
      const initial = await links(tokens.facilitator);
      expect(initial.status).toBe(200);
      expect(await initial.json()).toEqual({ roles: { facilitator: true, editor: true, viewer: true }, municipalities: {} });

      const before = Date.now();
      const mostar = await issue(id, MOSTAR, ADMIN);
      const after = Date.now();
      await issue(id, TRNOVO, ADMIN);
      await municipalityLink(id, TRNOVO, ADMIN, 'DELETE');
      expect((await app.request(`/api/boards/${id}/links/viewer`, { method: 'DELETE', headers: { authorization: `Bearer ${ADMIN}` } })).status).toBe(204);
      const res = await links(ADMIN);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const text = await res.text();
      const body = JSON.parse(text) as { roles: Record<string, boolean>; municipalities: Record<string, { issuedAt: number }> };
      expect(body).toEqual({ roles: { facilitator: true, editor: true, viewer: false }, municipalities: { [MOSTAR]: { issuedAt: expect.any(Number) } } });
      expect(body.municipalities[MOSTAR]!.issuedAt).toBeGreaterThanOrEqual(before);
      expect(body.municipalities[MOSTAR]!.issuedAt).toBeLessThanOrEqual(after);
      for (const token of [...Object.values(tokens), mostar.token]) expect(text).not.toContain(token);
    });
  });

  it('duplicates a board as a template for the next training: municipalities and lanes, no activities', async () => {
    const { id, tokens } = (await (await create({ title: 'Igman 2022', template: 'demo' })).json()) as { id: string; tokens: Record<string, string> };
    const duplicate = (token: string, body: unknown, board = id) =>
      app.request(`http://board.example/api/boards/${board}/duplicate`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await duplicate(tokens.editor!, { title: 'Kopija' })).status).toBe(401);
    expect((await duplicate(tokens.facilitator!, { title: '' })).status).toBe(400);
    expect((await duplicate(ADMIN, { title: 'X' }, 'no-such-board')).status).toBe(404);

    const res = await duplicate(tokens.facilitator!, { title: 'Igman 2023' });
    expect(res.status).toBe(201);
    const copy = (await res.json()) as { id: string; title: string; tokens: Record<string, string>; links: Record<string, string> };
    expect(copy.id).not.toBe(id);
    expect(copy.links.facilitator).toBe(`http://board.example/b/${copy.id}?token=${copy.tokens.facilitator}`);
    expect((await sync.authorize(copy.id, copy.tokens.editor))?.role).toBe('editor');
    const state = (await storage.loadState(copy.id))!;
    const doc = new Y.Doc();
    applyStoredState(doc, state);
    const view = readBoard(doc);
    expect(view.meta.title).toBe('Igman 2023');
    expect(view.lanes.map((l) => l.lane.title)).toHaveLength(4);
    expect(view.municipalities).toHaveLength(8);
    expect(view.activityById.size).toBe(0);
  });

  it('exports the plan as CSV for any valid link, and refuses others alike', async () => {
    const { id, tokens } = (await (await create({ title: 'Igman', template: 'demo' })).json()) as { id: string; tokens: Record<string, string> };
    const res = await app.request(`/api/boards/${id}/export.csv?token=${tokens.viewer}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toContain('attachment');
    const text = await res.text();
    expect(text.trim().split('\r\n')).toHaveLength(16);
    expect((await app.request(`/api/boards/${id}/export.csv?token=nope`)).status).toBe(401);
    expect((await app.request(`/api/boards/nope/export.csv?token=${tokens.viewer}`)).status).toBe(401);
  });

  it('exports the plan as an Excel workbook for any valid link, and refuses others alike', async () => {
    const { id, tokens } = (await (await create({ title: 'Igman', template: 'demo' })).json()) as { id: string; tokens: Record<string, string> };
    for (const role of ['facilitator', 'editor', 'viewer']) {
      const res = await app.request(`/api/boards/${id}/export.xlsx?token=${tokens[role]}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      expect(res.headers.get('content-disposition')).toBe(`attachment; filename="plan-${id}.xlsx"`);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const files = unzipSync(new Uint8Array(await res.arrayBuffer()));
      expect(strFromU8(files['xl/workbook.xml']!)).toContain('name="Igman"');
      expect(strFromU8(files['xl/sharedStrings.xml']!)).toContain('<t>Zajednički model javnih konsultacija</t>');
    }
    for (const path of [`/api/boards/${id}/export.xlsx?token=nope`, `/api/boards/${id}/export.xlsx`, `/api/boards/nope/export.xlsx?token=${tokens.viewer}`]) {
      const refused = await app.request(path);
      expect(refused.status).toBe(401);
      expect(await refused.json()).toEqual({ error: 'this link is not valid' });
    }
  });
});
