import type { ModelConfig } from './config.js';
import type { ParamStore } from './params.js';
import type { BlockPlan } from './blocks.js';
import { declareLinear, sincos1d } from './layers.js';
import { linear, silu, timestepFeatures } from './ops/nn.js';
import type { Ops } from './ops/ops.js';
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
export function fpsEmbedding<T>(o: Ops<T>, cfg: ModelConfig): T | null {
  if (cfg.fps === undefined) return null;
  const fps = o.constant('fps', [1], () => Float32Array.of(cfg.fps!));
  const h = linear(o, 'fps.fc1', timestepFeatures(o, fps, cfg.timestepFrequencies));
  return linear(o, 'fps.fc2', silu(o, h));
}

/** Whether any block's self-attention differs from the built-in one (qk-norm, RoPE, Skiparse). */
export function upstreamAttentionActive(cfg: ModelConfig): boolean {
  return !!cfg.qkNorm || !!cfg.temporalRope || !!cfg.rope3d || cfg.skiparse !== undefined;
}

/** The rotation table a block of this scope uses, made once per model as constants of the ops; null for none. */
function ropeFor<T>(o: Ops<T>, cfg: ModelConfig, scope: BlockPlan['scope']): RopeTable<T> | null {
  const dh = cfg.hiddenSize / cfg.heads;
  const [gh, gw] = [cfg.height / cfg.patchSize, cfg.width / cfg.patchSize];
  if (scope === 'temporal' && cfg.temporalRope) {
    const positions = Array.from({ length: cfg.frames }, (_, i) => i);
    return ropeTable(o, 'rope-temporal', () => ropeAngles(positions, dh, 'interleaved'), cfg.frames, dh, 'interleaved');
  }
  if (scope === 'full' && cfg.rope3d) {
    return ropeTable(o, 'rope-3d', () => rope3dAngles(cfg.frames, gh, gw, dh, cfg.ropeInterpolation), cfg.frames * gh * gw, dh, 'half-thirds');
  }
  return null;
}

/** Self-attention of block `index` on x [S, L, D] arranged for the block's scope, with the options' qk-norm, RoPE and Skiparse. */
export function upstreamSelfAttention<T>(o: Ops<T>, cfg: ModelConfig, name: string, plan: BlockPlan, x: T, index: number): T {
  const kind = cfg.skiparse !== undefined ? skiparseKindOf(index, cfg.skiparseBlocks) : null;
  const extras: AttentionExtras<T> = {
    qkNorm: !!cfg.qkNorm,
    rope: ropeFor(o, cfg, plan.scope),
    skiparse: kind ? { kind, k: cfg.skiparse! } : null,
  };
  return selfAttentionWith(o, `${name}.attn`, x, cfg.heads, extras);
}
