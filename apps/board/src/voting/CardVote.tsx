import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { Activity } from '@tabla/plan-model';
import { cardControl } from '../dnd/card-control.js';
import type { DotHandler } from './vote-view.js';


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
      <DotButton label={t('vote.remove', { title })} blocked={!canRemove} onClick={() => canRemove && onDot?.(activity, -1)} glyph="−" />
      <span className="card__dots" data-testid="card-dots" data-dots={dots}>
        <span className="card__dot-marks" aria-hidden="true">
          {'●'.repeat(Math.min(dots, 20))}
        </span>
        <span className="visually-hidden">{t('vote.yourDots')}: </span>
        <span className="card__dot-count">{dots}</span>
      </span>
      {/* Tried even with no dot left: the board then says why nothing happened. */}
      <DotButton label={t('vote.add', { title })} blocked={!canAdd} onClick={() => onDot?.(activity, 1)} glyph="+" />
    </div>
  );
}

/** "−" or "+": stays focusable when it cannot act (aria-disabled), so the keyboard keeps its place. */
function DotButton({ label, blocked, onClick, glyph }: { label: string; blocked: boolean; onClick: () => void; glyph: string }) {
  return (
    <button type="button" className="card__dot-button" aria-label={label} aria-disabled={blocked} {...cardControl} onClick={onClick}>
      <span aria-hidden="true">{glyph}</span>
    </button>
  );
}
