import { getHeapStatistics } from 'node:v8';
import * as tf from '@tensorflow/tfjs';
import { FormatError } from '@teacache/core';
import type { ModelConfig } from './config.js';
import { parameterShapes } from './model.js';
import { forwardGemms } from './flops.js';
import { totalmem } from 'node:os';
import { addEstimates, backendMemoryLimit, estimateOnnxMemory, estimateStack, linearInDepth, type MemoryEstimate, type SamplingEngine } from './memory.js';

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

/** The memory estimate of `estimateMemory`, with the largest single tensor a forward pass makes (elements) and the parameter count. */
export interface SizedEstimate extends MemoryEstimate {
  largestTensor: number;
  /** Parameter tensors the model declares: each is JavaScript objects (its spec, its variable or ONNX initializer). */
  parameterTensors: number;
}

/**
 * JavaScript heap a declared parameter tensor takes, bytes: measured about 200 B a spec on a depth-2004 stdit (700 B
 * at depth 4), with room for its tfjs variable or its ONNX initializer and nodes. A config declaring millions of
 * tensors (depth 1e6) exhausts the JS heap before any weight is read, whatever the engine's memory.
 */
export const JS_BYTES_PER_PARAMETER = 1024;

/** The parameter tensors a config declares, counted at depths 4 and 8 and extrapolated (blocks repeat with a period dividing 4). */
function parameterTensorCount(cfg: ModelConfig): number {
  const count = (depth: number) => Object.keys(parameterShapes({ ...cfg, depth })).length;
  return cfg.depth <= 8 ? count(cfg.depth) : linearInDepth(cfg.depth, count(4), count(8));
}

/**
 * `estimateMemory` made safe for absurd configs: blocks repeat with a period dividing 4, so a config deeper than
 * 8 blocks is estimated from depths 4 and 8 (parameters linear in depth, the activation peak that of one block)
 * instead of block by block, and the largest tensor is reported so one over a typed array's reach is refused.
 * With the onnx engine, the process's whole need: tfjs's share on `backend` plus ONNX Runtime's (estimateOnnxMemory).
 */
export function estimateModelMemory(cfg: ModelConfig, batch = 2, backend: string = safeBackendName(), engine: SamplingEngine = 'tfjs'): SizedEstimate {
  const largestTensor = forwardGemms({ ...cfg, depth: Math.min(cfg.depth, 8) }, batch).reduce((m, g) => Math.max(m, g.m * g.n * g.count), 0);
  // Absurd sizes (hidden 1e9) are refused from a lower bound alone: the exact count builds the model's tables.
  const floor = lowerBoundBytes(cfg, batch);
  if (floor > ABSURD_BYTES || largestTensor > MAX_TENSOR_ELEMENTS) {
    // At least one tensor a block: enough to refuse a depth past the JS heap without listing any.
    return { parameterBytes: floor, packedWeightBytes: 0, activationBytes: 0, totalBytes: floor, largestTensor, parameterTensors: cfg.depth };
  }
  const parameterTensors = parameterTensorCount(cfg);
  if (engine === 'onnx') {
    const { tfjs, ort } = estimateOnnxMemory(cfg, batch, backend);
    return { ...addEstimates(tfjs, ort), largestTensor, parameterTensors };
  }
  return { ...estimateStack(cfg, batch, backend), largestTensor, parameterTensors };
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
  const heap = getHeapStatistics().heap_size_limit;
  const jsBytes = e.parameterTensors * JS_BYTES_PER_PARAMETER;
  if (jsBytes > heap) {
    throw new FormatError({ file, field: 'depth' },
      `a model that fits in memory: ${e.parameterTensors.toPrecision(3)} parameter tensors take about ${gb(jsBytes)} of JavaScript objects against a JS heap of ${gb(heap)}`,
      cfg.depth);
  }
  return e;
}
