import { mkdirSync, renameSync, writeFileSync, rmSync, appendFileSync, openSync, fsyncSync, closeSync } from 'node:fs';
import { dirname, basename, join, resolve } from 'node:path';
import { FormatError } from './errors.js';

/**
 * Kernel pseudo-filesystems take no results: a recursive mkdir under /proc spins forever instead of failing.
 * Refused by every write here, so a library user gets an error too, not only the CLI's up-front check.
 */
function refusePseudoFilesystem(path: string): void {
  if (/^\/(proc|sys)(\/|$)/.test(resolve(path))) {
    throw new FormatError({ file: resolve(path) }, 'a path on a real filesystem, not under /proc or /sys');
  }
}

/**
 * Write a file so that readers see either the old content or the new one, never a half-written file:
 * write to a temporary sibling, flush, then rename over the target.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  refusePseudoFilesystem(path);
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.partial`);
  try {
    writeFileSync(tmp, data);
    const fd = openSync(tmp, 'r');
    try { fsyncSync(fd); } finally { closeSync(fd); }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** Write JSON (2-space indented, trailing newline) atomically. */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}

/**
 * Append one complete line to a log-like file (JSON Lines). A single write of a short line is
 * atomic enough on local filesystems; readers skip a trailing line without a newline.
 */
export function appendLine(path: string, line: string): void {
  if (line.includes('\n')) throw new RangeError('appendLine: the line must not contain a newline');
  refusePseudoFilesystem(path);
  mkdirSync(dirname(path), { recursive: true });
  appendFileSync(path, line + '\n');
}
