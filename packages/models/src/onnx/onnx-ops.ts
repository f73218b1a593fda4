import type { Ops } from '../ops/ops.js';
import { MS_DOMAIN, type GraphBuilder, type Sym } from './graph.js';

/** Where OnnxOps reads a parameter's values: row-major float32 data and its shape. */
export type WeightSource = (name: string) => { shape: number[]; values: Float32Array };

/** Numpy broadcasting of two shapes. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new Error(`shapes [${a}] and [${b}] do not broadcast`);
    out.push(x === 1 ? y : x);
  }
  return out;
}

/**
 * The op set as an ONNX graph recorder: every op appends nodes to the builder and returns the symbolic
 * output with its shape at the traced batch. Parameters and constant tables become initializers.
 */
export class OnnxOps implements Ops<Sym> {
  readonly kind = 'onnx' as const;

  constructor(readonly graph: GraphBuilder, private readonly weights: WeightSource) {}

  shape(x: Sym): number[] { return [...x.shape]; }

  param(name: string): Sym {
    const w = this.weights(name);
    return this.graph.floatInitializer(name, w.shape, w.values);
  }

  constant(key: string, shape: number[], values: () => Float32Array): Sym {
    return this.graph.floatInitializer(`const:${key}`, shape, values());
  }

  private unary(op: string, x: Sym): Sym {
    const [out] = this.graph.node(op, [x.name], [this.graph.fresh(op)]);
    return this.graph.remember({ name: out, shape: [...x.shape] });
  }

  private binary(op: string, a: Sym, b: Sym | number): Sym {
    const bs = typeof b === 'number' ? this.graph.scalar(b) : b;
    const [out] = this.graph.node(op, [a.name, bs.name], [this.graph.fresh(op)]);
    return this.graph.remember({ name: out, shape: broadcastShapes(a.shape, bs.shape) });
  }

  add(a: Sym, b: Sym | number): Sym { return this.binary('Add', a, b); }
  sub(a: Sym, b: Sym | number): Sym { return this.binary('Sub', a, b); }
  mul(a: Sym, b: Sym | number): Sym { return this.binary('Mul', a, b); }
  div(a: Sym, b: Sym | number): Sym { return this.binary('Div', a, b); }
  neg(x: Sym): Sym { return this.unary('Neg', x); }
  sigmoid(x: Sym): Sym { return this.unary('Sigmoid', x); }
  tanh(x: Sym): Sym { return this.unary('Tanh', x); }
  rsqrt(x: Sym): Sym { return this.unary('Reciprocal', this.unary('Sqrt', x)); }
  cos(x: Sym): Sym { return this.unary('Cos', x); }
  sin(x: Sym): Sym { return this.unary('Sin', x); }

  matMul(a: Sym, b: Sym, transposeA = false, transposeB = false): Sym {
    const swapLast = (x: Sym) => {
      const perm = x.shape.map((_, i) => i);
      [perm[perm.length - 2], perm[perm.length - 1]] = [perm[perm.length - 1], perm[perm.length - 2]];
      return this.transpose(x, perm);
    };
    const l = transposeA ? swapLast(a) : a;
    const r = transposeB ? swapLast(b) : b;
    const [m, k] = l.shape.slice(-2);
    const [k2, n] = r.shape.slice(-2);
    if (k !== k2) throw new Error(`matMul: inner sizes ${k} and ${k2} differ ([${l.shape}] x [${r.shape}])`);
    const lead = broadcastShapes(l.shape.slice(0, -2), r.shape.slice(0, -2));
    const [out] = this.graph.node('MatMul', [l.name, r.name], [this.graph.fresh('MatMul')]);
    return this.graph.remember({ name: out, shape: [...lead, m, n] });
  }

  linear(x: Sym, w: Sym, bias: Sym): Sym {
    // One Gemm with the bias on rows [tokens, in]: ONNX Runtime fuses MatMul + Add only for rank-2 inputs.
    const [inDim, outDim] = w.shape;
    const rows = x.shape.length === 2 ? x : this.reshape(x, [-1, inDim]);
    const [out] = this.graph.node('Gemm', [rows.name, w.name, bias.name], [this.graph.fresh('Gemm')]);
    const y = this.graph.remember({ name: out, shape: [rows.shape[0], outDim] });
    return x.shape.length === 2 ? y : this.reshape(y, [-1, ...x.shape.slice(1, -1), outDim]);
  }

  normalize(x: Sym, eps: number): Sym {
    const d = x.shape[x.shape.length - 1];
    const ones = this.graph.floatInitializer(`const:ones-${d}`, [d], new Float32Array(d).fill(1));
    const zeros = this.graph.floatInitializer(`const:zeros-${d}`, [d], new Float32Array(d));
    const [out] = this.graph.node('LayerNormalization', [x.name, ones.name, zeros.name], [this.graph.fresh('LayerNorm')], { axis: -1, epsilon: { float: eps } });
    return this.graph.remember({ name: out, shape: [...x.shape] });
  }

  mean(x: Sym, axis: number, keepDims: boolean): Sym {
    const a = axis < 0 ? x.shape.length + axis : axis;
    const [out] = this.graph.node('ReduceMean', [x.name], [this.graph.fresh('ReduceMean')], { axes: [a], keepdims: keepDims ? 1 : 0 });
    const shape = keepDims ? x.shape.map((d, i) => (i === a ? 1 : d)) : x.shape.filter((_, i) => i !== a);
    return this.graph.remember({ name: out, shape });
  }

  softmax(x: Sym): Sym {
    const [out] = this.graph.node('Softmax', [x.name], [this.graph.fresh('Softmax')], { axis: -1 });
    return this.graph.remember({ name: out, shape: [...x.shape] });
  }

  attention(q: Sym, k: Sym, v: Sym, heads: number): Sym {
    const [s, lq, d] = q.shape;
    if (k.shape[2] !== d || v.shape[2] !== d || k.shape[1] !== v.shape[1]) throw new Error(`attention: q [${q.shape}], k [${k.shape}], v [${v.shape}] do not fit`);
    // ONNX Runtime's MultiHeadAttention (com.microsoft): heads split, scaled by 1/√(D/heads), softmax and merged in one kernel.
    const [out] = this.graph.node('MultiHeadAttention', [q.name, k.name, v.name], [this.graph.fresh('MultiHeadAttention')], { num_heads: heads }, MS_DOMAIN);
    return this.graph.remember({ name: out, shape: [s, lq, d] });
  }

  gelu(x: Sym): Sym {
    // ONNX Runtime's FastGelu (com.microsoft) is this tanh approximation in one kernel.
    const [out] = this.graph.node('FastGelu', [x.name], [this.graph.fresh('FastGelu')], {}, MS_DOMAIN);
    return this.graph.remember({ name: out, shape: [...x.shape] });
  }

  reshape(x: Sym, shape: number[]): Sym {
    const size = x.shape.reduce((a, b) => a * b, 1);
    const free = shape.indexOf(-1);
    if (shape.filter((d) => d === -1).length > 1) throw new Error(`reshape [${x.shape}] → [${shape}]: more than one -1`);
    const known = shape.reduce((a, d) => (d === -1 ? a : a * d), 1);
    const resolved = shape.map((d) => (d === -1 ? size / known : d));
    if (resolved.reduce((a, b) => a * b, 1) !== size || (free >= 0 && !Number.isInteger(size / known))) {
      throw new Error(`reshape [${x.shape}] → [${shape}]: element counts differ`);
    }
    const [out] = this.graph.node('Reshape', [x.name, this.graph.int64Vector(shape)], [this.graph.fresh('Reshape')]);
    return this.graph.remember({ name: out, shape: resolved });
  }

  transpose(x: Sym, perm: number[]): Sym {
    const [out] = this.graph.node('Transpose', [x.name], [this.graph.fresh('Transpose')], { perm });
    return this.graph.remember({ name: out, shape: perm.map((p) => x.shape[p]) });
  }

  split(x: Sym, sizes: number[] | number, axis: number): Sym[] {
    const a = axis < 0 ? x.shape.length + axis : axis;
    const parts = typeof sizes === 'number' ? Array.from({ length: sizes }, () => x.shape[a] / sizes) : sizes;
    if (parts.reduce((s, v) => s + v, 0) !== x.shape[a] || parts.some((p) => !Number.isInteger(p))) {
      throw new Error(`split: sizes [${parts}] do not add up to axis ${a} of [${x.shape}]`);
    }
    const outs = parts.map(() => this.graph.fresh('Split'));
    this.graph.node('Split', [x.name, this.graph.int64Vector(parts)], outs, { axis: a });
    return outs.map((name, i) => this.graph.remember({ name, shape: x.shape.map((d, k) => (k === a ? parts[i] : d)) }));
  }

  slice(x: Sym, begin: number[], size: number[]): Sym {
    const ends = size.map((s, i) => (s === -1 ? x.shape[i] : begin[i] + s));
    // Size -1 on the batch axis runs to its end at any batch (INT64-range end); a fixed size stays fixed.
    const endsOut = ends.map((e, i) => (i === 0 && size[0] === -1 ? Number.MAX_SAFE_INTEGER : e));
    const axes = begin.map((_, i) => i);
    const [out] = this.graph.node('Slice', [x.name, this.graph.int64Vector(begin), this.graph.int64Vector(endsOut), this.graph.int64Vector(axes)], [this.graph.fresh('Slice')]);
    return this.graph.remember({ name: out, shape: ends.map((e, i) => e - begin[i]) });
  }

  concat(xs: Sym[], axis: number): Sym {
    const a = axis < 0 ? xs[0].shape.length + axis : axis;
    const [out] = this.graph.node('Concat', xs.map((x) => x.name), [this.graph.fresh('Concat')], { axis: a });
    const shape = [...xs[0].shape];
    shape[a] = xs.reduce((s, x) => s + x.shape[a], 0);
    return this.graph.remember({ name: out, shape });
  }

  pad(x: Sym, paddings: [number, number][]): Sym {
    const pads = [...paddings.map((p) => p[0]), ...paddings.map((p) => p[1])];
    const [out] = this.graph.node('Pad', [x.name, this.graph.int64Vector(pads)], [this.graph.fresh('Pad')]);
    return this.graph.remember({ name: out, shape: x.shape.map((d, i) => d + paddings[i][0] + paddings[i][1]) });
  }

  tile(x: Sym, reps: number[]): Sym {
    const [out] = this.graph.node('Tile', [x.name, this.graph.int64Vector(reps)], [this.graph.fresh('Tile')]);
    return this.graph.remember({ name: out, shape: x.shape.map((d, i) => d * reps[i]) });
  }
}
