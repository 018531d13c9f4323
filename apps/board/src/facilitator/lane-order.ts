import { compareRanks, type Lane, type LaneId } from '@tabla/plan-model';

/**
 * The index to give reorderLane so that lane `id` moves one place up (-1) or down (+1)
 * among the lanes shown on the board. reorderLane counts every other lane, archived ones
 * too: those keep their ranks, so bringing one back puts it where it was. Null when the
 * lane is already first (last) or not shown.
 */
export function laneMoveIndex(all: readonly Lane[], id: LaneId, direction: -1 | 1): number | null {
  const sorted = [...all].sort(compareRanks);
  const shown = sorted.filter((l) => !l.archived);
  const at = shown.findIndex((l) => l.id === id);
  if (at < 0) return null;
  const neighbour = shown[at + direction];
  if (!neighbour) return null;
  const others = sorted.filter((l) => l.id !== id);
  const neighbourAt = others.findIndex((l) => l.id === neighbour.id);
  return direction < 0 ? neighbourAt : neighbourAt + 1;
}
