import * as tf from '@tensorflow/tfjs';
import { BRANCHES, type Branch, type TraceRow } from '@teacache/core';
import { createPolicy, PolicySession, type CachePolicy } from '@teacache/cache';
import { SeededRandom, ddpmScheduleOf, disposeEmbed, type EmbedOutput, type SamplingModel } from '@teacache/models';
import { samplerFor, type SamplerName } from './samplers.js';
import { BranchCache } from './branch-cache.js';
import { PreviousValues } from './previous-values.js';
import { readSignals, type SignalPlan, type StepSignals } from './read-signals.js';
import { stackOrReuse } from './stack-or-reuse.js';
import { recordStep } from './record-step.js';
import { samplerStep } from './sampler-step.js';
import { batchOf } from './batch.js';

export { SamplingDivergedError, MAX_SAMPLE_MAGNITUDE } from './sampler-step.js';

export interface SampleOptions {
  /** The model on the engine that runs it (a DiffusionTransformer is the tfjs one). */
  model: SamplingModel;
  caption: string;
  seed: number;
  steps: number;
  /** Classifier-free guidance scale; above 1 both branches run, batched together. */
  guidance: number;
  /** Guide only the first this-many channels (default: the config's guidedChannels, else all; DiT's sampler guides 3). */
  guidedChannels?: number;
  sampler?: SamplerName;
  /** The cache policy asked at every step and branch; omitted, every step computes. */
  policy?: CachePolicy;
  /** Record per-step signals as trace rows. */
  record?: boolean;
  runId?: string;
  onStep?: (step: number) => void;
}

export interface SampleResult {
  /** The final sample, frames × height × width × channels: in [0, 1], or the raw latents when `space` is `latents`. */
  video: Float32Array;
  /** `latents` for a latent-space model (config latentSpace): no decoder, the sample is the latents themselves. */
  space: 'pixels' | 'latents';
  /** The final sample before it is mapped to [0, 1] and clamped (data range [-1, 1]). */
  unclamped: Float32Array;
  rows: TraceRow[];
  /** Per branch, `C` where the stack ran and `R` where the cached residual was reused. */
  schedule: Partial<Record<Branch, string>>;
  /** Steps at which at least one branch ran the block stack. */
  computedSteps: number;
  /** Branch-steps that ran the block stack (a guided step computing both counts 2). */
  computedBranchSteps: number;
  wallSeconds: number;
  branches: Branch[];
  timesteps: number[];
}

/** What a run holds across its steps. */
interface RunState {
  model: SamplingModel;
  branches: Branch[];
  steps: number;
  text: tf.Tensor3D;
  textBias: tf.Tensor2D | null;
  session: PolicySession;
  plan: SignalPlan;
  previous: PreviousValues;
  cache: BranchCache;
  /** Whether computed steps cache their residual: a policy was given (it may reuse), or a trace records it. */
  keepResidual: boolean;
}

/** Embed the current sample once per branch (batched) at timestep `t`: the tokens and the hook points. */
function embed(run: RunState, x: Float32Array, shape: number[], t: number): EmbedOutput {
  const nb = run.branches.length;
  return run.model.embed(batchOf(x, nb, shape), tf.fill([nb], t) as tf.Tensor1D, run.text, run.textBias);
}

/** Ask the session, per branch, whether this step runs the block stack (true) or reuses the cached residual. */
function decide(run: RunState, step: number, timestep: number, signals: StepSignals): boolean[] {
  return run.branches.map((branch, b) => run.session.decide(
    { step, totalSteps: run.steps, timestep, branch, ...signals.perBranch[b] }, run.cache.has(b)).compute);
}

/** One step on device: embed → read the declared signals → decide → stack or reuse → head (→ record). */
function denoise(run: RunState, x: Float32Array, shape: number[], step: number, t: number, runId: string, rows: TraceRow[] | null) {
  let compute: boolean[] = [];
  const prediction = tf.tidy(() => {
    const e = embed(run, x, shape, t);
    const signals = readSignals(run.model, e, run.plan, run.previous, run.cache, run.branches.length);
    compute = decide(run, step, t, signals);
    const pred = run.model.head(stackOrReuse(run.model, e, compute, signals, run.cache, run.keepResidual), e);
    if (rows) rows.push(...recordStep({ runId, step, timestep: t, branches: run.branches, computed: compute }, signals, run.cache, pred, run.previous));
    disposeEmbed(e);
    return pred;
  });
  const values = prediction.dataSync() as Float32Array;
  prediction.dispose();
  return { prediction: values, compute };
}

/** The final sample as returned: in [0, 1] for a pixel-space model, the latents themselves otherwise. */
function finalSample(x: Float32Array, latents: boolean): Float32Array {
  const video = new Float32Array(x.length);
  for (let k = 0; k < x.length; k++) video[k] = latents ? x[k] : Math.min(1, Math.max(0, (x[k] + 1) / 2));
  return video;
}

/**
 * Sample one caption and seed, asking the policy (through a PolicySession) at every step and branch whether
 * to run the block stack or to reuse its cached residual (output − input of the stack). Reused branches skip
 * the stack for real; only the signals the policy declares are computed. Optionally records every step's signals.
 */
export function sampleRun(o: SampleOptions): SampleResult {
  const { model, steps } = o;
  const cfg = model.config;
  const sampler = samplerFor(cfg.prediction, steps, o.sampler, ddpmScheduleOf(cfg), { ...cfg, seed: o.seed });
  const branches: Branch[] = o.guidance > 1 ? [...BRANCHES] : ['cond'];
  const policy = o.policy ?? createPolicy({ policy: 'none' });
  const record = o.record ?? false;
  const shape = [1, cfg.frames, cfg.height, cfg.width, cfg.channels];
  const x = new SeededRandom(o.seed).normals(cfg.frames * cfg.height * cfg.width * cfg.channels, sampler.initialScale ?? 1);
  const rows: TraceRow[] = [];
  const schedule = branches.map(() => '');
  let computedSteps = 0;
  let computedBranchSteps = 0;
  const start = performance.now();
  const captions = branches.length === 2 ? [o.caption, ''] : [o.caption];
  const run: RunState = {
    model, branches, steps, text: tf.tidy(() => model.encodeCaptions(captions)), textBias: model.captionBias(captions),
    session: new PolicySession(policy), plan: { needs: policy.needs, record },
    previous: new PreviousValues(), cache: new BranchCache(branches.length),
    keepResidual: record || o.policy !== undefined,
  };
  try {
    for (let i = 0; i < steps; i++) {
      const t = sampler.timesteps[i];
      const { prediction, compute } = denoise(run, x, shape, i, t, o.runId ?? 'run', record ? rows : null);
      compute.forEach((c, b) => { schedule[b] += c ? 'C' : 'R'; });
      if (compute.some((c) => c)) computedSteps++;
      computedBranchSteps += compute.filter((c) => c).length;
      samplerStep(sampler, x, prediction, branches.length, {
        step: i, steps, timestep: t, guidance: o.guidance, channels: cfg.channels, guidedChannels: o.guidedChannels ?? cfg.guidedChannels,
      });
      o.onStep?.(i);
    }
  } finally {
    tf.dispose([run.text, ...(run.textBias ? [run.textBias] : [])]);
    run.previous.dispose();
    run.cache.dispose();
  }
  const latents = cfg.latentSpace === true;
  return {
    video: finalSample(x, latents), unclamped: x, space: latents ? 'latents' : 'pixels', rows,
    schedule: Object.fromEntries(branches.map((b, k) => [b, schedule[k]])), computedSteps, computedBranchSteps,
    wallSeconds: (performance.now() - start) / 1000, branches, timesteps: sampler.timesteps,
  };
}
