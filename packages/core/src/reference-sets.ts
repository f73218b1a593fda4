import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readCoefficientsFile, type CoefficientsFile } from './coefficients-format.js';
import { FormatError } from './errors.js';
import { readJsonFile } from './read-json.js';
import { validateWithSchema } from './schema.js';

/** One entry of `index.json` in the reference-coefficients directory. */
export interface ReferenceIndexEntry {
  /** File name of the set, relative to the directory. */
  file: string;
  model: string;
  integration: string;
}

/** The index of published reference sets. */
export interface ReferenceIndex {
  format: 'teacache-reference-index';
  version: 1;
  description: string;
  sets: ReferenceIndexEntry[];
}

/** JSON Schema of the reference directory's index.json, version 1. */
export const REFERENCE_INDEX_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'index of published TeaCache coefficient sets, version 1',
  type: 'object',
  required: ['format', 'version', 'description', 'sets'],
  properties: {
    format: { const: 'teacache-reference-index' },
    version: { const: 1 },
    description: { type: 'string' },
    sets: {
      type: 'array', minItems: 1,
      items: {
        type: 'object', required: ['file', 'model', 'integration'],
        properties: {
          file: { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]*\\.json$' },
          model: { type: 'string', minLength: 1 },
          integration: { type: 'string', minLength: 1 },
        },
      },
    },
  },
} as const;

/** A published set read from a reference directory. */
export interface ReferenceSet {
  /** The file name without `.json`. */
  name: string;
  path: string;
  file: CoefficientsFile;
}

/**
 * Read every published coefficient set listed in `<dir>/index.json` (the one reader of reference directories),
 * each file validated as strictly as any coefficients file, and each of origin "published". The index and the
 * directory must agree: a set not listed, or listed but missing, is an error naming it.
 */
export function readReferenceDir(dir: string): ReferenceSet[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new FormatError({ file: dir }, 'a directory of published coefficient sets with an index.json', 'no such directory');
  }
  const indexPath = join(dir, 'index.json');
  const value = readJsonFile(indexPath, 'index of reference sets');
  const index = validateWithSchema<ReferenceIndex>(REFERENCE_INDEX_SCHEMA, value, indexPath);
  const listed = new Set(index.sets.map((s) => s.file));
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.json') && n !== 'index.json')) {
    if (!listed.has(name)) throw new FormatError({ file: indexPath, field: 'sets' }, `an entry for ${name}`, 'none');
  }
  return index.sets.map((entry, i) => {
    const path = join(dir, entry.file);
    const file = readCoefficientsFile(path);
    if (file.origin !== 'published') throw new FormatError({ file: path, field: 'origin' }, '"published" for a reference set', file.origin);
    if (file.model !== entry.model) throw new FormatError({ file: indexPath, field: `sets[${i}].model` }, `"${file.model}" as in ${entry.file}`, entry.model);
    if (file.reference!.integration !== entry.integration) {
      throw new FormatError({ file: indexPath, field: `sets[${i}].integration` }, `"${file.reference!.integration}" as in ${entry.file}`, entry.integration);
    }
    return { name: entry.file.replace(/\.json$/, ''), path, file };
  });
}
