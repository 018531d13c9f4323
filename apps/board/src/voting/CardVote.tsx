import type { SyntheticEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Activity } from '@tabla/plan-model';
import type { DotHandler } from './vote-view.js';

/** Inside a card: must not start a drag, nor open the editor. */
const stop = (e: SyntheticEvent) => e.stopPropagation();

interface CardVoteProps {
  readonly activity: Activity;
  /** 'own': the voter's own dots, with "+" and "−"; 'total': everyone's, after the reveal. */
  readonly mode: 'own' | 'total';
  readonly dots: number;
  /** 'own': the voter has a dot left to give. */
  readonly canAdd: boolean;
  readonly onDot?: DotHandler | undefined;
}

/**
 * A card's part in the vote. The buttons stay focusable when they cannot act (aria-disabled):
 * a keyboard user giving the last dot keeps their place on the card.
 */
export function CardVote({ activity, mode, dots, canAdd, onDot }: CardVoteProps) {
  const { t } = useTranslation();
  const title = activity.title;
  if (mode === 'total') {
    return (
      <p className="card__vote-total" data-testid="card-vote-total" data-dots={dots}>
        <span className="visually-hidden">{t('vote.totalLabel')}: </span>
        {t('vote.total', { count: dots })}
      </p>
    );
  }
  const canRemove = dots > 0;
  return (
    <div className="card__vote" role="group" aria-label={t('vote.cardGroup', { title })}>
      <button
        type="button"
        className="card__dot-button"
        aria-label={t('vote.remove', { title })}
        aria-disabled={!canRemove}
        onPointerDown={stop}
        onKeyDown={stop}
        onDoubleClick={stop}
        onClick={() => canRemove && onDot?.(activity, -1)}
      >
        <span aria-hidden="true">−</span>
      </button>
      <span className="card__dots" data-testid="card-dots" data-dots={dots}>
        <span className="card__dot-marks" aria-hidden="true">
          {'●'.repeat(Math.min(dots, 20))}
        </span>
        <span className="visually-hidden">{t('vote.yourDots')}: </span>
        <span className="card__dot-count">{dots}</span>
      </span>
      <button
        type="button"
        className="card__dot-button"
        aria-label={t('vote.add', { title })}
        aria-disabled={!canAdd}
        onPointerDown={stop}
        onKeyDown={stop}
        onDoubleClick={stop}
        onClick={() => canAdd && onDot?.(activity, 1)}
      >
        <span aria-hidden="true">+</span>
      </button>
    </div>
  );
}
