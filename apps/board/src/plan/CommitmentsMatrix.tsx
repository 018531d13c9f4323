/**
 * "Pregled obaveza" on screen: municipalities x priority areas, how many activities each leads
 * (nosilac) and joins (partner), from the print model's `commitmentsMatrix`, so the screen, the
 * PDF and the print view count alike. Gaps are marked by a sign and a word, not by colour alone.
 * Used in the header's dialog and, when chosen, on the projector (sizes follow the screen).
 */
import type { CSSProperties } from 'react';
import { useTranslation } from 'react-i18next';
import type { BoardView } from '@tabla/plan-model';
import { commitmentsMatrix } from '@tabla/plan-export/model';
import { useProjector } from '../facilitation/context.js';
import './plan.css';

export function CommitmentsMatrix({ board, captionId }: { board: BoardView; captionId?: string }) {
  const { t } = useTranslation();
  const { codes } = useProjector();
  const m = commitmentsMatrix(board);
  if (m.lanes.length === 0 || m.municipalities.length === 0) return <p className="commitments__empty">{t('commitments.empty')}</p>;
  const withoutLead = new Set<string>(m.lanesWithoutLead);
  return (
    <div className="commitments__scroll">
      <table className="commitments" aria-labelledby={captionId}>
        <thead>
          <tr>
            <th scope="col">{t('commitments.municipality')}</th>
            {m.lanes.map((lane) => (
              <th key={lane.id} scope="col" className={withoutLead.has(lane.id) ? 'commitments__lane commitments__lane--no-lead' : 'commitments__lane'}>
                <span className="commitments__lane-title">{lane.title}</span>
                {withoutLead.has(lane.id) && <span className="commitments__no-lead">⚠ {t('commitments.noLead')}</span>}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {m.municipalities.map((mun, i) => (
            <tr key={mun.id}>
              <th scope="row" className="commitments__muni">
                <span className="swatch" aria-hidden="true" style={{ background: board.municipalityById.get(mun.id)?.color } as CSSProperties} />
                {codes?.get(mun.id) && (
                  <span className="muni-code" aria-hidden="true">
                    {codes.get(mun.id)}
                  </span>
                )}
                {mun.name}
              </th>
              {m.cells[i]!.map((cell, j) =>
                cell.leads + cell.joins === 0 ? (
                  <td key={m.lanes[j]!.id} className="commitments__cell commitments__cell--gap" data-gap="true">
                    <span aria-hidden="true">—</span>
                    <span className="visually-hidden">{t('commitments.gap')}</span>
                  </td>
                ) : (
                  <td key={m.lanes[j]!.id} className="commitments__cell">
                    <span className="visually-hidden">{t('commitments.cell', { leads: cell.leads, joins: cell.joins })}</span>
                    <span aria-hidden="true" className="commitments__counts">
                      <span className={cell.leads > 0 ? 'commitments__leads' : 'commitments__zero'}>
                        <strong>{cell.leads}</strong> {t('commitments.leads')}
                      </span>
                      <span className={cell.joins > 0 ? 'commitments__joins' : 'commitments__zero'}>
                        <strong>{cell.joins}</strong> {t('commitments.joins')}
                      </span>
                    </span>
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
      <p className="commitments__summary">{t('commitments.gaps', { count: m.gaps.length })}</p>
    </div>
  );
}
