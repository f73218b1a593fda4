import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import {
  FormatError, Progress, TOOLKIT_VERSION, readTraceCsv, readTraceMetadata, traceToCsv, writeFileAtomic, writeJsonAtomic,
  type TraceMetadata,
} from '@teacache/core';
import { ddpmScheduleOf, type LoadedModel, type SamplingModel } from '@teacache/models';
import { sampleRun } from './sample-loop.js';
import { frameStripPng, latentPreview } from './strip.js';
import { samplerFor } from './samplers.js';
import { slug } from './prompts.js';

export interface TraceRunsOptions {
  loaded: LoadedModel;
  /** The loaded model on the engine that samples (absent: the tfjs model itself). */
  model?: SamplingModel;
  /** Model name recorded in the metadata. */
  modelName: string;
  prompts: string[];
  seeds: number[];
  steps: number;
  guidance: number;
  outDir: string;
  backend: string;
  log?: (line: string) => void;
}

export interface TraceRunsResult {
  written: string[];
  skipped: string[];
}

/**
 * The run id of a (prompt, seed): readable (a slug of the prompt), unique per prompt (the slug alone maps
 * "a cat", "A cat!" and every emoji-only prompt alike, so 8 hex digits of the prompt's SHA-256 follow it) and
 * stable, so a second call finds finished runs.
 */
export function runIdOf(prompt: string, seed: number): string {
  const hash = createHash('sha256').update(prompt, 'utf8').digest('hex').slice(0, 8);
  return `${slug(prompt)}-${hash}__seed${seed}`;
}

/** The id runs had before ids carried a hash: still found, so directories traced then resume. */
function legacyRunIdOf(prompt: string, seed: number): string {
  return `${slug(prompt)}__seed${seed}`;
}

/** What a finished run must share with the runs being asked for to count as one of them. */
type RunSettings = Pick<TraceMetadata, 'weightsHash' | 'steps' | 'guidance' | 'sampler'>;

/**
 * True when a run's CSV and sidecar both exist and read back cleanly (else it is redone). A finished run made
 * with other weights or settings is refused: mixing it in would corrupt a fit, and redoing it would overwrite it.
 */
function finished(dir: string, runId: string, want: RunSettings, prompt: string): boolean {
  const csv = join(dir, `${runId}.csv`);
  const json = join(dir, `${runId}.json`);
  if (!existsSync(csv) || !existsSync(json)) return false;
  let meta: TraceMetadata;
  try {
    meta = readTraceMetadata(json);
    readTraceCsv(csv);
  } catch {
    return false;
  }
  for (const field of ['weightsHash', 'steps', 'guidance', 'sampler'] as const) {
    if (meta[field] !== want[field]) {
      throw new FormatError({ file: json, field }, `${want[field]} as this trace asks for (trace into another --out directory, or delete the old runs)`, meta[field]);
    }
  }
  // Two prompts sharing an id (a hash collision, or files renamed by hand) must never stand for each other.
  if (meta.prompt !== prompt) throw new FormatError({ file: json, field: 'prompt' }, JSON.stringify(prompt), meta.prompt);
  return true;
}

/** A run traced under its legacy id (no hash) of exactly this prompt: its id, or null. */
function legacyFinished(dir: string, prompt: string, seed: number, want: RunSettings): string | null {
  const id = legacyRunIdOf(prompt, seed);
  const json = join(dir, `${id}.json`);
  if (!existsSync(json)) return null;
  try {
    if (readTraceMetadata(json).prompt !== prompt) return null;
  } catch {
    return null;
  }
  return finished(dir, id, want, prompt) ? id : null;
}

/** Each prompt once (a repeated prompt is the same run), in the order given. */
export function distinctPrompts(prompts: readonly string[], log: (line: string) => void): string[] {
  const distinct = [...new Set(prompts)];
  if (distinct.length < prompts.length) log(`${prompts.length - distinct.length} repeated prompt(s) traced once`);
  return distinct;
}

/**
 * Trace every (prompt, seed) with every step computed, writing per run a CSV of signals, a JSON sidecar and
 * a PNG strip of the final sample. Resumable: finished runs are skipped; each file is written atomically and
 * the sidecar last, so an interrupted run leaves nothing that looks finished.
 */
export function traceRuns(o: TraceRunsOptions): TraceRunsResult {
  const log = o.log ?? ((l: string) => process.stderr.write(l + '\n'));
  const cfg = o.loaded.config;
  const sampler = samplerFor(cfg.prediction, o.steps, undefined, ddpmScheduleOf(cfg), cfg);
  const prompts = distinctPrompts(o.prompts, log);
  const jobs = prompts.flatMap((prompt) => o.seeds.map((seed) => ({ prompt, seed, runId: runIdOf(prompt, seed) })));
  const ids = new Map<string, string>();
  for (const j of jobs) {
    const other = ids.get(j.runId);
    if (other !== undefined && other !== j.prompt) {
      throw new FormatError({ field: 'prompts' }, `prompts with distinct run ids; ${JSON.stringify(other)} and this one share ${j.runId}`, j.prompt);
    }
    ids.set(j.runId, j.prompt);
  }
  const want: RunSettings = { weightsHash: o.loaded.weightsHash, steps: o.steps, guidance: o.guidance, sampler: sampler.name };
  const skipped: string[] = [];
  const todo = jobs.filter((j) => {
    const done = finished(o.outDir, j.runId, want, j.prompt) ? j.runId : legacyFinished(o.outDir, j.prompt, j.seed, want);
    if (done) skipped.push(done);
    return !done;
  });
  if (skipped.length > 0) log(`skipping ${skipped.length} finished run(s) in ${o.outDir}`);
  const overall = new Progress({ label: 'trace runs', total: jobs.length, unit: 'runs', logEverySeconds: 5 });
  overall.set(skipped.length);
  const written: string[] = [];
  for (const job of todo) {
    const bar = new Progress({ label: `  ${job.runId}`, total: o.steps, unit: 'steps', logEverySeconds: 30 });
    const result = sampleRun({
      model: o.model ?? o.loaded.model, caption: job.prompt, seed: job.seed, steps: o.steps, guidance: o.guidance,
      record: true, runId: job.runId, onStep: () => bar.tick(),
    });
    bar.finish();
    const csv = join(o.outDir, `${job.runId}.csv`);
    // A latent-space model's sample is latents: the picture is a labelled preview of three latent channels.
    const latents = result.space === 'latents';
    const png = join(o.outDir, `${job.runId}${latents ? '.latents' : ''}.png`);
    const json = join(o.outDir, `${job.runId}.json`);
    writeFileAtomic(csv, traceToCsv(result.rows, { prompt: job.prompt, seed: job.seed }));
    writeFileAtomic(png, frameStripPng(latents ? latentPreview(result.video, cfg.channels) : result.video, cfg.frames, cfg.height, cfg.width));
    const meta: TraceMetadata = {
      format: 'teacache-trace', version: 1, runId: job.runId, model: o.modelName, family: cfg.family,
      weightsHash: o.loaded.weightsHash, prompt: job.prompt, seed: job.seed, sampler: sampler.name, steps: o.steps,
      guidance: o.guidance, backend: o.backend, policy: 'none', toolkitVersion: TOOLKIT_VERSION,
      createdAt: new Date().toISOString(), wallSeconds: Number(result.wallSeconds.toFixed(3)), sample: basename(png),
      parameters: o.loaded.model.params.count(),
    };
    writeJsonAtomic(json, meta);
    written.push(csv, json, png);
    overall.tick();
  }
  overall.finish();
  return { written, skipped };
}
