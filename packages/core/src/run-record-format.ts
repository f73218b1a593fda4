import { FormatError, FormatProblems } from './errors.js';
import { readJsonFile } from './read-json.js';
import { schemaProblems } from './schema.js';
import { SEED_SCHEMA } from './seed.js';
import type { SweepRow } from './sweep-format.js';

/**
 * A sampling run made outside the toolkit (e.g. by the PyTorch bridge's TeaCache runtime), described for
 * `teacache score`: its settings, per-branch schedule, wall time, and the file holding its output frames.
 */
export interface RunRecord extends Pick<SweepRow, 'model' | 'params' | 'threshold' | 'prompt' | 'seed' | 'steps' | 'guidance'> {
  format: 'teacache-run';
  version: 1;
  /** `none` for the uncached reference; otherwise the cache policy that ran. */
  policy: string;
  /** Per guidance branch, one letter per step: C computed, R reused. */
  schedule: { cond: string; uncond?: string };
  wallSeconds: number;
  /** Output frames, relative to the record: a `.npy`, a `.safetensors` (one tensor, or `tensor` names it) or a list of PNG frames. */
  output: string | string[];
  /** Tensor name inside a safetensors output holding several. */
  tensor?: string;
  /** Layout of a `.npy` / safetensors output: `FHWC` (default) or `HWC`. PNG frames are HWC each. */
  layout?: 'FHWC' | 'HWC';
  backend?: string;
  source?: string;
  createdAt?: string;
}

const schedulePattern = { type: 'string', pattern: '^[CR]+$' } as const;

export const RUN_RECORD_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://teacache-toolkit/schemas/run-record-v1.json',
  title: 'teacache run record (outputs made elsewhere, for teacache score), version 1',
  type: 'object',
  required: ['format', 'version', 'model', 'policy', 'params', 'threshold', 'prompt', 'seed', 'steps', 'schedule', 'wallSeconds', 'output'],
  properties: {
    format: { const: 'teacache-run' },
    version: { const: 1 },
    model: { type: 'string', minLength: 1 },
    policy: { type: 'string', minLength: 1 },
    params: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean', 'null'] } },
    threshold: { type: ['number', 'null'] },
    prompt: { type: 'string' },
    seed: SEED_SCHEMA,
    steps: { type: 'integer', minimum: 1 },
    guidance: { type: 'number', minimum: 0 },
    schedule: { type: 'object', required: ['cond'], properties: { cond: schedulePattern, uncond: schedulePattern }, additionalProperties: false },
    wallSeconds: { type: 'number', exclusiveMinimum: 0 },
    output: { oneOf: [{ type: 'string', minLength: 1 }, { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } }] },
    tensor: { type: 'string' },
    layout: { enum: ['FHWC', 'HWC'] },
    backend: { type: 'string' },
    source: { type: 'string' },
    createdAt: { type: 'string' },
  },
  additionalProperties: true,
} as const;

/** Read and validate a run record; every problem of the file at once, plus schedule lengths against `steps`. */
export function readRunRecord(path: string): RunRecord {
  const value = readJsonFile(path, 'run record JSON file');
  const problems = schemaProblems(RUN_RECORD_SCHEMA, value, path);
  if (problems.length === 0) {
    const r = value as RunRecord;
    for (const [branch, s] of Object.entries(r.schedule)) {
      if (s !== undefined && s.length !== r.steps) problems.push(lengthProblem(path, branch, s, r.steps));
    }
    if (r.policy === 'none' && Object.values(r.schedule).some((s) => s?.includes('R'))) {
      problems.push(new FormatError({ file: path, field: 'schedule' }, 'only C letters (policy none is the uncached reference: every step computed)', JSON.stringify(r.schedule)));
    }
  }
  if (problems.length > 0) throw new FormatProblems(path, problems);
  return value as RunRecord;
}

function lengthProblem(file: string, branch: string, found: string, steps: number): FormatError {
  return new FormatError({ file, field: `schedule.${branch}` }, `one letter per step (${steps})`, `${found.length} letters`);
}
