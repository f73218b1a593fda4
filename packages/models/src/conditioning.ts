import * as tf from '@tensorflow/tfjs';
import { FormatError } from '@teacache/core';
import type { ModelConfig } from './config.js';
import { readSafetensors, writeSafetensors } from './weights/safetensors.js';

/**
 * Per-prompt text-encoder outputs a model with `textEncoder: "external"` conditions on (T5, mT5, CLIP, ...),
 * written by the PyTorch side or a few lines of the user's code (format: docs/formats.md, "Conditioning file").
 */
export interface Conditioning {
  /** The captions, in the order of the rows of `embeddings`. */
  prompts: string[];
  /** Tokens per caption (L) and encoder width (W). */
  length: number;
  width: number;
  /** [N, L, W] row-major. */
  embeddings: Float32Array;
  /** [N, L]: 1 where a token is attended to, 0 for padding. */
  mask: Float32Array;
  /** The null (negative) caption used for the unconditional branch of guidance: [L, W] and [L]. */
  nullEmbedding: Float32Array;
  nullMask: Float32Array;
  encoder?: string;
}

export const CONDITIONING_FORMAT = 'teacache-conditioning';

/** Read and check a conditioning file; with a config, its L and W must be the model's textLength and textWidth. */
export function readConditioning(path: string, cfg?: ModelConfig): Conditioning {
  const { tensors, metadata } = readSafetensors(path);
  if (metadata.format !== CONDITIONING_FORMAT) {
    throw new FormatError({ file: path, field: '__metadata__.format' }, `"${CONDITIONING_FORMAT}"`, metadata.format ?? 'nothing');
  }
  let prompts: unknown;
  try { prompts = JSON.parse(metadata.prompts ?? ''); } catch { prompts = undefined; }
  if (!Array.isArray(prompts) || !prompts.every((p) => typeof p === 'string')) {
    throw new FormatError({ file: path, field: '__metadata__.prompts' }, 'a JSON array of caption strings', metadata.prompts ?? 'nothing');
  }
  if (new Set(prompts).size !== prompts.length) throw new FormatError({ file: path, field: '__metadata__.prompts' }, 'each caption once', 'a repeated caption');
  const need = (name: string, rank: number) => {
    const t = tensors.get(name);
    if (!t || t.shape.length !== rank) throw new FormatError({ file: path, field: name }, `a tensor of rank ${rank}`, t ? JSON.stringify(t.shape) : 'no such tensor');
    return t;
  };
  const e = need('embeddings', 3);
  const [n, length, width] = e.shape;
  const m = need('mask', 2);
  const ne = need('null.embeddings', 3);
  const nm = need('null.mask', 2);
  const check = (field: string, ok: boolean, expected: string, found: unknown) => { if (!ok) throw new FormatError({ file: path, field }, expected, found); };
  check('embeddings', n === prompts.length, `one row per prompt (${prompts.length})`, `${n} rows`);
  check('mask', m.shape[0] === n && m.shape[1] === length, `shape [${n}, ${length}]`, JSON.stringify(m.shape));
  check('null.embeddings', ne.shape[0] === 1 && ne.shape[1] === length && ne.shape[2] === width, `shape [1, ${length}, ${width}]`, JSON.stringify(ne.shape));
  check('null.mask', nm.shape[0] === 1 && nm.shape[1] === length, `shape [1, ${length}]`, JSON.stringify(nm.shape));
  for (const [field, values] of [['mask', m.data], ['null.mask', nm.data]] as const) {
    check(field, values.every((v) => v === 0 || v === 1), 'only 0 and 1', 'other values');
  }
  if (cfg) {
    check('embeddings', width === cfg.textWidth, `width ${cfg.textWidth} (the model's textWidth)`, width);
    check('embeddings', length === cfg.textLength, `${cfg.textLength} tokens per caption (the model's textLength)`, length);
  }
  return {
    prompts: prompts as string[], length, width, embeddings: e.data, mask: m.data,
    nullEmbedding: ne.data, nullMask: nm.data, ...(metadata.encoder ? { encoder: metadata.encoder } : {}),
  };
}

/** Write a conditioning file atomically (float32). */
export function writeConditioning(path: string, c: Conditioning): void {
  const n = c.prompts.length;
  writeSafetensors(path, [
    { name: 'embeddings', shape: [n, c.length, c.width], data: c.embeddings },
    { name: 'mask', shape: [n, c.length], data: c.mask },
    { name: 'null.embeddings', shape: [1, c.length, c.width], data: c.nullEmbedding },
    { name: 'null.mask', shape: [1, c.length], data: c.nullMask },
  ], { dtype: 'F32', metadata: { format: CONDITIONING_FORMAT, prompts: JSON.stringify(c.prompts), ...(c.encoder ? { encoder: c.encoder } : {}) } });
}

/** The embeddings [L·W] and mask [L] of a caption: '' is the null caption; an unknown caption names the ones there are. */
export function conditioningOf(c: Conditioning, caption: string, file = '<conditioning>'): { embedding: Float32Array; mask: Float32Array } {
  if (caption === '') return { embedding: c.nullEmbedding, mask: c.nullMask };
  const i = c.prompts.indexOf(caption);
  if (i < 0) {
    throw new FormatError({ file, field: 'prompts' }, `the caption "${caption}" among its ${c.prompts.length} prompts`, c.prompts.slice(0, 5).join(' | '));
  }
  const size = c.length * c.width;
  return { embedding: c.embeddings.subarray(i * size, (i + 1) * size), mask: c.mask.subarray(i * c.length, (i + 1) * c.length) };
}

/** Encoder outputs [B, L, W] of captions, in caption order ('' is the null caption). */
export function conditioningTokens(c: Conditioning, captions: readonly string[], file?: string): tf.Tensor3D {
  const size = c.length * c.width;
  const data = new Float32Array(captions.length * size);
  captions.forEach((caption, i) => data.set(conditioningOf(c, caption, file).embedding, i * size));
  return tf.tensor3d(data, [captions.length, c.length, c.width]);
}

/** Cross-attention key bias [B, L] of captions: 0 where the mask keeps a token, −1e9 for padding. */
export function conditioningBias(c: Conditioning, captions: readonly string[], file?: string): tf.Tensor2D {
  const data = new Float32Array(captions.length * c.length);
  captions.forEach((caption, i) => {
    const mask = conditioningOf(c, caption, file).mask;
    for (let k = 0; k < c.length; k++) data[i * c.length + k] = mask[k] > 0 ? 0 : -1e9;
  });
  return tf.tensor2d(data, [captions.length, c.length]);
}

/** The class index a caption names for a class-conditional model: '' is the null class (numClasses). */
export function classIndex(caption: string, numClasses: number): number {
  const text = caption.trim();
  if (text === '') return numClasses;
  if (!/^\d+$/.test(text) || Number(text) >= numClasses) {
    throw new Error(`caption "${caption}": a class-conditional model takes a class index 0..${numClasses - 1} (or '' for the null class)`);
  }
  return Number(text);
}
