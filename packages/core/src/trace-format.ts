import { readFileSync, existsSync } from 'node:fs';
import { readJsonFile } from './read-json.js';
import { FormatError, FormatProblems } from './errors.js';
import { schemaProblems } from './schema.js';
import { SEED_SCHEMA } from './seed.js';

import { KNOWN_FAMILIES, KNOWN_SAMPLERS, type TraceRow } from './trace-format-columns.js';
import { parseTraceCsv as parseTraceCsvText } from './trace-format-read.js';

export * from './trace-format-columns.js';
export { parseTraceCsv, parseTraceTable, readTraceTable, type TraceTable } from './trace-format-read.js';
export { traceToCsv, type TraceRunInfo } from './trace-format-write.js';

/** Run metadata: the JSON sidecar written beside each trace CSV. */
export interface TraceMetadata {
  format: 'teacache-trace';
  version: 1;
  runId: string;
  model: string;
  family: string;
  weightsHash: string;
  prompt: string;
  seed: number;
  sampler: string;
  steps: number;
  guidance: number;
  backend: string;
  policy: string;
  toolkitVersion: string;
  createdAt: string;
  wallSeconds: number;
  /** File name (relative to the sidecar) of the final sample as a PNG strip of frames. */
  sample?: string;
  /** Who wrote the trace: `teacache-toolkit` (default) or another tool, e.g. `teacache-pytorch`. */
  source?: string;
  /** Parameters of the model that sampled (count); a report shows it beside the model's name. */
  parameters?: number;
}

export const TRACE_METADATA_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://teacache-toolkit/schemas/trace-metadata-v1.json',
  title: 'teacache trace run metadata, version 1',
  type: 'object',
  required: ['format', 'version', 'runId', 'model', 'family', 'weightsHash', 'prompt', 'seed', 'sampler',
    'steps', 'guidance', 'backend', 'policy', 'toolkitVersion', 'createdAt', 'wallSeconds'],
  properties: {
    format: { const: 'teacache-trace' },
    version: { const: 1 },
    runId: { type: 'string', minLength: 1 },
    model: { type: 'string', minLength: 1 },
    family: { type: 'string', minLength: 1, description: 'model family: any name; known values dit, stdit, latte, osp', examples: [...KNOWN_FAMILIES] },
    weightsHash: { type: 'string' },
    prompt: { type: 'string' },
    seed: SEED_SCHEMA,
    sampler: { type: 'string', minLength: 1, description: 'sampler: any name; known values ddim, euler-rf, euler-ancestral', examples: [...KNOWN_SAMPLERS] },
    steps: { type: 'integer', minimum: 2 },
    guidance: { type: 'number', minimum: 0 },
    backend: { type: 'string' },
    policy: { type: 'string' },
    toolkitVersion: { type: 'string' },
    createdAt: { type: 'string' },
    wallSeconds: { type: 'number', minimum: 0 },
    sample: { type: 'string' },
    source: { type: 'string' },
    parameters: { type: 'integer', minimum: 1 },
  },
  additionalProperties: true,
} as const;

/** Read and validate a trace metadata sidecar (JSON); every problem of the file is reported at once. */
export function readTraceMetadata(path: string): TraceMetadata {
  const value = readJsonFile(path, 'trace metadata JSON file');
  const problems = schemaProblems(TRACE_METADATA_SCHEMA, value, path);
  if (problems.length > 0) throw new FormatProblems(path, problems);
  return value as TraceMetadata;
}

/** Read and validate a trace CSV file (rows only; see readTraceTable for its columns). */
export function readTraceCsv(path: string): TraceRow[] {
  if (!existsSync(path)) throw new FormatError({ file: path }, 'an existing trace CSV file', 'no such file');
  return parseTraceCsvText(readFileSync(path, 'utf8'), path);
}
export { checkTraceAgainstSidecar } from './trace-format-run.js';
