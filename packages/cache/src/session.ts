import { FormatError, type Branch } from '@teacache/core';
import type { CachePolicy, Decision, StepContext } from './policy.js';
import { checkStep } from './signals.js';

/**
 * Runs a policy over sampling runs: one state per guidance branch, fresh at each step 0 (a new
 * run), and steps checked to come in order, so a loop cannot silently share or skip state.
 */
export class PolicySession {
  private readonly states = new Map<Branch, { state: unknown; lastStep: number; totalSteps: number }>();

  constructor(readonly policy: CachePolicy) {}

  /**
   * Decide one step of one branch. Without a cached residual to reuse (`canReuse` false) a reuse cannot be
   * carried out: the step computes, the policy is told so, and the reason says why.
   */
  decide(ctx: StepContext, canReuse = true): Decision {
    checkStep(ctx);
    let entry = this.states.get(ctx.branch);
    if (ctx.step === 0) {
      entry = { state: this.policy.createState(), lastStep: -1, totalSteps: ctx.totalSteps };
      this.states.set(ctx.branch, entry);
    }
    if (!entry || ctx.step !== entry.lastStep + 1 || ctx.totalSteps !== entry.totalSteps) {
      const expected = entry ? `step ${entry.lastStep + 1} of ${entry.totalSteps}` : 'step 0 (a run starts at step 0)';
      throw new FormatError({ field: 'step' }, `${expected} for branch ${ctx.branch}`, `step ${ctx.step} of ${ctx.totalSteps}`);
    }
    entry.lastStep = ctx.step;
    const decision = this.policy.decide(entry.state, ctx);
    if (decision.compute || canReuse) return decision;
    this.policy.observe(entry.state, ctx, true);
    return { compute: true, reason: 'nothing-cached' };
  }

  /** Report the actual outcome of the step just decided (only needed when the loop overrode it). */
  observe(ctx: StepContext, computed: boolean): void {
    const entry = this.states.get(ctx.branch);
    if (!entry || entry.lastStep !== ctx.step) {
      throw new FormatError({ field: 'step' }, `the step just decided for branch ${ctx.branch}`, ctx.step);
    }
    this.policy.observe(entry.state, ctx, computed);
  }
}
