import * as tf from '@tensorflow/tfjs';
import { isClassConditional, tokenCounts, type ModelConfig } from '../config.js';
import { blockStep, embedStep, headStep, makeTables } from '../family.js';
import type { DiffusionTransformer, EmbedOutput } from '../model.js';
import { GraphBuilder, type Sym } from './graph.js';
import { OnnxOps } from './onnx-ops.js';
import { OrtSession, type SessionSettings } from './runtime.js';
import { openSafetensors, type SafetensorsFile } from '../weights/safetensors.js';
import { GRAPH_WEIGHT_BYTES, PROTOBUF_LIMIT_BYTES } from './limits.js';

/** The parts a sampling loop runs, on either engine (DiffusionTransformer is the tfjs one). */
export interface SamplingModel {
  readonly config: ModelConfig;
  /** Text tokens for captions [B, L, textWidth] (once per run). */
  encodeCaptions(captions: readonly string[]): tf.Tensor3D;
  /** Cross-attention key bias [B, L] of captions (external text with masks), or null. */
  captionBias(captions: readonly string[]): tf.Tensor2D | null;
  embed(x: tf.Tensor, t: tf.Tensor1D, text: tf.Tensor3D, textBias?: tf.Tensor2D | null): EmbedOutput;
  blocks(h: tf.Tensor3D, e: EmbedOutput, from?: number, to?: number): tf.Tensor3D;
  stack(e: EmbedOutput): tf.Tensor3D;
  head(h: tf.Tensor3D, e: EmbedOutput): tf.Tensor;
  dispose(): void;
}

const EMBED_OUTPUTS = ['noisyTokens', 'tokens', 'timestepEmbedding', 'modulated', 'condition'] as const;

// Host copies of tensor data by tfjs data id (clones and reshapes share one): what this engine made from ONNX Runtime's
// outputs, and inputs read once (the text, constant over a run), are not read back from the tfjs backend at every step.
const hostData = new WeakMap<object, Float32Array>();

function feed(t: tf.Tensor): { data: Float32Array; dims: number[] } {
  let data = hostData.get(t.dataId);
  if (!data) {
    data = t.dataSync() as Float32Array;
    hostData.set(t.dataId, data);
  }
  return { data, dims: t.shape };
}

/** A tfjs tensor of an ONNX Runtime output, its host values remembered for feeding it back. */
function fromOrt(out: { data: Float32Array; dims: readonly number[] }): tf.Tensor {
  const t = tf.tensor(out.data, out.dims as number[]);
  hostData.set(t.dataId, out.data);
  return t;
}

/**
 * A model on ONNX Runtime: embed, the block ranges the sampling loop asks for ([0, depth); [0, 1) and [1, depth)
 * for a first-block cache) and the head are graphs recorded from the same family definition the tfjs model runs
 * (family.ts), with the tfjs model's weights as initializers. Graphs are built on first use and take any batch; a
 * block in two ranges has its weights in both sessions. Weights tfjs does not hold (a model loaded text side only)
 * are read from the model's weights file while a graph is built, so each is held once, by ONNX Runtime. A block range
 * whose weights pass `graphWeightBytes` runs as several graphs in turn (ONNX Runtime reads at most 2 GiB). Inputs and
 * outputs are tfjs tensors, so the sampling loop is the same for both engines; the text encoder (once per run) stays on tfjs.
 */
export class OnnxTransformer implements SamplingModel {
  readonly config: ModelConfig;
  private readonly sessions = new Map<string, OrtSession>();
  private weightCache: Map<string, Float32Array> | null = null;
  private file: SafetensorsFile | null = null;
  private readonly graphRanges = new Map<string, [number, number][]>();
  private bounds: number[] | null | undefined;

  constructor(readonly model: DiffusionTransformer, readonly settings: SessionSettings, readonly graphWeightBytes = GRAPH_WEIGHT_BYTES) {
    this.config = model.config;
  }

  /** Weight bytes of block i (float32, as ONNX Runtime holds them). */
  private blockBytes(i: number): number {
    const prefix = `blocks.${i}.`;
    let n = 0;
    for (const [name, spec] of this.model.params.specs) if (name.startsWith(prefix)) n += spec.shape.reduce((a, b) => a * b, 1);
    return 4 * n;
  }

  /**
   * The graphs blocks [from, to) run as: consecutive runs of blocks whose weights fit `graphWeightBytes` each. On a
   * stack split anyway, every range that starts and ends at a shared boundary runs on one set of graphs, so the
   * ranges a first-block cache adds ([0, 1) and [1, depth)) hold no second copy of the weights.
   */
  blockGraphs(from = 0, to = this.config.depth): [number, number][] {
    const key = `${from}-${to}`;
    let out = this.graphRanges.get(key);
    if (!out) {
      const shared = this.sharedBounds();
      out = shared && shared.includes(from) && shared.includes(to)
        ? shared.slice(shared.indexOf(from), shared.indexOf(to) + 1).map((b, i, all) => [b, all[i + 1]] as [number, number]).slice(0, -1)
        : this.splitRange(from, to);
      this.graphRanges.set(key, out);
    }
    return out;
  }

  /**
   * Graph boundaries shared by every range, for a stack too large for one graph: block 0 alone, then [1, depth) in
   * graphs that fit. Null when the stack fits one graph: a small model keeps one ONNX Runtime call per range (its
   * per-call overhead, not its weights, is what counts there).
   */
  sharedBounds(): number[] | null {
    if (this.bounds === undefined) {
      const depth = this.config.depth;
      this.bounds = depth > 1 && this.splitRange(0, depth).length > 1 ? [0, ...this.splitRange(1, depth).map(([a]) => a), depth] : null;
    }
    return this.bounds;
  }

  /** The keys of the graphs built so far (embed, head, and each block range as `blocks<from>-<to>`). */
  builtGraphs(): string[] {
    return [...this.sessions.keys()];
  }

  private splitRange(from: number, to: number): [number, number][] {
    const out: [number, number][] = [];
    let [start, bytes] = [from, 0];
    for (let i = from; i < to; i++) {
      const b = this.blockBytes(i);
      if (b > PROTOBUF_LIMIT_BYTES - 64 * 2 ** 20) {
        throw new Error(`onnx engine: block ${i} holds ${(b / 2 ** 30).toFixed(2)} GiB of weights, more than ONNX Runtime reads as one graph (2 GiB); use the tfjs engine`);
      }
      if (i > start && bytes + b > this.graphWeightBytes) {
        out.push([start, i]);
        [start, bytes] = [i, 0];
      }
      bytes += b;
    }
    if (to > from) out.push([start, to]);
    return out;
  }

  private weight(name: string): { shape: number[]; values: Float32Array } {
    this.weightCache ??= new Map();
    let v = this.weightCache.get(name);
    const shape = this.model.params.specs.get(name)?.shape;
    if (!shape) throw new Error(`onnx graph: no parameter named ${name}`);
    if (!v) {
      v = this.model.params.variables.has(name) ? this.model.params.get(name).dataSync() as Float32Array : this.fromFile(name);
      this.weightCache.set(name, v);
    }
    return { shape, values: v };
  }

  /** A parameter tfjs does not hold (loaded text side only), read from the model's weights file. */
  private fromFile(name: string): Float32Array {
    const path = this.model.weightsFile;
    if (!path) throw new Error(`onnx graph: parameter ${name} is neither loaded on tfjs nor in a weights file`);
    this.file ??= openSafetensors(path);
    return this.file.read(name).data;
  }

  /** Build (once) the session of a part: `build` records the graph on traced inputs at batch 1. */
  private session(key: string, inputs: Record<string, number[]>, build: (o: OnnxOps, x: Record<string, Sym>) => Record<string, Sym>): OrtSession {
    let s = this.sessions.get(key);
    if (s) return s;
    const g = new GraphBuilder(key);
    const o = new OnnxOps(g, (name) => this.weight(name));
    makeTables(o, this.config);
    const syms: Record<string, Sym> = {};
    for (const [name, shape] of Object.entries(inputs)) syms[name] = g.input(name, [1, ...shape]);
    for (const [name, value] of Object.entries(build(o, syms))) g.output(name, value);
    try {
      s = new OrtSession(g.encode(), this.settings);
    } finally {
      // ONNX Runtime holds its own copy now; the values read are read again if another graph needs them.
      this.weightCache = null;
      this.file?.close();
      this.file = null;
    }
    this.sessions.set(key, s);
    return s;
  }

  private shapes() {
    const c = this.config;
    const d = c.hiddenSize;
    // A class-conditional dit's "text" is its label embedding [B, 1, D]; a caption projection makes text [B, L, D].
    const text = isClassConditional(c) ? [1, d] : [c.textLength, c.textWidth];
    return {
      x: [c.frames, c.height, c.width, c.channels], t: [] as number[], text,
      crossText: c.captionProjection ? [c.textLength, d] : text, textBias: [c.textLength],
      h: [tokenCounts(c).total, d], condition: [c.family === 'dit' ? d : 6 * d], temb: [d],
    };
  }

  /** Build every part's session now (otherwise each is built on first use). */
  build(): void {
    this.embedSession();
    for (const [a, b] of this.blockGraphs()) this.rangeSession(a, b, false);
    this.headSession();
  }

  private embedSession(): OrtSession {
    const s = this.shapes();
    return this.session('embed', { x: s.x, t: s.t, text: s.text }, (o, v) => {
      const e = embedStep(o, this.config, this.model.plan, v.x, v.t, v.text);
      const out: Record<string, Sym> = Object.fromEntries(EMBED_OUTPUTS.map((k) => [k, e[k]]));
      if (this.config.captionProjection) out.projectedText = e.text;
      return out;
    });
  }

  /** Blocks [from, to) as one graph (one run per call: the per-run overhead dominates small models); masked: with a text key bias input. */
  private rangeSession(from: number, to: number, masked: boolean): OrtSession {
    const s = this.shapes();
    const inputs: Record<string, number[]> = { h: s.h, condition: s.condition, text: s.crossText, ...(masked ? { textBias: s.textBias } : {}) };
    return this.session(`blocks${from}-${to}${masked ? '-masked' : ''}`, inputs, (o, v) => {
      let h = v.h;
      for (let i = from; i < to; i++) h = blockStep(o, this.config, this.model.plan, i, h, v.condition, v.text, v.textBias);
      return { y: h };
    });
  }

  private headSession(withVariance = false): OrtSession {
    const s = this.shapes();
    return this.session(withVariance ? 'head-variance' : 'head', { h: s.h, condition: s.condition, temb: s.temb }, (o, v) => ({
      y: headStep(o, this.config, v.h, v.condition, v.temb, withVariance),
    }));
  }

  encodeCaptions(captions: readonly string[]): tf.Tensor3D {
    return this.model.encodeCaptions(captions);
  }

  captionBias(captions: readonly string[]): tf.Tensor2D | null {
    return this.model.captionBias(captions);
  }

  embed(x: tf.Tensor, t: tf.Tensor1D, text: tf.Tensor3D, textBias?: tf.Tensor2D | null): EmbedOutput {
    const out = this.embedSession().run({ x: feed(x), t: feed(t), text: feed(text) });
    const as = (k: string) => fromOrt(out[k]);
    return {
      noisyTokens: as('noisyTokens') as tf.Tensor3D, tokens: as('tokens') as tf.Tensor3D,
      timestepEmbedding: as('timestepEmbedding') as tf.Tensor2D, modulated: as('modulated') as tf.Tensor3D,
      condition: as('condition') as tf.Tensor2D, text: (out.projectedText ? as('projectedText') : tf.clone(text)) as tf.Tensor3D,
      ...(textBias ? { textBias: tf.clone(textBias) } : {}),
    };
  }

  blocks(h: tf.Tensor3D, e: EmbedOutput, from = 0, to = this.config.depth): tf.Tensor3D {
    if (from >= to) return tf.clone(h);
    const masked = e.textBias !== undefined;
    const inputs = { condition: feed(e.condition), text: feed(e.text), ...(masked ? { textBias: feed(e.textBias!) } : {}) };
    let y = h;
    for (const [a, b] of this.blockGraphs(from, to)) {
      const next = fromOrt(this.rangeSession(a, b, masked).run({ ...inputs, h: feed(y) }).y) as tf.Tensor3D;
      if (y !== h) y.dispose();
      y = next;
    }
    return y;
  }

  stack(e: EmbedOutput): tf.Tensor3D {
    return this.blocks(e.tokens, e);
  }

  head(h: tf.Tensor3D, e: EmbedOutput): tf.Tensor {
    const y = this.headSession().run({ h: feed(h), condition: feed(e.condition), temb: feed(e.timestepEmbedding) }).y;
    return fromOrt(y);
  }

  /** The prediction and, for a learned-sigma model, the variance channels after it: [B, F, H, W, outputChannels]. */
  headWithVariance(h: tf.Tensor3D, e: EmbedOutput): tf.Tensor {
    const y = this.headSession(true).run({ h: feed(h), condition: feed(e.condition), temb: feed(e.timestepEmbedding) }).y;
    return fromOrt(y);
  }

  /** Free the sessions (the tfjs model it wraps is the caller's). */
  dispose(): void {
    for (const s of this.sessions.values()) s.dispose();
    this.sessions.clear();
    this.weightCache = null;
    this.file?.close();
    this.file = null;
  }
}
