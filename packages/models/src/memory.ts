import { totalmem } from 'node:os';
import { blockPlan } from './blocks.js';
import { attentionSplit } from './skiparse.js';
import { hasBuiltinTextEncoder, outputChannels, tokenCounts, type ModelConfig } from './config.js';
import { isTextSideParam, parameterShapes } from './model.js';
import { GRAPH_WEIGHT_BYTES } from './onnx/limits.js';

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
  /**
   * ONNX Runtime only: while a graph is built its weights pass through two more copies (read from the file, then
   * encoded for ONNX Runtime), and a graph may be built after another's forward has run (its memory kept for reuse).
   */
  graphBuildBytes?: number;
  totalBytes: number;
}

/** Element counts of one forward's intermediates: the embed outputs kept across the stack, the largest block's, the head's. */
interface ForwardTerms {
  embed: number;
  blockPeak: number;
  head: number;
  /** Tokens of the batch (batch × tokens per sample), the hidden width, text tokens of the batch. */
  n: number;
  d: number;
  textTokens: number;
}

/** The embed and head terms of a forward (elements): what a sampling step keeps between the model's parts. */
function edgeTerms(cfg: ModelConfig, batch: number): Omit<ForwardTerms, 'blockPeak'> {
  const { total } = tokenCounts(cfg);
  const d = cfg.hiddenSize;
  const n = batch * total;
  const textTokens = batch * (hasBuiltinTextEncoder(cfg) || cfg.textEncoder === 'external' ? cfg.textLength : 1);
  const textWidth = Math.max(cfg.textWidth, d);
  const patchOut = cfg.patchSize * cfg.patchSize * outputChannels(cfg);
  // The noisy input and its patches, the position embeddings, the embed outputs, the text tokens.
  const embed = 2 * n * cfg.patchSize * cfg.patchSize * cfg.channels + 2 * total * d + 4 * n * d + 2 * textTokens * textWidth;
  return { embed, head: 8 * n * d + 3 * n * patchOut, n, d, textTokens };
}

/**
 * One forward's intermediates (elements). The block term counts every tensor one block creates (its tidy frees them only when the block ends): about
 * 56 token×width tensors, 10 token×MLP-width tensors and two attention-score tensors (checked against
 * tf.profile on every family).
 */
function forwardTerms(cfg: ModelConfig, batch: number): ForwardTerms {
  const edges = edgeTerms(cfg, batch);
  const { perFrame, total } = tokenCounts(cfg);
  const { n, d, textTokens } = edges;
  const mlp = Math.round(d * cfg.mlpRatio);
  let blockPeak = 0;
  for (const [i, plan] of blockPlan(cfg.family, cfg.depth).entries()) {
    const [sequences, length] = attentionSplit(cfg, i, ...(plan.scope === 'full' ? [batch, total] : plan.scope === 'spatial' ? [batch * cfg.frames, perFrame] : [batch * perFrame, cfg.frames]) as [number, number]);
    const scores = 2 * sequences * cfg.heads * length * length;
    const cross = plan.crossAttention ? 6 * n * d + 2 * batch * cfg.heads * total * cfg.textLength + 3 * textTokens * d : 0;
    blockPeak = Math.max(blockPeak, 56 * n * d + 10 * n * mlp + scores + cross);
  }
  return { ...edges, blockPeak };
}

/** Bytes of one forward's peak intermediates. */
function forwardActivationBytes(t: ForwardTerms): number {
  return (t.embed + Math.max(t.blockPeak + 2 * t.n * t.d, t.head)) * FLOAT;
}

/** Estimate the memory (bytes) a config needs when the tfjs engine samples on `backend`, for a forward of `batch` samples (2 with guidance). */
export function estimateMemory(cfg: ModelConfig, batch = 2, backend = 'tensorflow'): MemoryEstimate {
  let parameters = 0;
  let matrices = 0;
  for (const [name, s] of Object.entries(parameterShapes(cfg))) {
    const size = s.reduce((a, b) => a * b, 1);
    parameters += size;
    if (isMatrix(name, s)) matrices += size;
  }
  const packed = backend === 'wasm' ? matrices * FLOAT : 0;
  const activations = forwardActivationBytes(forwardTerms(cfg, batch));
  return { parameterBytes: parameters * FLOAT, packedWeightBytes: packed, activationBytes: activations, totalBytes: parameters * FLOAT + packed + activations };
}

/**
 * A quantity linear in a config's depth past 8 blocks (a parameter count, its bytes), at `depth`, from its values at
 * depths 4 and 8: blocks repeat with a period dividing 4, so this is the exact figure without listing every block.
 */
export function linearInDepth(depth: number, at4: number, at8: number): number {
  return at8 + ((at8 - at4) / 4) * (depth - 8);
}

/**
 * `estimateMemory` for any depth without listing every block: a config deeper than 8 blocks is estimated from
 * depths 4 and 8 (parameters linear in depth, the activation peak that of one block), which is the same figure.
 */
export function estimateStack(cfg: ModelConfig, batch = 2, backend = 'tensorflow'): MemoryEstimate {
  if (cfg.depth <= 8) return estimateMemory(cfg, batch, backend);
  const [a, b] = [estimateMemory({ ...cfg, depth: 4 }, batch, backend), estimateMemory({ ...cfg, depth: 8 }, batch, backend)];
  const parameterBytes = linearInDepth(cfg.depth, a.parameterBytes, b.parameterBytes);
  const packedWeightBytes = linearInDepth(cfg.depth, a.packedWeightBytes, b.packedWeightBytes);
  return { ...b, parameterBytes, packedWeightBytes, totalBytes: parameterBytes + packedWeightBytes + b.activationBytes };
}

/** A weight the wasm backend's matrix multiplies keep a packed copy of. */
function isMatrix(name: string, shape: readonly number[]): boolean {
  return name.endsWith('.weight') && shape.length === 2;
}

/** The engine that samples: tfjs holds the whole model on its backend; onnx keeps only the text side on tfjs. */
export type SamplingEngine = 'tfjs' | 'onnx';

/** Memory when the onnx engine samples: tfjs's share on its backend and ONNX Runtime's in process memory (bytes). */
export interface OnnxMemoryEstimate {
  /** Text-side parameters (with wasm's packed copies of their matrices) and the tensors a step passes between ONNX Runtime's parts. */
  tfjs: MemoryEstimate;
  /** Every other parameter once, as session initializers, one forward's intermediates and a graph's build copies; no packed copies. */
  ort: MemoryEstimate;
}

/**
 * Split the memory (bytes) of a model into what each holder needs when the onnx engine samples on tfjs backend
 * `backend`; `whole` is its estimate without packed copies (estimateMemory on a backend other than wasm).
 */
function onnxShares(cfg: ModelConfig, whole: MemoryEstimate, batch = 2, backend = 'tensorflow'): OnnxMemoryEstimate {
  let text = 0;
  let textMatrices = 0;
  // Text-side shapes do not depend on the stack's depth: a shallow copy lists them without building a deep config's tables.
  for (const [name, s] of Object.entries(parameterShapes({ ...cfg, depth: Math.min(cfg.depth, 4) }))) {
    if (!isTextSideParam(name)) continue;
    const size = s.reduce((a, b) => a * b, 1);
    text += size;
    if (isMatrix(name, s)) textMatrices += size;
  }
  const edges = edgeTerms(cfg, batch);
  const tfjsParams = text * FLOAT;
  const packed = backend === 'wasm' ? textMatrices * FLOAT : 0;
  // tfjs holds the latent, the embed outputs and text, the block output, the cache's state and the prediction.
  const tfjsActivations = (edges.embed + edges.head) * FLOAT;
  const ortParams = whole.parameterBytes - tfjsParams;
  const build = 2 * Math.min(GRAPH_WEIGHT_BYTES, ortParams);
  return {
    tfjs: { parameterBytes: tfjsParams, packedWeightBytes: packed, activationBytes: tfjsActivations, totalBytes: tfjsParams + packed + tfjsActivations },
    ort: { parameterBytes: ortParams, packedWeightBytes: 0, activationBytes: whole.activationBytes, graphBuildBytes: build, totalBytes: ortParams + whole.activationBytes + build },
  };
}

/** Estimate the memory (bytes) each holder needs when the onnx engine samples, the text side on tfjs backend `backend`. */
export function estimateOnnxMemory(cfg: ModelConfig, batch = 2, backend = 'tensorflow'): OnnxMemoryEstimate {
  return onnxShares(cfg, estimateStack(cfg, batch, 'tensorflow'), batch, backend);
}

/** The sum of two estimates (bytes), field by field. */
export function addEstimates(a: MemoryEstimate, b: MemoryEstimate): MemoryEstimate {
  return {
    parameterBytes: a.parameterBytes + b.parameterBytes, packedWeightBytes: a.packedWeightBytes + b.packedWeightBytes,
    activationBytes: a.activationBytes + b.activationBytes, graphBuildBytes: (a.graphBuildBytes ?? 0) + (b.graphBuildBytes ?? 0),
    totalBytes: a.totalBytes + b.totalBytes,
  };
}

/** The most memory (bytes) a backend can hold: the wasm heap's 4 GiB, else the machine's memory (`machineBytes`). */
export function backendMemoryLimit(backend: string, machineBytes = totalmem()): number {
  return backend === 'wasm' ? WASM_HEAP_LIMIT_BYTES : machineBytes;
}

const gib = (b: number) => `${(b / GIB).toFixed(2)} GiB`;

/** What an estimate is made of, for messages: "X GiB (P parameters + K packed weight copies + A for a forward)". */
function describe(e: MemoryEstimate): string {
  const build = e.graphBuildBytes ? ` + ${gib(e.graphBuildBytes)} while a graph is built` : '';
  return `${gib(e.totalBytes)} (${gib(e.parameterBytes)} parameters${e.packedWeightBytes > 0 ? ` + ${gib(e.packedWeightBytes)} packed weight copies` : ''} + ${gib(e.activationBytes)} for a forward${build})`;
}

/**
 * Throw before anything is allocated when a config cannot fit what holds it, saying what it needs and what the
 * limit is; returns what the process needs (bytes). The tfjs engine holds the model on `backend`; the onnx engine
 * holds the text side there and the rest in ONNX Runtime, which shares the machine's memory (`machineBytes`) with tfjs.
 */
export function checkMemory(cfg: ModelConfig, backend: string, batch = 2, engine: SamplingEngine = 'tfjs', machineBytes = totalmem()): MemoryEstimate {
  const model = `${cfg.family} model (hidden ${cfg.hiddenSize}, depth ${cfg.depth}, ${tokenCounts(cfg).total} tokens, batch ${batch})`;
  const limit = backendMemoryLimit(backend, machineBytes);
  if (engine === 'tfjs') {
    const e = estimateStack(cfg, batch, backend);
    if (e.totalBytes > limit) {
      const hint = backend === 'wasm' ? ' (the wasm heap stops at 4 GiB; tfjs-node or tfjs-node-gpu, or the onnx engine, hold full-size models)' : '';
      throw new Error(`${model} needs about ${describe(e)}; backend ${backend} holds at most ${gib(limit)}${hint}`);
    }
    return e;
  }
  const { tfjs, ort } = estimateOnnxMemory(cfg, batch, backend);
  if (tfjs.totalBytes > limit) {
    throw new Error(`${model} on the onnx engine needs about ${describe(tfjs)} on tfjs for its text side; backend ${backend} holds at most ${gib(limit)}`);
  }
  const both = addEstimates(tfjs, ort);
  if (both.totalBytes > machineBytes) {
    throw new Error(`${model} on the onnx engine needs about ${describe(ort)} in ONNX Runtime and ${describe(tfjs)} on tfjs backend ${backend}; `
      + `together ${gib(both.totalBytes)} against this machine's memory of ${gib(machineBytes)}`);
  }
  return both;
}
