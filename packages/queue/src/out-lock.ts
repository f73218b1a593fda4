import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Take `<out>.lock` so that two submitters never gather rows into one sweep file at once (each would write the
 * rows the other writes). A lock left by a dead process on this host is taken over; returns the release function.
 */
export function lockSweepFile(out: string, log: (line: string) => void): () => void {
  const path = `${out}.lock`;
  const me = `${hostname()} ${process.pid}`;
  mkdirSync(dirname(out), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, me + '\n');
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = existsSync(path) ? readFileSync(path, 'utf8').trim() : '';
    const [host, pidText] = holder.split(' ');
    const pid = Number(pidText);
    if (host === hostname() && Number.isInteger(pid) && !alive(pid)) {
      log(`taking over ${path}: process ${pid} that held it is gone`);
      rmSync(path, { force: true });
      continue;
    }
    throw new Error(`${out} is being written by another sweep (${holder || 'unknown process'}, lock ${path}); ` +
      'wait for it to end, or delete the lock file if that process is dead');
  }
  throw new Error(`could not take the lock ${path}`);
}
