import { FormatError } from '@teacache/core';
import type { ModelConfig } from '../config.js';
import type { NamingTable } from './table.js';

/** What a user may say about a checkpoint that its weights do not record (absent: the released model's values). */
export interface ConvertOptions {
  /** Attention heads (not recorded in the weights). */
  heads?: number;
  /** Latent height and width the model runs at. */
  height?: number;
  width?: number;
  /** Frames per sample (video models). */
  frames?: number;
  /** Text tokens per caption (models on external text-encoder outputs). */
  textLength?: number;
  /** Frame rate an fps-conditioned model (Open-Sora 1.2) is conditioned on. */
  fps?: number;
  /** Skiparse sparse ratio of an Open-Sora-Plan v1.3 model (0: dense attention in every block). */
  skiparse?: number;
}

/** The names and shapes of a checkpoint's tensors (what its header says; no values). */
export interface CheckpointShapes {
  names: readonly string[];
  /** A tensor's shape, or undefined when the checkpoint has no such tensor. */
  shape(name: string): number[] | undefined;
}

/** One source of published checkpoints: its mapping tables (one per naming) and how its config is read off the weights. */
export interface CheckpointConverter {
  /** The `--from` name. */
  source: string;
  title: string;
  /** One table per naming the checkpoints come in; the first whose marker is present is used. */
  tables: readonly NamingTable[];
  /** The toolkit config the checkpoint's shapes (and the user's options) imply. */
  configFor(ck: CheckpointShapes, table: NamingTable, options: ConvertOptions): ModelConfig;
  /** Upstream blocks per repeated stack (`{k}` runs 0..repeats−1). */
  repeats(config: ModelConfig): number;
}

/** The shape of a tensor the config is read from; a checkpoint without it cannot be converted at all. */
export function needShape(ck: CheckpointShapes, name: string, rank: number): number[] {
  const s = ck.shape(name);
  if (!s || s.length !== rank) throw new FormatError({ field: name }, `a tensor of rank ${rank} (the config is read from it)`, s ? JSON.stringify(s) : 'no such tensor');
  return s;
}

/** Number of upstream blocks: the count of distinct `prefix.N.` indices. */
export function blockCount(ck: CheckpointShapes, prefix: string): number {
  const indices = new Set<number>();
  const re = new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.(\\d+)\\.`);
  for (const name of ck.names) {
    const m = re.exec(name);
    if (m) indices.add(Number(m[1]));
  }
  return indices.size;
}
