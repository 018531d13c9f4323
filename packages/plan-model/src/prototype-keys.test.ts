import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { seedDemoBoard } from './demo.js';
import { roots } from './schema.js';
import { documentProblems } from './validate.js';

describe('keys that every JavaScript object has', () => {
  it('[PM6] "constructor", "toString" and "__proto__" are unknown keys like any other: complex values are refused', () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const doc = new Y.Doc();
      seedDemoBoard(doc);
      const activity = [...roots(doc).activities.values()][0]!;
      activity.set(name, new Y.Map());
      expect(documentProblems(doc).length, name).toBeGreaterThan(0);

      const meta = new Y.Doc();
      seedDemoBoard(meta);
      roots(meta).meta.set(name, { nested: { object: true } });
      expect(documentProblems(meta).length, `meta.${name}`).toBeGreaterThan(0);

      const facilitation = new Y.Doc();
      seedDemoBoard(facilitation);
      roots(facilitation).facilitation.set(name, null);
      expect(documentProblems(facilitation).length, `facilitation.${name}`).toBeGreaterThan(0);
    }
  });
});
