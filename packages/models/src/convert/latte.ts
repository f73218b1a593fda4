import type { ModelConfig } from '../config.js';
import type { MappingRow, NamingTable } from './table.js';
import { blockCount, needShape, type CheckpointConverter, type CheckpointShapes, type ConvertOptions } from './converter.js';

/** The rows one diffusers-style block contributes (self-attention q, k, v joined into the toolkit's qkv). */
function blockRows(stack: string, each: 'spatial' | 'temporal', cross: boolean): MappingRow[] {
  const b = `${stack}.{k}`;
  const rows: MappingRow[] = [
    { to: 'blocks.{b}.scaleShiftTable', from: [`${b}.scale_shift_table`], layout: 'copy', each },
    { to: 'blocks.{b}.attn.qkv.weight', from: [`${b}.attn1.to_q.weight`, `${b}.attn1.to_k.weight`, `${b}.attn1.to_v.weight`], layout: 'concat-linear', each },
    { to: 'blocks.{b}.attn.qkv.bias', from: [`${b}.attn1.to_q.bias`, `${b}.attn1.to_k.bias`, `${b}.attn1.to_v.bias`], layout: 'concat', each },
    { to: 'blocks.{b}.attn.proj.weight', from: [`${b}.attn1.to_out.0.weight`], layout: 'linear', each },
    { to: 'blocks.{b}.attn.proj.bias', from: [`${b}.attn1.to_out.0.bias`], layout: 'copy', each },
    { to: 'blocks.{b}.mlp.fc1.weight', from: [`${b}.ff.net.0.proj.weight`], layout: 'linear', each },
    { to: 'blocks.{b}.mlp.fc1.bias', from: [`${b}.ff.net.0.proj.bias`], layout: 'copy', each },
    { to: 'blocks.{b}.mlp.fc2.weight', from: [`${b}.ff.net.2.weight`], layout: 'linear', each },
    { to: 'blocks.{b}.mlp.fc2.bias', from: [`${b}.ff.net.2.bias`], layout: 'copy', each },
  ];
  if (cross) {
    rows.push(
      { to: 'blocks.{b}.cross.q.weight', from: [`${b}.attn2.to_q.weight`], layout: 'linear', each },
      { to: 'blocks.{b}.cross.q.bias', from: [`${b}.attn2.to_q.bias`], layout: 'copy', each },
      { to: 'blocks.{b}.cross.kv.weight', from: [`${b}.attn2.to_k.weight`, `${b}.attn2.to_v.weight`], layout: 'concat-linear', each },
      { to: 'blocks.{b}.cross.kv.bias', from: [`${b}.attn2.to_k.bias`, `${b}.attn2.to_v.bias`], layout: 'concat', each },
      { to: 'blocks.{b}.cross.proj.weight', from: [`${b}.attn2.to_out.0.weight`], layout: 'linear', each },
      { to: 'blocks.{b}.cross.proj.bias', from: [`${b}.attn2.to_out.0.bias`], layout: 'copy', each },
    );
  }
  return rows;
}

/**
 * Latte-1 (Vchitect/Latte `models/latte_t2v.py`, LatteT2V): its names are diffusers' (the class is built
 * from diffusers blocks), and diffusers' own LatteTransformer3DModel keeps them, so one table serves both.
 */
const LATTE_T2V: NamingTable = {
  naming: 'original',
  marker: 'temporal_transformer_blocks.0.attn1.to_q.weight',
  rows: [
    { to: 'patch.weight', from: ['pos_embed.proj.weight'], layout: 'conv-patch' },
    { to: 'patch.bias', from: ['pos_embed.proj.bias'], layout: 'copy' },
    { to: 'timestep.fc1.weight', from: ['adaln_single.emb.timestep_embedder.linear_1.weight'], layout: 'linear' },
    { to: 'timestep.fc1.bias', from: ['adaln_single.emb.timestep_embedder.linear_1.bias'], layout: 'copy' },
    { to: 'timestep.fc2.weight', from: ['adaln_single.emb.timestep_embedder.linear_2.weight'], layout: 'linear' },
    { to: 'timestep.fc2.bias', from: ['adaln_single.emb.timestep_embedder.linear_2.bias'], layout: 'copy' },
    { to: 'timestep.single.weight', from: ['adaln_single.linear.weight'], layout: 'linear' },
    { to: 'timestep.single.bias', from: ['adaln_single.linear.bias'], layout: 'copy' },
    { to: 'caption.fc1.weight', from: ['caption_projection.linear_1.weight'], layout: 'linear' },
    { to: 'caption.fc1.bias', from: ['caption_projection.linear_1.bias'], layout: 'copy' },
    { to: 'caption.fc2.weight', from: ['caption_projection.linear_2.weight'], layout: 'linear' },
    { to: 'caption.fc2.bias', from: ['caption_projection.linear_2.bias'], layout: 'copy' },
    ...blockRows('transformer_blocks', 'spatial', true),
    ...blockRows('temporal_transformer_blocks', 'temporal', false),
    { to: 'final.scaleShiftTable', from: ['scale_shift_table'], layout: 'copy' },
    { to: 'final.linear.weight', from: ['proj_out.weight'], layout: 'linear' },
    { to: 'final.linear.bias', from: ['proj_out.bias'], layout: 'copy' },
  ],
  ignored: [
    { pattern: 'caption_projection\\.y_embedding', why: "PixArt's learned null caption, which Latte-1's pipeline does not use (it encodes the negative prompt)" },
    { pattern: 'pos_embed\\.pos_embed|temp_pos_embed', why: 'fixed sin-cos position embeddings, recomputed from the config' },
  ],
};

/** Latte-1's released settings not recorded in its weights (its transformer config.json). */
const RELEASED = { headDim: 72, frames: 16, size: 64, textLength: 120 };

function configFor(ck: CheckpointShapes, _table: NamingTable, o: ConvertOptions): ModelConfig {
  const [d, channels, patch] = needShape(ck, 'pos_embed.proj.weight', 4);
  const fc1 = needShape(ck, 'transformer_blocks.0.ff.net.0.proj.weight', 2);
  const tfc1 = needShape(ck, 'adaln_single.emb.timestep_embedder.linear_1.weight', 2);
  const caption = needShape(ck, 'caption_projection.linear_1.weight', 2);
  const out = needShape(ck, 'proj_out.weight', 2);
  const height = o.height ?? RELEASED.size;
  return {
    family: 'latte', hiddenSize: d, depth: 2 * blockCount(ck, 'transformer_blocks'), heads: o.heads ?? Math.max(1, Math.round(d / RELEASED.headDim)),
    mlpRatio: fc1[0] / d, patchSize: patch, frames: o.frames ?? RELEASED.frames, height, width: o.width ?? height, channels,
    textWidth: caption[1], textLayers: 1, textHeads: 1, textLength: o.textLength ?? RELEASED.textLength, vocabulary: [],
    prediction: 'epsilon', betaSchedule: 'linear', timestepFrequencies: tfc1[1],
    positionFirstHalf: 'column', latentSpace: true, textEncoder: 'external', captionProjection: true,
    ...(out[0] === 2 * patch * patch * channels ? { learnSigma: true } : {}),
  };
}

/** Latte-1 text-to-video (Vchitect/Latte LatteT2V, or diffusers' LatteTransformer3DModel). */
export const LATTE1_CONVERTER: CheckpointConverter = {
  source: 'latte-1',
  title: 'Latte-1 (Vchitect/Latte LatteT2V)',
  tables: [LATTE_T2V],
  configFor,
  repeats: (cfg) => cfg.depth / 2,
};
