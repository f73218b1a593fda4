import type { ModelConfig } from '../config.js';
import type { MappingRow, NamingTable } from './table.js';
import { blockCount, needShape, type CheckpointConverter, type CheckpointShapes, type ConvertOptions } from './converter.js';

/** A linear layer: weight transposed, bias copied (each: repeated over the blocks). */
function linearRows(to: string, from: string, each?: 'block'): MappingRow[] {
  return [
    { to: `${to}.weight`, from: [`${from}.weight`], layout: 'linear', each },
    { to: `${to}.bias`, from: [`${from}.bias`], layout: 'copy', each },
  ];
}

/** Two or three projections stacked into one fused toolkit layer (q, k, v → qkv; k, v → kv). */
function stackedRows(to: string, from: readonly string[]): MappingRow[] {
  return [
    { to: `${to}.weight`, from: from.map((f) => `${f}.weight`), layout: 'concat-linear', each: 'block' },
    { to: `${to}.bias`, from: from.map((f) => `${f}.bias`), layout: 'concat', each: 'block' },
  ];
}

const B = 'transformer_blocks.{k}';

/**
 * Open-Sora-Plan v1.3 (PKU-YuanGroup/Open-Sora-Plan v1.3.x, opensora/models/diffusion/opensora_v1_3/
 * modeling_opensora.py OpenSoraT2V_v1_3): diffusers-style names, as its released checkpoint holds them.
 */
const OSP13: NamingTable = {
  naming: 'original',
  marker: 'transformer_blocks.0.attn1.to_q.weight',
  rows: [
    { to: 'patch.weight', from: ['pos_embed.proj.weight'], layout: 'conv-patch' },
    { to: 'patch.bias', from: ['pos_embed.proj.bias'], layout: 'copy' },
    ...linearRows('timestep.fc1', 'adaln_single.emb.timestep_embedder.linear_1'),
    ...linearRows('timestep.fc2', 'adaln_single.emb.timestep_embedder.linear_2'),
    ...linearRows('timestep.single', 'adaln_single.linear'),
    ...linearRows('caption.fc1', 'caption_projection.linear_1'),
    ...linearRows('caption.fc2', 'caption_projection.linear_2'),
    { to: 'blocks.{b}.scaleShiftTable', from: [`${B}.scale_shift_table`], layout: 'copy', each: 'block' },
    ...stackedRows('blocks.{b}.attn.qkv', [`${B}.attn1.to_q`, `${B}.attn1.to_k`, `${B}.attn1.to_v`]),
    ...linearRows('blocks.{b}.attn.proj', `${B}.attn1.to_out.0`, 'block'),
    ...linearRows('blocks.{b}.cross.q', `${B}.attn2.to_q`, 'block'),
    ...stackedRows('blocks.{b}.cross.kv', [`${B}.attn2.to_k`, `${B}.attn2.to_v`]),
    ...linearRows('blocks.{b}.cross.proj', `${B}.attn2.to_out.0`, 'block'),
    ...linearRows('blocks.{b}.mlp.fc1', `${B}.ff.net.0.proj`, 'block'),
    ...linearRows('blocks.{b}.mlp.fc2', `${B}.ff.net.2`, 'block'),
    { to: 'final.scaleShiftTable', from: ['scale_shift_table'], layout: 'copy' },
    ...linearRows('final.linear', 'proj_out'),
  ],
  ignored: [],
};

/**
 * v1.3's released settings the weights do not record (OpenSoraT2V_v1_3-2B/122 and its sampling script):
 * attention_head_dim 96, sparse1d with sparse_n 4, interpolation scales 1; 93×352×640 video through
 * WF-VAE 4×8×8 → 24 latent frames of 44×80; mT5-XXL's 512 tokens.
 */
const RELEASED = { headDim: 96, sparseN: 4, frames: 24, height: 44, width: 80, textLength: 512 };

function configFor(ck: CheckpointShapes, _table: NamingTable, o: ConvertOptions): ModelConfig {
  const [d, channels, p] = needShape(ck, 'pos_embed.proj.weight', 4);
  const fc1 = needShape(ck, 'transformer_blocks.0.ff.net.0.proj.weight', 2);
  const tfc1 = needShape(ck, 'adaln_single.emb.timestep_embedder.linear_1.weight', 2);
  const caption = needShape(ck, 'caption_projection.linear_1.weight', 2);
  return {
    family: 'osp', hiddenSize: d, depth: blockCount(ck, 'transformer_blocks'),
    heads: o.heads ?? Math.max(1, Math.round(d / RELEASED.headDim)), mlpRatio: fc1[0] / d, patchSize: p,
    frames: o.frames ?? RELEASED.frames, height: o.height ?? RELEASED.height, width: o.width ?? RELEASED.width, channels,
    textWidth: caption[1], textLayers: 1, textHeads: 1, textLength: o.textLength ?? RELEASED.textLength, vocabulary: [],
    prediction: 'v', betaSchedule: 'linear', zeroTerminalSnr: true, sampler: 'euler-ancestral', timestepFrequencies: tfc1[1],
    latentSpace: true, textEncoder: 'external', captionProjection: true,
    spatialPositionEmbedding: 'none', temporalPositionEmbedding: false, rope3d: true,
    ...((o.skiparse ?? RELEASED.sparseN) >= 2 ? { skiparse: o.skiparse ?? RELEASED.sparseN, skiparseBlocks: [2, 30] as [number, number] } : {}),
  };
}

/** Open-Sora-Plan v1.3 text-to-video (OpenSoraT2V_v1_3, e.g. LanguageBind/Open-Sora-Plan-v1.3.0 any93x640x640). */
export const OPENSORA_PLAN13_CONVERTER: CheckpointConverter = {
  source: 'opensora-plan-1.3',
  title: 'Open-Sora-Plan v1.3 (PKU-YuanGroup/Open-Sora-Plan OpenSoraT2V_v1_3)',
  tables: [OSP13],
  configFor,
  repeats: (cfg) => cfg.depth,
};
