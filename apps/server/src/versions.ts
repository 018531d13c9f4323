/**
 * Versions of a board over HTTP (mounted by app.ts under /api/boards), and saving one: a named
 * snapshot of the live board, kept beside the log (`DocumentLog.saveVersion`). Any link lists
 * them and reads a snapshot; only the facilitator's link saves one. Restoring is done by the
 * facilitator's board (plan-model `restoreVersion`, a forward change sent like any edit), so the
 * server's write policy judges it and the facilitator can undo it.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import * as Y from 'yjs';
import { randomId, readBoard, roots, summarizeBoard } from '@tabla/plan-model';
import type { BoardStorage, StoredVersion, SyncServer, VersionRecord } from '@tabla/sync-server';
import { slidingWindowLimiter } from './rate-limit.js';

/** A version's name: trimmed, 1..120 characters. Who saved it: the same bound. */
export const VERSION_NAME_MAX = 120;

export interface VersionDeps {
  readonly storage: BoardStorage;
  readonly sync: Pick<SyncServer, 'authorize' | 'currentState'>;
  readonly now?: () => number;
  /** Versions a board's facilitator may save per minute (automatic ones are bounded apart). */
  readonly savesPerMinute?: number;
}

export interface NewVersion {
  readonly name: string;
  readonly by: string;
  readonly auto: boolean;
  /**
   * A given id (automatic versions: the same on every instance, `autoVersionId`): when the board
   * already has a version of that id, nothing is saved and that version is the answer.
   */
  readonly id?: string;
}

/**
 * Saves a version of the board as it is now (the loaded room's document, or the stored state):
 * its snapshot and a one-line summary. Null for an unknown board.
 */
export async function saveBoardVersion(deps: VersionDeps, boardId: string, version: NewVersion): Promise<VersionRecord | null> {
  const existing = version.id === undefined ? null : await deps.storage.getVersion(boardId, version.id);
  if (existing) return withoutSnapshot(existing);
  const snapshot = await deps.sync.currentState(boardId);
  if (!snapshot) return null;
  const doc = new Y.Doc();
  let summary: string;
  try {
    roots(doc);
    Y.applyUpdate(doc, snapshot);
    summary = summarizeBoard(readBoard(doc));
  } finally {
    doc.destroy();
  }
  const record: VersionRecord = {
    id: version.id ?? `v_${randomId()}`,
    name: version.name,
    createdAt: (deps.now ?? Date.now)(),
    by: version.by,
    auto: version.auto,
    summary,
  };
  try {
    await deps.storage.saveVersion(boardId, { ...record, snapshot });
  } catch (err) {
    // Another instance saved the same automatic version a moment before: that one stands.
    const raced = version.id === undefined ? null : await deps.storage.getVersion(boardId, version.id);
    if (raced) return withoutSnapshot(raced);
    throw err;
  }
  return record;
}

function withoutSnapshot({ snapshot: _snapshot, ...record }: StoredVersion): VersionRecord {
  return record;
}

const invalidLink = { error: 'this link is not valid' } as const;

export function versionRoutes(deps: VersionDeps): Hono {
  const app = new Hono();
  const saves = slidingWindowLimiter(deps.savesPerMinute ?? 30);
  const body = bodyLimit({ maxSize: 4 * 1024, onError: (c) => c.json({ error: 'body too large' }, 413) });

  /** Every version of the board, newest first, without snapshots. Any link. */
  app.get('/:id/versions', async (c) => {
    const id = c.req.param('id');
    if (!(await deps.sync.authorize(id, c.req.query('token')))) return c.json(invalidLink, 401);
    c.header('cache-control', 'no-store');
    return c.json(await deps.storage.listVersions(id));
  });

  /** Saves the board as it is now under a name. The facilitator's link only. */
  app.post('/:id/versions', body, async (c) => {
    const id = c.req.param('id');
    const access = await deps.sync.authorize(id, c.req.query('token'));
    if (!access) return c.json(invalidLink, 401);
    if (access.role !== 'facilitator') return c.json({ error: 'only the facilitator saves versions' }, 403);
    let input: { name?: unknown; by?: unknown };
    try {
      input = ((await c.req.json()) ?? {}) as { name?: unknown; by?: unknown };
    } catch {
      return c.json({ error: 'body must be JSON: {"name": string, "by"?: string}' }, 400);
    }
    const name = typeof input.name === 'string' ? input.name.trim() : '';
    if (name.length === 0 || name.length > VERSION_NAME_MAX) {
      return c.json({ error: `name must be a string of 1 to ${VERSION_NAME_MAX} characters (after trimming spaces)` }, 400);
    }
    if (input.by !== undefined && typeof input.by !== 'string') return c.json({ error: 'by must be a string' }, 400);
    const by = (input.by ?? '').trim().slice(0, VERSION_NAME_MAX);
    const slot = saves.take(id);
    if (!slot.ok) {
      c.header('retry-after', String(slot.retryAfterSeconds));
      return c.json({ error: `too many versions saved; try again in ${slot.retryAfterSeconds} s` }, 429);
    }
    const record = await saveBoardVersion(deps, id, { name, by, auto: false });
    if (!record) return c.json(invalidLink, 401);
    return c.json(record, 201);
  });

  /** A version's snapshot: the whole board then, as one Yjs update. Any link. */
  app.get('/:id/versions/:versionId/snapshot', async (c) => {
    const id = c.req.param('id');
    if (!(await deps.sync.authorize(id, c.req.query('token')))) return c.json(invalidLink, 401);
    const version = await deps.storage.getVersion(id, c.req.param('versionId'));
    if (!version) return c.json({ error: 'no such version' }, 404);
    return c.body(new Uint8Array(version.snapshot), 200, {
      'content-type': 'application/octet-stream',
      // A version never changes: a browser may keep it.
      'cache-control': 'private, max-age=86400, immutable',
    });
  });

  return app;
}
