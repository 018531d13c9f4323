import {
  type Active,
  type Announcements,
  DndContext,
  type DragEndEvent,
  type DragMoveEvent,
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
import { useCallback, useEffectEvent, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type Activity, type ActivityId, type BoardView, type MunicipalityId, moveActivity, PlanError, setActivityPartner } from '@tabla/plan-model';
import { boardStore, useBoard } from '@tabla/plan-react';
import { type ContainerId, containerFromDropId, laneIdOf, POOL } from '../dnd/ids.js';
import { boardCollisionDetection } from '../dnd/collisions.js';
import { boardKeyboardCoordinates } from '../dnd/keyboard-coordinates.js';
import { createSlotStore, type DropSlot, liesInSlot, measuredOncePerLane, slotAt } from '../dnd/slots.js';
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

/**
 * Where a slot puts a card, as moveActivity takes it: the index among the container's other cards,
 * hidden ones too. `moves` false: the card already lies there (its index stays what it is).
 */
function landingOf(board: BoardView, activeId: UniqueIdentifier, slot: DropSlot): { index: number; moves: boolean } {
  const order = containerActivities(board, slot.container).map((a) => a.id);
  const id = activeId as ActivityId;
  if (liesInSlot(order, id, slot)) return { index: order.indexOf(id), moves: false };
  const others = order.filter((other) => other !== id);
  const before = slot.beforeId === null ? -1 : others.indexOf(slot.beforeId);
  return { index: before === -1 ? others.length : before, moves: true };
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

  const own = ownMunicipalityId ? board.municipalityById.get(ownMunicipalityId) : undefined;
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
  // Where this screen's drag would land: a store, so that only the lanes it concerns re-render.
  // It is read once more when the drag ends (the drop, its announcement), then the marker goes.
  const [dropSlots] = useState(createSlotStore);
  useLayoutEffect(() => {
    if (activeId === null) dropSlots.set(null);
  }, [activeId, dropSlots]);
  const cardsIn = measuredOncePerLane();
  // The target last spoken in this drag: dnd-kit asks at every move, a person hears it once.
  const spokenTarget = useRef('');

  /** The target as a screen reader hears it: a place in a lane, or a locked lane. */
  const describe = useCallback(
    (draggedId: UniqueIdentifier, overId: UniqueIdentifier | undefined, slot: DropSlot | null) => {
      if (slot) return t('dnd.position', { lane: containerTitle(board, slot.container, t('board.unplaced')), position: landingOf(board, draggedId, slot).index + 1 });
      const locked = overId === undefined ? null : lockedContainerOf(overId);
      return locked === null ? '' : t('dnd.lockedTarget', { lane: containerTitle(board, locked as ContainerId, t('board.unplaced')) });
    },
    [board, t],
  );

  const announcements: Announcements = useMemo(() => {
    const title = (id: UniqueIdentifier) => board.activityById.get(id as ActivityId)?.title ?? '';
    // The slot the board's own handler has just followed (dnd-kit calls it before these).
    const overTarget = ({ active, over }: { active: Active; over: Over | null }) => {
      const target = describe(active.id, over?.id, dropSlots.get());
      if (target === '' || target === spokenTarget.current) return undefined;
      spokenTarget.current = target;
      return t('dnd.over', { title: title(active.id), target });
    };
    return {
      onDragStart: ({ active }) => t('dnd.pickedUp', { title: title(active.id) }),
      onDragOver: overTarget,
      onDragMove: overTarget,
      onDragEnd: ({ active, over }) => {
        const locked = over ? lockedContainerOf(over.id) : null;
        if (locked !== null) return t('dnd.droppedLocked', { title: title(active.id), lane: containerTitle(board, locked as ContainerId, t('board.unplaced')) });
        const slot = over ? dropSlots.get() : null;
        return slot ? t('dnd.dropped', { title: title(active.id), target: describe(active.id, over?.id, slot) }) : t('dnd.droppedNowhere', { title: title(active.id) });
      },
      onDragCancel: ({ active }) => t('dnd.cancelled', { title: title(active.id) }),
    };
  }, [board, describe, dropSlots, t]);

  /** Tell the others where the card is going (awareness; when the slot changes, not per pixel). */
  const showDragging = (id: ActivityId, slot: DropSlot | null) => {
    const activity = board.activityById.get(id);
    if (!activity || !slot) return session.setActivity('dragging', null);
    session.setActivity('dragging', { activityId: id, title: activity.title, container: slot.container, index: landingOf(board, id, slot).index });
  };
  const onDragStart = ({ active }: DragStartEvent) => {
    setActiveId(active.id as ActivityId);
    spokenTarget.current = '';
  };
  /** The drag's last move, followed again when the board changes under it. */
  const lastDrag = useRef<Pick<DragMoveEvent, 'active' | 'collisions'> | null>(null);
  /** Where the card would land (before the first shown card below its middle): the lanes mark it, and the others see it. */
  const followDrag = ({ active, collisions }: Pick<DragMoveEvent | DragOverEvent, 'active' | 'collisions'>) => {
    // The collisions, not `over`: on a move, dnd-kit's `over` is still the one of the render before.
    const overId = collisions?.[0]?.id;
    const container = overId === undefined ? null : containerFromDropId(overId);
    const lane = [...(boardRef.current?.children ?? [])].find((el) => el instanceof HTMLElement && el.dataset.laneId === container);
    const dragged = active.rect.current.translated;
    const slot = container !== null && lane && dragged ? slotAt(container, cardsIn(lane, active.id), dragged.top + dragged.height / 2) : null;
    lastDrag.current = { active, collisions };
    if (dropSlots.set(slot)) showDragging(active.id as ActivityId, slot);
  };
  // The board changed under a drag (another person moved or deleted a card): the slot is read again
  // from the cards as they now stand, without waiting for the pointer or a key to move. Only then:
  // it measures a lane's cards, which lays the page out at once.
  const followDragAgain = useEffectEvent(() => {
    if (lastDrag.current) followDrag(lastDrag.current);
  });
  useLayoutEffect(() => followDragAgain(), [board]);
  const endDrag = () => {
    lastDrag.current = null;
    setActiveId(null);
    session.setActivity('dragging', null);
  };
  const onDragEnd = ({ active, over }: DragEndEvent) => {
    endDrag();
    const id = active.id as ActivityId;
    const current = board.activityById.get(id);
    if (!over || !current) return; // dropped nowhere, or deleted meanwhile
    // Over a lane locked for this person: the card goes back, and the person is told why (not only screen readers).
    const locked = lockedContainerOf(over.id);
    if (locked !== null) {
      const message =
        lockOf(board, locked) === 'board'
          ? t('notices.dropBoardLocked', { title: current.title })
          : t('notices.dropLaneLocked', { title: current.title, lane: containerTitle(board, locked as ContainerId, t('board.unplaced')) });
      return notify({ message, tone: 'refusal', quiet: true }); // dnd-kit's announcement says it already
    }
    const slot = dropSlots.get();
    if (!slot) return;
    const laneId = laneIdOf(slot.container);
    const { index, moves } = landingOf(board, id, slot);
    if (!moves) return; // dropped in place
    // Locked under the drag (the lanes' drop zones follow a frame later): the server would refuse it.
    if (!permissionsOf(sessionState, boardStore(session.doc).getSnapshot()).canMoveActivity(id, laneId)) {
      return notify({ message: t('notices.dropLockedMeanwhile', { title: current.title }), tone: 'refusal' });
    }
    // The whole drop is one operation, one transaction, one update on the wire.
    moveActivity(session.doc, id, laneId, index);
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
      municipalities={board.municipalityById}
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
      dropSlots={dropSlots}
    />
  );

  return (
    <DndContext
      sensors={sensors}
      collisionDetection={collisionDetection}
      onDragStart={onDragStart}
      onDragMove={followDrag}
      onDragOver={followDrag}
      onDragEnd={onDragEnd}
      onDragCancel={endDrag}
      accessibility={{ announcements, screenReaderInstructions: { draggable: t('dnd.instructions') } }}
    >
      <div className="board" role="presentation" ref={boardRef}>
        {board.lanes.map(({ lane, activities }) => laneFor(lane.id, activities, { title: lane.title, color: lane.color }))}
        {laneFor(POOL, board.unplaced, { title: t('board.unplaced'), hint: t('board.unplacedHint') })}
      </div>
      <DragOverlay dropAnimation={null}>
        {active ? <CardBody activity={active} municipalities={board.municipalityById} own={own} className="card card--overlay" overlay /> : null}
      </DragOverlay>
    </DndContext>
  );
}
