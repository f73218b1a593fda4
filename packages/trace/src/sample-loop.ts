import * as tf from '@tensorflow/tfjs';
import { BRANCHES, type Branch, type Signal, type TraceRow, SIGNALS } from '@teacache/core';
import type { CachePolicy, StepContext } from '@teacache/cache';
import { SeededRandom, ddpmScheduleOf, disposeEmbed, type EmbedOutput, type SamplingModel } from '@teacache/models';
import { samplerFor, type SamplerName } from './samplers.js';
import { readRows, rowStats } from './signals.js';
import { guide } from './guidance.js';
import { batchOf } from './batch.js';

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

/** Sampling produced NaN, Infinity or values no image can have: the run stops at that step, which this names. */
export class SamplingDivergedError extends Error {
  constructor(readonly step: number, readonly steps: number, readonly timestep: number, what: string, problem = 'holds NaN or Infinity') {
    super(`sampling diverged at step ${step} of ${steps} (timestep ${timestep}): ${what} ${problem} ` +
      '(weights that are not finite, or a guidance scale so large that the guided prediction overflows)');
    this.name = 'SamplingDivergedError';
  }
}

function firstNonFinite(a: Float32Array): number {
  for (let k = 0; k < a.length; k++) if (!Number.isFinite(a[k])) return k;
  return -1;
}

/**
 * Largest sample magnitude a run may reach: beyond 2^24 float32 values are spaced 2 or more apart, so they no longer
 * resolve the whole data range [-1, 1]; such a sample carries no image, and two of them can agree bit for bit.
 */
export const MAX_SAMPLE_MAGNITUDE = 2 ** 24;

function firstBeyond(a: Float32Array, limit: number): number {
  for (let k = 0; k < a.length; k++) if (!(Math.abs(a[k]) <= limit)) return k;
  return -1;
}

type Held = Partial<Record<'modulated' | 'timestep' | 'noisy' | 'residual' | 'output' | 'firstBlock' | 'trueOutput', tf.Tensor>>;

function take(rows: tf.Tensor, index: number[]): tf.Tensor {
  return index.length === rows.shape[0] ? tf.clone(rows) : tf.gather(rows, tf.tensor1d(index, 'int32'));
}

function sliceEmbed(e: EmbedOutput, index: number[]): EmbedOutput {
  return {
    noisyTokens: take(e.noisyTokens, index) as tf.Tensor3D, tokens: take(e.tokens, index) as tf.Tensor3D,
    timestepEmbedding: take(e.timestepEmbedding, index) as tf.Tensor2D, modulated: take(e.modulated, index) as tf.Tensor3D,
    condition: take(e.condition, index) as tf.Tensor2D, text: take(e.text, index) as tf.Tensor3D,
    ...(e.textBias ? { textBias: take(e.textBias, index) as tf.Tensor2D } : {}),
  };
}

function keepHeld(held: Held, key: keyof Held, value: tf.Tensor): void {
  held[key]?.dispose();
  held[key] = tf.keep(tf.clone(value));
}

/**
 * Sample one caption and seed, asking the policy at every step and branch whether to run the block stack
 * or to reuse its cached residual (output − input of the stack). Reused branches skip the stack for real:
 * only the branches that compute go through it. Optionally records every step's signals.
 */
export function sampleRun(o: SampleOptions): SampleResult {
  const { model, steps } = o;
  const cfg = model.config;
  const sampler = samplerFor(cfg.prediction, steps, o.sampler, ddpmScheduleOf(cfg), { ...cfg, seed: o.seed });
  const branches: Branch[] = o.guidance > 1 ? [...BRANCHES] : ['cond'];
  const nb = branches.length;
  const policy = o.policy;
  const states = branches.map(() => policy?.createState());
  const needFirst = policy?.needs.includes('firstBlock') ?? false;
  const needTrue = policy?.needs.includes('trueOutput') ?? false;
  // Only TeaCache reads a cheap indicator, and only the one it is configured with; the others decide from
  // the step index, the first block or the true output, so they pay for no indicator.
  const indicator = policy?.spec.policy === 'teacache' ? policy.spec.indicator : null;
  const needIndicators = indicator !== null;
  const wants = (name: 'modulated' | 'timestep' | 'noisy') => record || indicator === name;
  const record = o.record ?? false;
  const sampleSize = cfg.frames * cfg.height * cfg.width * cfg.channels;
  const shape = [1, cfg.frames, cfg.height, cfg.width, cfg.channels];
  const x = new SeededRandom(o.seed).normals(sampleSize, sampler.initialScale ?? 1);
  const rows: TraceRow[] = [];
  const schedule = branches.map(() => [] as string[]);
  let computedSteps = 0;
  let computedBranchSteps = 0;
  const runId = o.runId ?? 'run';
  const start = performance.now();
  const captions = nb === 2 ? [o.caption, ''] : [o.caption];
  const text = tf.tidy(() => model.encodeCaptions(captions));
  const textBias = model.captionBias(captions);
  const prev: Held = {};
  const cachedResidual: (tf.Tensor | null)[] = branches.map(() => null);
  const lastFirstBlock: (tf.Tensor | null)[] = branches.map(() => null);
  try {
    for (let i = 0; i < steps; i++) {
      const t = sampler.timesteps[i];
      const prediction = tf.tidy(() => {
        const xb = batchOf(x, nb, shape);
        const e = model.embed(xb, tf.fill([nb], t) as tf.Tensor1D, text, textBias);
        // The cheap indicators, read before deciding.
        // (skipped entirely when nothing reads them: plain uncached sampling pays nothing for them)
        const none: [null, null] = [null, null];
        const [relMod, absMod] = wants('modulated') ? rowStats(e.modulated, prev.modulated ?? null) : none;
        const [relTemb, absTemb] = wants('timestep') ? rowStats(e.timestepEmbedding, prev.timestep ?? null) : none;
        const [relNoisy, absNoisy] = wants('noisy') ? rowStats(e.noisyTokens, prev.noisy ?? null) : none;
        let firstOut: tf.Tensor | null = null;
        let relFirst: (number | null)[] = branches.map(() => null);
        if (needFirst) {
          firstOut = model.blocks(e.tokens, e, 0, 1);
          const res = tf.sub(firstOut, e.tokens);
          // One read for all branches: each compares with its own last fully computed step.
          const rels = branches.map((_, b) => (lastFirstBlock[b] ? rowStats(tf.slice(res, [b], [1]), lastFirstBlock[b])[0] : null));
          const values = readRows(rels, 1);
          relFirst = values.map((v) => (v ? v[0] : null));
          keepHeld(prev, 'firstBlock', res);
        }
        let trueRel: (number | null)[] = branches.map(() => null);
        if (needTrue) {
          const truePred = model.head(model.stack(e), e);
          const [r] = rowStats(truePred, prev.trueOutput ?? null);
          trueRel = r ? Array.from(r.dataSync()) : branches.map(() => null);
          keepHeld(prev, 'trueOutput', truePred);
        }
        const ind = needIndicators ? readRows([relMod, relTemb, relNoisy], nb) : [null, null, null];
        const decisions = branches.map((branch, b) => {
          if (!policy) return true;
          const ctx: StepContext = {
            step: i, totalSteps: steps, timestep: t, branch,
            indicators: { modulated: ind[0]?.[b] ?? null, timestep: ind[1]?.[b] ?? null, noisy: ind[2]?.[b] ?? null },
            firstBlockResidual: relFirst[b], trueOutput: trueRel[b],
          };
          const d = policy.decide(states[b], ctx);
          const computable = d.compute || cachedResidual[b] !== null;
          if (!computable) policy.observe(states[b], ctx, true);
          return d.compute || !computable;
        });
        const computeIdx = branches.map((_, b) => b).filter((b) => decisions[b]);
        // Run the stack only on the branches that compute; the others add their cached residual.
        const outRows: (tf.Tensor | null)[] = branches.map(() => null);
        let wholeOut: tf.Tensor | null = null;
        if (computeIdx.length > 0) {
          const sub = computeIdx.length === nb ? e : sliceEmbed(e, computeIdx);
          const computedOut = firstOut
            ? model.blocks((computeIdx.length === nb ? firstOut : take(firstOut, computeIdx)) as tf.Tensor3D, sub, 1, cfg.depth)
            : model.stack(sub);
          if (computeIdx.length === nb) wholeOut = computedOut;
          // Uncached sampling never reuses a residual: only a policy or the trace needs it.
          const residual = policy || record ? tf.sub(computedOut, sub.tokens) : null;
          computeIdx.forEach((b, k) => {
            outRows[b] = wholeOut ? null : tf.slice(computedOut, [k], [1]);
            cachedResidual[b]?.dispose();
            cachedResidual[b] = residual ? tf.keep(tf.slice(residual, [k], [1])) : null;
            if (needFirst && prev.firstBlock) {
              lastFirstBlock[b]?.dispose();
              lastFirstBlock[b] = tf.keep(tf.slice(prev.firstBlock, [b], [1]));
            }
          });
        }
        const rowsOut = wholeOut ? [] : branches.map((_, b) => outRows[b] ?? tf.add(tf.slice(e.tokens, [b], [1]), cachedResidual[b]!));
        const stackOut = wholeOut ?? (nb === 1 ? rowsOut[0] : tf.concat(rowsOut, 0));
        const pred = model.head(stackOut as tf.Tensor3D, e);
        branches.forEach((_, b) => schedule[b].push(decisions[b] ? 'C' : 'R'));
        if (computeIdx.length > 0) computedSteps++;
        computedBranchSteps += computeIdx.length;
        if (record) {
          const residualAll = nb === 1 ? cachedResidual[0]! : tf.concat(cachedResidual as tf.Tensor[], 0);
          const [relRes, absRes] = rowStats(residualAll, prev.residual ?? null);
          const [relOut, absOut] = rowStats(pred, prev.output ?? null);
          const values = readRows([relNoisy, relTemb, relMod, relRes, relOut, absNoisy, absTemb, absMod, absRes, absOut], nb);
          branches.forEach((branch, b) => {
            const rel = {} as Record<Signal, number | null>;
            const abs = {} as Record<Signal, number>;
            SIGNALS.forEach((s, k) => {
              rel[s] = values[k]?.[b] ?? null;
              abs[s] = values[5 + k]![b];
            });
            rows.push({ runId, step: i, timestep: t, branch, computed: decisions[b] ? 1 : 0, relL1: rel, meanAbs: abs });
          });
          keepHeld(prev, 'residual', residualAll);
          keepHeld(prev, 'output', pred);
        }
        if (wants('modulated')) keepHeld(prev, 'modulated', e.modulated);
        if (wants('timestep')) keepHeld(prev, 'timestep', e.timestepEmbedding);
        if (wants('noisy')) keepHeld(prev, 'noisy', e.noisyTokens);
        disposeEmbed(e);
        return pred;
      });
      const p = prediction.dataSync() as Float32Array;
      prediction.dispose();
      const guided = nb === 2
        ? guide(p.subarray(0, sampleSize), p.subarray(sampleSize, 2 * sampleSize), o.guidance, cfg.channels, o.guidedChannels ?? cfg.guidedChannels)
        : p.slice(0, sampleSize);
      // A diverged run must stop here: clamped to [0, 1] at the end, two diverged runs look identical (∞ dB).
      if (firstNonFinite(p) >= 0) throw new SamplingDivergedError(i, steps, t, 'the model\'s prediction');
      if (firstNonFinite(guided) >= 0) throw new SamplingDivergedError(i, steps, t, `the guided prediction (guidance ${o.guidance})`);
      sampler.update(x, guided, i);
      if (firstNonFinite(x) >= 0) throw new SamplingDivergedError(i, steps, t, 'the updated sample');
      if (firstBeyond(x, MAX_SAMPLE_MAGNITUDE) >= 0) {
        throw new SamplingDivergedError(i, steps, t, 'the updated sample', `exceeds ±2^24, where float32 no longer resolves the data range [-1, 1]`);
      }
      o.onStep?.(i);
    }
  } finally {
    tf.dispose([text, ...(textBias ? [textBias] : []), ...Object.values(prev), ...cachedResidual.filter((r): r is tf.Tensor => r !== null),
      ...lastFirstBlock.filter((r): r is tf.Tensor => r !== null)]);
  }
  const video = new Float32Array(sampleSize);
  const latents = cfg.latentSpace === true;
  for (let k = 0; k < sampleSize; k++) video[k] = latents ? x[k] : Math.min(1, Math.max(0, (x[k] + 1) / 2));
  const sched: Partial<Record<Branch, string>> = {};
  branches.forEach((b, k) => { sched[b] = schedule[k].join(''); });
  return {
    video, unclamped: x, space: latents ? 'latents' : 'pixels', rows, schedule: sched, computedSteps, computedBranchSteps,
    wallSeconds: (performance.now() - start) / 1000, branches, timesteps: sampler.timesteps,
  };
}
