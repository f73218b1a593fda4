import type { Branch, CheapIndicator } from '@teacache/core';
import type { PolicySpec } from './policy-spec.js';

/**
 * A per-step signal a policy reads: one of the cheap indicators, the first block's residual, or the true
 * (fully computed) output. The sampling loop computes only the signals its policy declares.
 */
export type PolicyNeed = CheapIndicator | 'firstBlock' | 'trueOutput';

/** What a policy sees at one step of one guidance branch. Steps count from 0. */
export interface StepContext {
  step: number;
  totalSteps: number;
  timestep: number;
  branch: Branch;
  /** relL1 of each cheap indicator against the previous step's value (null at step 0; a live loop may leave undeclared ones null). */
  indicators: Record<CheapIndicator, number | null>;
  /**
   * first-block: relL1 of the first block's residual against the first block's residual of the
   * last step that ran the full stack (as diffusers and ParaAttention compare); null at step 0.
   */
  firstBlockResidual?: number | null;
  /** oracle: relL1 of the true (fully computed) output against the previous step's true output. */
  trueOutput?: number | null;
}

/** Why a policy decided what it did (for logs, tests and the report). */
export type DecisionReason =
  | 'always' // none
  | 'first-step'
  | 'last-step'
  | 'retention' // one of the first steps that are always computed
  | 'cutoff' // one of the last steps that are always computed
  | 'under-threshold' // reuse
  | 'over-threshold' // compute
  | 'on-interval' // interval: a k-th step
  | 'off-interval' // interval: reuse
  | 'skip-cap' // magcache: too many consecutive reuses
  | 'nothing-cached'; // the policy asked to reuse, but this branch has no cached residual yet

/** One step's decision. `accumulated` is the quantity compared with the threshold, when there is one. */
export interface Decision {
  compute: boolean;
  reason: DecisionReason;
  accumulated?: number;
}

/**
 * A cache policy: a pure decision rule with explicit state. A sampling loop makes one state per run
 * and guidance branch (createState), asks decide() before each step, and may report the actual
 * outcome with observe() when it overrode the decision. decide() already updates the state as if
 * its decision is carried out; observe() with the same outcome changes nothing.
 */
export interface CachePolicy<State = unknown> {
  readonly name: PolicySpec['policy'];
  /** The validated spec, defaults filled in. */
  readonly spec: PolicySpec;
  /** The signals decide() reads from StepContext; the loop computes these and no others (speed). */
  readonly needs: readonly PolicyNeed[];
  /** Fresh state for one sampling run and one guidance branch. */
  createState(): State;
  /** Decide whether this step computes the block stack or reuses the cached residual. */
  decide(state: State, ctx: StepContext): Decision;
  /** Tell the policy whether the step was actually computed. */
  observe(state: State, ctx: StepContext, computed: boolean): void;
}
