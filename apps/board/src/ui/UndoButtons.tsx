import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { dropUndoStep, undoStepProblems } from '@tabla/plan-model';
import { useUndoState } from '@tabla/plan-react';
import { useSession, useSessionState } from './context.js';
import { accessOf } from './permissions.js';

/** Is the keystroke meant for a text field's own undo? */
const inTextField = (target: EventTarget | null) =>
  target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));

/** Undo / redo of one's own changes: buttons, and Ctrl+Z / Ctrl+Shift+Z (Ctrl+Y) anywhere on the board. */
export function UndoButtons() {
  const { t } = useTranslation();
  const session = useSession();
  const { undoManager } = session;
  const { canUndo, canRedo } = useUndoState(undoManager);
  const { role, municipalityId } = useSessionState();
  const [blocked, setBlocked] = useState<'undo' | 'redo' | null>(null);

  /**
   * One step, unless the server would refuse it (its own judge, the write policy: for a coordinator,
   * something locked since, or another municipality's activity brought back).
   */
  const step = useCallback(
    (which: 'undo' | 'redo') => {
      const access = accessOf({ role, municipalityId });
      if (!access || undoStepProblems(session.doc, undoManager, which, access).length > 0) return setBlocked(which);
      setBlocked(null);
      if (which === 'undo') undoManager.undo();
      else undoManager.redo();
    },
    [role, municipalityId, session.doc, undoManager],
  );

  // A new step (or any change of the stacks) makes an earlier refusal stale.
  useEffect(() => {
    const clear = () => setBlocked(null);
    undoManager.on('stack-item-added', clear);
    undoManager.on('stack-cleared', clear);
    return () => {
      undoManager.off('stack-item-added', clear);
      undoManager.off('stack-cleared', clear);
    };
  }, [undoManager]);

  useEffect(() => {
    const onKeyDown = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || e.altKey || inTextField(e.target) || document.querySelector('dialog[open]')) return;
      const key = e.key.toLowerCase();
      if (key === 'z' && !e.shiftKey) step('undo');
      else if ((key === 'z' && e.shiftKey) || key === 'y') step('redo');
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [step]);

  return (
    <div className="undo" role="group" aria-label={t('undo.toolbar')}>
      <button type="button" onClick={() => step('undo')} disabled={!canUndo} title={t('undo.undoHint')} aria-keyshortcuts="Control+Z">
        ↶ {t('undo.undo')}
      </button>
      <button type="button" onClick={() => step('redo')} disabled={!canRedo} title={t('undo.redoHint')} aria-keyshortcuts="Control+Shift+Z">
        ↷ {t('undo.redo')}
      </button>
      <p className="undo__blocked" role="status">
        {blocked === 'undo' ? t('undo.blockedUndo') : blocked === 'redo' ? t('undo.blockedRedo') : null}
      </p>
      {blocked && (
        // The step stays refused; setting it aside brings the older ones within reach.
        <button
          type="button"
          onClick={() => {
            dropUndoStep(session.doc, undoManager, blocked);
            setBlocked(null);
          }}
        >
          {t('undo.skip')}
        </button>
      )}
    </div>
  );
}
