import { readFileSync, existsSync } from 'node:fs';
import { readJsonFile } from './read-json.js';
import { FormatError } from './errors.js';
import { validateWithSchema } from './schema.js';

/** The per-step signals a trace records, named by what they are. */
export const SIGNALS = ['noisy', 'timestep', 'modulated', 'residual', 'output'] as const;
export type Signal = (typeof SIGNALS)[number];

/** Classifier-free guidance branch of a row: `cond` only when the run is unguided. */
export const BRANCHES = ['cond', 'uncond'] as const;
export type Branch = (typeof BRANCHES)[number];

/** One row of a trace: one (run, step, branch). relL1 values are null at a run's first step. */
export interface TraceRow {
  runId: string;
  step: number;
  timestep: number;
  branch: Branch;
  /** 1 when the block stack ran at this step, 0 when a cached residual was reused. */
  computed: 0 | 1;
  relL1: Record<Signal, number | null>;
  meanAbs: Record<Signal, number>;
}

/** The trace CSV's columns, in file order. */
export const TRACE_COLUMNS: readonly string[] = [
  'run_id', 'step', 'timestep', 'branch', 'computed',
  ...SIGNALS.map((s) => `rel_l1_${s}`),
  ...SIGNALS.map((s) => `mean_abs_${s}`),
];

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
    family: { type: 'string', enum: ['dit', 'stdit', 'latte', 'osp'] },
    weightsHash: { type: 'string' },
    prompt: { type: 'string' },
    seed: { type: 'integer', minimum: 0 },
    sampler: { type: 'string', enum: ['ddim', 'euler-rf', 'euler-ancestral'] },
    steps: { type: 'integer', minimum: 2 },
    guidance: { type: 'number', minimum: 0 },
    backend: { type: 'string' },
    policy: { type: 'string' },
    toolkitVersion: { type: 'string' },
    createdAt: { type: 'string' },
    wallSeconds: { type: 'number', minimum: 0 },
    sample: { type: 'string' },
  },
  additionalProperties: true,
} as const;

/** Format a number for CSV: shortest round-trip form, so the same run gives the same bytes. */
function cell(x: number | null): string {
  if (x === null) return '';
  if (!Number.isFinite(x)) throw new RangeError(`trace value is not finite: ${x}`);
  return String(x);
}

/** Serialise trace rows to CSV text (header plus one line per row). */
export function traceToCsv(rows: readonly TraceRow[]): string {
  const lines = [TRACE_COLUMNS.join(',')];
  for (const r of rows) {
    if (/[",\n]/.test(r.runId)) throw new RangeError(`run id must not contain commas, quotes or newlines: ${r.runId}`);
    lines.push([
      r.runId, String(r.step), cell(r.timestep), r.branch, String(r.computed),
      ...SIGNALS.map((s) => cell(r.relL1[s])),
      ...SIGNALS.map((s) => cell(r.meanAbs[s])),
    ].join(','));
  }
  return lines.join('\n') + '\n';
}

function parseNumber(text: string, file: string, row: number, field: string): number {
  if (text.trim() === '' ) throw new FormatError({ file, row, field }, 'a number', 'an empty cell');
  const x = Number(text);
  if (Number.isNaN(x)) throw new FormatError({ file, row, field }, 'a number', text);
  if (!Number.isFinite(x)) throw new FormatError({ file, row, field }, 'a finite number', text);
  return x;
}

/**
 * Parse and validate trace CSV text. Rows are numbered from 1 after the header (row 1 is the first
 * data line, i.e. line 2 of the file). Steps must start at 0 and increase by one per run and branch.
 */
export function parseTraceCsv(text: string, file = '<trace>'): TraceRow[] {
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) throw new FormatError({ file }, `a header line with columns ${TRACE_COLUMNS.join(',')}`, 'an empty file');
  const header = lines[0].split(',').map((h) => h.trim());
  const index = new Map(header.map((h, i) => [h, i] as const));
  for (const col of TRACE_COLUMNS) {
    if (!index.has(col)) throw new FormatError({ file, row: 0, field: col }, `column "${col}" in the header`, 'it missing');
  }
  const rows: TraceRow[] = [];
  const lastStep = new Map<string, number>();
  for (let li = 1; li < lines.length; li++) {
    const row = li;
    const cells = lines[li].split(',');
    if (cells.length !== header.length) {
      throw new FormatError({ file, row }, `${header.length} cells`, cells.length);
    }
    const get = (col: string) => cells[index.get(col)!].trim();
    const runId = get('run_id');
    if (runId === '') throw new FormatError({ file, row, field: 'run_id' }, 'a run id', 'an empty cell');
    const stepNum = parseNumber(get('step'), file, row, 'step');
    if (!Number.isInteger(stepNum) || stepNum < 0) throw new FormatError({ file, row, field: 'step' }, 'a whole number >= 0', get('step'));
    const branch = get('branch');
    if (!(BRANCHES as readonly string[]).includes(branch)) throw new FormatError({ file, row, field: 'branch' }, `one of ${BRANCHES.join(', ')}`, branch);
    const key = `${runId}\u0000${branch}`;
    const expectedStep = (lastStep.get(key) ?? -1) + 1;
    if (stepNum !== expectedStep) {
      throw new FormatError({ file, row, field: 'step' }, `step ${expectedStep} (steps in order, per run and branch)`, stepNum);
    }
    lastStep.set(key, stepNum);
    const computedText = get('computed');
    if (computedText !== '0' && computedText !== '1') throw new FormatError({ file, row, field: 'computed' }, '0 or 1', computedText);
    const relL1 = {} as Record<Signal, number | null>;
    const meanAbs = {} as Record<Signal, number>;
    for (const s of SIGNALS) {
      const rel = get(`rel_l1_${s}`);
      if (stepNum === 0) {
        if (rel !== '') throw new FormatError({ file, row, field: `rel_l1_${s}` }, 'an empty cell at step 0 (no previous step)', rel);
        relL1[s] = null;
      } else {
        const v = parseNumber(rel, file, row, `rel_l1_${s}`);
        if (v < 0) throw new FormatError({ file, row, field: `rel_l1_${s}` }, 'a value >= 0', rel);
        relL1[s] = v;
      }
      const m = parseNumber(get(`mean_abs_${s}`), file, row, `mean_abs_${s}`);
      if (m < 0) throw new FormatError({ file, row, field: `mean_abs_${s}` }, 'a value >= 0', m);
      meanAbs[s] = m;
    }
    rows.push({
      runId, step: stepNum, timestep: parseNumber(get('timestep'), file, row, 'timestep'),
      branch: branch as Branch, computed: computedText === '1' ? 1 : 0, relL1, meanAbs,
    });
  }
  return rows;
}

/** Read and validate a trace CSV file. */
export function readTraceCsv(path: string): TraceRow[] {
  if (!existsSync(path)) throw new FormatError({ file: path }, 'an existing trace CSV file', 'no such file');
  return parseTraceCsv(readFileSync(path, 'utf8'), path);
}

/** Read and validate a trace metadata sidecar (JSON). */
export function readTraceMetadata(path: string): TraceMetadata {
  const value = readJsonFile(path, 'trace metadata JSON file');
  return validateWithSchema<TraceMetadata>(TRACE_METADATA_SCHEMA, value, path);
}
