import * as tf from '@tensorflow/tfjs';

/**
 * Per-row relative L1 of `current` against `previous` and per-row mean |current|, on device.
 * Rows are the leading axis (one per guidance branch). Returns [relL1 (or null), meanAbs], each [rows].
 * As core's relL1: 0 when both are all zeros (a freshly initialised model's zero-gated output), not 0/0.
 */
export function rowStats(current: tf.Tensor, previous: tf.Tensor | null): [tf.Tensor1D | null, tf.Tensor1D] {
  const rows = current.shape[0];
  const meanAbs = tf.tidy(() => tf.mean(tf.abs(current.reshape([rows, -1])), 1) as tf.Tensor1D);
  if (!previous) return [null, meanAbs];
  const rel = tf.tidy(() => {
    const cur = current.reshape([rows, -1]);
    const prev = previous.reshape([rows, -1]);
    const diff = tf.mean(tf.abs(tf.sub(cur, prev)), 1);
    const base = tf.mean(tf.abs(prev), 1);
    const bothZero = tf.logicalAnd(tf.equal(diff, 0), tf.equal(base, 0));
    return tf.where(bothZero, tf.zerosLike(diff), tf.div(diff, base)) as tf.Tensor1D;
  });
  return [rel, meanAbs];
}

/** Pull several [rows] tensors to the host in one read: result[k][row]. */
export function readRows(tensors: (tf.Tensor1D | null)[], rows: number): (Float32Array | null)[] {
  const present = tensors.filter((t): t is tf.Tensor1D => t !== null);
  if (present.length === 0) return tensors.map(() => null);
  const stacked = tf.stack(present);
  const data = stacked.dataSync() as Float32Array;
  stacked.dispose();
  let k = 0;
  return tensors.map((t) => (t === null ? null : data.slice(rows * k, rows * ++k)));
}
