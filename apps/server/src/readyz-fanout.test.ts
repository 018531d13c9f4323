/** /readyz with several instances (REDIS_URL): Redis down is reported, and the instance stays ready. */
import { afterEach, describe, expect, it } from 'vitest';
import { type FanoutStatus, SqliteStorage, SyncServer } from '@tabla/sync-server';
import { createApp } from './app.js';
import { createLogger } from './logger.js';

describe('GET /readyz with a pipe between instances', () => {
  const storage = SqliteStorage.open(':memory:');
  const sync = new SyncServer({ storage });
  afterEach(async () => {
    await sync.close();
    await storage.close();
  });

  it('[R21] reports the pipe: ready while Redis answers, still ready (200) while it does not, with what went unpublished', async () => {
    let status: FanoutStatus = { state: 'ready', unpublished: 0, malformed: 0 };
    const app = createApp({ storage, sync, adminToken: 'admin-token-for-tests-0123456789', publicUrl: null, logger: createLogger('silent'), boardDist: null, fanout: () => status });
    let res = await app.request('/readyz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ready', redis: 'ready', unpublished: 0 });
    status = { state: 'down', error: 'commands: connect ECONNREFUSED 10.0.0.7:6379', unpublished: 3, malformed: 0 };
    res = await app.request('/readyz');
    // Writes still commit to PostgreSQL and reach the other instances by their periodic check.
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ status: 'ready', redis: 'down', unpublished: 3 });
    expect(text).not.toContain('10.0.0.7');
    // One instance (no REDIS_URL): as before.
    const solo = createApp({ storage, sync, adminToken: 'admin-token-for-tests-0123456789', publicUrl: null, logger: createLogger('silent'), boardDist: null });
    expect(await (await solo.request('/readyz')).json()).toEqual({ status: 'ready' });
  });
});
