import type * as Y from 'yjs';
import type { LaneId, MunicipalityId } from './ids.js';
import { addMunicipality, createLane, setBoardTitle } from './operations.js';
import { type PlanOrigin, seedOrigin } from './origins.js';
import { readBoard } from './board-view.js';

/**
 * A board as the template for the next training: its title, municipalities and (not archived)
 * lanes in order, with their colours; no activities, no locks, no facilitation state.
 */
export function copyBoardStructure(from: Y.Doc, to: Y.Doc, title: string, origin: PlanOrigin = seedOrigin): void {
  const board = readBoard(from);
  to.transact(() => {
    setBoardTitle(to, title, origin);
    for (const m of board.municipalities) {
      addMunicipality(to, { name: m.name, color: m.color, ...(m.kind ? { kind: m.kind } : {}) }, { id: m.id as MunicipalityId, origin });
    }
    for (const { lane } of board.lanes) {
      createLane(to, { title: lane.title, ...(lane.color ? { color: lane.color } : {}), ...(lane.description ? { description: lane.description } : {}) }, { id: lane.id as LaneId, origin });
    }
  }, origin);
}
