/** The shared countdown as people read it: whole seconds, mm:ss, and what the facilitator types. */
import { MINUTE_MS, type TimerPhase, timerPhaseWith, type TimerState, timerRemaining } from '@tabla/plan-model';

/** The longest timer the document accepts (TimerState.durationMs is at most a day). */
export const MAX_MINUTES = 24 * 60;

/**
 * Seconds left, rounded up: "00:01" until the very end, "00:00" only when time is up. Every
 * client rounds the same server-time instant the same way, so they agree to the second.
 */
export const remainingSeconds = (timer: TimerState, serverNow: number): number => Math.ceil(timerRemaining(timer, serverNow) / 1000);

/** "04:59"; minutes go past 59 ("90:00") rather than adding hours. */
export function formatCountdown(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

/** mm:ss back to seconds (tests and checks); NaN when it is not one. */
export function parseCountdown(text: string): number {
  const m = /^(\d+):([0-5]\d)$/.exec(text.trim());
  return m ? Number(m[1]) * 60 + Number(m[2]) : Number.NaN;
}

/**
 * Minutes as typed, with a decimal comma or point ("5", "0,5", "0.05"), to milliseconds in whole
 * seconds (at least one). Null when it is not a number above zero and at most a day.
 */
export function parseMinutes(text: string): number | null {
  const normalized = text.trim().replace(',', '.');
  if (!/^(?:\d+(?:\.\d*)?|\.\d+)$/.test(normalized)) return null;
  const minutes = Number(normalized);
  if (!Number.isFinite(minutes) || minutes <= 0 || minutes > MAX_MINUTES) return null;
  return Math.max(1, Math.round(minutes * 60)) * 1000;
}

export type { TimerPhase } from '@tabla/plan-model';

/**
 * Not started, running, paused or at zero (plan-model's `timerPhase`, PM16), from the seconds a
 * display shows: it reads "Vrijeme je isteklo" exactly when it shows 00:00.
 */
export const phaseAt = (timer: TimerState, seconds: number): TimerPhase => timerPhaseWith(timer, seconds * 1000);

export const timerPhase = (timer: TimerState, serverNow: number): TimerPhase => phaseAt(timer, remainingSeconds(timer, serverNow));

/** Whole minutes of a preset, for the buttons. */
export const PRESET_MINUTES = [5, 10, 15] as const;
export const presetMs = (minutes: number): number => minutes * MINUTE_MS;
