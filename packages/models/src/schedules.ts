/** Diffusion training timesteps of the DDPM schedule. */
export const DDPM_TRAIN_STEPS = 1000;

/**
 * The beta schedule of a DDPM-schedule model (ε- or v-prediction), over 1000 training steps:
 * - `linear`: β from 1e-4 to 0.02, linearly (Ho et al., 2020; DiT, Latte and Open-Sora-Plan up to v1.2);
 * - `scaled-linear`: √β from √0.00085 to √0.012, linearly (Stable Diffusion). It keeps about 4-5× the
 *   signal-to-noise ratio of `linear` through the middle steps and ends at ᾱ ≈ 0.0047 instead of 4e-5.
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

/**
 * Rescale ᾱ so the last training step carries no signal at all (Lin et al., 2024, "Common Diffusion Noise
 * Schedules and Sample Steps are Flawed"): √ᾱ is shifted so its last value is 0 and scaled so its first is
 * unchanged. Only a v-prediction model can be trained so (ε says nothing about x0 where ᾱ = 0).
 */
export function rescaleZeroTerminalSnr(alphasCumprod: Float64Array): Float64Array {
  const n = alphasCumprod.length;
  const first = Math.sqrt(alphasCumprod[0]);
  const last = Math.sqrt(alphasCumprod[n - 1]);
  return alphasCumprod.map((ab) => ((Math.sqrt(ab) - last) * first / (first - last)) ** 2);
}

/** The noise schedule of an ε- or v-prediction model, as its config.json gives it. */
export interface DdpmSchedule {
  beta: BetaSchedule;
  zeroTerminalSnr: boolean;
}

/** The schedule a model config implies (absent fields: linear, not rescaled). */
export function ddpmScheduleOf(cfg: { betaSchedule?: BetaSchedule; zeroTerminalSnr?: boolean }): DdpmSchedule {
  return { beta: cfg.betaSchedule ?? 'linear', zeroTerminalSnr: cfg.zeroTerminalSnr ?? false };
}

const CACHE = new Map<string, Float64Array>();
/** The shared ᾱ table of a schedule (default linear, not rescaled; computed once; do not modify). */
export function alphasCumprodOf(schedule: DdpmSchedule = ddpmScheduleOf({})): Float64Array {
  const key = `${schedule.beta}/${schedule.zeroTerminalSnr}`;
  let t = CACHE.get(key);
  if (!t) {
    t = ddpmAlphasCumprod(schedule.beta);
    if (schedule.zeroTerminalSnr) t = rescaleZeroTerminalSnr(t);
    CACHE.set(key, t);
  }
  return t;
}

/** Rectified flow: x_t = (1 - t)·x0 + t·ε for t in [0, 1]; the network sees t·1000 and predicts v = ε - x0. */
export const RF_TIME_SCALE = 1000;
