import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FormatError } from '@teacache/core';

/** The `*.ipynb` files of a folder, sorted by name (so 01-, 02-, ... run in order); an empty folder is an error. */
export function listNotebooks(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new FormatError({ file: dir }, 'a folder of notebooks', 'no such folder');
  const names = readdirSync(dir).filter((n) => n.endsWith('.ipynb')).sort();
  if (names.length === 0) throw new FormatError({ file: dir }, 'at least one *.ipynb notebook', 'none');
  return names.map((n) => join(dir, n));
}
