/**
 * "Završi plan" (PM29) and the backup link, in the facilitator's set-up panel.
 *
 * The gaps of the plan (`finaliseProblems`) are listed with a link to each card. With gaps, the
 * facilitator may still mark the plan agreed, but only after ticking that they do so knowingly (a
 * room often agrees a plan and fills in a responsible person later). Marking it agreed saves a
 * version through the versions API and locks the board (`agreePlan`); if the server keeps no
 * versions (404) or cannot be reached, the board is locked anyway and the panel says so.
 */
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { agreePlan, type BoardView, finaliseProblems } from '@tabla/plan-model';
import { useSession } from '../ui/context.js';
import type { Announce } from './announce.js';

type Fetch = (input: string, init: RequestInit) => Promise<Response>;

export type VersionSave = 'saved' | 'unsupported' | 'failed';

/** Saves a named version of the board (`POST /api/boards/:id/versions?token=`). */
export async function saveNamedVersion(boardId: string, token: string, name: string, by: string, fetchFn: Fetch = (i, init) => fetch(i, init)): Promise<VersionSave> {
  try {
    const res = await fetchFn(`/api/boards/${encodeURIComponent(boardId)}/versions?token=${encodeURIComponent(token)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ name, by }),
      cache: 'no-store',
    });
    if (res.status === 404) return 'unsupported';
    return res.ok ? 'saved' : 'failed';
  } catch {
    return 'failed';
  }
}

/** Brings a card into view and gives it focus (Enter then opens it). */
function showCard(activityId: string) {
  const card = [...document.querySelectorAll<HTMLElement>('[data-activity-id]')].find((el) => el.dataset.activityId === activityId);
  card?.scrollIntoView({ block: 'center', behavior: 'smooth' });
  card?.focus();
}

export function FinaliseSettings({ board, announce, onClose, fetchFn }: { board: BoardView; announce: Announce; onClose: () => void; fetchFn?: Fetch }) {
  const { t } = useTranslation();
  const session = useSession();
  const id = useId();
  const gaps = finaliseProblems(board);
  const [despiteGaps, setDespiteGaps] = useState(false);
  const [busy, setBusy] = useState(false);
  const locked = board.meta.locked;

  const agree = async () => {
    setBusy(true);
    const name = t('finalise.versionName');
    // The version first, so it holds the plan as agreed (its snapshot is the server's board now).
    const saved = await saveNamedVersion(session.link.boardId, session.link.token, name, t('role.facilitator'), fetchFn);
    agreePlan(session.doc);
    setBusy(false);
    setDespiteGaps(false);
    announce(saved === 'saved' ? t('finalise.agreed', { name }) : saved === 'unsupported' ? t('finalise.noVersions', { name }) : t('finalise.versionFailed', { name }));
  };

  const open = (activityId: string) => {
    onClose();
    // After the panel is gone (its dialog held the focus).
    setTimeout(() => showCard(activityId), 0);
  };

  return (
    <section className="setup__section finalise" aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>{t('finalise.heading')}</h3>
      <p className="setup__hint">{t('finalise.intro')}</p>
      {gaps.length === 0 ? (
        <p className="setup__state">{t('finalise.complete')}</p>
      ) : (
        <>
          <p className="setup__state">{t('finalise.gaps', { count: gaps.length })}</p>
          <ul className="finalise__gaps">
            {gaps.map((gap) => (
              <li key={gap.activityId}>
                <a
                  href={`#${gap.activityId}`}
                  onClick={(e) => {
                    e.preventDefault();
                    open(gap.activityId);
                  }}
                >
                  {gap.title}
                </a>{' '}
                <span className="finalise__missing">{t('finalise.missing', { fields: gap.missing.map((f) => t(`finalise.field.${f}`)).join(', ') })}</span>
              </li>
            ))}
          </ul>
        </>
      )}
      {locked ? (
        <p className="setup__state">{t('finalise.locked')}</p>
      ) : (
        <>
          {gaps.length > 0 && (
            <label className="check">
              <input type="checkbox" checked={despiteGaps} onChange={(e) => setDespiteGaps(e.target.checked)} /> {t('finalise.confirmGaps')}
            </label>
          )}
          <button type="button" className="primary" disabled={busy || (gaps.length > 0 && !despiteGaps)} onClick={() => void agree()}>
            {t('finalise.agree')}
          </button>
        </>
      )}
    </section>
  );
}

/** The board as one file (`GET /api/boards/:id/backup.json`), with the facilitator's own link. */
export function BackupSettings() {
  const { t } = useTranslation();
  const session = useSession();
  const id = useId();
  const href = `/api/boards/${encodeURIComponent(session.link.boardId)}/backup.json?token=${encodeURIComponent(session.link.token)}`;
  return (
    <section className="setup__section" aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>{t('backup.heading')}</h3>
      <a className="button" href={href} download>
        {t('backup.download')}
      </a>
      <p className="setup__hint">{t('backup.hint')}</p>
    </section>
  );
}
