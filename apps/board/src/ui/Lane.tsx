import { useDroppable } from '@dnd-kit/core';
import { Fragment, type HTMLAttributes, memo, useMemo, type CSSProperties } from 'react';
import { useTranslation } from 'react-i18next';
import { type Activity, inVoteScope, type Municipality, type MunicipalityId } from '@tabla/plan-model';
import { type ContainerId, containerDropId, laneIdOf } from '../dnd/ids.js';
import { LANE_END, type SlotStore, useDropMarker } from '../dnd/slots.js';
import { sameFlags } from '../filters/match.js';
import { BoardLockBanner, LockBadge, LockedDropZone, useLock } from '../facilitator/locks.js';
import { SpotlightButton } from '../facilitation/SpotlightButton.js';
import type { LaneSpotlightProps, SpotlightHandler } from '../facilitation/spotlight.js';
import { DraggableCard } from './Card.js';
import { usePermission } from './permissions.js';
import { type Ghost, type LanePresence, NO_PRESENCE } from './presence.js';
import type { LaneVote } from '../voting/vote-view.js';
import { TitleText } from './TitleText.js';

interface LaneProps {
  readonly containerId: ContainerId;
  readonly title: string;
  readonly hint?: string;
  readonly color?: string;
  readonly activities: readonly Activity[];
  readonly municipalities: ReadonlyMap<MunicipalityId, Municipality>;
  readonly editable: boolean;
  readonly onAdd?: (containerId: ContainerId) => void;
  readonly onEdit?: (activity: Activity) => void;
  /** The viewer's own municipality, if they named one. */
  readonly own?: Municipality | undefined;
  readonly onSetPartner?: ((activity: Activity, joined: boolean) => void) | undefined;
  /**
   * Whether each activity matches the person's filter (aligned with `activities`); null when
   * no filter is active. A new array on each board render, compared element-wise below.
   */
  readonly matches?: readonly boolean[] | null;
  /** Hide the non-matching cards instead of dimming them. */
  readonly onlyMatches?: boolean;
  /** Others' presence here: marks on cards, and cards being dragged into this lane. */
  readonly presence?: LanePresence;
  /** The facilitator's spotlight: this lane is (or holds) it, or is dimmed. */
  readonly spotlight?: LaneSpotlightProps['spotlight'];
  readonly spotlitActivityId?: string;
  /** Facilitator only: the spotlight buttons. */
  readonly onSpotlight?: SpotlightHandler | undefined;
  /** The current dot vote, when this lane's cards show something of it (stable between renders). */
  readonly vote?: LaneVote | undefined;
  /** Where this screen's drag would land: the lane shows a marker there. */
  readonly dropSlots: SlotStore;
}

/** A priority lane (or the not-yet-placed pool): a region named by its title. */
export const Lane = memo(function Lane({
  containerId,
  title,
  hint,
  color,
  activities,
  municipalities,
  editable,
  onAdd,
  onEdit,
  own,
  onSetPartner,
  matches = null,
  onlyMatches = false,
  presence = NO_PRESENCE,
  spotlight,
  spotlitActivityId,
  onSpotlight,
  vote,
  dropSlots,
}: LaneProps) {
  const { t } = useTranslation();
  // A locked lane (or board) stops coordinators: no drag out, no drop in, no add, no edit. Not the
  // facilitator: the write policy says whom a lock holds. The badge shows the lock to everyone.
  const lock = useLock(containerId);
  const lockedForMe = usePermission((p) => p.lockedIn(laneIdOf(containerId)));
  const changeable = editable && !lockedForMe;
  const headingId = `lane-title-${containerId}`;
  const spotlightClass = spotlight ? ` lane--${spotlight === 'on' ? 'spotlit' : 'dimmed'}` : '';
  const found = matches === null ? activities.length : matches.filter(Boolean).length;
  // Hidden cards are not rendered: a drop lands before the shown card below it, or at the end of
  // the whole lane (see dnd/slots.ts and Board's landingOf).
  const shown = useMemo(() => {
    const cards = activities.map((activity, i) => ({ activity, dimmed: matches !== null && !matches[i] }));
    return onlyMatches ? cards.filter((c) => !c.dimmed) : cards;
  }, [activities, matches, onlyMatches]);
  const markerBefore = useDropMarker(dropSlots, containerId);
  const ghosts = useMemo(() => ghostPlaces(presence.ghosts, activities, shown), [presence.ghosts, activities, shown]);
  const roleDescription = t('dnd.roleDescription');
  return (
    <LaneDropZone
      containerId={containerId}
      disabled={lockedForMe}
      className={`lane${containerId === 'pool' ? ' lane--pool' : ''}${lock !== 'none' ? ' lane--locked' : ''}${spotlightClass}`}
      aria-labelledby={headingId}
      data-lane-id={containerId}
      data-spotlight={spotlight}
      style={{ '--lane-color': color ?? '#5b6770' } as CSSProperties}
    >
      <header className="lane__header">
        <h2 id={headingId} className="lane__title">
          <TitleText text={title} />
        </h2>
        <LockBadge lock={lock} />
        <p className="lane__count">
          {matches === null ? t('board.activities', { count: activities.length }) : t('filters.laneCount', { count: activities.length, matched: found })}
        </p>
        {hint && <p className="lane__hint">{hint}</p>}
        {onSpotlight && containerId !== 'pool' && (
          <SpotlightButton target={{ kind: 'lane', id: containerId }} title={title} active={spotlight === 'on' && !spotlitActivityId} onSpotlight={onSpotlight} className="lane__spotlight" />
        )}
      </header>
      <ol className="lane__cards">
        {shown.map(({ activity, dimmed }) => (
          <Fragment key={activity.id}>
            {ghosts.get(activity.id)?.map((g) => <GhostMarker key={`ghost-${g.clientId}`} ghost={g} />)}
            {markerBefore === activity.id && <DropMarker />}
            <DraggableCard
              activity={activity}
              municipalities={municipalities}
              draggable={changeable}
              roleDescription={roleDescription}
              // Locked: the card still opens, read-only, for its progress notes (a lock holds the plan, not its follow-through).
              onEdit={editable ? onEdit : undefined}
              readOnly={!changeable}
              own={own}
              onSetPartner={changeable ? onSetPartner : undefined}
              dimmed={dimmed}
              marks={presence.marks.get(activity.id)}
              spotlight={spotlitActivityId ? (activity.id === spotlitActivityId ? 'on' : 'dimmed') : undefined}
              onSpotlight={onSpotlight}
              {...(vote && inVoteScope(vote, activity)
                ? { dotMode: vote.mode, dots: vote.dots[activity.id] ?? 0, canAddDot: vote.canAdd, onDot: vote.onDot }
                : undefined)}
            />
          </Fragment>
        ))}
        {ghosts.get(LANE_END)?.map((g) => <GhostMarker key={`ghost-${g.clientId}`} ghost={g} />)}
        {markerBefore === LANE_END && <DropMarker />}
      </ol>
      {activities.length === 0 && <p className="lane__empty">{t('board.empty')}</p>}
      {activities.length > 0 && shown.length === 0 && <p className="lane__empty">{t('filters.noneInLane')}</p>}
      {changeable && onAdd && (
        <button type="button" className="lane__add" onClick={() => onAdd(containerId)}>
          + {t('board.addActivity')}
        </button>
      )}
      {lockedForMe && <LockedDropZone containerId={containerId} />}
      {containerId === 'pool' && <BoardLockBanner />}
    </LaneDropZone>
  );
}, lanePropsEqual);

interface LaneDropZoneProps extends HTMLAttributes<HTMLElement> {
  readonly containerId: ContainerId;
  readonly disabled: boolean;
  readonly className: string;
}

/**
 * The lane's section as a drop target. Apart from the lane, because it re-renders whenever the
 * drag's target changes (it consumes dnd-kit's context): its children, made by the lane, keep
 * their identity then, so React skips the header and the card list.
 */
function LaneDropZone({ containerId, disabled, className, children, ...rest }: LaneDropZoneProps) {
  const { setNodeRef, isOver } = useDroppable({ id: containerDropId(containerId), data: { type: 'lane', containerId }, disabled });
  return (
    <section ref={setNodeRef} className={`${className}${isOver ? ' lane--over' : ''}`} {...rest}>
      {children}
    </section>
  );
}

/** Every prop by identity, except the filter's matches: element-wise, so a lane whose matches did not change does not render. */
export function lanePropsEqual(prev: LaneProps, next: LaneProps): boolean {
  const keys = new Set([...Object.keys(prev), ...Object.keys(next)] as (keyof LaneProps)[]);
  for (const key of keys) {
    if (key === 'matches' ? !sameFlags(prev.matches ?? null, next.matches ?? null) : !Object.is(prev[key], next[key])) return false;
  }
  return true;
}

/**
 * Where others are dragging cards to: the markers by the shown card each goes before (LANE_END: the
 * end). A ghost's index counts the lane's cards but the dragged one, hidden ones too (as
 * moveActivity takes it): its marker goes before the card at that index, or the first shown after it.
 */
export function ghostPlaces(
  ghosts: readonly Ghost[],
  activities: readonly Activity[],
  shown: readonly { readonly activity: Activity }[],
): Map<string | typeof LANE_END, Ghost[]> {
  const places = new Map<string | typeof LANE_END, Ghost[]>();
  if (ghosts.length === 0) return places;
  const isShown = new Set(shown.map((c) => c.activity.id));
  for (const ghost of ghosts) {
    const next = activities.filter((a) => a.id !== ghost.activityId).slice(ghost.index).find((a) => isShown.has(a.id));
    const place = next?.id ?? LANE_END;
    places.set(place, [...(places.get(place) ?? []), ghost]);
  }
  return places;
}

/** Where this screen's drag would land. It takes no room (see .drop-marker): the cards around it stay where they are. */
function DropMarker() {
  return <li className="drop-marker" aria-hidden="true" />;
}

function GhostMarker({ ghost }: { ghost: Ghost }) {
  const { t } = useTranslation();
  return (
    <li className="ghost" style={{ borderColor: ghost.color }}>
      <span className="swatch swatch--small" aria-hidden="true" style={{ background: ghost.color }} />
      {t('presence.ghost', { name: ghost.name, title: ghost.title })}
    </li>
  );
}
