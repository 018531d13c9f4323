/** The HTTP edge (Hono): health, the boards API and the built board app. */
import { timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import * as Y from 'yjs';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import { type BoardView, isRole, LIMITS, type MunicipalityId, readBoard, ROLES, type Role } from '@tabla/plan-model';
import {
  type Access,
  type BoardStorage,
  type FanoutStatus,
  generateToken,
  hashToken,
  loadStoredState,
  type Logger,
  type SyncServer,
} from '@tabla/sync-server';
import type { Registry } from 'prom-client';
import { backupApp } from './backup.js';
import { type BoardTemplate, createBoard } from './boards.js';
import { RenderCache } from './export-cache.js';
import { isLang } from '@tabla/plan-export';
import { PDF_CONTENT_TYPE, planCsv, planPdf, planXlsx, XLSX_CONTENT_TYPE } from './export.js';
import { slidingWindowLimiter } from './rate-limit.js';
import { versionRoutes } from './versions.js';

export interface AppDeps {
  readonly storage: BoardStorage;
  readonly sync: SyncServer;
  readonly adminToken: string;
  readonly publicUrl: string | null;
  readonly logger: Logger;
  /** The built board app (apps/board/dist); when missing, only the API is served. */
  readonly boardDist: string | null;
  readonly metrics?: Registry;
  /** New boards allowed per minute, per caller: the admin, and each board's facilitator. */
  readonly boardsPerMinute?: number;
  /** Exports allowed per minute, per link token. */
  readonly exportsPerMinute?: number;
  /** Rejects when the disk refuses writes (e.g. `SqliteStorage.checkWritable`); /readyz asks it. */
  readonly checkWritable?: () => Promise<void>;
  /** False once shutting down: /readyz turns 503 so a balancer stops sending traffic. */
  readonly accepting?: () => boolean;
  /**
   * With several instances (REDIS_URL): the state of the pipe between them, reported by /readyz.
   * Redis down leaves the instance ready: writes still commit to PostgreSQL and reach the other
   * instances through their periodic check, seconds later instead of at once.
   */
  readonly fanout?: () => FanoutStatus;
}

/** Equal secrets, compared in constant time (hashes have one length whatever the input). */
const sameSecret = (a: string, b: string) => timingSafeEqual(Buffer.from(hashToken(a), 'hex'), Buffer.from(hashToken(b), 'hex'));

export const boardPath = (id: string) => `/b/${encodeURIComponent(id)}`;

export const roleLink = (base: string, id: string, token: string) => `${base}${boardPath(id)}?token=${token}`;

export function roleLinks(base: string, id: string, tokens: Record<Role, string>): Record<Role, string> {
  return Object.fromEntries(ROLES.map((r) => [r, roleLink(base, id, tokens[r])])) as Record<Role, string>;
}

/** How long /readyz reuses the disk's answer: it is public, and each probe costs two fsyncs. */
const WRITABLE_CHECK_TTL_MS = 5_000;

/** `check`, asked at most once per `ttlMs`: callers within that share the last answer (or the one in flight). */
function cachedCheck(check: () => Promise<void>, ttlMs: number, now: () => number = Date.now): () => Promise<void> {
  let last: { at: number; answer: Promise<void> } | null = null;
  return () => {
    if (!last || now() - last.at >= ttlMs) {
      const answer = check();
      answer.catch(() => {}); // a refusal is answered to each caller; never unhandled while cached
      last = { at: now(), answer };
    }
    return last.answer;
  };
}

/** A stored version as `storage.getVersion` answers (when the storage keeps versions). */
interface StoredVersionLike {
  readonly name: string;
  readonly createdAt: number | string;
  readonly snapshot: Uint8Array;
}
type VersionGetter = (boardId: string, versionId: string) => Promise<StoredVersionLike | null>;

class NoSuchVersion extends Error {}

const bearer = (header: string | undefined): string => (header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : '');

export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  const baseUrl = (requestUrl: string) => deps.publicUrl ?? new URL(requestUrl).origin;
  const boardCreation = slidingWindowLimiter(deps.boardsPerMinute ?? 30);
  const exportsByLink = slidingWindowLimiter(deps.exportsPerMinute ?? 10);
  const csvCache = new RenderCache<string>();
  const xlsxCache = new RenderCache<Uint8Array<ArrayBuffer>>();
  const pdfCache = new RenderCache<Uint8Array<ArrayBuffer>>(32);
  const writable = deps.checkWritable ? cachedCheck(deps.checkWritable, WRITABLE_CHECK_TTL_MS) : null;

  const isAdmin = (header: string | undefined) => {
    const presented = bearer(header);
    return presented !== '' && sameSecret(presented, deps.adminToken);
  };
  type Caller = 'admin' | 'facilitator';
  /** The admin token or this board's facilitator token: who may copy a board and manage its links. */
  const adminOrFacilitator = async (boardId: string, header: string | undefined): Promise<Caller | null> => {
    if (isAdmin(header)) return 'admin';
    const presented = bearer(header);
    return presented !== '' && (await deps.sync.authorize(boardId, presented))?.role === 'facilitator' ? 'facilitator' : null;
  };
  const isAdminOrFacilitator = async (boardId: string, header: string | undefined) => (await adminOrFacilitator(boardId, header)) !== null;

  /**
   * Whose budget pays for new boards copied by a facilitator, by the copy's id: the budget of the
   * board it was copied from. Else the facilitator of each copy would have a fresh budget, and a
   * chain of copies no limit at all. (In memory, like the budgets themselves.)
   */
  const copiedWithBudget = new Map<string, string>();
  /** The admin has one budget; a board's facilitator spends its board's (or what its board was copied with). */
  const boardCreationBudget = (caller: Caller, boardId: string) =>
    caller === 'admin' ? 'admin' : (copiedWithBudget.get(boardId) ?? `board:${boardId}`);
  const ADMIN_OR_FACILITATOR = "the admin token or this board's facilitator token is required";

  /**
   * `link` if it is this board's read-only link (see the PDF route), else null. Any http(s) origin:
   * one server is reached by several addresses (localhost, the LAN, PUBLIC_URL), and the file goes
   * only to whoever asked, who holds a working link of this board anyway.
   */
  const readOnlyLink = async (boardId: string, link: string | undefined): Promise<string | null> => {
    if (!link || link.length > 2048) return null;
    let url: URL;
    try {
      url = new URL(link);
    } catch {
      return null;
    }
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.pathname !== boardPath(boardId)) return null;
    const token = url.searchParams.get('token');
    if (!token || (await deps.sync.authorize(boardId, token))?.role !== 'viewer') return null;
    return url.href;
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

  /** Ready = storage answers, the disk takes writes (asked at most every few seconds) and the server is not shutting down. */
  app.get('/readyz', async (c) => {
    if (deps.accepting && !deps.accepting()) return c.json({ status: 'shutting down' }, 503);
    try {
      await deps.storage.getBoard('readyz-probe');
    } catch {
      return c.json({ status: 'storage unavailable' }, 503);
    }
    try {
      await writable?.();
    } catch (err) {
      // The code only (e.g. SQLITE_READONLY, ENOSPC): anyone may ask, and a message can name paths.
      const code = (err as { code?: unknown } | null)?.code;
      deps.logger.error({ err: String(err) }, 'storage refuses writes');
      return c.json({ status: 'storage refuses writes', reason: typeof code === 'string' ? code : 'write failed' }, 503);
    }
    const fanout = deps.fanout?.();
    if (!fanout || fanout.state === 'disabled') return c.json({ status: 'ready' });
    // Counts only: anyone may ask, and Redis's own messages can name hosts.
    return c.json({ status: 'ready', redis: fanout.state, unpublished: fanout.unpublished });
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
    await loadStoredState(doc, state); // in slices: a long log does not stall the boards being edited
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

  /**
   * Creates a board (rate-limited per `budget`, see `boardCreationBudget`: counted only for valid
   * requests, so a typo costs no slot) and answers with its links. `onCreated` sees the new id.
   */
  const respondWithNewBoard = async (
    c: Context,
    title: string,
    template: BoardTemplate,
    logAs: string,
    budget: string,
    onCreated?: (boardId: string) => void,
  ) => {
    const slot = boardCreation.take(budget);
    if (!slot.ok) {
      c.header('retry-after', String(slot.retryAfterSeconds));
      return c.json({ error: `too many new boards; try again in ${slot.retryAfterSeconds} s` }, 429);
    }
    const { board, tokens } = await createBoard(deps.storage, { title, template });
    onCreated?.(board.id);
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
    return respondWithNewBoard(c, title as string, template, template, boardCreationBudget('admin', ''));
  });

  /** A board as the template for the next training (its municipalities and lanes), by its facilitator or the admin. */
  app.post('/api/boards/:id/duplicate', jsonBody, async (c) => {
    const id = c.req.param('id');
    const caller = await adminOrFacilitator(id, c.req.header('authorization'));
    if (!caller) return c.json({ error: ADMIN_OR_FACILITATOR }, 401);
    const body = await readBody(c);
    if (!body) return c.json({ error: 'body must be JSON: {"title": string}' }, 400);
    const problem = titleProblem(body.title);
    if (problem) return c.json({ error: problem }, 400);
    const source = await loadBoardDoc(id);
    if (!source) return c.json({ error: 'no such board' }, 404);
    try {
      const budget = boardCreationBudget(caller, id);
      // A facilitator's copy keeps spending the budget its board spends; the admin's copies start their own.
      const onCreated = caller === 'facilitator' ? (copyId: string) => copiedWithBudget.set(copyId, budget) : undefined;
      return await respondWithNewBoard(c, body.title as string, { copyOf: source }, 'copy', budget, onCreated);
    } finally {
      source.destroy();
    }
  });

  type Exported<T> = { readonly ok: true; readonly body: T } | { readonly ok: false; readonly response: Response };

  /**
   * A board's plan through `write`, for any role's link (everyone may read the plan): 401 alike for
   * a bad link and an unknown board, 429 over the link's exports per minute. A rendering is reused
   * until the board changes (`RenderCache`), so a link asking again costs one storage read.
   */
  const exportPlan = async <T>(
    c: Context,
    cache: RenderCache<T>,
    write: (board: BoardView) => T | Promise<T>,
    variant?: { readonly key: string; readonly load?: () => Promise<{ readonly doc: Y.Doc } | null> },
  ): Promise<Exported<T>> => {
    const id = c.req.param('id')!;
    const token = c.req.query('token');
    const invalid = (): Exported<T> => ({ ok: false, response: c.json({ error: 'this link is not valid' }, 401) });
    if (!token || !(await deps.sync.authorize(id, token))) return invalid();
    // Per link, by its hash (no plain token kept as a key); after the link check, so a bad link costs no budget.
    const slot = exportsByLink.take(hashToken(token));
    if (!slot.ok) {
      c.header('retry-after', String(slot.retryAfterSeconds));
      return { ok: false, response: c.json({ error: `too many exports; try again in ${slot.retryAfterSeconds} s` }, 429) };
    }
    const cacheKey = variant ? `${id}\u0000${variant.key}` : id;
    if (variant?.load) {
      // A stored version never changes: one rendering per version (and variant).
      const body = await cache.get(cacheKey, 0, async () => {
        const loaded = await variant.load!();
        if (!loaded) throw new NoSuchVersion();
        try {
          return await write(readBoard(loaded.doc));
        } finally {
          loaded.doc.destroy();
        }
      }).catch((err: unknown) => (err instanceof NoSuchVersion ? null : Promise.reject(err)));
      if (body === null) return { ok: false, response: c.json({ error: 'no such version' }, 404) };
      return { ok: true, body };
    }
    const state = await deps.storage.loadState(id);
    if (!state) return invalid();
    const body = await cache.get(cacheKey, state.lastSeq, async () => {
      const doc = new Y.Doc();
      try {
        await loadStoredState(doc, state);
        return await write(readBoard(doc));
      } finally {
        doc.destroy();
      }
    });
    return { ok: true, body };
  };

  /** The plan as CSV. */
  app.get('/api/boards/:id/export.csv', async (c) => {
    const id = c.req.param('id');
    const csv = await exportPlan(c, csvCache, planCsv);
    if (!csv.ok) return csv.response;
    return c.body(csv.body, 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="plan-${id}.csv"`,
      'cache-control': 'no-store',
    });
  });

  /** The plan as an Excel workbook. */
  app.get('/api/boards/:id/export.xlsx', async (c) => {
    const id = c.req.param('id');
    const xlsx = await exportPlan(c, xlsxCache, planXlsx);
    if (!xlsx.ok) return xlsx.response;
    return c.body(xlsx.body, 200, {
      'content-type': XLSX_CONTENT_TYPE,
      'content-disposition': `attachment; filename="plan-${id}.xlsx"`,
      'cache-control': 'no-store',
    });
  });

  /**
   * The official plan document as PDF (`lang`: bs, sr-Cyrl-BA or en; default bs), of the live
   * plan or of a stored version (`version`, when the storage keeps versions). `link`: the live
   * board's read-only link, printed as a QR code. The server cannot know a viewer link by
   * itself (tokens are stored hashed), so the board passes the one it has (the wall's, or a
   * viewer's own); it is used only when it is an http(s) URL at /b/<this board> whose token is a
   * working viewer token of this board. Anything else: no QR code (never an editing link on paper).
   */
  app.get('/api/boards/:id/export.pdf', async (c) => {
    const id = c.req.param('id');
    const langParam = c.req.query('lang') ?? 'bs';
    if (!isLang(langParam)) return c.json({ error: 'lang must be bs, sr-Cyrl-BA or en' }, 400);
    const lang = langParam;
    const link = await readOnlyLink(id, c.req.query('link'));
    const reportParam = c.req.query('report') ?? 'plan';
    if (reportParam !== 'plan' && reportParam !== 'progress') return c.json({ error: 'report must be plan or progress' }, 400);
    const report = reportParam;
    const versionId = c.req.query('version');
    const today = new Date();
    const day = today.toISOString().slice(0, 10);
    let versionName: string | null = null;
    let versionDate: Date | null = null;
    const getVersion = (deps.storage as { getVersion?: unknown }).getVersion;
    const load =
      versionId === undefined
        ? undefined
        : async () => {
            if (typeof getVersion !== 'function') return null;
            const version = (await (getVersion as VersionGetter).call(deps.storage, id, versionId)) as StoredVersionLike | null;
            if (!version) return null;
            versionName = version.name;
            versionDate = new Date(version.createdAt);
            const doc = new Y.Doc();
            Y.applyUpdate(doc, version.snapshot);
            return { doc };
          };
    const pdf = await exportPlan(
      c,
      pdfCache,
      (board) => planPdf(board, { lang, link, versionName, date: versionDate ?? today, report }),
      // The live plan's document carries today's date: a new day, a new rendering.
      { key: `pdf\u0000${report}\u0000${lang}\u0000${versionId ?? ''}\u0000${link ?? ''}\u0000${versionId === undefined ? day : ''}`, ...(load ? { load } : {}) },
    );
    if (!pdf.ok) return pdf.response;
    const suffix = versionId === undefined ? '' : `-${versionId.replace(/[^\w-]/g, '_')}`;
    return c.body(pdf.body, 200, {
      'content-type': PDF_CONTENT_TYPE,
      'content-disposition': `attachment; filename="${report === 'progress' ? 'napredak' : 'plan'}-${id}${suffix}-${lang}.pdf"`,
      'cache-control': 'no-store',
    });
  });

  /** Versions: list and snapshots for any link, saving for the facilitator (versions.ts). */
  app.route('/api/boards', versionRoutes({ storage: deps.storage, sync: deps.sync }));

  /**
   * What a link grants: the board app asks this to adapt its controls (the server enforces roles
   * anyway). `municipalityId`: the municipality a coordinator link is bound to, null for a general link.
   */
  app.get('/api/boards/:id/access', async (c) => {
    const access = await deps.sync.authorize(c.req.param('id'), c.req.query('token'));
    if (!access) return c.json({ error: 'this link is not valid' }, 401);
    return c.json({ boardId: c.req.param('id'), role: access.role, municipalityId: access.municipalityId });
  });

  /** Which links of a board work (tokens are stored hashed, so only whether, and since when). */
  app.get('/api/boards/:id/links', async (c) => {
    const id = c.req.param('id');
    if (!(await isAdminOrFacilitator(id, c.req.header('authorization')))) return c.json({ error: ADMIN_OR_FACILITATOR }, 401);
    if (!(await deps.storage.getBoard(id))) return c.json({ error: 'no such board' }, 404);
    const records = await deps.storage.getTokens(id);
    c.header('Cache-Control', 'no-store');
    return c.json({
      roles: Object.fromEntries(ROLES.map((role) => [role, records.some((t) => t.role === role && t.municipalityId === undefined)])),
      // fromEntries defines own properties, so even an id like "__proto__" is listed as itself.
      municipalities: Object.fromEntries(
        records.flatMap((t) => (t.municipalityId === undefined ? [] : [[t.municipalityId, { issuedAt: t.createdAt ?? null }]])),
      ),
    });
  });

  type LinkChange =
    | { readonly ok: false; readonly status: 401 | 404; readonly error: string }
    | { readonly ok: true; readonly token: string | null };

  /**
   * Issues (a new token, returned) or revokes (no working token) one link of a board: a role's
   * general link (`municipalityId` null) or one municipality's coordinator link. Allowed with the
   * admin token or the board's facilitator token. Sessions that used the old link are
   * disconnected; other links and their sessions stay (see `SyncServer.disconnect`).
   */
  const changeLink = async (boardId: string, authorization: string | undefined, target: Access, action: 'issue' | 'revoke'): Promise<LinkChange> => {
    if (!(await isAdminOrFacilitator(boardId, authorization))) return { ok: false, status: 401, error: ADMIN_OR_FACILITATOR };
    const { role, municipalityId } = target;
    if (municipalityId === null) {
      if (!(await deps.storage.getBoard(boardId))) return { ok: false, status: 404, error: 'no such board' };
    } else {
      const doc = await loadBoardDoc(boardId);
      if (!doc) return { ok: false, status: 404, error: 'no such board' };
      const onBoard = readBoard(doc).municipalityById.has(municipalityId as MunicipalityId);
      doc.destroy();
      // A link issued before its municipality was removed from the board can still be revoked.
      const orphan =
        !onBoard && action === 'revoke' && (await deps.storage.getTokens(boardId)).some((t) => t.role === role && t.municipalityId === municipalityId);
      if (!onBoard && !orphan) return { ok: false, status: 404, error: 'no such municipality' };
    }
    const bound = municipalityId ?? undefined;
    let token: string | null = null;
    if (action === 'issue') {
      token = generateToken();
      await deps.storage.replaceToken(boardId, { role, tokenHash: hashToken(token), municipalityId: bound });
    } else {
      await deps.storage.revokeToken(boardId, role, bound);
    }
    const disconnected = deps.sync.disconnect(boardId, role, municipalityId);
    deps.logger.info({ boardId, role, municipalityId, disconnected }, action === 'issue' ? 'link replaced' : 'link revoked');
    return { ok: true, token };
  };

  /** Answers a link change: 200 with the new link, 204 for a revoke, or the refusal. */
  const respondWithLink = async (c: Context, boardId: string, target: Access, action: 'issue' | 'revoke') => {
    const result = await changeLink(boardId, c.req.header('authorization'), target, action);
    if (!result.ok) return c.json({ error: result.error }, result.status);
    if (result.token === null) return c.body(null, 204);
    const { role, municipalityId } = target;
    const link = roleLink(baseUrl(c.req.url), boardId, result.token);
    return c.json(municipalityId === null ? { role, token: result.token, link } : { role, municipalityId, token: result.token, link });
  };

  /** A role's general link (`/links/:role`). */
  const generalLink = (action: 'issue' | 'revoke') => async (c: Context<object, '/api/boards/:id/links/:role'>) => {
    const role = c.req.param('role');
    if (!isRole(role)) return c.json({ error: 'role must be facilitator, editor or viewer' }, 404);
    return respondWithLink(c, c.req.param('id'), { role, municipalityId: null }, action);
  };
  /** One municipality's coordinator link (`/links/editor/:municipalityId`): it must be on the board. */
  const municipalityLink =
    (action: 'issue' | 'revoke') => async (c: Context<object, '/api/boards/:id/links/editor/:municipalityId'>) => {
      const municipalityId = c.req.param('municipalityId');
      if (municipalityId.length > LIMITS.id) return c.json({ error: `municipality id must be at most ${LIMITS.id} characters` }, 400);
      return respondWithLink(c, c.req.param('id'), { role: 'editor', municipalityId }, action);
    };
  // POST issues a new link (returned), DELETE leaves none working.
  app.post('/api/boards/:id/links/:role', generalLink('issue'));
  app.delete('/api/boards/:id/links/:role', generalLink('revoke'));
  app.post('/api/boards/:id/links/editor/:municipalityId', municipalityLink('issue'));
  app.delete('/api/boards/:id/links/editor/:municipalityId', municipalityLink('revoke'));

  /** The server's clock, for countdowns everyone sees alike (each client corrects its own offset). */
  app.get('/api/time', (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json({ now: Date.now() });
  });

  // Backup (facilitator or admin) and import (admin): their own sub-app.
  app.route(
    '/',
    backupApp({
      storage: deps.storage,
      sync: deps.sync,
      logger: deps.logger,
      isAdmin,
      takeBoardSlot: () => boardCreation.take(boardCreationBudget('admin', '')),
      newBoardAnswer: (url, id, title, tokens) => ({ id, title, tokens, links: roleLinks(baseUrl(url), id, tokens) }),
    }),
  );

  app.all('/api/*', (c) => c.json({ error: 'not found' }, 404));

  const dist = deps.boardDist;
  if (dist && existsSync(join(dist, 'index.html'))) {
    // The build writes x.br and x.gz beside each text file (apps/board/vite.config.ts): served by
    // Accept-Encoding, compressed once rather than per request. Every answer varies by it, the
    // uncompressed one too, so a shared cache never hands brotli to a client that did not ask.
    // The headers go on the response it returns: headers set in its `onFound` are lost (that
    // response replaces the context's).
    const built = (cacheControl: string | null, rewriteRequestPath?: () => string): MiddlewareHandler => {
      const serve = serveStatic({ root: dist, precompressed: true, rewriteRequestPath });
      return async (c, next) => {
        const found = await serve(c, next);
        if (found) {
          found.headers.set('Vary', 'Accept-Encoding');
          if (cacheControl) found.headers.set('Cache-Control', cacheControl);
        }
        return found;
      };
    };
    // Content-hashed names: a name never changes content. A missing asset falls through to the
    // page below, which is not cached.
    app.use('/assets/*', built('public, max-age=31536000, immutable'));
    app.use('/favicon.svg', built(null));
    // The board's service worker (app shell offline): revalidated on every check, so a new
    // version of it (and with it of the cached app) is picked up at once.
    app.use('/sw.js', built('no-cache'));
    // Every other page is the single-page board app; it reads the board id and token from the URL.
    app.get('*', built(null, () => '/index.html'));
  }
  return app;
}
