/**
 * The facilitator's choice of what every projector shows: the board, or the commitments matrix
 * ("Pregled obaveza"). One shared key (`facilitation.wallView`), so every projector screen follows.
 */
import { useTranslation } from 'react-i18next';
import { setWallView } from '@tabla/plan-model';
import { useBoard } from '@tabla/plan-react';
import { useSession } from '../ui/context.js';
import './wall-view.css';

export function WallViewToggle({ className }: { className: string }) {
  const { t } = useTranslation();
  const session = useSession();
  const matrix = useBoard(session.doc).facilitation.wallView === 'matrix';
  return (
    <button type="button" className={className} aria-pressed={matrix} onClick={() => setWallView(session.doc, matrix ? null : 'matrix')}>
      {t('commitments.onProjector')}
    </button>
  );
}
