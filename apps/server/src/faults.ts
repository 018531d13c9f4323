/**
 * TEST SEAM ONLY: fault injection for the durability tests that run the built server as a
 * child process (src/test/durability.test.ts). Production never sets `TABLA_TEST_FAULTS`.
 *
 * A fault can only make the server fail (a storage transaction that throws and rolls back, or
 * the process killing itself): it never skips a check, never changes what is stored and never
 * grants anything. Without the variable (or with it empty) this returns `undefined` and the
 * storage runs with no hooks at all.
 *
 * `TABLA_TEST_FAULTS` is a comma-separated list of:
 * - `fail-append:N`        the N-th append transaction of this process (1-based, counted over
 *                          all boards; one transaction holds the updates of one event-loop tick)
 *                          throws before COMMIT, once. May be repeated with other numbers.
 * - `crash-in-compaction`  the first compaction kills this process with SIGKILL inside the
 *                          transaction, after the snapshot was written and the covered updates
 *                          deleted, before COMMIT (a crash in the middle of compaction).
 * - `fail-write-probe`     every write probe of the readiness check (`checkWritable`) fails as
 *                          on a full or read-only disk, so /readyz reports it; other writes work.
 * Anything else is a configuration error: a mistyped fault must not make a test pass silently.
 */
import type { SqliteStorage } from '@tabla/sync-server';
import { ConfigError } from './config.js';

/**
 * The storage's `faultInjection` option. `@tabla/sync-server` does not export the type by
 * name, so it is taken from `SqliteStorage.open`'s signature (stays in step with the package).
 */
export type SqliteFaultInjection = NonNullable<NonNullable<Parameters<typeof SqliteStorage.open>[1]>['faultInjection']>;

export const FAULTS_ENV = 'TABLA_TEST_FAULTS';

export function faultInjectionFromEnv(
  env: NodeJS.ProcessEnv,
  crash: () => void = () => process.kill(process.pid, 'SIGKILL'),
): SqliteFaultInjection | undefined {
  const spec = (env[FAULTS_ENV] ?? '').trim();
  if (spec === '') return undefined;

  const failAppends = new Set<number>();
  let crashInCompaction = false;
  let failWriteProbe = false;
  for (const item of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const append = /^fail-append:([1-9][0-9]{0,8})$/.exec(item);
    if (append) failAppends.add(Number(append[1]));
    else if (item === 'crash-in-compaction') crashInCompaction = true;
    else if (item === 'fail-write-probe') failWriteProbe = true;
    else throw new ConfigError(`${FAULTS_ENV}: unknown fault "${item}" (known: fail-append:N, crash-in-compaction, fail-write-probe)`);
  }

  let appends = 0;
  const faults: SqliteFaultInjection = {};
  if (failAppends.size > 0) {
    faults.beforeAppendCommit = () => {
      appends++;
      if (failAppends.delete(appends)) throw new Error(`injected fault: append transaction #${appends} fails`);
    };
  }
  if (crashInCompaction) {
    faults.beforeCompactCommit = () => {
      crash();
      // Should the kill not land at once, the transaction must still not commit.
      throw new Error('injected fault: crash in compaction');
    };
  }
  if (failWriteProbe) {
    faults.beforeWriteProbeCommit = () => {
      throw Object.assign(new Error('injected fault: attempt to write a readonly database'), { code: 'SQLITE_READONLY' });
    };
  }
  return faults;
}
