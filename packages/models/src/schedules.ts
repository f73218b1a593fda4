/** Diffusion training timesteps of the DDPM schedule. */
export const DDPM_TRAIN_STEPS = 1000;

/**
 * The beta schedule of a DDPM-schedule model (ε- or v-prediction), over 1000 training steps:
 * - `linear`: β from 1e-4 to 0.02, linearly (Ho et al., 2020; DiT, Latte and Open-Sora-Plan up to v1.2);
 * - `scaled-linear`: √β from √0.00085 to √0.012, linearly (Stable Diffusion). It keeps about 4-5× the
 *   signal-to-noise ratio of `linear` through the middle steps and ends at ᾱ ≈ 0.0047 instead of 4e-5, the
 *   shift that a clip of half the side (16×16 pixels against the 32×32 that `linear` was made for) calls for.
 */
export type BetaSchedule = 'linear' | 'scaled-linear';
export const BETA_SCHEDULES: readonly BetaSchedule[] = ['linear', 'scaled-linear'];

/** ᾱ_t = Π (1 - β_s) for s ≤ t of a beta schedule (default the DDPM linear one). */
export function ddpmAlphasCumprod(schedule: BetaSchedule = 'linear', steps = DDPM_TRAIN_STEPS): Float64Array {
  const out = new Float64Array(steps);
  let prod = 1;
  for (let i = 0; i < steps; i++) {
    const f = i / (steps - 1);
    const beta = schedule === 'linear'
      ? 1e-4 + (0.02 - 1e-4) * f
      : (Math.sqrt(0.00085) + (Math.sqrt(0.012) - Math.sqrt(0.00085)) * f) ** 2;
    prod *= 1 - beta;
    out[i] = prod;
  }
  return out;
}

const CACHE = new Map<BetaSchedule, Float64Array>();
/** The shared ᾱ table of a schedule (computed once; do not modify). */
export function alphasCumprodOf(schedule: BetaSchedule = 'linear'): Float64Array {
  let t = CACHE.get(schedule);
  if (!t) CACHE.set(schedule, (t = ddpmAlphasCumprod(schedule)));
  return t;
}

/** Rectified flow: x_t = (1 - t)·x0 + t·ε for t in [0, 1]; the network sees t·1000 and predicts v = ε - x0. */
export const RF_TIME_SCALE = 1000;
