import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { readBoard } from './board-view.js';
import { demoLaneId } from './demo.js';
import {
  lockViolations,
  MINUTE_MS,
  setBoardLocked,
  setLaneArchived,
  setLaneLocked,
  setSpotlight,
  setTimer,
  setWallLink,
  setWallView,
  summonEveryone,
  TIMER_MAX_MS,
  timerPhase,
  timerRemaining,
  timerTransitions,
} from './facilitation.js';
import { editActivity, moveActivity } from './operations.js';
import { roots } from './schema.js';
import { changedCopy, demoDoc } from './test/docs.js';
import { documentProblems, inspectTransaction } from './validate.js';

const demo = demoDoc;
const titled = (doc: Y.Doc, title: string) => [...readBoard(doc).activityById.values()].find((a) => a.title === title)!;

describe('timer', () => {
  it('[PM16] runs, pauses, gains a minute and resets on the server clock', () => {
    let t = timerTransitions.set(5 * MINUTE_MS);
    expect(timerRemaining(t, 1_000)).toBe(5 * MINUTE_MS);
    t = timerTransitions.start(t, 10_000);
    expect(t.endsAt).toBe(10_000 + 5 * MINUTE_MS);
    expect(timerRemaining(t, 70_000)).toBe(4 * MINUTE_MS);
    t = timerTransitions.pause(t, 70_000);
    expect(timerRemaining(t, 999_999)).toBe(4 * MINUTE_MS); // paused: time does not run
    t = timerTransitions.addMinute(t, 80_000);
    // Paused with the full five minutes again: a millisecond less, or it would read as not started.
    expect(timerRemaining(t, 80_000)).toBe(5 * MINUTE_MS - 1);
    expect(timerPhase(t, 80_000)).toBe('paused');
    t = timerTransitions.start(t, 100_000);
    t = timerTransitions.addMinute(t, 100_000);
    expect(timerRemaining(t, 100_000)).toBe(6 * MINUTE_MS - 1);
    expect(timerRemaining(t, 100_000 + 7 * MINUTE_MS)).toBe(0); // never negative
    expect(timerTransitions.reset(t)).toEqual({ durationMs: 5 * MINUTE_MS, endsAt: null, remainingMs: 5 * MINUTE_MS });
  });
});

describe('timer phase', () => {
  const minutes = (n: number) => n * MINUTE_MS;

  it('[PM16] names what the timer is doing: not started, running, paused, ended', () => {
    const set = timerTransitions.set(minutes(5));
    expect(timerPhase(set, 0)).toBe('ready');
    const running = timerTransitions.start(set, 1_000);
    expect(timerPhase(running, 2_000)).toBe('running');
    const paused = timerTransitions.pause(running, 31_000);
    expect(timerPhase(paused, 999_999)).toBe('paused');
    expect(timerPhase(running, 1_000 + minutes(5))).toBe('ended');
    expect(timerPhase(timerTransitions.pause(running, 1_000 + minutes(6)), 0)).toBe('ended');
    expect(timerPhase(timerTransitions.reset(paused), 0)).toBe('ready');
  });

  it('[PM16] a paused timer given a minute is still paused, whatever time it then has left', () => {
    const running = timerTransitions.start(timerTransitions.set(minutes(5)), 0);
    for (const pausedAt of [0, 2_000, 30_000, minutes(1), minutes(2)]) {
      let t = timerTransitions.pause(running, pausedAt);
      expect(timerPhase(t, pausedAt), `paused at ${pausedAt}`).toBe('paused');
      for (let i = 0; i < 3; i++) {
        t = timerTransitions.addMinute(t, pausedAt);
        expect(timerPhase(t, pausedAt), `paused at ${pausedAt}, +${i + 1} min`).toBe('paused');
        expect(Math.ceil(timerRemaining(t, pausedAt) / 1000)).toBe((minutes(5 + i + 1) - pausedAt) / 1000); // the same seconds on every display
      }
    }
    // Given a minute while running, then paused: paused too.
    expect(timerPhase(timerTransitions.pause(timerTransitions.addMinute(running, 0), minutes(1)), minutes(1))).toBe('paused');
  });

  it('[PM16] a minute added before the start is part of the time set: still not started, and a reset keeps it', () => {
    const t = timerTransitions.addMinute(timerTransitions.set(minutes(5)), 0);
    expect(t).toEqual(timerTransitions.set(minutes(6)));
    expect(timerPhase(t, 0)).toBe('ready');
    expect(timerTransitions.reset(t).remainingMs).toBe(minutes(6));
  });

  it('[PM16] never adds past what the document accepts', () => {
    const longest = timerTransitions.set(TIMER_MAX_MS);
    expect(timerTransitions.addMinute(longest, 0)).toBe(longest);
    let paused = timerTransitions.pause(timerTransitions.start(longest, 0), 1_000);
    for (let i = 0; i < 24 * 60 + 5; i++) paused = timerTransitions.addMinute(paused, 1_000);
    expect(paused.remainingMs).toBeLessThanOrEqual(2 * TIMER_MAX_MS);
    expect(timerPhase(paused, 1_000)).toBe('paused');
    let running = timerTransitions.start(longest, 0);
    for (let i = 0; i < 24 * 60 + 5; i++) running = timerTransitions.addMinute(running, 0);
    expect(timerRemaining(timerTransitions.pause(running, 0), 0)).toBeLessThanOrEqual(2 * TIMER_MAX_MS);
  });
});

describe('facilitation state in the document', () => {
  it('[PM16] spotlight, timer and summon are stored in the facilitation root, read back, and validate', () => {
    const doc = demo();
    setSpotlight(doc, { kind: 'lane', id: demoLaneId('B') });
    setTimer(doc, timerTransitions.set(10 * MINUTE_MS));
    summonEveryone(doc, 'n1', 1_700_000_000_000);
    const { facilitation } = readBoard(doc);
    expect(facilitation.spotlight).toEqual({ kind: 'lane', id: demoLaneId('B') });
    expect(facilitation.timer?.remainingMs).toBe(10 * MINUTE_MS);
    expect(facilitation.summon).toEqual({ nonce: 'n1', at: 1_700_000_000_000 });
    expect(documentProblems(doc)).toEqual([]);
    setSpotlight(doc, null);
    expect(readBoard(doc).facilitation.spotlight).toBeNull();
  });

  it('[PM16] refuses unknown facilitation keys and malformed values', () => {
    const base = demo();
    /** Like the server: a fresh shadow of the accepted board, the change applied, its problems. */
    const attempt = (write: (f: Y.Map<unknown>) => void) => {
      const shadow = new Y.Doc();
      Y.applyUpdate(shadow, Y.encodeStateAsUpdate(base));
      roots(shadow);
      let problems: string[] = [];
      shadow.on('afterTransaction', (tr: Y.Transaction) => (problems = [...inspectTransaction(tr).problems]));
      const other = new Y.Doc();
      Y.applyUpdate(other, Y.encodeStateAsUpdate(base));
      const sv = Y.encodeStateVector(other);
      write(other.getMap('facilitation'));
      Y.applyUpdate(shadow, Y.encodeStateAsUpdate(other, sv));
      return problems;
    };
    expect(attempt((f) => f.set('evil', 1))).not.toEqual([]);
    expect(attempt((f) => f.set('spotlight', { kind: 'room', id: 'x' }))).not.toEqual([]);
    expect(attempt((f) => f.set('timer', { durationMs: -5, endsAt: null, remainingMs: 0 }))).not.toEqual([]);
    expect(attempt((f) => f.set('timer', { durationMs: 60_000, endsAt: null, remainingMs: 60_000, extra: 'x'.repeat(1000) }))).not.toEqual([]);
    expect(attempt((f) => f.set('spotlight', { kind: 'activity', id: 'a_1' }))).toEqual([]);
    // The wall's link: a read-only or general coordinator link over http(s), nothing else.
    expect(attempt((f) => f.set('wallLink', { role: 'viewer', url: 'http://10.0.0.2:8787/b/x?token=t' }))).toEqual([]);
    expect(attempt((f) => f.set('wallLink', { role: 'facilitator', url: 'http://10.0.0.2/b/x' }))).not.toEqual([]);
    expect(attempt((f) => f.set('wallLink', { role: 'viewer', url: 'javascript:alert(1)' }))).not.toEqual([]);
    expect(attempt((f) => f.set('wallLink', { role: 'viewer', url: `http://x/${'a'.repeat(600)}` }))).not.toEqual([]);
    expect(attempt((f) => f.set('wallView', 'matrix'))).toEqual([]);
    expect(attempt((f) => f.set('wallView', 'slides'))).not.toEqual([]);
  });

  it('[PM16] the wall link and the wall view are the room\'s, read back from the document', () => {
    const doc = demo();
    expect(readBoard(doc).facilitation).toMatchObject({ wallLink: null, wallView: null });
    setWallLink(doc, { role: 'viewer', url: 'http://10.0.0.2:8787/b/demo?token=v' });
    setWallView(doc, 'matrix');
    expect(readBoard(doc).facilitation).toMatchObject({ wallLink: { role: 'viewer', url: 'http://10.0.0.2:8787/b/demo?token=v' }, wallView: 'matrix' });
    expect(documentProblems(doc)).toEqual([]);
    setWallView(doc, null);
    expect(readBoard(doc).facilitation.wallView).toBeNull();
  });

  it('[PM17] an archived lane leaves the board with its activities (not to the pool) and comes back', () => {
    const doc = demo();
    const before = readBoard(doc);
    setLaneArchived(doc, demoLaneId('D'), true);
    const view = readBoard(doc, before);
    expect(view.lanes.map((l) => l.lane.id)).not.toContain(demoLaneId('D'));
    expect(view.archivedLanes.map((l) => l.lane.id)).toEqual([demoLaneId('D')]);
    expect(view.archivedLanes[0]!.activities.map((a) => a.title)).toEqual(['Konstituirajući sastanak MLDP-a']);
    expect(view.unplaced).toBe(before.unplaced);
    setLaneArchived(doc, demoLaneId('D'), false);
    expect(readBoard(doc).lanes.map((l) => l.lane.id)).toContain(demoLaneId('D'));
    expect(roots(doc).lanes.get(demoLaneId('D'))!.has('archived')).toBe(false); // false = absent
  });
});

describe('lockViolations', () => {
  /** The document after a coordinator's change. */
  const change = (doc: Y.Doc, run: (d: Y.Doc) => void) => changedCopy(doc, run).after;

  it('[PM18] refuses changes to activities in a locked lane, moves into or out of it, and anything on a locked board', () => {
    const doc = demo();
    setLaneLocked(doc, demoLaneId('A'), true);
    const inA = titled(doc, 'Zajednički model javnih konsultacija');
    const inB = titled(doc, 'Dijalog sa mladima');
    expect(lockViolations(doc, change(doc, (d) => editActivity(d, inA.id, { status: 'done' })), [inA.id])).not.toEqual([]);
    expect(lockViolations(doc, change(doc, (d) => moveActivity(d, inA.id, demoLaneId('B'), 0)), [inA.id])).not.toEqual([]);
    expect(lockViolations(doc, change(doc, (d) => moveActivity(d, inB.id, demoLaneId('A'), 0)), [inB.id])).not.toEqual([]);
    expect(lockViolations(doc, change(doc, (d) => editActivity(d, inB.id, { status: 'done' })), [inB.id])).toEqual([]);
    setLaneLocked(doc, demoLaneId('A'), false);
    expect(lockViolations(doc, change(doc, (d) => editActivity(d, inA.id, { status: 'done' })), [inA.id])).toEqual([]);
    setBoardLocked(doc, true);
    expect(readBoard(doc).meta.locked).toBe(true);
    expect(lockViolations(doc, change(doc, (d) => editActivity(d, inB.id, { status: 'done' })), [inB.id])).toEqual(['the board is locked']);
    expect(lockViolations(doc, change(doc, () => undefined), [])).toEqual([]); // no activity touched (a dot, say): nothing locked
  });
});
