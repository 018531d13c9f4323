/**
 * Where the facilitator is on the board (awareness `view`), and following it: marking the
 * followed lane or card and scrolling it into view. The marks are data attributes set on the
 * board's own elements (React does not manage them), so lanes and cards need no new props.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { serverNow } from './clock.js';
import type { FocusTarget, ViewPresence } from './follow.js';

interface AwarenessWriter {
  getLocalState(): Record<string, unknown> | null;
  setLocalStateField(field: string, value: unknown): void;
}

/** Tells the others where this (facilitator's) view is; null: nowhere in particular. */
export function setFocus(awareness: AwarenessWriter, focus: FocusTarget | null): void {
  const current = awareness.getLocalState()?.view as ViewPresence | undefined;
  const next = focus && { kind: focus.kind, id: focus.id };
  if (current && JSON.stringify(current.focus ?? null) === JSON.stringify(next)) return;
  const view: ViewPresence = { focus: next, at: Math.round(serverNow()) };
  awareness.setLocalStateField('view', view);
}

/** The lane or card a DOM event happened in, on the board. Lanes count only by their header. */
function targetOf(node: EventTarget | null, laneHeaders: boolean): FocusTarget | null {
  if (!(node instanceof Element) || !node.closest('.board')) return null;
  const card = node.closest('[data-activity-id]');
  const cardId = card?.getAttribute('data-activity-id');
  if (cardId) return { kind: 'activity', id: cardId };
  if (!laneHeaders || !node.closest('.lane__header')) return null;
  const laneId = node.closest('[data-lane-id]')?.getAttribute('data-lane-id');
  return laneId ? { kind: 'lane', id: laneId } : null;
}

/**
 * The facilitator's focus follows what they work on: a card they click or move to with the
 * keyboard, a lane whose heading they click (and whatever they spotlight).
 */
export function useFocusReporter(awareness: AwarenessWriter, enabled: boolean): void {
  useEffect(() => {
    if (!enabled) return;
    const onFocusIn = (e: FocusEvent) => {
      const target = targetOf(e.target, false);
      if (target) setFocus(awareness, target);
    };
    const onClick = (e: MouseEvent) => {
      const target = targetOf(e.target, true);
      if (target) setFocus(awareness, target);
    };
    document.addEventListener('focusin', onFocusIn);
    document.addEventListener('click', onClick);
    return () => {
      document.removeEventListener('focusin', onFocusIn);
      document.removeEventListener('click', onClick);
    };
  }, [awareness, enabled]);
}

/** The board's element for a lane or card (never the drag overlay's copy). */
export function boardElement(target: FocusTarget): HTMLElement | null {
  const attribute = target.kind === 'lane' ? 'data-lane-id' : 'data-activity-id';
  for (const el of document.querySelectorAll<HTMLElement>(`.board [${attribute}]`)) {
    if (el.getAttribute(attribute) === target.id) return el;
  }
  return null;
}

export function scrollToElement(el: HTMLElement, kind: FocusTarget['kind']): void {
  const reduce = typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;
  el.scrollIntoView({ behavior: reduce ? 'auto' : 'smooth', block: kind === 'lane' ? 'start' : 'center', inline: 'nearest' });
}

/**
 * While following: the followed lane or card carries `data-followed` (with a visible label)
 * and is scrolled into view when the target changes, or when its element is new (moved).
 * `version` changes with the board, so the mark follows re-created elements.
 */
export function useFollowMark(target: FocusTarget | null, label: string, version: unknown): void {
  const scrolled = useRef<{ key: string; el: HTMLElement } | null>(null);
  const kind = target?.kind;
  const id = target?.id;
  useEffect(() => {
    if (!kind || !id) {
      scrolled.current = null;
      return;
    }
    const el = boardElement({ kind, id });
    if (!el) return;
    el.setAttribute('data-followed', 'true');
    el.setAttribute('data-followed-label', label);
    const key = `${kind}:${id}`;
    if (scrolled.current?.key !== key || scrolled.current.el !== el) {
      scrolled.current = { key, el };
      scrollToElement(el, kind);
    }
    return () => {
      el.removeAttribute('data-followed');
      el.removeAttribute('data-followed-label');
    };
  }, [kind, id, label, version]);
}

/** Everyone but the facilitator who set it: a new spotlight scrolls into view. */
export function useSpotlightScroll(target: FocusTarget | null, enabled: boolean): void {
  const kind = target?.kind;
  const id = target?.id;
  useEffect(() => {
    if (!enabled || !kind || !id) return;
    // After the board has rendered the dims (the next frame).
    const frame = requestAnimationFrame(() => {
      const el = boardElement({ kind, id });
      if (el) scrollToElement(el, kind);
    });
    return () => cancelAnimationFrame(frame);
  }, [kind, id, enabled]);
}

const stepAwayKey = (boardId: string) => `tabla.followStop.${boardId}`;

/** The summon this person stepped away from ("Stop following"), remembered on this device. */
export function useSteppedAway(boardId: string): [string | null, (nonce: string) => void] {
  const [nonce, setNonce] = useState<string | null>(() => {
    try {
      return localStorage.getItem(stepAwayKey(boardId));
    } catch {
      return null;
    }
  });
  const stepAway = useCallback(
    (next: string) => {
      setNonce(next);
      try {
        localStorage.setItem(stepAwayKey(boardId), next);
      } catch {
        // not remembered after a reload, still stepped away now
      }
    },
    [boardId],
  );
  return [nonce, stepAway];
}
