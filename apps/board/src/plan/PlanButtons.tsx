/**
 * The header's "Pregled obaveza" and "Plan aktivnosti (štampa)" buttons, for every link. Both
 * views are separate chunks (with the print model of @tabla/plan-export/model), fetched when the
 * pointer comes near a button or it gets focus, never on a plain page load.
 */
import { type ComponentType, lazy, type LazyExoticComponent, Suspense, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { LoadBoundary } from '../facilitator/SetupButton.js';

type Panel = ComponentType<{ onClose: () => void }>;

const loadCommitments = () => import('./CommitmentsPanel.js');
const loadPrint = () => import('./PlanPrintView.js');

export function PlanButtons() {
  return (
    <>
      <LazyPanelButton section="commitments" load={loadCommitments} className="commitments-button" />
      <LazyPanelButton section="planPrint" load={loadPrint} className="plan-print-button" />
    </>
  );
}

function LazyPanelButton({ section, load, className }: { section: 'commitments' | 'planPrint'; load: () => Promise<{ default: Panel }>; className: string }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  // React.lazy keeps a failed load (offline): a retry needs a new lazy component.
  const [{ attempt, Panel }, setLoader] = useState<{ attempt: number; Panel: LazyExoticComponent<Panel> }>(() => ({ attempt: 0, Panel: lazy(load) }));
  const button = useRef<HTMLButtonElement>(null);
  const prefetch = () => {
    load().catch(() => {}); // the click tries again, and says so if it fails
  };
  const close = () => {
    setOpen(false);
    requestAnimationFrame(() => button.current?.focus());
  };
  const labels =
    section === 'commitments'
      ? { open: t('commitments.open'), loading: t('commitments.loading'), failed: t('commitments.loadFailed'), retry: t('commitments.retry'), close: t('commitments.close') }
      : { open: t('planPrint.open'), loading: t('planPrint.loading'), failed: t('planPrint.loadFailed'), retry: t('planPrint.retry'), close: t('planPrint.close') };

  return (
    <>
      <button
        ref={button}
        type="button"
        className={`setup-button ${className}`}
        aria-haspopup="dialog"
        onPointerEnter={prefetch}
        onFocus={prefetch}
        onClick={() => setOpen(true)}
      >
        {labels.open}
      </button>
      {open && (
        <LoadBoundary
          key={attempt}
          message={labels.failed}
          retryLabel={labels.retry}
          closeLabel={labels.close}
          onRetry={() => setLoader((l) => ({ attempt: l.attempt + 1, Panel: lazy(load) }))}
          onClose={close}
        >
          <Suspense
            fallback={
              <span className="setup-loading" role="status">
                {labels.loading}
              </span>
            }
          >
            <Panel onClose={close} />
          </Suspense>
        </LoadBoundary>
      )}
    </>
  );
}
