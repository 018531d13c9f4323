/**
 * The room kit ("Materijal za salu"): every municipality's coordinator link, the read-only link
 * (the projector's and the room's) and the general coordinator link, issued in one action and
 * printed as cards. Pure decisions here (which links one action issues, which of them replace a
 * working link and so need the warning, what goes on the wall, what the sheet prints), and the
 * links this device issued.
 *
 * Tokens are stored hashed on the server, so a link is known only when it is issued: this device
 * remembers the links it issued (per board, in localStorage, beside the facilitator's own link,
 * which opens more than all of them), so the sheet can be printed later. A link issued elsewhere
 * or forgotten here is "exists: re-issue to print".
 */
import type * as Y from 'yjs';
import { type Municipality, readFacilitation, roots, setWallLink, type WallLink } from '@tabla/plan-model';
import type { LinkList, LinkTarget } from './links-api.js';

/** One link of the kit: the read-only link, the general coordinator link, or one municipality's. */
export type KitKey = 'viewer' | 'editor' | `m:${string}`;

export const kitKey = (target: LinkTarget): KitKey => (typeof target === 'string' ? (target as 'viewer' | 'editor') : `m:${target.municipalityId}`);

export const kitTarget = (key: KitKey): Exclude<LinkTarget, 'facilitator'> =>
  key === 'viewer' || key === 'editor' ? key : { municipalityId: key.slice(2) };

/**
 * - `known`: this device issued it and it still works: it can be printed.
 * - `unknown`: a link works, but it was issued elsewhere or earlier: re-issue it to print it.
 * - `none`: no working link.
 * - `checking`: not known yet (the server has not answered).
 */
export type KitStatus = 'known' | 'unknown' | 'none' | 'checking';

export interface KitRow {
  readonly key: KitKey;
  /** The municipality, for its own link. */
  readonly municipality: Municipality | null;
  readonly status: KitStatus;
  /** Issued by the one action unless the facilitator unticks it. */
  readonly byDefault: boolean;
}

/** Links this device issued and still trusts, by kit key. */
export type KnownLinks = ReadonlyMap<KitKey, string>;

/**
 * The kit's rows: the read-only link (the projector's), the general coordinator link, then each
 * municipality of the board in its order. `server` null: not listed yet.
 *
 * The one action issues every missing link, except the general coordinator link: a facilitator
 * who revoked it so that everyone works from their municipality's own link keeps it that way
 * unless they tick it.
 */
export function kitRows(municipalities: readonly Municipality[], server: LinkList | null, known: KnownLinks): KitRow[] {
  const row = (key: KitKey, municipality: Municipality | null, exists: boolean | undefined): KitRow => {
    const status: KitStatus = server === null ? 'checking' : !exists ? 'none' : known.has(key) ? 'known' : 'unknown';
    return { key, municipality, status, byDefault: status === 'none' && key !== 'editor' };
  };
  return [
    row('viewer', null, server?.roles.viewer),
    row('editor', null, server?.roles.editor),
    ...municipalities.map((m) => row(`m:${m.id}`, m, server?.municipalities.has(m.id))),
  ];
}

/** The facilitator's ticks over the defaults (key -> ticked). */
export type KitChoice = ReadonlyMap<KitKey, boolean>;

export const isChosen = (row: KitRow, choice: KitChoice): boolean => row.status !== 'checking' && (choice.get(row.key) ?? row.byDefault);

export interface IssuePlan {
  /** What the one action issues. */
  readonly issue: readonly KitRow[];
  /** Of those, the ones that replace a working link (its holders are disconnected): the warning names these, and only these. */
  readonly replaces: readonly KitRow[];
}

export function issuePlan(rows: readonly KitRow[], choice: KitChoice): IssuePlan {
  const issue = rows.filter((r) => isChosen(r, choice));
  return { issue, replaces: issue.filter((r) => r.status === 'known' || r.status === 'unknown') };
}

/**
 * The wall's link after links were issued (undefined: leave it). None set: the new read-only link
 * goes up. The link on the wall re-issued: its new link replaces it (the old one no longer works).
 */
export function wallLinkAfterIssue(current: WallLink | null, issued: ReadonlyMap<KitKey, string>): WallLink | null | undefined {
  if (current === null) {
    const viewer = issued.get('viewer');
    return viewer === undefined ? undefined : { role: 'viewer', url: viewer };
  }
  const replaced = issued.get(current.role);
  return replaced === undefined || replaced === current.url ? undefined : { role: current.role, url: replaced };
}

/** The wall's link after a role's link was revoked: none, if it was that one (undefined: leave it). */
export const wallLinkAfterRevoke = (current: WallLink | null, key: KitKey): null | undefined => (current !== null && current.role === key ? null : undefined);

// ---------------------------------------------------------------------------
// The sheet.

export type CardKind = 'municipality' | 'projector' | 'editor' | 'viewer';

export interface KitCard {
  readonly kind: CardKind;
  readonly url: string;
  readonly municipality: Municipality | null;
}

export interface KitSheet {
  readonly cards: readonly KitCard[];
  /** Municipalities whose link this device does not know: no card for them. */
  readonly missing: readonly Municipality[];
  /** The read-only link is not known: no projector or read-only card. */
  readonly missingViewer: boolean;
}

/**
 * The cards, in the order they are handed out: one per municipality (board order), then the
 * projector's (the read-only link), the general coordinator link's and the read-only link's.
 */
export function kitSheet(municipalities: readonly Municipality[], known: KnownLinks): KitSheet {
  const cards: KitCard[] = [];
  const missing: Municipality[] = [];
  for (const m of municipalities) {
    const url = known.get(`m:${m.id}`);
    if (url === undefined) missing.push(m);
    else cards.push({ kind: 'municipality', url, municipality: m });
  }
  const viewer = known.get('viewer');
  const editor = known.get('editor');
  if (viewer !== undefined) cards.push({ kind: 'projector', url: viewer, municipality: null });
  if (editor !== undefined) cards.push({ kind: 'editor', url: editor, municipality: null });
  if (viewer !== undefined) cards.push({ kind: 'viewer', url: viewer, municipality: null });
  return { cards, missing, missingViewer: viewer === undefined };
}

/** Cards per printed A4 page (two columns, three rows). */
export const CARDS_PER_PAGE = 6;

export function pages<T>(items: readonly T[], size = CARDS_PER_PAGE): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * The address as printed, to be typed in full: host and path, no scheme (a browser adds it), and
 * the query whole. Split where a line may break (after the host, before the query, and between
 * the token's groups of four): never inside a group, and nothing left out.
 */
export interface PrintedAddress {
  readonly host: string;
  readonly path: string;
  readonly query: string;
  readonly groups: readonly string[];
}

export function printedAddress(url: string): PrintedAddress {
  let host: string;
  let path: string;
  let query: string;
  try {
    const u = new URL(url);
    host = u.host;
    path = u.pathname;
    query = u.search;
  } catch {
    host = url.replace(/^https?:\/\//, '');
    path = '';
    query = '';
  }
  const token = /^\?token=(.*)$/.exec(query);
  if (!token) return { host, path, query, groups: [] };
  return { host, path, query: '?token=', groups: token[1]!.match(/.{1,4}/g) ?? [] };
}

/** The printed address back as one line (what a person types, after the scheme). */
export const typedAddress = (a: PrintedAddress): string => `${a.host}${a.path}${a.query}${a.groups.join('')}`;

// ---------------------------------------------------------------------------
// The links this device issued: localStorage, per board.

const storageKey = (boardId: string) => `tabla.roomKit.${boardId}`;

export function loadKnownLinks(boardId: string): Map<KitKey, string> {
  const known = new Map<KitKey, string>();
  try {
    const raw = localStorage.getItem(storageKey(boardId));
    const parsed: unknown = raw ? JSON.parse(raw) : null;
    if (parsed && typeof parsed === 'object') {
      for (const [key, url] of Object.entries(parsed as Record<string, unknown>)) {
        if ((key === 'viewer' || key === 'editor' || key.startsWith('m:')) && typeof url === 'string' && /^https?:\/\//.test(url)) known.set(key as KitKey, url);
      }
    }
  } catch {
    // storage blocked or garbled: nothing known here
  }
  return known;
}

function saveKnownLinks(boardId: string, known: ReadonlyMap<KitKey, string>): void {
  try {
    if (known.size === 0) localStorage.removeItem(storageKey(boardId));
    else localStorage.setItem(storageKey(boardId), JSON.stringify(Object.fromEntries(known)));
  } catch {
    // not kept: the sheet can be printed now, not later
  }
}

/** Keeps (url) or forgets (null) the links of these keys; returns what is known now. */
export function updateKnownLinks(boardId: string, changes: ReadonlyMap<KitKey, string | null>): Map<KitKey, string> {
  const known = loadKnownLinks(boardId);
  for (const [key, url] of changes) {
    if (url === null) known.delete(key);
    else known.set(key, url);
  }
  saveKnownLinks(boardId, known);
  return known;
}

// ---------------------------------------------------------------------------
// One record of every link change made on this device (the kit, or "Novi link" / "Opozovi").

const listeners = new Set<() => void>();

/** Called after any link change recorded here (the kit and the link list both refresh). */
export function subscribeLinkChanges(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * After links were issued (key -> url) or revoked (key -> null) from this device: remembers or
 * forgets them for the sheet, keeps the wall's link one that works (one transaction, only when it
 * changes), and tells whoever listens.
 */
export function recordLinkChanges(doc: Y.Doc, boardId: string, changes: ReadonlyMap<KitKey, string | null>): Map<KitKey, string> {
  const known = updateKnownLinks(boardId, changes);
  const current = readFacilitation(roots(doc).facilitation).wallLink;
  const issued = new Map([...changes].filter((e): e is [KitKey, string] => e[1] !== null));
  let next = wallLinkAfterIssue(current, issued);
  for (const [key, url] of changes) if (url === null && next === undefined) next = wallLinkAfterRevoke(current, key);
  if (next !== undefined) setWallLink(doc, next);
  for (const listener of [...listeners]) listener();
  return known;
}
