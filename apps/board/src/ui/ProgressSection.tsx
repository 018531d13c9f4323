/**
 * "Napredak": an activity's progress notes, oldest first, and a form to add one (PM30). A note is
 * appended, never overwritten; it may set the activity's status and say a percentage. Offered to
 * whom the write policy allows (`canAddProgressNote`): also on a locked plan.
 */
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type Activity, addProgressNote, type BoardView, LIMITS, type MunicipalityId, STATUSES, type Status } from '@tabla/plan-model';
import { useSession, useSessionState } from './context.js';
import { formatDate } from './date-format.js';
import { permissionsOf } from './permissions.js';

export function ProgressSection({ activity, board }: { activity: Activity; board: BoardView }) {
  const { t, i18n } = useTranslation();
  const session = useSession();
  const state = useSessionState();
  const id = useId();
  const [text, setText] = useState('');
  const [percent, setPercent] = useState('');
  const [status, setStatus] = useState<Status | ''>('');
  const [error, setError] = useState<string | null>(null);
  const live = board.activityById.get(activity.id) ?? activity;
  const notes = live.progress ?? [];
  const canAdd = board.activityById.has(activity.id) && permissionsOf(state, board).canAddProgressNote(activity.id);

  const add = () => {
    const trimmed = text.trim();
    if (!trimmed) return setError(t('progress.textRequired'));
    const n = percent.trim() === '' ? undefined : Number(percent);
    if (n !== undefined && !(Number.isInteger(n) && n >= 0 && n <= 100)) return setError(t('progress.percentInvalid'));
    if (notes.length >= LIMITS.progressNotes) return setError(t('progress.full', { max: LIMITS.progressNotes }));
    addProgressNote(session.doc, activity.id, {
      text: trimmed,
      ...(n !== undefined ? { percent: n } : {}),
      ...(status ? { status } : {}),
      by: (state.municipalityId ?? null) as MunicipalityId | null,
    });
    setText('');
    setPercent('');
    setStatus('');
    setError(null);
  };

  return (
    <section className="progress" aria-labelledby={`${id}-h`}>
      <h3 id={`${id}-h`}>{t('progress.heading')}</h3>
      {notes.length === 0 ? (
        <p className="progress__empty">{t('progress.none')}</p>
      ) : (
        <ol className="progress__list">
          {notes.map((note) => (
            <li key={note.id} className="progress__note">
              <p className="progress__meta">
                <time dateTime={new Date(note.at).toISOString()}>{formatDate(i18n.language, note.at)}</time>
                {' · '}
                {note.by ? (board.municipalityById.get(note.by)?.name ?? note.by) : t('progress.byGeneral')}
                {note.status && <> · {t(`status.${note.status}`)}</>}
                {note.percent !== undefined && <> · {t('progress.percentValue', { percent: note.percent })}</>}
              </p>
              <p className="progress__text">{note.text}</p>
            </li>
          ))}
        </ol>
      )}
      {canAdd && (
        <div className="progress__form" role="group" aria-label={t('progress.add')}>
          {error && (
            <p role="alert" className="form-error">
              {error}
            </p>
          )}
          <label className="field">
            <span>{t('progress.text')}</span>
            <textarea name="progressText" rows={2} maxLength={LIMITS.progressText} value={text} onChange={(e) => setText(e.target.value)} />
          </label>
          <div className="field-row">
            <label className="field">
              <span>{t('progress.percent')}</span>
              <input name="progressPercent" type="number" min={0} max={100} step={1} inputMode="numeric" value={percent} onChange={(e) => setPercent(e.target.value)} />
            </label>
            <label className="field">
              <span>{t('progress.status')}</span>
              <select name="progressStatus" value={status} onChange={(e) => setStatus(e.target.value as Status | '')}>
                <option value="">{t('progress.statusUnchanged')}</option>
                {STATUSES.map((s) => (
                  <option key={s} value={s}>
                    {t(`status.${s}`)}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <button type="button" className="primary" onClick={add}>
            {t('progress.add')}
          </button>
        </div>
      )}
    </section>
  );
}
