import * as tf from '@tensorflow/tfjs';
import type { DiffusionTransformer } from '../model.js';
import type { Prediction } from '../config.js';
import { alphasCumprodOf, ddpmScheduleOf, DDPM_TRAIN_STEPS, RF_TIME_SCALE } from '../schedules.js';
import type { SeededRandom } from '../random.js';

/** A noised batch and what the network should predict for it. */
export interface NoisedBatch {
  xt: Float32Array;
  target: Float32Array;
  /** Timesteps in model units. */
  t: Float32Array;
  /** Signal-to-noise ratio ᾱ/(1-ᾱ) of each sample (DDPM); null for rectified flow. */
  snr: Float32Array | null;
  /** What the target is (default epsilon). */
  prediction?: Prediction;
}

/**
 * How training draws DDPM timesteps: `uniform` over 0..999, or `logit-normal`, t = ⌊1000·σ(n)⌋ with n standard
 * normal, which puts most of the batch on the middle noise levels (as Open-Sora 1.2 draws rectified-flow times).
 * Rectified flow always draws logit-normal times.
 */
export type TimestepSampling = 'uniform' | 'logit-normal';

/** σ(n) for a standard normal n: a logit-normal draw in (0, 1). */
function logitNormal(rng: SeededRandom): number {
  return 1 / (1 + Math.exp(-rng.normal()));
}

/** How the per-sample losses of a batch are weighted. */
export type LossWeighting = 'uniform' | 'min-snr-5';

/**
 * Noise clean samples x0 (values in [-1, 1]) per the model's objective: on its DDPM beta schedule (t drawn from
 * 0..999 as `sampling` says) the target is ε or v = √ᾱ·ε − √(1−ᾱ)·x0; with rectified flow (t logit-normal, as Open-Sora 1.2
 * samples it) the target is ε − x0.
 */
export function noiseBatch(model: DiffusionTransformer, x0: Float32Array, batch: number, rng: SeededRandom, sampling: TimestepSampling = 'uniform'): NoisedBatch {
  const per = x0.length / batch;
  const xt = new Float32Array(x0.length);
  const target = new Float32Array(x0.length);
  const t = new Float32Array(batch);
  const prediction = model.config.prediction;
  const snr = prediction !== 'velocity' ? new Float32Array(batch) : null;
  const alphasCumprod = alphasCumprodOf(ddpmScheduleOf(model.config));
  for (let b = 0; b < batch; b++) {
    if (prediction !== 'velocity') {
      const step = sampling === 'uniform' ? rng.int(DDPM_TRAIN_STEPS)
        : Math.min(DDPM_TRAIN_STEPS - 1, Math.floor(DDPM_TRAIN_STEPS * logitNormal(rng)));
      const ab = alphasCumprod[step];
      const a = Math.sqrt(ab);
      const s = Math.sqrt(1 - ab);
      t[b] = step;
      snr![b] = ab / (1 - ab);
      for (let i = b * per; i < (b + 1) * per; i++) {
        const eps = rng.normal();
        xt[i] = a * x0[i] + s * eps;
        target[i] = prediction === 'v' ? a * eps - s * x0[i] : eps;
      }
    } else {
      const u = logitNormal(rng);
      t[b] = u * RF_TIME_SCALE;
      for (let i = b * per; i < (b + 1) * per; i++) {
        const eps = rng.normal();
        xt[i] = (1 - u) * x0[i] + u * eps;
        target[i] = eps - x0[i];
      }
    }
  }
  return { xt, target, t, snr, prediction };
}

/**
 * Per-sample loss weights. `min-snr-5` (Hang et al., 2023: min(SNR, 5)/SNR for ε-prediction, min(SNR, 5)/(SNR + 1)
 * for v-prediction, the same weight on the clean-sample error) takes weight off the nearly clean timesteps,
 * where the target is easy, so training time goes to the noisy steps that decide layout and follow the caption.
 */
export function lossWeights(nb: NoisedBatch, weighting: LossWeighting): Float32Array {
  const w = new Float32Array(nb.t.length).fill(1);
  if (weighting === 'min-snr-5') {
    if (!nb.snr) throw new Error('min-snr-5 weighting needs the DDPM objective (ε- or v-prediction)');
    const v = nb.prediction === 'v';
    for (let i = 0; i < w.length; i++) w[i] = Math.min(nb.snr[i], 5) / (v ? nb.snr[i] + 1 : nb.snr[i]);
  }
  return w;
}

/** Weighted mean squared error of the model's prediction on a noised batch (a scalar tensor). */
export function batchLoss(model: DiffusionTransformer, nb: NoisedBatch, captions: readonly string[], weighting: LossWeighting = 'uniform'): tf.Scalar {
  const c = model.config;
  const shape = [captions.length, c.frames, c.height, c.width, c.channels];
  return tf.tidy(() => {
    const pred = model.forward(tf.tensor(nb.xt, shape), tf.tensor1d(nb.t), model.encodeCaptions(captions));
    const perSample = tf.mean(tf.squaredDifference(pred, tf.tensor(nb.target, shape)).reshape([captions.length, -1]), 1);
    if (weighting === 'uniform') return tf.mean(perSample) as tf.Scalar;
    return tf.mean(tf.mul(perSample, tf.tensor1d(lossWeights(nb, weighting)))) as tf.Scalar;
  });
}
