/**
 * The small set of tensor operations the model families are written against, once. Two implementations run
 * it: `TfOps` (tfjs, eager, gradients kept: training and the fallback engine) and `OnnxOps` (records ONNX
 * nodes into a graph that ONNX Runtime runs). Shapes are static except for one rule that keeps a graph valid
 * for any batch: a reshape writes -1 for its one batch-dependent axis (an axis that is B or a multiple of it).
 */
export interface Ops<T> {
  /** Which engine these ops build for. */
  readonly kind: 'tfjs' | 'onnx';
  /** The static shape of x (for ONNX: at the batch the graph is traced with). */
  shape(x: T): number[];
  /** A named model parameter. */
  param(name: string): T;
  /** A fixed table (positions, frequencies), made once per key and held by the ops. */
  constant(key: string, shape: number[], values: () => Float32Array): T;

  add(a: T, b: T | number): T;
  sub(a: T, b: T | number): T;
  mul(a: T, b: T | number): T;
  div(a: T, b: T | number): T;
  neg(x: T): T;
  sigmoid(x: T): T;
  tanh(x: T): T;
  /** 1/√x. */
  rsqrt(x: T): T;
  cos(x: T): T;
  sin(x: T): T;

  /** a·b over the last two axes, batched over the leading ones (equal ranks, leading axes broadcast). */
  matMul(a: T, b: T, transposeA?: boolean, transposeB?: boolean): T;
  /** x[..., in] · w[in, out] + bias[out]: one GEMM over all leading axes. */
  linear(x: T, w: T, bias: T): T;
  /** (x − mean)/√(variance + eps) over the last axis, no scale or bias (a fused kernel where the engine has one). */
  normalize(x: T, eps: number): T;
  /** Mean over one axis. */
  mean(x: T, axis: number, keepDims: boolean): T;
  /** Softmax over the last axis. */
  softmax(x: T): T;
  /**
   * Scaled dot-product attention over `heads` heads, unmasked: q [S, Lq, D], k, v [S, Lk, D] → [S, Lq, D] (one fused
   * kernel where the engine has one: per-operator overhead, not arithmetic, bounds the tiny models).
   */
  attention(q: T, k: T, v: T, heads: number): T;
  /** GELU, tanh approximation (one fused kernel where the engine has one). */
  gelu(x: T): T;

  /** New shape with the same elements; at most one -1 (see the batch rule above). */
  reshape(x: T, shape: number[]): T;
  transpose(x: T, perm: number[]): T;
  /** Split along an axis into parts of the given sizes (or that many equal parts). */
  split(x: T, sizes: number[] | number, axis: number): T[];
  /** Slice [begin, begin + size) per axis; size -1 runs to the end. */
  slice(x: T, begin: number[], size: number[]): T;
  concat(xs: T[], axis: number): T;
  /** Zero padding, [before, after] per axis. */
  pad(x: T, paddings: [number, number][]): T;
  /** Repeat x `reps[i]` times along axis i. */
  tile(x: T, reps: number[]): T;
}
