import { closeSync, existsSync, openSync, rmSync, statfsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { MAX_SAMPLING_STEPS } from '@teacache/trace';
import { argumentError } from './option-checks.js';

// The checks `teacache` runs before any command loads live in option-checks.ts (no tfjs); re-exported here.
export { argumentError, repeatedSingleOption, unreadableNumberOption } from './option-checks.js';

/** Sampling steps as the trace sidecar and sweep row readers accept them: a whole number from 2 to MAX_SAMPLING_STEPS. */
export function checkSteps(steps: number, name = 'steps'): number {
  if (!Number.isInteger(steps) || steps < 2 || steps > MAX_SAMPLING_STEPS) {
    throw argumentError(name, `a whole number of sampling steps from 2 to ${MAX_SAMPLING_STEPS}`, steps);
  }
  return steps;
}

/** A classifier-free guidance scale as the readers accept it: finite and >= 0 (<= 1 means unguided). */
export function checkGuidance(guidance: number, name = 'guidance'): number {
  if (!Number.isFinite(guidance) || guidance < 0) throw argumentError(name, 'a finite guidance scale >= 0', guidance);
  return guidance;
}

/** A finite number (a dB figure, say); with `positive`, also > 0. */
export function checkFinite(value: number | undefined, name: string, what: string, positive = false): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isFinite(value) || (positive && value <= 0)) throw argumentError(name, `${what}${positive ? ' > 0' : ''} (a finite number)`, value);
  return value;
}

/** A whole number >= min (a count of workers, repeats, training steps). */
export function checkWhole(value: number | undefined, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw argumentError(name, `a whole number from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}`, value);
  }
  return value;
}

// statfs magic numbers of kernel pseudo-filesystems: writing a results tree there is never meant, and a
// recursive mkdir under /proc spins forever instead of failing.
const PSEUDO_FILESYSTEMS: Record<number, string> = { 0x9fa0: 'procfs', 0x62656572: 'sysfs', 0x1cd1: 'devpts', 0x64626720: 'debugfs', 0x27e0eb: 'cgroup', 0x63677270: 'cgroup2' };

function nearestExisting(path: string): string {
  let p = path;
  while (!existsSync(p)) {
    const up = dirname(p);
    if (up === p) break;
    p = up;
  }
  return p;
}

/**
 * Check, before any work, that `path` can be written as a `kind` (a directory to create or fill, or a file to
 * create or replace): it is not a directory when a file is wanted (and the reverse), every existing ancestor is a
 * directory, it is on a real filesystem (not /proc or /sys), and that filesystem takes a new file (not read-only,
 * not full of permissions). Throws naming the argument and the path. Returns the absolute path.
 */
export function checkOutputPath(path: string, kind: 'file' | 'directory', name = 'out'): string {
  const target = resolve(path);
  if (existsSync(target)) {
    const isDir = statSync(target).isDirectory();
    if (kind === 'file' && isDir) throw argumentError(name, 'a file path, not a directory', target);
    if (kind === 'directory' && !isDir) throw argumentError(name, 'a directory, not a file', target);
  }
  const base = nearestExisting(kind === 'directory' ? target : dirname(target));
  if (!statSync(base).isDirectory()) throw argumentError(name, `a path whose parent ${base} is a directory, not a file`, target);
  const fsType = PSEUDO_FILESYSTEMS[Number(statfsSync(base).type)];
  if (fsType || /^\/(proc|sys)(\/|$)/.test(target)) throw argumentError(name, `a path on a real filesystem, not ${fsType ?? 'a kernel pseudo-filesystem'}`, target);
  // The only sure test of writability (root passes every permission check, but not a read-only mount).
  const probe = join(base, `.teacache-write-check-${process.pid}`);
  try {
    closeSync(openSync(probe, 'wx'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EROFS' ? 'a read-only filesystem' : code === 'EACCES' || code === 'EPERM' ? 'no permission to write' : code;
    throw argumentError(name, `a path this user can write (${base}: ${why})`, target);
  } finally {
    rmSync(probe, { force: true });
  }
  return target;
}
