/** What the spotlight means for each lane: spotlit, dimmed, or (no spotlight) neither. */
import type { BoardView, Spotlight } from '@tabla/plan-model';
import { POOL } from '../dnd/ids.js';

export interface LaneSpotlightProps {
  /** 'on': this lane is (or holds) the spotlit item; 'dimmed': something else is spotlit. */
  readonly spotlight?: 'on' | 'dimmed';
  /** The spotlit activity, when it is in this lane: the lane's other cards dim. */
  readonly spotlitActivityId?: string;
}

const NONE: LaneSpotlightProps = {};
const DIMMED: LaneSpotlightProps = { spotlight: 'dimmed' };
const ON: LaneSpotlightProps = { spotlight: 'on' };

/** Per container (lane id or the pool): a spotlight on something no longer on the board dims nothing. */
export function laneSpotlight(board: BoardView): (containerId: string) => LaneSpotlightProps {
  const spot = board.facilitation.spotlight;
  const shown = (laneId: string | null) => laneId !== null && board.lanes.some((l) => l.lane.id === laneId);
  let lit: string | null = null;
  let props = ON;
  if (spot?.kind === 'lane' && shown(spot.id)) lit = spot.id;
  else if (spot?.kind === 'activity') {
    const activity = board.activityById.get(spot.id as never);
    if (activity) {
      lit = shown(activity.laneId) ? activity.laneId! : POOL;
      props = { spotlight: 'on', spotlitActivityId: activity.id };
    }
  }
  if (lit === null) return () => NONE;
  return (containerId) => (containerId === lit ? props : DIMMED);
}

/** The facilitator spotlights a lane or an activity, or clears it (null). */
export type SpotlightHandler = (target: Spotlight | null) => void;
