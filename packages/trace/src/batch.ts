import * as tf from '@tensorflow/tfjs';

/**
 * The sample repeated once per guidance branch, [n, ...shape without its leading 1], built on the host: tfjs-wasm's
 * tile kernel on a 5-d tensor cost more per step than a tiny model's whole embed.
 */
export function batchOf(x: Float32Array, n: number, shape: readonly number[]): tf.Tensor {
  const rows = new Float32Array(x.length * n);
  for (let b = 0; b < n; b++) rows.set(x, b * x.length);
  return tf.tensor(rows, [n, ...shape.slice(1)]);
}
