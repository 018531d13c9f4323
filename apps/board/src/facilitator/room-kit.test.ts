import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { type Municipality, readBoard, seedDemoBoard, setWallLink } from '@tabla/plan-model';
import type { LinkList } from './links-api.js';
import {
  issuePlan,
  type KitChoice,
  type KitKey,
  kitRows,
  kitSheet,
  loadKnownLinks,
  pages,
  printedAddress,
  recordLinkChanges,
  subscribeLinkChanges,
  typedAddress,
  updateKnownLinks,
  wallLinkAfterIssue,
  wallLinkAfterRevoke,
} from './room-kit.js';

const muni = (id: string, name: string): Municipality => ({ id, name, color: '#123456' }) as unknown as Municipality;
const MOSTAR = muni('m_mostar', 'Grad Mostar');
const TRNOVO = muni('m_trnovo', 'Općina Trnovo');
const BUGOJNO = muni('m_bugojno', 'Općina Bugojno');
const MUNICIPALITIES = [MOSTAR, TRNOVO, BUGOJNO];

const server = (roles: Partial<Record<'facilitator' | 'editor' | 'viewer', boolean>>, municipalities: string[] = []): LinkList => ({
  roles: { facilitator: true, editor: false, viewer: false, ...roles },
  municipalities: new Map(municipalities.map((id) => [id, 1_700_000_000_000])),
});
const keys = (rows: readonly { key: KitKey }[]) => rows.map((r) => r.key);
const NONE: KitChoice = new Map();

describe('the room kit: which links one action issues', () => {
  it('a new board: every municipality and the read-only link, no warning; the general coordinator link only when ticked', () => {
    const rows = kitRows(MUNICIPALITIES, server({}), new Map());
    expect(rows.map((r) => [r.key, r.status])).toEqual([
      ['viewer', 'none'],
      ['editor', 'none'],
      ['m:m_mostar', 'none'],
      ['m:m_trnovo', 'none'],
      ['m:m_bugojno', 'none'],
    ]);
    const plan = issuePlan(rows, NONE);
    expect(keys(plan.issue)).toEqual(['viewer', 'm:m_mostar', 'm:m_trnovo', 'm:m_bugojno']);
    expect(plan.replaces).toEqual([]);
    const withEditor = issuePlan(rows, new Map([['editor', true]]));
    expect(keys(withEditor.issue)).toContain('editor');
    expect(withEditor.replaces).toEqual([]); // a link that does not exist replaces nothing: no warning
  });

  it('links that exist are not re-issued unless ticked, and only they bring the warning', () => {
    // The demo board: its three role links exist (issued at creation, not known here); Mostar has its link, known here.
    const known = new Map<KitKey, string>([['m:m_mostar', 'http://h/b/demo?token=mo']]);
    const rows = kitRows(MUNICIPALITIES, server({ editor: true, viewer: true }, ['m_mostar', 'm_bugojno']), known);
    expect(rows.map((r) => r.status)).toEqual(['unknown', 'unknown', 'known', 'none', 'unknown']);
    const plan = issuePlan(rows, NONE);
    expect(keys(plan.issue)).toEqual(['m:m_trnovo']);
    expect(plan.replaces).toEqual([]);

    const asked = issuePlan(rows, new Map([['viewer', true], ['m:m_bugojno', true]]));
    expect(keys(asked.issue)).toEqual(['viewer', 'm:m_trnovo', 'm:m_bugojno']);
    expect(keys(asked.replaces)).toEqual(['viewer', 'm:m_bugojno']);
    // Re-issuing a link known here (e.g. one handed to the wrong person) warns too.
    expect(keys(issuePlan(rows, new Map([['m:m_mostar', true]])).replaces)).toEqual(['m:m_mostar']);
    // Unticking a missing one leaves it out.
    expect(keys(issuePlan(rows, new Map([['m:m_trnovo', false]])).issue)).toEqual([]);
  });

  it('nothing is issued while the server has not said which links exist', () => {
    const rows = kitRows(MUNICIPALITIES, null, new Map());
    expect(rows.every((r) => r.status === 'checking')).toBe(true);
    expect(issuePlan(rows, new Map([['viewer', true]])).issue).toEqual([]);
  });

  it('a link known here that the server no longer has is "none", not printable', () => {
    const rows = kitRows([MOSTAR], server({}), new Map([['m:m_mostar', 'http://h/b/x?token=old']]));
    expect(rows.find((r) => r.key === 'm:m_mostar')!.status).toBe('none');
  });
});

describe('the link on the wall', () => {
  it('the new read-only link goes up when none is set; a re-issued wall link is replaced; others are left', () => {
    const viewer = { role: 'viewer' as const, url: 'http://h/b/x?token=v1' };
    const editor = { role: 'editor' as const, url: 'http://h/b/x?token=e1' };
    expect(wallLinkAfterIssue(null, new Map([['viewer', 'http://h/b/x?token=v2']]))).toEqual({ role: 'viewer', url: 'http://h/b/x?token=v2' });
    expect(wallLinkAfterIssue(null, new Map([['m:m_mostar', 'http://h/b/x?token=m']]))).toBeUndefined();
    expect(wallLinkAfterIssue(viewer, new Map([['viewer', 'http://h/b/x?token=v2']]))).toEqual({ role: 'viewer', url: 'http://h/b/x?token=v2' });
    expect(wallLinkAfterIssue(editor, new Map([['viewer', 'http://h/b/x?token=v2']]))).toBeUndefined(); // the facilitator chose the coordinator link
    expect(wallLinkAfterIssue(editor, new Map([['editor', 'http://h/b/x?token=e2']]))).toEqual({ role: 'editor', url: 'http://h/b/x?token=e2' });
    expect(wallLinkAfterRevoke(viewer, 'viewer')).toBeNull();
    expect(wallLinkAfterRevoke(viewer, 'editor')).toBeUndefined();
    expect(wallLinkAfterRevoke(null, 'viewer')).toBeUndefined();
  });
});

describe('the sheet', () => {
  it('one card per municipality known here, then the projector, the general coordinator link and the read-only link', () => {
    const known = new Map<KitKey, string>([
      ['m:m_trnovo', 'http://h/b/x?token=t'],
      ['m:m_mostar', 'http://h/b/x?token=m'],
      ['viewer', 'http://h/b/x?token=v'],
      ['editor', 'http://h/b/x?token=e'],
      ['m:m_gone', 'http://h/b/x?token=g'], // a municipality no longer on the board
    ]);
    const sheet = kitSheet(MUNICIPALITIES, known);
    expect(sheet.cards.map((c) => [c.kind, c.municipality?.name ?? null, c.url])).toEqual([
      ['municipality', 'Grad Mostar', 'http://h/b/x?token=m'],
      ['municipality', 'Općina Trnovo', 'http://h/b/x?token=t'],
      ['projector', null, 'http://h/b/x?token=v'],
      ['editor', null, 'http://h/b/x?token=e'],
      ['viewer', null, 'http://h/b/x?token=v'],
    ]);
    expect(sheet.missing.map((m) => m.name)).toEqual(['Općina Bugojno']);
    expect(sheet.missingViewer).toBe(false);
    expect(kitSheet(MUNICIPALITIES, new Map()).missingViewer).toBe(true);
  });

  it('six cards a page', () => {
    expect(pages([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]).map((p) => p.length)).toEqual([6, 5]);
    expect(pages([])).toEqual([]);
  });

  it('prints the whole address without the scheme, the token in groups of four, nothing shortened', () => {
    const token = 'AbCd0O1lI-_xyz9876543210ZYXWVUTSRQPONMLKJih'; // 43 characters, as the server issues them
    const url = `http://192.168.1.10:8787/b/XyZ123abcDEF4567?token=${token}`;
    const printed = printedAddress(url);
    expect(printed.host).toBe('192.168.1.10:8787');
    expect(printed.path).toBe('/b/XyZ123abcDEF4567');
    expect(printed.query).toBe('?token=');
    expect(printed.groups).toHaveLength(11);
    expect(printed.groups.every((g, i) => g.length === (i < 10 ? 4 : 3))).toBe(true);
    expect(`http://${typedAddress(printed)}`).toBe(url);
    expect(typedAddress(printedAddress('https://tabla.example.ba/b/demo?token=abc'))).toBe('tabla.example.ba/b/demo?token=abc');
  });
});

describe('links this device issued', () => {
  beforeEach(() => localStorage.clear());
  afterEach(() => localStorage.clear());

  it('are kept per board, forgotten on revoke, and a garbled store is nothing known', () => {
    updateKnownLinks('b1', new Map<KitKey, string | null>([['viewer', 'http://h/b/b1?token=v'], ['m:m_mostar', 'http://h/b/b1?token=m']]));
    updateKnownLinks('b2', new Map<KitKey, string | null>([['viewer', 'http://h/b/b2?token=x']]));
    expect([...loadKnownLinks('b1')]).toEqual([
      ['viewer', 'http://h/b/b1?token=v'],
      ['m:m_mostar', 'http://h/b/b1?token=m'],
    ]);
    updateKnownLinks('b1', new Map<KitKey, string | null>([['viewer', null]]));
    expect([...loadKnownLinks('b1').keys()]).toEqual(['m:m_mostar']);
    localStorage.setItem('tabla.roomKit.b3', '{"viewer":"javascript:alert(1)","junk":"http://x","m:a":7}');
    expect(loadKnownLinks('b3').size).toBe(0);
    localStorage.setItem('tabla.roomKit.b4', 'not json');
    expect(loadKnownLinks('b4').size).toBe(0);
  });

  it('recording a change keeps the wall link working, in one transaction, and tells the listeners', () => {
    const doc = new Y.Doc();
    seedDemoBoard(doc);
    const listener = vi.fn();
    const off = subscribeLinkChanges(listener);
    const transactions = vi.fn();
    doc.on('afterTransaction', transactions);
    recordLinkChanges(doc, 'demo', new Map<KitKey, string | null>([['m:m_mostar', 'http://h/b/demo?token=m']]));
    expect(readBoard(doc).facilitation.wallLink).toBeNull();
    expect(transactions).not.toHaveBeenCalled();
    recordLinkChanges(doc, 'demo', new Map<KitKey, string | null>([['viewer', 'http://h/b/demo?token=v']]));
    expect(readBoard(doc).facilitation.wallLink).toEqual({ role: 'viewer', url: 'http://h/b/demo?token=v' });
    expect(transactions).toHaveBeenCalledTimes(1);
    setWallLink(doc, { role: 'editor', url: 'http://h/b/demo?token=e' });
    recordLinkChanges(doc, 'demo', new Map<KitKey, string | null>([['editor', null]]));
    expect(readBoard(doc).facilitation.wallLink).toBeNull();
    expect(listener).toHaveBeenCalledTimes(3);
    expect([...loadKnownLinks('demo').keys()]).toEqual(['m:m_mostar', 'viewer']);
    off();
    doc.destroy();
  });
});
