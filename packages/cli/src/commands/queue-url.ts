import { parseRedisUrl } from '@teacache/queue';

/** The Redis URL of --queue, or of env TEACACHE_REDIS_URL when --queue has no value (keeps a password out of `ps`). */
export function redisUrlFrom(option: string | undefined): string {
  const url = option ? option : process.env.TEACACHE_REDIS_URL;
  if (!url) throw new Error('--queue: give a Redis URL (redis://[:PASSWORD@]HOST[:PORT][/DB]) or set TEACACHE_REDIS_URL');
  return parseRedisUrl(url).url;
}
