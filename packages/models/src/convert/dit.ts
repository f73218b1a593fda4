import type { ModelConfig } from '../config.js';
import type { NamingTable } from './table.js';
import { blockCount, needShape, type CheckpointConverter, type ConvertOptions, type CheckpointShapes } from './converter.js';

/** facebookresearch/DiT `models.py` state dict names. */
const ORIGINAL: NamingTable = {
  naming: 'original',
  marker: 'x_embedder.proj.weight',
  rows: [
    { to: 'patch.weight', from: ['x_embedder.proj.weight'], layout: 'conv-patch' },
    { to: 'patch.bias', from: ['x_embedder.proj.bias'], layout: 'copy' },
    { to: 'timestep.fc1.weight', from: ['t_embedder.mlp.0.weight'], layout: 'linear' },
    { to: 'timestep.fc1.bias', from: ['t_embedder.mlp.0.bias'], layout: 'copy' },
    { to: 'timestep.fc2.weight', from: ['t_embedder.mlp.2.weight'], layout: 'linear' },
    { to: 'timestep.fc2.bias', from: ['t_embedder.mlp.2.bias'], layout: 'copy' },
    { to: 'labels.table', from: ['y_embedder.embedding_table.weight'], layout: 'copy' },
    { to: 'blocks.{b}.adaLN.weight', from: ['blocks.{k}.adaLN_modulation.1.weight'], layout: 'linear', each: 'block' },
    { to: 'blocks.{b}.adaLN.bias', from: ['blocks.{k}.adaLN_modulation.1.bias'], layout: 'copy', each: 'block' },
    { to: 'blocks.{b}.attn.qkv.weight', from: ['blocks.{k}.attn.qkv.weight'], layout: 'linear', each: 'block' },
    { to: 'blocks.{b}.attn.qkv.bias', from: ['blocks.{k}.attn.qkv.bias'], layout: 'copy', each: 'block' },
    { to: 'blocks.{b}.attn.proj.weight', from: ['blocks.{k}.attn.proj.weight'], layout: 'linear', each: 'block' },
    { to: 'blocks.{b}.attn.proj.bias', from: ['blocks.{k}.attn.proj.bias'], layout: 'copy', each: 'block' },
    { to: 'blocks.{b}.mlp.fc1.weight', from: ['blocks.{k}.mlp.fc1.weight'], layout: 'linear', each: 'block' },
    { to: 'blocks.{b}.mlp.fc1.bias', from: ['blocks.{k}.mlp.fc1.bias'], layout: 'copy', each: 'block' },
    { to: 'blocks.{b}.mlp.fc2.weight', from: ['blocks.{k}.mlp.fc2.weight'], layout: 'linear', each: 'block' },
    { to: 'blocks.{b}.mlp.fc2.bias', from: ['blocks.{k}.mlp.fc2.bias'], layout: 'copy', each: 'block' },
    { to: 'final.adaLN.weight', from: ['final_layer.adaLN_modulation.1.weight'], layout: 'linear' },
    { to: 'final.adaLN.bias', from: ['final_layer.adaLN_modulation.1.bias'], layout: 'copy' },
    { to: 'final.linear.weight', from: ['final_layer.linear.weight'], layout: 'linear' },
    { to: 'final.linear.bias', from: ['final_layer.linear.bias'], layout: 'copy' },
  ],
  ignored: [{ pattern: 'pos_embed', why: 'the fixed sin-cos position embedding, recomputed from the config (checked equal)', recomputed: 'position-2d' }],
};

const Q = 'transformer_blocks.{k}.attn1.to_';
/** diffusers' DiTTransformer2DModel names (each block carries its own copy of the timestep and label embedders). */
const DIFFUSERS: NamingTable = {
  naming: 'diffusers',
  marker: 'transformer_blocks.0.norm1.linear.weight',
  rows: [
    { to: 'patch.weight', from: ['pos_embed.proj.weight'], layout: 'conv-patch' },
    { to: 'patch.bias', from: ['pos_embed.proj.bias'], layout: 'copy' },
    { to: 'timestep.fc1.weight', from: ['transformer_blocks.0.norm1.emb.timestep_embedder.linear_1.weight'], layout: 'linear' },
    { to: 'timestep.fc1.bias', from: ['transformer_blocks.0.norm1.emb.timestep_embedder.linear_1.bias'], layout: 'copy' },
    { to: 'timestep.fc2.weight', from: ['transformer_blocks.0.norm1.emb.timestep_embedder.linear_2.weight'], layout: 'linear' },
    { to: 'timestep.fc2.bias', from: ['transformer_blocks.0.norm1.emb.timestep_embedder.linear_2.bias'], layout: 'copy' },
    { to: 'labels.table', from: ['transformer_blocks.0.norm1.emb.class_embedder.embedding_table.weight'], layout: 'copy' },
    { to: 'blocks.{b}.adaLN.weight', from: ['transformer_blocks.{k}.norm1.linear.weight'], layout: 'linear', each: 'block' },
    { to: 'blocks.{b}.adaLN.bias', from: ['transformer_blocks.{k}.norm1.linear.bias'], layout: 'copy', each: 'block' },
    { to: 'blocks.{b}.attn.qkv.weight', from: [`${Q}q.weight`, `${Q}k.weight`, `${Q}v.weight`], layout: 'concat-linear', each: 'block' },
    { to: 'blocks.{b}.attn.qkv.bias', from: [`${Q}q.bias`, `${Q}k.bias`, `${Q}v.bias`], layout: 'concat', each: 'block' },
    { to: 'blocks.{b}.attn.proj.weight', from: [`${Q}out.0.weight`], layout: 'linear', each: 'block' },
    { to: 'blocks.{b}.attn.proj.bias', from: [`${Q}out.0.bias`], layout: 'copy', each: 'block' },
    { to: 'blocks.{b}.mlp.fc1.weight', from: ['transformer_blocks.{k}.ff.net.0.proj.weight'], layout: 'linear', each: 'block' },
    { to: 'blocks.{b}.mlp.fc1.bias', from: ['transformer_blocks.{k}.ff.net.0.proj.bias'], layout: 'copy', each: 'block' },
    { to: 'blocks.{b}.mlp.fc2.weight', from: ['transformer_blocks.{k}.ff.net.2.weight'], layout: 'linear', each: 'block' },
    { to: 'blocks.{b}.mlp.fc2.bias', from: ['transformer_blocks.{k}.ff.net.2.bias'], layout: 'copy', each: 'block' },
    { to: 'final.adaLN.weight', from: ['proj_out_1.weight'], layout: 'linear' },
    { to: 'final.adaLN.bias', from: ['proj_out_1.bias'], layout: 'copy' },
    { to: 'final.linear.weight', from: ['proj_out_2.weight'], layout: 'linear' },
    { to: 'final.linear.bias', from: ['proj_out_2.bias'], layout: 'copy' },
  ],
  ignored: [
    { pattern: 'transformer_blocks\\.[1-9][0-9]*\\.norm1\\.emb\\..*', why: "copies of block 0's timestep and label embedders (diffusers keeps one per block)" },
    { pattern: 'pos_embed\\.pos_embed', why: 'the fixed sin-cos position embedding, recomputed from the config' },
  ],
};

/** DiT's published sizes: heads by width (DiT-S, B, L, XL), since the head count is not in the weights. */
const HEADS_BY_WIDTH: Record<number, number> = { 384: 6, 768: 12, 1024: 16, 1152: 16 };

function configFor(ck: CheckpointShapes, table: NamingTable, o: ConvertOptions): ModelConfig {
  const conv = needShape(ck, table.rows[0].from[0], 4);
  const [d, channels, patch] = conv;
  const prefix = table.naming === 'original' ? 'blocks' : 'transformer_blocks';
  const depth = blockCount(ck, prefix);
  const fc1 = needShape(ck, table.naming === 'original' ? 'blocks.0.mlp.fc1.weight' : 'transformer_blocks.0.ff.net.0.proj.weight', 2);
  const tfc1 = needShape(ck, table.rows.find((r) => r.to === 'timestep.fc1.weight')!.from[0], 2);
  const final = needShape(ck, table.rows.find((r) => r.to === 'final.linear.weight')!.from[0], 2);
  const labels = ck.shape(table.rows.find((r) => r.to === 'labels.table')!.from[0]);
  const outChannels = final[0] / (patch * patch);
  // The grid side from the stored position embedding [1, N, D] when present, else from --size.
  const pos = ck.shape('pos_embed') ?? ck.shape('pos_embed.pos_embed');
  const grid = pos ? Math.round(Math.sqrt(pos[1])) : undefined;
  const height = o.height ?? (grid !== undefined ? grid * patch : 32);
  const width = o.width ?? height;
  return {
    family: 'dit', hiddenSize: d, depth, heads: o.heads ?? HEADS_BY_WIDTH[d] ?? Math.max(1, Math.round(d / 72)),
    mlpRatio: fc1[0] / d, patchSize: patch, frames: 1, height, width, channels,
    textWidth: 1, textLayers: 1, textHeads: 1, textLength: 1, vocabulary: [],
    prediction: 'epsilon', betaSchedule: 'linear', timestepFrequencies: tfc1[1],
    positionFirstHalf: 'column', latentSpace: true,
    numClasses: labels ? labels[0] - 1 : 1000,
    ...(outChannels === 2 * channels ? { learnSigma: true } : {}),
    guidedChannels: Math.min(3, channels),
  };
}

/** facebookresearch/DiT (DiT-XL/2 and its smaller sizes), original or diffusers naming. */
export const DIT_CONVERTER: CheckpointConverter = {
  source: 'dit',
  title: 'DiT (facebookresearch/DiT), class-conditional, learned sigma',
  tables: [ORIGINAL, DIFFUSERS],
  configFor,
  repeats: (cfg) => cfg.depth,
};
