/**
 * "Pregled obaveza": the commitments matrix in a modal dialog, for every link (a lazy chunk,
 * PlanButtons). It follows the board live; in projector mode it fills the screen in large type.
 */
import { useEffect, useId, useRef } from 'react';
import { createPortal } from 'react-dom';
import { useTranslation } from 'react-i18next';
import { useBoard } from '@tabla/plan-react';
import { useProjector } from '../facilitation/context.js';
import { useSession } from '../ui/context.js';
import { CommitmentsMatrix } from './CommitmentsMatrix.js';

export default function CommitmentsPanel({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const session = useSession();
  const board = useBoard(session.doc);
  const { projector } = useProjector();
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();

  useEffect(() => {
    const dialog = ref.current;
    // jsdom has no showModal; every browser the board supports has.
    if (dialog && !dialog.open && typeof dialog.showModal === 'function') dialog.showModal();
  }, []);

  return createPortal(
    <dialog
      ref={ref}
      className={`dialog commitments-dialog${projector ? ' commitments-dialog--projector' : ''}`}
      aria-labelledby={`${id}-title`}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <div className="setup__head">
        <h2 id={`${id}-title`}>{t('commitments.heading')}</h2>
        <button type="button" className="setup__close" onClick={onClose}>
          {t('commitments.close')}
        </button>
      </div>
      <p className="commitments__note">{t('commitments.note')}</p>
      <CommitmentsMatrix board={board} captionId={`${id}-title`} />
    </dialog>,
    document.body,
  );
}
