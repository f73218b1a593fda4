import * as tf from '@tensorflow/tfjs';
import { tokenCounts, type ModelConfig } from './config.js';
import { checkModelFits } from './memory-limit.js';
import { ParamStore } from './params.js';
import { blockModulation, blockPlan, declareBlock, modulatedInput, runBlock, type BlockPlan, type TokenLayout } from './blocks.js';
import { declareLinear, layerNorm, linear, modulate, patchify, silu, sincos1d, sincos2d, timestepFeatures, unpatchify } from './layers.js';
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
  private readonly posEmbed: tf.Tensor2D;
  private readonly temporalPos: tf.Tensor2D | null;

  constructor(readonly config: ModelConfig, options: ModelOptions = {}) {
    const cfg = config;
    // Before any tensor: a config too large for the backend must fail with the field named, not exhaust memory.
    checkModelFits(cfg);
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
    const gh = cfg.height / cfg.patchSize;
    const gw = cfg.width / cfg.patchSize;
    const spatial = sincos2d(gh, gw, d);
    const pos = new Float32Array(this.layout.total * d);
    // Open-Sora and Open-Sora-Plan style models add a temporal position to every token at embedding time;
    // Latte adds it before its first temporal block.
    const temporal = sincos1d(cfg.frames, d);
    for (let f = 0; f < cfg.frames; f++) {
      for (let n = 0; n < this.layout.perFrame; n++) {
        for (let k = 0; k < d; k++) {
          const addT = cfg.family === 'stdit' || cfg.family === 'osp' ? temporal[f * d + k] : 0;
          pos[(f * this.layout.perFrame + n) * d + k] = spatial[n * d + k] + addT;
        }
      }
    }
    this.posEmbed = tf.keep(tf.tensor2d(pos, [this.layout.total, d]));
    this.temporalPos = cfg.family === 'latte'
      ? tf.keep(tf.tensor(temporal, [1, cfg.frames, 1, d]).tile([1, 1, this.layout.perFrame, 1]).reshape([this.layout.total, d]) as tf.Tensor2D)
      : null;
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
    const h = linear(this.params, 'timestep.fc1', timestepFeatures(t, this.config.timestepFrequencies));
    return linear(this.params, 'timestep.fc2', silu(h)) as tf.Tensor2D;
  }

  /** Everything before the block stack: x [B, F, H, W, C], t [B] (model units), text [B, L, textWidth]. */
  embed(x: tf.Tensor, t: tf.Tensor1D, text: tf.Tensor3D): EmbedOutput {
    return tf.tidy(() => {
      const p = this.params;
      const noisyTokens = patchify(x, this.config.patchSize);
      const tokens = tf.add(linear(p, 'patch', noisyTokens), this.posEmbed) as tf.Tensor3D;
      const temb = this.timestepEmbedding(t);
      const condition = (this.config.family === 'dit'
        ? tf.add(temb, linear(p, 'textPool', tf.mean(text, 1)))
        : linear(p, 'timestep.single', silu(temb))) as tf.Tensor2D;
      const m0 = blockModulation(p, 'blocks.0', this.plan[0], condition);
      const modulated = modulatedInput(tokens, m0) as tf.Tensor3D;
      return { noisyTokens, tokens, timestepEmbedding: temb, modulated, condition, text: tf.clone(text) };
    }) as EmbedOutput;
  }

  /** Run blocks [from, to) on hidden tokens [B, T, D]; block 0 reuses `e.modulated` when h is e.tokens. */
  blocks(h: tf.Tensor3D, e: EmbedOutput, from = 0, to = this.config.depth): tf.Tensor3D {
    return tf.tidy(() => {
      const layout: TokenLayout = {
        batch: h.shape[0], frames: this.config.frames, perFrame: this.layout.perFrame,
        hidden: this.config.hiddenSize, heads: this.config.heads,
      };
      let x: tf.Tensor = h;
      for (let i = from; i < to; i++) {
        const plan = this.plan[i];
        if (this.temporalPos && plan.scope === 'temporal' && i === 1) x = tf.add(x, this.temporalPos);
        const m = blockModulation(this.params, `blocks.${i}`, plan, e.condition);
        const first = i === 0 && h === e.tokens ? e.modulated : undefined;
        x = runBlock(this.params, `blocks.${i}`, plan, x, m, e.text, layout, first);
      }
      return x as tf.Tensor3D;
    });
  }

  /** The whole block stack: its output [B, T, D]. */
  stack(e: EmbedOutput): tf.Tensor3D {
    return this.blocks(e.tokens, e);
  }

  /** Final adaLN, projection and unpatchify: the prediction [B, F, H, W, C]. */
  head(h: tf.Tensor3D, e: EmbedOutput): tf.Tensor {
    return tf.tidy(() => {
      const p = this.params;
      const d = this.config.hiddenSize;
      let shift: tf.Tensor;
      let scale: tf.Tensor;
      if (this.config.family === 'dit') {
        [shift, scale] = tf.split(linear(p, 'final.adaLN', silu(e.condition)).reshape([-1, 2, d]), 2, 1);
      } else {
        [shift, scale] = tf.split(tf.add(p.get('final.scaleShiftTable'), e.timestepEmbedding.reshape([-1, 1, d])), 2, 1);
      }
      const out = linear(p, 'final.linear', modulate(layerNorm(h), shift, scale));
      const c = this.config;
      return unpatchify(out, c.patchSize, c.frames, c.height, c.width, c.channels);
    });
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
    this.posEmbed.dispose();
    this.temporalPos?.dispose();
  }
}

/** Dispose every tensor of an EmbedOutput. */
export function disposeEmbed(e: EmbedOutput): void {
  tf.dispose([e.noisyTokens, e.tokens, e.timestepEmbedding, e.modulated, e.condition, e.text]);
}
