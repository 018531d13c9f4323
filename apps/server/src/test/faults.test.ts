import { describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../config.js';
import { faultInjectionFromEnv } from '../faults.js';

describe('faultInjectionFromEnv (test seam)', () => {
  it('injects nothing without TABLA_TEST_FAULTS', () => {
    expect(faultInjectionFromEnv({})).toBeUndefined();
    expect(faultInjectionFromEnv({ TABLA_TEST_FAULTS: ' ' })).toBeUndefined();
  });

  it('fail-append:N throws in the N-th append transaction, once', () => {
    const faults = faultInjectionFromEnv({ TABLA_TEST_FAULTS: 'fail-append:2,fail-append:4' });
    const append = () => faults?.beforeAppendCommit?.([1]);
    expect(append).not.toThrow();
    expect(append).toThrow(/append transaction #2/);
    expect(append).not.toThrow();
    expect(append).toThrow(/append transaction #4/);
    expect(append).not.toThrow();
    expect(faults?.beforeCompactCommit).toBeUndefined();
  });

  it('crash-in-compaction crashes inside the compaction and never lets it commit', () => {
    const crash = vi.fn();
    const faults = faultInjectionFromEnv({ TABLA_TEST_FAULTS: 'crash-in-compaction' }, crash);
    expect(() => faults?.beforeCompactCommit?.({ boardId: 'b', throughSeq: 3, deletedRows: 3 })).toThrow(/crash in compaction/);
    expect(crash).toHaveBeenCalledOnce();
    expect(faults?.beforeAppendCommit).toBeUndefined();
  });

  it('fail-write-probe makes every write probe fail as a read-only disk would, and nothing else', () => {
    const faults = faultInjectionFromEnv({ TABLA_TEST_FAULTS: 'fail-write-probe' });
    for (let i = 0; i < 2; i++) expect(() => faults?.beforeWriteProbeCommit?.()).toThrow(expect.objectContaining({ code: 'SQLITE_READONLY' }));
    expect(faults?.beforeAppendCommit).toBeUndefined();
    expect(faults?.beforeCompactCommit).toBeUndefined();
  });

  it('refuses an unknown or malformed fault instead of ignoring it', () => {
    for (const spec of ['fail-apend:3', 'fail-append:0', 'fail-append:x', 'crash']) {
      expect(() => faultInjectionFromEnv({ TABLA_TEST_FAULTS: spec })).toThrow(ConfigError);
    }
  });
});
