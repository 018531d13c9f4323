/**
 * The projector shows the whole plan at once: the board's type size (everything on it is sized in
 * em) is the largest that lets every lane and card fit the screen, found by bisection over real
 * layout. It is measured again when the plan's layout or the window changes; the size chosen is exposed
 * as `data-fit-px` (tests, and the README's table of what fits).
 */
import { type RefObject, useEffect, useLayoutEffect, useRef } from 'react';
import type { Activity, BoardView } from '@tabla/plan-model';

/** The range the projector picks from: 12 px still reads up close, 40 px is past what a lane needs. */
export const FIT_MIN_PX = 12;
export const FIT_MAX_PX = 40;

/** The largest size in [min, max] (to 0.5 px) for which `fits` holds; `min` when none does. */
export function largestFitting(fits: (px: number) => boolean, min = FIT_MIN_PX, max = FIT_MAX_PX): number {
  if (fits(max)) return max;
  let lo = min;
  let hi = max;
  while (hi - lo > 0.5) {
    const mid = (lo + hi) / 2;
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** Does the board, at its current size, end within the window and need no sideways scrolling? */
function boardFits(board: HTMLElement): boolean {
  const bottom = board.getBoundingClientRect().bottom + window.scrollY;
  return bottom <= window.innerHeight - 4 && board.scrollWidth <= board.clientWidth + 1;
}

/**
 * What moves the board's layout: its lanes, their titles, and each card's title and chips (partners,
 * a lead). Not the view object, which is new on every change of the board (a dot, a status, a note).
 */
export function fitLayoutKey(view: BoardView): string {
  const cards = (activities: readonly Activity[]) => activities.map((a) => `${a.title}\u0001${a.leadId ?? ''}\u0001${a.partners.length}`).join('\u0002');
  return [...view.lanes.map(({ lane, activities }) => `${lane.title}\u0003${cards(activities)}`), cards(view.unplaced)].join('\u0004');
}

/**
 * Fits the board to the screen while `active`: at once when it becomes active, then at most once
 * per animation frame when the window, what sits above the board, or `layoutKey` changes (the
 * bisection forces about six layouts: never more than a frame's worth, however busy the board).
 */
export function useFitToScreen(ref: RefObject<HTMLElement | null>, active: boolean, layoutKey: string): void {
  const refitRef = useRef<() => void>(() => {});
  const fittedKey = useRef(layoutKey);
  useLayoutEffect(() => {
    const board = ref.current;
    if (!active || !board) return;
    let frame = 0;
    const fit = () => {
      const px = largestFitting((size) => {
        board.style.fontSize = `${size}px`;
        return boardFits(board);
      });
      board.style.fontSize = `${px}px`;
      board.dataset.fitPx = String(px);
    };
    const refit = () => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(fit);
    };
    refitRef.current = refit;
    fit();
    window.addEventListener('resize', refit);
    // What sits above the board (the timer ending, a vote's results) changes the room it has.
    const above = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(refit);
    const chrome = document.querySelector('.chrome');
    if (chrome) above?.observe(chrome);
    return () => {
      refitRef.current = () => {};
      cancelAnimationFrame(frame);
      window.removeEventListener('resize', refit);
      above?.disconnect();
      board.style.fontSize = '';
      delete board.dataset.fitPx;
    };
  }, [ref, active]);
  useEffect(() => {
    if (fittedKey.current === layoutKey) return;
    fittedKey.current = layoutKey;
    refitRef.current();
  }, [layoutKey]);
}
