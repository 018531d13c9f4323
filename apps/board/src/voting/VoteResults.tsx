/**
 * "Rezultati glasanja": the revealed vote's frozen, sorted results, for everyone (viewers and the
 * projector too), in type large enough to read from the back of the room in projector view.
 */
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type BoardView, currentVote } from '@tabla/plan-model';
import { rankResults } from './vote-view.js';
import { useScopeName } from './VoteToolbar.js';

/** The first lines shown; the rest behind "Prikaži sve" (not in projector view: the top is what the room discusses). */
const SHOWN = 10;

export function VoteResults({ board, projector }: { board: BoardView; projector: boolean }) {
  const { t } = useTranslation();
  const id = useId();
  const scopeName = useScopeName(board);
  const [all, setAll] = useState(false);
  const vote = currentVote(board.votes);
  if (!vote || vote.state !== 'revealed') return null;
  const ranked = rankResults(vote.results ?? []);
  const shown = all && !projector ? ranked : ranked.slice(0, SHOWN);
  return (
    <section className="vote-results" aria-labelledby={`${id}-title`} data-testid="vote-results">
      <div className="vote-results__head">
        <h2 id={`${id}-title`} className="vote-results__title">
          {t('vote.results')}
        </h2>
        <p className="vote-results__scope">
          {/* What the vote was, not live counts: the results are frozen at the reveal. */}
          {scopeName(vote.laneId)} · {t('vote.dotsEach', { count: vote.dots })}
        </p>
      </div>
      {ranked.length === 0 ? (
        <p className="vote-results__empty">{t('vote.noResults')}</p>
      ) : (
        <table className="vote-results__table" aria-labelledby={`${id}-title`}>
          <thead>
            <tr>
              <th scope="col">{t('vote.rank')}</th>
              <th scope="col">{t('vote.activity')}</th>
              <th scope="col">{t('vote.dots')}</th>
              <th scope="col">{t('vote.municipalities')}</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <tr key={r.activityId} data-activity-id={r.activityId}>
                <td className="vote-results__rank">{r.rank}.</td>
                <th scope="row" className="vote-results__activity">
                  {r.title}
                </th>
                <td className="vote-results__dots">{r.dots}</td>
                <td className="vote-results__municipalities">{r.municipalities}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {!projector && ranked.length > SHOWN && (
        <button type="button" className="link-button vote-results__more" onClick={() => setAll(!all)}>
          {all ? t('vote.showTop', { count: SHOWN }) : t('vote.showAll', { count: ranked.length })}
        </button>
      )}
    </section>
  );
}
