import * as tf from '@tensorflow/tfjs';

/**
 * What each guidance branch keeps from its last step that ran the block stack: the stack's residual
 * (output − input), which a reused step adds to its own input, and the first block's residual, which a
 * first-block cache compares with (the reference moves only when the stack runs).
 */
export class BranchCache {
  private readonly residuals: (tf.Tensor | null)[];
  private readonly firstBlocks: (tf.Tensor | null)[];

  constructor(branches: number) {
    this.residuals = Array.from({ length: branches }, () => null);
    this.firstBlocks = Array.from({ length: branches }, () => null);
  }

  /** True once branch `b` has computed a step, so a reuse has a residual to add. */
  has(b: number): boolean {
    return this.residuals[b] !== null;
  }

  /** The stack residual [1, tokens, hidden] of branch `b`'s last computed step. */
  residual(b: number): tf.Tensor {
    const r = this.residuals[b];
    if (!r) throw new Error(`branch ${b} has no cached residual: no step of it has run the block stack yet`);
    return r;
  }

  /** Every branch's cached residual, stacked in branch order (each branch must have computed once). */
  allResiduals(): tf.Tensor {
    return this.residuals.length === 1 ? this.residual(0) : tf.concat(this.residuals.map((_, b) => this.residual(b)), 0);
  }

  /** The first block's residual of branch `b` at its last computed step, or null before one. */
  firstBlock(b: number): tf.Tensor | null {
    return this.firstBlocks[b];
  }

  /** Branch `b` ran the stack: keep its residual (and its first block's, when read) beyond the step's tidy scope. */
  store(b: number, residual: tf.Tensor, firstBlock: tf.Tensor | null): void {
    this.residuals[b]?.dispose();
    this.residuals[b] = tf.keep(residual);
    if (firstBlock) {
      this.firstBlocks[b]?.dispose();
      this.firstBlocks[b] = tf.keep(firstBlock);
    }
  }

  /** Free every kept tensor (the end of a run). */
  dispose(): void {
    tf.dispose([...this.residuals, ...this.firstBlocks].filter((t): t is tf.Tensor => t !== null));
  }
}
