/**
 * Short notices in view: why something this person tried was not done (a drop on a locked lane),
 * or what just happened with a way back ("Aktivnost obrisana" · "Poništi"). Any component says one
 * through `useNotify()`; the provider shows them at the bottom of the window and tells screen
 * readers through a polite live region. Each goes after a few seconds (not while the pointer or
 * the focus is on it), or when closed.
 */
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import './notices.css';

export interface Notice {
  readonly message: string;
  /** A button on the notice ("Poništi"): runs once, and the notice goes. */
  readonly action?: { readonly label: string; readonly run: () => void };
  /** 'refusal': something this person tried was not done; 'info' (default): something that happened. */
  readonly tone?: 'info' | 'refusal';
  /** Already said to screen readers another way (dnd-kit announces a drop): shown, not announced again. */
  readonly quiet?: boolean;
  /**
   * Focus the notice's action as it appears: where the focus would otherwise be lost (the dialog
   * of an activity just deleted closed, and its card with it).
   */
  readonly focus?: boolean;
}

export type Notify = (notice: Notice) => void;

/** How long a notice stays: long enough to read it, longer with a button to reach. */
export const NOTICE_MS = 6_000;
export const NOTICE_WITH_ACTION_MS = 10_000;
/** More at once would cover the board: the oldest goes. */
const MAX_SHOWN = 3;

/** Outside a provider (component tests), notices go nowhere. */
const NoticesContext = createContext<Notify>(() => {});

export const useNotify = (): Notify => useContext(NoticesContext);

interface Shown extends Notice {
  readonly id: number;
}

export function NoticesProvider({ children }: { children: ReactNode }) {
  const [shown, setShown] = useState<readonly Shown[]>([]);
  const nextId = useRef(1);
  const notify = useCallback<Notify>((notice) => {
    const id = nextId.current++;
    setShown((list) => [...list, { ...notice, id }].slice(-MAX_SHOWN));
  }, []);
  const dismiss = useCallback((id: number) => setShown((list) => list.filter((n) => n.id !== id)), []);
  return (
    <NoticesContext.Provider value={notify}>
      {children}
      <NoticeList notices={shown} onDismiss={dismiss} />
    </NoticesContext.Provider>
  );
}

/**
 * The notices: those to read out in a polite live region (there from the start, or the first one
 * would not be read), those already said another way beside it.
 */
export function NoticeList({ notices, onDismiss }: { notices: readonly Shown[]; onDismiss: (id: number) => void }) {
  const { t } = useTranslation();
  const spoken = useMemo(() => notices.filter((n) => !n.quiet), [notices]);
  const quiet = useMemo(() => notices.filter((n) => n.quiet), [notices]);
  return (
    <div className="toasts">
      <div className="toasts__list" role="status" aria-live="polite" aria-label={t('notices.region')}>
        {spoken.map((n) => (
          <Toast key={n.id} notice={n} onDismiss={onDismiss} />
        ))}
      </div>
      {quiet.length > 0 && (
        <div className="toasts__list">
          {quiet.map((n) => (
            <Toast key={n.id} notice={n} onDismiss={onDismiss} />
          ))}
        </div>
      )}
    </div>
  );
}

function Toast({ notice, onDismiss }: { notice: Shown; onDismiss: (id: number) => void }) {
  const { t } = useTranslation();
  const { id, message, action, tone = 'info', focus } = notice;
  const [held, setHeld] = useState({ pointer: false, focus: false });
  const actionRef = useRef<HTMLButtonElement>(null);
  // Time left, kept across holds: a notice read with the pointer on it does not start over.
  const left = useRef(action ? NOTICE_WITH_ACTION_MS : NOTICE_MS);
  const paused = held.pointer || held.focus;

  useEffect(() => {
    if (paused) return;
    const started = Date.now();
    const timer = setTimeout(() => onDismiss(id), left.current);
    return () => {
      clearTimeout(timer);
      left.current = Math.max(1_000, left.current - (Date.now() - started));
    };
  }, [paused, id, onDismiss]);

  useEffect(() => {
    if (focus) actionRef.current?.focus();
  }, [focus]);

  return (
    <div
      className={`toast toast--${tone}`}
      data-tone={tone}
      onMouseEnter={() => setHeld((h) => ({ ...h, pointer: true }))}
      onMouseLeave={() => setHeld((h) => ({ ...h, pointer: false }))}
      onFocus={() => setHeld((h) => ({ ...h, focus: true }))}
      onBlur={(e) => {
        if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setHeld((h) => ({ ...h, focus: false }));
      }}
      onKeyDown={(e) => {
        if (e.key !== 'Escape') return;
        e.stopPropagation();
        onDismiss(id);
      }}
    >
      <p className="toast__message">{message}</p>
      {action && (
        <button
          ref={actionRef}
          type="button"
          className="toast__action"
          onClick={() => {
            onDismiss(id);
            action.run();
          }}
        >
          {action.label}
        </button>
      )}
      <button type="button" className="toast__close" aria-label={t('notices.dismiss')} title={t('notices.dismiss')} onClick={() => onDismiss(id)}>
        <span aria-hidden="true">×</span>
      </button>
    </div>
  );
}
