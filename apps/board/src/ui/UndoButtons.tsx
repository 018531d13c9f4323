import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useUndoState } from '@tabla/plan-react';
import { useSession } from './context.js';

/** Is the keystroke meant for a text field's own undo? */
const inTextField = (target: EventTarget | null) =>
  target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));

/** Undo / redo of one's own changes: buttons, and Ctrl+Z / Ctrl+Shift+Z (Ctrl+Y) anywhere on the board. */
export function UndoButtons() {
  const { t } = useTranslation();
  const { undoManager } = useSession();
  const { canUndo, canRedo } = useUndoState(undoManager);

  useEffect(() => {
    const onKeyDown = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey || inTextField(e.target) || document.querySelector('dialog[open]')) return;
      const key = e.key.toLowerCase();
      if (key === 'z' && !e.shiftKey) undoManager.undo();
      else if ((key === 'z' && e.shiftKey) || key === 'y') undoManager.redo();
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [undoManager]);

  return (
    <div className="undo" role="group" aria-label={t('undo.toolbar')}>
      <button type="button" onClick={() => undoManager.undo()} disabled={!canUndo} title={t('undo.undoHint')} aria-keyshortcuts="Control+Z">
        ↶ {t('undo.undo')}
      </button>
      <button type="button" onClick={() => undoManager.redo()} disabled={!canRedo} title={t('undo.redoHint')} aria-keyshortcuts="Control+Shift+Z">
        ↷ {t('undo.redo')}
      </button>
    </div>
  );
}
