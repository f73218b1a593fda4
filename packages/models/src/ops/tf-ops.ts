import * as tf from '@tensorflow/tfjs';
import type { Ops } from './ops.js';
import { attentionOps, geluOps } from './nn.js';

/** Where TfOps reads parameters: a ParamStore or any name → tensor lookup. */
export interface ParamSource {
  get(name: string): tf.Tensor;
}

/**
 * The op set on tfjs, eagerly: each op is the tfjs op, so gradients flow through for training. Constant
 * tables are created once and kept until `dispose`.
 */
export class TfOps implements Ops<tf.Tensor> {
  readonly kind = 'tfjs' as const;
  private readonly constants = new Map<string, tf.Tensor>();

  constructor(private readonly params: ParamSource) {}

  shape(x: tf.Tensor): number[] { return x.shape; }
  param(name: string): tf.Tensor { return this.params.get(name); }
  constant(key: string, shape: number[], values: () => Float32Array): tf.Tensor {
    let c = this.constants.get(key);
    if (!c) {
      c = tf.keep(tf.tensor(values(), shape, 'float32'));
      this.constants.set(key, c);
    }
    return c;
  }

  add(a: tf.Tensor, b: tf.Tensor | number): tf.Tensor { return tf.add(a, b); }
  sub(a: tf.Tensor, b: tf.Tensor | number): tf.Tensor { return tf.sub(a, b); }
  mul(a: tf.Tensor, b: tf.Tensor | number): tf.Tensor { return tf.mul(a, b); }
  div(a: tf.Tensor, b: tf.Tensor | number): tf.Tensor { return tf.div(a, b); }
  neg(x: tf.Tensor): tf.Tensor { return tf.neg(x); }
  sigmoid(x: tf.Tensor): tf.Tensor { return tf.sigmoid(x); }
  tanh(x: tf.Tensor): tf.Tensor { return tf.tanh(x); }
  rsqrt(x: tf.Tensor): tf.Tensor { return tf.rsqrt(x); }
  cos(x: tf.Tensor): tf.Tensor { return tf.cos(x); }
  sin(x: tf.Tensor): tf.Tensor { return tf.sin(x); }

  matMul(a: tf.Tensor, b: tf.Tensor, transposeA = false, transposeB = false): tf.Tensor {
    return tf.matMul(a, b, transposeA, transposeB);
  }
  linear(x: tf.Tensor, w: tf.Tensor, bias: tf.Tensor): tf.Tensor {
    const [inDim, outDim] = w.shape as [number, number];
    const x2 = x.rank === 2 ? (x as tf.Tensor2D) : (x.reshape([-1, inDim]) as tf.Tensor2D);
    const y = tf.fused.matMul({ a: x2, b: w as tf.Tensor2D, bias });
    return x.rank === 2 ? y : y.reshape([...x.shape.slice(0, -1), outDim]);
  }
  normalize(x: tf.Tensor, eps: number): tf.Tensor {
    // Written out rather than tf.moments: a multiply is cheaper than the wasm Square kernel it uses.
    const centred = tf.sub(x, tf.mean(x, -1, true));
    const variance = tf.mean(tf.mul(centred, centred), -1, true);
    return tf.mul(centred, tf.rsqrt(tf.add(variance, eps)));
  }
  mean(x: tf.Tensor, axis: number, keepDims: boolean): tf.Tensor { return tf.mean(x, axis, keepDims); }
  softmax(x: tf.Tensor): tf.Tensor { return tf.softmax(x); }
  attention(q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, heads: number): tf.Tensor { return attentionOps(this, q, k, v, heads); }
  gelu(x: tf.Tensor): tf.Tensor { return geluOps(this, x); }

  reshape(x: tf.Tensor, shape: number[]): tf.Tensor { return x.reshape(shape); }
  transpose(x: tf.Tensor, perm: number[]): tf.Tensor { return x.transpose(perm); }
  split(x: tf.Tensor, sizes: number[] | number, axis: number): tf.Tensor[] { return tf.split(x, sizes, axis); }
  slice(x: tf.Tensor, begin: number[], size: number[]): tf.Tensor { return tf.slice(x, begin, size); }
  concat(xs: tf.Tensor[], axis: number): tf.Tensor { return tf.concat(xs, axis); }
  pad(x: tf.Tensor, paddings: [number, number][]): tf.Tensor { return tf.pad(x, paddings); }
  tile(x: tf.Tensor, reps: number[]): tf.Tensor { return tf.tile(x, reps); }

  /** Free the constant tables. */
  dispose(): void {
    for (const c of this.constants.values()) c.dispose();
    this.constants.clear();
  }
}
