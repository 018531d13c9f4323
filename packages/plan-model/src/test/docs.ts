import * as Y from 'yjs';
import { seedDemoBoard } from '../demo.js';

/** A fresh document holding the demo board. */
export function demoDoc(): Y.Doc {
  const doc = new Y.Doc();
  seedDemoBoard(doc);
  return doc;
}

/** A copy of `doc` with `run` applied to it: the board as it would be after someone's change. */
export function changedCopy<T>(doc: Y.Doc, run: (copy: Y.Doc) => T): { after: Y.Doc; result: T } {
  const after = new Y.Doc();
  Y.applyUpdate(after, Y.encodeStateAsUpdate(doc));
  return { after, result: run(after) };
}
