import { describe, expect, it } from 'vitest';
import { pdfHref } from './Header.js';

describe('pdfHref', () => {
  it('asks for the plan document in a language; only a viewer passes its own (read-only) link for the QR code', () => {
    const link = { boardId: 'b 1', token: 'tok' };
    expect(pdfHref(link, 'editor', 'sr-Cyrl-BA')).toBe('/api/boards/b%201/export.pdf?token=tok&lang=sr-Cyrl-BA');
    const viewer = new URL(pdfHref(link, 'viewer', 'bs'), window.location.origin);
    expect(viewer.searchParams.get('lang')).toBe('bs');
    expect(viewer.searchParams.get('link')).toBe(`${window.location.origin}/b/b%201?token=tok`);
  });

  it('asks for the progress report (status and latest note per activity)', () => {
    expect(pdfHref({ boardId: 'b', token: 't' }, 'editor', 'bs', 'progress')).toBe('/api/boards/b/export.pdf?token=t&lang=bs&report=progress');
  });
});
