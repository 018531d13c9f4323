/**
 * "Pregled obaveza": the commitments matrix in a modal dialog, for every link (a lazy chunk,
 * PlanMenu). It follows the board live; in projector mode it fills the screen in large type.
 */
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { useBoard } from '@tabla/plan-react';
import { useProjector } from '../facilitation/context.js';
import { PanelDialog } from '../ui/PanelDialog.js';
import { useSession } from '../ui/context.js';
import { CommitmentsMatrix } from './CommitmentsMatrix.js';

export default function CommitmentsPanel({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const session = useSession();
  const board = useBoard(session.doc);
  const { projector } = useProjector();
  const id = useId();


  return (
    <PanelDialog className={`dialog commitments-dialog${projector ? ' commitments-dialog--projector' : ''}`} titleId={`${id}-title`} title={t('commitments.heading')} closeLabel={t('commitments.close')} onClose={onClose}>
      <p className="commitments__note">{t('commitments.note')}</p>
      <CommitmentsMatrix board={board} captionId={`${id}-title`} />
    </PanelDialog>
  );
}
