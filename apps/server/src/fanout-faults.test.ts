import { describe, expect, it } from 'vitest';
import { ConfigError } from './config.js';
import { fanoutFaultsFromEnv } from './fanout-faults.js';

describe('TABLA_TEST_FANOUT_FAULTS', () => {
  it('none by default; crash-before-publish:N crashes at the N-th publish and never lets it through; anything else is refused', () => {
    expect(fanoutFaultsFromEnv({})).toBeUndefined();
    let crashes = 0;
    const faults = fanoutFaultsFromEnv({ TABLA_TEST_FANOUT_FAULTS: 'crash-before-publish:2' }, () => crashes++)!;
    faults.beforePublish!('b', 1);
    expect(crashes).toBe(0);
    expect(() => faults.beforePublish!('b', 2)).toThrow(/crash before publish/);
    expect(crashes).toBe(1);
    faults.beforePublish!('b', 3);
    expect(() => fanoutFaultsFromEnv({ TABLA_TEST_FANOUT_FAULTS: 'crash-before-xadd' })).toThrow(ConfigError);
  });
});
