/** Shared by the panel's sections: focus after a change. */
import { useEffect, useRef } from 'react';
import type { BoardView } from '@tabla/plan-model';

/**
 * Focus for after an operation: the board view changes a frame later (and a moved row's
 * element may have lost focus when React moved it). Give element ids in order of preference;
 * the first one present and enabled gets focus once the view has changed.
 */
export function useFocusAfterChange(board: BoardView): (...ids: string[]) => void {
  const pending = useRef<{ ids: string[]; board: BoardView } | null>(null);
  useEffect(() => {
    const p = pending.current;
    if (!p || p.board === board) return;
    pending.current = null;
    for (const id of p.ids) {
      const el = document.getElementById(id);
      if (el instanceof HTMLButtonElement && el.disabled) continue;
      if (el) {
        el.focus();
        return;
      }
    }
  }, [board]);
  return (...ids: string[]) => {
    pending.current = { ids, board };
  };
}
