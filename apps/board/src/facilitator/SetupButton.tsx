/**
 * The header's "Postavke table" button, for the facilitator only. The panel itself is a
 * separate chunk (React.lazy + dynamic import), fetched on the first click: coordinators'
 * laptops on the venue Wi-Fi never download it.
 */
import { lazy, Suspense, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { LoadBoundary } from '../ui/LoadBoundary.js';
import { usePermission } from '../ui/permissions.js';

const loadPanel = () => import('./SetupPanel.js');

export function SetupButton() {
  const { t } = useTranslation();
  // The board's settings are the facilitator's: the write policy's answer, as the server's.
  const managesBoard = usePermission((p) => p.canManageBoard);
  const [open, setOpen] = useState(false);
  // React.lazy keeps a failed load (offline): a retry needs a new lazy component.
  const [{ attempt, Panel }, setLoader] = useState(() => ({ attempt: 0, Panel: lazy(loadPanel) }));
  const button = useRef<HTMLButtonElement>(null);

  if (!managesBoard) return null;

  const close = () => {
    setOpen(false);
    // The dialog is unmounted, not closed: give focus back to where it came from.
    requestAnimationFrame(() => button.current?.focus());
  };

  return (
    <>
      <button ref={button} type="button" className="setup-button" aria-haspopup="dialog" onClick={() => setOpen(true)}>
        <span aria-hidden="true">⚙ </span>
        {t('setup.open')}
      </button>
      {open && (
        <LoadBoundary
          key={attempt}
          message={t('setup.loadFailed')}
          retryLabel={t('setup.retry')}
          closeLabel={t('setup.close')}
          onRetry={() => setLoader((l) => ({ attempt: l.attempt + 1, Panel: lazy(loadPanel) }))}
          onClose={close}
        >
          <Suspense
            fallback={
              <span className="setup-loading" role="status">
                {t('setup.loading')}
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
