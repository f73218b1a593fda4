import { alphasCumprodOf, DDPM_TRAIN_STEPS, RF_TIME_SCALE, SeededRandom, type DdpmSchedule, type Prediction } from '@teacache/models';

export type SamplerName = 'ddim' | 'euler-rf' | 'euler-ancestral';
export const SAMPLER_NAMES: readonly SamplerName[] = ['ddim', 'euler-rf', 'euler-ancestral'];

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
  /** The first network input is the standard normal draw times this (absent: 1). */
  initialScale?: number;
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

/** How a rectified-flow model's sampling differs from the built-in one (fields of its config.json). */
export interface RfOptions {
  /** Timestep transform ratio r: t ↦ r·t / (1 + (r − 1)·t) (Open-Sora 1.2); absent 1. */
  timeShift?: number;
  /** The network's velocity: ε − x0 (built in) or x0 − ε (Open-Sora 1.2). */
  velocityTarget?: 'noise-minus-data' | 'data-minus-noise';
}

/** Open-Sora 1.2's timestep transform of t in [0, 1] by ratio r (r > 1 spends more steps at high noise). */
export function shiftTime(t: number, r: number): number {
  return (r * t) / (1 + (r - 1) * t);
}

/**
 * Euler steps of the rectified-flow ODE from t = 1 (noise) to t = 0: evenly spaced times 1 − i/N, each
 * transformed by `timeShift` when given (as Open-Sora 1.2's RFLOW sampler with use_timestep_transform), the last
 * step going to 0. x ← x + (t_next − t)·v for v = ε − x0, or x ← x + (t − t_next)·v for v = x0 − ε.
 */
export function eulerRfSampler(steps: number, options: RfOptions = {}): Sampler {
  const r = options.timeShift ?? 1;
  const ts = Array.from({ length: steps + 1 }, (_, i) => shiftTime(1 - i / steps, r));
  const sign = options.velocityTarget === 'data-minus-noise' ? -1 : 1;
  return {
    name: 'euler-rf', timesteps: ts.slice(0, steps).map((t) => t * RF_TIME_SCALE),
    update(x, v, i) {
      const dt = sign * (ts[i + 1] - ts[i]);
      for (let k = 0; k < x.length; k++) x[k] += dt * v[k];
    },
  };
}

/** Where an ancestral sampler's fresh noise comes from: n standard normals for step i. */
export type StepNoise = (i: number, n: number) => Float32Array;

/** Seeded step noise, one stream per run (independent of the stream of the initial noise). */
export function seededStepNoise(seed: number): StepNoise {
  const r = new SeededRandom((seed ^ 0x5bd1e995) >>> 0);
  return (_i, n) => r.normals(n);
}

/**
 * Euler-ancestral steps (Karras et al., 2022; diffusers' EulerAncestralDiscreteScheduler) with "trailing" timestep
 * spacing, t_i = round(1000 − i·1000/N) − 1, as Open-Sora-Plan v1.3 samples (v-prediction, zero-terminal-SNR
 * schedule, whose last ᾱ is held at 2⁻²⁴ so σ stays finite). Internally x_σ = x0 + σ·ε with σ = √((1 − ᾱ)/ᾱ); the
 * network sees x = x_σ / √(σ² + 1), and that is the x this sampler updates. Each step goes to σ_down and adds
 * fresh noise of size σ_up = √(σ_to²·(σ² − σ_to²)/σ²).
 */
export function eulerAncestralSampler(steps: number, prediction: 'epsilon' | 'v', schedule: DdpmSchedule | undefined, noise: StepNoise): Sampler {
  const ab = Float64Array.from(alphasCumprodOf(schedule));
  if (ab[ab.length - 1] === 0) ab[ab.length - 1] = 2 ** -24;
  const ratio = DDPM_TRAIN_STEPS / steps;
  const timesteps = Array.from({ length: steps }, (_, i) => Math.round(DDPM_TRAIN_STEPS - i * ratio) - 1);
  const sigmas = [...timesteps.map((t) => Math.sqrt((1 - ab[t]) / ab[t])), 0];
  return {
    name: 'euler-ancestral', timesteps,
    initialScale: sigmas[0] / Math.sqrt(sigmas[0] ** 2 + 1),
    update(x, out, i) {
      const sigma = sigmas[i];
      const to = sigmas[i + 1];
      const up = Math.sqrt((to * to * (sigma * sigma - to * to)) / (sigma * sigma));
      const down = Math.sqrt(to * to - up * up);
      const c = Math.sqrt(sigma * sigma + 1);
      const z = noise(i, x.length);
      for (let k = 0; k < x.length; k++) {
        const s = x[k] * c;
        const x0 = prediction === 'v' ? out[k] * (-sigma / c) + s / (c * c) : s - sigma * out[k];
        const next = s + ((s - x0) / sigma) * (down - sigma) + z[k] * up;
        x[k] = next / Math.sqrt(to * to + 1);
      }
    },
  };
}

/**
 * The sampler asked for, else the one the model config names, else the one its objective implies: DDIM for ε- and
 * v-prediction, Euler for rectified flow. `rf` carries the config's sampling fields and the run's seed.
 */
export function samplerFor(prediction: Prediction, steps: number, name?: SamplerName, schedule?: DdpmSchedule, rf?: RfOptions & { seed?: number; sampler?: SamplerName }): Sampler {
  if (!Number.isInteger(steps) || steps < 2) throw new RangeError(`steps must be a whole number >= 2, got ${steps}`);
  const chosen = name ?? rf?.sampler ?? (prediction === 'velocity' ? 'euler-rf' : 'ddim');
  if (chosen === 'euler-ancestral') {
    if (prediction === 'velocity') throw new Error('the euler-ancestral sampler needs an epsilon- or v-prediction model (DDPM schedule)');
    return eulerAncestralSampler(steps, prediction, schedule, seededStepNoise(rf?.seed ?? 0));
  }
  if (chosen === 'ddim' && prediction === 'velocity') throw new Error('the ddim sampler needs an epsilon- or v-prediction model (DDPM schedule)');
  if (chosen === 'euler-rf' && prediction !== 'velocity') throw new Error('the euler-rf sampler needs a velocity (rectified flow) model');
  return chosen === 'ddim' ? ddimSampler(steps, prediction === 'v' ? 'v' : 'epsilon', schedule) : eulerRfSampler(steps, rf);
}

/** Default step counts like the originals: 30 for Open-Sora style (rectified flow), 50 for the others. */
export function defaultSteps(prediction: Prediction): number {
  return prediction === 'velocity' ? 30 : 50;
}
