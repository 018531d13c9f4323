/**
 * Backup and import of whole boards (sub-app, mounted by app.ts):
 * - `GET /api/boards/:id/backup.json` (the board's facilitator link as `?token=`, or the admin
 *   bearer): the full Yjs state and the saved versions, as one JSON file;
 * - `POST /api/boards/import` (admin bearer, the file as the body): a NEW board from a backup (new
 *   id, new links), answered like `POST /api/boards`.
 * The document travels as the Yjs update of the whole state, so an import is exact: the new board
 * holds the same document (same items, same client ids), and the versions come back with it.
 */
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import * as Y from 'yjs';
import { documentProblems, LIMITS, randomId, readMeta, type Role, roots, SCHEMA_VERSION } from '@tabla/plan-model';
import { type BoardStorage, generateRoleTokens, loadStoredState, type Logger, type SyncServer } from '@tabla/sync-server';

export const BACKUP_FORMAT = 'tabla-backup';
export const BACKUP_FORMAT_VERSION = 1;
/** The largest backup an import takes (the request body). */
export const MAX_BACKUP_BYTES = 20 * 1024 * 1024;

/** A saved version as a backup carries it: the record, and its snapshot in base64. */
export interface BackupVersion {
  readonly id: string;
  readonly name: string;
  readonly createdAt: number;
  readonly by: string;
  readonly auto: boolean;
  readonly summary: string;
  readonly snapshot: string;
}

export interface Backup {
  readonly format: typeof BACKUP_FORMAT;
  readonly formatVersion: number;
  readonly schemaVersion: number;
  /** ISO 8601 */
  readonly exportedAt: string;
  readonly board: { readonly id: string; readonly title: string; readonly createdAt: number };
  /** base64 of `Y.encodeStateAsUpdate` of the whole board. */
  readonly document: string;
  readonly versions: readonly BackupVersion[];
}

type StoredVersionLike = Omit<BackupVersion, 'snapshot' | 'summary'> & { readonly summary?: string; readonly snapshot: Uint8Array };
/**
 * Versions, when the storage keeps them (asked at runtime: an adapter without versions backs up
 * an empty list, and an import into it keeps the document only).
 */
interface VersionStore {
  listVersions?(boardId: string): Promise<readonly Omit<StoredVersionLike, 'snapshot'>[]>;
  getVersion?(boardId: string, versionId: string): Promise<StoredVersionLike | null>;
  saveVersion?(boardId: string, version: StoredVersionLike & { readonly summary: string }): Promise<void>;
}

export interface BackupDeps {
  readonly storage: BoardStorage;
  readonly sync: Pick<SyncServer, 'authorize'>;
  readonly logger: Logger;
  /** Whether the Authorization header carries the admin token. */
  readonly isAdmin: (authorization: string | undefined) => boolean;
  /** Takes one of the admin's new-board slots; false (with the seconds to wait) over the limit. */
  readonly takeBoardSlot: () => { ok: true } | { ok: false; retryAfterSeconds: number };
  /** What `POST /api/boards` answers for a new board: `{id, title, tokens, links}`. */
  readonly newBoardAnswer: (requestUrl: string, id: string, title: string, tokens: Record<Role, string>) => object;
}

const toBase64 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const fromBase64 = (text: unknown): Uint8Array | null =>
  typeof text === 'string' && text.length % 4 === 0 && BASE64.test(text) ? new Uint8Array(Buffer.from(text, 'base64')) : null;

/** A document from a Yjs update, or null when the bytes are not a whole, readable update. */
function readDocument(update: Uint8Array): Y.Doc | null {
  const doc = new Y.Doc();
  try {
    Y.applyUpdate(doc, update);
  } catch {
    doc.destroy();
    return null;
  }
  // Structs or deletions waiting for others that never came: not a whole board.
  if (doc.store.pendingStructs !== null || doc.store.pendingDs !== null) {
    doc.destroy();
    return null;
  }
  return doc;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isWhole = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

export type BackupCheck =
  | { readonly ok: true; readonly title: string; readonly document: Uint8Array; readonly versions: readonly (StoredVersionLike & { summary: string })[] }
  | { readonly ok: false; readonly error: string };

/** Whether `value` (parsed JSON) is a backup this server can import, and what it holds. */
export function checkBackup(value: unknown): BackupCheck {
  const refuse = (error: string): BackupCheck => ({ ok: false, error });
  if (!isObject(value) || value.format !== BACKUP_FORMAT) return refuse(`not a Tabla backup: "format" must be "${BACKUP_FORMAT}"`);
  const { formatVersion, schemaVersion } = value;
  if (!isWhole(formatVersion) || !isWhole(schemaVersion)) return refuse('not a Tabla backup: "formatVersion" and "schemaVersion" must be whole numbers');
  if (formatVersion > BACKUP_FORMAT_VERSION || schemaVersion > SCHEMA_VERSION) {
    return refuse(
      `backup is from a newer Tabla (format ${formatVersion}, schema ${schemaVersion}); this server reads format ${BACKUP_FORMAT_VERSION}, schema ${SCHEMA_VERSION}`,
    );
  }
  if (formatVersion < 1 || schemaVersion < 1) return refuse('not a Tabla backup: unknown format or schema version');
  const update = fromBase64(value.document);
  const doc = update && readDocument(update);
  if (!update || !doc) return refuse('not a Tabla backup: "document" is not a board (base64 of a Yjs update)');
  let title: string;
  try {
    const [problem] = documentProblems(doc);
    if (problem !== undefined) return refuse(`the backup's document breaks schema v${SCHEMA_VERSION}: ${problem}`);
    const board = isObject(value.board) ? value.board : {};
    const named = typeof board.title === 'string' && board.title.trim() !== '' ? board.title : readMeta(roots(doc).meta).title;
    title = named.trim().slice(0, LIMITS.title) || 'Tabla';
  } finally {
    doc.destroy();
  }
  const listed = value.versions ?? [];
  if (!Array.isArray(listed)) return refuse('not a Tabla backup: "versions" must be a list');
  const versions: (StoredVersionLike & { summary: string })[] = [];
  const ids = new Set<string>();
  for (const [i, v] of listed.entries()) {
    const bad = (why: string) => refuse(`version ${i + 1} of the backup: ${why}`);
    if (!isObject(v)) return bad('not a version record');
    if (typeof v.id !== 'string' || v.id === '' || v.id.length > LIMITS.id || ids.has(v.id)) return bad('"id" must be a unique text of at most 64 characters');
    if (typeof v.name !== 'string' || v.name.length > LIMITS.title) return bad('"name" must be a text of at most 200 characters');
    if (!isWhole(v.createdAt) || typeof v.by !== 'string' || typeof v.auto !== 'boolean') return bad('"createdAt", "by" or "auto" is missing or wrong');
    if (v.summary !== undefined && typeof v.summary !== 'string') return bad('"summary" must be a text');
    const snapshot = fromBase64(v.snapshot);
    const versionDoc = snapshot && readDocument(snapshot);
    if (!snapshot || !versionDoc) return bad('"snapshot" is not a board (base64 of a Yjs update)');
    const problems = documentProblems(versionDoc);
    versionDoc.destroy();
    if (problems.length > 0) return bad(`its snapshot breaks schema v${SCHEMA_VERSION}: ${problems[0]}`);
    ids.add(v.id);
    versions.push({ id: v.id, name: v.name, createdAt: v.createdAt, by: v.by, auto: v.auto, summary: (v.summary as string | undefined) ?? '', snapshot });
  }
  return { ok: true, title, document: update, versions };
}

const bearer = (header: string | undefined): string => (header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : '');

export function backupApp(deps: BackupDeps): Hono {
  const app = new Hono();
  const versionStore = deps.storage as unknown as VersionStore;

  /** The admin bearer, or this board's facilitator token (`?token=`, or as a bearer). */
  const mayBackUp = async (c: Context, boardId: string): Promise<boolean> => {
    if (deps.isAdmin(c.req.header('authorization'))) return true;
    const token = c.req.query('token') || bearer(c.req.header('authorization'));
    return token !== '' && (await deps.sync.authorize(boardId, token))?.role === 'facilitator';
  };

  app.get('/api/boards/:id/backup.json', async (c) => {
    const id = c.req.param('id');
    if (!(await mayBackUp(c, id))) return c.json({ error: "this board's facilitator link or the admin token is required" }, 401);
    const record = await deps.storage.getBoard(id);
    const state = record && (await deps.storage.loadState(id));
    if (!record || !state) return c.json({ error: 'no such board' }, 404);
    const doc = new Y.Doc();
    let document: string;
    try {
      await loadStoredState(doc, state);
      document = toBase64(Y.encodeStateAsUpdate(doc));
    } finally {
      doc.destroy();
    }
    const versions: BackupVersion[] = [];
    if (typeof versionStore.listVersions === 'function' && typeof versionStore.getVersion === 'function') {
      for (const listed of await versionStore.listVersions(id)) {
        const version = await versionStore.getVersion(id, listed.id);
        if (!version) continue; // removed meanwhile
        const { snapshot, ...rest } = version;
        versions.push({ ...rest, summary: rest.summary ?? '', snapshot: toBase64(snapshot) });
      }
    }
    const backup: Backup = {
      format: BACKUP_FORMAT,
      formatVersion: BACKUP_FORMAT_VERSION,
      schemaVersion: SCHEMA_VERSION,
      exportedAt: new Date().toISOString(),
      board: { id: record.id, title: record.title, createdAt: record.createdAt },
      document,
      versions,
    };
    deps.logger.info({ boardId: id, versions: versions.length }, 'board backed up');
    const day = new Date().toISOString().slice(0, 10);
    return c.body(JSON.stringify(backup), 200, {
      'content-type': 'application/json; charset=utf-8',
      'content-disposition': `attachment; filename="tabla-${id.replace(/[^A-Za-z0-9_-]/g, '_')}-${day}.json"`,
      'cache-control': 'no-store',
    });
  });

  const importBody = bodyLimit({
    maxSize: MAX_BACKUP_BYTES,
    onError: (c) => c.json({ error: `backup too large: at most ${MAX_BACKUP_BYTES / 1024 / 1024} MiB` }, 400),
  });

  app.post('/api/boards/import', importBody, async (c) => {
    if (!deps.isAdmin(c.req.header('authorization'))) return c.json({ error: 'admin token required' }, 401);
    let parsed: unknown;
    try {
      parsed = JSON.parse(await c.req.text());
    } catch {
      return c.json({ error: 'not a Tabla backup: the file is not JSON' }, 400);
    }
    const backup = checkBackup(parsed);
    if (!backup.ok) return c.json({ error: backup.error }, 400);
    const slot = deps.takeBoardSlot();
    if (!slot.ok) {
      c.header('retry-after', String(slot.retryAfterSeconds));
      return c.json({ error: `too many new boards; try again in ${slot.retryAfterSeconds} s` }, 429);
    }
    const board = { id: randomId(16), title: backup.title, createdAt: Date.now() };
    const { tokens, records } = generateRoleTokens();
    // The backup's own bytes, checked above: the new board's document is exactly the backed-up one.
    await deps.storage.createBoard(board, backup.document, records);
    let versions = 0;
    if (typeof versionStore.saveVersion === 'function') {
      for (const version of backup.versions) {
        await versionStore.saveVersion(board.id, version);
        versions++;
      }
    }
    deps.logger.info({ boardId: board.id, versions, skippedVersions: backup.versions.length - versions }, 'board imported');
    return c.json({ ...deps.newBoardAnswer(c.req.url, board.id, board.title, tokens), versions }, 201);
  });

  return app;
}
