import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { readFacilitation, roots, setTimer, type TimerState, timerTransitions } from '@tabla/plan-model';
import { useSession } from '../ui/context.js';
import { serverNow } from './clock.js';
import { formatCountdown, phaseAt, PRESET_MINUTES, parseMinutes, presetMs } from './countdown.js';

/**
 * The shared countdown, the same mm:ss for everyone (server time). A `timer` role: screen
 * readers do not read every second; the end is announced by the banner below. Stopped, it says
 * which way: not started yet, or paused (plan-model's `timerPhase`: still paused after "+1 min").
 */
export function TimerDisplay({ timer, seconds }: { timer: TimerState; seconds: number }) {
  const { t } = useTranslation();
  const labelId = useId();
  const phaseId = useId();
  const phase = phaseAt(timer, seconds);
  const stopped = phase === 'paused' || phase === 'ready';
  return (
    <div className={`timer timer--${phase}`} data-phase={phase}>
      <span id={labelId} className="timer__label">
        {t('timer.label')}
      </span>
      <span role="timer" aria-live="off" aria-labelledby={labelId} aria-describedby={stopped ? phaseId : undefined} className="timer__time">
        {formatCountdown(seconds)}
      </span>
      {stopped && (
        <span id={phaseId} className="timer__phase">
          {t(`timer.phase.${phase}`)}
        </span>
      )}
    </div>
  );
}

/** Time is up: big, high contrast, announced once as it appears. */
export function TimerEnded() {
  const { t } = useTranslation();
  return (
    <p className="timer-ended" role="alert">
      {t('timer.ended')}
    </p>
  );
}

/** The facilitator's controls: each button is one operation on the document. */
export function TimerControls({ timer, seconds }: { timer: TimerState | null; seconds: number | null }) {
  const { t } = useTranslation();
  const session = useSession();
  const [minutes, setMinutes] = useState('5');
  const [invalid, setInvalid] = useState(false);
  const inputId = useId();
  const errorId = useId();
  // The document's state at the moment of the click (the view may be a frame behind).
  const current = () => readFacilitation(roots(session.doc).facilitation).timer;
  const apply = (next: TimerState | null) => setTimer(session.doc, next);
  const change = (transition: (t: TimerState) => TimerState) => {
    const now = current();
    if (now) apply(transition(now));
  };
  const onSet = (e: FormEvent) => {
    e.preventDefault();
    const ms = parseMinutes(minutes);
    setInvalid(ms === null);
    if (ms !== null) apply(timerTransitions.set(ms));
  };
  const running = timer !== null && timer.endsAt !== null && seconds !== null && seconds > 0;
  const canStart = timer !== null && !running && seconds !== null && seconds > 0;
  return (
    <div className="timer-controls" role="group" aria-label={t('timer.controls')}>
      <form className="timer-controls__set" onSubmit={onSet} noValidate>
        <label htmlFor={inputId}>{t('timer.minutes')}</label>
        <input
          id={inputId}
          type="text"
          inputMode="decimal"
          autoComplete="off"
          size={5}
          value={minutes}
          aria-invalid={invalid || undefined}
          aria-describedby={invalid ? errorId : undefined}
          onChange={(e) => setMinutes(e.target.value)}
        />
        <button type="submit">{t('timer.set')}</button>
      </form>
      {PRESET_MINUTES.map((m) => (
        <button key={m} type="button" aria-label={t('timer.presetLabel', { count: m })} onClick={() => apply(timerTransitions.set(presetMs(m)))}>
          {t('timer.preset', { minutes: m })}
        </button>
      ))}
      <button type="button" disabled={!canStart} onClick={() => change((x) => timerTransitions.start(x, serverNow()))}>
        {t('timer.start')}
      </button>
      <button type="button" disabled={!running} onClick={() => change((x) => timerTransitions.pause(x, serverNow()))}>
        {t('timer.pause')}
      </button>
      <button type="button" disabled={!timer} onClick={() => change((x) => timerTransitions.addMinute(x, serverNow()))}>
        {t('timer.addMinute')}
      </button>
      <button type="button" disabled={!timer} onClick={() => change(timerTransitions.reset)}>
        {t('timer.reset')}
      </button>
      <button type="button" disabled={!timer} onClick={() => apply(null)}>
        {t('timer.remove')}
      </button>
      {invalid && (
        <p id={errorId} className="form-error timer-controls__error" role="alert">
          {t('timer.invalid')}
        </p>
      )}
    </div>
  );
}
