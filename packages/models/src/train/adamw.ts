import * as tf from '@tensorflow/tfjs';

/** How the learning rate moves after warm-up: held, or cosine-decayed to `minRatio` of the peak at the last step. */
export type LearningRateSchedule = 'constant' | 'cosine';

/** AdamW settings: learning rate with linear warm-up and a schedule, betas, decoupled weight decay. */
export interface AdamWOptions {
  learningRate: number;
  warmupSteps: number;
  /** Default constant. */
  schedule?: LearningRateSchedule;
  /** Steps of the run (cosine decay ends there). */
  totalSteps?: number;
  /** Final learning rate of a cosine decay as a fraction of the peak (default 0.05). */
  minRatio?: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
}

/**
 * AdamW (decoupled weight decay) whose whole state is plain named tensors, so a checkpoint holds it
 * exactly and a resumed run continues bit for bit. Decay applies to matrices only (not biases, norms, tables).
 */
export class AdamW {
  readonly m = new Map<string, tf.Variable>();
  readonly v = new Map<string, tf.Variable>();

  constructor(private readonly vars: Map<string, tf.Variable>, readonly options: AdamWOptions) {
    for (const [name, p] of vars) {
      this.m.set(name, tf.variable(tf.zerosLike(p), false));
      this.v.set(name, tf.variable(tf.zerosLike(p), false));
    }
  }

  /** Learning rate at a 0-based step. */
  rate(step: number): number {
    const { learningRate, warmupSteps, schedule = 'constant', totalSteps, minRatio = 0.05 } = this.options;
    const warm = Math.min(1, (step + 1) / Math.max(1, warmupSteps));
    if (schedule === 'constant' || step + 1 <= warmupSteps) return learningRate * warm;
    if (totalSteps === undefined) throw new Error('a cosine learning-rate schedule needs totalSteps');
    const progress = Math.min(1, (step + 1 - warmupSteps) / Math.max(1, totalSteps - warmupSteps));
    return learningRate * (minRatio + (1 - minRatio) * 0.5 * (1 + Math.cos(Math.PI * progress)));
  }

  /** Apply gradients for 0-based step `step`. */
  apply(grads: Record<string, tf.Tensor>, step: number, varNames: Map<string, string>): void {
    const { beta1, beta2, epsilon, weightDecay } = this.options;
    const lr = this.rate(step);
    const c1 = 1 - Math.pow(beta1, step + 1);
    const c2 = 1 - Math.pow(beta2, step + 1);
    tf.tidy(() => {
      for (const [varName, g] of Object.entries(grads)) {
        const name = varNames.get(varName)!;
        const p = this.vars.get(name)!;
        const m = this.m.get(name)!;
        const v = this.v.get(name)!;
        const m2 = tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1));
        const v2 = tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2));
        m.assign(m2);
        v.assign(v2);
        const update = tf.div(tf.div(m2, c1), tf.add(tf.sqrt(tf.div(v2, c2)), epsilon));
        const decay = p.rank >= 2 && name.endsWith('.weight') ? weightDecay : 0;
        p.assign(tf.sub(tf.mul(p, 1 - lr * decay), tf.mul(update, lr)));
      }
    });
  }
}
