/**
 * The board's saved versions on the server (`/api/boards/:id/versions`): the list and a
 * version's snapshot for any link, saving one for the facilitator's. Authorised with the link's
 * own token (the one in the address bar).
 */
import type { BoardLink } from '../session/link.js';
import { formatDateTime } from '../ui/date-format.js';

/** As the server answers (`VersionRecord` of `@tabla/sync-server`, which the board must not import). */
export interface VersionInfo {
  readonly id: string;
  readonly name: string;
  readonly createdAt: number;
  readonly by: string;
  readonly auto: boolean;
  readonly summary: string;
}

export type VersionFailure = 'offline' | 'unauthorized' | 'invalid' | 'failed';
export type VersionResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: VersionFailure };

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;
type Link = Pick<BoardLink, 'boardId' | 'token'>;

const base = (link: Link, path = '') =>
  `/api/boards/${encodeURIComponent(link.boardId)}/versions${path}?token=${encodeURIComponent(link.token)}`;

async function call(url: string, init: RequestInit, fetchFn: Fetch): Promise<VersionResult<Response>> {
  let res: Response;
  try {
    res = await fetchFn(url, { cache: 'no-store', ...init });
  } catch {
    return { ok: false, reason: 'offline' };
  }
  if (res.status === 401 || res.status === 403) return { ok: false, reason: 'unauthorized' };
  if (res.status === 400) return { ok: false, reason: 'invalid' };
  if (!res.ok) return { ok: false, reason: 'failed' };
  return { ok: true, value: res };
}

export async function listVersions(link: Link, fetchFn: Fetch = fetch): Promise<VersionResult<VersionInfo[]>> {
  const res = await call(base(link), { headers: { accept: 'application/json' } }, fetchFn);
  if (!res.ok) return res;
  try {
    return { ok: true, value: (await res.value.json()) as VersionInfo[] };
  } catch {
    return { ok: false, reason: 'failed' };
  }
}

export async function saveVersion(link: Link, name: string, by: string, fetchFn: Fetch = fetch): Promise<VersionResult<VersionInfo>> {
  const res = await call(
    base(link),
    { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify({ name, by }) },
    fetchFn,
  );
  if (!res.ok) return res;
  try {
    return { ok: true, value: (await res.value.json()) as VersionInfo };
  } catch {
    return { ok: false, reason: 'failed' };
  }
}

/** A version's board, as one Yjs update. */
export async function fetchSnapshot(link: Link, versionId: string, fetchFn: Fetch = fetch): Promise<VersionResult<Uint8Array>> {
  const res = await call(base(link, `/${encodeURIComponent(versionId)}/snapshot`), {}, fetchFn);
  if (!res.ok) return res;
  try {
    return { ok: true, value: new Uint8Array(await res.value.arrayBuffer()) };
  } catch {
    return { ok: false, reason: 'offline' };
  }
}

/** When a version was saved, in the UI language: the board's one date formatter (../ui/date-format.ts). */
export function formatVersionTime(ms: number, language: string): string {
  return formatDateTime(language, ms);
}
