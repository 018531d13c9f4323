/** The HTTP edge (Hono): health, the boards API and the built board app. */
import { timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { type Context, Hono } from 'hono';
import * as Y from 'yjs';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import { isRole, LIMITS, readBoard, ROLES, type Role } from '@tabla/plan-model';
import {
  type BoardStorage,
  type BoardTemplate,
  createBoard,
  generateToken,
  hashToken,
  type Logger,
  type SyncServer,
} from '@tabla/sync-server';
import type { Registry } from 'prom-client';
import { planCsv } from './export.js';

export interface AppDeps {
  readonly storage: BoardStorage;
  readonly sync: SyncServer;
  readonly adminToken: string;
  readonly publicUrl: string | null;
  readonly logger: Logger;
  /** The built board app (apps/board/dist); when missing, only the API is served. */
  readonly boardDist: string | null;
  readonly metrics?: Registry;
  /** New boards allowed per minute (the admin token is one key). */
  readonly boardsPerMinute?: number;
  /** False once shutting down: /readyz turns 503 so a balancer stops sending traffic. */
  readonly accepting?: () => boolean;
}

/** Equal secrets, compared in constant time (hashes have one length whatever the input). */
const sameSecret = (a: string, b: string) => timingSafeEqual(Buffer.from(hashToken(a), 'hex'), Buffer.from(hashToken(b), 'hex'));

export const boardPath = (id: string) => `/b/${encodeURIComponent(id)}`;

export const roleLink = (base: string, id: string, token: string) => `${base}${boardPath(id)}?token=${token}`;

export function roleLinks(base: string, id: string, tokens: Record<Role, string>): Record<Role, string> {
  return Object.fromEntries(ROLES.map((r) => [r, roleLink(base, id, tokens[r])])) as Record<Role, string>;
}

/** A sliding one-minute window: true while fewer than `limit` calls happened in the last 60 s. */
function perMinute(limit: number, now: () => number = Date.now) {
  const calls: number[] = [];
  return {
    take(): { ok: boolean; retryAfterSeconds: number } {
      const t = now();
      while (calls.length > 0 && calls[0]! <= t - 60_000) calls.shift();
      if (calls.length >= limit) return { ok: false, retryAfterSeconds: Math.ceil((calls[0]! + 60_000 - t) / 1000) };
      calls.push(t);
      return { ok: true, retryAfterSeconds: 0 };
    },
  };
}

const bearer = (header: string | undefined): string => (header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : '');

export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  const baseUrl = (requestUrl: string) => deps.publicUrl ?? new URL(requestUrl).origin;
  const boardCreation = perMinute(deps.boardsPerMinute ?? 30);
  const isAdmin = (header: string | undefined) => {
    const presented = bearer(header);
    return presented !== '' && sameSecret(presented, deps.adminToken);
  };

  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'", 'ws:', 'wss:'],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        frameAncestors: ["'none'"],
      },
      referrerPolicy: 'no-referrer',
      // Also served over plain http on a training room's LAN, where HSTS would only confuse.
      strictTransportSecurity: false,
    }),
  );

  app.get('/healthz', (c) => c.json({ status: 'ok', rooms: deps.sync.loadedRoomCount, connections: deps.sync.stats.connections }));

  /** Ready = storage answers and the server is not shutting down. */
  app.get('/readyz', async (c) => {
    if (deps.accepting && !deps.accepting()) return c.json({ status: 'shutting down' }, 503);
    try {
      await deps.storage.getBoard('readyz-probe');
      return c.json({ status: 'ready' });
    } catch {
      return c.json({ status: 'storage unavailable' }, 503);
    }
  });

  if (deps.metrics) {
    const registry = deps.metrics;
    app.get('/metrics', async (c) => c.body(await registry.metrics(), 200, { 'content-type': registry.contentType }));
  }

  /** A board's stored state as a document (everything stored is everything relayed). */
  const loadBoardDoc = async (id: string): Promise<Y.Doc | null> => {
    const state = await deps.storage.loadState(id);
    if (!state) return null;
    const doc = new Y.Doc();
    doc.transact(() => {
      if (state.snapshot) Y.applyUpdate(doc, state.snapshot);
      for (const update of state.updates) Y.applyUpdate(doc, update);
    });
    return doc;
  };

  const jsonBody = bodyLimit({ maxSize: 16 * 1024, onError: (c) => c.json({ error: 'body too large' }, 413) });
  const readBody = async (c: Context): Promise<{ title?: unknown; template?: unknown } | null> => {
    try {
      return ((await c.req.json()) ?? {}) as { title?: unknown; template?: unknown };
    } catch {
      return null;
    }
  };
  const titleProblem = (title: unknown): string | null =>
    typeof title !== 'string' || title.trim().length === 0 || title.length > LIMITS.title
      ? `title must be a non-empty string of at most ${LIMITS.title} characters`
      : null;

  /** Creates a board (rate-limited: counted only for valid requests, so a typo costs no slot) and answers with its links. */
  const respondWithNewBoard = async (c: Context, title: string, template: BoardTemplate, logAs: string) => {
    const slot = boardCreation.take();
    if (!slot.ok) {
      c.header('retry-after', String(slot.retryAfterSeconds));
      return c.json({ error: `too many new boards; try again in ${slot.retryAfterSeconds} s` }, 429);
    }
    const { board, tokens } = await createBoard(deps.storage, { title, template });
    deps.logger.info({ boardId: board.id, template: logAs }, 'board created');
    return c.json({ id: board.id, title: board.title, tokens, links: roleLinks(baseUrl(c.req.url), board.id, tokens) }, 201);
  };

  app.post('/api/boards', jsonBody, async (c) => {
    if (!isAdmin(c.req.header('authorization'))) return c.json({ error: 'admin token required' }, 401);
    const body = await readBody(c);
    if (!body) return c.json({ error: 'body must be JSON: {"title": string, "template": "empty" | "demo"}' }, 400);
    const { title, template = 'empty' } = body;
    const problem = titleProblem(title);
    if (problem) return c.json({ error: problem }, 400);
    if (template !== 'empty' && template !== 'demo') return c.json({ error: 'template must be "empty" or "demo"' }, 400);
    return respondWithNewBoard(c, title as string, template, template);
  });

  /** A board as the template for the next training (its municipalities and lanes), by its facilitator or the admin. */
  app.post('/api/boards/:id/duplicate', jsonBody, async (c) => {
    const id = c.req.param('id');
    const authorization = c.req.header('authorization');
    const presented = bearer(authorization);
    const allowed = isAdmin(authorization) || (presented !== '' && (await deps.sync.authorize(id, presented)) === 'facilitator');
    if (!allowed) return c.json({ error: "the admin token or this board's facilitator token is required" }, 401);
    const body = await readBody(c);
    if (!body) return c.json({ error: 'body must be JSON: {"title": string}' }, 400);
    const problem = titleProblem(body.title);
    if (problem) return c.json({ error: problem }, 400);
    const source = await loadBoardDoc(id);
    if (!source) return c.json({ error: 'no such board' }, 404);
    try {
      return await respondWithNewBoard(c, body.title as string, { copyOf: source }, 'copy');
    } finally {
      source.destroy();
    }
  });

  /** The plan as CSV, for any role's link (everyone may read the plan). */
  app.get('/api/boards/:id/export.csv', async (c) => {
    const id = c.req.param('id');
    if (!(await deps.sync.authorize(id, c.req.query('token')))) return c.json({ error: 'this link is not valid' }, 401);
    const doc = await loadBoardDoc(id);
    if (!doc) return c.json({ error: 'this link is not valid' }, 401);
    const csv = planCsv(readBoard(doc));
    doc.destroy();
    return c.body(csv, 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="plan-${id}.csv"`,
      'cache-control': 'no-store',
    });
  });

  /** What a link grants: the board app asks this to adapt its controls (the server enforces roles anyway). */
  app.get('/api/boards/:id/access', async (c) => {
    const role = await deps.sync.authorize(c.req.param('id'), c.req.query('token'));
    if (!role) return c.json({ error: 'this link is not valid' }, 401);
    return c.json({ boardId: c.req.param('id'), role });
  });

  /**
   * Rotate (POST: a new link, returned) or revoke (DELETE: no working link) a role's
   * link. Allowed with the admin token or the board's facilitator token. Sessions that
   * used the old link are disconnected.
   */
  const replaceLink = async (boardId: string, roleParam: string, authorization: string | undefined) => {
    if (!isRole(roleParam)) return { status: 404 as const, body: { error: 'role must be facilitator, editor or viewer' } };
    const presented = bearer(authorization);
    const allowed = isAdmin(authorization) || (presented !== '' && (await deps.sync.authorize(boardId, presented)) === 'facilitator');
    if (!allowed) return { status: 401 as const, body: { error: "the admin token or this board's facilitator token is required" } };
    if (!(await deps.storage.getBoard(boardId))) return { status: 404 as const, body: { error: 'no such board' } };
    const token = generateToken();
    await deps.storage.replaceToken(boardId, { role: roleParam, tokenHash: hashToken(token) });
    const disconnected = deps.sync.disconnectRole(boardId, roleParam);
    deps.logger.info({ boardId, role: roleParam, disconnected }, 'link replaced');
    return { status: 200 as const, token, role: roleParam };
  };

  app.post('/api/boards/:id/links/:role', async (c) => {
    const result = await replaceLink(c.req.param('id'), c.req.param('role'), c.req.header('authorization'));
    if (result.status !== 200) return c.json(result.body, result.status);
    const id = c.req.param('id');
    return c.json({ role: result.role, token: result.token, link: roleLink(baseUrl(c.req.url), id, result.token) });
  });

  app.delete('/api/boards/:id/links/:role', async (c) => {
    const result = await replaceLink(c.req.param('id'), c.req.param('role'), c.req.header('authorization'));
    if (result.status !== 200) return c.json(result.body, result.status);
    return c.body(null, 204); // the new token is thrown away: nobody holds a working link for this role
  });

  /** The server's clock, for countdowns everyone sees alike (each client corrects its own offset). */
  app.get('/api/time', (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json({ now: Date.now() });
  });

  app.all('/api/*', (c) => c.json({ error: 'not found' }, 404));

  const dist = deps.boardDist;
  if (dist && existsSync(join(dist, 'index.html'))) {
    app.use('/assets/*', serveStatic({ root: dist }));
    app.use('/favicon.svg', serveStatic({ root: dist }));
    // The board's service worker (app shell offline): revalidated on every check, so a new
    // version of it (and with it of the cached app) is picked up at once.
    app.use('/sw.js', serveStatic({ root: dist, onFound: (_path, c) => c.header('Cache-Control', 'no-cache') }));
    // Every other page is the single-page board app; it reads the board id and token from the URL.
    app.get('*', serveStatic({ root: dist, rewriteRequestPath: () => '/index.html' }));
  }
  return app;
}
