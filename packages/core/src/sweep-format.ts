import { existsSync, statSync, openSync, readSync, closeSync, truncateSync } from 'node:fs';
import { FormatError, FormatProblems, ProblemList } from './errors.js';
import { schemaProblems } from './schema.js';
import { SEED_SCHEMA } from './seed.js';
import { appendLine } from './atomic-write.js';
import { readTextFile } from './read-json.js';
import { mean } from './sample-stats.js';

/** One finished cached-sampling run of a sweep, compared with the uncached run of the same model, prompt and seed. */
export interface SweepRow {
  format: 'teacache-sweep-row';
  version: 1;
  model: string;
  policy: string;
  /** The policy's parameters as given (threshold, indicator, interval, coefficients file, ...). */
  params: Record<string, string | number | boolean | null>;
  /** The policy's main knob (threshold, or interval k), for plotting; null for `none`. */
  threshold: number | null;
  prompt: string;
  seed: number;
  steps: number;
  /**
   * Block-stack evaluations per guidance branch: with two branches, the mean of the two branches'
   * counts (so it can end in .5). computedSteps + skippedSteps = steps.
   */
  computedSteps: number;
  skippedSteps: number;
  /**
   * Per step, `C` computed or `R` reused. One string when the run is unguided or both guidance
   * branches took the same decisions; otherwise `cond/uncond`, two strings joined by `/`.
   */
  schedule: string;
  wallSeconds: number;
  referenceWallSeconds: number;
  wallSpeedup: number;
  /** steps / computedSteps. */
  stepSpeedup: number;
  /**
   * Quality against the uncached output, on the decoded sample in [0, 1]. PSNR in dB; Infinity when
   * the outputs are identical (written as null in the file, since JSON has no Infinity).
   */
  psnr: number;
  ssim: number;
  mse: number;
  backend: string;
  createdAt: string;
  /** SHA-256 of the model's weights file (rows written before it was recorded lack it). */
  weightsHash?: string;
  /** Classifier-free guidance scale of the run and its reference (rows written before it was recorded lack it). */
  guidance?: number;
  /**
   * The TeaCache paper's protocol: PSNR per frame on 8-bit frames, averaged over frames (dB; an identical frame
   * counts 100 dB as in the paper's evaluation code; rows written before that say null, read as Infinity).
   * `psnr` above is pooled over float values.
   */
  psnrFrames8bit?: number;
  /** SSIM per frame on 8-bit frames (data range 255), averaged over frames. */
  ssimFrames8bit?: number;
  /** Who made the row: `sweep` (this toolkit's sampling loop; rows without the field) or `score` (outputs made elsewhere). */
  source?: string;
  /**
   * What psnr, ssim and mse were computed on: `pixels` (absent: the decoded sample in [0, 1]) or `latents`
   * (a latent-space model with no decoder: the raw latents, data range that of the reference's latents).
   */
  metricSpace?: 'pixels' | 'latents';
  // Fields below are absent from rows written before timing was repeated and FLOPs and the 8-bit protocol were recorded.
  /**
   * Timed pairs: the cached run and an uncached run of the same prompt and seed, run back to back (order
   * alternating). wallSeconds / referenceWallSeconds are then the geometric means of the pairs' times.
   */
  repeats?: number;
  /** Wall time of each timed cached run (seconds), in pair order. */
  wallSecondsRepeats?: number[];
  /** Wall time of each timed uncached run (seconds), paired with wallSecondsRepeats. */
  referenceWallSecondsRepeats?: number[];
  /** Bounds of the confidence interval of wallSpeedup (×); null with one pair. */
  wallSpeedupLow?: number | null;
  wallSpeedupHigh?: number | null;
  /** Level of that interval (0.95). */
  wallSpeedupConfidence?: number;
  /**
   * The wall speedup exceeds the step speedup beyond its interval (the low bound is above it; with one pair,
   * the estimate is): skipping a share of the stack cannot save more than that share, so the timing is not a result.
   */
  wallSpeedupImpossible?: boolean;
  /** CPU time (user + system, seconds) of the cached and the uncached runs, geometric means over the pairs. */
  cpuSeconds?: number;
  referenceCpuSeconds?: number;
  /** referenceCpuSeconds / cpuSeconds. */
  cpuSpeedup?: number;
  /** GEMM FLOPs the run's schedule needs (embedding and head every step, the stack where computed). */
  flops?: number;
  /** GEMM FLOPs of the uncached run. */
  referenceFlops?: number;
  /** referenceFlops / flops. */
  flopSpeedup?: number;
}

const nonNegative = { type: 'number', minimum: 0 } as const;

/** JSON Schema of one sweep row as stored in the JSON Lines file (psnr null = identical outputs). */
export const SWEEP_ROW_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://teacache-toolkit/schemas/sweep-row-v1.json',
  title: 'teacache sweep row, version 1',
  type: 'object',
  required: ['format', 'version', 'model', 'policy', 'params', 'threshold', 'prompt', 'seed', 'steps', 'computedSteps',
    'skippedSteps', 'schedule', 'wallSeconds', 'referenceWallSeconds', 'wallSpeedup', 'stepSpeedup', 'psnr', 'ssim',
    'mse', 'backend', 'createdAt'],
  properties: {
    format: { const: 'teacache-sweep-row' },
    version: { const: 1 },
    model: { type: 'string', minLength: 1 },
    policy: { type: 'string', minLength: 1 },
    params: {
      type: 'object',
      additionalProperties: { type: ['string', 'number', 'boolean', 'null'] },
    },
    threshold: { type: ['number', 'null'] },
    prompt: { type: 'string' },
    seed: SEED_SCHEMA,
    steps: { type: 'integer', minimum: 1 },
    computedSteps: { type: 'number', exclusiveMinimum: 0, multipleOf: 0.5 },
    skippedSteps: { type: 'number', minimum: 0, multipleOf: 0.5 },
    schedule: { type: 'string', pattern: '^[CR]+(/[CR]+)?$' },
    wallSeconds: nonNegative,
    referenceWallSeconds: nonNegative,
    wallSpeedup: { type: 'number', exclusiveMinimum: 0 },
    stepSpeedup: { type: 'number', minimum: 1 },
    psnr: { type: ['number', 'null'] },
    ssim: { type: 'number', minimum: -1, maximum: 1 },
    mse: nonNegative,
    backend: { type: 'string', minLength: 1 },
    createdAt: { type: 'string', minLength: 1 },
    weightsHash: { type: 'string', minLength: 1 },
    guidance: { type: 'number' },
    psnrFrames8bit: { type: ['number', 'null'] },
    ssimFrames8bit: { type: 'number', minimum: -1, maximum: 1 },
    source: { type: 'string', minLength: 1 },
    metricSpace: { enum: ['pixels', 'latents'] },
    repeats: { type: 'integer', minimum: 1 },
    wallSecondsRepeats: { type: 'array', items: { type: 'number', exclusiveMinimum: 0 }, minItems: 1 },
    referenceWallSecondsRepeats: { type: 'array', items: { type: 'number', exclusiveMinimum: 0 }, minItems: 1 },
    wallSpeedupLow: { type: ['number', 'null'], exclusiveMinimum: 0 },
    wallSpeedupHigh: { type: ['number', 'null'], exclusiveMinimum: 0 },
    wallSpeedupConfidence: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
    wallSpeedupImpossible: { type: 'boolean' },
    cpuSeconds: nonNegative,
    referenceCpuSeconds: nonNegative,
    cpuSpeedup: { type: 'number', exclusiveMinimum: 0 },
    flops: { type: 'number', exclusiveMinimum: 0 },
    referenceFlops: { type: 'number', exclusiveMinimum: 0 },
    flopSpeedup: { type: 'number', exclusiveMinimum: 0 },
  },
  additionalProperties: true,
} as const;

/** Split a schedule into its per-branch strings (one, or cond and uncond). */
export function scheduleBranches(schedule: string): string[] {
  return schedule.split('/');
}

/** Computed steps of a run from its per-branch schedules: the mean count of `C` over the branches. */
export function computedStepsOf(branches: readonly string[]): number {
  return mean(branches.map((b) => [...b].filter((c) => c === 'C').length));
}

/** The schedule string of one run from its per-branch schedules: one string when they agree, else `cond/uncond`. */
export function formatSchedule(branches: readonly string[]): string {
  if (branches.length === 0 || branches.length > 2) throw new RangeError(`formatSchedule: expected 1 or 2 branch schedules, found ${branches.length}`);
  return branches.length === 2 && branches[0] !== branches[1] ? `${branches[0]}/${branches[1]}` : branches[0];
}

/** Checks beyond the schema: counts agree with the schedule and with each other; every disagreement, in field order. */
function consistencyProblems(row: SweepRow, file: string, rowNumber?: number): FormatError[] {
  const at = (field: string) => ({ file, row: rowNumber, field });
  const problems: FormatError[] = [];
  const branches = scheduleBranches(row.schedule);
  const badLength = branches.find((b) => b.length !== row.steps);
  if (badLength !== undefined) problems.push(new FormatError(at('schedule'), `one letter per step (${row.steps})`, `${badLength.length} letters`));
  const computed = computedStepsOf(branches);
  if (row.computedSteps !== computed) problems.push(new FormatError(at('computedSteps'), `${computed} (the C count of the schedule)`, row.computedSteps));
  if (row.computedSteps + row.skippedSteps !== row.steps) {
    problems.push(new FormatError(at('skippedSteps'), `${row.steps - row.computedSteps} (steps - computedSteps)`, row.skippedSteps));
  }
  const speedup = row.steps / row.computedSteps;
  if (Math.abs(row.stepSpeedup - speedup) > 1e-9 * speedup) problems.push(new FormatError(at('stepSpeedup'), `${speedup} (steps / computedSteps)`, row.stepSpeedup));
  for (const key of ['wallSeconds', 'referenceWallSeconds', 'wallSpeedup', 'ssim', 'mse'] as const) {
    if (!Number.isFinite(row[key])) problems.push(new FormatError(at(key), 'a finite number', row[key]));
  }
  problems.push(...timingProblems(row, at));
  return problems;
}

/** The repeated-timing and FLOP fields, when present, agree with each other. */
function timingProblems(row: SweepRow, at: (field: string) => { file: string; row?: number; field: string }): FormatError[] {
  const problems: FormatError[] = [];
  for (const key of ['wallSecondsRepeats', 'referenceWallSecondsRepeats'] as const) {
    const list = row[key];
    if (list !== undefined && list.length !== row.repeats) problems.push(new FormatError(at(key), `${row.repeats ?? 'repeats'} times (one per repeat)`, list.length));
  }
  const low = row.wallSpeedupLow;
  const high = row.wallSpeedupHigh;
  if (low != null && high != null && !(low <= row.wallSpeedup * (1 + 1e-9) && row.wallSpeedup <= high * (1 + 1e-9))) {
    problems.push(new FormatError(at('wallSpeedupLow'), `an interval around wallSpeedup ${row.wallSpeedup}`, `[${low}, ${high}]`));
  }
  if (row.flops !== undefined && row.referenceFlops !== undefined && row.flopSpeedup !== undefined) {
    const ratio = row.referenceFlops / row.flops;
    if (Math.abs(row.flopSpeedup - ratio) > 1e-9 * ratio) problems.push(new FormatError(at('flopSpeedup'), `${ratio} (referenceFlops / flops)`, row.flopSpeedup));
  }
  return problems;
}

/**
 * Every problem of one parsed row (as stored: psnr null allowed): each field the schema refuses, or, when the
 * schema accepts it, each count that disagrees; with the row in memory form (psnr null → Infinity) when none.
 */
function checkSweepRow(value: unknown, file: string, rowNumber?: number): { row?: SweepRow; problems: FormatError[] } {
  const schema = schemaProblems(SWEEP_ROW_SCHEMA, value, file);
  if (schema.length > 0) {
    // the schema check knows the file and field; add the row number for the user
    return { problems: schema.map((e) => new FormatError({ file, row: rowNumber, field: e.field }, e.expected, valueAt(value, e.field))) };
  }
  const stored = value as SweepRow & { psnr: number | null; psnrFrames8bit?: number | null };
  const memory: SweepRow = { ...stored, psnr: stored.psnr === null ? Infinity : stored.psnr };
  if (stored.psnrFrames8bit === null) memory.psnrFrames8bit = Infinity;
  const problems = consistencyProblems(memory, file, rowNumber);
  return problems.length > 0 ? { problems } : { row: memory, problems };
}

/** Validate a parsed row and return it in memory form; every problem of the row at once otherwise. */
function toSweepRow(value: unknown, file: string, rowNumber?: number): SweepRow {
  const { row, problems } = checkSweepRow(value, file, rowNumber);
  if (row === undefined) throw new FormatProblems(file, problems);
  return row;
}

/** The value at a dotted field path of a parsed row (undefined when absent). */
function valueAt(value: unknown, field: string | undefined): unknown {
  if (field === undefined || field === '(root)') return value;
  let v: unknown = value;
  for (const part of field.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/** Options for reading sweep rows. */
export interface ParseSweepOptions {
  /** Called with a message for recoverable problems (an interrupted last line); default: stderr. */
  onWarning?: (message: string) => void;
}

const warnToStderr = (message: string) => { process.stderr.write(`warning: ${message}\n`); };

/**
 * Parse sweep rows from JSON Lines text. Rows are numbered by line (1 = first line). Blank lines
 * are skipped. A last line without a newline is an interrupted append: it is skipped with a warning.
 * Bad lines throw one FormatError (FormatProblems) listing every problem of the file, each naming its
 * row and field, up to MAX_LISTED_PROBLEMS.
 */
export function parseSweepRows(text: string, file = '<sweep>', options: ParseSweepOptions = {}): SweepRow[] {
  const lines = text.split('\n');
  const partial = lines.pop()!; // '' when the text ends with a newline
  if (partial.trim() !== '') {
    (options.onWarning ?? warnToStderr)(`${file}: row ${lines.length + 1} has no newline (an interrupted append); skipped`);
  }
  const rows: SweepRow[] = [];
  const problems = new ProblemList(file);
  let i = 0;
  for (; i < lines.length && !problems.full; i++) {
    const rowNumber = i + 1;
    if (lines[i].trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(lines[i]);
    } catch (err) {
      problems.add(new FormatError({ file, row: rowNumber }, 'a JSON object on one line', (err as Error).message));
      continue;
    }
    const checked = checkSweepRow(value, file, rowNumber);
    if (checked.row !== undefined) rows.push(checked.row);
    for (const p of checked.problems) problems.add(p);
  }
  if (problems.full && lines.slice(i).some((l) => l.trim() !== '')) problems.truncated = true; // stopped with rows unread
  problems.throwIfAny();
  return rows;
}

/** Read and validate a sweep file (JSON Lines). */
export function readSweepRows(path: string, options: ParseSweepOptions = {}): SweepRow[] {
  return parseSweepRows(readTextFile(path, 'sweep file (JSON Lines)'), path, options);
}

/** Serialise one row as a JSON line (psnr Infinity → null). */
export function sweepRowToJson(row: SweepRow): string {
  const frames8bit = row.psnrFrames8bit === undefined ? {} : { psnrFrames8bit: row.psnrFrames8bit === Infinity ? null : row.psnrFrames8bit };
  return JSON.stringify({ ...row, psnr: row.psnr === Infinity ? null : row.psnr, ...frames8bit });
}

/** The length of a file up to and including its last newline (where an interrupted append starts). */
function completeLength(path: string): { size: number; complete: number } {
  const size = statSync(path).size;
  if (size === 0) return { size, complete: 0 };
  const fd = openSync(path, 'r');
  try {
    const chunk = Buffer.alloc(64 * 1024);
    let end = size;
    while (end > 0) {
      const start = Math.max(0, end - chunk.length);
      const n = readSync(fd, chunk, 0, end - start, start);
      const idx = chunk.subarray(0, n).lastIndexOf(0x0a);
      if (idx >= 0) return { size, complete: start + idx + 1 };
      end = start;
    }
    return { size, complete: 0 };
  } finally {
    closeSync(fd);
  }
}

/**
 * Validate a row, then append it to a sweep file as one JSON line. A trailing line without a
 * newline (an earlier interrupted append) is cut off first, so it cannot corrupt the new line.
 */
export function appendSweepRow(path: string, row: SweepRow, options: ParseSweepOptions = {}): void {
  // JSON would turn NaN into null, which reads back as an infinite PSNR
  if (Number.isNaN(row.psnr) || row.psnr === -Infinity) throw new FormatError({ file: path, field: 'psnr' }, 'a number or Infinity', row.psnr);
  if (row.psnrFrames8bit !== undefined && (Number.isNaN(row.psnrFrames8bit) || row.psnrFrames8bit === -Infinity)) {
    throw new FormatError({ file: path, field: 'psnrFrames8bit' }, 'a number or Infinity', row.psnrFrames8bit);
  }
  const line = sweepRowToJson(row);
  toSweepRow(JSON.parse(line), path);
  if (existsSync(path)) {
    const { size, complete } = completeLength(path);
    if (complete < size) {
      (options.onWarning ?? warnToStderr)(`${path}: removed ${size - complete} bytes of an interrupted append before appending`);
      truncateSync(path, complete);
    }
  }
  appendLine(path, line);
}

/** JSON with object keys sorted, so equal params give equal text whatever their order. */
function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/**
 * The identity of a sweep run: model, policy and its params, prompt, seed, and step count (a sweep
 * over step counts must not mistake one for another). A resumed sweep skips runs whose key exists.
 */
export function sweepRowKey(row: Pick<SweepRow, 'model' | 'policy' | 'params' | 'prompt' | 'seed' | 'steps'>): string {
  return canonicalJson([row.model, row.policy, row.params, row.prompt, row.seed, row.steps]);
}
