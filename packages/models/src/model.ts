import * as tf from '@tensorflow/tfjs';
import { hasBuiltinTextEncoder, isClassConditional, outputChannels, tokenCounts, type ModelConfig } from './config.js';
import { checkModelFits } from './memory-limit.js';
import { ParamStore } from './params.js';
import { blockPlan, declareBlock, type BlockPlan } from './blocks.js';
import { blockStep, embedStep, headStep, makeTables, timestepEmbedding } from './family.js';
import { declareLinear } from './layers.js';
import { TfOps } from './ops/tf-ops.js';
import { declareTextEncoder, encodeText, tokenize } from './text-encoder.js';
import { declareUpstream } from './upstream.js';
import { classIndex, conditioningOf, type Conditioning } from './conditioning.js';
import { FormatError } from '@teacache/core';

/**
 * What `embed` returns: the named hook points a cache reads, and what the stack and head need.
 * All tensors are owned by the caller (dispose them, or run inside tf.tidy).
 */
export interface EmbedOutput {
  /** Patchified noisy input [B, T, p·p·C] (before the patch projection). */
  noisyTokens: tf.Tensor3D;
  /** The stack's input: projected tokens plus position embedding [B, T, D]. */
  tokens: tf.Tensor3D;
  /** Timestep embedding [B, D]. */
  timestepEmbedding: tf.Tensor2D;
  /** The first block's modulated input: LN(tokens)·(1 + scale) + shift [B, T, D]. */
  modulated: tf.Tensor3D;
  /** The condition the blocks modulate from: c [B, D] (adaLN-Zero) or t0 [B, 6D] (adaLN-single). */
  condition: tf.Tensor2D;
  /** Text tokens as the cross-attention reads them: [B, L, textWidth], or [B, L, D] after a caption projection. */
  text: tf.Tensor3D;
  /** Cross-attention key bias [B, L]: 0 for tokens attended to, −1e9 for padding; absent: every token counts. */
  textBias?: tf.Tensor2D;
}

export interface ModelOptions {
  /** Seed of the deterministic initialisation. */
  seed?: number;
  /**
   * adaLN-Zero style zero initialisation of gates and output layer (what training starts from). Off, every
   * layer gets small random values, so an untrained model's outputs already differ step to step.
   */
  zeroInit?: boolean;
  /** false: declare parameters without creating them; each is created when its weights are loaded (held once). */
  allocate?: boolean;
}

/** A diffusion transformer of one of the four families, split into embed, stack and head. */
/**
 * Parameters the text side reads on tfjs whatever the engine (text encoder, class labels, learned null caption): the
 * onnx engine's graphs read every other parameter, and hold it themselves.
 */
export function isTextSideParam(name: string): boolean {
  return name.startsWith('text.') || name === 'labels.table' || name === 'nullCaption';
}

export class DiffusionTransformer {
  readonly params: ParamStore;
  /** The safetensors file the parameters were loaded from (set by loadModel); parameters left unloaded are read from it. */
  weightsFile: string | null = null;
  readonly plan: BlockPlan[];
  readonly layout: { perFrame: number; total: number };
  /** The op set on tfjs over this model's parameters (holds the position and rotation tables). */
  readonly ops: TfOps;
  private conditioning: { conditioning: Conditioning; file: string } | null = null;

  constructor(readonly config: ModelConfig, options: ModelOptions = {}) {
    const cfg = config;
    // Before any tensor: a config too large for the backend must fail with the field named, not exhaust memory.
    // A model built only to list its shapes allocates no parameters (and the estimate itself builds one).
    if (options.allocate ?? true) checkModelFits(cfg);
    this.params = new ParamStore(options.seed ?? 0, options.allocate ?? true);
    this.plan = blockPlan(cfg.family, cfg.depth);
    this.layout = tokenCounts(cfg);
    const p = this.params;
    const d = cfg.hiddenSize;
    const patchDim = cfg.patchSize * cfg.patchSize * cfg.channels;
    const zero = options.zeroInit ?? true;
    if (hasBuiltinTextEncoder(cfg)) declareTextEncoder(p, cfg);
    if (isClassConditional(cfg)) p.declare('labels.table', { shape: [cfg.numClasses! + 1, d], init: 'normal', std: 0.02 });
    if (cfg.captionProjection) {
      declareLinear(p, 'caption.fc1', cfg.textWidth, d);
      declareLinear(p, 'caption.fc2', d, d);
    }
    declareLinear(p, 'patch', patchDim, d);
    declareLinear(p, 'timestep.fc1', cfg.timestepFrequencies, d, 'normal', 0.02);
    declareLinear(p, 'timestep.fc2', d, d, 'normal', 0.02);
    if (cfg.family === 'dit') {
      if (!isClassConditional(cfg)) declareLinear(p, 'textPool', cfg.textWidth, d);
      declareLinear(p, 'final.adaLN', d, 2 * d, zero ? 'zeros' : 'normal', 0.02);
    } else {
      declareLinear(p, 'timestep.single', d, 6 * d, 'normal', 0.02);
      p.declare('final.scaleShiftTable', { shape: [2, d], init: 'normal', std: 1 / Math.sqrt(d) });
    }
    const crossWidth = cfg.captionProjection ? d : cfg.textWidth;
    this.plan.forEach((plan, i) => declareBlock(p, `blocks.${i}`, plan, d, Math.round(d * cfg.mlpRatio), crossWidth));
    declareUpstream(p, cfg, this.plan);
    declareLinear(p, 'final.linear', d, cfg.patchSize * cfg.patchSize * outputChannels(cfg), zero ? 'zeros' : 'xavier');
    if (!zero && this.params.allocate) this.randomiseZeroInits();
    this.ops = new TfOps(this.params);
    makeTables(this.ops, cfg);
  }

  private randomiseZeroInits(): void {
    // Replace zero-initialised weights with small deterministic noise (names sorted for a fixed order).
    const names = [...this.params.specs.keys()].filter((n) => n.endsWith('.weight') && this.params.specs.get(n)!.init === 'zeros').sort();
    for (const n of names) {
      const v = this.params.get(n);
      let h = 2166136261;
      for (const ch of n) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
      v.assign(tf.randomNormal(v.shape, 0, 0.02, 'float32', h % 100000));
    }
  }

  /** Token ids for captions [B, L]. */
  tokenize(captions: readonly string[]): tf.Tensor2D {
    const ids = new Int32Array(captions.length * this.config.textLength);
    captions.forEach((c, i) => ids.set(tokenize(c, this.config.vocabulary, this.config.textLength), i * this.config.textLength));
    return tf.tensor2d(ids, [captions.length, this.config.textLength], 'int32');
  }

  /**
   * Text tokens for captions [B, L, textWidth]; constant over sampling steps, so encode once per run. A
   * class-conditional model reads each caption as a class index ('' is the null class) and returns its label
   * embedding [B, 1, D]; a model on external encoder outputs refuses (give the outputs: see conditioning). With a
   * learned null caption, the empty caption (guidance's unconditional branch) is that null caption.
   */
  encodeCaptions(captions: readonly string[]): tf.Tensor3D {
    if (isClassConditional(this.config)) return this.encodeLabels(captions.map((c) => classIndex(c, this.config.numClasses!)));
    if (!hasBuiltinTextEncoder(this.config)) {
      const c = this.requireConditioning();
      // A model with a learned null caption (Open-Sora 1.2) uses it for '', whatever the file's null entry holds.
      const nul = this.config.nullCaption ? this.params.get('nullCaption').dataSync() as Float32Array : null;
      const rows = captions.map((caption) => (caption === '' && nul ? nul : conditioningOf(c.conditioning, caption, c.file).embedding));
      const size = this.config.textLength * this.config.textWidth;
      const data = new Float32Array(rows.length * size);
      rows.forEach((r, i) => data.set(r, i * size));
      return tf.tensor3d(data, [rows.length, this.config.textLength, this.config.textWidth]);
    }
    return tf.tidy(() => {
      const encoded = encodeText(this.params, this.config, this.tokenize(captions));
      if (!this.config.nullCaption || !captions.includes('')) return encoded;
      const nul = this.params.get('nullCaption').expandDims(0);
      const rows = tf.unstack(encoded).map((row, i) => (captions[i] === '' ? nul : row.expandDims(0)));
      return tf.concat(rows, 0) as tf.Tensor3D;
    });
  }

  /** The learned null caption [1, textLength, textWidth] (Open-Sora 1.2's y_embedding), or null if the model has none. */
  nullCaption(): tf.Tensor3D | null {
    return this.config.nullCaption ? tf.tidy(() => this.params.get('nullCaption').expandDims(0) as tf.Tensor3D) : null;
  }

  /** Attach the text-encoder outputs a model with external text conditions on; '' is its null caption. */
  useConditioning(conditioning: Conditioning, file = '<conditioning>'): void {
    if (hasBuiltinTextEncoder(this.config) || isClassConditional(this.config)) {
      throw new Error('useConditioning: this model has its own text encoder or class labels (textEncoder is not "external")');
    }
    if (conditioning.width !== this.config.textWidth || conditioning.length !== this.config.textLength) {
      throw new FormatError({ file, field: 'embeddings' }, `[N, ${this.config.textLength}, ${this.config.textWidth}] (the model's textLength, textWidth)`,
        `[N, ${conditioning.length}, ${conditioning.width}]`);
    }
    this.conditioning = { conditioning, file };
  }

  /**
   * The cross-attention key bias [B, L] of captions from the attached conditioning's masks; null without external
   * text. With a learned null caption, '' takes the mask of the first other caption of the call (as Open-Sora 1.2).
   */
  captionBias(captions: readonly string[]): tf.Tensor2D | null {
    if (!this.conditioning) return null;
    const c = this.conditioning;
    const l = this.config.textLength;
    const data = new Float32Array(captions.length * l);
    // Open-Sora 1.2 repeats the conditional caption's mask for its learned null caption; so does a nullCaption model here.
    const masked = this.config.nullCaption ? captions.find((cap) => cap !== '') : undefined;
    captions.forEach((caption, i) => {
      const mask = conditioningOf(c.conditioning, caption === '' && masked !== undefined ? masked : caption, c.file).mask;
      for (let k = 0; k < l; k++) data[i * l + k] = mask[k] > 0 ? 0 : -1e9;
    });
    return tf.tensor2d(data, [captions.length, l]);
  }

  private requireConditioning(): { conditioning: Conditioning; file: string } {
    if (!this.conditioning) {
      throw new Error('this model conditions on precomputed text-encoder outputs (textEncoder "external"): '
        + 'give a conditioning file of encoder outputs (--conditioning FILE; format in docs/formats.md)');
    }
    return this.conditioning;
  }

  /** Label embeddings [B, 1, D] of class indices (numClasses is the null class, as DiT drops labels for guidance). */
  encodeLabels(labels: readonly number[]): tf.Tensor3D {
    const n = this.config.numClasses;
    if (n === undefined) throw new Error('encodeLabels: this model is not class-conditional (no numClasses in config.json)');
    labels.forEach((l) => { if (!Number.isInteger(l) || l < 0 || l > n) throw new Error(`class label ${l}: expected 0..${n} (${n} = null)`); });
    return tf.tidy(() => tf.gather(this.params.get('labels.table'), tf.tensor1d(labels as number[], 'int32')).expandDims(1) as tf.Tensor3D);
  }

  /** Timestep embedding [B, D] of timesteps in model units (0..1000). */
  timestepEmbedding(t: tf.Tensor1D): tf.Tensor2D {
    return tf.tidy(() => timestepEmbedding(this.ops, this.config, t) as tf.Tensor2D);
  }

  /** Everything before the block stack: x [B, F, H, W, C], t [B] (model units), text [B, L, textWidth], optional key bias [B, L]. */
  embed(x: tf.Tensor, t: tf.Tensor1D, text: tf.Tensor3D, textBias?: tf.Tensor2D | null): EmbedOutput {
    return tf.tidy(() => {
      const e = embedStep(this.ops, this.config, this.plan, x, t, text);
      return { ...e, text: e.text === text ? tf.clone(text) : e.text, ...(textBias ? { textBias: tf.clone(textBias) } : {}) };
    }) as EmbedOutput;
  }

  /**
   * Run blocks [from, to) on hidden tokens [B, T, D]; block 0 reuses `e.modulated` when h is e.tokens.
   * Each block runs in its own tidy and the previous block's output is freed, so the peak memory is one
   * block's intermediates, not the whole stack's.
   */
  blocks(h: tf.Tensor3D, e: EmbedOutput, from = 0, to = this.config.depth): tf.Tensor3D {
    let x: tf.Tensor = h;
    const first = h === e.tokens ? e.modulated : undefined;
    for (let i = from; i < to; i++) {
      const input = x;
      x = tf.tidy(() => blockStep(this.ops, this.config, this.plan, i, input, e.condition, e.text, e.textBias, first));
      if (input !== h) input.dispose();
    }
    return (x === h ? tf.clone(h) : x) as tf.Tensor3D;
  }

  /** The whole block stack: its output [B, T, D]. */
  stack(e: EmbedOutput): tf.Tensor3D {
    return this.blocks(e.tokens, e);
  }

  /** Final adaLN, projection and unpatchify: the prediction [B, F, H, W, C]. */
  head(h: tf.Tensor3D, e: EmbedOutput): tf.Tensor {
    return tf.tidy(() => headStep(this.ops, this.config, h, e.condition, e.timestepEmbedding));
  }

  /** The prediction and, for a learned-sigma model, the variance channels after it: [B, F, H, W, outputChannels]. */
  headWithVariance(h: tf.Tensor3D, e: EmbedOutput): tf.Tensor {
    return tf.tidy(() => headStep(this.ops, this.config, h, e.condition, e.timestepEmbedding, true));
  }

  /** The full forward pass: prediction [B, F, H, W, C]. */
  forward(x: tf.Tensor, t: tf.Tensor1D, text: tf.Tensor3D, textBias?: tf.Tensor2D | null): tf.Tensor {
    return tf.tidy(() => {
      const e = this.embed(x, t, text, textBias);
      return this.head(this.stack(e), e);
    });
  }

  /** Free the model's tensors. */
  dispose(): void {
    this.params.dispose();
    this.ops.dispose();
  }
}

/** Dispose every tensor of an EmbedOutput. */
export function disposeEmbed(e: EmbedOutput): void {
  tf.dispose([e.noisyTokens, e.tokens, e.timestepEmbedding, e.modulated, e.condition, e.text, ...(e.textBias ? [e.textBias] : [])]);
}

/** Every parameter's shape a config implies, computed without allocating any tensor. */
export function parameterShapes(config: ModelConfig): Record<string, number[]> {
  const m = new DiffusionTransformer(config, { allocate: false });
  try {
    return m.params.expectedShapes();
  } finally {
    m.dispose();
  }
}
