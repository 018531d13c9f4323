import { useSortable } from '@dnd-kit/sortable';
import { CSS } from '@dnd-kit/utilities';
import { memo, type CSSProperties } from 'react';
import { useTranslation } from 'react-i18next';
import type { Activity, Municipality, MunicipalityId } from '@tabla/plan-model';
import { formatTimeframe } from '../i18n/index.js';

interface CardProps {
  readonly activity: Activity;
  readonly municipalities: ReadonlyMap<MunicipalityId, Municipality>;
  readonly draggable: boolean;
  readonly onEdit?: (activity: Activity) => void;
}

/** A card in a lane: the whole card drags (pointer, touch and keyboard). */
export const SortableCard = memo(function SortableCard({ activity, municipalities, draggable, onEdit }: CardProps) {
  const { t } = useTranslation();
  const { attributes, listeners, setNodeRef, transform, transition, isDragging } = useSortable({
    id: activity.id,
    data: { type: 'card', laneId: activity.laneId },
    disabled: !draggable,
  });
  const style: CSSProperties = { transform: CSS.Translate.toString(transform), transition };
  return (
    <li className="card-slot" ref={setNodeRef} style={style}>
      <CardBody
        activity={activity}
        municipalities={municipalities}
        className={isDragging ? 'card card--placeholder' : 'card'}
        // Only the attributes an article may carry: not role=button / aria-pressed.
        tabIndex={draggable ? attributes.tabIndex : undefined}
        aria-roledescription={draggable ? t('dnd.roleDescription') : undefined}
        aria-describedby={draggable ? attributes['aria-describedby'] : undefined}
        {...(draggable ? listeners : {})}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !isDragging && onEdit && e.target === e.currentTarget) {
            e.preventDefault();
            onEdit(activity);
            return;
          }
          if (draggable) listeners?.onKeyDown?.(e);
        }}
        onDoubleClick={onEdit ? () => onEdit(activity) : undefined}
        onEdit={onEdit}
      />
    </li>
  );
});

type CardBodyProps = Omit<CardProps, 'draggable'> &
  Omit<React.HTMLAttributes<HTMLElement>, 'onEdit'> & {
    /** The copy that follows the pointer while dragging: hidden from assistive tech, own ids. */
    readonly overlay?: boolean;
  };

export function CardBody({ activity, municipalities, onEdit, overlay = false, className = 'card', ...rest }: CardBodyProps) {
  const { t } = useTranslation();
  const lead = activity.leadId ? municipalities.get(activity.leadId) : undefined;
  const partners = activity.partners.map((id) => municipalities.get(id)).filter((m): m is Municipality => !!m);
  const titleId = `card-title-${activity.id}${overlay ? '-overlay' : ''}`;
  return (
    <article
      className={className}
      aria-labelledby={titleId}
      data-activity-id={overlay ? undefined : activity.id}
      aria-hidden={overlay || undefined}
      style={{ '--lead-color': lead?.color ?? '#888888' } as CSSProperties}
      {...rest}
    >
      <h3 className="card__title" id={titleId}>
        {activity.title}
      </h3>
      <p className="card__lead">
        <span className="swatch" aria-hidden="true" style={{ background: lead?.color ?? 'transparent' }} />
        <span className="visually-hidden">{t('card.lead')}: </span>
        {lead?.name ?? t('card.noLead')}
      </p>
      {partners.length > 0 && (
        <p className="card__partners">
          <span className="card__label">{t('card.partners')}: </span>
          {partners.map((m, i) => (
            <span key={m.id} className="partner">
              <span className="swatch swatch--small" aria-hidden="true" style={{ background: m.color }} />
              {m.name}
              {i < partners.length - 1 ? ', ' : ''}
            </span>
          ))}
        </p>
      )}
      <p className="card__meta">
        <span className="card__timeframe">{formatTimeframe(t, activity.timeframe)}</span>
        <span className={`status status--${activity.status}`}>{t(`status.${activity.status}`)}</span>
      </p>
      {onEdit && (
        <button
          type="button"
          className="card__edit"
          aria-label={t('card.editLabel', { title: activity.title })}
          onPointerDown={(e) => e.stopPropagation()}
          onKeyDown={(e) => e.stopPropagation()}
          onClick={() => onEdit(activity)}
        >
          {t('card.edit')}
        </button>
      )}
    </article>
  );
}
