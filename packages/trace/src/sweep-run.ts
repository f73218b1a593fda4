import {
  formatSchedule, geometricMean, mseFrames, pairedRatioInterval, psnrFrames, psnrFrames8bit, ssimFrames, ssimFrames8bit, type SweepRow,
} from '@teacache/core';
import { createPolicy, describePolicy, type PolicySpec } from '@teacache/cache';
import type { SamplingModel } from '@teacache/models';
import { sampleRun, type SampleOptions, type SampleResult } from './sample-loop.js';
import { runFlops } from './run-flops.js';

/**
 * Timed pairs (cached run, uncached run) per setting by default: three pairs give a 95% interval (t with 2
 * degrees of freedom) at six runs per setting, which keeps `calibrate` within minutes on the tiny models.
 */
export const DEFAULT_REPEATS = 3;

/** Confidence level of the wall-speedup interval. */
export const WALL_SPEEDUP_CONFIDENCE = 0.95;

/**
 * One (prompt, seed) of a sweep: its uncached reference and every policy setting to compare with it. Groups sent
 * to workers hold WorkerSpecs (sweepGroups makes them).
 */
export interface SweepGroup<S extends PolicySpec = PolicySpec> {
  model: string;
  prompt: string;
  seed: number;
  steps: number;
  guidance: number;
  /** SHA-256 of the model's weights, recorded in every row. */
  weightsHash: string;
  specs: S[];
  /** Timed pairs per setting (default DEFAULT_REPEATS); the oracle is timed once (its wall time is no result). */
  repeats?: number;
}

/** One run with its wall and CPU time (seconds). */
interface TimedRun {
  result: SampleResult;
  wallSeconds: number;
  cpuSeconds: number;
}

/** The wall and CPU times of the timed pairs of one setting, in pair order. */
export interface PairTimes {
  wall: number[];
  referenceWall: number[];
  cpu: number[];
  referenceCpu: number[];
}

// Exposed in sweep workers (--expose-gc): a collection before each timed run, so the garbage of the run before it
// (or of the quality metrics of the previous setting) is not paid for by whichever run comes next.
const collectGarbage = (globalThis as { gc?: () => void }).gc;

function timedRun(o: SampleOptions): TimedRun {
  collectGarbage?.();
  const cpu = process.cpuUsage();
  const start = performance.now();
  const result = sampleRun(o);
  const wallSeconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  return { result, wallSeconds, cpuSeconds: (used.user + used.system) / 1e6 };
}

function frames(video: Float32Array, model: SamplingModel): Float32Array[] {
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
 * Build the row of one cached run against its reference, with the times of its timed pairs: wall and CPU
 * speedups are geometric means of the paired ratios, the wall speedup with its interval. Throws (a failed run,
 * recorded as such) when the outputs agree only because clamping to [0, 1] hid their difference: that would claim
 * a quality never measured.
 */
export function sweepRow(
  group: SweepGroup, spec: PolicySpec, run: SampleResult, ref: SampleResult, model: SamplingModel, backend: string, times: PairTimes,
): SweepRow {
  const d = describePolicy(spec);
  if (identical(run.video, ref.video) && !identical(run.unclamped, ref.unclamped)) {
    throw new Error('the cached and uncached outputs differ, but only outside the data range, where both clamp alike ' +
      '(the samples saturate: sampling diverged); their quality cannot be measured');
  }
  const c = model.config;
  const a = frames(run.video, model);
  const b = frames(ref.video, model);
  const branchCount = run.branches.length;
  // Latents have no [0, 1] range: PSNR and SSIM take the reference latents' own range.
  const latents = ref.space === 'latents';
  const dataRange = latents ? valueRange(ref.video) : 1;
  const computed = run.computedBranchSteps / branchCount;
  const stepSpeedup = group.steps / computed;
  const wall = pairedRatioInterval(times.referenceWall, times.wall, WALL_SPEEDUP_CONFIDENCE);
  const cpuPositive = times.cpu.every((x) => x > 0) && times.referenceCpu.every((x) => x > 0);
  const flops = runFlops(c, { steps: group.steps, branches: branchCount, computedBranchSteps: run.computedBranchSteps, firstBlockEveryStep: spec.policy === 'first-block' });
  const referenceFlops = runFlops(c, { steps: group.steps, branches: branchCount, computedBranchSteps: group.steps * branchCount });
  const shape = { height: c.height, width: c.width, channels: c.channels };
  return {
    format: 'teacache-sweep-row', version: 1, model: group.model, policy: d.policy, params: d.params, threshold: d.threshold,
    prompt: group.prompt, seed: group.seed, steps: group.steps, computedSteps: computed, skippedSteps: group.steps - computed,
    schedule: formatSchedule(run.branches.map((br) => run.schedule[br]!)),
    wallSeconds: geometricMean(times.wall), referenceWallSeconds: geometricMean(times.referenceWall), wallSpeedup: wall.ratio,
    stepSpeedup,
    psnr: psnrFrames(a, b, dataRange), ssim: ssimFrames(a, b, { ...shape, dataRange }), mse: mseFrames(a, b),
    backend, createdAt: new Date().toISOString(), weightsHash: group.weightsHash, guidance: group.guidance,
    repeats: wall.pairs, wallSecondsRepeats: times.wall, referenceWallSecondsRepeats: times.referenceWall,
    wallSpeedupLow: wall.low, wallSpeedupHigh: wall.high, wallSpeedupConfidence: wall.confidence,
    wallSpeedupImpossible: (wall.low ?? wall.ratio) > stepSpeedup,
    ...(cpuPositive ? {
      cpuSeconds: geometricMean(times.cpu), referenceCpuSeconds: geometricMean(times.referenceCpu),
      cpuSpeedup: pairedRatioInterval(times.referenceCpu, times.cpu).ratio,
    } : {}),
    flops, referenceFlops, flopSpeedup: referenceFlops / flops,
    // The paper's 8-bit protocol needs pictures in [0, 1]; latents have none, so their rows carry the pooled protocol only.
    ...(latents ? { metricSpace: 'latents' as const } : { psnrFrames8bit: psnrFrames8bit(a, b), ssimFrames8bit: ssimFrames8bit(a, b, shape) }),
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
 * Time one setting against the uncached run: `repeats` back-to-back pairs, the order alternating (uncached
 * first, then cached first, ...) so that a drift in the machine's load falls on both alike. Returns the
 * first pair's outputs (sampling is deterministic) and every pair's times.
 */
export function timePairs(base: SampleOptions, spec: PolicySpec, repeats: number): { run: SampleResult; ref: SampleResult; times: PairTimes } {
  if (!Number.isInteger(repeats) || repeats < 1) throw new RangeError(`repeats must be a whole number >= 1, got ${repeats}`);
  const times: PairTimes = { wall: [], referenceWall: [], cpu: [], referenceCpu: [] };
  let first: { run: SampleResult; ref: SampleResult } | null = null;
  for (let r = 0; r < repeats; r++) {
    const cached = () => timedRun({ ...base, policy: createPolicy(spec) });
    const uncached = () => timedRun(base);
    let ref: TimedRun;
    let run: TimedRun;
    if (r % 2 === 0) {
      ref = uncached();
      run = cached();
    } else {
      run = cached();
      ref = uncached();
    }
    times.wall.push(run.wallSeconds);
    times.referenceWall.push(ref.wallSeconds);
    times.cpu.push(run.cpuSeconds);
    times.referenceCpu.push(ref.cpuSeconds);
    first ??= { run: run.result, ref: ref.result };
  }
  return { ...first!, times };
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
  /** Groups this worker has warmed up before (a queue delivers a group's runs one at a time). */
  refs?: ReferenceCache;
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
 * With `refs`, a worker that was delivered this (prompt, seed) before skips the warm-up run. With
 * `hooks.onFailure`, a run that fails (say, sampling diverges) is reported there instead of thrown.
 */
export function runSweepGroup(model: SamplingModel, group: SweepGroup, backend: string, onRow: (row: SweepRow) => void,
  hooks: SweepGroupHooks = {}): void {
  if (group.specs.length === 0) return;
  const base = { model, caption: group.prompt, seed: group.seed, steps: group.steps, guidance: group.guidance, onStep: hooks.onStep };
  const failed = (spec: PolicySpec, err: unknown) => {
    if (!hooks.onFailure) throw err;
    hooks.onFailure(sweepFailure(group, spec, err));
  };
  try {
    // One untimed run first: it pays for allocating this prompt's tensors, which would otherwise slow the first
    // pair. Every pair runs its own uncached run, so the cached warm-up is never a reference.
    if (!hooks.refs?.get(group)) {
      const warm = sampleRun(base);
      hooks.refs?.set(group, warm);
    }
  } catch (err) {
    // Without a reference no setting of the group can be measured.
    for (const spec of group.specs) failed(spec, new Error(`uncached reference run: ${err instanceof Error ? err.message : String(err)}`));
    return;
  }
  const repeats = group.repeats ?? DEFAULT_REPEATS;
  for (const spec of group.specs) {
    let row: SweepRow;
    try {
      // The oracle computes every step to learn the true change: its wall time is no result, one pair is enough.
      const { run, ref, times } = timePairs(base, spec, spec.policy === 'oracle' ? 1 : repeats);
      row = sweepRow(group, spec, run, ref, model, backend, times);
    } catch (err) {
      failed(spec, err);
      continue;
    }
    onRow(row);
  }
}

/** A short untimed run so the first timed run does not pay for warm-up (kernel set-up, allocation). */
export function warmUp(model: SamplingModel, guidance: number, steps = 10): void {
  sampleRun({ model, caption: '', seed: 0, steps, guidance });
}
