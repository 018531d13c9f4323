import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { readBoard } from '@tabla/plan-model';
import { SqliteStorage, SyncServer, hashToken } from '@tabla/sync-server';
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
      expect(await sync.authorize(body.id, body.tokens[role])).toBe(role);
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
    expect(await ok.json()).toEqual({ boardId: id, role: 'viewer' });
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
    expect(await sync.authorize(id, body.token)).toBe('editor');
    expect(await sync.authorize(id, tokens.viewer)).toBe('viewer'); // other roles untouched

    expect((await rotate('viewer', ADMIN, 'DELETE')).status).toBe(204);
    expect(await sync.authorize(id, tokens.viewer)).toBeNull();
    const unknown = await app.request('/api/boards/nope/links/viewer', { method: 'POST', headers: { authorization: `Bearer ${ADMIN}` } });
    expect(unknown.status).toBe(404);
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
    expect(await sync.authorize(copy.id, copy.tokens.editor)).toBe('editor');
    const state = (await storage.loadState(copy.id))!;
    const doc = new Y.Doc();
    Y.applyUpdate(doc, state.snapshot!);
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
});
