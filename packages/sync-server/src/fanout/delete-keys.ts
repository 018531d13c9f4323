/** Clean-up after the scale-out tests and benchmarks, each of which uses a key prefix of its own. */
import { Redis } from 'ioredis';

/** Deletes every key under `prefix` (SCAN + DEL), nothing else: the Redis may be shared. */
export async function deleteKeysOf(url: string, prefix: string): Promise<number> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  redis.on('error', () => {});
  try {
    let deleted = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== '0');
    return deleted;
  } finally {
    redis.disconnect();
  }
}
