import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from './config.js';
import type { ParamStore } from './params.js';
import type { BlockPlan } from './blocks.js';
import { declareLinear, linear, silu, sincos1d, timestepFeatures } from './layers.js';
import { declareQkNorm, selfAttentionWith, type AttentionExtras } from './attention-ext.js';
import { rope3dAngles, ropeAngles, ropeTable, type RopeTable } from './rope.js';
import { skiparseKindOf } from './skiparse.js';

/** Sine-cosine features [n, dim] of arbitrary (fractional) positions: sin of dim/2 frequencies, then cos. */
export function sincosAt(positions: ArrayLike<number>, dim: number): Float32Array {
  const out = new Float32Array(positions.length * dim);
  const half = dim / 2;
  for (let n = 0; n < positions.length; n++) {
    for (let i = 0; i < half; i++) {
      const a = positions[n] * (1 / Math.pow(10000, i / half));
      out[n * dim + i] = Math.sin(a);
      out[n * dim + half + i] = Math.cos(a);
    }
  }
  return out;
}

/** The additive position embedding [frames·perFrame·hidden] the options ask for (built-in defaults otherwise). */
export function positionTable(cfg: ModelConfig): Float32Array {
  const d = cfg.hiddenSize;
  const gh = cfg.height / cfg.patchSize;
  const gw = cfg.width / cfg.patchSize;
  const perFrame = gh * gw;
  const out = new Float32Array(cfg.frames * perFrame * d);
  const temporalOn = (cfg.family === 'stdit' || cfg.family === 'osp') && (cfg.temporalPositionEmbedding ?? true);
  const spatialOn = (cfg.spatialPositionEmbedding ?? 'sincos') === 'sincos';
  const scale = cfg.positionScale ?? 1;
  const axis = (n: number) => Array.from({ length: n }, (_, i) => (i / scale) * (cfg.positionBaseSize !== undefined ? cfg.positionBaseSize / n : 1));
  const rows = sincosAt(axis(gh), d / 2);
  const cols = sincosAt(axis(gw), d / 2);
  const [first, second, firstOf] = (cfg.positionFirstHalf ?? 'row') === 'row'
    ? [rows, cols, (y: number, _x: number) => [y, _x]] as const
    : [cols, rows, (y: number, x: number) => [x, y]] as const;
  const temporal = temporalOn ? sincos1d(cfg.frames, d) : null;
  for (let f = 0; f < cfg.frames; f++) {
    for (let y = 0; y < gh; y++) {
      for (let x = 0; x < gw; x++) {
        const o = ((f * gh + y) * gw + x) * d;
        const [a, b] = firstOf(y, x);
        for (let k = 0; k < d / 2; k++) {
          out[o + k] = spatialOn ? first[a * d / 2 + k] : 0;
          out[o + d / 2 + k] = spatialOn ? second[b * d / 2 + k] : 0;
        }
        if (temporal) for (let k = 0; k < d; k++) out[o + k] += temporal[f * d + k];
      }
    }
  }
  return out;
}

/** Declare the parameters the upstream options add (fps embedder, null caption, qk-norm scales). */
export function declareUpstream(p: ParamStore, cfg: ModelConfig, plan: readonly BlockPlan[]): void {
  const d = cfg.hiddenSize;
  if (cfg.fps !== undefined) {
    declareLinear(p, 'fps.fc1', cfg.timestepFrequencies, d, 'normal', 0.02);
    declareLinear(p, 'fps.fc2', d, d, 'normal', 0.02);
  }
  if (cfg.nullCaption) p.declare('nullCaption', { shape: [cfg.textLength, cfg.textWidth], init: 'normal', std: 1 / Math.sqrt(cfg.textWidth) });
  if (cfg.qkNorm) plan.forEach((_, i) => declareQkNorm(p, `blocks.${i}.attn`, d / cfg.heads));
}

/** The fps embedding [1, D] added to the timestep embedding, or null without fps conditioning. */
export function fpsEmbedding(p: ParamStore, cfg: ModelConfig): tf.Tensor2D | null {
  if (cfg.fps === undefined) return null;
  const h = linear(p, 'fps.fc1', timestepFeatures(tf.tensor1d([cfg.fps]), cfg.timestepFrequencies));
  return linear(p, 'fps.fc2', silu(h)) as tf.Tensor2D;
}

/** Self-attention of each block with the options' qk-norm, RoPE and Skiparse; builds its rotation tables on first use. */
export class UpstreamAttention {
  private tables: { temporal: RopeTable | null; full: RopeTable | null } | null = null;

  constructor(private readonly cfg: ModelConfig) {}

  /** The rotation tables (kept until dispose); made lazily so a model built only to list its shapes allocates none. */
  private rope(): { temporal: RopeTable | null; full: RopeTable | null } {
    if (this.tables) return this.tables;
    const cfg = this.cfg;
    const dh = cfg.hiddenSize / cfg.heads;
    const [gh, gw] = [cfg.height / cfg.patchSize, cfg.width / cfg.patchSize];
    const positions = Array.from({ length: cfg.frames }, (_, i) => i);
    const keep = (t: RopeTable) => ({ ...t, cos: tf.keep(t.cos), sin: tf.keep(t.sin) });
    this.tables = {
      temporal: cfg.temporalRope ? keep(ropeTable(ropeAngles(positions, dh, 'interleaved'), cfg.frames, dh, 'interleaved')) : null,
      full: cfg.rope3d ? keep(ropeTable(rope3dAngles(cfg.frames, gh, gw, dh, cfg.ropeInterpolation), cfg.frames * gh * gw, dh, 'half-thirds')) : null,
    };
    return this.tables;
  }

  /** Whether any block's self-attention differs from the built-in one. */
  get active(): boolean {
    return !!this.cfg.qkNorm || !!this.cfg.temporalRope || !!this.cfg.rope3d || this.cfg.skiparse !== undefined;
  }

  /** Self-attention of block `name` on x [S, L, D] arranged for the block's scope. */
  run(p: ParamStore, name: string, plan: BlockPlan, x: tf.Tensor, index: number): tf.Tensor {
    const kind = this.cfg.skiparse !== undefined ? skiparseKindOf(index, this.cfg.skiparseBlocks) : null;
    const extras: AttentionExtras = {
      qkNorm: !!this.cfg.qkNorm,
      rope: plan.scope === 'temporal' ? this.rope().temporal : plan.scope === 'full' ? this.rope().full : null,
      skiparse: kind ? { kind, k: this.cfg.skiparse! } : null,
    };
    return selfAttentionWith(p, `${name}.attn`, x, this.cfg.heads, extras);
  }

  dispose(): void {
    for (const t of [this.tables?.temporal, this.tables?.full]) if (t) tf.dispose([t.cos, t.sin]);
    this.tables = null;
  }
}
