import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { demoLaneId, seedDemoBoard } from './demo.js';
import { asActivityId } from './ids.js';
import { deleteLane, editActivity, moveActivity, setBoardTitle } from './operations.js';
import { canWriteRoot, isRole, ROLES } from './roles.js';
import { roots, ROOTS } from './schema.js';
import { inspectTransaction } from './validate.js';

describe('canWriteRoot', () => {
  it('[PM13] a facilitator may write every root', () => {
    for (const root of ROOTS) expect(canWriteRoot('facilitator', root)).toBe(true);
  });

  it('[PM13] an editor (coordinator) may write activities and votes only (votes: its own dots, PM22)', () => {
    expect(ROOTS.filter((root) => canWriteRoot('editor', root))).toEqual(['activities', 'votes']);
  });

  it('[PM13] a viewer may write nothing', () => {
    for (const root of ROOTS) expect(canWriteRoot('viewer', root)).toBe(false);
  });

  it('[PM13] nobody may write an unknown root', () => {
    for (const role of ROLES) {
      for (const root of ['evil', '', 'toString', '__proto__', 'Activities']) expect(canWriteRoot(role, root)).toBe(false);
    }
  });

  it('isRole accepts exactly the three roles', () => {
    for (const role of ROLES) expect(isRole(role)).toBe(true);
    for (const other of ['admin', '', null, undefined, 1, 'Editor']) expect(isRole(other)).toBe(false);
  });
});

describe('roles applied to what an operation touches', () => {
  /** The roots touched by `op` as seen by a shadow replica. */
  function touched(op: (doc: Y.Doc) => void): string[] {
    const base = new Y.Doc();
    seedDemoBoard(base);
    const client = new Y.Doc();
    Y.applyUpdate(client, Y.encodeStateAsUpdate(base));
    const sv = Y.encodeStateVector(client);
    op(client);
    const shadow = new Y.Doc();
    roots(shadow);
    Y.applyUpdate(shadow, Y.encodeStateAsUpdate(base));
    let out: string[] = [];
    shadow.on('afterTransaction', (tr: Y.Transaction) => {
      out = [...inspectTransaction(tr).roots];
    });
    Y.applyUpdate(shadow, Y.encodeStateAsUpdate(client, sv));
    return out;
  }
  const allowed = (role: 'facilitator' | 'editor' | 'viewer', roots: string[]) =>
    roots.length > 0 && roots.every((root) => canWriteRoot(role, root));

  it('[PM13] an editor may move and edit activities but not delete a lane or retitle the board', () => {
    const first = (doc: Y.Doc) => asActivityId([...roots(doc).activities.keys()].sort()[0]!);
    expect(allowed('editor', touched((d) => moveActivity(d, first(d), demoLaneId('B'), 0)))).toBe(true);
    expect(allowed('editor', touched((d) => editActivity(d, first(d), { title: 'Novi naziv aktivnosti' })))).toBe(true);
    expect(allowed('editor', touched((d) => deleteLane(d, demoLaneId('A'))))).toBe(false);
    expect(allowed('editor', touched((d) => setBoardTitle(d, 'x')))).toBe(false);
    expect(allowed('facilitator', touched((d) => deleteLane(d, demoLaneId('A'))))).toBe(true);
    expect(allowed('viewer', touched((d) => editActivity(d, first(d), { title: 'Novi naziv aktivnosti' })))).toBe(false);
  });
});
