import { formatSchedule, mseFrames, psnrFrames, ssimFrames, type SweepRow } from '@teacache/core';
import { createPolicy, describePolicy, type PolicySpec } from '@teacache/cache';
import type { SamplingModel } from '@teacache/models';
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

function frames(video: Float32Array, model: SamplingModel): Float32Array[] {
  const c = model.config;
  const per = c.height * c.width * c.channels;
  return Array.from({ length: c.frames }, (_, f) => video.subarray(f * per, (f + 1) * per));
}

/** Build the row of one cached run against its reference. */
export function sweepRow(group: SweepGroup, spec: PolicySpec, run: SampleResult, ref: SampleResult, model: SamplingModel, backend: string): SweepRow {
  const d = describePolicy(spec);
  const c = model.config;
  const a = frames(run.video, model);
  const b = frames(ref.video, model);
  const branchCount = run.branches.length;
  // Latents have no [0, 1] range: PSNR and SSIM take the reference latents' own range.
  const latents = ref.space === 'latents';
  const dataRange = latents ? valueRange(ref.video) : 1;
  const computed = run.computedBranchSteps / branchCount;
  return {
    format: 'teacache-sweep-row', version: 1, model: group.model, policy: d.policy, params: d.params, threshold: d.threshold,
    prompt: group.prompt, seed: group.seed, steps: group.steps, computedSteps: computed, skippedSteps: group.steps - computed,
    schedule: formatSchedule(run.branches.map((br) => run.schedule[br]!)),
    wallSeconds: run.wallSeconds, referenceWallSeconds: ref.wallSeconds, wallSpeedup: ref.wallSeconds / run.wallSeconds,
    stepSpeedup: group.steps / computed,
    psnr: psnrFrames(a, b, dataRange), ssim: ssimFrames(a, b, { height: c.height, width: c.width, channels: c.channels, dataRange }), mse: mseFrames(a, b),
    backend, createdAt: new Date().toISOString(), weightsHash: group.weightsHash, guidance: group.guidance,
    ...(latents ? { metricSpace: 'latents' as const } : {}),
  };
}

/** max − min of the values (1 when they are all equal, so metrics stay defined). */
function valueRange(values: Float32Array): number {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) { if (v < lo) lo = v; if (v > hi) hi = v; }
  return hi > lo ? hi - lo : 1;
}

/**
 * Run one sweep group: the reference (every step computed) and then each policy setting, all on the same
 * prompt and seed; `onRow` gets each finished row at once so nothing finished is lost to an interruption.
 */
export function runSweepGroup(model: SamplingModel, group: SweepGroup, backend: string, onRow: (row: SweepRow) => void): void {
  if (group.specs.length === 0) return;
  const base = { model, caption: group.prompt, seed: group.seed, steps: group.steps, guidance: group.guidance };
  // The reference is timed on its second run: the first one pays for allocation of this prompt's tensors,
  // which would otherwise flatter every cached run after it.
  sampleRun(base);
  const ref = sampleRun(base);
  for (const spec of group.specs) {
    const run = sampleRun({ ...base, policy: createPolicy(spec) });
    onRow(sweepRow(group, spec, run, ref, model, backend));
  }
}

/** A short untimed run so the first timed run does not pay for warm-up (kernel set-up, allocation). */
export function warmUp(model: SamplingModel, guidance: number, steps = 10): void {
  sampleRun({ model, caption: '', seed: 0, steps, guidance });
}
