import { FormatError } from '@teacache/core';

/** A checked Redis URL and what may be printed of it. */
export interface RedisTarget {
  /** The URL as given (with any password): for connecting only, never for printing. */
  url: string;
  /** The URL with user name and password replaced by "***": safe in logs and errors. */
  safe: string;
  host: string;
  port: number;
  db: number;
  tls: boolean;
}

/**
 * Parse a Redis URL: redis://[[user]:password@]host[:port][/db], or rediss:// for TLS. Errors name the field
 * and never repeat the password.
 */
export function parseRedisUrl(text: string, field = 'queue'): RedisTarget {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new FormatError({ field }, 'a Redis URL such as redis://HOST:6379/0 or redis://:PASSWORD@HOST:6379', redactLoose(text));
  }
  const safe = redactUrl(u);
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new FormatError({ field }, 'a URL starting redis:// or rediss://', safe);
  if (!u.hostname) throw new FormatError({ field }, 'a host name in the Redis URL', safe);
  const port = u.port === '' ? 6379 : Number(u.port);
  const path = u.pathname.replace(/^\//, '');
  const db = path === '' ? 0 : Number(path);
  if (!Number.isInteger(db) || db < 0) throw new FormatError({ field }, 'a database number (a whole number >= 0) after the port', safe);
  return { url: text, safe, host: u.hostname, port, db, tls: u.protocol === 'rediss:' };
}

function redactUrl(u: URL): string {
  const copy = new URL(u.href);
  if (copy.username) copy.username = '***';
  if (copy.password) copy.password = '***';
  return copy.href.replace(/\/$/, '');
}

// For text that is not even a URL: hide whatever sits between "//" and "@".
function redactLoose(text: string): string {
  return text.replace(/\/\/[^@/]*@/, '//***@');
}

/**
 * A function that removes the URL's password (plain or percent-encoded) from any message, and the whole URL
 * in favour of its redacted form, for errors raised by the Redis client that might quote them.
 */
export function redactor(target: RedisTarget): (message: string) => string {
  const u = new URL(target.url);
  const secrets = [u.password, decodeURIComponent(u.password)]
    .filter((s) => s.length > 0)
    .sort((a, b) => b.length - a.length);
  return (message) => {
    let out = message.split(target.url).join(target.safe);
    for (const s of secrets) out = out.split(s).join('***');
    return out;
  };
}
