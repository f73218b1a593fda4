import { alphasCumprodOf, DDPM_TRAIN_STEPS, RF_TIME_SCALE, type DdpmSchedule, type Prediction } from '@teacache/models';

export type SamplerName = 'ddim' | 'euler-rf';

/**
 * A deterministic sampler: the timesteps it visits (model units) and the update from one step to the next,
 * done on plain arrays so the update is exact and cheap next to the network.
 */
export interface Sampler {
  name: SamplerName;
  /** Timesteps in model units, in visiting order (noisiest first). */
  timesteps: number[];
  /** x at the next step from x and the (guided) network prediction at step i; in place. */
  update(x: Float32Array, prediction: Float32Array, i: number): void;
}

/**
 * DDIM (η = 0) on a DDPM noise schedule (default linear, not rescaled) with evenly spaced timesteps (999·…·0 "leading" spacing as in the DiT
 * code: t_i = (N-1-i)·1000/N), ᾱ = 1 after the last step so the result is the predicted clean sample.
 * The network predicts ε, or v = √ᾱ·ε − √(1−ᾱ)·x0 (then ε = √(1−ᾱ)·x + √ᾱ·v and x0 = √ᾱ·x − √(1−ᾱ)·v).
 */
export function ddimSampler(steps: number, prediction: 'epsilon' | 'v' = 'epsilon', schedule?: DdpmSchedule): Sampler {
  const alphasCumprod = alphasCumprodOf(schedule);
  const stride = DDPM_TRAIN_STEPS / steps;
  const timesteps = Array.from({ length: steps }, (_, i) => Math.round((steps - 1 - i) * stride));
  return {
    name: 'ddim', timesteps,
    update(x, eps, i) {
      const ab = alphasCumprod[timesteps[i]];
      const abPrev = i + 1 < steps ? alphasCumprod[timesteps[i + 1]] : 1;
      const sa = Math.sqrt(ab);
      const s1 = Math.sqrt(1 - ab);
      const saPrev = Math.sqrt(abPrev);
      const s1Prev = Math.sqrt(1 - abPrev);
      if (prediction === 'v') {
        for (let k = 0; k < x.length; k++) {
          const x0 = sa * x[k] - s1 * eps[k];
          const e = s1 * x[k] + sa * eps[k];
          x[k] = saPrev * x0 + s1Prev * e;
        }
        return;
      }
      for (let k = 0; k < x.length; k++) {
        const x0 = (x[k] - s1 * eps[k]) / sa;
        x[k] = saPrev * x0 + s1Prev * eps[k];
      }
    },
  };
}

/** Euler steps of the rectified-flow ODE from t = 1 (noise) to t = 0, evenly spaced: x ← x + (t_next - t)·v. */
export function eulerRfSampler(steps: number): Sampler {
  const ts = Array.from({ length: steps + 1 }, (_, i) => 1 - i / steps);
  return {
    name: 'euler-rf', timesteps: ts.slice(0, steps).map((t) => t * RF_TIME_SCALE),
    update(x, v, i) {
      const dt = ts[i + 1] - ts[i];
      for (let k = 0; k < x.length; k++) x[k] += dt * v[k];
    },
  };
}

/** Most sampling steps a run may take: the DDPM schedule has 1000 timesteps, and DDIM cannot visit more. */
export const MAX_SAMPLING_STEPS = 1000;

/** The sampler a model's objective implies: DDIM for ε- and v-prediction, Euler for rectified flow. */
export function samplerFor(prediction: Prediction, steps: number, name?: SamplerName, schedule?: DdpmSchedule): Sampler {
  if (!Number.isInteger(steps) || steps < 2 || steps > MAX_SAMPLING_STEPS) {
    throw new RangeError(`steps must be a whole number from 2 to ${MAX_SAMPLING_STEPS}, got ${steps}`);
  }
  const chosen = name ?? (prediction === 'velocity' ? 'euler-rf' : 'ddim');
  if (chosen === 'ddim' && prediction === 'velocity') throw new Error('the ddim sampler needs an epsilon- or v-prediction model (DDPM schedule)');
  if (chosen === 'euler-rf' && prediction !== 'velocity') throw new Error('the euler-rf sampler needs a velocity (rectified flow) model');
  return chosen === 'ddim' ? ddimSampler(steps, prediction === 'v' ? 'v' : 'epsilon', schedule) : eulerRfSampler(steps);
}

/** Default step counts like the originals: 30 for Open-Sora style (rectified flow), 50 for the others. */
export function defaultSteps(prediction: Prediction): number {
  return prediction === 'velocity' ? 30 : 50;
}
