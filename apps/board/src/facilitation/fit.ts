/**
 * The projector shows the whole plan at once: the board's type size (everything on it is sized in
 * em) is the largest that lets every lane and card fit the screen, found by bisection over real
 * layout. It is measured again when the plan or the window changes; the size chosen is exposed
 * as `data-fit-px` (tests, and the README's table of what fits).
 */
import { type RefObject, useLayoutEffect } from 'react';

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

export function useFitToScreen(ref: RefObject<HTMLElement | null>, active: boolean, content: unknown): void {
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
    fit();
    window.addEventListener('resize', refit);
    // What sits above the board (the timer ending, a vote's results) changes the room it has.
    const above = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(refit);
    const chrome = document.querySelector('.chrome');
    if (chrome) above?.observe(chrome);
    return () => {
      cancelAnimationFrame(frame);
      window.removeEventListener('resize', refit);
      above?.disconnect();
      board.style.fontSize = '';
      delete board.dataset.fitPx;
    };
  }, [ref, active, content]);
}
