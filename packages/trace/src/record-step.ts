import * as tf from '@tensorflow/tfjs';
import { SIGNALS, type Branch, type Signal, type TraceRow } from '@teacache/core';
import type { BranchCache } from './branch-cache.js';
import type { PreviousValues } from './previous-values.js';
import type { StepSignals } from './read-signals.js';
import { readRows } from './signals.js';

/** Where one recorded step sits in its run. */
export interface RecordedStep {
  runId: string;
  step: number;
  timestep: number;
  branches: readonly Branch[];
  /** Per branch, whether it ran the block stack. */
  computed: readonly boolean[];
}

/**
 * Trace rows of one step, one per branch: relL1 against the previous step and mean |.| of every signal
 * (the indicators as read before deciding; the residual in effect and the prediction as this step made them).
 */
export function recordStep(at: RecordedStep, signals: StepSignals, cache: BranchCache, prediction: tf.Tensor,
  previous: PreviousValues): TraceRow[] {
  const residual = cache.allResiduals();
  const residualStats = previous.compare('residual', residual);
  const outputStats = previous.compare('output', prediction);
  const statsOf = (s: Signal): [tf.Tensor1D | null, tf.Tensor1D] => {
    if (s === 'residual') return residualStats;
    if (s === 'output') return outputStats;
    const read = signals.indicatorStats[s];
    if (!read) throw new Error(`the ${s} indicator was not read at step ${at.step}, and a recorded step needs every indicator`);
    return read;
  };
  const stats = SIGNALS.map(statsOf);
  const values = readRows([...stats.map(([rel]) => rel), ...stats.map(([, abs]) => abs)], at.branches.length);
  previous.keep('residual', residual);
  previous.keep('output', prediction);
  return at.branches.map((branch, b) => {
    const relL1 = {} as Record<Signal, number | null>;
    const meanAbs = {} as Record<Signal, number>;
    SIGNALS.forEach((s, k) => {
      relL1[s] = values[k]?.[b] ?? null;
      meanAbs[s] = values[SIGNALS.length + k]![b];
    });
    return { runId: at.runId, step: at.step, timestep: at.timestep, branch, computed: at.computed[b] ? 1 : 0, relL1, meanAbs };
  });
}
