import { formatSchedule, mseFrames, psnrFrames, ssimFrames, type SweepRow } from '@teacache/core';
import { createPolicy, describePolicy, type PolicySpec } from '@teacache/cache';
import type { DiffusionTransformer } from '@teacache/models';
import { sampleRun, type SampleResult } from './sample-loop.js';

/** One (prompt, seed) of a sweep: its uncached reference and every policy setting to compare with it. */
export interface SweepGroup {
  model: string;
  prompt: string;
  seed: number;
  steps: number;
  guidance: number;
  /** SHA-256 of the model's weights, recorded in every row. */
  weightsHash: string;
  specs: PolicySpec[];
}

function frames(video: Float32Array, model: DiffusionTransformer): Float32Array[] {
  const c = model.config;
  const per = c.height * c.width * c.channels;
  return Array.from({ length: c.frames }, (_, f) => video.subarray(f * per, (f + 1) * per));
}

/** Build the row of one cached run against its reference. */
export function sweepRow(group: SweepGroup, spec: PolicySpec, run: SampleResult, ref: SampleResult, model: DiffusionTransformer, backend: string): SweepRow {
  const d = describePolicy(spec);
  const c = model.config;
  const a = frames(run.video, model);
  const b = frames(ref.video, model);
  const branchCount = run.branches.length;
  const computed = run.computedBranchSteps / branchCount;
  return {
    format: 'teacache-sweep-row', version: 1, model: group.model, policy: d.policy, params: d.params, threshold: d.threshold,
    prompt: group.prompt, seed: group.seed, steps: group.steps, computedSteps: computed, skippedSteps: group.steps - computed,
    schedule: formatSchedule(run.branches.map((br) => run.schedule[br]!)),
    wallSeconds: run.wallSeconds, referenceWallSeconds: ref.wallSeconds, wallSpeedup: ref.wallSeconds / run.wallSeconds,
    stepSpeedup: group.steps / computed,
    psnr: psnrFrames(a, b, 1), ssim: ssimFrames(a, b, { height: c.height, width: c.width, channels: c.channels, dataRange: 1 }), mse: mseFrames(a, b),
    backend, createdAt: new Date().toISOString(), weightsHash: group.weightsHash, guidance: group.guidance,
  };
}

/**
 * Uncached reference runs a worker keeps (least recently used dropped first), so the runs of one (prompt, seed)
 * that a queue delivers one at a time share one reference instead of computing it per run.
 */
export class ReferenceCache {
  private readonly runs = new Map<string, SampleResult>();
  constructor(private readonly capacity = 32) {}

  /** The cached reference of a group, if any (and mark it recently used). */
  get(group: SweepGroup): SampleResult | undefined {
    const key = referenceKey(group);
    const run = this.runs.get(key);
    if (run) {
      this.runs.delete(key);
      this.runs.set(key, run);
    }
    return run;
  }

  /** Keep a group's reference, dropping the least recently used beyond capacity. */
  set(group: SweepGroup, run: SampleResult): void {
    this.runs.set(referenceKey(group), run);
    while (this.runs.size > this.capacity) this.runs.delete(this.runs.keys().next().value!);
  }
}

/** What makes two groups' uncached runs identical: the weights, prompt, seed, step count and guidance. */
function referenceKey(g: SweepGroup): string {
  return JSON.stringify([g.model, g.weightsHash, g.prompt, g.seed, g.steps, g.guidance]);
}

/**
 * Run one sweep group: the reference (every step computed) and then each policy setting, all on the same
 * prompt and seed; `onRow` gets each finished row at once so nothing finished is lost to an interruption.
 * With `refs`, a reference computed for an earlier delivery of the same (prompt, seed) is reused.
 */
export function runSweepGroup(model: DiffusionTransformer, group: SweepGroup, backend: string, onRow: (row: SweepRow) => void, refs?: ReferenceCache): void {
  if (group.specs.length === 0) return;
  const base = { model, caption: group.prompt, seed: group.seed, steps: group.steps, guidance: group.guidance };
  // The reference is timed on its second run: the first one pays for allocation of this prompt's tensors,
  // which would otherwise flatter every cached run after it.
  let ref = refs?.get(group);
  if (!ref) {
    sampleRun(base);
    ref = sampleRun(base);
    refs?.set(group, ref);
  }
  for (const spec of group.specs) {
    const run = sampleRun({ ...base, policy: createPolicy(spec) });
    onRow(sweepRow(group, spec, run, ref, model, backend));
  }
}

/** A short untimed run so the first timed run does not pay for warm-up (kernel set-up, allocation). */
export function warmUp(model: DiffusionTransformer, guidance: number, steps = 10): void {
  sampleRun({ model, caption: '', seed: 0, steps, guidance });
}
