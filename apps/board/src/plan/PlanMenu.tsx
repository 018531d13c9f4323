/**
 * "Plan i izvoz": one header menu for everything that takes the plan out of the board: the
 * commitments matrix, the print view, the plan document as PDF (Latin, Cyrillic), the progress
 * report, CSV and Excel. A disclosure (a button and a list), closed by Escape or a click outside.
 * The two views are separate chunks (with the print model of @tabla/plan-export/model), fetched
 * when the menu opens, never on a plain page load; they stay open after the menu closes.
 */
import { type ComponentType, lazy, type LazyExoticComponent, Suspense, useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useBoard } from '@tabla/plan-react';
import { LoadBoundary } from '../ui/LoadBoundary.js';
import { useSession, useSessionState } from '../ui/context.js';
import { pdfHref, type PlanLang, readOnlyBoardLink } from './plan-links.js';

type Panel = ComponentType<{ onClose: () => void }>;
type Section = 'commitments' | 'planPrint';

const LOADERS: Record<Section, () => Promise<{ default: Panel }>> = {
  commitments: () => import('./CommitmentsPanel.js'),
  planPrint: () => import('./PlanPrintView.js'),
};
const prefetch = () => {
  for (const load of Object.values(LOADERS)) load().catch(() => {}); // opening tries again, and says so if it fails
};

export function PlanMenu() {
  const { t, i18n } = useTranslation();
  const session = useSession();
  const { role } = useSessionState();
  const board = useBoard(session.doc);
  const [expanded, setExpanded] = useState(false);
  const [panel, setPanel] = useState<Section | null>(null);
  const id = useId();
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!expanded) return;
    const outside = (e: PointerEvent) => {
      if (!root.current?.contains(e.target as Node)) setExpanded(false);
    };
    document.addEventListener('pointerdown', outside);
    return () => document.removeEventListener('pointerdown', outside);
  }, [expanded]);

  const { link } = session;
  const readOnly = readOnlyBoardLink(link, role, board.facilitation.wallLink);
  const uiLang: PlanLang = i18n.language === 'sr-Cyrl-BA' || i18n.language === 'en' ? i18n.language : 'bs';
  const file = (kind: 'csv' | 'xlsx') => `/api/boards/${encodeURIComponent(link.boardId)}/export.${kind}?token=${encodeURIComponent(link.token)}`;
  const open = (section: Section) => {
    setExpanded(false);
    setPanel(section);
  };
  const closePanel = () => {
    setPanel(null);
    requestAnimationFrame(() => button.current?.focus());
  };
  const files: { href: string; label: string }[] = [
    { href: pdfHref(link, readOnly, 'bs'), label: t('export.pdfBs') },
    { href: pdfHref(link, readOnly, 'sr-Cyrl-BA'), label: t('export.pdfSr') },
    { href: pdfHref(link, readOnly, uiLang, 'progress'), label: t('export.progressPdf') },
    { href: file('xlsx'), label: t('export.xlsx') },
    { href: file('csv'), label: t('export.csv') },
  ];

  return (
    <div
      ref={root}
      className="menu"
      onKeyDown={(e) => {
        if (e.key === 'Escape' && expanded) {
          e.stopPropagation();
          setExpanded(false);
          button.current?.focus();
        }
      }}
    >
      <button
        ref={button}
        type="button"
        className="tool-button menu__button"
        aria-expanded={expanded}
        aria-controls={`${id}-list`}
        onPointerEnter={prefetch}
        onFocus={prefetch}
        onClick={() => setExpanded((on) => !on)}
      >
        {t('export.menu')}
        <span className="menu__caret" aria-hidden="true" />
      </button>
      <ul id={`${id}-list`} className="menu__list" hidden={!expanded}>
        <li>
          <button type="button" className="menu__item commitments-button" onClick={() => open('commitments')}>
            {t('commitments.open')}
          </button>
        </li>
        <li>
          <button type="button" className="menu__item plan-print-button" onClick={() => open('planPrint')}>
            {t('planPrint.open')}
          </button>
        </li>
        {files.map((f) => (
          <li key={f.href}>
            <a className="menu__item" href={f.href} download onClick={() => setExpanded(false)}>
              {f.label}
            </a>
          </li>
        ))}
      </ul>
      {panel && <LazyPanel key={panel} section={panel} onClose={closePanel} />}
    </div>
  );
}

function LazyPanel({ section, onClose }: { section: Section; onClose: () => void }) {
  const { t } = useTranslation();
  // React.lazy keeps a failed load (offline): a retry needs a new lazy component.
  const [{ attempt, Panel }, setLoader] = useState<{ attempt: number; Panel: LazyExoticComponent<Panel> }>(() => ({ attempt: 0, Panel: lazy(LOADERS[section]) }));
  const labels =
    section === 'commitments'
      ? { loading: t('commitments.loading'), failed: t('commitments.loadFailed'), retry: t('commitments.retry'), close: t('commitments.close') }
      : { loading: t('planPrint.loading'), failed: t('planPrint.loadFailed'), retry: t('planPrint.retry'), close: t('planPrint.close') };
  return (
    <LoadBoundary
      key={attempt}
      message={labels.failed}
      retryLabel={labels.retry}
      closeLabel={labels.close}
      onRetry={() => setLoader((l) => ({ attempt: l.attempt + 1, Panel: lazy(LOADERS[section]) }))}
      onClose={onClose}
    >
      <Suspense
        fallback={
          <span className="setup-loading" role="status">
            {labels.loading}
          </span>
        }
      >
        <Panel onClose={onClose} />
      </Suspense>
    </LoadBoundary>
  );
}
