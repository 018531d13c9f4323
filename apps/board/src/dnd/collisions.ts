/**
 * The board's collision detection. Cards first: over a card the drop goes next to it; over empty
 * lane space, to the lane's end.
 *
 * Cheap at hundreds of cards, because it runs on every pointer move: each read of a dnd-kit rect
 * re-reads the scroll offsets of its scroll containers, so a pointer drag looks at the few lanes
 * first and then only at the cards of the lane under the pointer. A keyboard drag (no pointer)
 * moves in steps and compares every droppable, as dnd-kit's own detection does.
 */
import { closestCorners, type Collision, type CollisionDetection, type DroppableContainer, pointerWithin, type UniqueIdentifier } from '@dnd-kit/core';
import { type ContainerId, containerDropId } from './ids.js';

const isCard = (c: DroppableContainer): boolean => c.data.current?.type === 'card';

/** The lane a card's SortableContext stands for (Lane passes its container id as the context's id). */
const laneOfCard = (c: DroppableContainer): ContainerId | undefined => (c.data.current?.sortable as { containerId?: ContainerId } | undefined)?.containerId;

const preferCards = (hits: Collision[], cardIds: ReadonlySet<UniqueIdentifier>): Collision[] => {
  const cards = hits.filter((c) => cardIds.has(c.id));
  return cards.length > 0 ? cards : hits;
};

/**
 * A detection that also keeps its previous answer (the same array) while the answer names the same
 * targets in the same order: dnd-kit hands the collisions to every consumer of its context, and a
 * new array on each pointer move would re-render them all for nothing.
 */
export function boardCollisionDetection(): CollisionDetection {
  let previous: Collision[] = [];
  const stable = (next: Collision[]): Collision[] => {
    if (next.length === previous.length && next.every((c, i) => c.id === previous[i]!.id)) return previous;
    previous = next;
    return next;
  };
  return (args) => {
    const zones = args.droppableContainers.filter((c) => !isCard(c));
    const cards = args.droppableContainers.filter(isCard);
    if (!args.pointerCoordinates) {
      return stable(preferCards(closestCorners(args), new Set(cards.map((c) => c.id))));
    }
    const zoneHits = pointerWithin({ ...args, droppableContainers: zones });
    // Between or below the lanes: the nearest lane, and the nearest of its cards.
    const lanes = zoneHits.length > 0 ? zoneHits : closestCorners({ ...args, droppableContainers: zones }).slice(0, 1);
    const laneIds = new Set(lanes.map((z) => z.id));
    const candidates = cards.filter((c) => {
      const lane = laneOfCard(c);
      return lane !== undefined && laneIds.has(containerDropId(lane));
    });
    const cardHits = zoneHits.length > 0 ? pointerWithin({ ...args, droppableContainers: candidates }) : closestCorners({ ...args, droppableContainers: candidates });
    return stable(cardHits.length > 0 ? cardHits : lanes);
  };
}
