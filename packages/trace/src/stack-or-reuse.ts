import * as tf from '@tensorflow/tfjs';
import type { EmbedOutput, SamplingModel } from '@teacache/models';
import type { BranchCache } from './branch-cache.js';
import type { StepSignals } from './read-signals.js';

function take(rows: tf.Tensor, index: number[]): tf.Tensor {
  return index.length === rows.shape[0] ? tf.clone(rows) : tf.gather(rows, tf.tensor1d(index, 'int32'));
}

function sliceEmbed(e: EmbedOutput, index: number[]): EmbedOutput {
  return {
    noisyTokens: take(e.noisyTokens, index) as tf.Tensor3D, tokens: take(e.tokens, index) as tf.Tensor3D,
    timestepEmbedding: take(e.timestepEmbedding, index) as tf.Tensor2D, modulated: take(e.modulated, index) as tf.Tensor3D,
    condition: take(e.condition, index) as tf.Tensor2D, text: take(e.text, index) as tf.Tensor3D,
    ...(e.textBias ? { textBias: take(e.textBias, index) as tf.Tensor2D } : {}),
  };
}

/**
 * The stack output of every branch for one step: branches that compute run the block stack (from the
 * first block's output when it already ran) and, when `keepResidual` (a policy that may reuse, or a trace that
 * records the residual), cache their residual; the others add their cached residual to their own input,
 * skipping the stack for real. A step where every branch computes returns the stack output as it is.
 */
export function stackOrReuse(model: SamplingModel, e: EmbedOutput, compute: readonly boolean[], signals: StepSignals,
  cache: BranchCache, keepResidual = true): tf.Tensor3D {
  const branches = compute.length;
  const computing = compute.flatMap((c, b) => (c ? [b] : []));
  const outputs: (tf.Tensor | null)[] = compute.map(() => null);
  if (computing.length > 0) {
    const all = computing.length === branches;
    const sub = all ? e : sliceEmbed(e, computing);
    const first = signals.firstBlock;
    const out = first
      ? model.blocks((all ? first.output : take(first.output, computing)) as tf.Tensor3D, sub, 1, model.config.depth)
      : model.stack(sub);
    // uncached sampling never reuses a residual: no subtraction, slices or concatenation for it
    const residual = keepResidual ? tf.sub(out, sub.tokens) : null;
    computing.forEach((b, k) => {
      if (!all) outputs[b] = tf.slice(out, [k], [1]);
      if (residual) cache.store(b, tf.slice(residual, [k], [1]), first ? tf.slice(first.residual, [b], [1]) : null);
    });
    if (all) return out as tf.Tensor3D;
  }
  const rows = outputs.map((o, b) => o ?? tf.add(tf.slice(e.tokens, [b], [1]), cache.residual(b)));
  return (branches === 1 ? rows[0] : tf.concat(rows, 0)) as tf.Tensor3D;
}
