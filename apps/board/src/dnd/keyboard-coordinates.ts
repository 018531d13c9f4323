/**
 * Keyboard dragging across lanes. dnd-kit's sortableKeyboardCoordinates only steps
 * within one list; this getter looks at every droppable (cards and lanes): up/down
 * go to the nearest one in the same column, left/right to the nearest column.
 */
import { type ClientRect, type KeyboardCoordinateGetter, KeyboardCode } from '@dnd-kit/core';

const center = (r: ClientRect) => ({ x: r.left + r.width / 2, y: r.top + r.height / 2 });

export const boardKeyboardCoordinates: KeyboardCoordinateGetter = (event, { context }) => {
  const { active, collisionRect, droppableRects, droppableContainers } = context;
  if (!active || !collisionRect) return undefined;
  const key = event.code;
  if (![KeyboardCode.Up, KeyboardCode.Down, KeyboardCode.Left, KeyboardCode.Right].includes(key as KeyboardCode)) {
    return undefined;
  }
  event.preventDefault();
  const here = center(collisionRect);
  let best: { rect: ClientRect; score: number } | null = null;

  for (const container of droppableContainers.getEnabled()) {
    if (container.id === active.id) continue;
    const rect = droppableRects.get(container.id);
    if (!rect) continue;
    const isCard = container.data.current?.type === 'card';
    const c = center(rect);
    const sameColumn = here.x >= rect.left && here.x <= rect.left + rect.width;
    let score: number | null = null;
    switch (key) {
      case KeyboardCode.Down:
        // Cards below in this column; a lane container counts when it starts below (an empty lane).
        if (sameColumn && isCard && c.y > here.y + 1) score = c.y - here.y;
        break;
      case KeyboardCode.Up:
        if (sameColumn && isCard && c.y < here.y - 1) score = here.y - c.y;
        break;
      case KeyboardCode.Right:
      case KeyboardCode.Left: {
        const dx = key === KeyboardCode.Right ? rect.left - collisionRect.left : collisionRect.left - rect.left;
        // Land on a lane (its top) rather than on a card, so the drop goes to that lane.
        if (!isCard && dx > collisionRect.width / 2) score = dx * 10 + Math.abs(rect.top - collisionRect.top);
        break;
      }
    }
    if (score !== null && (!best || score < best.score)) best = { rect, score };
  }
  if (!best) return undefined;
  if (key === KeyboardCode.Left || key === KeyboardCode.Right) {
    return { x: best.rect.left + 8, y: best.rect.top + 8 };
  }
  // Centre the dragged card on the target card, so collision picks it.
  return {
    x: best.rect.left + (best.rect.width - collisionRect.width) / 2,
    y: best.rect.top + (best.rect.height - collisionRect.height) / 2,
  };
};
