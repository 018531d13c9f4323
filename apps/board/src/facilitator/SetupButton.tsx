/**
 * The header's "Postavke table" button, for the facilitator only. The panel itself is a
 * separate chunk (React.lazy + dynamic import), fetched on the first click: coordinators'
 * laptops on the venue Wi-Fi never download it.
 */
import { Component, type ErrorInfo, lazy, type ReactNode, Suspense, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
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

interface LoadBoundaryProps {
  readonly children: ReactNode;
  readonly message: string;
  readonly retryLabel: string;
  readonly closeLabel: string;
  readonly onRetry: () => void;
  readonly onClose: () => void;
}

/** The panel's chunk could not be fetched (no network): say so beside the button, offer a retry. */
export class LoadBoundary extends Component<LoadBoundaryProps, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    console.warn('facilitator panel failed', error, info.componentStack);
  }

  override render(): ReactNode {
    if (!this.state.failed) return this.props.children;
    return (
      <span className="setup-loading" role="alert">
        {this.props.message}{' '}
        <button type="button" className="link-button" onClick={this.props.onRetry}>
          {this.props.retryLabel}
        </button>{' '}
        <button type="button" className="link-button" onClick={this.props.onClose}>
          {this.props.closeLabel}
        </button>
      </span>
    );
  }
}
