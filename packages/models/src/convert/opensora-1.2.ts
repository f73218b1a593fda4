import type { ModelConfig } from '../config.js';
import type { MappingRow, NamingTable } from './table.js';
import { blockCount, needShape, type CheckpointConverter, type CheckpointShapes, type ConvertOptions } from './converter.js';

/** The rows of one STDiT3 block; spatial_blocks.{k} become toolkit block 2k, temporal_blocks.{k} block 2k+1. */
function blockRows(stack: 'spatial_blocks' | 'temporal_blocks'): MappingRow[] {
  const each = stack === 'spatial_blocks' ? 'spatial' : 'temporal';
  const b = `${stack}.{k}`;
  const pair = (to: string, from: string): MappingRow[] => [
    { to: `blocks.{b}.${to}.weight`, from: [`${b}.${from}.weight`], layout: 'linear', each },
    { to: `blocks.{b}.${to}.bias`, from: [`${b}.${from}.bias`], layout: 'copy', each },
  ];
  return [
    { to: 'blocks.{b}.scaleShiftTable', from: [`${b}.scale_shift_table`], layout: 'copy', each },
    ...pair('attn.qkv', 'attn.qkv'),
    { to: 'blocks.{b}.attn.qNorm.weight', from: [`${b}.attn.q_norm.weight`], layout: 'copy', each, when: 'qk-norm' },
    { to: 'blocks.{b}.attn.kNorm.weight', from: [`${b}.attn.k_norm.weight`], layout: 'copy', each, when: 'qk-norm' },
    ...pair('attn.proj', 'attn.proj'),
    ...pair('cross.q', 'cross_attn.q_linear'),
    ...pair('cross.kv', 'cross_attn.kv_linear'),
    ...pair('cross.proj', 'cross_attn.proj'),
    ...pair('mlp.fc1', 'mlp.fc1'),
    ...pair('mlp.fc2', 'mlp.fc2'),
  ];
}

/** A linear layer outside the blocks: weight transposed, bias copied. */
function linearRows(to: string, from: string): MappingRow[] {
  return [
    { to: `${to}.weight`, from: [`${from}.weight`], layout: 'linear' },
    { to: `${to}.bias`, from: [`${from}.bias`], layout: 'copy' },
  ];
}

/** Open-Sora 1.2's STDiT3 (hpcaitech/Open-Sora v1.2.0, opensora/models/stdit/stdit3.py): its own naming. */
const STDIT3: NamingTable = {
  naming: 'original',
  marker: 'temporal_blocks.0.attn.qkv.weight',
  rows: [
    { to: 'patch.weight', from: ['x_embedder.proj.weight'], layout: 'conv3d-patch' },
    { to: 'patch.bias', from: ['x_embedder.proj.bias'], layout: 'copy' },
    ...linearRows('timestep.fc1', 't_embedder.mlp.0'),
    ...linearRows('timestep.fc2', 't_embedder.mlp.2'),
    ...linearRows('fps.fc1', 'fps_embedder.mlp.0'),
    ...linearRows('fps.fc2', 'fps_embedder.mlp.2'),
    ...linearRows('timestep.single', 't_block.1'),
    ...linearRows('caption.fc1', 'y_embedder.y_proj.fc1'),
    ...linearRows('caption.fc2', 'y_embedder.y_proj.fc2'),
    { to: 'nullCaption', from: ['y_embedder.y_embedding'], layout: 'copy' },
    ...blockRows('spatial_blocks'),
    ...blockRows('temporal_blocks'),
    { to: 'final.scaleShiftTable', from: ['final_layer.scale_shift_table'], layout: 'copy' },
    ...linearRows('final.linear', 'final_layer.linear'),
  ],
  ignored: [
    { pattern: 'rope\\.freqs', why: 'the rotary frequency table 10000^(−2j/head width), fixed; the toolkit builds the same table' },
    { pattern: 'pos_embed\\.inv_freq', why: 'the fixed sine-cosine frequencies, recomputed from the config' },
  ],
};

/**
 * Open-Sora 1.2's released settings the weights do not record: its inference defaults (240p 16:9, 51 frames at
 * 24 fps → 15 latent frames of 30×54 through its VAE, 17 frames → 5 and 8× spatially), input_sq_size 512,
 * T5-XXL's 300 tokens.
 */
const RELEASED = { frames: 15, height: 30, width: 54, fps: 24, imageFps: 120, vaeSpatial: 8, squareSize: 512, headDim: 72 };

/** Video frames the transform sees for a latent length (17 video frames → 5 latent; images: 1). */
function pixelFrames(latentFrames: number): number {
  return latentFrames === 1 ? 1 : Math.ceil(latentFrames / 5) * 17;
}

function configFor(ck: CheckpointShapes, _table: NamingTable, o: ConvertOptions): ModelConfig {
  const patch = needShape(ck, 'x_embedder.proj.weight', 5);
  const [d, channels, , p] = patch;
  const fc1 = needShape(ck, 'spatial_blocks.0.mlp.fc1.weight', 2);
  const tfc1 = needShape(ck, 't_embedder.mlp.0.weight', 2);
  const nul = needShape(ck, 'y_embedder.y_embedding', 2);
  const out = needShape(ck, 'final_layer.linear.weight', 2);
  const qNorm = ck.shape('spatial_blocks.0.attn.q_norm.weight');
  const frames = o.frames ?? RELEASED.frames;
  const height = o.height ?? RELEASED.height;
  const width = o.width ?? RELEASED.width;
  const [ph, pw] = [height * RELEASED.vaeSpatial, width * RELEASED.vaeSpatial];
  const vf = pixelFrames(frames);
  // Open-Sora 1.2's timestep transform ratio: √(pixels / 512²) · √(⌊video frames / 17⌋·5) for videos.
  const timeShift = Math.sqrt((ph * pw) / RELEASED.squareSize ** 2) * Math.sqrt(vf === 1 ? 1 : Math.floor(vf / 17) * 5);
  return {
    family: 'stdit', hiddenSize: d, depth: 2 * blockCount(ck, 'spatial_blocks'),
    heads: o.heads ?? (qNorm ? d / qNorm[0] : Math.max(1, Math.round(d / RELEASED.headDim))),
    mlpRatio: fc1[0] / d, patchSize: p, frames, height, width, channels,
    textWidth: nul[1], textLayers: 1, textHeads: 1, textLength: o.textLength ?? nul[0], vocabulary: [],
    prediction: 'velocity', velocityTarget: 'data-minus-noise', timeShift, timestepFrequencies: tfc1[1],
    latentSpace: true, textEncoder: 'external', captionProjection: true, nullCaption: true,
    qkNorm: qNorm !== undefined, temporalRope: true, temporalPositionEmbedding: false, positionFirstHalf: 'column',
    positionScale: Math.sqrt(ph * pw) / RELEASED.squareSize, positionBaseSize: Math.round(Math.sqrt((height / p) * (width / p))),
    fps: o.fps ?? (frames === 1 ? RELEASED.imageFps : RELEASED.fps),
    ...(out[0] === 2 * p * p * channels ? { learnSigma: true } : {}),
  };
}

/** Open-Sora 1.2 (hpcaitech/Open-Sora v1.2.0 STDiT3, e.g. hpcai-tech/OpenSora-STDiT-v3). */
export const OPENSORA12_CONVERTER: CheckpointConverter = {
  source: 'opensora-1.2',
  title: 'Open-Sora 1.2 (hpcaitech/Open-Sora STDiT3)',
  tables: [STDIT3],
  configFor,
  repeats: (cfg) => cfg.depth / 2,
};
