import * as tf from '@tensorflow/tfjs';
import type { DiffusionTransformer } from '../model.js';
import { ddpmAlphasCumprod, DDPM_TRAIN_STEPS, RF_TIME_SCALE } from '../schedules.js';
import type { SeededRandom } from '../random.js';

const alphasCumprod = ddpmAlphasCumprod();

/** A noised batch and what the network should predict for it. */
export interface NoisedBatch {
  xt: Float32Array;
  target: Float32Array;
  /** Timesteps in model units. */
  t: Float32Array;
}

/**
 * Noise clean samples x0 (values in [-1, 1]) per the model's objective: ε-prediction on the DDPM schedule
 * (t uniform in 0..999) or rectified flow (t logit-normal, as Open-Sora 1.2 samples it; target v = ε - x0).
 */
export function noiseBatch(model: DiffusionTransformer, x0: Float32Array, batch: number, rng: SeededRandom): NoisedBatch {
  const per = x0.length / batch;
  const xt = new Float32Array(x0.length);
  const target = new Float32Array(x0.length);
  const t = new Float32Array(batch);
  for (let b = 0; b < batch; b++) {
    if (model.config.prediction === 'epsilon') {
      const step = rng.int(DDPM_TRAIN_STEPS);
      const ab = alphasCumprod[step];
      const a = Math.sqrt(ab);
      const s = Math.sqrt(1 - ab);
      t[b] = step;
      for (let i = b * per; i < (b + 1) * per; i++) {
        const eps = rng.normal();
        xt[i] = a * x0[i] + s * eps;
        target[i] = eps;
      }
    } else {
      const u = 1 / (1 + Math.exp(-rng.normal()));
      t[b] = u * RF_TIME_SCALE;
      for (let i = b * per; i < (b + 1) * per; i++) {
        const eps = rng.normal();
        xt[i] = (1 - u) * x0[i] + u * eps;
        target[i] = eps - x0[i];
      }
    }
  }
  return { xt, target, t };
}

/** Mean squared error of the model's prediction on a noised batch (a scalar tensor). */
export function batchLoss(model: DiffusionTransformer, nb: NoisedBatch, captions: readonly string[]): tf.Scalar {
  const c = model.config;
  const shape = [captions.length, c.frames, c.height, c.width, c.channels];
  return tf.tidy(() => {
    const pred = model.forward(tf.tensor(nb.xt, shape), tf.tensor1d(nb.t), model.encodeCaptions(captions));
    return tf.mean(tf.squaredDifference(pred, tf.tensor(nb.target, shape))) as tf.Scalar;
  });
}
