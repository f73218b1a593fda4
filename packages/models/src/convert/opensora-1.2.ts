import type { ModelConfig } from '../config.js';
import { linearWeight, patchChannelRows, patchConvWeight, pick, type SourceTensor } from './tensor-layout.js';

/**
 * Open-Sora 1.2 (hpcaitech/Open-Sora v1.2.0, opensora/models/stdit/stdit3.py STDiT3) → the toolkit's `stdit`
 * family. The mapping is data: upstream name (with {i} for a block index) → toolkit name and how the values move.
 */
export type Move = 'linear' | 'copy' | 'patch' | 'final-linear' | 'final-bias';

/** Per-block tensors: upstream suffix → toolkit suffix; spatial_blocks.{i} → blocks.{2i}, temporal_blocks.{i} → blocks.{2i+1}. */
export const OPENSORA_12_BLOCK: ReadonlyArray<readonly [string, string, Move]> = [
  ['scale_shift_table', 'scaleShiftTable', 'copy'],
  ['attn.qkv.weight', 'attn.qkv.weight', 'linear'], ['attn.qkv.bias', 'attn.qkv.bias', 'copy'],
  ['attn.q_norm.weight', 'attn.qNorm.weight', 'copy'], ['attn.k_norm.weight', 'attn.kNorm.weight', 'copy'],
  ['attn.proj.weight', 'attn.proj.weight', 'linear'], ['attn.proj.bias', 'attn.proj.bias', 'copy'],
  ['cross_attn.q_linear.weight', 'cross.q.weight', 'linear'], ['cross_attn.q_linear.bias', 'cross.q.bias', 'copy'],
  ['cross_attn.kv_linear.weight', 'cross.kv.weight', 'linear'], ['cross_attn.kv_linear.bias', 'cross.kv.bias', 'copy'],
  ['cross_attn.proj.weight', 'cross.proj.weight', 'linear'], ['cross_attn.proj.bias', 'cross.proj.bias', 'copy'],
  ['mlp.fc1.weight', 'mlp.fc1.weight', 'linear'], ['mlp.fc1.bias', 'mlp.fc1.bias', 'copy'],
  ['mlp.fc2.weight', 'mlp.fc2.weight', 'linear'], ['mlp.fc2.bias', 'mlp.fc2.bias', 'copy'],
];

/** Tensors outside the blocks: upstream name → toolkit name and move. */
export const OPENSORA_12_TOP: ReadonlyArray<readonly [string, string, Move]> = [
  ['x_embedder.proj.weight', 'patch.weight', 'patch'], ['x_embedder.proj.bias', 'patch.bias', 'copy'],
  ['t_embedder.mlp.0.weight', 'timestep.fc1.weight', 'linear'], ['t_embedder.mlp.0.bias', 'timestep.fc1.bias', 'copy'],
  ['t_embedder.mlp.2.weight', 'timestep.fc2.weight', 'linear'], ['t_embedder.mlp.2.bias', 'timestep.fc2.bias', 'copy'],
  ['fps_embedder.mlp.0.weight', 'fps.fc1.weight', 'linear'], ['fps_embedder.mlp.0.bias', 'fps.fc1.bias', 'copy'],
  ['fps_embedder.mlp.2.weight', 'fps.fc2.weight', 'linear'], ['fps_embedder.mlp.2.bias', 'fps.fc2.bias', 'copy'],
  ['t_block.1.weight', 'timestep.single.weight', 'linear'], ['t_block.1.bias', 'timestep.single.bias', 'copy'],
  ['y_embedder.y_proj.fc1.weight', 'caption.fc1.weight', 'linear'], ['y_embedder.y_proj.fc1.bias', 'caption.fc1.bias', 'copy'],
  ['y_embedder.y_proj.fc2.weight', 'caption.fc2.weight', 'linear'], ['y_embedder.y_proj.fc2.bias', 'caption.fc2.bias', 'copy'],
  ['y_embedder.y_embedding', 'nullCaption', 'copy'],
  ['final_layer.scale_shift_table', 'final.scaleShiftTable', 'copy'],
  ['final_layer.linear.weight', 'final.linear.weight', 'final-linear'], ['final_layer.linear.bias', 'final.linear.bias', 'final-bias'],
];

/** Upstream tensors that are fixed tables, checked but not placed. */
export const OPENSORA_12_CHECKED = ['rope.freqs'] as const;

/** The video the converted model is sized for (the checkpoint does not say): latent frames and grid, and its conditioning. */
export interface OpenSora12Options {
  /** Latent frames, height and width (the VAE's output; Open-Sora 1.2's VAE: 17 video frames → 5, 8× spatially). */
  frames: number;
  height: number;
  width: number;
  /** Frame rate the model is conditioned on (Open-Sora 1.2's inference default 24; 120 for images). */
  fps?: number;
  /** Video pixels per latent pixel (default 8) and video frames (default ⌈frames/5⌉·17, 1 for images). */
  vaeSpatial?: number;
  pixelFrames?: number;
  /** STDiT3's input_sq_size (default 512, the released models'). */
  inputSquareSize?: number;
  /** Attention heads; read from the qk-norm scales' width when the checkpoint has them (STDiT3-XL/2: 16). */
  heads?: number;
}

/** What a conversion produced: the toolkit config, its tensors by toolkit name, and every problem found. */
export interface Conversion {
  config: ModelConfig;
  tensors: Map<string, Float32Array>;
  /** Upstream tensors no rule placed. */
  unplaced: string[];
  /** Missing tensors, wrong shapes and other problems, one line each. */
  problems: string[];
}

function shapeOf(src: ReadonlyMap<string, SourceTensor>, name: string): number[] | undefined {
  return src.get(name)?.shape;
}

/** The toolkit config a checkpoint implies; sizes the checkpoint cannot tell come from options. */
export function openSora12Config(src: ReadonlyMap<string, SourceTensor>, o: OpenSora12Options, problems: string[]): ModelConfig {
  const patch = shapeOf(src, 'x_embedder.proj.weight') ?? [0, 0, 1, 0, 0];
  const [hidden, channels] = patch;
  const p = patch[3];
  const depth = [...src.keys()].filter((n) => /^spatial_blocks\.\d+\.scale_shift_table$/.test(n)).length;
  const qNorm = shapeOf(src, 'spatial_blocks.0.attn.q_norm.weight');
  const heads = o.heads ?? (qNorm ? hidden / qNorm[0] : 0);
  if (!heads || !Number.isInteger(heads)) problems.push('heads: not readable from the checkpoint (no qk-norm scales); give the heads option');
  const fc1 = shapeOf(src, 'spatial_blocks.0.mlp.fc1.weight') ?? [0];
  const nul = shapeOf(src, 'y_embedder.y_embedding') ?? [0, 0];
  const tFreq = shapeOf(src, 't_embedder.mlp.0.weight') ?? [0, 0];
  const gh = o.height / p;
  const gw = o.width / p;
  const vae = o.vaeSpatial ?? 8;
  const pixelH = o.height * vae;
  const pixelW = o.width * vae;
  const pixelFrames = o.pixelFrames ?? (o.frames === 1 ? 1 : Math.ceil(o.frames / 5) * 17);
  const framesFactor = pixelFrames === 1 ? 1 : Math.floor(pixelFrames / 17) * 5;
  const square = o.inputSquareSize ?? 512;
  return {
    family: 'stdit', hiddenSize: hidden, depth: 2 * depth, heads, mlpRatio: fc1[0] / hidden, patchSize: p,
    frames: o.frames, height: o.height, width: o.width, channels,
    // The toolkit's own text encoder is unused with real encoder outputs; kept minimal so the directory loads.
    textWidth: nul[1], textLayers: 1, textHeads: 1, textLength: nul[0], vocabulary: ['<pad>', '<unk>'],
    prediction: 'velocity', velocityTarget: 'data-minus-noise', timestepFrequencies: tFreq[1],
    qkNorm: qNorm !== undefined, temporalRope: true, temporalPositionEmbedding: false, positionOrder: 'wh',
    positionScale: Math.sqrt(pixelH * pixelW) / square, positionBaseSize: Math.round(Math.sqrt(gh * gw)),
    fps: o.fps ?? (o.frames === 1 ? 120 : 24), captionProjection: true, nullCaption: true,
    timeShift: Math.sqrt((pixelH * pixelW) / (512 * 512)) * Math.sqrt(Math.max(framesFactor, 1)),
  };
}

/** Standard rotary frequencies θ^(−2j/dim) of RotaryEmbedding(dim) (θ = 10000), as STDiT3 builds them. */
function ropeFreqs(dim: number): Float32Array {
  return Float32Array.from({ length: dim / 2 }, (_, j) => 1 / Math.pow(10000, (2 * j) / dim));
}

/** Convert an Open-Sora 1.2 STDiT3 state dict; nothing is thrown, every problem is listed. */
export function convertOpenSora12(src: ReadonlyMap<string, SourceTensor>, o: OpenSora12Options): Conversion {
  const problems: string[] = [];
  const config = openSora12Config(src, o, problems);
  const tensors = new Map<string, Float32Array>();
  const placed = new Set<string>();
  const c = config.channels;
  const outRows = (shapeOf(src, 'final_layer.linear.weight') ?? [0])[0];
  const outChannels = outRows / (config.patchSize * config.patchSize);
  if (outChannels !== c && outChannels !== 2 * c) problems.push(`final_layer.linear.weight: ${outRows} outputs, expected ${config.patchSize ** 2}×${c} or ×${2 * c} (learned sigma)`);
  const rows = patchChannelRows(config.patchSize, outChannels, c);
  const move = (from: string, to: string, how: Move) => {
    const t = src.get(from);
    if (!t) { problems.push(`${from}: missing (for ${to})`); return; }
    placed.add(from);
    switch (how) {
      case 'linear': tensors.set(to, linearWeight(t)); break;
      case 'copy': tensors.set(to, t.data); break;
      case 'patch': tensors.set(to, patchConvWeight(t)); break;
      case 'final-linear': tensors.set(to, linearWeight(t, rows)); break;
      case 'final-bias': tensors.set(to, pick(t, rows)); break;
    }
  };
  for (const [from, to, how] of OPENSORA_12_TOP) move(from, to, how);
  for (let i = 0; i < config.depth / 2; i++) {
    for (const [from, to, how] of OPENSORA_12_BLOCK) {
      if (!config.qkNorm && from.includes('_norm.')) continue;
      move(`spatial_blocks.${i}.${from}`, `blocks.${2 * i}.${to}`, how);
      move(`temporal_blocks.${i}.${from}`, `blocks.${2 * i + 1}.${to}`, how);
    }
  }
  const freqs = src.get('rope.freqs');
  if (freqs) {
    placed.add('rope.freqs');
    const want = ropeFreqs(config.hiddenSize / config.heads);
    const worst = want.length === freqs.data.length ? Math.max(...want.map((v, j) => Math.abs(v - freqs.data[j]))) : Infinity;
    if (!(worst < 1e-6)) problems.push(`rope.freqs: not the standard rotary table θ = 10000 for head width ${want.length * 2} (the toolkit builds that table itself)`);
  }
  const unplaced = [...src.keys()].filter((n) => !placed.has(n)).sort();
  return { config, tensors, unplaced, problems };
}
