/**
 * Where in a lane a dragged card lands. Lanes are the only drop targets: a droppable per card
 * re-rendered all of them (hundreds) whenever the drag's target changed. The place among a
 * lane's cards is read here instead, from the cards on screen and the dragged card's middle.
 */
import type { UniqueIdentifier } from '@dnd-kit/core';
import { useCallback, useSyncExternalStore } from 'react';
import type { ActivityId } from '@tabla/plan-model';
import type { ContainerId } from './ids.js';

export interface DropSlot {
  readonly container: ContainerId;
  /** The shown card it goes after; null: the top of the lane. */
  readonly afterId: ActivityId | null;
  /** The shown card it goes before; null: the end of the lane. */
  readonly beforeId: ActivityId | null;
}

export interface CardBox {
  readonly id: ActivityId;
  readonly rect: DOMRect;
}

/** The cards shown in a lane (or the pool) but the dragged one, top to bottom, with their boxes on screen. */
export function cardsOnScreen(lane: Element, activeId: UniqueIdentifier): CardBox[] {
  const cards = [...lane.querySelectorAll<HTMLElement>('article[data-activity-id]')].filter((el) => el.dataset.activityId !== activeId);
  return cards.map((el) => ({ id: el.dataset.activityId as ActivityId, rect: el.getBoundingClientRect() }));
}

/**
 * `cardsOnScreen`, measured once for each lane and scroll position: measuring at every move would
 * lay the board out again after each move of the marker. Made anew at each render of the board,
 * which comes with every change of what the lanes show.
 */
export function measuredOncePerLane(): typeof cardsOnScreen {
  let last: { lane: Element; scrollY: number; cards: CardBox[] } | undefined;
  return (lane, activeId) => {
    if (last?.lane !== lane || last.scrollY !== window.scrollY) last = { lane, scrollY: window.scrollY, cards: cardsOnScreen(lane, activeId) };
    return last.cards;
  };
}

/** The place among `cards` of a dragged card whose middle is at `y`: before the first card whose middle is below it. */
export function placeAt(cards: readonly CardBox[], y: number): number {
  const below = cards.findIndex((c) => c.rect.top + c.rect.height / 2 > y);
  return below === -1 ? cards.length : below;
}

/** The slot in `container` of a dragged card whose middle is at `y`: between two shown cards. */
export function slotAt(container: ContainerId, cards: readonly CardBox[], y: number): DropSlot {
  const place = placeAt(cards, y);
  return { container, afterId: cards[place - 1]?.id ?? null, beforeId: cards[place]?.id ?? null };
}

/**
 * Does the card already lie in the slot (`order`: its lane's cards, hidden ones too)? A card picked
 * up and put down again, with a filter hiding cards around it, must not move past them.
 */
export function liesInSlot(order: readonly ActivityId[], id: ActivityId, slot: DropSlot): boolean {
  const at = order.indexOf(id);
  const after = slot.afterId === null ? -1 : order.indexOf(slot.afterId);
  const before = slot.beforeId === null ? order.length : order.indexOf(slot.beforeId);
  return at >= 0 && after < at && (before === -1 || at < before);
}

/** Where the marker shows while this screen drags: one slot, and the lanes subscribe to their own part of it. */
export interface SlotStore {
  get(): DropSlot | null;
  /** Returns whether the slot changed. */
  set(slot: DropSlot | null): boolean;
  subscribe(listener: () => void): () => void;
}

export function createSlotStore(): SlotStore {
  let current: DropSlot | null = null;
  const listeners = new Set<() => void>();
  return {
    get: () => current,
    set(slot) {
      if (slot?.container === current?.container && slot?.afterId === current?.afterId && slot?.beforeId === current?.beforeId) return false;
      current = slot;
      for (const listener of [...listeners]) listener();
      return true;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export const LANE_END = Symbol('lane end');

/** The card of this lane the drop marker goes before (LANE_END: after the last); null while the slot is elsewhere. */
export function useDropMarker(slots: SlotStore, container: ContainerId): ActivityId | typeof LANE_END | null {
  const getSnapshot = useCallback(() => {
    const slot = slots.get();
    return slot?.container === container ? (slot.beforeId ?? LANE_END) : null;
  }, [slots, container]);
  return useSyncExternalStore(slots.subscribe, getSnapshot);
}
