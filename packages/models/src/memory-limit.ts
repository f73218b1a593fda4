import * as tf from '@tensorflow/tfjs';
import { FormatError } from '@teacache/core';
import type { ModelConfig } from './config.js';
import { forwardGemms } from './flops.js';
import { totalmem } from 'node:os';
import { addEstimates, backendMemoryLimit, estimateMemory, onnxShares, type MemoryEstimate, type SamplingEngine } from './memory.js';

/** No tfjs backend holds one tensor of more elements than a typed array index can reach. */
const MAX_TENSOR_ELEMENTS = 2 ** 31 - 1;

/** Beyond this (1 TiB) a config is absurd for any machine: no exact count is made. */
const ABSURD_BYTES = 2 ** 40;

/** A lower bound (bytes) of what any config needs: each block's attention and MLP weights, two token-wide activations. */
function lowerBoundBytes(cfg: ModelConfig, batch: number): number {
  const d = cfg.hiddenSize;
  const tokens = (cfg.height / cfg.patchSize) * (cfg.width / cfg.patchSize) * cfg.frames;
  return 4 * (cfg.depth * (4 * d * d + 2 * d * Math.round(d * cfg.mlpRatio)) + 2 * batch * tokens * d);
}

/** The memory estimate of `estimateMemory`, with the largest single tensor a forward pass makes (elements). */
export interface SizedEstimate extends MemoryEstimate {
  largestTensor: number;
}

/**
 * `estimateMemory` made safe for absurd configs: blocks repeat with a period dividing 4, so a config deeper than
 * 8 blocks is estimated from depths 4 and 8 (parameters linear in depth, the activation peak that of one block)
 * instead of block by block, and the largest tensor is reported so one over a typed array's reach is refused.
 * With the onnx engine, the process's whole need: tfjs's share on `backend` plus ONNX Runtime's (onnxShares).
 */
export function estimateModelMemory(cfg: ModelConfig, batch = 2, backend: string = safeBackendName(), engine: SamplingEngine = 'tfjs'): SizedEstimate {
  const largestTensor = forwardGemms({ ...cfg, depth: Math.min(cfg.depth, 8) }, batch).reduce((m, g) => Math.max(m, g.m * g.n * g.count), 0);
  // Absurd sizes (hidden 1e9) are refused from a lower bound alone: the exact count builds the model's tables.
  const floor = lowerBoundBytes(cfg, batch);
  if (floor > ABSURD_BYTES || largestTensor > MAX_TENSOR_ELEMENTS) {
    return { parameterBytes: floor, packedWeightBytes: 0, activationBytes: 0, totalBytes: floor, largestTensor };
  }
  if (engine === 'onnx') {
    const { tfjs, ort } = onnxShares(cfg, stackEstimate(cfg, batch, 'tensorflow'), batch, backend);
    return { ...addEstimates(tfjs, ort), largestTensor };
  }
  return { ...stackEstimate(cfg, batch, backend), largestTensor };
}

/** estimateMemory, a config deeper than 8 blocks extrapolated from depths 4 and 8. */
function stackEstimate(cfg: ModelConfig, batch: number, backend: string): MemoryEstimate {
  if (cfg.depth <= 8) return estimateMemory(cfg, batch, backend);
  const [a, b] = [estimateMemory({ ...cfg, depth: 4 }, batch, backend), estimateMemory({ ...cfg, depth: 8 }, batch, backend)];
  const perBlock = (x: number, y: number) => ((y - x) / 4) * (cfg.depth - 8);
  const parameterBytes = b.parameterBytes + perBlock(a.parameterBytes, b.parameterBytes);
  const packedWeightBytes = b.packedWeightBytes + perBlock(a.packedWeightBytes, b.packedWeightBytes);
  return { ...b, parameterBytes, packedWeightBytes, totalBytes: parameterBytes + packedWeightBytes + b.activationBytes };
}

/** What a backend can hold, bytes (the active backend by default): the wasm heap's 4 GiB, else the machine's memory. */
export function memoryLimitBytes(backend: string = safeBackendName()): number {
  return backendMemoryLimit(backend);
}

function safeBackendName(): string {
  try {
    return tf.getBackend() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

const SIZE_FIELDS = ['depth', 'hiddenSize', 'mlpRatio', 'frames', 'height', 'width', 'textWidth', 'textLayers', 'textLength', 'timestepFrequencies'] as const;

/** The size field whose growth costs the most: the estimate shrinks most when it alone is set to its smallest value. */
function costliestField(cfg: ModelConfig): string {
  const need = (c: ModelConfig) => estimateModelMemory(c).totalBytes;
  let best: string = SIZE_FIELDS[0];
  let bestNeed = Infinity;
  for (const f of SIZE_FIELDS) {
    const small = f === 'height' || f === 'width' ? cfg.patchSize : f === 'hiddenSize' ? cfg.heads : 1;
    const n = need({ ...cfg, [f]: small });
    if (n < bestNeed) { bestNeed = n; best = f; }
  }
  return best;
}

const gb = (bytes: number) => `${(bytes / 1024 ** 3).toPrecision(3)} GiB`;

/**
 * Refuse, before anything is allocated, a config whose model would not fit: an error naming the file, the size
 * field that costs the most, the estimate and the limit. `limitBytes` defaults to what the active backend can hold,
 * or with the onnx engine (whose ONNX Runtime share lives in process memory) to the machine's memory.
 */
export function checkModelFits(cfg: ModelConfig, file = '<config>', limitBytes?: number, engine: SamplingEngine = 'tfjs'): MemoryEstimate {
  limitBytes ??= engine === 'onnx' ? totalmem() : memoryLimitBytes();
  const e = estimateModelMemory(cfg, 2, safeBackendName(), engine);
  const need = e.totalBytes;
  if (need > limitBytes || e.largestTensor > MAX_TENSOR_ELEMENTS || !Number.isFinite(need)) {
    const field = costliestField(cfg);
    throw new FormatError({ file, field },
      `a model that fits in memory: about ${gb(e.parameterBytes + e.packedWeightBytes)} of parameters and ${gb(e.activationBytes)} of activations ` +
      (e.graphBuildBytes ? `(and ${gb(e.graphBuildBytes)} while an ONNX Runtime graph is built) ` : '') +
      `(largest tensor ${e.largestTensor.toPrecision(3)} values) against a limit of ${gb(limitBytes)} and ${MAX_TENSOR_ELEMENTS} values per tensor`,
      (cfg as unknown as Record<string, unknown>)[field]);
  }
  return e;
}
