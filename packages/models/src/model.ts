import * as tf from '@tensorflow/tfjs';
import { tokenCounts, type ModelConfig } from './config.js';
import { ParamStore } from './params.js';
import { blockPlan, declareBlock, type BlockPlan } from './blocks.js';
import { blockStep, embedStep, headStep, makeTables, timestepEmbedding } from './family.js';
import { declareLinear } from './layers.js';
import { TfOps } from './ops/tf-ops.js';
import { declareTextEncoder, encodeText, tokenize } from './text-encoder.js';

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
  /** Text tokens [B, L, textWidth]. */
  text: tf.Tensor3D;
}

export interface ModelOptions {
  /** Seed of the deterministic initialisation. */
  seed?: number;
  /**
   * adaLN-Zero style zero initialisation of gates and output layer (what training starts from). Off, every
   * layer gets small random values, so an untrained model's outputs already differ step to step.
   */
  zeroInit?: boolean;
}

/** A diffusion transformer of one of the four families, split into embed, stack and head. */
export class DiffusionTransformer {
  readonly params: ParamStore;
  readonly plan: BlockPlan[];
  readonly layout: { perFrame: number; total: number };
  /** The op set on tfjs over this model's parameters (holds the position tables). */
  readonly ops: TfOps;

  constructor(readonly config: ModelConfig, options: ModelOptions = {}) {
    const cfg = config;
    this.params = new ParamStore(options.seed ?? 0);
    this.plan = blockPlan(cfg.family, cfg.depth);
    this.layout = tokenCounts(cfg);
    const p = this.params;
    const d = cfg.hiddenSize;
    const patchDim = cfg.patchSize * cfg.patchSize * cfg.channels;
    const zero = options.zeroInit ?? true;
    declareTextEncoder(p, cfg);
    declareLinear(p, 'patch', patchDim, d);
    declareLinear(p, 'timestep.fc1', cfg.timestepFrequencies, d, 'normal', 0.02);
    declareLinear(p, 'timestep.fc2', d, d, 'normal', 0.02);
    if (cfg.family === 'dit') {
      declareLinear(p, 'textPool', cfg.textWidth, d);
      declareLinear(p, 'final.adaLN', d, 2 * d, zero ? 'zeros' : 'normal', 0.02);
    } else {
      declareLinear(p, 'timestep.single', d, 6 * d, 'normal', 0.02);
      p.declare('final.scaleShiftTable', { shape: [2, d], init: 'normal', std: 1 / Math.sqrt(d) });
    }
    this.plan.forEach((plan, i) => declareBlock(p, `blocks.${i}`, plan, d, Math.round(d * cfg.mlpRatio), cfg.textWidth));
    declareLinear(p, 'final.linear', d, patchDim, zero ? 'zeros' : 'xavier');
    if (!zero) this.randomiseZeroInits();
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

  /** Text tokens for captions [B, L, textWidth]; constant over sampling steps, so encode once per run. */
  encodeCaptions(captions: readonly string[]): tf.Tensor3D {
    return tf.tidy(() => encodeText(this.params, this.config, this.tokenize(captions)));
  }

  /** Timestep embedding [B, D] of timesteps in model units (0..1000). */
  timestepEmbedding(t: tf.Tensor1D): tf.Tensor2D {
    return tf.tidy(() => timestepEmbedding(this.ops, this.config, t) as tf.Tensor2D);
  }

  /** Everything before the block stack: x [B, F, H, W, C], t [B] (model units), text [B, L, textWidth]. */
  embed(x: tf.Tensor, t: tf.Tensor1D, text: tf.Tensor3D): EmbedOutput {
    return tf.tidy(() => {
      const e = embedStep(this.ops, this.config, this.plan, x, t, text);
      return { ...e, text: tf.clone(text) };
    }) as EmbedOutput;
  }

  /** Run blocks [from, to) on hidden tokens [B, T, D]; block 0 reuses `e.modulated` when h is e.tokens. */
  blocks(h: tf.Tensor3D, e: EmbedOutput, from = 0, to = this.config.depth): tf.Tensor3D {
    return tf.tidy(() => {
      let x: tf.Tensor = h;
      const first = h === e.tokens ? e.modulated : undefined;
      for (let i = from; i < to; i++) x = blockStep(this.ops, this.config, this.plan, i, x, e.condition, e.text, first);
      return x as tf.Tensor3D;
    });
  }

  /** The whole block stack: its output [B, T, D]. */
  stack(e: EmbedOutput): tf.Tensor3D {
    return this.blocks(e.tokens, e);
  }

  /** Final adaLN, projection and unpatchify: the prediction [B, F, H, W, C]. */
  head(h: tf.Tensor3D, e: EmbedOutput): tf.Tensor {
    return tf.tidy(() => headStep(this.ops, this.config, h, e.condition, e.timestepEmbedding));
  }

  /** The full forward pass: prediction [B, F, H, W, C]. */
  forward(x: tf.Tensor, t: tf.Tensor1D, text: tf.Tensor3D): tf.Tensor {
    return tf.tidy(() => {
      const e = this.embed(x, t, text);
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
  tf.dispose([e.noisyTokens, e.tokens, e.timestepEmbedding, e.modulated, e.condition, e.text]);
}
