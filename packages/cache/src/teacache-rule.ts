import type { Decision, StepContext } from './policy.js';

/** The TeaCache accumulator of one run and branch. */
export interface AccumulatorState {
  accumulated: number;
}

/** Steps at both ends that are computed whatever the signal says. */
export interface ForcedSteps {
  retentionSteps: number;
  cutoffSteps: number;
}

/** The forced decision of a step in the retention or cut-off range, or null for a step the rule decides. */
export function forcedDecision(ctx: StepContext, forced: ForcedSteps): Decision | null {
  if (ctx.step === 0) return { compute: true, reason: 'first-step' };
  if (ctx.step < forced.retentionSteps) return { compute: true, reason: 'retention' };
  if (ctx.step === ctx.totalSteps - 1 && forced.cutoffSteps >= 1) return { compute: true, reason: 'last-step' };
  if (ctx.step >= ctx.totalSteps - forced.cutoffSteps) return { compute: true, reason: 'cutoff' };
  return null;
}

/**
 * One step of the TeaCache rule (ali-vilab/TeaCache): the rescaled distance of THIS step is added
 * first, then the sum is compared: under the threshold → reuse, else compute and reset to 0. Forced
 * steps compute and reset too. `distance()` is only called on steps the rule decides.
 */
export function teacacheStep(
  state: AccumulatorState, ctx: StepContext, forced: ForcedSteps, threshold: number, distance: () => number,
): Decision {
  const f = forcedDecision(ctx, forced);
  if (f) {
    state.accumulated = 0;
    return f;
  }
  state.accumulated += distance();
  const accumulated = state.accumulated;
  if (accumulated < threshold) return { compute: false, reason: 'under-threshold', accumulated };
  state.accumulated = 0;
  return { compute: true, reason: 'over-threshold', accumulated };
}
