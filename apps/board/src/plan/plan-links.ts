/**
 * Where the official plan document comes from, and the live board's link printed on it as a QR code.
 * Only a read-only link ever goes on paper: the wall's link when the facilitator chose a read-only one,
 * else this device's own link when it is a viewer's. The server checks it again (a working viewer
 * token of this board, on its own origin) before printing it in the PDF.
 */
import type { Role, WallLink } from '@tabla/plan-model';

export type PlanLang = 'bs' | 'sr-Cyrl-BA' | 'en';

export function readOnlyBoardLink(link: { boardId: string; token: string }, role: Role | null, wallLink: WallLink | null): string | null {
  if (wallLink?.role === 'viewer') return wallLink.url;
  if (role === 'viewer') return `${window.location.origin}/b/${encodeURIComponent(link.boardId)}?token=${encodeURIComponent(link.token)}`;
  return null;
}

/** The plan document (or the progress report) as PDF in `lang`, with the read-only link for its QR code. */
export function pdfHref(link: { boardId: string; token: string }, readOnly: string | null, lang: PlanLang, report: 'plan' | 'progress' = 'plan'): string {
  const params = new URLSearchParams({ token: link.token, lang });
  if (report === 'progress') params.set('report', 'progress');
  if (readOnly) params.set('link', readOnly);
  return `/api/boards/${encodeURIComponent(link.boardId)}/export.pdf?${params.toString()}`;
}
