import { existsSync, readFileSync } from 'node:fs';
import { FormatError } from './errors.js';

/** Read and parse a JSON file; a missing file or invalid JSON is a FormatError naming the file and what it should be. */
export function readJsonFile(path: string, what: string): unknown {
  if (!existsSync(path)) throw new FormatError({ file: path }, `an existing ${what}`, 'no such file');
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new FormatError({ file: path }, 'valid JSON', (err as Error).message);
  }
}
