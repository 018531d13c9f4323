import {
  type Announcements,
  type CollisionDetection,
  closestCorners,
  DndContext,
  type DragEndEvent,
  DragOverlay,
  type DragStartEvent,
  KeyboardSensor,
  MouseSensor,
  pointerWithin,
  TouchSensor,
  type UniqueIdentifier,
  useSensor,
  useSensors,
} from '@dnd-kit/core';
import { useCallback, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type Activity, type ActivityId, type BoardView, moveActivity } from '@tabla/plan-model';
import { useBoard } from '@tabla/plan-react';
import { type ContainerId, containerFromDropId, laneIdOf, POOL } from '../dnd/ids.js';
import { boardKeyboardCoordinates } from '../dnd/keyboard-coordinates.js';
import { CardBody } from './Card.js';
import { canEditActivities, useSession, useSessionState } from './context.js';
import { Lane } from './Lane.js';

interface BoardProps {
  readonly onAdd: (containerId: ContainerId) => void;
  readonly onEdit: (activity: Activity) => void;
}

/** Cards first: over a card the drop goes next to it; over empty lane space, to the lane's end. */
const collisionDetection: CollisionDetection = (args) => {
  const within = pointerWithin(args);
  const hits = within.length > 0 ? within : closestCorners(args);
  const cards = hits.filter((c) => containerFromDropId(c.id) === null);
  return cards.length > 0 ? cards : hits;
};

/** Where a card would land: its container and its index among that container's other cards. */
function dropTarget(board: BoardView, activeId: ActivityId, overId: UniqueIdentifier, after: boolean): { container: ContainerId; index: number } | null {
  const container = containerFromDropId(overId);
  if (container !== null) {
    const list = containerActivities(board, container).filter((a) => a.id !== activeId);
    return { container, index: list.length };
  }
  const over = board.activityById.get(overId as ActivityId);
  if (!over) return null;
  const overContainer: ContainerId = over.laneId !== null && board.lanes.some((l) => l.lane.id === over.laneId) ? over.laneId : POOL;
  const list = containerActivities(board, overContainer);
  const activeIndex = list.findIndex((a) => a.id === activeId);
  const overIndex = list.findIndex((a) => a.id === over.id);
  if (activeIndex >= 0) return { container: overContainer, index: overIndex }; // same lane: take the over card's place
  return { container: overContainer, index: overIndex + (after ? 1 : 0) };
}

function containerActivities(board: BoardView, container: ContainerId): readonly Activity[] {
  if (container === POOL) return board.unplaced;
  return board.lanes.find((l) => l.lane.id === container)?.activities ?? [];
}

function containerTitle(board: BoardView, container: ContainerId, unplacedTitle: string): string {
  return container === POOL ? unplacedTitle : (board.lanes.find((l) => l.lane.id === container)?.lane.title ?? unplacedTitle);
}

export function Board({ onAdd, onEdit }: BoardProps) {
  const { t } = useTranslation();
  const session = useSession();
  const board = useBoard(session.doc);
  const editable = canEditActivities(useSessionState());
  const [activeId, setActiveId] = useState<ActivityId | null>(null);

  const sensors = useSensors(
    useSensor(MouseSensor, { activationConstraint: { distance: 5 } }),
    useSensor(TouchSensor, { activationConstraint: { delay: 200, tolerance: 8 } }),
    useSensor(KeyboardSensor, {
      coordinateGetter: boardKeyboardCoordinates,
      keyboardCodes: { start: ['Space'], cancel: ['Escape'], end: ['Space', 'Enter'] },
    }),
  );

  const describe = useCallback(
    (id: UniqueIdentifier | undefined) => {
      if (id === undefined) return '';
      const container = containerFromDropId(id);
      if (container !== null) return containerTitle(board, container, t('board.unplaced'));
      const over = board.activityById.get(id as ActivityId);
      if (!over) return '';
      const container2: ContainerId = over.laneId ?? POOL;
      const index = containerActivities(board, container2).findIndex((a) => a.id === over.id);
      return t('dnd.position', { lane: containerTitle(board, container2, t('board.unplaced')), position: index + 1 });
    },
    [board, t],
  );

  const announcements: Announcements = useMemo(() => {
    const title = (id: UniqueIdentifier) => board.activityById.get(id as ActivityId)?.title ?? '';
    return {
      onDragStart: ({ active }) => t('dnd.pickedUp', { title: title(active.id) }),
      onDragOver: ({ active, over }) => (over ? t('dnd.over', { title: title(active.id), target: describe(over.id) }) : undefined),
      onDragEnd: ({ active, over }) =>
        over ? t('dnd.dropped', { title: title(active.id), target: describe(over.id) }) : t('dnd.droppedNowhere', { title: title(active.id) }),
      onDragCancel: ({ active }) => t('dnd.cancelled', { title: title(active.id) }),
    };
  }, [board, describe, t]);

  const onDragStart = ({ active }: DragStartEvent) => setActiveId(active.id as ActivityId);
  const onDragCancel = () => setActiveId(null);
  const onDragEnd = ({ active, over }: DragEndEvent) => {
    setActiveId(null);
    if (!over) return;
    const id = active.id as ActivityId;
    const dragged = active.rect.current.translated;
    const after = dragged ? dragged.top + dragged.height / 2 > over.rect.top + over.rect.height / 2 : false;
    const target = dropTarget(board, id, over.id, after);
    if (!target) return;
    const current = board.activityById.get(id);
    if (!current) return; // deleted meanwhile
    const list = containerActivities(board, target.container);
    if (list[target.index]?.id === id && current.laneId === laneIdOf(target.container)) return; // dropped in place
    // The whole drop is one operation, one transaction, one update on the wire.
    moveActivity(session.doc, id, laneIdOf(target.container), target.index);
  };

  const active = activeId ? board.activityById.get(activeId) : undefined;

  return (
    <DndContext
      sensors={sensors}
      collisionDetection={collisionDetection}
      onDragStart={onDragStart}
      onDragEnd={onDragEnd}
      onDragCancel={onDragCancel}
      accessibility={{ announcements, screenReaderInstructions: { draggable: t('dnd.instructions') } }}
    >
      <div className="board" role="presentation">
        {board.lanes.map(({ lane, activities }) => (
          <Lane
            key={lane.id}
            containerId={lane.id}
            title={lane.title}
            color={lane.color}
            activities={activities}
            municipalities={board.municipalityById}
            editable={editable}
            onAdd={onAdd}
            onEdit={onEdit}
          />
        ))}
        <Lane
          containerId={POOL}
          title={t('board.unplaced')}
          hint={t('board.unplacedHint')}
          activities={board.unplaced}
          municipalities={board.municipalityById}
          editable={editable}
          onAdd={onAdd}
          onEdit={onEdit}
        />
      </div>
      <DragOverlay dropAnimation={null}>
        {active ? <CardBody activity={active} municipalities={board.municipalityById} className="card card--overlay" overlay /> : null}
      </DragOverlay>
    </DndContext>
  );
}
