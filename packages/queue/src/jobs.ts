import { createHash } from 'node:crypto';
import { FormatError, isSeed, SEED_RANGE, sweepRowKey } from '@teacache/core';
import { describePolicy, type WorkerSpec } from '@teacache/cache';
import type { SweepGroup } from '@teacache/trace';

/** Prefix of every Redis key the toolkit writes (BullMQ's queues and the registry of sweep queues). */
export const KEY_PREFIX = 'teacache';
/** Redis set of the queues sweeps were submitted to, each a JSON `QueueEntry`, where workers find them. */
export const REGISTRY_KEY = `${KEY_PREFIX}:sweep-queues`;

/** A sweep queue: one per model name and weights hash, so a worker only ever takes runs of the weights it has. */
export interface QueueEntry {
  queue: string;
  model: string;
  weightsHash: string;
}

/**
 * A queued job: one run of a sweep, described exactly as the local worker pool describes its work (a sweep
 * group), with a single policy setting.
 */
export type RunJob = SweepGroup<WorkerSpec> & { specs: [WorkerSpec] };

/** The queue of a model's sweeps with given weights (BullMQ queue names cannot hold ":"). */
export function queueNameOf(model: string, weightsHash: string): string {
  if (!/^[0-9a-f]{64}$/.test(weightsHash)) throw new FormatError({ field: 'weightsHash' }, 'a SHA-256 in hex (64 characters)', weightsHash);
  return `sweep.${model.replace(/[^A-Za-z0-9_.-]/g, '_')}.${weightsHash.slice(0, 16)}`;
}

/** The run's sweep row key: model, policy and params, prompt, seed, steps. */
export function runKeyOf(job: RunJob): string {
  const d = describePolicy(job.specs[0]);
  return sweepRowKey({ model: job.model, policy: d.policy, params: d.params, prompt: job.prompt, seed: job.seed, steps: job.steps });
}

/**
 * The BullMQ job id of a run: its row key and guidance scale, hashed (keys hold ":", which BullMQ refuses).
 * Equal runs get equal ids, so submitting a run already queued or finished adds nothing.
 */
export function jobIdOf(job: RunJob): string {
  return 'run-' + createHash('sha256').update(JSON.stringify([runKeyOf(job), job.guidance])).digest('hex').slice(0, 40);
}

/** One line naming a run for people: policy and setting, prompt, seed. */
export function describeRun(job: RunJob): string {
  const d = describePolicy(job.specs[0]);
  const setting = d.threshold !== undefined && d.threshold !== null ? ` ${d.threshold}` : '';
  const params = Object.entries(d.params).filter(([k, v]) => v !== undefined && k !== 'threshold' && k !== 'interval' && k !== 'coefficients' && k !== 'magRatios')
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : v}`).join(' ');
  return `${d.policy}${setting}${params ? ` (${params})` : ''}, prompt "${job.prompt}", seed ${job.seed}`;
}

/** Split sweep groups into one job per run, in group order. */
export function runsOf(groups: readonly SweepGroup<WorkerSpec>[]): RunJob[] {
  return groups.flatMap((g) => g.specs.map((s) => ({ ...g, specs: [s] as [WorkerSpec] })));
}

/** Check the fields a worker relies on in a job's data (it may come from another version of the toolkit). */
export function checkRunJob(data: unknown, jobId: string): RunJob {
  const d = data as Partial<RunJob> | null;
  const where = { file: `job ${jobId}` };
  if (!d || typeof d !== 'object') throw new FormatError(where, 'a sweep run object', data);
  for (const f of ['model', 'prompt', 'weightsHash'] as const) {
    if (typeof d[f] !== 'string') throw new FormatError({ ...where, field: f }, 'a string', d[f]);
  }
  for (const f of ['seed', 'steps', 'guidance'] as const) {
    if (typeof d[f] !== 'number') throw new FormatError({ ...where, field: f }, 'a number', d[f]);
  }
  if (!isSeed(d.seed)) throw new FormatError({ ...where, field: 'seed' }, SEED_RANGE, d.seed);
  if (!Array.isArray(d.specs) || d.specs.length !== 1) throw new FormatError({ ...where, field: 'specs' }, 'one policy setting', d.specs);
  return d as RunJob;
}

/** Redis hash where workers that refuse a queue (other weights) leave their name and weights hash, for the submitter to report. */
export function refusalsKeyOf(queue: string): string {
  return `${KEY_PREFIX}:refusals:${queue}`;
}
