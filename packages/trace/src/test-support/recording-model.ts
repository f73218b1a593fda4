import * as tf from '@tensorflow/tfjs';
import { createPolicy, type CachePolicy, type PolicyNeed, type StepContext } from '@teacache/cache';
import type { CheapIndicator } from '@teacache/core';
import type { SamplingModel } from '@teacache/models';

/** What the sampling loop fed a model and got back, as plain arrays (all branches stacked), in call order. */
export interface ModelLog {
  /** Stack input (tokens) of every step. */
  tokens: Float32Array[];
  /** Each cheap indicator's embed output at every step. */
  indicators: Record<CheapIndicator, Float32Array[]>;
  /** What the head received at every step, in order (the stack output, computed or reused; an oracle's full run too). */
  headIn: Float32Array[];
  /** What the head returned, in the same order. */
  headOut: Float32Array[];
  /** Stack output minus stack input of every call that ran the stack (the computing branches only). */
  residuals: Float32Array[];
  /** First block output minus its input at every step (first-block runs only). */
  firstBlock: Float32Array[];
}

const minus = (a: Float32Array, b: Float32Array): Float32Array => a.map((v, k) => v - b[k]);

/** A model that does what `model` does and logs, as plain arrays, what the loop fed it and got back (tests). */
export function recordingModel(model: SamplingModel): { model: SamplingModel; log: ModelLog } {
  const log: ModelLog = { tokens: [], indicators: { modulated: [], timestep: [], noisy: [] }, headIn: [], headOut: [], residuals: [], firstBlock: [] };
  const read = (t: tf.Tensor) => (t.dataSync() as Float32Array).slice();
  const wrapped: SamplingModel = {
    config: model.config,
    encodeCaptions: (c) => model.encodeCaptions(c),
    captionBias: (c) => model.captionBias(c),
    embed: (x, t, text, bias) => {
      const e = model.embed(x, t, text, bias);
      log.tokens.push(read(e.tokens));
      log.indicators.modulated.push(read(e.modulated));
      log.indicators.timestep.push(read(e.timestepEmbedding));
      log.indicators.noisy.push(read(e.noisyTokens));
      return e;
    },
    blocks: (h, e, from = 0, to = model.config.depth) => {
      const out = model.blocks(h, e, from, to);
      if (from === 0 && to === 1) log.firstBlock.push(minus(read(out), read(h)));
      // The rest of the stack after the first block: the step's residual is against the stack input.
      if (from === 1 && to === model.config.depth) log.residuals.push(minus(read(out), read(e.tokens)));
      return out;
    },
    stack: (e) => {
      const out = model.stack(e);
      log.residuals.push(minus(read(out), read(e.tokens)));
      return out;
    },
    head: (h, e) => {
      log.headIn.push(read(h));
      const out = model.head(h, e);
      log.headOut.push(read(out));
      return out;
    },
    dispose: () => model.dispose(),
  };
  return { model: wrapped, log };
}

/**
 * A policy that follows a fixed schedule per branch ('C' computes, 'R' reuses), declaring `needs` and
 * keeping every context it was given (tests).
 */
export function scriptedPolicy(schedules: { cond: string; uncond?: string }, needs: PolicyNeed[], seen: StepContext[] = []): CachePolicy {
  const base = createPolicy({ policy: 'none' });
  return {
    ...base, needs,
    decide: (_s, ctx) => {
      seen.push(ctx);
      const schedule = schedules[ctx.branch] ?? schedules.cond;
      return schedule[ctx.step] === 'C' ? { compute: true, reason: 'over-threshold' } : { compute: false, reason: 'under-threshold' };
    },
  };
}

/** Expect two arrays equal to a relative 1e-5 (float32 sums done in another order). */
export function expectClose(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let k = 0; k < actual.length; k++) worst = Math.max(worst, Math.abs(actual[k] - expected[k]) / Math.max(1, Math.abs(expected[k])));
  expect(worst).toBeLessThan(1e-5);
}
