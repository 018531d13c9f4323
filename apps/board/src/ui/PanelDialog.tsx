/**
 * The shell of the board's large panels (set-up, versions, commitments): a modal <dialog> in a
 * portal, opened on mount, with a title and a close button; Escape closes it through `onClose`.
 */
import { type ReactNode, useEffect, useRef } from 'react';
import { createPortal } from 'react-dom';

export interface PanelDialogProps {
  readonly className: string;
  /** The id of the title (the dialog's accessible name; a table inside may use it as its caption). */
  readonly titleId: string;
  readonly title: string;
  readonly closeLabel: string;
  readonly onClose: () => void;
  readonly children: ReactNode;
}

export function PanelDialog({ className, titleId, title, closeLabel, onClose, children }: PanelDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    // jsdom has no showModal; every browser the board supports has.
    if (dialog && !dialog.open && typeof dialog.showModal === 'function') dialog.showModal();
  }, []);
  return createPortal(
    <dialog
      ref={ref}
      className={className}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <div className="setup__head">
        <h2 id={titleId}>{title}</h2>
        <button type="button" className="setup__close" onClick={onClose}>
          {closeLabel}
        </button>
      </div>
      {children}
    </dialog>,
    document.body,
  );
}
