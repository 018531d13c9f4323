/**
 * Faults for sqlite-thread.test.ts, built inside the worker (`faultInjectionModule`): what a
 * compaction does depends on its board, so one worker can show each of them.
 */
import type { SqliteFaultInjection } from '../storage/sqlite.js';
import { SeqConflictError } from '../storage/types.js';

/** How long a compaction of board 'slow' holds its transaction (the worker's thread) open. */
export const SLOW_COMMIT_MS = 400;

export function faultInjectionFromEnv(): SqliteFaultInjection {
  return {
    beforeCompactCommit: ({ boardId }) => {
      if (boardId === 'conflict') throw new SeqConflictError([boardId]);
      // A disk that takes its time: the thread is blocked, as by a slow fsync.
      if (boardId === 'slow') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, SLOW_COMMIT_MS);
      // Inside a worker, process.exit ends that thread only: the worker dies mid-transaction.
      if (boardId === 'crash') process.exit(7);
    },
    beforeWriteProbeCommit: () => {
      throw Object.assign(new Error('injected fault: attempt to write a readonly database'), { code: 'SQLITE_READONLY' });
    },
  };
}
