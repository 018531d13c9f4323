import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStorage, SyncServer, hashToken } from '@tabla/sync-server';
import { createApp } from './app.js';
import { createLogger } from './logger.js';

const ADMIN = 'admin-token-for-tests-0123456789';

describe('HTTP API', () => {
  let storage: SqliteStorage;
  let sync: SyncServer;
  let app: ReturnType<typeof createApp>;
  const logged: string[] = [];

  beforeEach(() => {
    storage = SqliteStorage.open(':memory:');
    sync = new SyncServer({ storage });
    app = createApp({ storage, sync, adminToken: ADMIN, publicUrl: null, logger: createLogger('info', (l) => logged.push(l)), boardDist: null });
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

  it('POST /api/boards refuses a missing or wrong admin token with 401', async () => {
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

  it('GET /api/boards/:id/access tells a valid link its role, and refuses the rest alike', async () => {
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
});
