import { type SyntheticEvent, useEffect, useRef } from 'react';
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
  if (mode === 'total') {
    return (
      <p className="card__vote-total" data-testid="card-vote-total" data-dots={dots}>
        <span className="visually-hidden">{t('vote.totalLabel')}: </span>
        {t('vote.total', { count: dots })}
      </p>
    );
  }
  return <OwnDots activity={activity} dots={dots} canAdd={canAdd} onDot={onDot} />;
}

/** The voter's own dots on a card, with "−" and "+". */
function OwnDots({ activity, dots, canAdd, onDot }: Omit<CardVoteProps, 'mode'>) {
  const { t } = useTranslation();
  const title = activity.title;
  const group = useRef<HTMLDivElement>(null);
  // Revealed or closed while a "+" had focus: the buttons go, focus goes to the card, not the page.
  useEffect(() => {
    const node = group.current;
    return () => {
      if (!node?.contains(document.activeElement)) return;
      const card = node.closest<HTMLElement>('article');
      queueMicrotask(() => card?.isConnected && card.focus());
    };
  }, []);
  const canRemove = dots > 0;
  return (
    <div ref={group} className="card__vote" role="group" aria-label={t('vote.cardGroup', { title })}>
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
        // Tried even with no dot left: the board then says why nothing happened.
        onClick={() => onDot?.(activity, 1)}
      >
        <span aria-hidden="true">+</span>
      </button>
    </div>
  );
}
