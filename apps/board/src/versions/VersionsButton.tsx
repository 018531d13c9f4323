/**
 * The header's "Verzije" button, for every link (anyone reads the saved versions; the facilitator
 * also saves and restores). The panel is a separate chunk, fetched when the pointer comes near
 * the button or it gets focus (so a click rarely waits), never on a plain page load.
 */
import { lazy, Suspense, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { LoadBoundary } from '../ui/LoadBoundary.js';

const loadPanel = () => import('./VersionsPanel.js');

export function VersionsButton() {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  // React.lazy keeps a failed load (offline): a retry needs a new lazy component.
  const [{ attempt, Panel }, setLoader] = useState(() => ({ attempt: 0, Panel: lazy(loadPanel) }));
  const button = useRef<HTMLButtonElement>(null);
  const prefetch = () => {
    loadPanel().catch(() => {}); // the click tries again, and says so if it fails
  };

  const close = () => {
    setOpen(false);
    requestAnimationFrame(() => button.current?.focus());
  };

  return (
    <>
      <button
        ref={button}
        type="button"
        className="setup-button versions-button"
        aria-haspopup="dialog"
        onPointerEnter={prefetch}
        onFocus={prefetch}
        onClick={() => setOpen(true)}
      >
        {t('versions.open')}
      </button>
      {open && (
        <LoadBoundary
          key={attempt}
          message={t('versions.loadFailed')}
          retryLabel={t('versions.retry')}
          closeLabel={t('versions.close')}
          onRetry={() => setLoader((l) => ({ attempt: l.attempt + 1, Panel: lazy(loadPanel) }))}
          onClose={close}
        >
          <Suspense
            fallback={
              <span className="setup-loading" role="status">
                {t('versions.loading')}
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
