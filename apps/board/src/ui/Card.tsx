import { useDraggable } from '@dnd-kit/core';
import { type KeyboardEvent, memo, useCallback, useMemo, type CSSProperties } from 'react';
import { useTranslation } from 'react-i18next';
import type { Activity, Municipality, MunicipalityId } from '@tabla/plan-model';
import { cardControl } from '../dnd/card-control.js';
import { SpotlightButton } from '../facilitation/SpotlightButton.js';
import type { SpotlightHandler } from '../facilitation/spotlight.js';
import { formatTimeframe } from '../i18n/index.js';
import { formatKM } from './format.js';
import { MunicipalityChip } from './MunicipalityChip.js';
import { TitleText } from './TitleText.js';
import { usePermission } from './permissions.js';
import type { PresenceMark } from './presence.js';
import { CardVote } from '../voting/CardVote.js';
import type { DotHandler } from '../voting/vote-view.js';

interface CardProps {
  readonly activity: Activity;
  readonly municipalities: ReadonlyMap<MunicipalityId, Municipality>;
  readonly draggable: boolean;
  /** What a screen reader calls a draggable card, translated once by the lane rather than by every card. */
  readonly roleDescription?: string;
  readonly onEdit?: (activity: Activity) => void;
  /** A lock holds this card for the viewer: its button opens it read-only, for progress notes ("Napredak"). */
  readonly readOnly?: boolean;
  /** The viewer's own municipality (from their identity): marks cards it leads or partners. */
  readonly own?: Municipality | undefined;
  /**
   * Join (true) or leave (false) as the viewer's municipality; absent without edit rights. A card
   * offers it only where the write policy lets this link change that membership (a link bound to
   * `own` on any activity; one that only picked it, on unsigned ones), as the server allows.
   */
  readonly onSetPartner?: ((activity: Activity, joined: boolean) => void) | undefined;
  /** A filter is active and this card does not match it: shown dimmed, still readable. */
  readonly dimmed?: boolean;
  /** Others editing or dragging this card right now. */
  readonly marks?: readonly PresenceMark[] | undefined;
  /** The facilitator's spotlight is on this card ('on') or on another card of its lane ('dimmed'). */
  readonly spotlight?: 'on' | 'dimmed' | undefined;
  /** Facilitator only: the spotlight button. */
  readonly onSpotlight?: SpotlightHandler | undefined;
  /**
   * The card is part of the current dot vote: 'own' while it is open (this screen's municipality's
   * dots only, with "+"/"−"), 'total' once revealed. Primitives, so the memo holds while voting.
   */
  readonly dotMode?: 'own' | 'total' | undefined;
  readonly dots?: number | undefined;
  readonly canAddDot?: boolean | undefined;
  readonly onDot?: DotHandler | undefined;
}

/**
 * A card in a lane: the whole card drags (pointer, touch and keyboard). Lanes are the drop targets,
 * not cards (see dnd/slots.ts). dnd-kit still re-renders every draggable when a drag starts, changes
 * lane or ends, so this part stays small and the body below is memoised.
 */
export const DraggableCard = memo(function DraggableCard({ activity, municipalities, draggable, roleDescription, onEdit, readOnly, own, onSetPartner, dimmed = false, marks, spotlight, onSpotlight, dotMode, dots, canAddDot, onDot }: CardProps) {
  const { attributes, listeners, setNodeRef, isDragging } = useDraggable({ id: activity.id, disabled: !draggable });
  const spotlightClass = spotlight ? ` card--${spotlight === 'on' ? 'spotlit' : 'spot-dimmed'}` : '';
  // Stable handlers: the card bodies whose props did not change are skipped when this re-renders.
  const onKeyDown = useCallback(
    (e: KeyboardEvent<HTMLElement>) => {
      if (e.key === 'Enter' && !isDragging && onEdit && e.target === e.currentTarget) {
        e.preventDefault();
        onEdit(activity);
        return;
      }
      if (draggable) listeners?.onKeyDown?.(e);
    },
    [isDragging, onEdit, activity, draggable, listeners],
  );
  const onDoubleClick = useMemo(() => (onEdit ? () => onEdit(activity) : undefined), [onEdit, activity]);
  return (
    <li className="card-slot" ref={setNodeRef}>
      <DraggableCardBody
        activity={activity}
        municipalities={municipalities}
        own={own}
        onSetPartner={onSetPartner}
        dimmed={dimmed}
        marks={marks}
        spotlight={spotlight}
        onSpotlight={onSpotlight}
        dotMode={dotMode}
        dots={dots}
        canAddDot={canAddDot}
        onDot={onDot}
        className={`card${isDragging ? ' card--placeholder' : ''}${dimmed ? ' card--dimmed' : ''}${spotlightClass}`}
        // Only the attributes an article may carry: not role=button / aria-pressed.
        tabIndex={draggable ? attributes.tabIndex : undefined}
        aria-roledescription={draggable ? roleDescription : undefined}
        aria-describedby={draggable ? attributes['aria-describedby'] : undefined}
        {...(draggable ? listeners : {})}
        onKeyDown={onKeyDown}
        onDoubleClick={onDoubleClick}
        onEdit={onEdit}
        readOnly={readOnly}
      />
    </li>
  );
});

type CardBodyProps = Omit<CardProps, 'draggable' | 'roleDescription'> &
  Omit<React.HTMLAttributes<HTMLElement>, 'onEdit'> & {
    /** The copy that follows the pointer while dragging: hidden from assistive tech, own ids. */
    readonly overlay?: boolean;
  };

export function CardBody({ activity, municipalities, onEdit, readOnly = false, own, onSetPartner, dimmed = false, marks, spotlight, onSpotlight, dotMode, dots = 0, canAddDot = false, onDot, overlay = false, className = 'card', ...rest }: CardBodyProps) {
  const { t, i18n } = useTranslation();
  const lead = activity.leadId ? municipalities.get(activity.leadId) : undefined;
  const partners = activity.partners.map((id) => municipalities.get(id)).filter((m): m is Municipality => !!m);
  const titleId = `card-title-${activity.id}${overlay ? '-overlay' : ''}`;
  const ownRole = !own ? null : activity.leadId === own.id ? 'lead' : activity.partners.includes(own.id) ? 'partner' : null;
  const joinable = onSetPartner !== undefined && own !== undefined && ownRole !== 'lead';
  const spotlightable = onSpotlight !== undefined && !overlay;
  return (
    <article
      className={className}
      aria-labelledby={titleId}
      data-activity-id={overlay ? undefined : activity.id}
      data-filter={dimmed ? 'dimmed' : undefined}
      data-own={ownRole ?? undefined}
      aria-hidden={overlay || undefined}
      style={{ '--lead-color': lead?.color ?? '#888888', '--own-color': own?.color } as CSSProperties}
      {...rest}
    >
      <h3 className="card__title" id={titleId}>
        <TitleText text={activity.title} />
      </h3>
      {marks && marks.length > 0 && (
        <p className="card__presence">
          {marks.map((m) => (
            <span key={`${m.clientId}-${m.kind}`} className={`presence-mark presence-mark--${m.kind}`} style={{ borderColor: m.color }}>
              <span className="swatch swatch--small" aria-hidden="true" style={{ background: m.color }} />
              {t(`presence.${m.kind}`, { name: m.name })}
            </span>
          ))}
        </p>
      )}
      {dimmed && <p className="visually-hidden">{t('filters.notMatching')}</p>}
      {own && ownRole && (
        // Text, not colour alone: "Vaša općina: partner", with the municipality's colour beside it.
        <p className={`card__own card__own--${ownRole}`}>
          <span className="swatch" aria-hidden="true" style={{ background: own.color }} />
          {t(`ownership.${ownRole}.${own.kind ?? 'opcina'}`)}
        </p>
      )}
      {activity.createdBy && (
        <p className="card__created-by">
          {t('card.createdBy')}: {municipalities.get(activity.createdBy)?.name ?? activity.createdBy}
        </p>
      )}
      <div className="card__people">
        <p className="card__lead">
          {lead ? <MunicipalityChip municipality={lead} label={t('card.lead')} showName /> : <span className="chip chip--empty">{t('card.noLead')}</span>}
        </p>
        {partners.length > 0 && (
          <p className="card__partners">
            <span className="visually-hidden">{t('card.partners')}: </span>
            {partners.map((m) => (
              <MunicipalityChip key={m.id} municipality={m} label={t('card.partner')} />
            ))}
          </p>
        )}
      </div>
      <p className="card__meta">
        <span className="card__timeframe">{formatTimeframe(t, activity.timeframe)}</span>
        {activity.budget !== undefined && (
          <span className="card__budget">
            <span className="visually-hidden">{t('resources.label')}: </span>
            {formatKM(activity.budget, i18n.language)}
          </span>
        )}
        <span className={`status status--${activity.status}`}>{t(`status.${activity.status}`)}</span>
      </p>
      {dotMode && !overlay && <CardVote activity={activity} mode={dotMode} dots={dots} canAdd={canAddDot} onDot={onDot} />}
      {onEdit && (
        <button
          type="button"
          className="card__edit"
          aria-label={readOnly ? t('card.progressLabel', { title: activity.title }) : t('card.editLabel', { title: activity.title })}
          title={readOnly ? t('card.progress') : t('card.edit')}
          {...cardControl}
          onClick={() => onEdit(activity)}
        >
          {/* An icon, so the title keeps the card's width; its name and tooltip say what it does. */}
          <span aria-hidden="true">{readOnly ? '☰' : '✎'}</span>
        </button>
      )}
      {(joinable || spotlightable) && (
        // One row where both fit (a wide lane), wrapping where they do not.
        <div className="card__actions">
          {joinable && (
            // One button whose label follows the state, so focus stays on it after a click.
            <button
              type="button"
              className={`card__partner card__partner--${ownRole === 'partner' ? 'leave' : 'join'}`}
              aria-label={ownRole === 'partner' ? t('partner.leaveLabel', { title: activity.title }) : t('partner.joinLabel', { title: activity.title })}
              {...cardControl}
              onClick={() => onSetPartner(activity, ownRole !== 'partner')}
            >
              {ownRole === 'partner' ? t('partner.leave') : t('partner.join')}
            </button>
          )}
          {spotlightable && (
            <SpotlightButton target={{ kind: 'activity', id: activity.id }} title={activity.title} active={spotlight === 'on'} onSpotlight={onSpotlight} className="card__spotlight" />
          )}
        </div>
      )}
    </article>
  );
}

/**
 * The body of a card in a lane, with the partner permission it asks for: here rather than in the
 * shell, so the shell's re-renders during a drag do not read the policy for every card.
 */
const DraggableCardBody = memo(function DraggableCardBody({ onSetPartner, ...props }: CardBodyProps) {
  // A boolean, so the body re-renders only when this answer changes.
  const ownId = props.own?.id;
  const activityId = props.activity.id;
  const mayJoin = usePermission((p) => ownId !== undefined && p.canSetPartner(activityId, ownId));
  return <CardBody {...props} onSetPartner={mayJoin ? onSetPartner : undefined} />;
});
