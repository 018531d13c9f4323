/**
 * dnd-kit ids: cards use the activity id; lanes (and the pool) are droppable
 * containers with a prefix, so the two can never collide.
 */
import type { UniqueIdentifier } from '@dnd-kit/core';
import type { LaneId } from '@tabla/plan-model';

export const POOL = 'pool';
const LANE_PREFIX = 'lane:';

export type ContainerId = LaneId | typeof POOL;

export const containerDropId = (id: ContainerId): string => `${LANE_PREFIX}${id}`;

export const containerFromDropId = (id: UniqueIdentifier): ContainerId | null =>
  typeof id === 'string' && id.startsWith(LANE_PREFIX) ? (id.slice(LANE_PREFIX.length) as ContainerId) : null;

export const laneIdOf = (container: ContainerId): LaneId | null => (container === POOL ? null : container);
