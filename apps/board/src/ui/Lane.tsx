import { useDroppable } from '@dnd-kit/core';
import { SortableContext, verticalListSortingStrategy } from '@dnd-kit/sortable';
import { memo, type CSSProperties } from 'react';
import { useTranslation } from 'react-i18next';
import type { Activity, Municipality, MunicipalityId } from '@tabla/plan-model';
import { type ContainerId, containerDropId } from '../dnd/ids.js';
import { SortableCard } from './Card.js';

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
}

/** A priority lane (or the not-yet-placed pool): a region named by its title. */
export const Lane = memo(function Lane({ containerId, title, hint, color, activities, municipalities, editable, onAdd, onEdit }: LaneProps) {
  const { t } = useTranslation();
  const { setNodeRef, isOver } = useDroppable({ id: containerDropId(containerId), data: { type: 'lane', containerId } });
  const headingId = `lane-title-${containerId}`;
  return (
    <section
      ref={setNodeRef}
      className={`lane${containerId === 'pool' ? ' lane--pool' : ''}${isOver ? ' lane--over' : ''}`}
      aria-labelledby={headingId}
      data-lane-id={containerId}
      style={{ '--lane-color': color ?? '#5b6770' } as CSSProperties}
    >
      <header className="lane__header">
        <h2 id={headingId} className="lane__title">
          {title}
        </h2>
        <p className="lane__count">{t('board.activities', { count: activities.length })}</p>
        {hint && <p className="lane__hint">{hint}</p>}
      </header>
      <SortableContext items={activities.map((a) => a.id)} strategy={verticalListSortingStrategy}>
        <ol className="lane__cards">
          {activities.map((activity) => (
            <SortableCard key={activity.id} activity={activity} municipalities={municipalities} draggable={editable} onEdit={editable ? onEdit : undefined} />
          ))}
        </ol>
      </SortableContext>
      {activities.length === 0 && <p className="lane__empty">{t('board.empty')}</p>}
      {editable && onAdd && (
        <button type="button" className="lane__add" onClick={() => onAdd(containerId)}>
          + {t('board.addActivity')}
        </button>
      )}
    </section>
  );
});
