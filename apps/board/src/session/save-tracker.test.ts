import { describe, expect, it } from 'vitest';
import { SaveTracker } from './save-tracker.js';

describe('SaveTracker', () => {
  it('is saved until a local change, saving while connected, saved once a flush after it is answered', () => {
    const t = new SaveTracker();
    expect(t.state(true)).toBe('saved');
    expect(t.needsFlush).toBe(false);
    t.localChange();
    expect(t.state(true)).toBe('saving');
    expect(t.state(false)).toBe('unsaved-offline');
    expect(t.needsFlush).toBe(true);
    const n = t.flushSent();
    expect(t.needsFlush).toBe(false);
    expect(t.acked(n)).toBe(true);
    expect(t.state(false)).toBe('saved');
  });

  it('an answer covers only the changes made before its flush', () => {
    const t = new SaveTracker();
    t.localChange();
    const first = t.flushSent();
    t.localChange(); // after the flush: not covered by its answer
    expect(t.needsFlush).toBe(true);
    t.acked(first);
    expect(t.state(true)).toBe('saving');
    const second = t.flushSent();
    t.acked(second);
    expect(t.state(true)).toBe('saved');
  });

  it('answers arriving out of order, twice or unasked are harmless', () => {
    const t = new SaveTracker();
    t.localChange();
    const a = t.flushSent();
    t.localChange();
    const b = t.flushSent();
    expect(t.acked(b)).toBe(true); // covers a's changes too
    expect(t.state(true)).toBe('saved');
    expect(t.acked(a)).toBe(false);
    expect(t.acked(b)).toBe(false);
    expect(t.acked(99)).toBe(false);
    expect(t.state(true)).toBe('saved');
  });

  it('a lost connection drops the flushes in flight: the next sync flushes again, with a new n', () => {
    const t = new SaveTracker();
    t.localChange();
    const lost = t.flushSent();
    t.connectionLost();
    expect(t.state(false)).toBe('unsaved-offline');
    expect(t.needsFlush).toBe(true);
    expect(t.acked(lost)).toBe(false); // an answer from the old connection cannot arrive, and would not count
    const again = t.flushSent();
    expect(again).toBeGreaterThan(lost);
    t.acked(again);
    expect(t.state(false)).toBe('saved');
  });

  it('changes kept from an earlier visit count until a flush is answered', () => {
    const t = new SaveTracker(true);
    expect(t.state(false)).toBe('unsaved-offline');
    expect(t.needsFlush).toBe(true);
    t.acked(t.flushSent());
    expect(t.state(true)).toBe('saved');
  });

  it('counts the changes waiting: made here (and kept from an earlier visit) until the server confirms them', () => {
    const t = new SaveTracker(2);
    expect(t.pending).toBe(2);
    t.localChange();
    expect(t.pending).toBe(3);
    const covering = t.flushSent();
    t.localChange();
    t.acked(covering);
    expect(t.pending).toBe(1); // the one made after the flush
    t.connectionLost();
    expect(t.pending).toBe(1);
    t.acked(t.flushSent());
    expect(t.pending).toBe(0);
    expect(new SaveTracker().pending).toBe(0);
    expect(new SaveTracker(-3).pending).toBe(0);
  });
});
