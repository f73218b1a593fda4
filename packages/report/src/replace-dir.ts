import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { FormatError, processAlive } from '@teacache/core';

/** Files a report writes: its charts (spec, SVG, PNG), index.html and summary.md. */
const REPORT_FILE = /^(index\.html|summary\.md|[A-Za-z0-9-]+\.(vl\.json|svg|png))$/;

function siblings(dir: string, kind: 'building' | 'previous'): { path: string; pid: number }[] {
  const parent = dirname(dir);
  if (!existsSync(parent)) return [];
  const prefix = `.${basename(dir)}.${kind}-`;
  return readdirSync(parent).filter((f) => f.startsWith(prefix))
    .map((f) => ({ path: join(parent, f), pid: Number(f.slice(prefix.length)) }));
}

/**
 * Undo what a killed replacement left: a report moved aside but not replaced is moved back, and staging
 * directories of processes that no longer run are removed.
 */
export function recoverInterruptedReplace(dir: string): void {
  const previous = siblings(dir, 'previous').filter((p) => !processAlive(p.pid));
  if (!existsSync(dir) && previous.length > 0) renameSync(previous[0].path, dir);
  for (const p of siblings(dir, 'previous')) if (!processAlive(p.pid) && existsSync(p.path)) rmSync(p.path, { recursive: true, force: true });
  for (const b of siblings(dir, 'building')) if (!processAlive(b.pid)) rmSync(b.path, { recursive: true, force: true });
}

/** Refuse to replace a directory that holds anything but a report's files (it would be deleted with it). */
export function checkReplaceableReport(dir: string): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new FormatError({ file: dir }, 'a report directory, not a file');
  const foreign = readdirSync(dir).find((f) => !REPORT_FILE.test(f) || !statSync(join(dir, f)).isFile());
  if (foreign !== undefined) {
    throw new FormatError({ file: dir }, 'a new or report-only directory (a report replaces its directory as a whole); choose another --out', join(dir, foreign));
  }
}

/**
 * Build a directory's new content in a sibling staging directory, then swap it in: readers (and a kill at any
 * moment) see the old directory or the new one, never a mix. `build` gets the staging path and returns the
 * file names it wrote; if it throws, the old directory stays as it was.
 */
export async function replaceDirectory(dir: string, build: (staging: string) => Promise<string[]>): Promise<string[]> {
  recoverInterruptedReplace(dir);
  checkReplaceableReport(dir);
  const staging = join(dirname(dir), `.${basename(dir)}.building-${process.pid}`);
  const previous = join(dirname(dir), `.${basename(dir)}.previous-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  let files: string[];
  try {
    files = await build(staging);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
  // Two renames: between them the old report sits aside under `previous`, and recoverInterruptedReplace puts it back.
  const had = existsSync(dir);
  if (had) renameSync(dir, previous);
  renameSync(staging, dir);
  if (had) rmSync(previous, { recursive: true, force: true });
  return files.map((f) => join(dir, f));
}
