import {
  type Active,
  type Announcements,
  DndContext,
  type DragEndEvent,
  type DragOverEvent,
  DragOverlay,
  type DragStartEvent,
  type Over,
  KeyboardSensor,
  type KeyboardSensorOptions,
  MouseSensor,
  type MouseSensorOptions,
  TouchSensor,
  type TouchSensorOptions,
  type UniqueIdentifier,
  useSensor,
  useSensors,
} from '@dnd-kit/core';
import { useCallback, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type Activity, type ActivityId, type BoardView, type Municipality, type MunicipalityId, moveActivity, PlanError, setActivityPartner } from '@tabla/plan-model';
import { boardStore, useBoard } from '@tabla/plan-react';
import { type ContainerId, containerFromDropId, laneIdOf, POOL } from '../dnd/ids.js';
import { boardCollisionDetection } from '../dnd/collisions.js';
import { boardKeyboardCoordinates } from '../dnd/keyboard-coordinates.js';
import { useSpotlightAction } from '../facilitation/hooks.js';
import { fitLayoutKey, useFitToScreen } from '../facilitation/fit.js';
import { laneSpotlight } from '../facilitation/spotlight.js';
import { lockedContainerOf, lockOf } from '../facilitator/locks.js';
import { laneFlags } from '../filters/match.js';
import { CardBody } from './Card.js';
import { useSession, useSessionState } from './context.js';
import { Lane } from './Lane.js';
import { useNotify } from './Notices.js';
import { permissionsOf } from './permissions.js';
import { useLanePresence } from './presence.js';
import { useLaneVote } from '../voting/useLaneVote.js';

interface BoardProps {
  readonly onAdd: (containerId: ContainerId) => void;
  readonly onEdit: (activity: Activity) => void;
  /** Ids matching the person's filter; null when no filter is active. */
  readonly matching?: ReadonlySet<ActivityId> | null;
  /** Hide non-matching cards instead of dimming them. */
  readonly onlyMatches?: boolean;
  /** The municipality the person said they are from (their identity), if any. */
  readonly ownMunicipalityId?: MunicipalityId | null;
  /** Projector view: read only, without editing chrome. */
  readonly projector?: boolean;
}

/**
 * Sensor options as constants: useSensor memoises on the options object, and a new object per
 * render would give dnd-kit new activators, a new internal context, and re-render every lane
 * and card (memo or not) on each change of the board.
 */
const MOUSE: MouseSensorOptions = { activationConstraint: { distance: 5 } };
const TOUCH: TouchSensorOptions = { activationConstraint: { delay: 200, tolerance: 8 } };
const KEYBOARD: KeyboardSensorOptions = {
  coordinateGetter: boardKeyboardCoordinates,
  keyboardCodes: { start: ['Space'], cancel: ['Escape'], end: ['Space', 'Enter'] },
};

/** Is the dragged card's middle below the middle of what it is over? Then it lands after it. */
function belowMiddle(active: Active, over: Over): boolean {
  const dragged = active.rect.current.translated;
  return dragged ? dragged.top + dragged.height / 2 > over.rect.top + over.rect.height / 2 : false;
}

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

export function Board({ onAdd, onEdit, matching = null, onlyMatches = false, ownMunicipalityId = null, projector = false }: BoardProps) {
  const { t } = useTranslation();
  const session = useSession();
  const board = useBoard(session.doc);
  const sessionState = useSessionState();
  // Whether this link changes activities at all (the write policy); locks are each lane's and card's to ask.
  const editable = permissionsOf(sessionState, board).canChangeActivities && !projector;
  // The facilitator's spotlight: its button (facilitator only), and what dims for everyone.
  const onSpotlight = useSpotlightAction(projector);
  const spotlightOf = laneSpotlight(board);
  const [activeId, setActiveId] = useState<ActivityId | null>(null);
  // The current dot vote on the cards: own dots while open (a bound coordinator), totals once revealed.
  const laneVote = useLaneVote(board, projector);
  // Why a drop was refused, in view (./Notices.tsx).
  const notify = useNotify();
  // On the projector, the whole plan fits the screen (type scaled down together).
  const boardRef = useRef<HTMLDivElement>(null);
  useFitToScreen(boardRef, projector, projector ? fitLayoutKey(board) : '');

  // The view's municipalityById is a new Map on every change; the sorted list keeps its identity
  // while no municipality changed. A map that follows the list keeps the lanes' props stable.
  const municipalities = board.municipalities;
  const municipalityById = useMemo(() => new Map<MunicipalityId, Municipality>(municipalities.map((m) => [m.id, m])), [municipalities]);
  const own = ownMunicipalityId ? municipalityById.get(ownMunicipalityId) : undefined;
  const ownId = own?.id;
  const onSetPartner = useCallback(
    (activity: Activity, joined: boolean) => {
      if (!ownId) return;
      try {
        // One click, one operation: one transaction, one update on the wire, one undo step.
        setActivityPartner(session.doc, activity.id, ownId, joined);
      } catch (e) {
        if (!(e instanceof PlanError && e.code === 'unknown-activity')) throw e; // deleted meanwhile: nothing to join
      }
    },
    [session.doc, ownId],
  );
  const partnerAction = editable && ownId ? onSetPartner : undefined;

  // One per board: it remembers its last answer (see dnd/collisions.ts).
  const [collisionDetection] = useState(boardCollisionDetection);
  const sensors = useSensors(useSensor(MouseSensor, MOUSE), useSensor(TouchSensor, TOUCH), useSensor(KeyboardSensor, KEYBOARD));

  const describe = useCallback(
    (id: UniqueIdentifier | undefined) => {
      if (id === undefined) return '';
      const locked = lockedContainerOf(id);
      if (locked !== null) return t('dnd.lockedTarget', { lane: containerTitle(board, locked as ContainerId, t('board.unplaced')) });
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
      onDragEnd: ({ active, over }) => {
        const locked = over ? lockedContainerOf(over.id) : null;
        if (locked !== null) return t('dnd.droppedLocked', { title: title(active.id), lane: containerTitle(board, locked as ContainerId, t('board.unplaced')) });
        return over ? t('dnd.dropped', { title: title(active.id), target: describe(over.id) }) : t('dnd.droppedNowhere', { title: title(active.id) });
      },
      onDragCancel: ({ active }) => t('dnd.cancelled', { title: title(active.id) }),
    };
  }, [board, describe, t]);

  /** Tell the others where the card is going (awareness; updated when the target changes, not per pixel). */
  const showDragging = (id: ActivityId, target: { container: ContainerId; index: number } | null) => {
    const activity = board.activityById.get(id);
    if (!activity || !target) return session.setActivity('dragging', null);
    session.setActivity('dragging', { activityId: id, title: activity.title, container: target.container, index: target.index });
  };
  const onDragStart = ({ active }: DragStartEvent) => {
    setActiveId(active.id as ActivityId);
    showDragging(active.id as ActivityId, null);
  };
  const onDragOver = ({ active, over }: DragOverEvent) => {
    if (!over) return showDragging(active.id as ActivityId, null);
    showDragging(active.id as ActivityId, dropTarget(board, active.id as ActivityId, over.id, belowMiddle(active, over)));
  };
  const onDragCancel = () => {
    setActiveId(null);
    session.setActivity('dragging', null);
  };
  const onDragEnd = ({ active, over }: DragEndEvent) => {
    setActiveId(null);
    session.setActivity('dragging', null);
    if (!over) return;
    const id = active.id as ActivityId;
    const title = board.activityById.get(id)?.title ?? '';
    // Over a lane locked for this person: the card goes back, and the person is told why (not only screen readers).
    const locked = lockedContainerOf(over.id);
    if (locked !== null) {
      const message =
        lockOf(board, locked) === 'board'
          ? t('notices.dropBoardLocked', { title })
          : t('notices.dropLaneLocked', { title, lane: containerTitle(board, locked as ContainerId, t('board.unplaced')) });
      return notify({ message, tone: 'refusal', quiet: true }); // dnd-kit's announcement says it already
    }
    const target = dropTarget(board, id, over.id, belowMiddle(active, over));
    if (!target) return;
    const current = board.activityById.get(id);
    if (!current) return; // deleted meanwhile
    const list = containerActivities(board, target.container);
    if (list[target.index]?.id === id && current.laneId === laneIdOf(target.container)) return; // dropped in place
    // Locked under the drag (the lanes' drop zones follow a frame later): the server would refuse it.
    if (!permissionsOf(sessionState, boardStore(session.doc).getSnapshot()).canMoveActivity(id, laneIdOf(target.container))) {
      return notify({ message: t('notices.dropLockedMeanwhile', { title }), tone: 'refusal' });
    }
    // The whole drop is one operation, one transaction, one update on the wire.
    moveActivity(session.doc, id, laneIdOf(target.container), target.index);
  };

  const active = activeId ? board.activityById.get(activeId) : undefined;
  const presenceIn = useLanePresence();

  /** A lane (or the pool) with everything all lanes share: the same props as before, so memoisation holds. */
  const laneFor = (containerId: ContainerId, activities: readonly Activity[], details: { title: string; color?: string | undefined; hint?: string }) => (
    <Lane
      key={containerId}
      containerId={containerId}
      {...details}
      activities={activities}
      municipalities={municipalityById}
      editable={editable}
      onAdd={onAdd}
      onEdit={onEdit}
      own={own}
      onSetPartner={partnerAction}
      matches={laneFlags(activities, matching)}
      onlyMatches={onlyMatches}
      presence={presenceIn(containerId, activities.map((a) => a.id))}
      {...spotlightOf(containerId)}
      onSpotlight={onSpotlight}
      vote={laneVote && (laneVote.laneId === null || laneVote.laneId === containerId) ? laneVote : undefined}
    />
  );

  return (
    <DndContext
      sensors={sensors}
      collisionDetection={collisionDetection}
      onDragStart={onDragStart}
      onDragOver={onDragOver}
      onDragEnd={onDragEnd}
      onDragCancel={onDragCancel}
      accessibility={{ announcements, screenReaderInstructions: { draggable: t('dnd.instructions') } }}
    >
      <div className="board" role="presentation" ref={boardRef}>
        {board.lanes.map(({ lane, activities }) => laneFor(lane.id, activities, { title: lane.title, color: lane.color }))}
        {laneFor(POOL, board.unplaced, { title: t('board.unplaced'), hint: t('board.unplacedHint') })}
      </div>
      <DragOverlay dropAnimation={null}>
        {active ? <CardBody activity={active} municipalities={municipalityById} own={own} className="card card--overlay" overlay /> : null}
      </DragOverlay>
    </DndContext>
  );
}
