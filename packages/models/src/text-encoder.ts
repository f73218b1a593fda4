import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from './config.js';
import type { ParamStore } from './params.js';
import { declareLayerNormAffine, declareMlp, declareSelfAttention } from './layers.js';
import { layerNormAffine, mlp, selfAttention } from './ops/nn.js';
import type { Ops } from './ops/ops.js';
import { TfOps } from './ops/tf-ops.js';

export const PAD = 0;
export const UNKNOWN = 1;

/** Lower-case words of a caption (letters, digits and apostrophes). */
export function words(caption: string): string[] {
  return caption.toLowerCase().match(/[a-z0-9']+/g) ?? [];
}

/** Token ids of a caption, padded or cut to `length`; unknown words map to UNKNOWN. The empty caption is all padding. */
export function tokenize(caption: string, vocabulary: readonly string[], length: number): Int32Array {
  const index = new Map(vocabulary.map((w, i) => [w, i] as const));
  const ids = new Int32Array(length).fill(PAD);
  words(caption).slice(0, length).forEach((w, i) => { ids[i] = index.get(w) ?? UNKNOWN; });
  return ids;
}

/** Build a vocabulary from captions: padding, unknown, then the words in first-seen order. */
export function buildVocabulary(captions: readonly string[]): string[] {
  const vocab = ['<pad>', '<unk>'];
  const seen = new Set(vocab);
  for (const c of captions) for (const w of words(c)) if (!seen.has(w)) { seen.add(w); vocab.push(w); }
  return vocab;
}

/** Declare the text encoder: word and position embeddings, pre-LN transformer layers, a final norm. */
export function declareTextEncoder(p: ParamStore, cfg: ModelConfig): void {
  p.declare('text.embed', { shape: [cfg.vocabulary.length, cfg.textWidth], init: 'normal', std: 0.5 });
  p.declare('text.pos', { shape: [cfg.textLength, cfg.textWidth], init: 'normal', std: 0.1 });
  for (let i = 0; i < cfg.textLayers; i++) {
    declareLayerNormAffine(p, `text.layers.${i}.norm1`, cfg.textWidth);
    declareSelfAttention(p, `text.layers.${i}.attn`, cfg.textWidth);
    declareLayerNormAffine(p, `text.layers.${i}.norm2`, cfg.textWidth);
    declareMlp(p, `text.layers.${i}.mlp`, cfg.textWidth, cfg.textWidth * 2);
  }
  declareLayerNormAffine(p, 'text.final', cfg.textWidth);
}

/** The text encoder on one-hot token rows [B·L, vocabulary] → text tokens [B, L, textWidth]. */
export function textEncoder<T>(o: Ops<T>, cfg: ModelConfig, oneHot: T): T {
  // A one-hot GEMM instead of gather: the wasm backend has no kernel for gather's gradient.
  const embedded = o.reshape(o.matMul(oneHot, o.param('text.embed')), [-1, cfg.textLength, cfg.textWidth]);
  let h = o.add(embedded, o.param('text.pos'));
  for (let i = 0; i < cfg.textLayers; i++) {
    const n = `text.layers.${i}`;
    h = o.add(h, selfAttention(o, `${n}.attn`, layerNormAffine(o, `${n}.norm1`, h), cfg.textHeads));
    h = o.add(h, mlp(o, `${n}.mlp`, layerNormAffine(o, `${n}.norm2`, h)));
  }
  return layerNormAffine(o, 'text.final', h);
}

/** Encode token ids [B, L] to text tokens [B, L, textWidth] on tfjs. */
export function encodeText(p: ParamStore, cfg: ModelConfig, ids: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => {
    const oneHot = tf.oneHot(ids.reshape([-1]) as tf.Tensor1D, cfg.vocabulary.length).toFloat();
    return textEncoder(new TfOps(p), cfg, oneHot) as tf.Tensor3D;
  });
}
