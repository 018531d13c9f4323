/** Facilitation hooks: the server clock, the ticking countdown, the facilitator's spotlight action. */
import { useCallback, useEffect, useSyncExternalStore } from 'react';
import { setSpotlight, type Spotlight, type TimerState, timerRemaining } from '@tabla/plan-model';
import { useSession } from '../ui/context.js';
import { usePermission } from '../ui/permissions.js';
import { serverClock, serverNow } from './clock.js';
import { remainingSeconds } from './countdown.js';
import { setFocus } from './focus.js';

/** Keeps the server clock measured while the board is open. */
export function useServerClock(): void {
  useEffect(() => serverClock.retain(), []);
}

/**
 * Whole seconds left on the shared timer (null without one), re-rendering right after each
 * second boundary of server time while it runs, and when the clock's offset is corrected.
 */
export function useRemainingSeconds(timer: TimerState | null): number | null {
  const subscribe = useCallback(
    (onChange: () => void) => {
      const unsubscribeClock = serverClock.subscribe(onChange);
      let id: ReturnType<typeof setTimeout> | null = null;
      const schedule = () => {
        if (!timer || timer.endsAt === null) return;
        const left = timerRemaining(timer, serverNow());
        if (left <= 0) return;
        // Just after the next whole second left: everyone's display turns over together.
        id = setTimeout(() => {
          onChange();
          schedule();
        }, (left % 1000 || 1000) + 5);
      };
      schedule();
      return () => {
        unsubscribeClock();
        if (id !== null) clearTimeout(id);
      };
    },
    [timer],
  );
  const getSnapshot = useCallback(() => (timer ? remainingSeconds(timer, serverNow()) : null), [timer]);
  return useSyncExternalStore(subscribe, getSnapshot);
}

/** Whether this session shows the facilitator's tools: the write policy lets it manage the board (the server enforces it anyway). */
export function useIsFacilitator(): boolean {
  return usePermission((p) => p.canManageBoard);
}

/**
 * Spotlight a lane or an activity for everyone, or clear it (null): one operation. Undefined
 * unless this is the facilitator, and not in projector mode (no editing chrome there).
 */
export function useSpotlightAction(projector: boolean): ((target: Spotlight | null) => void) | undefined {
  const session = useSession();
  const facilitator = useIsFacilitator();
  const spotlight = useCallback(
    (target: Spotlight | null) => {
      setSpotlight(session.doc, target);
      if (target) setFocus(session.awareness, target);
    },
    [session],
  );
  return facilitator && !projector ? spotlight : undefined;
}
