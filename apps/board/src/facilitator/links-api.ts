/**
 * The board's links on the server, one per role and one coordinator link per municipality:
 * a new link (rotate) or none (revoke), and which ones exist. Authorised
 * with this board's facilitator token (the one in the address bar). The server disconnects
 * everyone who used the old link, this facilitator too when it is the facilitator's link.
 */
import type { Role } from '@tabla/plan-model';

export type LinkFailure = 'unauthorized' | 'offline' | 'failed';

export type LinkResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: LinkFailure; readonly status?: number };

export interface LinkAuth {
  readonly boardId: string;
  /** The facilitator's own token. */
  readonly token: string;
}

/** A role's link, or the coordinator link bound to one municipality. */
export type LinkTarget = Role | { readonly municipalityId: string };

type Fetch = (input: string, init: RequestInit) => Promise<Response>;

const linksUrl = (boardId: string, target?: LinkTarget) => {
  const base = `/api/boards/${encodeURIComponent(boardId)}/links`;
  if (target === undefined) return base;
  return typeof target === 'string' ? `${base}/${encodeURIComponent(target)}` : `${base}/editor/${encodeURIComponent(target.municipalityId)}`;
};

async function call(method: 'GET' | 'POST' | 'DELETE', auth: LinkAuth, target: LinkTarget | undefined, fetchFn: Fetch): Promise<LinkResult<Response>> {
  let res: Response;
  try {
    res = await fetchFn(linksUrl(auth.boardId, target), {
      method,
      headers: { authorization: `Bearer ${auth.token}`, accept: 'application/json' },
      cache: 'no-store',
    });
  } catch {
    return { ok: false, reason: 'offline' };
  }
  if (res.status === 401 || res.status === 403) return { ok: false, reason: 'unauthorized', status: res.status };
  if (!res.ok) return { ok: false, reason: 'failed', status: res.status };
  return { ok: true, value: res };
}

/** A new link for `target`; the old one stops working at once. */
export async function rotateLink(auth: LinkAuth, target: LinkTarget, fetchFn: Fetch = fetch): Promise<LinkResult<string>> {
  const result = await call('POST', auth, target, fetchFn);
  if (!result.ok) return result;
  try {
    const body = (await result.value.json()) as { link?: unknown };
    if (typeof body.link === 'string' && /^https?:\/\//.test(body.link)) return { ok: true, value: body.link };
  } catch {
    // not JSON: below
  }
  return { ok: false, reason: 'failed', status: result.value.status };
}

/** No working link for `target` until a new one is made. */
export async function revokeLink(auth: LinkAuth, target: LinkTarget, fetchFn: Fetch = fetch): Promise<LinkResult<null>> {
  const result = await call('DELETE', auth, target, fetchFn);
  return result.ok ? { ok: true, value: null } : result;
}

/** Municipality id -> when its coordinator link was issued (ms), for the links that work now. */
export type IssuedLinks = ReadonlyMap<string, number>;

/** Which links work now: each role's general link, and the municipalities' coordinator links. */
export interface LinkList {
  readonly roles: Readonly<Record<Role, boolean>>;
  readonly municipalities: IssuedLinks;
}

/** Which links exist (tokens are stored hashed: the links themselves cannot be shown again). */
export async function listLinks(auth: LinkAuth, fetchFn: Fetch = fetch): Promise<LinkResult<LinkList>> {
  const result = await call('GET', auth, undefined, fetchFn);
  if (!result.ok) return result;
  try {
    const body = (await result.value.json()) as { roles?: Record<string, unknown>; municipalities?: Record<string, { issuedAt?: unknown }> };
    const issued = new Map<string, number>();
    for (const [id, info] of Object.entries(body.municipalities ?? {})) if (typeof info?.issuedAt === 'number') issued.set(id, info.issuedAt);
    const roles = { facilitator: body.roles?.facilitator === true, editor: body.roles?.editor === true, viewer: body.roles?.viewer === true };
    return { ok: true, value: { roles, municipalities: issued } };
  } catch {
    return { ok: false, reason: 'failed', status: result.value.status };
  }
}

/** Which municipality links exist. */
export async function listMunicipalityLinks(auth: LinkAuth, fetchFn: Fetch = fetch): Promise<LinkResult<IssuedLinks>> {
  const result = await listLinks(auth, fetchFn);
  return result.ok ? { ok: true, value: result.value.municipalities } : result;
}

/**
 * What a link of this board grants now (`GET /access`): its role and bound municipality, or
 * `unauthorized` when it no longer works (re-issued or revoked since).
 */
export async function checkLink(
  boardId: string,
  url: string,
  fetchFn: Fetch = fetch,
): Promise<LinkResult<{ readonly role: Role; readonly municipalityId: string | null }>> {
  let token: string | null;
  try {
    token = new URL(url).searchParams.get('token');
  } catch {
    token = null;
  }
  if (!token) return { ok: false, reason: 'unauthorized' };
  let res: Response;
  try {
    res = await fetchFn(`/api/boards/${encodeURIComponent(boardId)}/access?token=${encodeURIComponent(token)}`, { method: 'GET', headers: { accept: 'application/json' }, cache: 'no-store' });
  } catch {
    return { ok: false, reason: 'offline' };
  }
  if (res.status === 401 || res.status === 404) return { ok: false, reason: 'unauthorized', status: res.status };
  if (!res.ok) return { ok: false, reason: 'failed', status: res.status };
  try {
    const body = (await res.json()) as { role?: unknown; municipalityId?: unknown };
    if (body.role === 'facilitator' || body.role === 'editor' || body.role === 'viewer') {
      return { ok: true, value: { role: body.role, municipalityId: typeof body.municipalityId === 'string' ? body.municipalityId : null } };
    }
  } catch {
    // not JSON: below
  }
  return { ok: false, reason: 'failed', status: res.status };
}

/**
 * Copies text to the clipboard: the Clipboard API where the page is a secure context, else
 * (a plain-http LAN address in a training room) the selected text of `input`.
 */
export async function copyText(text: string, input: HTMLInputElement | HTMLTextAreaElement | null): Promise<boolean> {
  try {
    if (window.isSecureContext && navigator.clipboard) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // refused (permissions): try the selection
  }
  if (!input) return false;
  input.focus();
  input.select();
  try {
    return document.execCommand('copy');
  } catch {
    return false;
  }
}
