import * as tf from '@tensorflow/tfjs';
import type { CheapIndicator } from '@teacache/core';
import { rowStats } from './signals.js';

/** A signal the loop compares with its value at the previous step. */
export type RememberedSignal = CheapIndicator | 'residual' | 'output' | 'trueOutput';

/**
 * The previous step's value of each signal, all branches stacked, kept outside the per-step tidy scope
 * (a signal not read at a step keeps its older value, which the loop never compares with).
 */
export class PreviousValues {
  private readonly held = new Map<RememberedSignal, tf.Tensor>();

  /** Per-row relL1 of `current` against the remembered value (null when there is none) and per-row mean |current|. */
  compare(name: RememberedSignal, current: tf.Tensor): [tf.Tensor1D | null, tf.Tensor1D] {
    return rowStats(current, this.held.get(name) ?? null);
  }

  /** Remember `value` (a copy that survives the step's tidy scope) as this step's value of `name`. */
  keep(name: RememberedSignal, value: tf.Tensor): void {
    this.held.get(name)?.dispose();
    this.held.set(name, tf.keep(tf.clone(value)));
  }

  /** Free every remembered tensor (the end of a run). */
  dispose(): void {
    for (const t of this.held.values()) t.dispose();
    this.held.clear();
  }
}
