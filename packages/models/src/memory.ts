import { totalmem } from 'node:os';
import { blockPlan } from './blocks.js';
import { attentionSplit } from './skiparse.js';
import { hasBuiltinTextEncoder, outputChannels, tokenCounts, type ModelConfig } from './config.js';
import { parameterShapes } from './model.js';

const FLOAT = 4;
const GIB = 1024 ** 3;
/** The wasm backend's heap is a 32-bit address space: it cannot grow past 4 GiB. */
export const WASM_HEAP_LIMIT_BYTES = 4 * GIB;

/** Bytes a model needs on a backend: its parameters, plus the peak of one forward pass's intermediates. */
export interface MemoryEstimate {
  parameterBytes: number;
  /**
   * The wasm backend's second copy of every matrix weight: its XNNPACK matrix-multiply operators keep a packed
   * copy of their weights (measured: the heap grows by about the weights' size on the first forward). 0 elsewhere.
   */
  packedWeightBytes: number;
  /** Peak intermediates of one forward: the embed outputs kept across the stack plus the largest block's tidy. */
  activationBytes: number;
  totalBytes: number;
}

/**
 * Estimate the memory (bytes) a config needs on a backend for a forward of `batch` samples (2 with guidance).
 * The block term counts every tensor one block creates (its tidy frees them only when the block ends): about
 * 56 token×width tensors, 10 token×MLP-width tensors and two attention-score tensors (checked against
 * tf.profile on every family).
 */
export function estimateMemory(cfg: ModelConfig, batch = 2, backend = 'tensorflow'): MemoryEstimate {
  const shapes = parameterShapes(cfg);
  let parameters = 0;
  let matrices = 0;
  for (const [name, s] of Object.entries(shapes)) {
    const size = s.reduce((a, b) => a * b, 1);
    parameters += size;
    if (name.endsWith('.weight') && s.length === 2) matrices += size;
  }
  const packed = backend === 'wasm' ? matrices * FLOAT : 0;
  const { perFrame, total } = tokenCounts(cfg);
  const d = cfg.hiddenSize;
  const n = batch * total;
  const mlp = Math.round(d * cfg.mlpRatio);
  const textTokens = batch * (hasBuiltinTextEncoder(cfg) || cfg.textEncoder === 'external' ? cfg.textLength : 1);
  const textWidth = Math.max(cfg.textWidth, d);
  let blockPeak = 0;
  for (const [i, plan] of blockPlan(cfg.family, cfg.depth).entries()) {
    const [sequences, length] = attentionSplit(cfg, i, ...(plan.scope === 'full' ? [batch, total] : plan.scope === 'spatial' ? [batch * cfg.frames, perFrame] : [batch * perFrame, cfg.frames]) as [number, number]);
    const scores = 2 * sequences * cfg.heads * length * length;
    const cross = plan.crossAttention ? 6 * n * d + 2 * batch * cfg.heads * total * cfg.textLength + 3 * textTokens * d : 0;
    blockPeak = Math.max(blockPeak, 56 * n * d + 10 * n * mlp + scores + cross);
  }
  const patchOut = cfg.patchSize * cfg.patchSize * outputChannels(cfg);
  // The noisy input and its patches, the position embeddings, the embed outputs, the text tokens.
  const embed = 2 * n * cfg.patchSize * cfg.patchSize * cfg.channels + 2 * total * d + 4 * n * d + 2 * textTokens * textWidth;
  const head = 8 * n * d + 3 * n * patchOut;
  const activations = (embed + Math.max(blockPeak + 2 * n * d, head)) * FLOAT;
  return { parameterBytes: parameters * FLOAT, packedWeightBytes: packed, activationBytes: activations, totalBytes: parameters * FLOAT + packed + activations };
}

/** The most memory (bytes) a backend can hold: the wasm heap's 4 GiB, else the machine's memory. */
export function backendMemoryLimit(backend: string): number {
  return backend === 'wasm' ? WASM_HEAP_LIMIT_BYTES : totalmem();
}

/** Throw before anything is allocated when a config cannot fit the backend, saying what it needs and what the limit is. */
export function checkMemory(cfg: ModelConfig, backend: string, batch = 2): MemoryEstimate {
  const e = estimateMemory(cfg, batch, backend);
  const limit = backendMemoryLimit(backend);
  if (e.totalBytes > limit) {
    const gib = (b: number) => `${(b / GIB).toFixed(2)} GiB`;
    const hint = backend === 'wasm' ? ' (the wasm heap stops at 4 GiB; tfjs-node or tfjs-node-gpu hold full-size models)' : '';
    throw new Error(`${cfg.family} model (hidden ${cfg.hiddenSize}, depth ${cfg.depth}, ${tokenCounts(cfg).total} tokens, batch ${batch}) `
      + `needs about ${gib(e.totalBytes)} (${gib(e.parameterBytes)} parameters${e.packedWeightBytes > 0 ? ` + ${gib(e.packedWeightBytes)} packed weight copies` : ''} + ${gib(e.activationBytes)} for a forward); `
      + `backend ${backend} holds at most ${gib(limit)}${hint}`);
  }
  return e;
}
