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

/** True when two arrays hold the same numbers, element for element. */
function identical(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}

/**
 * Build the row of one cached run against its reference. Throws (a failed run, recorded as such) when the
 * decoded outputs agree only because clamping to [0, 1] hid their difference: that would claim ∞ dB unmeasured.
 */
export function sweepRow(group: SweepGroup, spec: PolicySpec, run: SampleResult, ref: SampleResult, model: DiffusionTransformer, backend: string): SweepRow {
  const d = describePolicy(spec);
  if (identical(run.video, ref.video) && !identical(run.unclamped, ref.unclamped)) {
    throw new Error('the cached and uncached outputs differ, but only outside the data range, where both clamp alike ' +
      '(the samples saturate: sampling diverged); their quality cannot be measured');
  }
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

/** A policy setting of a group that did not give a row, and why (recorded, so a sweep goes on and says so). */
export interface SweepFailure {
  format: 'teacache-sweep-failure';
  version: 1;
  model: string;
  policy: string;
  params: SweepRow['params'];
  prompt: string;
  seed: number;
  steps: number;
  error: string;
  createdAt: string;
}

/** Optional hooks of a group run: a per-step call (workers check on their parent there) and failure recording. */
export interface SweepGroupHooks {
  onStep?: (step: number) => void;
  /** Given, a setting that fails is reported here and the group goes on; omitted, the error is thrown. */
  onFailure?: (failure: SweepFailure) => void;
}

/** The failure record of one setting of a group. */
export function sweepFailure(group: SweepGroup, spec: PolicySpec, err: unknown): SweepFailure {
  const d = describePolicy(spec);
  return {
    format: 'teacache-sweep-failure', version: 1, model: group.model, policy: d.policy, params: d.params,
    prompt: group.prompt, seed: group.seed, steps: group.steps, error: err instanceof Error ? err.message : String(err),
    createdAt: new Date().toISOString(),
  };
}

/**
 * Run one sweep group: the reference (every step computed) and then each policy setting, all on the same
 * prompt and seed; `onRow` gets each finished row at once so nothing finished is lost to an interruption.
 * With `hooks.onFailure`, a run that fails (say, sampling diverges) is reported there instead of thrown.
 */
export function runSweepGroup(model: DiffusionTransformer, group: SweepGroup, backend: string, onRow: (row: SweepRow) => void,
  hooks: SweepGroupHooks = {}): void {
  if (group.specs.length === 0) return;
  const base = { model, caption: group.prompt, seed: group.seed, steps: group.steps, guidance: group.guidance, onStep: hooks.onStep };
  const failed = (spec: PolicySpec, err: unknown) => {
    if (!hooks.onFailure) throw err;
    hooks.onFailure(sweepFailure(group, spec, err));
  };
  let ref: SampleResult;
  try {
    // The reference is timed on its second run: the first one pays for allocation of this prompt's tensors,
    // which would otherwise flatter every cached run after it.
    sampleRun(base);
    ref = sampleRun(base);
  } catch (err) {
    // Without a reference no setting of the group can be measured.
    for (const spec of group.specs) failed(spec, new Error(`uncached reference run: ${err instanceof Error ? err.message : String(err)}`));
    return;
  }
  for (const spec of group.specs) {
    let row: SweepRow;
    try {
      const run = sampleRun({ ...base, policy: createPolicy(spec) });
      row = sweepRow(group, spec, run, ref, model, backend);
    } catch (err) {
      failed(spec, err);
      continue;
    }
    onRow(row);
  }
}

/** A short untimed run so the first timed run does not pay for warm-up (kernel set-up, allocation). */
export function warmUp(model: DiffusionTransformer, guidance: number, steps = 10): void {
  sampleRun({ model, caption: '', seed: 0, steps, guidance });
}
