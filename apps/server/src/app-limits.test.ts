/**
 * The HTTP API's per-caller limits and the readiness of the disk (issue 9), through `app.request`:
 * board-creation budgets per caller, exports rate-limited per link and rendered once per board
 * change, /readyz failing when the disk refuses writes.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { addActivity, type Role } from '@tabla/plan-model';
import { applyStoredState, SqliteStorage, SyncServer } from '@tabla/sync-server';
import { type AppDeps, createApp } from './app.js';
import * as exports from './export.js';
import { createLogger } from './logger.js';

// Counts renderings without changing them: the cache is proven by what it saves.
vi.mock('./export.js', async (importOriginal) => {
  const actual = await importOriginal<typeof exports>();
  return { ...actual, planCsv: vi.fn(actual.planCsv), planXlsx: vi.fn(actual.planXlsx) };
});

const ADMIN = 'admin-token-for-tests-0123456789';

interface Board {
  readonly id: string;
  readonly tokens: Record<Role, string>;
}

describe('HTTP API limits', () => {
  let storage: SqliteStorage;
  let sync: SyncServer;

  beforeEach(() => {
    storage = SqliteStorage.open(':memory:');
    sync = new SyncServer({ storage });
    vi.mocked(exports.planCsv).mockClear();
    vi.mocked(exports.planXlsx).mockClear();
  });
  afterEach(async () => {
    vi.useRealTimers();
    await sync.close();
    await storage.close();
  });

  const appWith = (options: Partial<AppDeps> = {}) =>
    createApp({ storage, sync, adminToken: ADMIN, publicUrl: null, logger: createLogger('silent'), boardDist: null, ...options });

  const post = (app: ReturnType<typeof createApp>, path: string, token: string, body: unknown) =>
    app.request(`http://board.example${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const newBoard = async (app: ReturnType<typeof createApp>, title: string): Promise<Board> => {
    const res = await post(app, '/api/boards', ADMIN, { title, template: 'demo' });
    expect(res.status).toBe(201);
    return (await res.json()) as Board;
  };
  const duplicate = (app: ReturnType<typeof createApp>, board: Board, token: string) =>
    post(app, `/api/boards/${board.id}/duplicate`, token, { title: 'Copy' });

  it('[R13] a facilitator who spends its board budget stops neither the admin nor another board; copies of its board share it', async () => {
    const app = appWith({ boardsPerMinute: 3 });
    const a = await newBoard(app, 'A');
    const b = await newBoard(app, 'B'); // the admin has spent 2 of 3

    const copies: Board[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await duplicate(app, a, a.tokens.facilitator);
      expect(res.status).toBe(201);
      copies.push((await res.json()) as Board);
    }
    const refused = await duplicate(app, a, a.tokens.facilitator);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // A copy's facilitator spends the budget of the board it came from: no fresh budget by copying.
    expect((await duplicate(app, copies[0]!, copies[0]!.tokens.facilitator)).status).toBe(429);

    // The admin's budget is untouched, and so is another board's facilitator's.
    expect((await post(app, '/api/boards', ADMIN, { title: 'C', template: 'empty' })).status).toBe(201);
    expect((await duplicate(app, b, b.tokens.facilitator)).status).toBe(201);
    // Now the admin's own budget is spent, which in turn stops no facilitator.
    expect((await post(app, '/api/boards', ADMIN, { title: 'D', template: 'empty' })).status).toBe(429);
    expect((await duplicate(app, a, ADMIN)).status).toBe(429);
    expect((await duplicate(app, b, b.tokens.facilitator)).status).toBe(201);
    expect(await storage.listBoards()).toHaveLength(2 + 3 + 1 + 2);
  });

  it('[R13][R18] allows EXPORTS_PER_MINUTE exports per link (CSV, XLSX and PDF together), then 429 with Retry-After; other links go on', async () => {
    const app = appWith({ exportsPerMinute: 3 });
    const board = await newBoard(app, 'Igman');
    const exportAs = (format: 'csv' | 'xlsx' | 'pdf', token: string) => app.request(`/api/boards/${board.id}/export.${format}?token=${token}`);

    for (const format of ['csv', 'xlsx', 'pdf'] as const) expect((await exportAs(format, board.tokens.viewer)).status).toBe(200);
    const refused = await exportAs('xlsx', board.tokens.viewer);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(await refused.json()).toEqual({ error: expect.stringMatching(/too many exports/) });

    expect((await exportAs('csv', board.tokens.editor)).status).toBe(200);
    // A bad link is refused as before, never counted.
    expect((await exportAs('csv', 'not-a-link')).status).toBe(401);
  });

  it('[R18] renders an export once per board change: the same file until an update is stored, then the new plan', async () => {
    const app = appWith({ exportsPerMinute: 100 });
    const board = await newBoard(app, 'Igman');
    const csv = async () => {
      const res = await app.request(`/api/boards/${board.id}/export.csv?token=${board.tokens.viewer}`);
      expect(res.status).toBe(200);
      return res.text();
    };
    const xlsx = async () => new Uint8Array(await (await app.request(`/api/boards/${board.id}/export.xlsx?token=${board.tokens.editor}`)).arrayBuffer());

    const first = await csv();
    expect(await csv()).toBe(first);
    const [x1, x2] = [await xlsx(), await xlsx()];
    expect(x2).toEqual(x1);
    expect(exports.planCsv).toHaveBeenCalledTimes(1);
    expect(exports.planXlsx).toHaveBeenCalledTimes(1);

    // Any stored update is a new version of the board.
    const state = (await storage.loadState(board.id))!;
    const doc = new Y.Doc();
    applyStoredState(doc, state);
    const before = Y.encodeStateVector(doc);
    addActivity(doc, { title: 'Nova aktivnost iz testa' });
    await storage.appendUpdates([{ boardId: board.id, update: Y.encodeStateAsUpdate(doc, before) }]);
    doc.destroy();

    const changed = await csv();
    expect(changed).not.toBe(first);
    expect(changed).toContain('Nova aktivnost iz testa');
    expect(await csv()).toBe(changed);
    expect(exports.planCsv).toHaveBeenCalledTimes(2);
    await xlsx();
    expect(exports.planXlsx).toHaveBeenCalledTimes(2);
  });

  it('GET /readyz is 503 with the reason while the disk refuses writes, asking the disk at most every 5 s', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    let refusing = true;
    const checkWritable = vi.fn(async () => {
      if (refusing) throw Object.assign(new Error('attempt to write a readonly database at /secret/path'), { code: 'SQLITE_READONLY' });
    });
    const app = appWith({ checkWritable });

    for (let i = 0; i < 3; i++) {
      const res = await app.request('/readyz');
      expect(res.status).toBe(503);
      const text = await res.text();
      expect(JSON.parse(text)).toEqual({ status: 'storage refuses writes', reason: 'SQLITE_READONLY' });
      expect(text).not.toContain('/secret');
    }
    expect(checkWritable).toHaveBeenCalledTimes(1);

    refusing = false;
    vi.advanceTimersByTime(4_000);
    expect((await app.request('/readyz')).status).toBe(503); // still the cached answer
    vi.advanceTimersByTime(1_000);
    expect((await app.request('/readyz')).status).toBe(200);
    expect(checkWritable).toHaveBeenCalledTimes(2);
    // /healthz (alive) never asks the disk.
    expect((await app.request('/healthz')).status).toBe(200);
    expect(checkWritable).toHaveBeenCalledTimes(2);
  });
});
