import { describe, expect, it, vi } from 'vitest';
import type { ClientRect, DroppableContainer, KeyboardCoordinateGetter } from '@dnd-kit/core';
import { boardKeyboardCoordinates } from './keyboard-coordinates.js';
import type { ActivityId } from '@tabla/plan-model';
import { cardsOnScreen, createSlotStore, liesInSlot, placeAt, slotAt } from './slots.js';

/** A lane with cards 100 px high, 10 px apart, from y = 50; each card's box as the browser would give it. */
function laneWithCards(ids: readonly string[], left = 0): HTMLElement {
  const lane = document.createElement('section');
  ids.forEach((id, i) => {
    const card = document.createElement('article');
    card.dataset.activityId = id;
    const top = 50 + i * 110;
    card.getBoundingClientRect = () => ({ top, bottom: top + 100, left, right: left + 200, width: 200, height: 100, x: left, y: top }) as DOMRect;
    lane.append(card);
  });
  return lane;
}

describe('the place of a dragged card among a lane’s cards', () => {
  const lane = laneWithCards(['a', 'b', 'c', 'd']);

  it('reads the shown cards top to bottom, without the dragged one', () => {
    expect(cardsOnScreen(lane, 'b').map((c) => c.id)).toEqual(['a', 'c', 'd']);
  });

  it('goes before the first card whose middle is below the dragged card’s middle', () => {
    const cards = cardsOnScreen(lane, 'b'); // middles at 100, 320, 430
    expect(placeAt(cards, 40)).toBe(0);
    expect(slotAt('l_A' as never, cards, 40)).toEqual({ container: 'l_A', afterId: null, beforeId: 'a' });
    expect(slotAt('l_A' as never, cards, 101)).toEqual({ container: 'l_A', afterId: 'a', beforeId: 'c' });
    expect(slotAt('l_A' as never, cards, 319)).toEqual({ container: 'l_A', afterId: 'a', beforeId: 'c' });
    expect(placeAt(cards, 431)).toBe(3);
    expect(slotAt('l_A' as never, cards, 431)).toEqual({ container: 'l_A', afterId: 'd', beforeId: null }); // the end of the lane
  });
});

describe('a card put down where it lies', () => {
  const order = ['a', 'b', 'h', 'c'] as ActivityId[]; // h hidden by a filter: the screen shows a, b, c
  const slot = (afterId: string | null, beforeId: string | null) => ({ container: 'l_A' as never, afterId: afterId as ActivityId | null, beforeId: beforeId as ActivityId | null });

  it('lies in the slot between its shown neighbours, hidden cards around it or not', () => {
    expect(liesInSlot(order, 'b' as ActivityId, slot('a', 'c'))).toBe(true);
    expect(liesInSlot(order, 'c' as ActivityId, slot('b', null))).toBe(true);
    expect(liesInSlot(order, 'a' as ActivityId, slot(null, 'b'))).toBe(true);
  });

  it('does not lie in another slot, nor in another lane', () => {
    expect(liesInSlot(order, 'b' as ActivityId, slot(null, 'a'))).toBe(false);
    expect(liesInSlot(order, 'a' as ActivityId, slot('c', null))).toBe(false);
    expect(liesInSlot(order, 'x' as ActivityId, slot(null, null))).toBe(false);
  });
});

describe('the slot store', () => {
  it('tells its listeners only when the slot changes', () => {
    const slots = createSlotStore();
    const listener = vi.fn();
    slots.subscribe(listener);
    expect(slots.set({ container: 'l_A' as never, afterId: null, beforeId: null })).toBe(true);
    expect(slots.set({ container: 'l_A' as never, afterId: null, beforeId: null })).toBe(false);
    expect(slots.set({ container: 'l_A' as never, afterId: null, beforeId: 'x' as never })).toBe(true);
    expect(slots.set(null)).toBe(true);
    expect(listener).toHaveBeenCalledTimes(3);
    expect(slots.get()).toBeNull();
  });
});

const rect = (left: number, top: number, width: number, height: number): ClientRect => ({ left, top, width, height, right: left + width, bottom: top + height });
const LANE_HEIGHT = 600;

/** Two lanes side by side (A: cards a to d; B: cards x, y), card b picked up and moved to `at`. */
function press(code: string, at: ClientRect) {
  const lanes = [
    { id: 'lane:A', node: laneWithCards(['a', 'b', 'c', 'd'], 10), rect: rect(0, 0, 220, LANE_HEIGHT) },
    { id: 'lane:B', node: laneWithCards(['x', 'y'], 250), rect: rect(240, 0, 220, LANE_HEIGHT) },
  ];
  const context = {
    active: { id: 'b' },
    collisionRect: at,
    droppableRects: new Map(lanes.map((l) => [l.id, l.rect])),
    droppableContainers: { getEnabled: () => lanes.map((l) => ({ id: l.id, node: { current: l.node } }) as unknown as DroppableContainer) },
  } as unknown as Parameters<KeyboardCoordinateGetter>[1]['context'];
  return boardKeyboardCoordinates(new KeyboardEvent('keydown', { code }), { active: 'b', currentCoordinates: { x: at.left, y: at.top }, context });
}

const PICKED_UP = rect(10, 160, 200, 100); // b, where it is: between a (50–150) and c (270–370); d at 380–480
const middleY = (coordinates: { y: number } | void) => coordinates && coordinates.y + 50;

describe('moving a card with the keyboard (keyboard-coordinates.ts)', () => {
  it('steps one place down or up within its lane, its middle between the two cards it goes between', () => {
    expect(middleY(press('ArrowDown', PICKED_UP))).toBe(375); // between c and d
    expect(middleY(press('ArrowDown', rect(10, 325, 200, 100)))).toBe(481); // from there, below d: the end
    expect(middleY(press('ArrowUp', PICKED_UP))).toBe(49); // above a: the top
  });

  it('stops at the ends of the lane', () => {
    expect(press('ArrowUp', rect(10, -1, 200, 100))).toBeUndefined();
    expect(press('ArrowDown', rect(10, 431, 200, 100))).toBeUndefined();
  });

  it('goes to the top of the lane beside it, centred in it', () => {
    expect(press('ArrowRight', PICKED_UP)).toEqual({ x: 250, y: -1 });
    expect(press('ArrowLeft', PICKED_UP)).toBeUndefined(); // no lane on the left
  });
});
