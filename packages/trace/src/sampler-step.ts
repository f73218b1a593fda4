import type { Sampler } from './samplers.js';
import { guide } from './guidance.js';

/** Sampling produced NaN, Infinity or values no image can have: the run stops at that step, which this names. */
export class SamplingDivergedError extends Error {
  constructor(readonly step: number, readonly steps: number, readonly timestep: number, what: string, problem = 'holds NaN or Infinity') {
    super(`sampling diverged at step ${step} of ${steps} (timestep ${timestep}): ${what} ${problem} ` +
      '(weights that are not finite, or a guidance scale so large that the guided prediction overflows)');
    this.name = 'SamplingDivergedError';
  }
}

/**
 * Largest sample magnitude a run may reach: beyond 2^24 float32 values are spaced 2 or more apart, so they no longer
 * resolve the whole data range [-1, 1]; such a sample carries no image, and two of them can agree bit for bit.
 */
export const MAX_SAMPLE_MAGNITUDE = 2 ** 24;

function firstNonFinite(a: Float32Array): number {
  for (let k = 0; k < a.length; k++) if (!Number.isFinite(a[k])) return k;
  return -1;
}

function firstBeyond(a: Float32Array, limit: number): number {
  for (let k = 0; k < a.length; k++) if (!(Math.abs(a[k]) <= limit)) return k;
  return -1;
}

/** Where a sampler step sits and how its branches are guided. */
export interface SamplerStepAt {
  step: number;
  steps: number;
  timestep: number;
  /** Classifier-free guidance scale; with two branches the prediction holds cond then uncond. */
  guidance: number;
  channels: number;
  guidedChannels?: number;
}

/**
 * One sampler step on the host: guide the branches' prediction, update the sample `x` in place, and stop
 * with SamplingDivergedError at the first step whose prediction or sample is not finite or leaves ±2^24.
 */
export function samplerStep(sampler: Sampler, x: Float32Array, prediction: Float32Array, branches: number, at: SamplerStepAt): void {
  const size = x.length;
  const { step, steps, timestep } = at;
  const guided = branches === 2
    ? guide(prediction.subarray(0, size), prediction.subarray(size, 2 * size), at.guidance, at.channels, at.guidedChannels)
    : prediction.slice(0, size);
  // A diverged run must stop here: clamped to [0, 1] at the end, two diverged runs look identical (∞ dB).
  if (firstNonFinite(prediction) >= 0) throw new SamplingDivergedError(step, steps, timestep, 'the model\'s prediction');
  if (firstNonFinite(guided) >= 0) throw new SamplingDivergedError(step, steps, timestep, `the guided prediction (guidance ${at.guidance})`);
  sampler.update(x, guided, step);
  if (firstNonFinite(x) >= 0) throw new SamplingDivergedError(step, steps, timestep, 'the updated sample');
  if (firstBeyond(x, MAX_SAMPLE_MAGNITUDE) >= 0) {
    throw new SamplingDivergedError(step, steps, timestep, 'the updated sample', `exceeds ±2^24, where float32 no longer resolves the data range [-1, 1]`);
  }
}
