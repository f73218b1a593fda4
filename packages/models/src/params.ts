import * as tf from '@tensorflow/tfjs';
import { SeededRandom, deriveSeed } from './random.js';

export type InitKind = 'normal' | 'xavier' | 'zeros' | 'ones';

/** How a parameter is created: its shape and its initialiser. */
export interface ParamSpec {
  shape: number[];
  init: InitKind;
  /** Standard deviation for 'normal'. */
  std?: number;
}

/**
 * The named parameters of a model, as tf.Variables. Each parameter's initial values depend only on the
 * seed and its name, so adding a parameter never changes the others.
 */
export class ParamStore {
  readonly variables = new Map<string, tf.Variable>();
  readonly specs = new Map<string, ParamSpec>();

  constructor(private readonly seed: number) {}

  /** Declare (and create) a parameter; returns its variable. */
  declare(name: string, spec: ParamSpec): tf.Variable {
    if (this.variables.has(name)) throw new Error(`parameter declared twice: ${name}`);
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const values = initialValues(spec, size, deriveSeed(this.seed, name));
    const v = tf.variable(tf.tensor(values, spec.shape, 'float32'), true, name.replace(/[^A-Za-z0-9_.\-/]/g, '_') + '_' + Math.random().toString(36).slice(2, 8));
    this.variables.set(name, v);
    this.specs.set(name, spec);
    return v;
  }

  /** The parameter of that name; throws if it was never declared. */
  get(name: string): tf.Variable {
    const v = this.variables.get(name);
    if (!v) throw new Error(`no parameter named ${name}`);
    return v;
  }

  /** Name → shape of every parameter (what a weights file must hold). */
  expectedShapes(): Record<string, number[]> {
    const out: Record<string, number[]> = {};
    for (const [name, spec] of this.specs) out[name] = [...spec.shape];
    return out;
  }

  /** Total number of scalar parameters. */
  count(): number {
    let n = 0;
    for (const v of this.variables.values()) n += v.size;
    return n;
  }

  /** Replace every parameter's value (shapes must match). */
  assign(values: Map<string, Float32Array>): void {
    for (const [name, v] of this.variables) {
      const data = values.get(name);
      if (!data) throw new Error(`no value for parameter ${name}`);
      if (data.length !== v.size) throw new Error(`parameter ${name}: ${data.length} values for ${v.size} elements`);
      v.assign(tf.tensor(data, v.shape, 'float32'));
    }
  }

  /** Copy every parameter's values out. */
  snapshot(): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>();
    for (const [name, v] of this.variables) out.set(name, v.dataSync() as Float32Array);
    return out;
  }

  dispose(): void {
    for (const v of this.variables.values()) v.dispose();
    this.variables.clear();
  }
}

function initialValues(spec: ParamSpec, size: number, seed: number): Float32Array {
  switch (spec.init) {
    case 'zeros': return new Float32Array(size);
    case 'ones': return new Float32Array(size).fill(1);
    case 'normal': return new SeededRandom(seed).normals(size, spec.std ?? 0.02);
    case 'xavier': {
      const [fanIn, fanOut] = spec.shape.length >= 2 ? [spec.shape[spec.shape.length - 2], spec.shape[spec.shape.length - 1]] : [spec.shape[0], spec.shape[0]];
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      const r = new SeededRandom(seed);
      const out = new Float32Array(size);
      for (let i = 0; i < size; i++) out[i] = (r.uniform() * 2 - 1) * limit;
      return out;
    }
  }
}
