/** Diffusion training timesteps of the DDPM schedule. */
export const DDPM_TRAIN_STEPS = 1000;

/**
 * The DDPM linear beta schedule (1e-4 to 0.02 over 1000 steps, as DiT, Latte and Open-Sora-Plan use):
 * ᾱ_t = Π (1 - β_s) for s ≤ t.
 */
export function ddpmAlphasCumprod(steps = DDPM_TRAIN_STEPS, betaStart = 1e-4, betaEnd = 0.02): Float64Array {
  const out = new Float64Array(steps);
  let prod = 1;
  for (let i = 0; i < steps; i++) {
    const beta = betaStart + ((betaEnd - betaStart) * i) / (steps - 1);
    prod *= 1 - beta;
    out[i] = prod;
  }
  return out;
}

/** Rectified flow: x_t = (1 - t)·x0 + t·ε for t in [0, 1]; the network sees t·1000 and predicts v = ε - x0. */
export const RF_TIME_SCALE = 1000;
