/**
 * The board's collision detection. The drop targets are the lanes (and the pool), and the zones
 * over lanes locked for this person; the place among a lane's cards is found apart (./slots.ts).
 * A pointer drag is over the zone under the pointer, a keyboard drag over the zone under the
 * dragged card's middle; between or below the lanes, over the nearest one.
 */
import { closestCorners, type Collision, type CollisionDetection, pointerWithin } from '@dnd-kit/core';

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
    const { collisionRect } = args;
    const point = args.pointerCoordinates ?? { x: collisionRect.left + collisionRect.width / 2, y: collisionRect.top + collisionRect.height / 2 };
    const under = pointerWithin({ ...args, pointerCoordinates: point });
    return stable(under.length > 0 ? under : closestCorners(args).slice(0, 1));
  };
}
