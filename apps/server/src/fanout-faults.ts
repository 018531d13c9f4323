/**
 * TEST SEAM ONLY: faults of the pipe between instances, for the scale-out suite that runs the
 * built server as child processes (src/test/scale-out.test.ts). Production never sets
 * `TABLA_TEST_FANOUT_FAULTS`. (Storage faults are `TABLA_TEST_FAULTS`, src/faults.ts.)
 *
 * A comma-separated list of:
 * - `crash-before-publish:N`  the N-th update this process stored (1-based) kills the process with
 *                             SIGKILL after its commit and before it is published to Redis:
 *                             the instance dies between commit and XADD.
 * Anything else is a configuration error.
 */
import type { RedisFanoutFaults } from '@tabla/sync-server';
import { ConfigError } from './config.js';

export const FANOUT_FAULTS_ENV = 'TABLA_TEST_FANOUT_FAULTS';

export function fanoutFaultsFromEnv(
  env: NodeJS.ProcessEnv,
  crash: () => void = () => process.kill(process.pid, 'SIGKILL'),
): RedisFanoutFaults | undefined {
  const spec = (env[FANOUT_FAULTS_ENV] ?? '').trim();
  if (spec === '') return undefined;
  let crashAt = 0;
  for (const item of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const match = /^crash-before-publish:([1-9][0-9]{0,8})$/.exec(item);
    if (!match) throw new ConfigError(`${FANOUT_FAULTS_ENV}: unknown fault "${item}" (known: crash-before-publish:N)`);
    crashAt = Number(match[1]);
  }
  let published = 0;
  return {
    beforePublish: () => {
      if (++published !== crashAt) return;
      crash();
      // Should the kill not land at once, the entry must still not be published.
      throw new Error('injected fault: crash before publish');
    },
  };
}
