/**
 * Keyboard dragging across lanes: up/down move the card one place within its lane (among the
 * cards on screen), left/right to the top of the nearest lane beside it. The card is put where
 * the collision detection and ./slots.ts read that place: its middle in the lane, between the
 * two cards it goes between.
 */
import { type ClientRect, type KeyboardCoordinateGetter, KeyboardCode } from '@dnd-kit/core';
import { type CardBox, cardsOnScreen, placeAt } from './slots.js';

/** The dragged card's middle at `place` among a lane's `cards`: between two cards, just above the first or below the last. */
function middleAt(lane: ClientRect, cards: readonly CardBox[], place: number): number {
  const above = cards[place - 1]?.rect;
  const below = cards[place]?.rect;
  if (above && below) return (above.bottom + below.top) / 2;
  if (below) return below.top - 1;
  if (above) return above.bottom + 1;
  return lane.top + lane.height / 2;
}

export const boardKeyboardCoordinates: KeyboardCoordinateGetter = (event, { context }) => {
  const { active, collisionRect, droppableRects, droppableContainers } = context;
  const key = event.code;
  if (!active || !collisionRect || ![KeyboardCode.Up, KeyboardCode.Down, KeyboardCode.Left, KeyboardCode.Right].includes(key as KeyboardCode)) {
    return undefined;
  }
  event.preventDefault();
  const x = collisionRect.left + collisionRect.width / 2;
  const y = collisionRect.top + collisionRect.height / 2;
  const zones = droppableContainers.getEnabled().flatMap((zone) => {
    const rect = droppableRects.get(zone.id);
    return rect && zone.node.current ? [{ rect, node: zone.node.current }] : [];
  });
  let lane: (typeof zones)[number] | undefined;
  let place: (cards: readonly CardBox[]) => number;
  if (key === KeyboardCode.Up || key === KeyboardCode.Down) {
    lane = zones.find(({ rect }) => x >= rect.left && x <= rect.left + rect.width);
    const step = key === KeyboardCode.Down ? 1 : -1;
    place = (cards) => placeAt(cards, y) + step;
  } else {
    // The nearest lane whose left edge is at least half a card away in that direction.
    const distance = (rect: ClientRect) => (key === KeyboardCode.Right ? rect.left - collisionRect.left : collisionRect.left - rect.left);
    lane = zones.filter(({ rect }) => distance(rect) > collisionRect.width / 2).sort((a, b) => distance(a.rect) - distance(b.rect))[0];
    place = () => 0;
  }
  if (!lane) return undefined;
  const cards = cardsOnScreen(lane.node, active.id);
  const target = place(cards);
  if (target < 0 || target > cards.length) return undefined;
  return {
    x: lane.rect.left + (lane.rect.width - collisionRect.width) / 2,
    y: middleAt(lane.rect, cards, target) - collisionRect.height / 2,
  };
};
