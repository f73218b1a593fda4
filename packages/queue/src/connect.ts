import { Redis } from 'ioredis';
import { redactor, type RedisTarget } from './redis-url.js';

/**
 * Connect to the user's Redis and check it answers (within `timeoutMs`); errors say where (redacted) and why.
 * BullMQ needs `maxRetriesPerRequest: null` so its blocking reads survive a reconnect.
 */
export async function connectRedis(target: RedisTarget, timeoutMs = 10_000): Promise<Redis> {
  const redact = redactor(target);
  const redis = new Redis(target.url, { maxRetriesPerRequest: null, lazyConnect: true, connectTimeout: timeoutMs });
  let lastError = '';
  // Without a listener ioredis prints each failed attempt (with the host) to stderr itself.
  redis.on('error', (err: Error) => { lastError = err.message; });
  try {
    await Promise.race([
      redis.connect().then(() => redis.ping()),
      new Promise((_, reject) => setTimeout(() => reject(new Error(lastError || `no answer within ${timeoutMs / 1000} s`)), timeoutMs).unref()),
    ]);
  } catch (err) {
    redis.disconnect();
    // The server's own reason (e.g. WRONGPASS) arrives as an error event; the rejection only says the connection closed.
    const why = lastError || (err instanceof Error ? err.message : String(err));
    throw new Error(`cannot use Redis at ${target.safe}: ${redact(why)}`);
  }
  return redis;
}
