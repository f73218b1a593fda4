import { existsSync, readFileSync, statSync } from 'node:fs';
import { FormatError } from './errors.js';

/**
 * Read a text file a user named; a missing path, a directory (Node's EISDIR names no path) or an unreadable
 * file is a FormatError naming the file and what it should be.
 */
export function readTextFile(path: string, what: string): string {
  if (!existsSync(path)) throw new FormatError({ file: path }, `an existing ${what}`, 'no such file');
  if (statSync(path).isDirectory()) throw new FormatError({ file: path }, `a ${what}, not a directory`);
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new FormatError({ file: path }, `a readable ${what}`, (err as NodeJS.ErrnoException).code ?? (err as Error).message);
  }
}

/** Read and parse a JSON file; a missing file or invalid JSON is a FormatError naming the file and what it should be. */
export function readJsonFile(path: string, what: string): unknown {
  const text = readTextFile(path, what);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new FormatError({ file: path }, 'valid JSON', (err as Error).message);
  }
}
