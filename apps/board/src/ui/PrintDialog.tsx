/**
 * The shell of the print-only views (the plan, the room kit's sheet): a full-page dialog in a portal
 * with a bar (its title, what the view adds, "print" and "close") above what gets printed. While it
 * is open, `printingClass` is on <html>, so the view's `@media print` rules print it alone. Its title
 * takes the focus when it opens; Escape closes it through `onClose`.
 */
import { createContext, type ReactNode, type RefObject, useContext, useEffect, useId, useRef } from 'react';
import { createPortal } from 'react-dom';

export interface PrintDialogProps {
  /** The view's class; its bar is `${className}__bar` and its print button `${className}__print`. */
  readonly className: string;
  /** Set on <html> while open: the view's print CSS hides the rest of the page under it. */
  readonly printingClass: string;
  /** The bar's content before the buttons: a `PrintDialogTitle` and whatever the view adds. */
  readonly bar: ReactNode;
  readonly printLabel: string;
  readonly closeLabel: string;
  readonly onClose: () => void;
  /** What gets printed. */
  readonly children: ReactNode;
}

const TitleContext = createContext<{ id: string; ref: RefObject<HTMLHeadingElement | null> } | null>(null);

export function PrintDialog({ className, printingClass, bar, printLabel, closeLabel, onClose, children }: PrintDialogProps) {
  const titleId = useId();
  const titleRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    const root = document.documentElement;
    root.classList.add(printingClass);
    titleRef.current?.focus();
    return () => root.classList.remove(printingClass);
  }, [printingClass]);

  return createPortal(
    <div
      className={className}
      role="dialog"
      aria-modal="true"
      aria-labelledby={titleId}
      onKeyDown={(e) => {
        if (e.key === 'Escape') onClose();
      }}
    >
      <div className={`${className}__bar`}>
        <TitleContext.Provider value={{ id: titleId, ref: titleRef }}>{bar}</TitleContext.Provider>
        <button type="button" className={`${className}__print`} onClick={() => window.print()}>
          {printLabel}
        </button>
        <button type="button" className="setup__close" onClick={onClose}>
          {closeLabel}
        </button>
      </div>
      {children}
    </div>,
    document.body,
  );
}

/** The dialog's title (its accessible name, focused when it opens): inside a `PrintDialog`'s bar. */
export function PrintDialogTitle({ children }: { children: ReactNode }) {
  const title = useContext(TitleContext);
  if (!title) throw new Error('PrintDialogTitle outside a PrintDialog bar');
  return (
    <h2 id={title.id} ref={title.ref} tabIndex={-1}>
      {children}
    </h2>
  );
}
