import { useTranslation } from 'react-i18next';
import type { Spotlight } from '@tabla/plan-model';
import { cardControl } from '../dnd/card-control.js';

interface SpotlightButtonProps {
  readonly target: Spotlight;
  /** The lane's or activity's title, for the button's name. */
  readonly title: string;
  /** This very item is in the spotlight: the button clears it. */
  readonly active: boolean;
  readonly onSpotlight: (target: Spotlight | null) => void;
  readonly className?: string;
}

/** The facilitator's "spotlight this for everyone" (or "stop") on a lane header or a card. */
export function SpotlightButton({ target, title, active, onSpotlight, className = 'spotlight-button' }: SpotlightButtonProps) {
  const { t } = useTranslation();
  const label = active
    ? t('spotlight.clearLabel', { title })
    : target.kind === 'lane'
      ? t('spotlight.laneLabel', { title })
      : t('spotlight.activityLabel', { title });
  return (
    <button
      type="button"
      className={`${className}${active ? ` ${className}--active` : ''}`}
      aria-label={label}
      {...cardControl}
      onClick={() => onSpotlight(active ? null : target)}
    >
      {active ? t('spotlight.clear') : t('spotlight.set')}
    </button>
  );
}
