/**
 * Dot voting in the facilitation bar. The facilitator: "Glasanje" (scope and dots, then start),
 * the progress, "Otkrij rezultate" and "Zatvori" while open, "Zatvori" / "Ponovi" once revealed, earlier
 * votes. A coordinator bound to a municipality: how many of its dots are left. A coordinator with
 * a general link: why they cannot vote. Everyone else (viewer, projector): that a vote is on, no dots.
 */
import { type FormEvent, type KeyboardEvent, useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type BoardView, closeVote, currentVote, dotsGiven, dotsLeft, type LaneId, openVote, PlanError, revealVote, rerunVote, type Vote } from '@tabla/plan-model';
import { serverNow } from '../facilitation/clock.js';
import { useSession, useSessionState } from '../ui/context.js';
import { formatDateTime } from '../ui/date-format.js';
import { permissionsOf } from '../ui/permissions.js';
import { useDotMessage } from './status.js';
import {
  DEFAULT_DOTS,
  defaultVoteScope,
  MAX_DOTS,
  MIN_DOTS,
  parseDots,
  pastVotes,
  rankResults,
  scopeTitle,
  voteProgress,
  voterStatus,
} from './vote-view.js';

interface VoteToolbarProps {
  readonly board: BoardView;
  readonly projector: boolean;
  /** The facilitator's own focus (a lane or a card): the default scope of a new vote. */
  readonly focus?: { readonly kind: 'lane' | 'activity'; readonly id: string } | null | undefined;
}

/** The scope in words: a lane's title, "cijela tabla", or a lane no longer on the board. */
export function useScopeName(board: BoardView): (laneId: LaneId | null) => string {
  const { t } = useTranslation();
  return (laneId) => {
    const title = scopeTitle(board, laneId);
    return title === null ? t('vote.wholeBoardScope') : (title ?? t('vote.missingLane'));
  };
}

export function VoteToolbar({ board, projector, focus }: VoteToolbarProps) {
  const { role, municipalityId } = useSessionState();
  const vote = currentVote(board.votes);
  // Running votes is managing the board (the write policy's answer: the facilitator's).
  if (permissionsOf({ role, municipalityId }, board).canManageBoard && !projector) return <VoteControls board={board} vote={vote} focus={focus} />;
  const status = voterStatus({ role, municipalityId }, board, projector);
  if (status.kind === 'voter') return <VoterBanner board={board} vote={vote} municipalityId={status.municipalityId} />;
  if (vote?.state !== 'open') return null;
  return <VoteNotice board={board} vote={vote} unbound={status.kind === 'unbound'} />;
}

/** While a vote is open, for those who do not vote here: that it is on (and, for coordinators, why not here). */
function VoteNotice({ board, vote, unbound }: { board: BoardView; vote: Vote; unbound: boolean }) {
  const { t } = useTranslation();
  const scopeName = useScopeName(board);
  const { voted, total } = voteProgress(vote, board);
  return (
    <p className="vote-notice" data-testid="vote-notice">
      <span className="vote-notice__title">{t('vote.inProgress', { scope: scopeName(vote.laneId) })}</span>{' '}
      {unbound ? <span>{t('vote.needsLink')}</span> : <span>{t('vote.progress', { voted, count: total })}</span>}
    </p>
  );
}

/** A bound coordinator: the dots left (announced as they change), and why a dot was not given. */
function VoterBanner({ board, vote, municipalityId }: { board: BoardView; vote: Vote | null; municipalityId: string }) {
  const { t } = useTranslation();
  const session = useSession();
  const scopeName = useScopeName(board);
  const message = useDotMessage(session.doc);
  const open = vote?.state === 'open';
  const over = open && vote ? dotsGiven(vote, municipalityId, board.activityById) - vote.dots : 0;
  const failure = message && vote && message.voteId === vote.id && (open || message.failure === 'notOpen') ? message.failure : null;
  return (
    // Idle (no open vote, nothing to say): out of sight, its live regions kept.
    <div className={open || failure ? 'vote-banner' : 'vote-banner vote-banner--idle'}>
      {/* Live regions rendered before their text changes, so screen readers say it. */}
      <p className="vote-banner__left" role="status" data-testid="vote-banner">
        {open && vote && t('vote.banner', { scope: scopeName(vote.laneId), left: dotsLeft(vote, municipalityId, board.activityById), count: vote.dots })}
      </p>
      {/* Two delegates of one municipality gave the last dot at the same moment: one does not count. */}
      {open && over > 0 && (
        <p className="vote-banner__over" role="alert">
          {t('vote.overLimit', { count: over })}
        </p>
      )}
      {open && <p className="vote-banner__hint">{t('vote.hint')}</p>}
      <p className="vote-banner__message" role="status">
        {failure === 'noDotsLeft' ? t('vote.noDotsLeft') : failure === 'notOpen' ? t('vote.notOpen') : failure === 'notInVote' ? t('vote.notInVote') : ''}
      </p>
    </div>
  );
}

/** The facilitator's controls: each button is one operation on the document. */
function VoteControls({ board, vote, focus }: { board: BoardView; vote: Vote | null; focus: VoteToolbarProps['focus'] }) {
  const { t } = useTranslation();
  const session = useSession();
  const scopeName = useScopeName(board);
  const id = useId();
  const toggle = useRef<HTMLButtonElement>(null);
  const stateText = useRef<HTMLElement>(null);
  // After an action the view changes a frame later: then focus goes to the new state's text.
  const focusPending = useRef(false);
  const [form, setForm] = useState<{ laneId: string; dots: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const voteKey = vote ? `${vote.id}:${vote.state}` : 'none';

  useEffect(() => {
    if (!focusPending.current) return;
    focusPending.current = false;
    (stateText.current ?? toggle.current)?.focus();
  }, [voteKey]);

  const perform = (operation: () => void) => {
    focusPending.current = true;
    operation();
  };

  const openForm = () => {
    setError(null);
    setForm({ laneId: defaultVoteScope(board, focus) ?? '', dots: String(DEFAULT_DOTS) });
  };
  const closeForm = () => {
    setForm(null);
    setError(null);
    toggle.current?.focus();
  };
  const start = (e: FormEvent) => {
    e.preventDefault();
    if (!form) return;
    const dots = parseDots(form.dots);
    if (dots === null) return setError(t('vote.dotsInvalid', { min: MIN_DOTS, max: MAX_DOTS }));
    try {
      perform(() => openVote(session.doc, { laneId: (form.laneId || null) as LaneId | null, dots }, serverNow()));
      setForm(null);
      setError(null);
    } catch (err) {
      if (!(err instanceof PlanError)) throw err;
      focusPending.current = false;
      setError(t('vote.startFailed')); // the lane was removed meanwhile
    }
  };
  const onFormKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      closeForm();
    }
  };

  let body;
  if (!vote) {
    body = (
      <>
        <button ref={toggle} type="button" className="vote-controls__toggle" aria-expanded={form !== null} aria-controls={form ? `${id}-form` : undefined} onClick={form ? closeForm : openForm}>
          {t('vote.title')}
        </button>
        {form && (
          <form id={`${id}-form`} className="vote-form" aria-label={t('vote.newVote')} onSubmit={start} onKeyDown={onFormKey} noValidate>
            <span className="vote-form__field">
              <label htmlFor={`${id}-scope`}>{t('vote.scope')}</label>
              <select id={`${id}-scope`} value={form.laneId} onChange={(e) => setForm({ ...form, laneId: e.target.value })}>
                <option value="">{t('vote.wholeBoard')}</option>
                {board.lanes.map(({ lane }) => (
                  <option key={lane.id} value={lane.id}>
                    {lane.title}
                  </option>
                ))}
              </select>
            </span>
            <span className="vote-form__field">
              <label htmlFor={`${id}-dots`}>{t('vote.dotsPerMunicipality')}</label>
              <input
                id={`${id}-dots`}
                type="number"
                inputMode="numeric"
                min={MIN_DOTS}
                max={MAX_DOTS}
                step={1}
                size={3}
                value={form.dots}
                aria-invalid={error ? true : undefined}
                aria-describedby={error ? `${id}-error` : undefined}
                onChange={(e) => setForm({ ...form, dots: e.target.value })}
              />
            </span>
            <button type="submit" className="vote-form__start">
              {t('vote.start')}
            </button>
            <button type="button" onClick={closeForm}>
              {t('vote.cancel')}
            </button>
            {error && (
              <p id={`${id}-error`} className="form-error vote-form__error" role="alert">
                {error}
              </p>
            )}
          </form>
        )}
      </>
    );
  } else if (vote.state === 'open') {
    const { voted, total } = voteProgress(vote, board);
    body = (
      <>
        <strong ref={stateText} tabIndex={-1} className="vote-controls__state">
          {t('vote.inProgress', { scope: scopeName(vote.laneId) })} ({t('vote.dotsEach', { count: vote.dots })})
        </strong>
        <span className="vote-controls__progress" data-testid="vote-progress">
          {t('vote.progress', { voted, count: total })}
        </span>
        <button type="button" onClick={() => perform(() => revealVote(session.doc, vote.id))}>
          {t('vote.reveal')}
        </button>
        {/* Ends it without showing the room (its results are still kept in the history). */}
        <button type="button" onClick={() => perform(() => closeVote(session.doc, vote.id))}>
          {t('vote.close')}
        </button>
      </>
    );
  } else {
    body = (
      <>
        <strong ref={stateText} tabIndex={-1} className="vote-controls__state">
          {t('vote.revealedState', { scope: scopeName(vote.laneId) })}
        </strong>
        <button type="button" onClick={() => perform(() => closeVote(session.doc, vote.id))}>
          {t('vote.close')}
        </button>
        <button type="button" onClick={() => perform(() => rerunVote(session.doc, vote.id, serverNow()))}>
          {t('vote.rerun')}
        </button>
      </>
    );
  }
  return (
    <div className="vote-controls" role="group" aria-label={t('vote.controls')}>
      {body}
      <VoteHistory board={board} />
    </div>
  );
}

const TOP_IN_HISTORY = 3;

/** "Ranija glasanja": closed votes, newest first, with their top results. */
function VoteHistory({ board }: { board: BoardView }) {
  const { t, i18n } = useTranslation();
  const scopeName = useScopeName(board);
  const past = pastVotes(board.votes);
  if (past.length === 0) return null;
  const when = { format: (ms: number) => formatDateTime(i18n.language, ms) };
  return (
    <details className="vote-history">
      <summary>{t('vote.history', { count: past.length })}</summary>
      <ol className="vote-history__list">
        {past.map((v) => (
          <li key={v.id}>
            <span className="vote-history__what">
              {when.format(v.openedAt)} · {scopeName(v.laneId)} · {t('vote.dotsEach', { count: v.dots })}
            </span>
            {v.results && v.results.length > 0 ? (
              <ol className="vote-history__top">
                {rankResults(v.results)
                  .slice(0, TOP_IN_HISTORY)
                  .map((r) => (
                    <li key={r.activityId}>
                      {t('vote.historyResult', { rank: r.rank, title: r.title, dots: t('vote.total', { count: r.dots }) })}
                    </li>
                  ))}
              </ol>
            ) : (
              <p className="vote-history__none">{t('vote.noResults')}</p>
            )}
          </li>
        ))}
      </ol>
    </details>
  );
}
