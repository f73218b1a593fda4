import { forwardFlopsParts, type ModelConfig } from '@teacache/models';

/** What a run computed, per guidance branch and step. */
export interface RunWork {
  steps: number;
  /** Guidance branches per step (1 unguided, 2 with classifier-free guidance). */
  branches: number;
  /** Branch-steps that ran the whole block stack. */
  computedBranchSteps: number;
  /** The policy runs the first block on every branch-step (First Block Cache). */
  firstBlockEveryStep?: boolean;
}

/**
 * GEMM FLOPs a run's schedule needs (text encoder excluded: it runs once per run whatever the policy): the
 * embedding, modulation and head at every step of every branch, the stack on the branch-steps that computed,
 * and for First Block Cache its first block on the branch-steps that reused.
 */
export function runFlops(cfg: ModelConfig, work: RunWork): number {
  const parts = forwardFlopsParts(cfg);
  const stack = parts.blocks.reduce((a, b) => a + b, 0);
  const branchSteps = work.steps * work.branches;
  const reused = branchSteps - work.computedBranchSteps;
  return branchSteps * parts.outside + work.computedBranchSteps * stack + (work.firstBlockEveryStep ? reused * parts.blocks[0] : 0);
}
