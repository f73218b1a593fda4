import * as tf from '@tensorflow/tfjs';
import { CHEAP_INDICATORS, type CheapIndicator } from '@teacache/core';
import type { PolicyNeed, StepContext } from '@teacache/cache';
import type { EmbedOutput, SamplingModel } from '@teacache/models';
import type { BranchCache } from './branch-cache.js';
import type { PreviousValues } from './previous-values.js';
import { readRows, rowStats } from './signals.js';

/** The embed output each cheap indicator is read from. */
const INDICATOR_TENSOR: Record<CheapIndicator, (e: EmbedOutput) => tf.Tensor> = {
  modulated: (e) => e.modulated,
  timestep: (e) => e.timestepEmbedding,
  noisy: (e) => e.noisyTokens,
};

/** The signals of one branch a policy decides from (StepContext minus the step's position). */
export type BranchSignals = Pick<StepContext, 'indicators' | 'firstBlockResidual' | 'trueOutput'>;

/** What one step read before deciding. */
export interface StepSignals {
  /** On-device relL1 (null at step 0) and mean |.| per branch of each indicator read this step. */
  indicatorStats: Partial<Record<CheapIndicator, [tf.Tensor1D | null, tf.Tensor1D]>>;
  /** Per branch, on the host: the values its policy context holds (null where not read). */
  perBranch: BranchSignals[];
  /** The first block's output and residual on every branch, when read (the stack then continues from it). */
  firstBlock: { output: tf.Tensor3D; residual: tf.Tensor } | null;
}

/** Which signals a step computes: those the policy declares, and every indicator when the run is recorded. */
export interface SignalPlan {
  needs: readonly PolicyNeed[];
  record: boolean;
}

/** The indicators a step computes: every one when recording (trace rows hold them all), else those declared. */
function indicatorsToRead(plan: SignalPlan): CheapIndicator[] {
  return CHEAP_INDICATORS.filter((name) => plan.record || plan.needs.includes(name));
}

/**
 * relL1 against the previous step of each indicator to read, remembering this step's values for the next.
 * Only the declared ones come to the host (one read for all branches).
 */
function readIndicators(e: EmbedOutput, plan: SignalPlan, previous: PreviousValues, branches: number) {
  const stats: StepSignals['indicatorStats'] = {};
  for (const name of indicatorsToRead(plan)) {
    const tensor = INDICATOR_TENSOR[name](e);
    stats[name] = previous.compare(name, tensor);
    previous.keep(name, tensor);
  }
  const declared = CHEAP_INDICATORS.filter((name) => plan.needs.includes(name));
  const host = readRows(declared.map((name) => stats[name]![0]), branches);
  const perBranch = Array.from({ length: branches }, (_, b) => {
    const values = Object.fromEntries(CHEAP_INDICATORS.map((name) => [name, null])) as Record<CheapIndicator, number | null>;
    declared.forEach((name, k) => { values[name] = host[k]?.[b] ?? null; });
    return values;
  });
  return { stats, perBranch };
}

/**
 * Run the first block on every branch; each branch's relL1 of its residual (output − input) against the
 * first block's residual at that branch's last computed step (null before one).
 */
function readFirstBlock(model: SamplingModel, e: EmbedOutput, cache: BranchCache, branches: number) {
  const output = model.blocks(e.tokens, e, 0, 1);
  const residual = tf.sub(output, e.tokens);
  const rels = Array.from({ length: branches }, (_, b) => {
    const last = cache.firstBlock(b);
    return last ? rowStats(tf.slice(residual, [b], [1]), last)[0] : null;
  });
  const host = readRows(rels, 1);
  return { firstBlock: { output, residual }, rel: host.map((v) => (v ? v[0] : null)) };
}

/** The oracle's signal: the fully computed output of every branch, its relL1 against the previous step's. */
function readTrueOutput(model: SamplingModel, e: EmbedOutput, previous: PreviousValues, branches: number): (number | null)[] {
  const output = model.head(model.stack(e), e);
  const [rel] = previous.compare('trueOutput', output);
  previous.keep('trueOutput', output);
  return rel ? Array.from(rel.dataSync()) : Array.from({ length: branches }, () => null);
}

/**
 * Read the signals of one step before deciding: the indicators to read, the first block's residual change
 * and the true output's change when the policy declares them. Nothing else is computed.
 */
export function readSignals(model: SamplingModel, e: EmbedOutput, plan: SignalPlan, previous: PreviousValues, cache: BranchCache,
  branches: number): StepSignals {
  const indicators = readIndicators(e, plan, previous, branches);
  const first = plan.needs.includes('firstBlock') ? readFirstBlock(model, e, cache, branches) : null;
  const trueOutput = plan.needs.includes('trueOutput') ? readTrueOutput(model, e, previous, branches) : null;
  return {
    indicatorStats: indicators.stats,
    firstBlock: first?.firstBlock ?? null,
    perBranch: indicators.perBranch.map((values, b) => ({
      indicators: values, firstBlockResidual: first?.rel[b] ?? null, trueOutput: trueOutput?.[b] ?? null,
    })),
  };
}
