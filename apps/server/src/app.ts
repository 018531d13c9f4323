/** The HTTP edge (Hono): health, the boards API and the built board app. */
import { createHash, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import { LIMITS, ROLES, type Role } from '@tabla/plan-model';
import { type BoardStorage, type BoardTemplate, createBoard, type Logger, type SyncServer } from '@tabla/sync-server';

export interface AppDeps {
  readonly storage: BoardStorage;
  readonly sync: SyncServer;
  readonly adminToken: string;
  readonly publicUrl: string | null;
  readonly logger: Logger;
  /** The built board app (apps/board/dist); when missing, only the API is served. */
  readonly boardDist: string | null;
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest();
const sameSecret = (a: string, b: string) => timingSafeEqual(sha256(a), sha256(b));

export const boardPath = (id: string) => `/b/${encodeURIComponent(id)}`;

export function roleLinks(base: string, id: string, tokens: Record<Role, string>): Record<Role, string> {
  return Object.fromEntries(ROLES.map((r) => [r, `${base}${boardPath(id)}?token=${tokens[r]}`])) as Record<Role, string>;
}

export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  const baseUrl = (requestUrl: string) => deps.publicUrl ?? new URL(requestUrl).origin;

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

  app.post('/api/boards', bodyLimit({ maxSize: 16 * 1024, onError: (c) => c.json({ error: 'body too large' }, 413) }), async (c) => {
    const auth = c.req.header('authorization') ?? '';
    const presented = auth.startsWith('Bearer ') ? auth.slice('Bearer '.length) : '';
    if (!presented || !sameSecret(presented, deps.adminToken)) return c.json({ error: 'admin token required' }, 401);

    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: 'body must be JSON: {"title": string, "template": "empty" | "demo"}' }, 400);
    }
    const { title, template = 'empty' } = (body ?? {}) as { title?: unknown; template?: unknown };
    if (typeof title !== 'string' || title.trim().length === 0 || title.length > LIMITS.title) {
      return c.json({ error: `title must be a non-empty string of at most ${LIMITS.title} characters` }, 400);
    }
    if (template !== 'empty' && template !== 'demo') return c.json({ error: 'template must be "empty" or "demo"' }, 400);

    const { board, tokens } = await createBoard(deps.storage, { title, template: template as BoardTemplate });
    deps.logger.info({ boardId: board.id, template }, 'board created');
    return c.json(
      { id: board.id, title: board.title, tokens, links: roleLinks(baseUrl(c.req.url), board.id, tokens) },
      201,
    );
  });

  /** What a link grants: the board app asks this to adapt its controls (the server enforces roles anyway). */
  app.get('/api/boards/:id/access', async (c) => {
    const role = await deps.sync.authorize(c.req.param('id'), c.req.query('token'));
    if (!role) return c.json({ error: 'this link is not valid' }, 401);
    return c.json({ boardId: c.req.param('id'), role });
  });

  app.all('/api/*', (c) => c.json({ error: 'not found' }, 404));

  const dist = deps.boardDist;
  if (dist && existsSync(join(dist, 'index.html'))) {
    app.use('/assets/*', serveStatic({ root: dist }));
    app.use('/favicon.svg', serveStatic({ root: dist }));
    // Every other page is the single-page board app; it reads the board id and token from the URL.
    app.get('*', serveStatic({ root: dist, rewriteRequestPath: () => '/index.html' }));
  }
  return app;
}
