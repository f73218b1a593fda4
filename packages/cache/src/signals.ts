import { FormatError } from '@teacache/core';
import type { StepContext } from './policy.js';

/**
 * A per-step relL1 a policy needs at a step after the first: present, a number, >= 0 (Infinity is
 * allowed: relL1 against an all-zero previous value). Throws naming the context field otherwise.
 */
export function requireDistance(value: number | null | undefined, field: string, ctx: StepContext, policy: string): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw new FormatError({ field }, `a relative L1 >= 0 at step ${ctx.step} (${ctx.branch}), which ${policy} needs`, value ?? null);
  }
  return value;
}

/** Check the step numbering of a context: whole numbers with 0 <= step < totalSteps. */
export function checkStep(ctx: StepContext): void {
  if (!Number.isInteger(ctx.totalSteps) || ctx.totalSteps < 1) throw new FormatError({ field: 'totalSteps' }, 'a whole number >= 1', ctx.totalSteps);
  if (!Number.isInteger(ctx.step) || ctx.step < 0 || ctx.step >= ctx.totalSteps) {
    throw new FormatError({ field: 'step' }, `a whole number in [0, ${ctx.totalSteps - 1}]`, ctx.step);
  }
}
