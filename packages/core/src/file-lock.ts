import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { FormatError } from './errors.js';

/** What a lock file holds: who took it and when. */
interface LockOwner {
  pid: number;
  host: string;
  since: string;
}

/** The lock file guarding a file that one process at a time may write: `<path>.lock`. */
export function lockPathOf(path: string): string {
  return `${path}.lock`;
}

/** Whether a process of this host runs (EPERM: it exists but belongs to someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(lock: string): LockOwner | null {
  try {
    const o = JSON.parse(readFileSync(lock, 'utf8')) as LockOwner;
    return typeof o.pid === 'number' && typeof o.host === 'string' ? o : null;
  } catch {
    return null;
  }
}

/**
 * Take the lock of `path` (a `<path>.lock` file holding this process's id), or throw naming the process
 * that holds it. A lock left by a process of this host that no longer runs (killed) is taken over, so a
 * crash never leaves a file locked. Returns the release function (idempotent).
 */
export function acquireFileLock(path: string, purpose = 'writer'): () => void {
  const lock = lockPathOf(path);
  mkdirSync(dirname(lock), { recursive: true });
  const me: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(lock, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = readOwner(lock);
      const stale = owner !== null && owner.host === me.host && !processAlive(owner.pid);
      if (stale || (owner === null && attempt === 0 && lockAgeSeconds(lock) > 5)) {
        rmSync(lock, { force: true });
        continue;
      }
      const who = owner ? `process ${owner.pid} on ${owner.host} since ${owner.since}` : 'a lock being written';
      throw new FormatError({ file: path }, `no other ${purpose} at work (delete ${lock} if that process is gone)`, who);
    }
    writeSync(fd, JSON.stringify(me) + '\n');
    closeSync(fd);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (readOwner(lock)?.pid === me.pid) rmSync(lock, { force: true });
    };
  }
  throw new FormatError({ file: path }, `the lock ${lock} to be free`, 'it was taken again while being cleared');
}

/** Seconds since the lock file was last written (an unreadable lock this old was left by a crash mid-write). */
function lockAgeSeconds(lock: string): number {
  try {
    return (Date.now() - statSync(lock).mtimeMs) / 1000;
  } catch {
    return 0;
  }
}
