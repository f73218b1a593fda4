import type { ModelConfig } from '../config.js';
import type { Conversion } from './opensora-1.2.js';
import { linearWeight, patchConvWeight, type SourceTensor } from './tensor-layout.js';

/**
 * Open-Sora-Plan v1.3 (PKU-YuanGroup/Open-Sora-Plan v1.3.x, opensora/models/diffusion/opensora_v1_3/
 * modeling_opensora.py OpenSoraT2V_v1_3, diffusers naming) → the toolkit's `osp` family. The mapping is data:
 * upstream name (transformer_blocks.{i}. prefix for blocks) → toolkit name and how the values move; `qkv`
 * stacks separate q, k and v projections into the toolkit's fused one, `kv` stacks k and v.
 */
export type PlanMove = 'linear' | 'copy' | 'patch' | 'qkv-weight' | 'qkv-bias' | 'kv-weight' | 'kv-bias';

/** Per-block tensors: upstream suffix(es) → toolkit suffix. Several sources are stacked along the output axis. */
export const OPENSORA_PLAN_13_BLOCK: ReadonlyArray<readonly [readonly string[], string, PlanMove]> = [
  [['scale_shift_table'], 'scaleShiftTable', 'copy'],
  [['attn1.to_q.weight', 'attn1.to_k.weight', 'attn1.to_v.weight'], 'attn.qkv.weight', 'qkv-weight'],
  [['attn1.to_q.bias', 'attn1.to_k.bias', 'attn1.to_v.bias'], 'attn.qkv.bias', 'qkv-bias'],
  [['attn1.to_out.0.weight'], 'attn.proj.weight', 'linear'], [['attn1.to_out.0.bias'], 'attn.proj.bias', 'copy'],
  [['attn2.to_q.weight'], 'cross.q.weight', 'linear'], [['attn2.to_q.bias'], 'cross.q.bias', 'copy'],
  [['attn2.to_k.weight', 'attn2.to_v.weight'], 'cross.kv.weight', 'kv-weight'],
  [['attn2.to_k.bias', 'attn2.to_v.bias'], 'cross.kv.bias', 'kv-bias'],
  [['attn2.to_out.0.weight'], 'cross.proj.weight', 'linear'], [['attn2.to_out.0.bias'], 'cross.proj.bias', 'copy'],
  [['ff.net.0.proj.weight'], 'mlp.fc1.weight', 'linear'], [['ff.net.0.proj.bias'], 'mlp.fc1.bias', 'copy'],
  [['ff.net.2.weight'], 'mlp.fc2.weight', 'linear'], [['ff.net.2.bias'], 'mlp.fc2.bias', 'copy'],
];

/** Tensors outside the blocks. */
export const OPENSORA_PLAN_13_TOP: ReadonlyArray<readonly [readonly string[], string, PlanMove]> = [
  [['pos_embed.proj.weight'], 'patch.weight', 'patch'], [['pos_embed.proj.bias'], 'patch.bias', 'copy'],
  [['adaln_single.emb.timestep_embedder.linear_1.weight'], 'timestep.fc1.weight', 'linear'],
  [['adaln_single.emb.timestep_embedder.linear_1.bias'], 'timestep.fc1.bias', 'copy'],
  [['adaln_single.emb.timestep_embedder.linear_2.weight'], 'timestep.fc2.weight', 'linear'],
  [['adaln_single.emb.timestep_embedder.linear_2.bias'], 'timestep.fc2.bias', 'copy'],
  [['adaln_single.linear.weight'], 'timestep.single.weight', 'linear'], [['adaln_single.linear.bias'], 'timestep.single.bias', 'copy'],
  [['caption_projection.linear_1.weight'], 'caption.fc1.weight', 'linear'], [['caption_projection.linear_1.bias'], 'caption.fc1.bias', 'copy'],
  [['caption_projection.linear_2.weight'], 'caption.fc2.weight', 'linear'], [['caption_projection.linear_2.bias'], 'caption.fc2.bias', 'copy'],
  [['scale_shift_table'], 'final.scaleShiftTable', 'copy'],
  [['proj_out.weight'], 'final.linear.weight', 'linear'], [['proj_out.bias'], 'final.linear.bias', 'copy'],
];

/** The video the converted model is sized for, and what the checkpoint's config.json says (v1.3-2B/122 defaults). */
export interface OpenSoraPlan13Options {
  /** Latent frames, height and width (WF-VAE 4×8×8: 93 video frames → 24, 352×640 → 44×80). */
  frames: number;
  height: number;
  width: number;
  /** attention_head_dim (default 96, the released model's; heads = hidden / head width). */
  headDim?: number;
  /** sparse_n (default 4) and whether Skiparse is on (sparse1d, default true). */
  sparseN?: number;
  sparse1d?: boolean;
  /** interpolation_scale_t, _h, _w (default 1 each). */
  interpolation?: [number, number, number];
}

/** The toolkit config a v1.3 checkpoint implies; sizes the checkpoint cannot tell come from options. */
export function openSoraPlan13Config(src: ReadonlyMap<string, SourceTensor>, o: OpenSoraPlan13Options, problems: string[]): ModelConfig {
  const patch = src.get('pos_embed.proj.weight')?.shape ?? [0, 0, 0, 0];
  const [hidden, channels, p] = [patch[0], patch[1], patch[2]];
  const depth = [...src.keys()].filter((n) => /^transformer_blocks\.\d+\.scale_shift_table$/.test(n)).length;
  const headDim = o.headDim ?? 96;
  const heads = hidden / headDim;
  if (!Number.isInteger(heads)) problems.push(`headDim: ${headDim} does not divide the hidden width ${hidden}; give the headDim option`);
  const fc1 = src.get('transformer_blocks.0.ff.net.0.proj.weight')?.shape ?? [0];
  const cap = src.get('caption_projection.linear_1.weight')?.shape ?? [0, 0];
  const tFreq = src.get('adaln_single.emb.timestep_embedder.linear_1.weight')?.shape ?? [0, 0];
  const out = src.get('proj_out.weight')?.shape ?? [0];
  if (out[0] !== p * p * channels) problems.push(`proj_out.weight: ${out[0]} outputs, expected ${p}·${p}·${channels} (out_channels = in_channels)`);
  const sparse = o.sparse1d ?? true;
  return {
    family: 'osp', hiddenSize: hidden, depth, heads, mlpRatio: fc1[0] / hidden, patchSize: p,
    frames: o.frames, height: o.height, width: o.width, channels,
    // The toolkit's own text encoder is unused with real encoder outputs (mT5-XXL, 512 tokens); kept minimal.
    textWidth: cap[1], textLayers: 1, textHeads: 1, textLength: 512, vocabulary: ['<pad>', '<unk>'],
    prediction: 'v', betaSchedule: 'linear', zeroTerminalSnr: true, sampler: 'euler-ancestral', timestepFrequencies: tFreq[1],
    spatialPositionEmbedding: 'none', temporalPositionEmbedding: false, captionProjection: true,
    rope3d: true, ...(o.interpolation ? { ropeInterpolation: o.interpolation } : {}),
    ...(sparse ? { skiparse: o.sparseN ?? 4, skiparseBlocks: [2, 30] as [number, number] } : {}),
  };
}

/** Convert an Open-Sora-Plan v1.3 state dict (diffusers naming); nothing is thrown, every problem is listed. */
export function convertOpenSoraPlan13(src: ReadonlyMap<string, SourceTensor>, o: OpenSoraPlan13Options): Conversion {
  const problems: string[] = [];
  const config = openSoraPlan13Config(src, o, problems);
  const tensors = new Map<string, Float32Array>();
  const placed = new Set<string>();
  const move = (from: readonly string[], to: string, how: PlanMove) => {
    const parts = from.map((n) => src.get(n));
    const missing = from.filter((_, j) => !parts[j]);
    if (missing.length) { for (const n of missing) problems.push(`${n}: missing (for ${to})`); return; }
    from.forEach((n) => placed.add(n));
    const ts = parts as SourceTensor[];
    switch (how) {
      case 'linear': tensors.set(to, linearWeight(ts[0])); break;
      case 'copy': tensors.set(to, ts[0].data); break;
      case 'patch': tensors.set(to, patchConvWeight(ts[0])); break;
      case 'qkv-weight': case 'kv-weight': {
        // Stack [out, in] along out, then transpose to the toolkit's [in, out].
        const rows = ts.reduce((a, t) => a + t.shape[0], 0);
        const data = new Float32Array(rows * ts[0].shape[1]);
        let off = 0;
        for (const t of ts) { data.set(t.data, off); off += t.data.length; }
        tensors.set(to, linearWeight({ shape: [rows, ts[0].shape[1]], data }));
        break;
      }
      case 'qkv-bias': case 'kv-bias': {
        const data = new Float32Array(ts.reduce((a, t) => a + t.data.length, 0));
        let off = 0;
        for (const t of ts) { data.set(t.data, off); off += t.data.length; }
        tensors.set(to, data);
        break;
      }
    }
  };
  for (const [from, to, how] of OPENSORA_PLAN_13_TOP) move(from, to, how);
  for (let i = 0; i < config.depth; i++) {
    for (const [from, to, how] of OPENSORA_PLAN_13_BLOCK) move(from.map((n) => `transformer_blocks.${i}.${n}`), `blocks.${i}.${to}`, how);
  }
  const unplaced = [...src.keys()].filter((n) => !placed.has(n)).sort();
  return { config, tensors, unplaced, problems };
}
