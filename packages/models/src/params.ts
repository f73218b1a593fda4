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

  /**
   * allocate false: declare records shapes only and each parameter is created by `load` (loading weights
   * then holds every parameter once, with no random initial copy; a converter reads shapes without tensors).
   */
  constructor(private readonly seed: number, readonly allocate = true) {}

  /** Declare (and, when allocating, create) a parameter. */
  declare(name: string, spec: ParamSpec): void {
    if (this.specs.has(name)) throw new Error(`parameter declared twice: ${name}`);
    this.specs.set(name, spec);
    if (!this.allocate) return;
    const size = spec.shape.reduce((a, b) => a * b, 1);
    this.create(name, spec.shape, initialValues(spec, size, deriveSeed(this.seed, name)));
  }

  /** Create a declared parameter from its values (row-major); the values are copied to the backend once. */
  load(name: string, values: Float32Array): void {
    const spec = this.specs.get(name);
    if (!spec) throw new Error(`no parameter named ${name}`);
    const size = spec.shape.reduce((a, b) => a * b, 1);
    if (values.length !== size) throw new Error(`parameter ${name}: ${values.length} values for ${size} elements`);
    this.variables.get(name)?.dispose();
    this.create(name, spec.shape, values);
  }

  /** Names declared but not yet created (all of them before loading a deferred store). */
  missing(): string[] {
    return [...this.specs.keys()].filter((n) => !this.variables.has(n));
  }

  private create(name: string, shape: number[], values: Float32Array): void {
    // tf.variable shares the tensor's data, so disposing the tensor leaves one copy on the backend.
    const t = tf.tensor(values, shape, 'float32');
    const v = tf.variable(t, true, name.replace(/[^A-Za-z0-9_.\-/]/g, '_') + '_' + Math.random().toString(36).slice(2, 8));
    t.dispose();
    this.variables.set(name, v);
  }

  /** The parameter of that name; throws if it was not declared (or not loaded). */
  get(name: string): tf.Variable {
    const v = this.variables.get(name);
    if (!v) throw new Error(this.specs.has(name) ? `parameter ${name} declared but not loaded` : `no parameter named ${name}`);
    return v;
  }

  /** Name → shape of every parameter (what a weights file must hold). */
  expectedShapes(): Record<string, number[]> {
    const out: Record<string, number[]> = {};
    for (const [name, spec] of this.specs) out[name] = [...spec.shape];
    return out;
  }

  /** Total number of scalar parameters (declared, whether created yet or not). */
  count(): number {
    let n = 0;
    for (const s of this.specs.values()) n += s.shape.reduce((a, b) => a * b, 1);
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
