import { tsxExecArgv } from './tsx-loader.js';
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { acquireFileLock, appendLine, appendSweepRow, FormatError, Progress, readSweepRows, SSIM_WINDOW, sweepRowKey, type SweepRow } from '@teacache/core';
import { describePolicy, workerSpec, type PolicySpec, type WorkerSpec } from '@teacache/cache';
import {
  backendRequestFrom, computeLabel, computeRequests, engineRequestFrom, loadModel, samplingModelFor, selectCompute, sha256OfFile,
  readModelConfig, workerPlan, CONFIG_FILE, WEIGHTS_FILE, type Compute, type ModelConfig,
} from '@teacache/models';
import { DEFAULT_REPEATS, runSweepGroup, sweepFailure, warmUp, type SweepFailure, type SweepGroup } from './sweep-run.js';
import type { WorkerReply, WorkerRequest } from './sweep-worker.js';

export interface SweepOptions {
  /** Model directory (config.json + weights.safetensors) and the name rows record. */
  modelDir: string;
  modelName: string;
  prompts: string[];
  seeds: number[];
  steps: number;
  guidance: number;
  specs: PolicySpec[];
  /** JSON Lines results file; rows are appended as runs finish, and finished runs are skipped on resume. */
  out: string;
  /** Timed (cached, uncached) pairs per setting, for the wall-speedup interval (default DEFAULT_REPEATS). */
  repeats?: number;
  /** Worker processes (default one per core); 0 runs in this process (tests). */
  workers?: number;
  /** tfjs backend request (auto, tensorflow, wasm, cpu; absent: TEACACHE_BACKEND or auto); ignored with `compute`. */
  backend?: string;
  /** Engine request (tfjs, onnx, auto; absent: TEACACHE_ENGINE or auto); ignored with `compute`. */
  engine?: string;
  /**
   * The backend and engine the caller already selected in this process (the CLI resolves them once): runs in this
   * process use them, worker processes repeat their requests.
   */
  compute?: Compute;
  /** Text-encoder outputs for a model with external text (see loadModel). */
  conditioning?: string;
  log?: (line: string) => void;
}

export interface SweepResult {
  out: string;
  newRows: number;
  skippedRows: number;
  totalRows: number;
  /** Runs that failed this time (recorded in `failuresFile`, retried by the next sweep). */
  failedRuns: number;
  failuresFile: string;
}

/** Where a sweep records the runs that failed: `<out without .jsonl>.failures.jsonl`, one JSON object a line. */
export function failuresPathOf(out: string): string {
  return `${out.replace(/\.jsonl$/, '')}.failures.jsonl`;
}

/**
 * Refuse to resume into a file whose rows of this model were made with other weights or another guidance scale:
 * mixing them would compare runs of two different models (or settings) as one.
 */
export function checkResumable(rows: readonly SweepRow[], file: string, model: string, weightsHash: string, guidance: number): void {
  rows.forEach((r, i) => {
    if (r.model !== model) return;
    const again = '(sweep into another --out file, or delete the old rows)';
    if (r.weightsHash !== undefined && r.weightsHash !== weightsHash) {
      throw new FormatError({ file, row: i + 1, field: 'weightsHash' }, `${weightsHash}, the weights being swept ${again}`, r.weightsHash);
    }
    if (r.guidance !== undefined && r.guidance !== guidance) {
      throw new FormatError({ file, row: i + 1, field: 'guidance' }, `${guidance} as this sweep asks for ${again}`, r.guidance);
    }
  });
}

function keyOf(model: string, spec: PolicySpec, prompt: string, seed: number, steps: number): string {
  const d = describePolicy(spec);
  return sweepRowKey({ model, policy: d.policy, params: d.params, prompt, seed, steps });
}

/**
 * A sweep's (prompt, seed) groups, in prompt-then-seed order, each with every setting as workers receive it. The
 * local pool and the queue plan their work from this one list.
 */
export function sweepGroups(o: Pick<SweepOptions, 'modelName' | 'prompts' | 'seeds' | 'steps' | 'guidance' | 'specs' | 'repeats'>, weightsHash: string): SweepGroup<WorkerSpec>[] {
  const specs = o.specs.map(workerSpec);
  return o.prompts.flatMap((prompt) => o.seeds.map((seed) => ({
    model: o.modelName, prompt, seed, steps: o.steps, guidance: o.guidance, weightsHash, specs, repeats: o.repeats ?? DEFAULT_REPEATS,
  })));
}

/**
 * Refuse, before any run, a model whose samples (height x width, pixels or latents) are smaller than SSIM's 11x11
 * window: every row holds SSIM, so each run would fail and the sweep would say so only at the end.
 */
export function checkSweepableSize(config: Pick<ModelConfig, 'height' | 'width'>, modelDir: string): void {
  if (config.height < SSIM_WINDOW || config.width < SSIM_WINDOW) {
    throw new FormatError({ file: join(modelDir, CONFIG_FILE), field: 'height, width' },
      `a sample at least ${SSIM_WINDOW}x${SSIM_WINDOW} to sweep (SSIM's Gaussian window)`, `${config.height}x${config.width}`);
  }
}

/**
 * Sweep policies × settings × prompts × seeds. Each (prompt, seed) group runs its uncached reference and then
 * every setting in one worker; rows are appended to `out` as they finish, so a killed sweep resumes without
 * redoing or losing a finished run.
 */
export async function runSweep(o: SweepOptions): Promise<SweepResult> {
  // One writer per results file: two sweeps into one file would run everything twice and write both rows.
  const release = acquireFileLock(o.out, 'sweep writing this file');
  process.on('exit', release);
  try {
    return await sweepLocked(o);
  } finally {
    process.removeListener('exit', release);
    release();
  }
}

async function sweepLocked(o: SweepOptions): Promise<SweepResult> {
  const log = o.log ?? ((l: string) => process.stderr.write(l + '\n'));
  if (o.repeats !== undefined && (!Number.isInteger(o.repeats) || o.repeats < 1)) {
    throw new FormatError({ field: 'repeats' }, 'a whole number of timed pairs >= 1', o.repeats);
  }
  // Before the engine is chosen (workers choose their own), only a model neither engine could hold is refused here;
  // each load checks against the engine that runs.
  const engine = o.compute?.engine.name ?? (engineRequestFrom(o.engine) === 'tfjs' ? 'tfjs' : 'onnx');
  checkSweepableSize(readModelConfig(o.modelDir, engine), o.modelDir);
  const existing = existsSync(o.out) ? readSweepRows(o.out, { onWarning: (w) => log(`warning: ${w}`) }) : [];
  const weightsHash = sha256OfFile(join(o.modelDir, WEIGHTS_FILE));
  checkResumable(existing, o.out, o.modelName, weightsHash, o.guidance);
  const done = new Set(existing.map(sweepRowKey));
  const groups = sweepGroups(o, weightsHash);
  const total = groups.length * o.specs.length;
  // Finished settings are dropped here, once; workers and the in-process path run what is left.
  const pending = groups
    .map((g) => ({ ...g, specs: g.specs.filter((s) => !done.has(keyOf(o.modelName, s, g.prompt, g.seed, g.steps))) }))
    .filter((g) => g.specs.length > 0);
  const already = total - pending.reduce((n, g) => n + g.specs.length, 0);
  if (already > 0) log(`resuming: ${already} of ${total} run(s) already in ${o.out}`);
  const progress = new Progress({ label: 'sweep', total, unit: 'runs', logEverySeconds: 10, alreadyDone: already });
  let newRows = 0;
  let failedRuns = 0;
  const failuresFile = failuresPathOf(o.out);
  const onFailure = (f: SweepFailure) => {
    appendLine(failuresFile, JSON.stringify(f));
    failedRuns++;
    progress.tick(1, `${f.policy} failed: ${f.error}`);
  };
  const onRow = (row: SweepRow) => {
    try {
      appendSweepRow(o.out, row);
    } catch (err) {
      // A row the format refuses (a value it cannot hold) is a failed run, not the end of the sweep.
      const group = { model: row.model, prompt: row.prompt, seed: row.seed, steps: row.steps } as SweepGroup;
      onFailure({ ...sweepFailure(group, { policy: 'none' }, err), policy: row.policy, params: row.params });
      return;
    }
    newRows++;
    const wall = row.wallSpeedupLow != null ? ` (wall ${row.wallSpeedup.toFixed(2)}x, ${row.wallSpeedupLow.toFixed(2)}-${row.wallSpeedupHigh!.toFixed(2)})` : '';
    const dB = (x: number | undefined) => (x === undefined ? '-' : Number.isFinite(x) ? x.toFixed(1) : 'inf');
    progress.tick(1, `${row.policy} ${row.threshold ?? ''}: ${row.stepSpeedup.toFixed(2)}x steps${wall}, ${dB(row.psnrFrames8bit)} dB 8-bit/${dB(row.psnr)} dB pooled` +
      (row.wallSpeedupImpossible ? ' [wall timing flagged impossible]' : ''));
  };
  const { workers, threads } = workerPlan(o.workers, pending.length);
  if (workers <= 0 || o.workers === 0) {
    const compute = o.compute ?? await selectCompute(o.backend, o.engine);
    const backend = computeLabel(compute);
    const loaded = loadModel(o.modelDir, { conditioning: o.conditioning, engine: compute.engine.name });
    const model = samplingModelFor(loaded.model, compute.engine);
    try {
      if (pending.length > 0) warmUp(model, o.guidance);
      for (const g of pending) runSweepGroup(model, g, backend, onRow, { onFailure });
    } finally {
      if (model !== loaded.model) model.dispose();
      loaded.model.dispose();
    }
  } else {
    await runInWorkers(o, pending, workers, threads, onRow, onFailure, log);
  }
  progress.finish();
  if (failedRuns > 0) log(`${failedRuns} run(s) failed; each is recorded with its error in ${failuresFile} and retried by the next sweep`);
  return { out: o.out, newRows, skippedRows: already, totalRows: already + newRows, failedRuns, failuresFile };
}

function workerPath(): string {
  return join(dirname(fileURLToPath(import.meta.url)), 'sweep-worker.ts');
}

/** Signals that end a sweep: its workers are stopped first, then the sweep exits with the signal's code. */
const STOP_SIGNALS = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

async function runInWorkers(o: SweepOptions, groups: SweepGroup<WorkerSpec>[], count: number, threads: number, onRow: (row: SweepRow) => void,
  onFailure: (f: SweepFailure) => void, log: (l: string) => void): Promise<void> {
  const queue = groups.map((g, id) => ({ id, g }));
  // Every worker selects as this process did (or would): the same requests, read once here.
  const requests = o.compute ? computeRequests(o.compute) : { backend: backendRequestFrom(o.backend), engine: engineRequestFrom(o.engine) };
  const children: ChildProcess[] = [];
  const stopAll = () => children.forEach((c) => c.kill('SIGTERM'));
  // Workers also exit by themselves when this process dies (even by SIGKILL); these handlers make it prompt.
  const onSignal = (signal: keyof typeof STOP_SIGNALS) => {
    stopAll();
    log(`sweep stopped by ${signal}; finished rows are kept in ${o.out}, run the same command to resume`);
    process.exit(STOP_SIGNALS[signal]);
  };
  for (const signal of Object.keys(STOP_SIGNALS) as (keyof typeof STOP_SIGNALS)[]) process.on(signal, onSignal);
  try {
    await Promise.all(Array.from({ length: count }, (_, w) => new Promise<void>((resolve, reject) => {
      // --expose-gc: the worker collects garbage before each timed run (see sweep-run.ts)
      const child = fork(workerPath(), [], { execArgv: [...tsxExecArgv(), '--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      children.push(child);
      let failed = false;
      const next = () => {
        const job = queue.shift();
        if (!job) {
          child.send({ type: 'stop' } satisfies WorkerRequest);
          return;
        }
        child.send({ type: 'group', id: job.id, group: job.g } satisfies WorkerRequest);
      };
      child.on('message', (msg: WorkerReply) => {
        if (msg.type === 'ready') {
          if (w === 0) log(`sweep: ${count} worker process(es) x ${threads} thread(s), engine ${msg.backend}`);
          next();
        } else if (msg.type === 'row') onRow(msg.row);
        else if (msg.type === 'failure') onFailure(msg.failure);
        else if (msg.type === 'group-done') next();
        else if (msg.type === 'error') {
          failed = true;
          reject(new Error(`sweep worker ${w}: ${msg.message}`));
        }
      });
      child.on('exit', (code) => {
        if (failed) return;
        if (code === 0) resolve();
        else reject(new Error(`sweep worker ${w} exited with code ${code}`));
      });
      child.send({ type: 'init', modelDir: o.modelDir, ...requests, threads, guidance: o.guidance, conditioning: o.conditioning } satisfies WorkerRequest);
    })));
  } catch (err) {
    stopAll();
    throw err;
  } finally {
    for (const signal of Object.keys(STOP_SIGNALS)) process.removeListener(signal, onSignal);
  }
}
