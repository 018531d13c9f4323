import { describe, expect, it } from 'vitest';
import { pdfHref, readOnlyBoardLink } from './plan-links.js';

const link = { boardId: 'b 1', token: 'tok' };

describe('readOnlyBoardLink', () => {
  it('is the wall link when it is read-only, else a viewer\'s own link, never an editing link', () => {
    expect(readOnlyBoardLink(link, 'facilitator', { role: 'viewer', url: 'http://10.0.0.2/b/b%201?token=v' })).toBe('http://10.0.0.2/b/b%201?token=v');
    expect(readOnlyBoardLink(link, 'facilitator', { role: 'editor', url: 'http://10.0.0.2/b/b%201?token=e' })).toBeNull();
    expect(readOnlyBoardLink(link, 'editor', null)).toBeNull();
    expect(readOnlyBoardLink(link, 'viewer', null)).toBe(`${window.location.origin}/b/b%201?token=tok`);
  });
});

describe('pdfHref', () => {
  it('asks for the plan document in a language, with the read-only link for the QR code when there is one', () => {
    expect(pdfHref(link, null, 'sr-Cyrl-BA')).toBe('/api/boards/b%201/export.pdf?token=tok&lang=sr-Cyrl-BA');
    const withQr = new URL(pdfHref(link, 'http://10.0.0.2/b/b%201?token=v', 'bs'), window.location.origin);
    expect(withQr.searchParams.get('lang')).toBe('bs');
    expect(withQr.searchParams.get('link')).toBe('http://10.0.0.2/b/b%201?token=v');
  });

  it('asks for the progress report (status and latest note per activity)', () => {
    expect(pdfHref({ boardId: 'b', token: 't' }, null, 'bs', 'progress')).toBe('/api/boards/b/export.pdf?token=t&lang=bs&report=progress');
  });
});
